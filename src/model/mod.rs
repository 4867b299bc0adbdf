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
pub use metric::{CooperationMean, Kind, Metric, Reading, Scope, StepView};
pub use params::{param_spec, ParamSpec, Params, PARAM_SPECS};

/// Index of an actor in a scenario's actors (`Scenario::actors`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActorId(pub u16);

impl ActorId {
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}

use serde::Serialize;

/// Status of the office. [`Status::value`] is what `timeseries.csv` writes as `office_status`:
/// shelved −1 (the proposal withdrawn, below proposed, so that "office_status ≥ 2", approved at
/// some point, keeps its meaning), proposed 0, postponed 1, approved 2, opened 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Proposed,
    Postponed,
    Approved,
    Opened,
    Shelved,
}

impl Status {
    /// Every status, in the order of [`Status::index`] (outputs list them in this order).
    pub const ALL: [Status; 5] = [
        Status::Proposed,
        Status::Postponed,
        Status::Approved,
        Status::Opened,
        Status::Shelved,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Status::Proposed => "proposed",
            Status::Postponed => "postponed",
            Status::Approved => "approved",
            Status::Opened => "opened",
            Status::Shelved => "shelved",
        }
    }

    /// Position in [`Status::ALL`] (for counts by status).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The number `office_status` writes.
    pub fn value(self) -> f64 {
        match self {
            Status::Shelved => -1.0,
            s => s as usize as f64,
        }
    }

    /// The status whose [`Status::value`] is `v` (None for any other number).
    pub fn from_value(v: f64) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.value() == v)
    }

    /// Whether the decision is still open (a vote can take it).
    pub fn undecided(self) -> bool {
        matches!(self, Status::Proposed | Status::Postponed)
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.name() == s)
    }
}
