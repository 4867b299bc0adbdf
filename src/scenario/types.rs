//! The resolved scenario: what the engine, the ensemble and the writers see. Every value here has
//! been checked; actors are referred to by [`ActorId`], not by name.

use crate::error::Diagnostic;
use crate::model::{Params, Status};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Index of an actor in [`Scenario::actors`] (defined with the model's vocabulary, which the
/// observations use too).
pub use crate::model::ActorId;

macro_rules! define_actor {
    ($($key:ident: $p:ident $(($d:expr))?, $bounds:ident($lo:expr, $hi:expr), $symbol:literal, $meaning:literal;)*) => {
        /// A resolved actor. Its numbers are those of
        /// `keys::for_each_actor_key!`, each checked and with its
        /// default put in (an optional key stays an `Option`).
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct Actor {
            pub id: String,
            pub name: String,
            $(
                #[doc = $meaning]
                pub $key: super::keys::key_type!($p),
            )*
            pub member_of: Vec<String>,
            pub source: String,
            /// Per-key provenance.
            pub sources: BTreeMap<String, String>,
        }
    };
}
super::keys::for_each_actor_key!(define_actor);

macro_rules! define_relation {
    ($($key:ident: $p:ident $(($d:expr))?, $bounds:ident($lo:expr, $hi:expr), $symbol:literal, $meaning:literal;)*) => {
        /// A resolved relation: `from`'s view of `to`. Its numbers are those of
        /// `keys::for_each_relation_key!`.
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct Relation {
            pub from: ActorId,
            pub to: ActorId,
            $(
                #[doc = $meaning]
                pub $key: super::keys::key_type!($p),
            )*
            pub source: String,
        }
    };
}
super::keys::for_each_relation_key!(define_relation);

/// Set or add.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Set(f64),
    Add(f64),
}

impl Op {
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Op::Set(v) => v,
            Op::Add(v) => x + v,
        }
    }
}

/// What a shock does.
#[derive(Debug, Clone, PartialEq)]
pub enum ShockAction {
    /// Current stance only; the FJ anchor pulls it back.
    Stance {
        actor: ActorId,
        op: Op,
    },
    /// Stance and its anchor s(0): a change of stated position.
    Position {
        actor: ActorId,
        op: Op,
    },
    /// `actor`'s view of `target` (the baseline A(0) is not moved).
    Affinity {
        actor: ActorId,
        target: ActorId,
        op: Op,
    },
    Posture {
        actor: ActorId,
        op: Op,
    },
    /// An injected event, with its reactions.
    Event {
        actor: ActorId,
        target: ActorId,
        code: usize,
    },
    /// Force the office status.
    Office {
        status: Status,
    },
}

/// A resolved shock. A conditional shock (`when`) applies `step` steps after the run's office
/// first reaches that status (0: in the same step, after the vote and the opening); otherwise
/// `step` is absolute. `every`/`until` are expanded into one shock per step when resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Shock {
    pub step: usize,
    pub when: Option<Status>,
    pub action: ShockAction,
    /// Visibility as news (0: not news): attention rises by news × salience.
    pub news: f64,
    pub source: String,
}

impl Shock {
    /// When the shock happens, in words: "6" (a step), or "when opened", "2 after approved".
    pub fn timing(&self) -> String {
        match self.when {
            None => self.step.to_string(),
            Some(w) if self.step == 0 => format!("when {}", w.name()),
            Some(w) => format!("{} after {}", self.step, w.name()),
        }
    }

    /// `what` (the shock in words) followed by its visibility when it is news.
    pub fn with_news(&self, what: String) -> String {
        if self.news != 0.0 {
            format!("{what}; news (visibility {})", self.news)
        } else {
            what
        }
    }
}

/// A resolved election (`[[election]]`): at `step` the government of `actor` turns over with
/// `probability`; a new government moves its stance and anchor by `stance` and its views of
/// others by `affinity` (both added, then clamped).
#[derive(Debug, Clone, PartialEq)]
pub struct Election {
    pub step: usize,
    pub actor: ActorId,
    pub probability: f64,
    pub stance: f64,
    pub affinity: Vec<(ActorId, f64)>,
    /// Visibility of a turnover as news (0: not news).
    pub news: f64,
    pub what: String,
    pub source: String,
}

/// The decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub body: String,
    pub host: ActorId,
    pub threshold: f64,
    pub first_vote: usize,
    pub vote_interval: usize,
    pub setup_steps: usize,
    /// Actors whose `member_of` holds `body`, and the body itself if it is an actor; in id order.
    pub members: Vec<ActorId>,
    /// The actor that proposes, bargains for and may shelve the decision: `proposer`, else the body
    /// if it is an actor, else the host.
    pub proposer: ActorId,
    /// What can be adopted instead when the proposal is shelved (e.g. a partnership programme).
    pub substitute: Option<String>,
    pub source: String,
}

impl Issue {
    /// Whether the body votes at step t.
    pub fn is_vote_step(&self, t: usize) -> bool {
        t >= self.first_vote && (t - self.first_vote).is_multiple_of(self.vote_interval)
    }
}

/// Parameter ranges for global sensitivity analysis (`[sensitivity]`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sensitivity {
    pub samples: usize,
    pub runs: usize,
    /// (--set key, min, max), in key order.
    pub ranges: Vec<(String, f64, f64)>,
    pub source: String,
}

/// A resolved, checked scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub title: String,
    pub description: String,
    /// The parent named by the file, kept for `show`.
    pub extends: Option<String>,
    pub steps: usize,
    pub step_unit: String,
    pub seed: u64,
    pub runs: usize,
    pub params: Params,
    pub issue: Issue,
    pub actors: Vec<Actor>,
    pub relations: Vec<Relation>,
    pub shocks: Vec<Shock>,
    pub elections: Vec<Election>,
    /// What was observed in the real record (`[[observation]]`), checked by every run.
    pub observations: Vec<crate::observe::Observation>,
    /// Dated questions with their outcomes (`[[question]]`, historical cases); runs never read them.
    pub questions: Vec<crate::observe::Question>,
    pub sensitivity: Sensitivity,
    /// Suspicious but legal input.
    pub warnings: Vec<Diagnostic>,
    /// Files read, leaf first.
    pub files: Vec<PathBuf>,
}

impl Scenario {
    /// Coercive events (Goldstein ≤ −7) the scenario's shocks inject within its steps: they
    /// happen in every run, so outputs that count what the model *drew* subtract them.
    pub fn injected_coercive(&self) -> usize {
        use crate::model::{CATALOGUE, COERCIVE};
        self.shocks
            .iter()
            .filter(|s| s.when.is_none() && s.step >= 1 && s.step <= self.steps)
            .filter(|s| {
                matches!(s.action, ShockAction::Event { code, .. } if CATALOGUE[code].goldstein <= COERCIVE)
            })
            .count()
    }

    pub fn actor_index(&self, id: &str) -> Option<ActorId> {
        self.actors
            .iter()
            .position(|a| a.id == id)
            .map(|i| ActorId(i as u16))
    }
}
