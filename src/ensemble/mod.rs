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
pub mod shard;
pub mod sketch;
pub mod stats;

use crate::engine::chacha::WideRng;
use crate::engine::{
    run_rng, simulate_in, Compiled, DealKind, Event, Observer, Outcome, StepView, Workspace,
};
use crate::model::{CooperationMean, Kind, Metric, Reading, Scope, Status, CATALOGUE, COERCIVE};
use crate::observe::{Checker, ObsCounts, Observation};
use cells::Cells;
use fixed::{fixed, i128_str, i128_vec, SCALE};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sketch::{Keys, KEY_MAX};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

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

/// The step values of the last few runs of one thread, before they go into the histograms:
/// adding a batch of runs visits each cell's histogram once instead of once per run
/// ([`Cells::add_runs`], which keeps a continuous cell's extremes and sums in registers over the
/// batch). Each run's values lie together, in cell order, so that a step writes a few contiguous
/// stretches (not one value every `batch` entries: that was most of the program's D1 write
/// misses) and a flush reads one forward stream per buffered run.
///
/// The buffer holds 2 MiB (61 runs of the baseline's 9 actors and 104 steps, fewer for larger
/// scenarios, at most 64). Measured on the 2-core machine (L2 2 MiB a core), baseline, 100,000
/// runs on 2 threads, five alternating passes: 256 KiB took 4.08–4.70 s, 2 MiB 3.91–4.51 s;
/// at 1 thread 1 and 4 MiB were no faster than 2 MiB. Earlier cachegrind counts (2 MiB
/// simulated last level) had favoured 256 KiB on instructions and misses; the wall clock does
/// not. A value-per-`batch`-entries (cell-major) layout was tried as well and was no faster.
/// The counts, extremes and fixed-point sums do not depend on the order values are added in, so
/// batching changes no output.
pub(crate) struct Pending {
    /// `values[r * cells + first[m] + cell]`: the value of `cell` of metric m in buffered run r.
    values: Vec<f64>,
    first: Vec<usize>,
    /// Cells of all metrics: the values of one run.
    cells: usize,
    batch: usize,
    runs: usize,
}

/// Bytes of buffered values per thread (a target: at least one run is buffered).
const PENDING_BYTES: usize = 1 << 21;

impl Pending {
    pub(crate) fn new(agg: &Aggregate) -> Pending {
        let mut first = Vec::with_capacity(Metric::ALL.len());
        let mut cells = 0;
        for c in &agg.metrics {
            first.push(cells);
            cells += c.len();
        }
        let batch = (PENDING_BYTES / 8 / cells.max(1)).clamp(1, 64);
        Pending {
            values: vec![0.0; cells * batch],
            first,
            cells,
            batch,
            runs: 0,
        }
    }

    /// Add the buffered runs to `agg` (before it is read, merged or written).
    pub(crate) fn flush(&mut self, agg: &mut Aggregate) {
        let r = self.runs;
        if r == 0 {
            return;
        }
        for (m, cells) in agg.metrics.iter_mut().enumerate() {
            let first = self.first[m];
            cells.add_runs(&self.values[first..], self.cells, r, 0..cells.len());
        }
        self.runs = 0;
    }
}

/// Feeds one run into an aggregate (its step values through `pending`).
struct RunObserver<'a> {
    agg: &'a mut Aggregate,
    pending: &'a mut Pending,
    check: Checker<'a>,
    /// The scenario has observations to check (the call per event is skipped without).
    checking: bool,
    sent_coercive: Vec<bool>,
    coop: CooperationMean,
    keep_events: bool,
    events: Vec<Event>,
}

