//! The runner: many parameter points, each an ensemble of R runs with common random numbers.
//!
//! It exists once so that `sweep` and `calibrate` agree on what "evaluate a point" means. Run r of
//! every point is driven by the same generator, [`crate::engine::run_rng`]`(seed, r)`, so differences between
//! points are not drowned in sampling noise. Runs go in parallel on the current rayon pool (call
//! [`evaluate`] inside `pool.install` to choose the thread count); results are collected in point
//! and run order before any reduction, so they do not depend on the number of threads. The
//! runner never prints: progress and cancellation come in through [`Control`].
//!
//! Calibration plugs in its own [`Extract`]: an observer that checks the `[[observation]]`s
//! during the run, `Run = bool` (all held), `Point = u64` (how many runs held), so each point's
//! likelihood is `held / runs`. One round, on the command's pool:
//!
//! ```text
//! let points: Vec<Assignment> = /* Sobol' prior points, or a refined round's proposals */;
//! let scenarios = loader.load_all(&points)?;
//! let held = evaluate(&scenarios, runs, base.seed, &AllHold(&observations), &ctl)?;
//! ```

use crate::engine::{simulate_seeded, Compiled, Observer, Outcome, Workspace};
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use rayon::prelude::*;

/// What to take from each run and how to reduce one point's runs.
///
/// `sweep` takes outcomes and reduces them to means with intervals ([`super::SweepOutcomes`]);
/// `calibrate` can take "did every observation hold" and reduce it to a likelihood.
pub trait Extract: Sync {
    /// Watches one run, step by step.
    type Observer: Observer;
    /// What one run yields.
    type Run: Send;
    /// What one point's runs reduce to.
    type Point: Send;
    /// A fresh observer for one run of `c`.
    fn observer(&self, c: &Compiled) -> Self::Observer;
    /// The run's record, from its observer and outcome.
    fn run(&self, c: &Compiled, obs: Self::Observer, out: Outcome) -> Self::Run;
    /// Reduce one point's runs, given in run order 0..R.
    fn point(&self, runs: &[Self::Run]) -> Self::Point;
    /// Rough size of one [`Self::Run`] in 8-byte words: points are evaluated in groups whose
    /// records stay under ~32 MB.
    fn run_words(&self, _base: &Scenario) -> usize {
        1
    }
}

/// How the caller follows and stops the work.
pub struct Control<'a> {
    /// Polled before each run; once true, [`evaluate`] returns [`Error::Interrupted`].
    pub cancel: &'a (dyn Fn() -> bool + Sync),
    /// Called after each run (for a progress bar), from any thread.
    pub on_run: &'a (dyn Fn() + Sync),
}

impl Control<'static> {
    /// No progress, never cancelled.
    pub fn none() -> Control<'static> {
        Control {
            cancel: &|| false,
            on_run: &|| {},
        }
    }
}

/// Words of per-run records held at once (~32 MB).
const WORDS_IN_FLIGHT: usize = 4_000_000;
/// Bytes of compiled points held at once.
const COMPILED_BYTES: usize = 64 << 20;

/// Run every point `runs` times — run r of each point seeded by `run_rng(seed, r)` — and reduce
/// each point's runs with `ex`. Returns one reduction per point, in point order.
///
/// Cost: points × runs simulations; memory: one group of points' run records at a time.
pub fn evaluate<E: Extract>(
    points: &[Scenario],
    runs: usize,
    seed: u64,
    ex: &E,
    ctl: &Control,
) -> Result<Vec<E::Point>> {
    if points.is_empty() || runs == 0 {
        return Ok(points.iter().map(|_| ex.point(&[])).collect());
    }
    let words = ex.run_words(&points[0]);
    let chunk = (WORDS_IN_FLIGHT / (words.max(1) * runs)).max(1);
    let mut reduced = Vec::with_capacity(points.len());
    let mut rest = points;
    while !rest.is_empty() {
        // At most `chunk` points, and compiled points of at most COMPILED_BYTES (each holds its
        // code sampler's tables: 88 KB at T = 0.5, up to 1.4 MB at T = 0.125), at least one.
        let mut take = 0;
        let mut bytes = 0;
        while take < rest.len().min(chunk) {
            bytes += Compiled::bytes_of(&rest[take]);
            if take > 0 && bytes > COMPILED_BYTES {
                break;
            }
            take += 1;
        }
        let (group, tail) = rest.split_at(take);
        rest = tail;
        let compiled: Vec<Compiled> = group.par_iter().map(Compiled::new).collect();
        let recs = run_group(&compiled, runs, seed, ex, ctl).ok_or(Error::Interrupted)?;
        reduced.extend(recs.chunks(runs).map(|r| ex.point(r)));
    }
    Ok(reduced)
}

