//! Running an ensemble: each thread's runs fed into its own [`Aggregate`] through a buffer
//! ([`Pending`]), a run's observer ([`RunObserver`]) and outcome ([`run_into`]), what the runs
//! simulate ([`Models`]) and the parallel loop over a range of runs ([`run_range_checked`]).

use super::cells::Cells;
use super::fixed::fixed;
use super::Aggregate;
use crate::engine::{
    simulate_seeded, Compiled, DealKind, Event, Observer, Outcome, StepView, Workspace,
};
use crate::model::{CooperationMean, Metric, Reading, Status, CATALOGUE, COERCIVE};
use crate::observe::Observation;
use crate::watch::Checker;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

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
fn run_into(
    c: &Compiled,
    (seed, run): (u64, u64),
    observations: &[Observation],
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
    let out = simulate_seeded(c, seed, run, &mut obs, ws);
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
    agg.coercive_drawn_any += u64::from(out.coercive_events > out.injected_coercive);
    agg.coercive_injected += out.injected_coercive as u64;
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
/// (seed, run) (a calibration's `Draws::pick`). Every point has the same actors and
/// steps.
pub enum Models<'a> {
    One(&'a Compiled),
    Posterior {
        /// The point of run r of an ensemble seeded with s: `pick(s, r)`, an index into
        /// `compiled` (a calibration's `Draws::pick`).
        pick: &'a (dyn Fn(u64, u64) -> usize + Sync),
        /// One per point, in the posterior's order.
        compiled: &'a [Compiled],
    },
}

impl Models<'_> {
    /// The compiled scenario of run `r`.
    fn of_run(&self, seed: u64, r: u64) -> &Compiled {
        match self {
            Models::One(c) => c,
            Models::Posterior { pick, compiled } => &compiled[pick(seed, r)],
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
                    let (_, e) = run_into(
                        c,
                        (seed, r),
                        observations,
                        &mut agg,
                        &mut pending,
                        &mut ws,
                        keep,
                    );
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
