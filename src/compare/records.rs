//! Each run's outcomes as a paired comparison reads them ([`RunRecord`]), and the runs of one
//! scenario (or of a posterior's points) that make them.

use crate::engine::{Compiled, Observer, Outcome, StepView};
use crate::error::Result;
use crate::model::{CooperationMean, Status};
use crate::scenario::Scenario;
use crate::sweep::runner::{evaluate, evaluate_drawn, Control, Extract};

/// One run's outcomes.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    pub opened: bool,
    /// Approved (or open) at the end.
    pub approved: bool,
    /// Step of approval and of opening; None if never within the run.
    pub approved_step: Option<usize>,
    pub opened_step: Option<usize>,
    /// The run's last step.
    pub steps: usize,
    pub drawn_coercive: f64,
    pub coop_mean: f64,
    pub stance: Vec<f64>,
    /// Every actor's stance at every step, step-major (steps 0..=T × actors), for windows and
    /// the week of the largest difference.
    pub stance_path: Vec<f32>,
    /// The office's status at every step (0..=T), to judge runs of different lengths over the
    /// weeks they share (a later office shock may withdraw an approval, which `approved_step`
    /// then forgets).
    pub status_path: Vec<Status>,
}

/// Mean cooperation index over steps 1..=T, every actor's stance and the office's status at
/// every step.
pub struct CoopObserver(CooperationMean, Vec<f32>, Vec<Status>);

impl Observer for CoopObserver {
    fn step(&mut self, v: &StepView) {
        self.0.add(v.step, v.cooperation);
        self.1.extend(v.stance.iter().map(|&s| s as f32));
        self.2.push(v.status);
    }
}

/// The per-run extractor (each run's outcome says how many coercive events shocks injected).
struct Records;

impl Extract for Records {
    type Observer = CoopObserver;
    type Run = RunRecord;
    type Point = Vec<RunRecord>;
    fn observer(&self, c: &Compiled) -> CoopObserver {
        CoopObserver(
            CooperationMean::default(),
            Vec::with_capacity((c.steps + 1) * c.n),
            Vec::with_capacity(c.steps + 1),
        )
    }
    fn run(&self, c: &Compiled, obs: CoopObserver, out: Outcome) -> RunRecord {
        RunRecord {
            opened: out.status == Status::Opened,
            approved: matches!(out.status, Status::Approved | Status::Opened),
            approved_step: out.approved_step,
            opened_step: out.opened_step,
            steps: c.steps,
            drawn_coercive: out.coercive_events.saturating_sub(out.injected_coercive) as f64,
            coop_mean: obs.0.mean(),
            stance: out.final_stance,
            stance_path: obs.1,
            status_path: obs.2,
        }
    }
    fn point(&self, runs: &[RunRecord]) -> Vec<RunRecord> {
        runs.to_vec()
    }
    fn run_words(&self, base: &Scenario) -> usize {
        10 + base.actors.len() + (base.steps + 1) * (base.actors.len() + 1) / 2
    }
}

/// Runs 0..R of `sc` seeded by (seed, r), on the current rayon pool.
pub fn records(sc: &Scenario, runs: usize, seed: u64, ctl: &Control) -> Result<Vec<RunRecord>> {
    let mut v = evaluate(std::slice::from_ref(sc), runs, seed, &Records, ctl)?;
    Ok(v.pop().unwrap_or_default())
}

/// As [`records`], run r of a scenario using `compiled[pick(r)]` (its posterior's points).
pub fn records_drawn(
    compiled: &[Compiled],
    pick: &(dyn Fn(u64) -> usize + Sync),
    runs: usize,
    seed: u64,
    ctl: &Control,
) -> Result<Vec<RunRecord>> {
    evaluate_drawn(compiled, pick, runs, seed, &Records, ctl)
}
