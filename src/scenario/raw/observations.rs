//! Raw serde types of `[[observation]]` and `[[question]]`: what the record says happened, and
//! what a backtest case asks.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// `[[observation]]`: a statistic of a metric over a window of steps, compared with a value.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawObservation {
    #[serde(skip_serializing_if = "Option::is_none")]
    /// A timeseries metric (stance, posture, tone_sent, tone_received with `actor`; forecast,
    /// polarization, cooperation, cooperation_ma, office_status) or "events" (counts by dyad and class).
    #[schemars(extend("enum" = ["stance", "posture", "tone_sent", "tone_received", "forecast", "polarization", "cooperation", "cooperation_ma", "office_status", "events"]))]
    pub metric: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The actor of a per-actor metric; for events the sender (omitted: any).
    pub actor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// For events: the receiver (omitted: any).
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// For events: which events count (omitted: all).
    #[schemars(extend("enum" = ["verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict", "coercive"]))]
    pub class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Window [first, last] of steps, inclusive (default: the whole run).
    #[schemars(length(min = 2, max = 2))]
    pub steps: Option<Vec<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Statistic over the window: at (the last step), mean, min, max, sum, count (steps with a non-zero value).
    #[schemars(extend("enum" = ["at", "mean", "min", "max", "sum", "count"]))]
    pub stat: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Comparison: <, <=, >, >= or between.
    #[schemars(extend("enum" = ["<", "<=", ">", ">=", "between"]))]
    pub op: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The value compared with; for `between`, [lo, hi].
    pub value: Option<RawObsValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// What was observed and where it is published. Required.
    pub source: Option<String>,
}

/// An observation's value: one number, or `[lo, hi]` for `between`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum RawObsValue {
    One(f64),
    Range(Vec<f64>),
}

/// `[[question]]`: a dated yes/no (or binned timing) question about a historical case, in the
/// observation vocabulary, with what happened and a reference-class base rate. Forecasts never
/// read `outcome`.
///
/// The observation keys are repeated here rather than `#[serde(flatten)]`ed from
/// [`RawObservation`]: serde cannot combine `flatten` with `deny_unknown_fields`, and every
/// unknown key must be reported. [`RawQuestion::as_observation`] hands them to the observation
/// checks and resolution, which are shared.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawQuestion {
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Identifier, unique in the case: lowercase letters, digits and `_`.
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The question in words.
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// As in `[[observation]]`: a timeseries metric or "events".
    #[schemars(extend("enum" = ["stance", "posture", "tone_sent", "tone_received", "forecast", "polarization", "cooperation", "cooperation_ma", "office_status", "events"]))]
    pub metric: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The actor of a per-actor metric; for events the sender (omitted: any).
    pub actor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// For events: the receiver (omitted: any).
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// For events: which events count (omitted: all).
    #[schemars(extend("enum" = ["verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict", "coercive"]))]
    pub class: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Window [first, last] of steps, inclusive (default: the whole run). A timing question's
    /// `last` is its last bin.
    #[schemars(length(min = 2, max = 2))]
    pub steps: Option<Vec<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Timing questions: the steps at which the categories end (increasing); one more category,
    /// "later", follows the last. E.g. [1, 4, 13, 52]: a week, a month, three months, a year.
    pub bins: Option<Vec<i64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Statistic over the window: at, mean, min, max, sum, count.
    #[schemars(extend("enum" = ["at", "mean", "min", "max", "sum", "count"]))]
    pub stat: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Comparison: <, <=, >, >= or between.
    #[schemars(extend("enum" = ["<", "<=", ">", ">=", "between"]))]
    pub op: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The value compared with; for `between`, [lo, hi].
    pub value: Option<RawObsValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// What happened: true or false; for a timing question the step at which it first held, or
    /// false if it had not by the last bin.
    pub outcome: Option<RawOutcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// What happened and when, and where it is published. Required.
    pub outcome_source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Reference-class frequency of yes in [0, 1]; for a timing question one probability per
    /// category (each bin, then "later"), summing to 1.
    pub base_rate: Option<RawObsValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The reference class and where its frequency comes from. Required.
    pub base_rate_source: Option<String>,
}

/// A question's outcome: yes/no, or the step at which a timing question's event first held.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum RawOutcome {
    Happened(bool),
    Step(i64),
}

impl RawQuestion {
    /// The observation the question asks about (its vocabulary is an observation's).
    pub fn as_observation(&self) -> RawObservation {
        RawObservation {
            metric: self.metric.clone(),
            actor: self.actor.clone(),
            target: self.target.clone(),
            class: self.class.clone(),
            steps: self.steps.clone(),
            stat: self.stat.clone(),
            op: self.op.clone(),
            value: self.value.clone(),
            source: self.outcome_source.clone(),
        }
    }
}
