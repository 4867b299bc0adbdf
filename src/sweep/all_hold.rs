//! Calibration's and the backtest's question of a run: did every observation hold?

use super::runner::Extract;
use crate::engine::{Compiled, Outcome};
use crate::observe::Observation;
use crate::watch::Checker;

/// The runner's [`Extract`] for calibration: each run says whether all observations held, each
/// point how many of its runs did, and how many held each observation.
pub struct AllHold<'a>(pub &'a [Observation]);

impl<'a> Extract for AllHold<'a> {
    type Observer = Checker<'a>;
    /// Bit k: observation k held (k < 64); the top bit: all held.
    type Run = (u64, bool);
    /// (runs where all held, runs where each held).
    type Point = (u64, Vec<u64>);

    fn observer(&self, _c: &Compiled) -> Checker<'a> {
        Checker::new(self.0)
    }

    fn run(&self, _c: &Compiled, obs: Checker<'a>, _out: Outcome) -> (u64, bool) {
        let v = obs.verdicts();
        let bits = v
            .iter()
            .take(64)
            .enumerate()
            .fold(0u64, |b, (k, x)| b | ((x.held as u64) << k));
        (bits, v.iter().all(|x| x.held))
    }

    fn point(&self, runs: &[(u64, bool)]) -> (u64, Vec<u64>) {
        let n = self.0.len().min(64);
        let mut each = vec![0u64; n];
        for (bits, _) in runs {
            for (k, c) in each.iter_mut().enumerate() {
                *c += (bits >> k) & 1;
            }
        }
        (runs.iter().filter(|r| r.1).count() as u64, each)
    }
}
