//! Ensembles: many seeded runs of one scenario, aggregated as they stream by, in memory that does
//! not grow with the number of runs.
//!
//! Run r is seeded from (seed, r) alone ([`crate::engine::run_rng`]). Every statistic is kept as
//! integers — counts, and sums in fixed point (2⁻³² resolution) — and quantiles in a
//! [`sketch::Sketch`] of integer counts, so merging partial aggregates is exact and order-free:
//! `--threads 1`, `--threads 2` and any `--shard` split merged give the same bytes.

mod fixed;
pub mod shard;
pub mod sketch;
pub mod stats;

use crate::engine::{simulate, Compiled, Event, Observer, Outcome, StepView};
use crate::model::{CooperationMean, Metric, Reading, Scope, Status, CATALOGUE, COERCIVE};
use crate::observe::{Checker, ObsCounts, Observation};
use fixed::{fixed, i128_str, i128_vec, Acc, SCALE};
use serde::{Deserialize, Serialize};
use sketch::Sketch;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Streaming statistics of an ensemble (or of one shard of it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    pub n: usize,
    pub steps: usize,
    /// Runs aggregated.
    pub runs: u64,
    /// Per cell (step × slot): exact sums and a quantile sketch, side by side for locality.
    cells: Vec<(Acc, Sketch)>,
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
}

/// The quantiles `ensemble.csv` reports.
pub const QUANTILES: [f64; 5] = [0.05, 0.25, 0.5, 0.75, 0.95];