impl Observer for RunObserver<'_> {
    fn step(&mut self, v: &StepView) {
        let agg = &mut *self.agg;
        let t = v.step;
        if t == 0 && agg.varied_start() {
            // Initial states that differ by run: counted as the later steps are.
            let n = agg.n;
            for &m in Metric::ALL {
                let div = agg.divisor(m, 0) as f64;
                let cells = &mut agg.start[m as usize];
                match m.read(v) {
                    Reading::Actors(xs) => cells.add_runs(&xs[..n], n, 1, 0..n),
                    Reading::Region(x) => cells.add_runs(&[x * div], 1, 1, 0..1),
                }
            }
        } else if t == 0 {
            // The initial state: the same in every run, kept once.
            if agg.step0.is_empty() {
                agg.step0 = vec![0; agg.slots()];
                for &m in Metric::ALL {
                    match m.read(v) {
                        Reading::Actors(xs) => {
                            for (i, &x) in xs.iter().enumerate().take(agg.n) {
                                let slot = agg.slot(m, i);
                                agg.step0[slot] = x.to_bits();
                            }
                        }
                        Reading::Region(x) => {
                            let slot = agg.slot(m, 0);
                            agg.step0[slot] = x.to_bits();
                        }
                    }
                }
            }
        } else {
            let p = &mut *self.pending;
            let n = agg.n;
            let run = &mut p.values[p.runs * p.cells..][..p.cells];
            for &m in Metric::ALL {
                let first = p.first[m as usize];
                match m.read(v) {
                    Reading::Actors(xs) => {
                        let at = first + (t - 1) * n;
                        run[at..at + n].copy_from_slice(&xs[..n]);
                    }
                    Reading::Region(x) => {
                        run[first + t - 1] = x * agg.divisor(m, t) as f64;
                    }
                }
            }
        }
        if matches!(v.status, Status::Approved | Status::Opened) {
            agg.approved_by_step[t] += 1;
        }
        if v.status == Status::Opened {
            agg.opened_by_step[t] += 1;
        }
        self.coop.add(t, v.cooperation);
        if self.checking {
            self.check.step(v);
        }
    }

    #[inline]
    fn event(&mut self, e: &Event) {
        let n = self.agg.n;
        self.agg.event_counts[(e.actor.ix() * n + e.target.ix()) * CATALOGUE.len() + e.code] += 1;
        self.agg.events += 1;
        // `|=` rather than a branch on whether the code is coercive.
        self.sent_coercive[e.actor.ix()] |= e.goldstein() <= COERCIVE;
        if self.keep_events {
            self.events.push(*e);
        }
        if self.checking {
            self.check.event(e);
        }
    }
}

/// The run drawn from `rng` (the ensemble's [`run_rng`]) into `agg` (its step values into
/// `pending`, flushed into `agg` when full; flush it before `agg` is read), in the vectors of the
/// thread's `ws`; returns its outcome and, if asked, its events.
/// Also counts which of `observations` held in the run.
fn run_into<R: Rng>(
    c: &Compiled,
    observations: &[Observation],
    rng: &mut R,
    agg: &mut Aggregate,
    pending: &mut Pending,
    ws: &mut Workspace,
    keep_events: bool,
) -> (Outcome, Vec<Event>) {
    let mut obs = RunObserver {
        check: Checker::new(observations),
        checking: !observations.is_empty(),
        sent_coercive: vec![false; c.n],
        coop: CooperationMean::default(),
        keep_events,
        events: Vec::new(),
        agg,
        pending,
    };
    let out = simulate_in(c, rng, &mut obs, ws);
    let RunObserver {
        sent_coercive,
        coop,
        events,
        agg,
        pending,
        check,
        ..
    } = obs;
    pending.runs += 1;
    if pending.runs == pending.batch {
        pending.flush(agg);
    }
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
    agg.status_at_end[out.status.index()] += 1;
    if let Some(t) = out.shelved_step {
        agg.shelved_at[t] += 1;
    }
    agg.substitute += u64::from(out.substitute_step.is_some());
    agg.scaled += u64::from(out.scope < 1.0);
    let mut paid = vec![false; agg.n];
    let mut conceded = vec![false; agg.n];
    for d in &out.deals {
        match d.kind {
            DealKind::Payment => paid[d.actor.ix()] = true,
            DealKind::Compromise | DealKind::GivesWay => conceded[d.actor.ix()] = true,
            DealKind::ScaleDown => {}
        }
    }
    let mut turned = vec![false; agg.n];
    for &(_, a) in &out.turnovers {
        turned[a.ix()] = true;
    }
    for i in 0..agg.n {
        agg.paid[i] += u64::from(paid[i]);
        agg.conceded[i] += u64::from(conceded[i]);
        agg.turnover[i] += u64::from(turned[i]);
    }
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

/// Most runs a thread of an ensemble claims at once, and reports at once to its progress: one
/// atomic add on the line every thread writes, and one progress update, per 16 runs rather than
/// per run. Fewer when the range is short (at most a 64th of a thread's share), so that the
/// threads still end together when runs are few and slow (40 runs of 200 actors). Which thread
/// runs which run does not change the output: aggregates merge exactly, and kept events are
/// sorted by run.
pub const CLAIM: u64 = 16;

/// Why an ensemble stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

/// What an ensemble's runs simulate: one compiled scenario, or (`run --posterior DIR`) one of a
/// calibration's posterior points, drawn for each run by weight from a stream keyed by
/// (seed, run) ([`crate::calibrate::draws::Draws::pick`]). Every point has the same actors and
/// steps.
pub enum Models<'a> {
    One(&'a Compiled),
    Posterior {
        draws: &'a crate::calibrate::draws::Draws,
        /// One per point of `draws`, in its order.
        compiled: &'a [Compiled],
    },
}

impl Models<'_> {
    /// The compiled scenario of run `r`.
    fn of_run(&self, seed: u64, r: u64) -> &Compiled {
        match self {
            Models::One(c) => c,
            Models::Posterior { draws, compiled } => &compiled[draws.pick(seed, r)],
        }
    }

    /// An empty aggregate for their runs: posterior points start from different states.
    pub fn aggregate(&self) -> Aggregate {
        let c = self.any();
        let agg = Aggregate::new(c.n, c.steps, c.ma_window());
        match self {
            Models::One(_) => agg,
            Models::Posterior { .. } => agg.with_varied_start(),
        }
    }

    /// Any of them (they share actors, steps and the moving average's window).
    fn any(&self) -> &Compiled {
        match self {
            Models::One(c) => c,
            Models::Posterior { compiled, .. } => &compiled[0],
        }
    }
}

