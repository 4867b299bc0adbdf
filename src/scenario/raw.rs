//! Raw serde types that mirror a scenario file exactly.
//!
//! Every field is optional here so that a file which `extends` another can patch only what it
//! names; required keys are checked when the inheritance chain is resolved. Nothing past
//! `scenario::resolve` sees these types.

use crate::model::params::{for_each_param, ParamType, Params, RawValue, PARAM_COUNT, PARAM_SPECS};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod observations;
pub use observations::{RawObsValue, RawObservation, RawOutcome, RawQuestion};

/// One scenario file as written. A file that `extends` another names only what it changes.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    /// Identity and length of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<RawMeta>,
    /// Coefficients of the model's rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<RawModel>,
    /// The decision and the body that takes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<RawIssue>,
    /// States, alliances and organisations.
    #[serde(default, rename = "actor", skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<RawActor>,
    /// Directed affinities and influence weights.
    #[serde(default, rename = "relation", skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<RawRelation>,
    /// Changes of the world at a step.
    #[serde(default, rename = "shock", skip_serializing_if = "Vec::is_empty")]
    pub shocks: Vec<RawShock>,
    /// Elections and changes of leader: at a step, a government may turn over.
    #[serde(default, rename = "election", skip_serializing_if = "Vec::is_empty")]
    pub elections: Vec<RawElection>,
    /// What was observed in the real record, each with its source; every run checks them.
    #[serde(default, rename = "observation", skip_serializing_if = "Vec::is_empty")]
    pub observations: Vec<RawObservation>,
    /// Dated questions about what happened after t0, each with its outcome and a base rate
    /// (historical cases for `diplosim backtest`; a run never reads them).
    #[serde(default, rename = "question", skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<RawQuestion>,
    /// Parameter ranges for `diplosim sweep --method morris|sobol`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<RawSensitivity>,
}

/// `[sensitivity]`: which assumptions to vary, over which ranges, for global sensitivity analysis.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawSensitivity {
    /// Base sample size N (Sobol: N·(k+2) points; Morris: N/(k+1) trajectories, at least 4). Default 256.
    #[schemars(range(min = 8, max = 100000))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples: Option<i64>,
    /// Runs per sample point (each point uses the same seeds). Default 16.
    #[schemars(range(min = 1, max = 100000))]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs: Option<i64>,
    /// `"KEY" = [min, max]` for any `--set` key, e.g. `"actor.china.stubbornness" = [0.7, 1.0]`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ranges: Option<BTreeMap<String, Vec<f64>>>,
    /// Why these ranges.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// `[scenario]`: identity and run length.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Scenario name (default: the file stem): lowercase letters, digits, `_` and `-`; it names the output folder.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9_-]{0,63}$"))]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// One-line title shown in charts and `list`.
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The question the scenario asks and what it changes.
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Parent scenario (its name), found beside this file, then in `scenarios/`.
    pub extends: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Number of steps; a run reports steps 0..=steps. Default 104.
    #[schemars(range(min = 1, max = 10000))]
    pub steps: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Unit of a step, e.g. "week" (default).
    pub step_unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Seed of the random stream. Default 1.
    #[schemars(range(min = 0))]
    pub seed: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Runs; more than 1 makes an ensemble. Default 1.
    #[schemars(range(min = 1, max = 10000000))]
    pub runs: Option<i64>,
}

macro_rules! define_raw_model {
    ($($key:ident : $ty:ident = $default:literal, $kind:ident($lo:expr, $hi:expr), $doc:literal, $source:literal;)*) => {
        /// `[model]`: every coefficient of the model's rules, each optional (generated from
        /// `for_each_param!`; its JSON Schema comes from [`PARAM_SPECS`]).
        #[derive(Debug, Clone, Default, Deserialize, Serialize)]
        #[serde(deny_unknown_fields)]
        pub struct RawModel {
            $(
                #[doc = $doc]
                #[serde(skip_serializing_if = "Option::is_none")]
                pub $key: Option<<$ty as ParamType>::Raw>,
            )*
        }

        impl RawModel {
            /// The keys this table names, with their values as written, in [`PARAM_SPECS`] order.
            pub fn values(&self) -> [Option<RawValue>; PARAM_COUNT] {
                [$(self.$key.map(<$ty as ParamType>::raw_value),)*]
            }

            /// Every key explicit.
            pub fn from_params(p: &Params) -> Self {
                RawModel { $($key: Some(ParamType::to_raw(p.$key)),)* }
            }

            /// The defaults with the keys this table names put in.
            pub fn to_params(&self) -> Params {
                let mut p = Params::default();
                $(if let Some(v) = self.$key { p.$key = <$ty as ParamType>::from_raw(v); })*
                p
            }

            /// Take every key `over` names.
            pub fn patch(&mut self, over: &RawModel) {
                $(if over.$key.is_some() { self.$key = over.$key; })*
            }
        }
    };
}
for_each_param!(define_raw_model);

