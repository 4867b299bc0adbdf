//! Ensembles: many seeded runs of one scenario, aggregated as they stream by, in memory that does
//! not grow with the number of runs.
//!
//! Run r is seeded from (seed, r) alone ([`crate::engine::run_rng`]). Every statistic is kept as
//! integers — counts, exact histograms of the metrics whose values are multiples of 0.1 or 1
//! (the moving average as its window's sum), and for the others fixed-point sums (2⁻³², rounded
//! to nearest), each cell's exact minimum and maximum and histograms of logarithmic buckets
//! ([`cells::Cells`], one arena per metric) — so merging partial aggregates is exact and
//! order-free: `--threads 1`, `--threads 2` and any
//! `--shard` split merged give the same bytes. Step 0 is the same in every run (the scenario's
//! initial state) and is kept once, exactly.

pub mod cells;
mod check;
mod fixed;
mod runs;
pub mod shard;
pub mod sketch;
pub mod stats;

use crate::model::{Kind, Metric, Scope, Status, CATALOGUE};
use crate::observe::ObsCounts;
use cells::Cells;
use fixed::{i128_str, i128_vec, SCALE};
use serde::{Deserialize, Serialize};
use sketch::{Keys, KEY_MAX};

pub use runs::{run_range, run_range_checked, Interrupted, Models, CLAIM};

/// The counts of runs an ensemble keeps, the only list of them: `name: shape;` with its doc and
/// serde attributes. From it come [`Aggregate`]'s fields, their zeros in [`Aggregate::new`],
/// their sums in [`Aggregate::merge`] and their lengths in [`Aggregate::check`]. A shape is
/// `per_step` (steps 0..=steps), `per_actor`, `per_status` ([`Status::ALL`]), `per_code` (actor ×
/// target × code), `tally` (entry k counts the runs with k of something: as long as the largest
/// k seen) or `total` (one number).
macro_rules! for_each_count {
    ($then:ident) => {
        $then! {
            /// Runs with status ≥ approved / = opened at each step.
            approved_by_step: per_step;
            opened_by_step: per_step;
            /// Runs whose office opened at each step.
            opened_at: per_step;
            /// Runs whose office was approved at each step.
            approved_at: per_step;
            /// Runs ending in each status (proposed, postponed, approved, opened).
            status_at_end: per_status;
            /// Runs in which the body voted at each step.
            voted_at: per_step;
            /// Runs in which each actor blocked the last vote (office not approved at the end).
            blocked_at_end: per_actor;
            /// Runs shelved at each step.
            #[serde(default)]
            shelved_at: per_step;
            /// Runs in which the substitute was adopted.
            #[serde(default)]
            substitute: total;
            /// Runs in which the proposal was scaled down.
            #[serde(default)]
            scaled: total;
            /// Runs in which each actor was bought off by a side payment, made a concession (a
            /// compromise or giving way), and had its government turned over by an election.
            #[serde(default)]
            paid: per_actor;
            #[serde(default)]
            conceded: per_actor;
            #[serde(default)]
            turnover: per_actor;
            /// Runs with at least one coercive event, and by sender.
            coercive_any: total;
            coercive_by_actor: per_actor;
            coercive_events: total;
            /// Runs in which the model drew a coercive event, and the coercive events shocks
            /// injected over all runs (a conditional shock injects only in the runs that reach
            /// its status). Required in a shard file: one without them predates the count.
            coercive_drawn_any: total;
            coercive_injected: total;
            /// Runs by their number of coercive events (drawn and injected): entry k counts the
            /// runs with exactly k. A scenario's injected events happen in every run, so the runs
            /// with more than the injected count are those in which the model drew one.
            #[serde(default)]
            coercive_per_run: tally;
            /// Event counts by (actor, target, code).
            event_counts: per_code;
            events: total;
        }
    };
}

/// The Rust type of a count of [`for_each_count!`].
macro_rules! count_type {
    (total) => { u64 };
    ($shape:ident) => { Vec<u64> };
}

/// A count's zero for `n` actors and `steps` steps.
macro_rules! count_zero {
    (total, $n:expr, $steps:expr) => {
        0
    };
    (tally, $n:expr, $steps:expr) => {
        Vec::new()
    };
    ($shape:ident, $n:expr, $steps:expr) => {
        vec![0; count_len!($shape, $n, $steps)]
    };
}

/// A count's length for `n` actors and `steps` steps (`tally` and `total` have none).
macro_rules! count_len {
    (per_step, $n:expr, $steps:expr) => {
        $steps + 1
    };
    (per_actor, $n:expr, $steps:expr) => {
        $n
    };
    (per_status, $n:expr, $steps:expr) => {
        Status::ALL.len()
    };
    (per_code, $n:expr, $steps:expr) => {
        $n * $n * CATALOGUE.len()
    };
}

