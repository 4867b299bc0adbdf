//! The backtest: forecasts of historical cases scored against what happened.
//!
//! A case is a scenario (`cases/<name>.toml`) whose inputs come from sources dated before its t0
//! (`docs/codebook.md`) and whose `[[question]]`s say what happened after it. For each case this
//! module runs an ensemble — run r seeded by `run_rng(seed, r)`, as every ensemble is — checking
//! each question's windows ([`Question::checks`]), and turns the counts into forecasts
//! ([`forecast_case`]); [`score()`] then scores them against the outcomes and against three
//! references (the question's base rate, persistence, an uninformed forecast), with
//! case-clustered bootstrap intervals.
//!
//! The forecast never sees an outcome: [`forecast_case`] reads only the checks and the
//! scenario, and the outcomes enter in [`score()`].
//!
//! Forecasts are kept off 0 and 1 by the runs' count: with `h` of `n` runs in a category and
//! `C` categories (2 for yes/no), P = (h + ½) / (n + C/2) — for yes/no, (k + ½) / (n + 1).

mod files;
pub mod loo;
pub mod posterior;
pub mod score;

pub use files::{backtest_csv, manifest_json, summary_json};
pub use score::{score, Board, CaseScore, QuestionScore, Scores, Skill};

/// How to read the score table, printed under it.
pub const REFERENCES_TEXT: &str = "score: Brier (yes/no) or ranked probability score (timing), 0-1, lower is better; \
uninf: uninformed (0.5, or equal over a timing question's categories); \
skill = 1 - score / reference score (1 perfect, 0 no better, < 0 worse), 90% intervals: overall from resampled cases, per case from resampled questions";

use crate::engine::{simulate, Compiled, Observer, StepView};
use crate::error::Result;
use crate::model::{Reading, Status};
use crate::observe::Question;
use crate::scenario::Scenario;
use crate::sweep::runner::{evaluate, Control};
use crate::sweep::AllHold;
use crate::watch::Checker;

/// One case's forecasts.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseForecast {
    /// The case's scenario name (its file stem).
    pub name: String,
    pub title: String,
    pub step_unit: String,
    pub runs: usize,
    pub seed: u64,
    pub questions: Vec<QuestionForecast>,
}

/// One question's forecast and references (no outcome).
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionForecast {
    pub id: String,
    /// Runs in which each check held (one check for yes/no, one per bin for timing).
    pub held: Vec<u64>,
    /// The model's probability per category (smoothed; sums to 1).
    pub model: Vec<f64>,
    /// Persistence: the category the case's state at t0, held unchanged with no events, falls in.
    pub persistence: Vec<f64>,
}

/// Category probabilities from cumulative counts `held` (non-decreasing) of `n` runs,
/// kept off 0 and 1: (h + ½) / (n + C/2).
pub fn smoothed(held: &[u64], n: u64) -> Vec<f64> {
    debug_assert!(
        held.windows(2).all(|w| w[0] <= w[1]) && held.iter().all(|&h| h <= n),
        "cumulative counts must grow and stay within the runs: {held:?} of {n}"
    );
    let c = held.len() + 1;
    let denom = n as f64 + c as f64 / 2.0;
    let mut prev = 0u64;
    let mut out = Vec::with_capacity(c);
    for &h in held {
        out.push((h.saturating_sub(prev)) as f64 + 0.5);
        prev = prev.max(h);
    }
    out.push(n.saturating_sub(prev) as f64 + 0.5);
    out.iter().map(|x| x / denom).collect()
}

/// Category probabilities from cumulative indicators or probabilities (one per check): the
/// first check, then differences, then what is left for the last category.
pub fn categories_of(cumulative: &[f64]) -> Vec<f64> {
    let mut prev = 0.0;
    let mut out = Vec::with_capacity(cumulative.len() + 1);
    for &f in cumulative {
        let f = f.max(prev);
        out.push(f - prev);
        prev = f;
    }
    out.push((1.0 - prev).max(0.0));
    out
}

/// The state at step 0, copied out of the first step's view.
#[derive(Debug, Default)]
struct FirstStep {
    seen: bool,
    stance: Vec<f64>,
    posture: Vec<f64>,
    tone_sent: Vec<f64>,
    tone_received: Vec<f64>,
    forecast: f64,
    polarization: f64,
    cooperation: f64,
    cooperation_ma: f64,
    status: Option<Status>,
}

impl Observer for FirstStep {
    fn step(&mut self, v: &StepView) {
        if v.step == 0 && !self.seen {
            self.seen = true;
            self.stance = v.stance.to_vec();
            self.posture = v.posture.to_vec();
            self.tone_sent = v.tone_sent.to_vec();
            self.tone_received = v.tone_received.to_vec();
            self.forecast = v.forecast;
            self.polarization = v.polarization;
            self.cooperation = v.cooperation;
            self.cooperation_ma = v.cooperation_ma;
            self.status = Some(v.status);
        }
    }
}