/// `text` with its first letter in upper case (a schema description is a sentence).
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

impl JsonSchema for RawModel {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "RawModel".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut props = serde_json::Map::new();
        for p in &PARAM_SPECS {
            let num = |x: f64| -> serde_json::Value {
                if p.integer {
                    (x as i64).into()
                } else {
                    x.into()
                }
            };
            let mut s = serde_json::Map::new();
            s.insert(
                "description".into(),
                format!(
                    "{}. Default {} ({}).",
                    capitalized(p.doc),
                    p.default,
                    p.source
                )
                .into(),
            );
            let (ty, format) = if p.integer {
                ("integer", "int64")
            } else {
                ("number", "double")
            };
            s.insert("type".into(), serde_json::json!([ty, "null"]));
            s.insert("format".into(), format.into());
            let low = if p.bounds.open_low {
                "exclusiveMinimum"
            } else {
                "minimum"
            };
            s.insert(low.into(), num(p.bounds.min));
            s.insert("maximum".into(), num(p.bounds.max));
            props.insert(p.key.into(), s.into());
        }
        schemars::json_schema!({
            "description": "`[model]`: every coefficient of the model's rules.",
            "type": "object",
            "properties": props,
            "additionalProperties": false
        })
    }
}

/// `[issue]`: the decision and the body that takes it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawIssue {
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The deciding body, e.g. "nato"; its members are actors whose member_of holds it, and the body itself if it is an actor.
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Actor id of the host.
    pub host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Stance at or above which a member consents. Default 0.0.
    #[schemars(range(min = -1.0, max = 1.0))]
    pub threshold: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Step of the first vote. Default 1.
    #[schemars(range(min = 1, max = 10000))]
    pub first_vote: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Steps between votes while postponed. Default 4.
    #[schemars(range(min = 1, max = 10000))]
    pub vote_interval: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Steps from approval to opening. Default 0.
    #[schemars(range(min = 0, max = 10000))]
    pub setup_steps: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Actor id of the proposer, which bargains for the decision and may shelve it. Default: the
    /// body if it is an actor, else the host.
    pub proposer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// What can be adopted instead when the proposal is shelved, e.g. "partnership programme"
    /// (omitted: nothing).
    pub substitute: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Provenance of the issue's numbers.
    pub source: Option<String>,
}

macro_rules! define_raw_actor {
    ($($key:ident: $p:ident $(($d:expr))?, $bounds:ident($lo:expr, $hi:expr), $symbol:literal, $meaning:literal;)*) => {
        // Its numbers are the lines of `keys::for_each_actor_key!`; the JSON Schema takes
        // their ranges and meanings from `keys::ACTOR_KEYS` (`cli::schema`).
        /// `[[actor]]`: a state, alliance or organisation.
        #[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct RawActor {
            #[serde(skip_serializing_if = "Option::is_none")]
            /// Actor id: [a-z][a-z0-9_]*. Required.
            #[schemars(regex(pattern = r"^[a-z][a-z0-9_]{0,31}$"))]
            pub id: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            /// Display name. Required for a new actor.
            pub name: Option<String>,
            $(
                #[serde(skip_serializing_if = "Option::is_none")]
                #[doc = $meaning]
                pub $key: Option<f64>,
            )*
            #[serde(skip_serializing_if = "Option::is_none")]
            /// Bodies the actor belongs to, e.g. ["nato"].
            pub member_of: Option<Vec<String>>,
            #[serde(skip_serializing_if = "Option::is_none")]
            /// Provenance: "article ¶N: ..." or "assumption: ...". Required for a new actor.
            pub source: Option<String>,
            /// Per-key provenance, e.g. `sources = { stance = "article ¶5: ..." }`.
            #[serde(skip_serializing_if = "Option::is_none")]
            pub sources: Option<BTreeMap<String, String>>,
        }
    };
}
super::keys::for_each_actor_key!(define_raw_actor);

