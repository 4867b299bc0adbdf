//! Verifying an aggregate read back from a file (`shard.json`) against what its scenario says:
//! every vector's length, every count against the runs, every histogram against its metric. An
//! aggregate that passes can be merged and read without a panic or an unbounded allocation.

use super::{keys_of, width, Aggregate};
use crate::model::Metric;

impl Aggregate {
    /// Check that this aggregate is one of `runs` runs of a scenario with `n` actors, `steps`
    /// steps, a moving average over `ma_window` steps and `observations` observations. Returns
    /// what is wrong, in words.
    pub fn check(
        &self,
        n: usize,
        steps: usize,
        ma_window: usize,
        observations: usize,
        runs: u64,
    ) -> Result<(), String> {
        if self.n != n || self.steps != steps {
            return Err(format!(
                "{} actors × {} steps, but the scenario has {n} × {steps}",
                self.n, self.steps
            ));
        }
        if self.ma_window != ma_window {
            return Err(format!(
                "a moving average over {} steps, but the scenario has {ma_window}",
                self.ma_window
            ));
        }
        if self.runs != runs {
            return Err(format!("{} runs, but its range holds {runs}", self.runs));
        }
        let mut lens = self.count_lengths();
        lens.extend([
            ("affinity_sum", self.affinity_sum.len(), n * n),
            ("metrics", self.metrics.len(), Metric::ALL.len()),
            (
                "step0",
                self.step0.len(),
                if runs > 0 && !self.varied_start() {
                    self.slots()
                } else {
                    0
                },
            ),
            // A tally has an entry for each count seen, so one at least once a run is in.
            (
                "coercive_per_run",
                self.coercive_per_run.len().min(1),
                usize::from(runs > 0),
            ),
        ]);
        for (what, got, want) in lens {
            if got != want {
                return Err(format!("{what} has {got} entries, expected {want}"));
            }
        }
        let at_most_runs = [
            &self.approved_by_step,
            &self.opened_by_step,
            &self.voted_at,
            &self.blocked_at_end,
            &self.coercive_by_actor,
        ];
        if at_most_runs.iter().any(|v| v.iter().any(|&c| c > runs))
            || self.coercive_any > runs
            || self.coercive_drawn_any > self.coercive_any
            || self.coercive_injected > self.coercive_events
        {
            return Err("a count of runs above the number of runs".into());
        }
        let sums = [
            ("status_at_end", &self.status_at_end, Some(runs)),
            ("coercive_per_run", &self.coercive_per_run, Some(runs)),
            ("opened_at", &self.opened_at, None),
            ("approved_at", &self.approved_at, None),
        ];
        for (what, v, want) in sums {
            let total = v.iter().try_fold(0u64, |a, &c| a.checked_add(c));
            match (total, want) {
                (Some(t), Some(w)) if t == w => {}
                (Some(t), None) if t <= runs => {}
                _ => return Err(format!("{what} does not add up to {runs} runs")),
            }
        }
        self.office_consistent()?;
        let events = self
            .event_counts
            .iter()
            .try_fold(0u64, |a, &c| a.checked_add(c));
        if events != Some(self.events) {
            return Err("event counts do not add up to the number of events".into());
        }
        let bound = (runs as i128) << 32; // |final affinity| ≤ 1
        if self.affinity_sum.iter().any(|a| a.abs() > bound)
            || self.coop_mean_sum.abs() > bound * 1_000_000
        {
            return Err("sums no run can give".into());
        }
        if !self.observed.fits(observations, runs) {
            return Err("observation counts that do not fit the scenario".into());
        }
        for (&m, cells) in Metric::ALL.iter().zip(&self.metrics) {
            if cells.keys() != keys_of(m, n, ma_window) {
                return Err(format!("{}: histogram of the wrong kind", m.name()));
            }
            cells
                .check(steps * width(m, n), runs)
                .map_err(|e| format!("{}: {e}", m.name()))?;
        }
        if self.varied_start() {
            if self.start.len() != Metric::ALL.len() {
                return Err("step 0 has cells for the wrong number of metrics".into());
            }
            for (&m, cells) in Metric::ALL.iter().zip(&self.start) {
                if cells.keys() != keys_of(m, n, ma_window) {
                    return Err(format!(
                        "{} at step 0: histogram of the wrong kind",
                        m.name()
                    ));
                }
                cells
                    .check(width(m, n), runs)
                    .map_err(|e| format!("{} at step 0: {e}", m.name()))?;
            }
        }
        Ok(())
    }

    /// What every run makes true of the office counts (lengths already checked): a run opened
    /// at step t is open at t, one approved at t is at least approved at t, an open office is an
    /// approved one, the statuses at the end are those of the last step, and blockers at the end
    /// are counted only in runs that end unapproved.
    fn office_consistent(&self) -> Result<(), String> {
        let steps = self.steps;
        for t in 0..=steps {
            let (ab, ob) = (self.approved_by_step[t], self.opened_by_step[t]);
            if ob > ab {
                return Err(format!("step {t}: {ob} runs open but only {ab} approved"));
            }
            if self.opened_at[t] > ob || self.approved_at[t] > ab {
                return Err(format!(
                    "step {t}: runs that opened or were approved then are not counted as open or approved then"
                ));
            }
        }
        let shelved: u64 = self.shelved_at.iter().sum();
        let runs = self.runs;
        if shelved > runs
            || [&self.paid, &self.conceded, &self.turnover]
                .iter()
                .any(|v| v.iter().any(|&x| x > runs))
            || self.substitute > shelved
            || self.scaled > runs
        {
            return Err("the bargaining counts exceed the runs".into());
        }
        let end = &self.status_at_end;
        if end[4] != shelved {
            return Err("the runs that ended shelved and the shelving steps disagree".into());
        }
        if end[3] != self.opened_by_step[steps]
            || end[2].checked_add(end[3]) != Some(self.approved_by_step[steps])
        {
            return Err("the statuses at the end disagree with the last step's counts".into());
        }
        // Proposed, postponed and shelved runs are the unapproved ones.
        let unapproved = end[0].saturating_add(end[1]).saturating_add(end[4]);
        if self.blocked_at_end.iter().any(|&b| b > unapproved) {
            return Err("blockers counted in runs that ended approved".into());
        }
        Ok(())
    }
}
