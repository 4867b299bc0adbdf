//! Scoring forecasts against outcomes and references.
//!
//! Per question, with `F_k` the forecast's cumulative probability up to check k (one check for
//! yes/no, one per bin for timing) and `O_k` the outcome's (0 or 1):
//! - score = (1/K) Σ_k (F_k − O_k)²: the Brier score for yes/no (K = 1), the ranked probability
//!   score normalised to 0–1 for timing (K bins, K + 1 categories). Lower is better.
//! - log score = −ln P(the category that happened). References are kept off 0 and 1 the way the
//!   model is, as if they were forecasts from the same number of runs: (q·n + ½)/(n + C/2).
//! - skill against a reference = 1 − Σ score(model) / Σ score(reference) over a set of
//!   questions: 1 is perfect, 0 no better than the reference, negative worse. Undefined when
//!   the reference scores 0 on every question of the set.
//!
//! References: the question's base rate; persistence (the state at t0 held, no events); and an
//! uninformed forecast (0.5 for yes/no, equal probabilities over the categories for timing).
//!
//! Intervals: 90% percentile intervals from `BOOTSTRAP` resamples — of whole cases for the
//! overall skill (questions of one case are not independent; with fewer than
//! [`MIN_CASES_TO_RESAMPLE`] cases, of questions, and the board says so), of questions within the
//! case for a case's skill, each case from its own stream seeded by (seed, case name), so a
//! case's interval is the same whichever other cases run. A resample where the reference scores
//! 0 and the model does not counts as −∞ skill (the model is infinitely worse); one where both
//! score 0 has no skill and is left out (the count of defined resamples is kept).

use super::{CaseForecast, QuestionForecast};
use crate::observe::{Answer, Question};
use crate::scenario::Scenario;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Bootstrap resamples.
pub const BOOTSTRAP: usize = 2000;

/// Fewest cases whose resampling makes an interval for the overall skill; below it the
/// questions are resampled.
pub const MIN_CASES_TO_RESAMPLE: usize = 3;

/// The references, in the order they are reported.
pub const REFERENCES: [&str; 3] = ["base_rate", "persistence", "uniform"];

/// A score for the model and each reference.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Scores {
    pub model: f64,
    pub base_rate: f64,
    pub persistence: f64,
    pub uniform: f64,
}

impl Scores {
    /// The references' scores, in [`REFERENCES`] order.
    pub fn refs(&self) -> [f64; 3] {
        [self.base_rate, self.persistence, self.uniform]
    }

    fn add(&mut self, o: &Scores) {
        self.model += o.model;
        self.base_rate += o.base_rate;
        self.persistence += o.persistence;
        self.uniform += o.uniform;
    }

    fn scaled(mut self, f: f64) -> Scores {
        self.model *= f;
        self.base_rate *= f;
        self.persistence *= f;
        self.uniform *= f;
        self
    }
}

/// Skill against one reference, with its 90% bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Skill {
    /// None when the reference scores 0 on every question.
    pub value: Option<f64>,
    /// The 5th and 95th percentiles of the resamples (None if no resample is defined).
    pub lo: Option<f64>,
    pub hi: Option<f64>,
    /// Resamples in which the skill was defined.
    pub defined: usize,
}

impl Skill {
    /// `+0.123 [−0.050, +0.300]`, or `n/a` where the reference scores 0.
    pub fn text(&self) -> String {
        let f = |x: f64| {
            if x == f64::NEG_INFINITY {
                "-inf".to_string()
            } else {
                format!("{x:+.3}")
            }
        };
        match (self.value, self.lo, self.hi) {
            (Some(v), Some(lo), Some(hi)) => format!("{} [{}, {}]", f(v), f(lo), f(hi)),
            (Some(v), _, _) => f(v),
            _ => "n/a".into(),
        }
    }
}

/// One question scored.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionScore {
    /// Index of its case in [`Board::cases`].
    pub case: usize,
    pub id: String,
    pub text: String,
    pub timing: bool,
    /// Category names (`yes`, `no`, or the bins and `later`).
    pub categories: Vec<String>,
    /// Runs in which each check held.
    pub held: Vec<u64>,
    /// Probability per category: the model (smoothed), the base rate, persistence, uniform.
    pub model: Vec<f64>,
    pub base_rate: Vec<f64>,
    pub persistence: Vec<f64>,
    pub uniform: Vec<f64>,
    /// The category that happened.
    pub outcome: usize,
    pub outcome_text: String,
    pub outcome_source: String,
    pub base_rate_source: String,
    /// Brier (yes/no) or normalised RPS (timing).
    pub score: Scores,
    pub log: Scores,
}

/// One case's scores.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseScore {
    pub name: String,
    pub title: String,
    /// Indices of its questions in [`Board::questions`].
    pub questions: std::ops::Range<usize>,
    /// Mean score and log score over its questions.
    pub mean: Scores,
    pub log: Scores,
    /// Skill against each reference, in [`REFERENCES`] order (interval: questions resampled).
    pub skill: [Skill; 3],
}