/// Persistence: each check's verdict if the state at t0 stayed as it was and nothing happened
/// (every series keeps its step-0 value, no events).
fn persistence(c: &Compiled, checks: &[crate::observe::Observation]) -> Vec<bool> {
    let mut first = FirstStep::default();
    simulate(c, 0, 0, &mut first);
    let view = StepView {
        step: 0,
        stance: &first.stance,
        posture: &first.posture,
        tone_sent: &first.tone_sent,
        tone_received: &first.tone_received,
        forecast: first.forecast,
        polarization: first.polarization,
        cooperation: first.cooperation,
        cooperation_ma: first.cooperation_ma,
        status: first.status.unwrap_or(Status::Proposed),
    };
    let last = checks.iter().map(|o| o.steps.1).max().unwrap_or(0);
    Checker::frozen(checks, last, |m, i| match m.read(&view) {
        Reading::Actors(xs) => xs[i],
        Reading::Region(x) => x,
    })
    .iter()
    .map(|v| v.held)
    .collect()
}

/// Forecast every question of case `sc` from `runs` runs seeded by (`seed`, r).
///
/// Cost: `runs` simulations of the case, plus one for persistence.
pub fn forecast_case(sc: &Scenario, runs: usize, seed: u64, ctl: &Control) -> Result<CaseForecast> {
    let held = held_counts(sc, runs, seed, ctl)?;
    Ok(forecast_of(sc, &held, runs, seed))
}

/// Runs (of `runs` seeded by (`seed`, r)) in which each of `sc`'s question checks held, in
/// [`Question::checks`] order.
pub fn held_counts(sc: &Scenario, runs: usize, seed: u64, ctl: &Control) -> Result<Vec<u64>> {
    let checks: Vec<_> = sc.questions.iter().flat_map(Question::checks).collect();
    let (_, held) = evaluate(std::slice::from_ref(sc), runs, seed, &AllHold(&checks), ctl)?
        .pop()
        .unwrap_or_default();
    Ok(if held.is_empty() {
        vec![0; checks.len()]
    } else {
        held
    })
}

/// The forecasts of `sc`'s questions from the counts `held` of `runs` runs (of the case itself,
/// or of a mixture of its settings), with persistence from `sc`'s own state at t0.
pub fn forecast_of(sc: &Scenario, held: &[u64], runs: usize, seed: u64) -> CaseForecast {
    let checks: Vec<_> = sc.questions.iter().flat_map(Question::checks).collect();
    let frozen = persistence(&Compiled::new(sc), &checks);
    let mut at = 0;
    let questions = sc
        .questions
        .iter()
        .map(|q| {
            let k = q.checks().len();
            let h = held[at..at + k].to_vec();
            let p: Vec<f64> = frozen[at..at + k].iter().map(|&b| b as u8 as f64).collect();
            at += k;
            QuestionForecast {
                id: q.id.clone(),
                model: smoothed(&h, runs as u64),
                held: h,
                persistence: categories_of(&p),
            }
        })
        .collect();
    CaseForecast {
        name: sc.name.clone(),
        title: sc.title.clone(),
        step_unit: sc.step_unit.clone(),
        runs,
        seed,
        questions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smoothing_is_add_half_per_category() {
        // yes/no: (k + 1/2) / (n + 1)
        let p = smoothed(&[3], 10);
        assert!((p[0] - 3.5 / 11.0).abs() < 1e-15 && (p[1] - 7.5 / 11.0).abs() < 1e-15);
        // never 0 or 1
        let p = smoothed(&[0], 2000);
        assert!((p[0] - 0.5 / 2001.0).abs() < 1e-18);
        // timing: cumulative 2, 5, 5 of 10 runs → categories 2, 3, 0, 5 (+1/2 each) / 12
        let p = smoothed(&[2, 5, 5], 10);
        let want = [2.5 / 12.0, 3.5 / 12.0, 0.5 / 12.0, 5.5 / 12.0];
        for (a, b) in p.iter().zip(want) {
            assert!((a - b).abs() < 1e-15);
        }
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn categories_come_from_cumulative_values() {
        assert_eq!(categories_of(&[0.0, 1.0, 1.0]), vec![0.0, 1.0, 0.0, 0.0]);
        assert_eq!(categories_of(&[0.0]), vec![0.0, 1.0]);
        assert_eq!(categories_of(&[1.0]), vec![1.0, 0.0]);
    }
}
