//! The week of the largest paired difference in stance, per actor and later scenario
//! ([`Paired::peaks`]), and `peaks.csv`.

use super::paired::{Estimate, Paired, Peak, RunRecord};
use crate::error::Result;
use crate::scenario::Scenario;

/// For each later scenario and each actor it shares with the first, the week (over the steps
/// both runs have) where the paired mean difference in stance is largest in size.
pub(super) fn peaks(scenarios: &[&Scenario], recs: &[Vec<RunRecord>]) -> Vec<Peak> {
    let mut out = Vec::new();
    let (Some(first), Some(ra)) = (scenarios.first(), recs.first()) else {
        return out;
    };
    let na = first.actors.len();
    for (k, (sc, rb)) in scenarios.iter().zip(recs).enumerate().skip(1) {
        let nb = sc.actors.len();
        for (ia, a) in first.actors.iter().enumerate() {
            let Some(ib) = sc.actors.iter().position(|x| x.id == a.id) else {
                continue;
            };
            let steps = first.steps.min(sc.steps);
            let mut best: Option<(usize, Estimate)> = None;
            for t in 1..=steps {
                let d: Vec<f64> = ra
                    .iter()
                    .zip(rb)
                    .map(|(x, y)| {
                        y.stance_path[t * nb + ib] as f64 - x.stance_path[t * na + ia] as f64
                    })
                    .collect();
                let e = Estimate::of(&d);
                if best.is_none_or(|(_, b)| e.mean.abs() > b.mean.abs()) {
                    best = Some((t, e));
                }
            }
            // A stance that never differs (the same path in every run) has no peak to report.
            if let Some((week, diff)) = best.filter(|(_, d)| d.mean != 0.0 || d.lo != d.hi) {
                out.push(Peak {
                    actor: a.id.clone(),
                    name: a.name.clone(),
                    scenario: k,
                    week,
                    diff,
                });
            }
        }
    }
    out
}

impl Paired {
    /// `peaks.csv`: per actor and later scenario, the week of the largest paired difference in
    /// stance from the first scenario, with its 95% interval and verdict (0.05 matters).
    pub fn peaks_csv(&self, scenarios: &[String]) -> Result<Vec<u8>> {
        let mut csv = crate::output::CsvText::new([
            "actor",
            "scenario",
            "week",
            "diff",
            "diff_lo95",
            "diff_hi95",
            "verdict",
        ]);
        let f = |x: f64| format!("{}", crate::output::round_sig(x, 6));
        for k in &self.peaks {
            csv.row([
                k.actor.clone(),
                scenarios.get(k.scenario).cloned().unwrap_or_default(),
                k.week.to_string(),
                f(k.diff.mean),
                f(k.diff.lo),
                f(k.diff.hi),
                k.diff.verdict(0.05).to_string(),
            ]);
        }
        csv.finish()
    }
}