/// The whole scoreboard.
#[derive(Debug, Clone, PartialEq)]
pub struct Board {
    pub runs: usize,
    pub seed: u64,
    pub cases: Vec<CaseScore>,
    pub questions: Vec<QuestionScore>,
    pub mean: Scores,
    pub log: Scores,
    /// Overall skill against each reference.
    pub skill: [Skill; 3],
    /// What the overall interval resamples: "cases", or "questions" when there are fewer than
    /// [`MIN_CASES_TO_RESAMPLE`] cases.
    pub resampled: &'static str,
}

/// (1/K) Σ_k (F_k − O_k)² over the cumulative sums of `p` (all categories but the last).
pub fn ranked_score(p: &[f64], outcome: usize) -> f64 {
    let k = p.len() - 1;
    let mut f = 0.0;
    let mut s = 0.0;
    for (j, x) in p[..k].iter().enumerate() {
        f += x;
        let o = (outcome <= j) as u8 as f64;
        s += (f - o) * (f - o);
    }
    s / k as f64
}

/// −ln of category `outcome`'s probability once kept off 0 as if from `n` runs.
pub fn log_score(p: &[f64], outcome: usize, n: usize) -> f64 {
    let c = p.len() as f64;
    let q = (p[outcome] * n as f64 + 0.5) / (n as f64 + c / 2.0);
    -q.ln()
}

/// The category that happened.
fn outcome_category(q: &Question) -> usize {
    match q.outcome {
        Answer::Binary(true) => 0,
        Answer::Binary(false) => 1,
        Answer::Timing(None) => q.bins.len(),
        Answer::Timing(Some(s)) => q.bins.iter().position(|&b| s <= b).unwrap_or(q.bins.len()),
    }
}

fn question_score(
    case: usize,
    sc: &Scenario,
    q: &Question,
    f: &QuestionForecast,
    runs: usize,
) -> QuestionScore {
    let c = q.bins.len().max(1) + 1;
    let base = if q.is_timing() {
        q.base_rate.clone()
    } else {
        vec![q.base_rate[0], 1.0 - q.base_rate[0]]
    };
    let uniform = vec![1.0 / c as f64; c];
    let outcome = outcome_category(q);
    let both = |g: &dyn Fn(&[f64]) -> f64| Scores {
        model: g(&f.model),
        base_rate: g(&base),
        persistence: g(&f.persistence),
        uniform: g(&uniform),
    };
    let score = both(&|p| ranked_score(p, outcome));
    // The model's probabilities are smoothed already: its log score takes them as they are.
    let mut log = both(&|p| log_score(p, outcome, runs));
    log.model = -f.model[outcome].ln();
    QuestionScore {
        case,
        id: q.id.clone(),
        text: q.text.clone(),
        timing: q.is_timing(),
        categories: q.categories(&sc.step_unit),
        held: f.held.clone(),
        model: f.model.clone(),
        base_rate: base,
        persistence: f.persistence.clone(),
        uniform,
        outcome,
        outcome_text: q.outcome_text(&sc.step_unit),
        outcome_source: q.outcome_source.clone(),
        base_rate_source: q.base_rate_source.clone(),
        score,
        log,
    }
}

/// 1 − Σ model / Σ reference over `qs` (indices into `all`), per reference.
fn skill_of(all: &[QuestionScore], qs: impl Iterator<Item = usize> + Clone) -> [Option<f64>; 3] {
    let mut tot = Scores::default();
    for i in qs {
        tot.add(&all[i].score);
    }
    tot.refs().map(|r| {
        if r > 0.0 {
            Some(1.0 - tot.model / r)
        } else if tot.model > 0.0 {
            Some(f64::NEG_INFINITY)
        } else {
            None
        }
    })
}

/// The 5th and 95th percentiles (nearest rank) of `v`, which it sorts.
fn interval(v: &mut [f64]) -> (Option<f64>, Option<f64>) {
    if v.is_empty() {
        return (None, None);
    }
    v.sort_by(f64::total_cmp);
    let at = |p: f64| v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    (Some(at(0.05)), Some(at(0.95)))
}

/// Skill over `groups` (each a list of question indices) with a bootstrap over the groups.
fn bootstrap(all: &[QuestionScore], groups: &[Vec<usize>], rng: &mut ChaCha8Rng) -> [Skill; 3] {
    let point = skill_of(all, groups.iter().flatten().copied());
    let mut draws: [Vec<f64>; 3] = Default::default();
    if !groups.is_empty() {
        for _ in 0..BOOTSTRAP {
            let pick: Vec<usize> = (0..groups.len())
                .map(|_| rng.random_range(0..groups.len()))
                .collect();
            let s = skill_of(all, pick.iter().flat_map(|&g| groups[g].iter().copied()));
            for (d, x) in draws.iter_mut().zip(s) {
                if let Some(x) = x {
                    d.push(x);
                }
            }
        }
    }
    let mut out = [Skill::default(); 3];
    for ((o, d), p) in out.iter_mut().zip(draws.iter_mut()).zip(point) {
        o.value = p;
        o.defined = d.len();
        (o.lo, o.hi) = interval(d);
    }
    out
}

