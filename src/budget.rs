//! Total work, bounded: what a command would allocate and write is estimated from the scenario
//! before anything is allocated, and refused (exit 2) beyond [`MEMORY_BUDGET`] or
//! [`OUTPUT_BUDGET`], with a message naming the estimate and the bound. Each size is bounded on its
//! own elsewhere (actors, steps, runs); this bounds their product.
//!
//! The estimates are upper bounds of the big terms, not measurements: a single run keeps every
//! value of every step (`(steps + 1) × (actors × 4 + 5)` numbers) and every event; an ensemble
//! worker keeps one histogram per (step, actor, metric) cell, tone cells growing with the actors; events are
//! bounded by rule 2's probability with |τ| from the mean affinity and the spread of stances.

use crate::error::{Error, Result};
use crate::model::Metric;
use crate::scenario::Scenario;

/// Most memory a command may plan to use: 4 GiB.
pub const MEMORY_BUDGET: u64 = 4 << 30;
/// Most bytes a command may plan to write: 2 GiB.
pub const OUTPUT_BUDGET: u64 = 2 << 30;

/// Bytes of one (step, actor, metric) cell of an ensemble's aggregate: its head (24 bytes, plus
/// 64 of extremes and exact sums for a continuous metric) and a histogram window of 16-bit counts
/// with room to grow.
const CELL_BYTES: u64 = 192;
/// A tone cell (Σ G an actor sends or receives in a step) counts exact tenths over a range that
/// grows with the actors it deals with: its window, per actor of the scenario, measured at
/// about 95 bytes at 9 actors (1,000 runs) and 50 at 200 (200 runs); charged at 100.
const TONE_CELL_BYTES_PER_ACTOR: u64 = 100;
/// Bytes of one recorded event in memory, and written as a line of `events.csv`.
const EVENT_BYTES: u64 = 24;
const EVENT_LINE: u64 = 64;
/// Bytes of one line of `timeseries.csv` beyond the actor id.
const SERIES_LINE: u64 = 48;

/// What a command would use: bytes in memory and bytes written.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Estimate {
    pub memory: u64,
    pub output: u64,
}

/// Values per step: every actor's metrics and the region's.
fn slots(sc: &Scenario) -> u64 {
    (sc.actors.len() * Metric::PER_ACTOR + Metric::REGION) as u64
}

/// Events a run of `sc` may record (their expected number, 0.5 rules, docs/model.md): the
/// background volume Σ q_ij per step, plus the issue signals, issue_rate · Σ σ_i · targets per
/// unit of attention, attention summed over a run being at most the news (the announcement, every
/// calendar vote, approval and opening, the shocks' and elections' news) times 1/(1 − decay),
/// raised for self-excitation
/// by its branching factor b as 1/(1 − b); from b = 0.9 on, where the bursts can run away, every
/// actor at the cap of 1,000 signals to each target every step; plus one per shock.
pub fn max_events_per_run(sc: &Scenario) -> u64 {
    let pr = &sc.params;
    let background: f64 = crate::engine::background_q(sc).iter().sum::<f64>() * sc.steps as f64;
    let salience: f64 = sc.actors.iter().map(|a| a.salience).sum();
    let top_salience = sc.actors.iter().fold(0.0f64, |m, a| m.max(a.salience));
    let targets = 2.0;
    // Calendar votes. Votes called within reach (0.6) are news only when their blockers change,
    // and come only when the holdouts move toward consent: not counted in this expected number.
    let votes = if sc.issue.first_vote <= sc.steps {
        1 + (sc.steps - sc.issue.first_vote) / sc.issue.vote_interval.max(1)
    } else {
        0
    };
    // Approval and opening, or a shelving; every election turning its government over.
    let news = pr.news_public
        + pr.news_vote * votes as f64
        + 2.0 * pr.news_decision
        + sc.shocks.iter().map(|s| s.news).sum::<f64>()
        + sc.elections.iter().map(|e| e.news).sum::<f64>();
    let keep = libm::pow(0.5, 1.0 / pr.attention_half_life);
    let span = 1.0 / (1.0 - keep).max(1e-9);
    let branching = pr.excitation * top_salience * pr.issue_rate * targets * span;
    let issue = if branching < 0.9 {
        pr.issue_rate * salience * targets * news * span / (1.0 - branching)
    } else {
        // Self-excitation near or past 1 can run away: each (actor, target, step) up to its cap.
        sc.actors.len() as f64 * targets * 1000.0 * sc.steps as f64
    };
    (background + issue).ceil().min(u64::MAX as f64 / 2.0) as u64 + sc.shocks.len() as u64
}

