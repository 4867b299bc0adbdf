//! The outcomes a sweep reports at each point, and their summaries with 95% intervals.
//!
//! Per run: whether the office opened, whether any coercive (hostile military) event happened,
//! the mean cooperation index over steps 1..=T, and every actor's final stance. Per point:
//! proportions with Wilson intervals and means with normal intervals, in the order of
//! [`outcome_names`] — the columns of `sweep.csv` and the outcomes of `sensitivity.csv`.

use super::runner::Extract;
use crate::engine::{Compiled, Observer, Outcome, StepView};
use crate::ensemble::stats::wilson;
use crate::model::{CooperationMean, Status};
use crate::scenario::Scenario;

/// One run's outcomes.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcome {
    pub opened: bool,
    pub hostile: bool,
    /// Mean cooperation index over steps 1..=T.
    pub coop: f64,
    pub stance: Vec<f64>,
}

/// The run's mean cooperation index (the one definition, [`CooperationMean`]).
pub struct CoopSum(CooperationMean);

impl Observer for CoopSum {
    fn step(&mut self, v: &StepView) {
        self.0.add(v.step, v.cooperation);
    }
}

/// One point's outcomes: (estimate, lo, hi) with 95% intervals, in the order of [`outcome_names`].
#[derive(Debug, Clone, PartialEq)]
pub struct PointStats {
    pub runs: u64,
    pub values: Vec<(f64, f64, f64)>,
}

/// Outcome names: `p_opened`, `p_hostile`, `cooperation_mean`, then `stance_<id>` per actor.
pub fn outcome_names(sc: &Scenario) -> Vec<String> {
    let mut v = vec![
        "p_opened".to_string(),
        "p_hostile".to_string(),
        "cooperation_mean".to_string(),
    ];
    v.extend(sc.actors.iter().map(|a| format!("stance_{}", a.id)));
    v
}

/// An outcome name in words, for chart titles, with actor names rather than ids:
/// `stance_united_states` is "United States’s final stance".
pub fn describe(sc: &Scenario, name: &str) -> String {
    match name {
        "p_opened" => "whether the office opens".into(),
        "p_hostile" => "a hostile military event".into(),
        "cooperation_mean" => "the mean cooperation index".into(),
        s => s
            .strip_prefix("stance_")
            .map(|a| {
                let n = sc.actor_index(a).map(|i| sc.actors[i.ix()].name.as_str());
                format!("{}’s final stance", n.unwrap_or(a))
            })
            .unwrap_or_else(|| s.into()),
    }
}

/// Mean with a 95% normal interval, m ± 1.96·sd/√n (sd with n − 1); (m, m, m) for n < 2.
pub fn mean_ci(xs: &[f64]) -> (f64, f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    if xs.len() < 2 {
        return (m, m, m);
    }
    let sd = (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let h = 1.959963984540054 * sd / n.sqrt();
    (m, m - h, m + h)
}

/// One point's summary: Wilson intervals for the proportions, normal intervals for the means.
pub fn summarize(outs: &[RunOutcome]) -> PointStats {
    let n = outs.len() as u64;
    let opened = wilson(outs.iter().filter(|o| o.opened).count() as u64, n);
    let hostile = wilson(outs.iter().filter(|o| o.hostile).count() as u64, n);
    let mut values = vec![
        (opened.estimate, opened.lo, opened.hi),
        (hostile.estimate, hostile.lo, hostile.hi),
        mean_ci(&outs.iter().map(|o| o.coop).collect::<Vec<_>>()),
    ];
    let actors = outs.first().map(|o| o.stance.len()).unwrap_or(0);
    for i in 0..actors {
        values.push(mean_ci(
            &outs.iter().map(|o| o.stance[i]).collect::<Vec<_>>(),
        ));
    }
    PointStats { runs: n, values }
}

/// The sweep's extractor: [`RunOutcome`] per run, [`PointStats`] per point.
pub struct SweepOutcomes;

impl Extract for SweepOutcomes {
    type Observer = CoopSum;
    type Run = RunOutcome;
    type Point = PointStats;

    fn observer(&self, _c: &Compiled) -> CoopSum {
        CoopSum(CooperationMean::default())
    }

    fn run(&self, _c: &Compiled, obs: CoopSum, out: Outcome) -> RunOutcome {
        RunOutcome {
            opened: out.status == Status::Opened,
            hostile: out.coercive_events > 0,
            coop: obs.0.mean(),
            stance: out.final_stance,
        }
    }

    fn point(&self, runs: &[RunOutcome]) -> PointStats {
        summarize(runs)
    }

    fn run_words(&self, base: &Scenario) -> usize {
        4 + base.actors.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(opened: bool, hostile: bool, coop: f64, stance: &[f64]) -> RunOutcome {
        RunOutcome {
            opened,
            hostile,
            coop,
            stance: stance.to_vec(),
        }
    }

    #[test]
    fn mean_ci_is_the_normal_interval() {
        let (m, lo, hi) = mean_ci(&[1.0, 2.0, 3.0, 4.0]);
        // sd = √(5/3), half-width 1.96·sd/2.
        let h = 1.959963984540054 * (5.0f64 / 3.0).sqrt() / 2.0;
        assert_eq!(m, 2.5);
        assert!((hi - m - h).abs() < 1e-12 && (m - lo - h).abs() < 1e-12);
        assert_eq!(mean_ci(&[0.3]), (0.3, 0.3, 0.3));
    }

    #[test]
    fn a_point_summary_has_every_outcome_in_order() {
        let outs = [
            run(true, false, 1.0, &[0.5, -0.5]),
            run(true, true, 3.0, &[0.7, -0.1]),
            run(false, false, 2.0, &[0.6, -0.3]),
        ];
        let s = summarize(&outs);
        assert_eq!(s.runs, 3);
        assert_eq!(s.values.len(), 5);
        let w = wilson(2, 3);
        assert_eq!(s.values[0], (w.estimate, w.lo, w.hi));
        assert!((s.values[1].0 - 1.0 / 3.0).abs() < 1e-15);
        assert_eq!(s.values[2].0, 2.0);
        assert!((s.values[3].0 - 0.6).abs() < 1e-12 && (s.values[4].0 + 0.3).abs() < 1e-12);
    }

    #[test]
    fn outcome_names_match_the_summary_columns() {
        let lib = crate::scenario::Library::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"));
        let sc = lib.load("baseline", &[]).unwrap();
        let names = outcome_names(&sc);
        assert_eq!(names.len(), 3 + sc.actors.len());
        assert_eq!(names[3], format!("stance_{}", sc.actors[0].id));
        let sc = crate::scenario::Library::new(std::path::Path::new("scenarios"))
            .load("baseline", &[])
            .unwrap();
        assert_eq!(
            describe(&sc, "stance_united_states"),
            "United States’s final stance"
        );
        assert_eq!(describe(&sc, "p_opened"), "whether the office opens");
    }
}