impl Aggregate {
    pub fn new(n: usize, steps: usize) -> Aggregate {
        let cells = (steps + 1) * Self::slots_for(n);
        Aggregate {
            n,
            steps,
            runs: 0,
            cells: vec![(Acc::default(), Sketch::default()); cells],
            approved_by_step: vec![0; steps + 1],
            opened_by_step: vec![0; steps + 1],
            opened_at: vec![0; steps + 1],
            approved_at: vec![0; steps + 1],
            status_at_end: vec![0; 4],
            voted_at: vec![0; steps + 1],
            blocked_at_end: vec![0; n],
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

    fn slots_for(n: usize) -> usize {
        n * Metric::PER_ACTOR + Metric::REGION
    }

    /// Values per step: every actor's metrics, then the region's.
    pub fn slots(&self) -> usize {
        Self::slots_for(self.n)
    }

    /// Cell of `metric` at step t, for actor i (ignored for a region-wide metric).
    #[inline(always)]
    pub fn cell_index(&self, t: usize, metric: Metric, i: usize) -> usize {
        let base = t * self.slots();
        match metric.scope() {
            Scope::Actor => base + i * Metric::PER_ACTOR + metric.position(),
            Scope::Region => base + self.n * Metric::PER_ACTOR + metric.position(),
        }
    }

    /// Statistics of `metric` at step t, for actor i (ignored for a region-wide metric).
    pub fn stats(&self, t: usize, metric: Metric, i: usize) -> CellStats {
        self.cell(self.cell_index(t, metric, i))
    }

    #[inline(always)]
    fn add(&mut self, cell: usize, x: f64) {
        let (acc, sketch) = &mut self.cells[cell];
        acc.add(x);
        sketch.add(x);
    }

    /// Add another aggregate (exact, commutative).
    pub fn merge(&mut self, o: &Aggregate) {
        self.runs += o.runs;
        for ((a, sa), (b, sb)) in self.cells.iter_mut().zip(&o.cells) {
            a.merge(b);
            sa.merge(sb);
        }
        let add = |a: &mut Vec<u64>, b: &Vec<u64>| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add(&mut self.approved_by_step, &o.approved_by_step);
        add(&mut self.opened_by_step, &o.opened_by_step);
        add(&mut self.opened_at, &o.opened_at);
        add(&mut self.approved_at, &o.approved_at);
        add(&mut self.status_at_end, &o.status_at_end);
        add(&mut self.voted_at, &o.voted_at);
        add(&mut self.blocked_at_end, &o.blocked_at_end);
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

    /// Statistics of one cell.
    pub fn cell(&self, cell: usize) -> CellStats {
        let n = self.runs as f64;
        let (s, s2) = self.cells[cell].0.sums();
        let mean = s / n;
        let sd = if self.runs > 1 {
            ((s2 - s * s / n) / (n - 1.0)).max(0.0).sqrt()
        } else {
            0.0
        };
        let sk = &self.cells[cell].1;
        CellStats {
            mean,
            sd,
            q: QUANTILES.map(|q| sk.quantile(q)),
        }
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

/// Feeds one run into an aggregate.
struct RunObserver<'a> {
    agg: &'a mut Aggregate,
    check: Checker<'a>,
    sent_coercive: Vec<bool>,
    coop: CooperationMean,
    keep_events: bool,
    events: Vec<Event>,
}

impl Observer for RunObserver<'_> {
    fn step(&mut self, v: &StepView) {
        let agg = &mut *self.agg;
        let t = v.step;
        for &m in Metric::ALL {
            match m.read(v) {
                Reading::Actors(xs) => {
                    for (i, &x) in xs.iter().enumerate().take(agg.n) {
                        agg.add(agg.cell_index(t, m, i), x);
                    }
                }
                Reading::Region(x) => agg.add(agg.cell_index(t, m, 0), x),
            }
        }
        if matches!(v.status, Status::Approved | Status::Opened) {
            agg.approved_by_step[t] += 1;
        }
        if v.status == Status::Opened {
            agg.opened_by_step[t] += 1;
        }
        self.coop.add(t, v.cooperation);
        self.check.step(v);
    }

    fn event(&mut self, e: &Event) {
        let n = self.agg.n;
        self.agg.event_counts[(e.actor.ix() * n + e.target.ix()) * CATALOGUE.len() + e.code] += 1;
        self.agg.events += 1;
        if e.goldstein() <= COERCIVE {
            self.sent_coercive[e.actor.ix()] = true;
        }
        if self.keep_events {
            self.events.push(*e);
        }
        self.check.event(e);
    }
}

/// Run `run` of the ensemble into `agg`; returns its outcome and, if asked, its events.
pub fn run_into(
    c: &Compiled,
    seed: u64,
    run: u64,
    agg: &mut Aggregate,
    keep_events: bool,
) -> (Outcome, Vec<Event>) {
    run_into_checked(c, &[], seed, run, agg, keep_events)
}

/// As [`run_into`], also counting which of `observations` held in the run.
pub fn run_into_checked(
    c: &Compiled,
    observations: &[Observation],
    seed: u64,
    run: u64,
    agg: &mut Aggregate,
    keep_events: bool,
) -> (Outcome, Vec<Event>) {
    let mut obs = RunObserver {
        check: Checker::new(observations),
        sent_coercive: vec![false; c.n],
        coop: CooperationMean::default(),
        keep_events,
        events: Vec::new(),
        agg,
    };
    let out = simulate(c, seed, run, &mut obs);
    let RunObserver {
        sent_coercive,
        coop,
        events,
        agg,
        check,
        ..
    } = obs;
    if !observations.is_empty() {
        let held: Vec<bool> = check.verdicts().iter().map(|v| v.held).collect();
        agg.observed.add(&held);
    }
    agg.runs += 1;
    if let Some(o) = out.opened_step {
        agg.opened_at[o] += 1;
    }
    if let Some(a) = out.approved_step {
        agg.approved_at[a] += 1;
    }
    agg.status_at_end[out.status as usize] += 1;
    for v in &out.votes {
        agg.voted_at[v.step] += 1;
    }
    if !matches!(out.status, Status::Approved | Status::Opened) {
        for b in &out.blockers {
            agg.blocked_at_end[b.ix()] += 1;
        }
    }
    if out.coercive_events > 0 {
        agg.coercive_any += 1;
    }
    agg.coercive_events += out.coercive_events as u64;
    if agg.coercive_per_run.len() <= out.coercive_events {
        agg.coercive_per_run.resize(out.coercive_events + 1, 0);
    }
    agg.coercive_per_run[out.coercive_events] += 1;
    for (i, s) in sent_coercive.iter().enumerate() {
        if *s {
            agg.coercive_by_actor[i] += 1;
        }
    }
    for (a, x) in agg.affinity_sum.iter_mut().zip(&out.final_affinity) {
        *a += fixed(*x) as i128;
    }
    agg.coop_mean_sum += fixed(coop.mean()) as i128;
    (out, events)
}

/// Why an ensemble stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

/// Runs `range` of the ensemble on the current rayon pool (call it inside `pool.install`). `on_run` is called after each run (for
/// progress); `cancel` is polled between runs. Run `first_events` (if in range) keeps its events,
/// as does every run when `all_events` — those come back in run order through `sink`, chunk by
/// chunk, so memory stays bounded.
pub fn run_range(
    c: &Compiled,
    seed: u64,
    range: std::ops::Range<u64>,
    all_events: bool,
    cancel: &AtomicBool,
    on_run: &(dyn Fn() + Sync),
    sink: &mut dyn FnMut(u64, &[Event]),
) -> Result<Aggregate, Interrupted> {
    run_range_checked(c, &[], seed, range, all_events, cancel, on_run, sink)
}

/// As [`run_range`], also counting in the aggregate how often each of `observations` held.
#[allow(clippy::too_many_arguments)]
pub fn run_range_checked(
    c: &Compiled,
    observations: &[Observation],
    seed: u64,
    range: std::ops::Range<u64>,
    all_events: bool,
    cancel: &AtomicBool,
    on_run: &(dyn Fn() + Sync),
    sink: &mut dyn FnMut(u64, &[Event]),
) -> Result<Aggregate, Interrupted> {
    // Each thread of the current rayon pool takes the next run from a shared counter into its own
    // aggregate (one per thread, so memory does not grow with the number of runs); the
    // aggregates are then merged, exactly. With `--events all` the range goes in chunks so that
    // only one chunk's events are held before they are written in run order.
    let chunk = if all_events { 4096 } else { u64::MAX };
    let mut total: Option<Aggregate> = None;
    let mut start = range.start;
    while start < range.end {
        let end = start.saturating_add(chunk).min(range.end);
        let next = AtomicU64::new(start);
        let parts = rayon::broadcast(|_| {
            let mut agg = Aggregate::new(c.n, c.steps);
            let mut evs = Vec::new();
            loop {
                let r = next.fetch_add(1, Ordering::Relaxed);
                if r >= end || cancel.load(Ordering::Relaxed) {
                    break;
                }
                let keep = all_events || r == 0;
                let (_, e) = run_into_checked(c, observations, seed, r, &mut agg, keep);
                if keep {
                    evs.push((r, e));
                }
                on_run();
            }
            (agg, evs)
        });
        if cancel.load(Ordering::Relaxed) {
            return Err(Interrupted);
        }
        let mut evs = Vec::new();
        for (agg, e) in parts {
            // The first part becomes the total: one aggregate fewer alive at the peak.
            match total.as_mut() {
                Some(t) => t.merge(&agg),
                None => total = Some(agg),
            }
            evs.extend(e);
        }
        evs.sort_by_key(|(r, _)| *r);
        for (r, e) in &evs {
            sink(*r, e);
        }
        start = end;
    }
    Ok(total.unwrap_or_else(|| Aggregate::new(c.n, c.steps)))
}