/// As [`evaluate`] for one scenario whose run r uses `compiled[pick(r)]` (the points of a
/// posterior, `compare --posterior`), seeded by `run_rng(seed, r)`: one reduction.
pub fn evaluate_drawn<E: Extract>(
    compiled: &[Compiled],
    pick: &(dyn Fn(u64) -> usize + Sync),
    runs: usize,
    seed: u64,
    ex: &E,
    ctl: &Control,
) -> Result<E::Point> {
    let recs: Option<Vec<E::Run>> = (0..runs)
        .into_par_iter()
        .with_min_len(16)
        .map_init(Workspace::default, |ws, r| {
            one_run(&compiled[pick(r as u64)], r as u64, seed, ex, ctl, ws)
        })
        .collect();
    let recs = recs.ok_or(Error::Interrupted)?;
    Ok(ex.point(&recs))
}

/// Every (point, run) pair of a group as one parallel task, collected in order; None if cancelled.
fn run_group<E: Extract>(
    compiled: &[Compiled],
    runs: usize,
    seed: u64,
    ex: &E,
    ctl: &Control,
) -> Option<Vec<E::Run>> {
    (0..compiled.len() * runs)
        .into_par_iter()
        .with_min_len(16)
        .map_init(Workspace::default, |ws, k| {
            one_run(&compiled[k / runs], (k % runs) as u64, seed, ex, ctl, ws)
        })
        .collect()
}

/// Run r of `c`, seeded by `run_rng(seed, r)`, reduced by `ex`; None if cancelled.
fn one_run<E: Extract>(
    c: &Compiled,
    r: u64,
    seed: u64,
    ex: &E,
    ctl: &Control,
    ws: &mut Workspace,
) -> Option<E::Run> {
    if (ctl.cancel)() {
        return None;
    }
    let mut obs = ex.observer(c);
    let out = simulate_seeded(c, seed, r, &mut obs, ws);
    (ctl.on_run)();
    Some(ex.run(c, obs, out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{run_rng, simulate_with, Nothing, StepView};
    use crate::scenario::Library;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Final stances and the sum of the cooperation index, per run; the list of runs per point.
    struct Trace;
    struct Coop(f64);
    impl Observer for Coop {
        fn step(&mut self, v: &StepView) {
            self.0 += v.cooperation;
        }
    }
    impl Extract for Trace {
        type Observer = Coop;
        type Run = (Vec<f64>, f64);
        type Point = Vec<(Vec<f64>, f64)>;
        fn observer(&self, _c: &Compiled) -> Coop {
            Coop(0.0)
        }
        fn run(&self, _c: &Compiled, obs: Coop, out: Outcome) -> Self::Run {
            (out.final_stance, obs.0)
        }
        fn point(&self, runs: &[Self::Run]) -> Self::Point {
            runs.to_vec()
        }
    }

    fn points(noise: &[f64]) -> Vec<Scenario> {
        let lib = Library::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"));
        noise
            .iter()
            .map(|x| {
                lib.load(
                    "baseline",
                    &["scenario.steps=20".to_string(), format!("model.noise={x}")],
                )
                .unwrap()
            })
            .collect()
    }

    fn pool(t: usize) -> rayon::ThreadPool {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .unwrap()
    }

    #[test]
    fn results_do_not_depend_on_the_thread_count() {
        let pts = points(&[0.0, 0.05, 0.1]);
        let one = pool(1).install(|| evaluate(&pts, 7, 3, &Trace, &Control::none()).unwrap());
        let two = pool(2).install(|| evaluate(&pts, 7, 3, &Trace, &Control::none()).unwrap());
        assert_eq!(one, two);
        assert_eq!(one.len(), 3);
        assert!(one.iter().all(|p| p.len() == 7));
    }

    #[test]
    fn run_r_of_every_point_uses_the_same_random_numbers() {
        // Two identical points give identical runs; within a point, runs differ.
        let pts = points(&[0.05, 0.05]);
        let res = evaluate(&pts, 4, 11, &Trace, &Control::none()).unwrap();
        assert_eq!(res[0], res[1]);
        assert_ne!(res[0][0], res[0][1]);
        // And run r is the ensemble's run r: seeded by (seed, r) alone.
        let c = Compiled::new(&pts[0]);
        let out = simulate_with(&c, &mut run_rng(11, 2), &mut Nothing);
        assert_eq!(res[0][2].0, out.final_stance);
    }

    #[test]
    fn progress_counts_every_run_and_cancel_stops() {
        let pts = points(&[0.0, 0.1]);
        let n = AtomicUsize::new(0);
        let on_run = || {
            n.fetch_add(1, Ordering::Relaxed);
        };
        let ctl = Control {
            cancel: &|| false,
            on_run: &on_run,
        };
        evaluate(&pts, 5, 1, &Trace, &ctl).unwrap();
        assert_eq!(n.load(Ordering::Relaxed), 10);
        let stop = Control {
            cancel: &|| true,
            on_run: &|| {},
        };
        assert!(matches!(
            evaluate(&pts, 5, 1, &Trace, &stop),
            Err(Error::Interrupted)
        ));
    }
}
