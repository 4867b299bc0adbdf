//! Observations: what actually happened, stated in a scenario (`[[observation]]`), and whether a
//! run reproduces it.
//!
//! It exists so that a scenario can be held against the record: every run checks its
//! observations (the `watch` module's `Checker`, an engine observer that keeps only the few
//! numbers each observation needs), ensembles count how often each held ([`ObsCounts`], exact and
//! mergeable across threads and shards), and `calibrate` turns "all held" into a likelihood.
//!
//! Semantics of one observation over its window of steps `[a, b]` (inclusive), where `x_t` is the
//! metric's value at step t (for `events`: the number of matching events stamped step t):
//! `at` = x_b, `mean` = Σx_t / (b − a + 1), `min`, `max`, `sum` = Σx_t, `count` = the number of
//! steps with x_t ≠ 0 (for events: steps with at least one). The statistic then passes the test
//! `< <= > >= value` or `between [lo, hi]` (both ends included).

pub mod question;

pub use question::{Answer, Question};

use crate::model::ActorId;
use crate::model::{EventClass, Metric, CATALOGUE, COERCIVE};
use serde::{Deserialize, Serialize};

/// The statistic of an observation over its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stat {
    At,
    Mean,
    Min,
    Max,
    Sum,
    Count,
}

impl Stat {
    pub const ALL: [Stat; 6] = [
        Stat::At,
        Stat::Mean,
        Stat::Min,
        Stat::Max,
        Stat::Sum,
        Stat::Count,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Stat::At => "at",
            Stat::Mean => "mean",
            Stat::Min => "min",
            Stat::Max => "max",
            Stat::Sum => "sum",
            Stat::Count => "count",
        }
    }

    pub fn parse(s: &str) -> Option<Stat> {
        Self::ALL.into_iter().find(|x| x.name() == s)
    }
}

/// The comparison a statistic must pass.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Test {
    Lt(f64),
    Le(f64),
    Gt(f64),
    Ge(f64),
    /// lo ≤ x ≤ hi.
    Between(f64, f64),
}

/// The operators of [`Test`], as written in files.
pub const OPS: [&str; 5] = ["<", "<=", ">", ">=", "between"];

impl Test {
    /// The test `op value` (`between` takes both ends).
    pub fn new(op: &str, lo: f64, hi: f64) -> Option<Test> {
        Some(match op {
            "<" => Test::Lt(lo),
            "<=" => Test::Le(lo),
            ">" => Test::Gt(lo),
            ">=" => Test::Ge(lo),
            "between" => Test::Between(lo, hi),
            _ => return None,
        })
    }

    pub fn holds(self, x: f64) -> bool {
        match self {
            Test::Lt(v) => x < v,
            Test::Le(v) => x <= v,
            Test::Gt(v) => x > v,
            Test::Ge(v) => x >= v,
            Test::Between(lo, hi) => lo <= x && x <= hi,
        }
    }

    pub fn op(self) -> &'static str {
        match self {
            Test::Lt(_) => "<",
            Test::Le(_) => "<=",
            Test::Gt(_) => ">",
            Test::Ge(_) => ">=",
            Test::Between(..) => "between",
        }
    }

    /// `< 2` or `between 0.1 and 0.5`.
    pub fn text(self) -> String {
        match self {
            Test::Lt(v) | Test::Le(v) | Test::Gt(v) | Test::Ge(v) => format!("{} {v}", self.op()),
            Test::Between(lo, hi) => format!("between {lo} and {hi}"),
        }
    }
}

/// Which events an `events` observation counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventFilter {
    /// Any event.
    Any,
    /// Events of one record class.
    Class(EventClass),
    /// Goldstein ≤ −7 ([`COERCIVE`]).
    Coercive,
}

/// Names of the `class` key.
pub const CLASSES: [&str; 5] = [
    "verbal_cooperation",
    "material_cooperation",
    "verbal_conflict",
    "material_conflict",
    "coercive",
];

impl EventFilter {
    pub fn parse(s: &str) -> Option<EventFilter> {
        if s == "coercive" {
            return Some(EventFilter::Coercive);
        }
        EventClass::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .map(EventFilter::Class)
    }