/// Add `b` into `a`.
macro_rules! count_merge {
    (total, $a:expr, $b:expr) => {
        $a += $b
    };
    (tally, $a:expr, $b:expr) => {{
        if $a.len() < $b.len() {
            $a.resize($b.len(), 0);
        }
        $a.iter_mut().zip(&$b).for_each(|(x, y)| *x += y)
    }};
    ($shape:ident, $a:expr, $b:expr) => {
        $a.iter_mut().zip(&$b).for_each(|(x, y)| *x += y)
    };
}

/// A count's length check: `Some((name, length, expected))` for a vector of fixed length.
macro_rules! count_check {
    (total, $name:ident, $v:expr, $n:expr, $steps:expr) => {
        None
    };
    (tally, $name:ident, $v:expr, $n:expr, $steps:expr) => {
        None
    };
    ($shape:ident, $name:ident, $v:expr, $n:expr, $steps:expr) => {
        Some((stringify!($name), $v.len(), count_len!($shape, $n, $steps)))
    };
}

macro_rules! define_aggregate {
    ($($(#[$attr:meta])* $name:ident: $shape:ident;)*) => {
        /// Streaming statistics of an ensemble (or of one shard of it).
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct Aggregate {
            pub n: usize,
            pub steps: usize,
            /// Steps of the cooperation index's moving average (the scenario's `ma_window`): its
            /// cells count the window's sum in tenths, exactly, divided by the window when read.
            pub ma_window: usize,
            /// Runs aggregated.
            pub runs: u64,
            /// Values of step 0 (the same in every run), by slot, as f64 bits; empty before the
            /// first run.
            step0: Vec<u64>,
            /// Step 0's cells, one per metric, when runs start from different states (`run
            /// --posterior`: each run's parameters are a posterior point, so its initial stances
            /// and postures differ); empty when every run starts alone from the scenario's state,
            /// kept in `step0`, which then stays empty.
            #[serde(default, skip_serializing_if = "Vec::is_empty")]
            start: Vec<Cells>,
            /// Per metric (in [`Metric::ALL`] order), its cells for steps 1..=steps.
            metrics: Vec<Cells>,
            $($(#[$attr])* pub $name: count_type!($shape),)*
            /// Σ final affinity per pair, fixed point.
            #[serde(with = "i128_vec")]
            affinity_sum: Vec<i128>,
            /// Σ over runs of the run's mean cooperation index, fixed point.
            #[serde(with = "i128_str")]
            coop_mean_sum: i128,
            /// Runs in which each `[[observation]]` held, and all of them (absent without
            /// observations).
            #[serde(default, skip_serializing_if = "ObsCounts::is_empty")]
            pub observed: ObsCounts,
        }

        impl Aggregate {
            pub fn new(n: usize, steps: usize, ma_window: usize) -> Aggregate {
                Aggregate {
                    n,
                    steps,
                    ma_window,
                    runs: 0,
                    step0: Vec::new(),
                    start: Vec::new(),
                    metrics: Metric::ALL
                        .iter()
                        .map(|&m| Cells::new(keys_of(m, n, ma_window), steps * width(m, n)))
                        .collect(),
                    $($name: count_zero!($shape, n, steps),)*
                    affinity_sum: vec![0; n * n],
                    coop_mean_sum: 0,
                    observed: ObsCounts::default(),
                }
            }

            /// Add another aggregate's counts.
            fn merge_counts(&mut self, o: &Aggregate) {
                $(count_merge!($shape, self.$name, o.$name);)*
            }

            /// Each count of fixed length: its name, length and the length it must have.
            fn count_lengths(&self) -> Vec<(&'static str, usize, usize)> {
                let (n, steps) = (self.n, self.steps);
                [$(count_check!($shape, $name, self.$name, n, steps),)*]
                    .into_iter()
                    .flatten()
                    .collect()
            }
        }
    };
}
for_each_count!(define_aggregate);

/// Mean, standard deviation and quantiles of one cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CellStats {
    pub mean: f64,
    /// Sample standard deviation (n − 1); 0 for one run.
    pub sd: f64,
    /// 5, 25, 50, 75, 95 %.
    pub q: [f64; 5],
    /// Smallest and largest value over the runs (every quantile lies between them).
    pub min: f64,
    pub max: f64,
}

/// The quantiles `ensemble.csv` reports.
pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

impl Aggregate {
    /// An aggregate of runs that need not start from the same state: step 0 is counted in cells,
    /// as the later steps are.
    pub fn with_varied_start(mut self) -> Aggregate {
        self.start = Metric::ALL
            .iter()
            .map(|&m| Cells::new(keys_of(m, self.n, self.ma_window), width(m, self.n)))
            .collect();
        self
    }

    /// Whether runs may start from different states ([`Aggregate::with_varied_start`]).
    pub fn varied_start(&self) -> bool {
        !self.start.is_empty()
    }

    fn slots_for(n: usize) -> usize {
        n * Metric::PER_ACTOR + Metric::REGION
    }

    /// Values per step: every actor's metrics, then the region's.
    pub fn slots(&self) -> usize {
        Self::slots_for(self.n)
    }

    /// Slot of `metric` for actor i within a step (its place in `ensemble.csv`'s rows).
    #[inline(always)]
    pub fn slot(&self, metric: Metric, i: usize) -> usize {
        match metric.scope() {
            Scope::Actor => i * Metric::PER_ACTOR + metric.position(),
            Scope::Region => self.n * Metric::PER_ACTOR + metric.position(),
        }
    }

    /// Statistics of `metric` at step t, for actor i (ignored for a region-wide metric).
    pub fn stats(&self, t: usize, metric: Metric, i: usize) -> CellStats {
        if t == 0 && self.varied_start() {
            let cells = &self.start[metric as usize];
            let cell = if metric.scope() == Scope::Actor { i } else { 0 };
            let div = self.divisor(metric, 0);
            let s = cells.summary(cell, div);
            return CellStats {
                mean: s.mean,
                sd: s.sd,
                q: cells.quantiles(cell, QUANTILES, div),
                min: s.min,
                max: s.max,
            };
        }
        if t == 0 {
            let x = self
                .step0
                .get(self.slot(metric, i))
                .map_or(f64::NAN, |&b| f64::from_bits(b));
            return CellStats {
                mean: x,
                sd: 0.0,
                q: [x; 5],
                min: x,
                max: x,
            };
        }
        let cells = &self.metrics[metric as usize];
        let cell =
            (t - 1) * width(metric, self.n) + if metric.scope() == Scope::Actor { i } else { 0 };
        let div = self.divisor(metric, t);
        let s = cells.summary(cell, div);
        CellStats {
            mean: s.mean,
            sd: s.sd,
            q: cells.quantiles(cell, QUANTILES, div),
            min: s.min,
            max: s.max,
        }
    }

    /// What a value of `metric` at step t ≥ 1 is multiplied by before it is counted (and its
    /// statistics divided by): the number of steps a moving average counted exactly spans
    /// (its window's sum is a multiple of 0.1), 1 otherwise.
    #[inline(always)]
    fn divisor(&self, metric: Metric, t: usize) -> u32 {
        match (metric.kind(), self.metrics[metric as usize].keys()) {
            (Kind::Average, Keys::Exact(_)) => {
                debug_assert_eq!(metric.scope(), Scope::Region);
                t.min(self.ma_window).max(1) as u32
            }
            _ => 1,
        }
    }

    /// How precise the quantiles of `metric` are: "exact" or a relative error bound.
    pub fn precision(&self, metric: Metric) -> &'static str {
        self.metrics[metric as usize].keys().precision()
    }

    /// Bytes of `metric`'s histograms (a measure of memory).
    pub fn arena_bytes(&self, metric: Metric) -> usize {
        self.metrics[metric as usize].arena_bytes()
    }

    /// Whether `o` starts from the same step 0 (or either has none yet).
    pub fn same_start(&self, o: &Aggregate) -> bool {
        self.step0.is_empty() || o.step0.is_empty() || self.step0 == o.step0
    }

    /// Add another aggregate (exact, commutative). Step 0 is taken from whichever has it (they
    /// agree: [`Aggregate::check`] verifies aggregates read from files).
    pub fn merge(&mut self, o: &Aggregate) {
        self.runs += o.runs;
        if self.step0.is_empty() {
            self.step0.clone_from(&o.step0);
        }
        for (a, b) in self.start.iter_mut().zip(&o.start) {
            a.merge(b);
        }
        for (a, b) in self.metrics.iter_mut().zip(&o.metrics) {
            a.merge(b);
        }
        self.merge_counts(o);
        for (a, b) in self.affinity_sum.iter_mut().zip(&o.affinity_sum) {
            *a += b;
        }
        self.coop_mean_sum += o.coop_mean_sum;
        self.observed.merge(&o.observed);
    }

    /// Mean final affinity matrix.
    pub fn mean_affinity(&self) -> Vec<f64> {
        self.affinity_sum
            .iter()
            .map(|&x| x as f64 / SCALE / self.runs as f64)
            .collect()
    }

    /// Mean over runs of each run's mean cooperation index.
    pub fn cooperation_mean(&self) -> f64 {
        self.coop_mean_sum as f64 / SCALE / self.runs as f64
    }
}

/// How `metric`'s values are keyed for `n` actors: exactly when they are multiples of 1/q (a
/// moving average of tenths as its window's sum, see [`divisor`]), unless the largest window sum
/// (|G| ≤ 10 on each of at most n² events a step, over `ma_window` steps) could pass the exact
/// keys' range: then logarithmic buckets.
fn keys_of(metric: Metric, n: usize, ma_window: usize) -> Keys {
    match metric.kind() {
        Kind::Average => {
            let most = 100.0 * (n as f64 * n as f64).max(1.0) * ma_window as f64;
            if most < KEY_MAX as f64 {
                Keys::Exact(10)
            } else {
                Keys::Log
            }
        }
        k => k.per_unit().map_or(Keys::Log, Keys::Exact),
    }
}

/// Cells of `metric` per step: one per actor or one for the region.
fn width(metric: Metric, n: usize) -> usize {
    match metric.scope() {
        Scope::Actor => n,
        Scope::Region => 1,
    }
}