macro_rules! define_raw_relation {
    ($($key:ident: $p:ident $(($d:expr))?, $bounds:ident($lo:expr, $hi:expr), $symbol:literal, $meaning:literal;)*) => {
        // Its numbers are the lines of `keys::for_each_relation_key!`.
        /// `[[relation]]`: `from`'s view of `to`.
        #[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        pub struct RawRelation {
            #[serde(skip_serializing_if = "Option::is_none")]
            /// Actor holding the view.
            pub from: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            /// Actor viewed.
            pub to: Option<String>,
            $(
                #[serde(skip_serializing_if = "Option::is_none")]
                #[doc = $meaning]
                pub $key: Option<f64>,
            )*
            #[serde(skip_serializing_if = "Option::is_none")]
            /// Provenance: "article ¶N: ..." or "assumption: ...". Required.
            pub source: Option<String>,
        }
    };
}
super::keys::for_each_relation_key!(define_raw_relation);

/// `[[shock]]`: a change of the world at a step.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawShock {
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Step at which the shock applies (after the rules of that step); with `when`, the steps
    /// after the office first reaches that status (0: the same step).
    #[schemars(range(min = 0, max = 10000))]
    pub step: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Repeat the shock every this many steps from `step` (through `until`, else the last step).
    #[schemars(range(min = 1, max = 10000))]
    pub every: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The last step a repeated shock may fall on (needs `every`).
    #[schemars(range(min = 1, max = 10000))]
    pub until: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Apply the shock only in runs where the office reaches this status (postponed, approved,
    /// opened or shelved), `step` steps after it first does.
    #[schemars(extend("enum" = ["postponed", "approved", "opened", "shelved"]))]
    pub when: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// stance, position, affinity, posture, event or office.
    #[schemars(extend("enum" = ["stance", "position", "affinity", "posture", "event", "office"]))]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The actor (for affinity: the one holding the view; for event: the sender).
    pub actor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// For affinity: the actor viewed; for event: the receiver.
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Value to set (stance, position, affinity, posture).
    pub set: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Value to add (stance, position, affinity, posture).
    pub add: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// For event: a CAMEO code of the catalogue, e.g. "150".
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// For office: proposed, postponed, approved, opened or shelved.
    #[schemars(extend("enum" = ["proposed", "postponed", "approved", "opened", "shelved"]))]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The shock is news with this visibility in [0, 10] (the proposal's announcement is 1):
    /// every actor's attention to the issue rises by visibility × its salience (docs/model.md).
    /// Omitted: 0, not news.
    #[schemars(range(min = 0.0, max = 10.0))]
    pub news: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Provenance of the shock.
    pub source: Option<String>,
}

/// `[[election]]`: an election or change of leader that may turn a government over.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawElection {
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Step of the election (its result takes effect after the rules and shocks of that step).
    #[schemars(range(min = 1, max = 10000))]
    pub step: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The actor whose government may turn over.
    pub actor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Probability of turnover in [0, 1], from polls or an incumbency base rate. Required.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub probability: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// What a new government does to the actor's stance and its anchor (added). Default 0.
    #[schemars(range(min = -2.0, max = 2.0))]
    pub stance: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// What a new government does to the actor's views of others (added to A and A(0)), e.g.
    /// `affinity = { china = 0.2 }`.
    pub affinity: Option<BTreeMap<String, f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Visibility of a turnover as news in [0, 10] (omitted: 0).
    #[schemars(range(min = 0.0, max = 10.0))]
    pub news: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// The election in words, e.g. "US presidential election".
    pub what: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Where the probability and the changes come from. Required.
    pub source: Option<String>,
}