/// Score every case's forecasts against its questions' outcomes. `cases[i]` is the scenario
/// `forecasts[i]` was made from. Deterministic for a seed.
pub fn score(cases: &[Scenario], forecasts: &[CaseForecast], seed: u64) -> Board {
    let runs = forecasts.first().map_or(0, |f| f.runs);
    let mut questions = Vec::new();
    let mut case_scores = Vec::new();
    // Streams apart from every run's (runs use run_rng): one per case, one for the whole.
    let stream = |tag: &str| {
        let h = u64::from_str_radix(&crate::output::fnv1a64(tag.as_bytes()), 16).unwrap_or(0);
        ChaCha8Rng::seed_from_u64(seed ^ 0xB007_57A9_0000_0000 ^ h)
    };
    for (ci, (sc, f)) in cases.iter().zip(forecasts).enumerate() {
        let start = questions.len();
        for (q, qf) in sc.questions.iter().zip(&f.questions) {
            questions.push(question_score(ci, sc, q, qf, f.runs));
        }
        let range = start..questions.len();
        let n = range.len().max(1) as f64;
        let mut mean = Scores::default();
        let mut log = Scores::default();
        for q in &questions[range.clone()] {
            mean.add(&q.score);
            log.add(&q.log);
        }
        let groups: Vec<Vec<usize>> = range.clone().map(|i| vec![i]).collect();
        let skill = bootstrap(
            &questions,
            &groups,
            &mut stream(&format!("case:{}", sc.name)),
        );
        case_scores.push(CaseScore {
            name: sc.name.clone(),
            title: sc.title.clone(),
            questions: range,
            mean: mean.scaled(1.0 / n),
            log: log.scaled(1.0 / n),
            skill,
        });
    }
    let n = questions.len().max(1) as f64;
    let mut mean = Scores::default();
    let mut log = Scores::default();
    for q in &questions {
        mean.add(&q.score);
        log.add(&q.log);
    }
    let (groups, resampled): (Vec<Vec<usize>>, _) = if case_scores.len() >= MIN_CASES_TO_RESAMPLE {
        let g = case_scores
            .iter()
            .map(|c| c.questions.clone().collect())
            .collect();
        (g, "cases")
    } else {
        ((0..questions.len()).map(|i| vec![i]).collect(), "questions")
    };
    let skill = bootstrap(&questions, &groups, &mut stream("all"));
    Board {
        runs,
        seed,
        cases: case_scores,
        questions,
        mean: mean.scaled(1.0 / n),
        log: log.scaled(1.0 / n),
        skill,
        resampled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brier_and_rps_by_hand() {
        // Yes/no: P(yes) = 0.8, it happened: (0.8 − 1)² = 0.04; it did not: 0.64.
        assert!((ranked_score(&[0.8, 0.2], 0) - 0.04).abs() < 1e-15);
        assert!((ranked_score(&[0.8, 0.2], 1) - 0.64).abs() < 1e-15);
        // Timing, 3 categories, p = (0.2, 0.5, 0.3), outcome the second:
        // F = (0.2, 0.7), O = (0, 1): (0.04 + 0.09) / 2 = 0.065.
        assert!((ranked_score(&[0.2, 0.5, 0.3], 1) - 0.065).abs() < 1e-15);
        // A perfect forecast scores 0; the uniform 0.5 scores 0.25 either way.
        assert_eq!(ranked_score(&[0.0, 1.0, 0.0], 1), 0.0);
        assert_eq!(ranked_score(&[0.5, 0.5], 0), 0.25);
    }

    #[test]
    fn log_scores_are_kept_finite() {
        // A reference of 0 for what happened, as if from 2000 runs: −ln(0.5 / 2001).
        let l = log_score(&[0.0, 1.0], 0, 2000);
        assert!((l - (2001.0f64 / 0.5).ln()).abs() < 1e-12);
        // 0.5 stays 0.5: (1000 + 0.5) / 2001 = 0.5.
        assert!((log_score(&[0.5, 0.5], 1, 2000) - 2f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn percentiles_are_observed_values() {
        let mut v: Vec<f64> = (1..=100).map(|x| x as f64).collect();
        assert_eq!(interval(&mut v), (Some(5.0), Some(95.0)));
        let mut one = vec![0.3];
        assert_eq!(interval(&mut one), (Some(0.3), Some(0.3)));
        assert_eq!(interval(&mut []), (None, None));
    }
}
