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

/// Streaming statistics of an ensemble (or of one shard of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    pub n: usize,
    pub steps: usize,
    /// Steps of the cooperation index's moving average (the scenario's `ma_window`): its cells
    /// count the window's sum in tenths, exactly, divided by the window when read.
    pub ma_window: usize,
    /// Runs aggregated.
    pub runs: u64,
    /// Values of step 0 (the same in every run), by slot, as f64 bits; empty before the first run.
    step0: Vec<u64>,
    /// Step 0's cells, one per metric, when runs start from different states (`run --posterior`:
    /// each run's parameters are a posterior point, so its initial stances and postures differ);
    /// empty when every run starts alone from the scenario's state, kept in `step0`, which then
    /// stays empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    start: Vec<Cells>,
    /// Per metric (in [`Metric::ALL`] order), its cells for steps 1..=steps.
    metrics: Vec<Cells>,
    /// Runs with status ≥ approved / = opened at each step.
    pub approved_by_step: Vec<u64>,
    pub opened_by_step: Vec<u64>,
    /// Runs whose office opened at each step.
    pub opened_at: Vec<u64>,
    /// Runs whose office was approved at each step.
    pub approved_at: Vec<u64>,
    /// Runs ending in each status (proposed, postponed, approved, opened).
    pub status_at_end: Vec<u64>,
    /// Runs in which the body voted at each step.
    pub voted_at: Vec<u64>,
    /// Runs in which each actor blocked the last vote (office not approved at the end).
    pub blocked_at_end: Vec<u64>,
    /// Runs shelved at each step.
    #[serde(default)]
    pub shelved_at: Vec<u64>,
    /// Runs in which the substitute was adopted.
    #[serde(default)]
    pub substitute: u64,
    /// Runs in which the proposal was scaled down.
    #[serde(default)]
    pub scaled: u64,
    /// Runs in which each actor was bought off by a side payment, made a concession (a
    /// compromise or giving way), and had its government turned over by an election.
    #[serde(default)]
    pub paid: Vec<u64>,
    #[serde(default)]
    pub conceded: Vec<u64>,
    #[serde(default)]
    pub turnover: Vec<u64>,
    /// Runs with at least one coercive event, and by sender.
    pub coercive_any: u64,
    pub coercive_by_actor: Vec<u64>,
    pub coercive_events: u64,
    /// Runs by their number of coercive events (drawn and injected): entry k counts the runs
    /// with exactly k. A scenario's injected events happen in every run, so the runs with more
    /// than the injected count are those in which the model drew one.
    #[serde(default)]
    pub coercive_per_run: Vec<u64>,
    /// Event counts by (actor, target, code).
    pub event_counts: Vec<u64>,
    pub events: u64,
    /// Σ final affinity per pair, fixed point.
    #[serde(with = "i128_vec")]
    affinity_sum: Vec<i128>,
    /// Σ over runs of the run's mean cooperation index, fixed point.
    #[serde(with = "i128_str")]
    coop_mean_sum: i128,
    /// Runs in which each `[[observation]]` held, and all of them (absent without observations).
    #[serde(default, skip_serializing_if = "ObsCounts::is_empty")]
    pub observed: ObsCounts,
}

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
            approved_by_step: vec![0; steps + 1],
            opened_by_step: vec![0; steps + 1],
            opened_at: vec![0; steps + 1],
            approved_at: vec![0; steps + 1],
            status_at_end: vec![0; Status::ALL.len()],
            voted_at: vec![0; steps + 1],
            blocked_at_end: vec![0; n],
            shelved_at: vec![0; steps + 1],
            substitute: 0,
            scaled: 0,
            paid: vec![0; n],
            conceded: vec![0; n],
            turnover: vec![0; n],
            coercive_any: 0,
            coercive_by_actor: vec![0; n],
            coercive_events: 0,
            coercive_per_run: Vec::new(),
            event_counts: vec![0; n * n * CATALOGUE.len()],
            events: 0,
            affinity_sum: vec![0; n * n],
            coop_mean_sum: 0,
            observed: ObsCounts::default(),
        }
    }

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
        let add = |a: &mut Vec<u64>, b: &Vec<u64>| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.approved_by_step, &o.approved_by_step);
        add(&mut self.opened_by_step, &o.opened_by_step);
        add(&mut self.opened_at, &o.opened_at);
        add(&mut self.approved_at, &o.approved_at);
        add(&mut self.status_at_end, &o.status_at_end);
        add(&mut self.voted_at, &o.voted_at);
        add(&mut self.blocked_at_end, &o.blocked_at_end);
        add(&mut self.shelved_at, &o.shelved_at);
        add(&mut self.paid, &o.paid);
        add(&mut self.conceded, &o.conceded);
        add(&mut self.turnover, &o.turnover);
        self.substitute += o.substitute;
        self.scaled += o.scaled;
        add(&mut self.coercive_by_actor, &o.coercive_by_actor);
        add(&mut self.event_counts, &o.event_counts);
        self.coercive_any += o.coercive_any;
        self.coercive_events += o.coercive_events;
        if self.coercive_per_run.len() < o.coercive_per_run.len() {
            self.coercive_per_run.resize(o.coercive_per_run.len(), 0);
        }
        add(&mut self.coercive_per_run, &o.coercive_per_run);
        self.events += o.events;
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
