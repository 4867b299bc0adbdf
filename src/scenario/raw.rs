//! Raw serde types that mirror a scenario file exactly.
//!
//! Every field is optional here so that a file which `extends` another can patch only what it
//! names; required keys are checked when the inheritance chain is resolved. Nothing past
//! [`super::resolve`] sees these types.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One scenario file as written.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<RawMeta>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<RawModel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<RawIssue>,
    #[serde(default, rename = "actor", skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<RawActor>,
    #[serde(default, rename = "relation", skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<RawRelation>,
    #[serde(default, rename = "shock", skip_serializing_if = "Vec::is_empty")]
    pub shocks: Vec<RawShock>,
}

/// `[scenario]`: identity and run length.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs: Option<i64>,
}

/// `[model]`: every coefficient of the model's rules.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawModel {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beta: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kappa: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kappa_third: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kappa_posture: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kappa_open: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ally_threshold: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation_threshold: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub noise: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ma_window: Option<i64>,
}

/// `[issue]`: the decision and the body that takes it.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawIssue {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_vote: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vote_interval: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setup_steps: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// `[[actor]]`: a state, alliance or organisation.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawActor {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capability: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stance: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salience: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stubbornness: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posture: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reactivity: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fatigue: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grievance: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub self_weight: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_of: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Per-key provenance, e.g. `sources = { stance = "article ¶5: ..." }`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<BTreeMap<String, String>>,
}

/// `[[relation]]`: `from`'s view of `to`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawRelation {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub affinity: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub influence: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// `[[shock]]`: a change of the world at a step.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RawShock {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub set: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub add: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}