/// The working state of the engine: a few n × n matrices.
fn engine_bytes(sc: &Scenario) -> u64 {
    let n = sc.actors.len() as u64;
    8 * 8 * n * n + 64 * n
}

/// A single run: the recording in memory, `timeseries.csv` and `events.csv` on disk.
pub fn single(sc: &Scenario) -> Estimate {
    let steps = sc.steps as u64 + 1;
    let ev = max_events_per_run(sc);
    let id_len = sc
        .actors
        .iter()
        .map(|a| a.id.len() as u64)
        .max()
        .unwrap_or(0);
    let values = steps.saturating_mul(slots(sc));
    Estimate {
        memory: values
            .saturating_mul(8)
            .saturating_add(ev.saturating_mul(EVENT_BYTES))
            .saturating_add(engine_bytes(sc)),
        output: values
            .saturating_mul(SERIES_LINE + id_len)
            .saturating_add(ev.saturating_mul(EVENT_LINE)),
    }
}

/// An ensemble of `runs` runs on `threads` workers: an aggregate per worker and one for the
/// result; `events.csv` holds run 0's events, or every run's with `all_events`.
pub fn ensemble(sc: &Scenario, runs: u64, threads: usize, all_events: bool) -> Estimate {
    let n = sc.actors.len() as u64;
    let steps = sc.steps as u64 + 1;
    let tone_cells = steps.saturating_mul(2 * n);
    let aggregate = steps
        .saturating_mul(slots(sc))
        .saturating_mul(CELL_BYTES)
        .saturating_add(
            tone_cells
                .saturating_mul(n)
                .saturating_mul(TONE_CELL_BYTES_PER_ACTOR),
        )
        .saturating_add(n * n * 39 * 8);
    let workers = threads as u64 + 1;
    let ev = max_events_per_run(sc);
    let logged = if all_events {
        ev.saturating_mul(runs)
    } else {
        ev
    };
    Estimate {
        memory: aggregate
            .saturating_add(engine_bytes(sc))
            .saturating_mul(workers)
            .saturating_add(ev.saturating_mul(EVENT_BYTES)),
        output: steps
            .saturating_mul(slots(sc))
            .saturating_mul(120)
            .saturating_add(logged.saturating_mul(EVENT_LINE)),
    }
}

/// A paired comparison of `scenarios`, `runs` each: one ensemble's aggregate at a time, and every
/// scenario's per-run records kept for pairing (each run's stances at every step, as f32),
/// counted twice: the runner's records and the copy a point's reduction makes are both alive.
pub fn compare(scenarios: &[&Scenario], runs: u64, threads: usize) -> Estimate {
    let mut est = Estimate::default();
    for sc in scenarios {
        let e = ensemble(sc, runs, threads, false);
        est.memory = est.memory.max(e.memory);
        est.output = est.output.max(e.output);
    }
    let records: u64 = scenarios
        .iter()
        .map(|sc| {
            let n = sc.actors.len() as u64;
            let per_run = (sc.steps as u64 + 1)
                .saturating_mul(n)
                .saturating_mul(4)
                .saturating_add(n * 8 + 96);
            per_run.saturating_mul(runs).saturating_mul(2)
        })
        .fold(0u64, |a, b| a.saturating_add(b));
    est.memory = est.memory.saturating_add(records);
    est
}

/// `points` scenarios like `sc` held at once, each with its results.
pub fn sweep(sc: &Scenario, points: u64) -> Estimate {
    let per_point = 2048
        + 512 * sc.actors.len() as u64
        + 256 * (sc.relations.len() + sc.shocks.len() + sc.observations.len()) as u64;
    Estimate {
        memory: points.saturating_mul(per_point),
        output: points.saturating_mul(256),
    }
}

/// Refuse `what` when its estimate exceeds a budget.
pub fn check(est: Estimate, what: &str) -> Result<()> {
    for (kind, got, bound) in [
        ("memory", est.memory, MEMORY_BUDGET),
        ("output", est.output, OUTPUT_BUDGET),
    ] {
        if got > bound {
            return Err(Error::Usage(format!(
                "{what} would need about {} of {kind}; the budget is {}: use fewer actors, steps, runs, threads or grid points",
                bytes(got),
                bytes(bound)
            )));
        }
    }
    Ok(())
}

/// `1.5 GiB`, `300 MiB`.
pub fn bytes(b: u64) -> String {
    let gib = b as f64 / (1u64 << 30) as f64;
    if gib >= 1.0 {
        format!("{gib:.1} GiB")
    } else {
        format!("{:.0} MiB", b as f64 / (1u64 << 20) as f64)
    }
}