/// Runs `range` of the ensemble on the current rayon pool (call it inside `pool.install`).
/// `on_runs(k)` reports k more runs done (for progress, every [`CLAIM`] runs or fewer);
/// `cancel` is polled between runs. Run `first_events` (if in range) keeps its events,
/// as does every run when `all_events` — those come back in run order through `sink`, chunk by
/// chunk, so memory stays bounded.
pub fn run_range(
    c: &Compiled,
    seed: u64,
    range: std::ops::Range<u64>,
    all_events: bool,
    cancel: &AtomicBool,
    on_runs: &(dyn Fn(u64) + Sync),
    sink: &mut dyn FnMut(u64, &[Event]),
) -> Result<Aggregate, Interrupted> {
    run_range_checked(
        &Models::One(c),
        &[],
        seed,
        range,
        all_events,
        cancel,
        on_runs,
        sink,
    )
}

/// As [`run_range`], also counting in the aggregate how often each of `observations` held.
#[allow(clippy::too_many_arguments)]
pub fn run_range_checked(
    models: &Models,
    observations: &[Observation],
    seed: u64,
    range: std::ops::Range<u64>,
    all_events: bool,
    cancel: &AtomicBool,
    on_runs: &(dyn Fn(u64) + Sync),
    sink: &mut dyn FnMut(u64, &[Event]),
) -> Result<Aggregate, Interrupted> {
    // Each thread of the current rayon pool takes the next runs (up to [`CLAIM`] at a time)
    // from a shared counter into its own aggregate (one per thread, so memory does not grow with
    // the number of runs); the aggregates are then merged, exactly. With `--events all` the
    // range goes in chunks so that only one chunk's events are held before they are written in
    // run order.
    let chunk = if all_events { 4096 } else { u64::MAX };
    let mut total: Option<Aggregate> = None;
    let mut start = range.start;
    while start < range.end {
        let end = start.saturating_add(chunk).min(range.end);
        let next = AtomicU64::new(start);
        let threads = rayon::current_num_threads() as u64;
        let claim = ((end - start) / (64 * threads)).clamp(1, CLAIM);
        let parts = rayon::broadcast(|_| {
            let mut agg = models.aggregate();
            let mut pending = Pending::new(&agg);
            let mut ws = Workspace::default();
            let mut evs = Vec::new();
            'claims: loop {
                // Overshoots `end` by at most a claim per thread: runs are far below 2⁶⁴.
                let first = next.fetch_add(claim, Ordering::Relaxed);
                if first >= end {
                    break;
                }
                let mut done = 0;
                for r in first..(first + claim).min(end) {
                    if cancel.load(Ordering::Relaxed) {
                        break 'claims;
                    }
                    let keep = all_events || r == 0;
                    let c = models.of_run(seed, r);
                    let mut rng = run_rng(seed, r);
                    // The same stream, sixteen blocks a refill where the CPU has AVX-512.
                    let (_, e) = match WideRng::new(&rng) {
                        Some(mut wide) => run_into(
                            c,
                            observations,
                            &mut wide,
                            &mut agg,
                            &mut pending,
                            &mut ws,
                            keep,
                        ),
                        None => run_into(
                            c,
                            observations,
                            &mut rng,
                            &mut agg,
                            &mut pending,
                            &mut ws,
                            keep,
                        ),
                    };
                    if keep {
                        evs.push((r, e));
                    }
                    done += 1;
                }
                on_runs(done);
            }
            pending.flush(&mut agg);
            drop(pending);
            agg.metrics.iter_mut().for_each(Cells::shrink);
            agg.start.iter_mut().for_each(Cells::shrink);
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
    Ok(total.unwrap_or_else(|| models.aggregate()))
}