    pub fn name(self) -> &'static str {
        match self {
            EventFilter::Any => "any",
            EventFilter::Class(c) => c.name(),
            EventFilter::Coercive => "coercive",
        }
    }

    /// Whether catalogue code `code` passes.
    pub fn admits(self, code: usize) -> bool {
        match self {
            EventFilter::Any => true,
            EventFilter::Class(c) => CATALOGUE[code].class() == c,
            EventFilter::Coercive => CATALOGUE[code].goldstein <= COERCIVE,
        }
    }
}

/// What an observation watches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Observed {
    /// A timeseries metric; `actor` is set exactly for per-actor metrics.
    Series {
        metric: Metric,
        actor: Option<ActorId>,
    },
    /// Events from `actor` (any if None) to `target` (any if None) passing `class`.
    Events {
        actor: Option<ActorId>,
        target: Option<ActorId>,
        class: EventFilter,
    },
}

/// A resolved `[[observation]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub what: Observed,
    /// Window [a, b] of steps, inclusive, within the run.
    pub steps: (usize, usize),
    pub stat: Stat,
    pub test: Test,
    pub source: String,
}

/// How many runs of an ensemble held each observation, and all of them: integers, so merging
/// threads and shards is exact. Empty when the scenario has no observations.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObsCounts {
    /// Runs in which observation k held.
    pub held: Vec<u64>,
    /// Runs in which every observation held.
    pub all: u64,
}

impl ObsCounts {
    pub fn is_empty(&self) -> bool {
        self.held.is_empty()
    }

    /// Count one run's verdicts.
    pub fn add(&mut self, held: &[bool]) {
        if self.held.len() < held.len() {
            self.held.resize(held.len(), 0);
        }
        for (c, h) in self.held.iter_mut().zip(held) {
            *c += *h as u64;
        }
        self.all += held.iter().all(|h| *h) as u64;
    }

    /// Add another part's counts (exact, commutative).
    pub fn merge(&mut self, o: &ObsCounts) {
        if self.held.len() < o.held.len() {
            self.held.resize(o.held.len(), 0);
        }
        for (a, b) in self.held.iter_mut().zip(&o.held) {
            *a += b;
        }
        self.all += o.all;
    }

    /// Whether counts read back from disk fit an ensemble of `runs` runs of a scenario with
    /// `n` observations (never trusted: `merge` checks it).
    pub fn fits(&self, n: usize, runs: u64) -> bool {
        (self.held.len() == n || (self.held.is_empty() && runs == 0))
            && self.held.iter().all(|&c| c <= runs)
            && self.all <= self.held.iter().copied().min().unwrap_or(runs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_compare_as_written() {
        assert!(Test::Lt(2.0).holds(1.0) && !Test::Lt(2.0).holds(2.0));
        assert!(Test::Le(2.0).holds(2.0) && !Test::Le(2.0).holds(2.1));
        assert!(Test::Gt(2.0).holds(2.1) && !Test::Gt(2.0).holds(2.0));
        assert!(Test::Ge(2.0).holds(2.0) && !Test::Ge(2.0).holds(1.9));
        let b = Test::Between(-0.5, 0.5);
        assert!(b.holds(-0.5) && b.holds(0.5) && b.holds(0.0) && !b.holds(0.51));
        assert_eq!(
            Test::new("between", 1.0, 2.0),
            Some(Test::Between(1.0, 2.0))
        );
        assert_eq!(Test::new("=", 1.0, 1.0), None);
    }

    #[test]
    fn filters_follow_the_catalogue() {
        let code = |c: &str| crate::model::code_index(c).unwrap();
        assert!(EventFilter::Coercive.admits(code("150")));
        assert!(!EventFilter::Coercive.admits(code("111")));
        assert!(EventFilter::Class(EventClass::VerbalConflict).admits(code("111")));
        assert!(EventFilter::Any.admits(code("040")));
        for c in CLASSES {
            assert_eq!(EventFilter::parse(c).unwrap().name(), c);
        }
    }

    #[test]
    fn counts_merge_exactly() {
        let mut a = ObsCounts::default();
        a.add(&[true, false]);
        a.add(&[true, true]);
        let mut b = ObsCounts::default();
        b.add(&[false, true]);
        let mut m = ObsCounts::default();
        m.merge(&a);
        m.merge(&b);
        assert_eq!(m.held, vec![2, 2]);
        assert_eq!(m.all, 1);
        assert!(m.fits(2, 3));
        assert!(!m.fits(3, 3));
        assert!(!m.fits(2, 1));
    }
}
