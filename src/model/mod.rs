//! The model's vocabulary: the CAMEO / Goldstein event catalogue ([`catalogue`]), the `[model]`
//! coefficients with their defaults and valid ranges ([`params`]), the metrics a run reports
//! ([`metric`]), and the office statuses.
//!
//! Keeping each vocabulary in one table lets validation, `show`, the README and the engine agree.

pub mod catalogue;
pub mod metric;
pub mod params;

pub use catalogue::{
    code_index, Code, EventClass, Gate, CATALOGUE, COERCIVE, RECORD, RECORD_EVENTS,
};
pub use metric::{CooperationMean, Kind, Metric, Reading, Scope};
pub use params::{param_spec, ParamSpec, Params, PARAM_SPECS};

use serde::Serialize;

/// Status of the office. The numeric value is what `timeseries.csv` writes as `office_status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Proposed = 0,
    Postponed = 1,
    Approved = 2,
    Opened = 3,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Proposed,
        Status::Postponed,
        Status::Approved,
        Status::Opened,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Status::Proposed => "proposed",
            Status::Postponed => "postponed",
            Status::Approved => "approved",
            Status::Opened => "opened",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.name() == s)
    }
}
