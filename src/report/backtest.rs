//! The report of a backtest: the score table first (each case and all, the model beside its
//! three references, skills with 90% intervals), then every question with its forecast, what
//! happened and the sources of both, the reliability and score charts, and each case's numbers
//! with their sources.

use super::{Report, Section, Table};
use crate::backtest::{Board, QuestionScore};
use crate::scenario::Scenario;

/// A probability as a percentage with enough digits that a small one never reads as 0%.
fn prob(x: f64) -> String {
    if x == 0.0 || x == 1.0 {
        format!("{:.0}%", 100.0 * x)
    } else {
        super::pct(x)
    }
}

fn probs(q: &QuestionScore, p: &[f64]) -> String {
    if q.timing {
        q.categories
            .iter()
            .zip(p)
            .map(|(c, x)| format!("{c}: {}", prob(*x)))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        prob(p[0])
    }
}

/// A score to 4 decimals; one that is not exactly 0 or 1 never prints as 0 or 1.
fn score4(x: f64) -> String {
    match x {
        0.0 => "0".into(),
        x if x < 0.00005 => "< 0.0001".into(),
        x if x > 0.99995 && x < 1.0 => "> 0.9999".into(),
        x => format!("{x:.4}"),
    }
}

/// The report of `diplosim backtest`.
pub fn backtest(
    cases: &[Scenario],
    b: &Board,
    loo: Option<&crate::backtest::loo::Loo>,
    posterior: Option<&crate::backtest::posterior::Beside>,
    command: &str,
) -> Report {
    let mut r = Report {
        kind: "backtest".into(),
        title: format!("Backtest: {} historical cases", b.cases.len()),
        subtitle: format!(
            "{} questions · {} runs per case · seed {} · diplosim {}",
            b.questions.len(),
            b.runs,
            b.seed,
            env!("CARGO_PKG_VERSION")
        ),
        question: "How good are the model's forecasts of what happened after each case began, out of sample, against the question's base rate, persistence (nothing changes) and an uninformed forecast?".into(),
        command: command.to_string(),
        ..Default::default()
    };
    // Better or worse only when the 90% interval of the skill says so.
    let better = |k: &crate::backtest::Skill| match (k.value, k.lo, k.hi) {
        (Some(_), Some(lo), _) if lo > 0.0 => "better than",
        (Some(_), _, Some(hi)) if hi < 0.0 => "worse than",
        (Some(_), _, _) => "not distinguishable (90% interval) from",
        _ => "not comparable with",
    };
    r.headline.push(format!(
        "Mean score {:.3} (Brier / ranked probability, 0 perfect): {} the base rates ({:.3}), {} persistence ({:.3}), {} an uninformed forecast ({:.3}).",
        b.mean.model,
        better(&b.skill[0]),
        b.mean.base_rate,
        better(&b.skill[1]),
        b.mean.persistence,
        better(&b.skill[2]),
        b.mean.uniform
    ));
    r.headline.push(format!(
        "Skill (1 − score ÷ reference's, 90% interval over resampled {}): against base rates {}; against persistence {}; against an uninformed forecast {}.",
        b.resampled,
        b.skill[0].text(),
        b.skill[1].text(),
        b.skill[2].text()
    ));
    let mut t = Table::new(
        "Scores by case (lower is better) and skill (higher is better)",
        &[
            "case",
            "questions",
            "model",
            "base rate",
            "persistence",
            "uninformed",
            "log score",
            "skill vs base rate",
            "skill vs persistence",
            "skill vs uninformed",
        ],
        &[1, 2, 3, 4, 5, 6],
    );
    let mut row = |name: &str,
                   n: usize,
                   m: &crate::backtest::Scores,
                   l: f64,
                   s: &[crate::backtest::Skill; 3]| {
        t.row([
            name.to_string(),
            n.to_string(),
            format!("{:.3}", m.model),
            format!("{:.3}", m.base_rate),
            format!("{:.3}", m.persistence),
            format!("{:.3}", m.uniform),
            format!("{l:.3}"),
            s[0].text(),
            s[1].text(),
            s[2].text(),
        ]);
    };
    for c in &b.cases {
        row(&c.name, c.questions.len(), &c.mean, c.log.model, &c.skill);
    }
    row("all", b.questions.len(), &b.mean, b.log.model, &b.skill);
    r.key_tables.push(t.with_note(
        "Score: Brier for yes/no questions, ranked probability score ÷ (categories − 1) for timing questions. Log score: −ln P(what happened), the model's mean. \
         Model probabilities are (h + ½) ÷ (n + C/2) for h of n runs in a category of C, so never 0 or 1. \
         Uninformed: 0.5 for yes/no, equal probabilities over a timing question's categories. \
         Intervals (2,000 resamples): per case from its resampled questions, overall from resampled cases (from questions when there are fewer than 3 cases); -inf where the reference scores 0 and the model does not, n/a where both do.",
    ));
    let n = b.questions.len().max(1) as f64;
    let mut qt = Table::new(
        "Every question: the forecast, what happened, the references",
        &[
            "case",
            "question",
            "model",
            "happened",
            "base rate",
            "persistence",
            "score",
            "share of the mean",
        ],
        &[6, 7],
    );
    for q in &b.questions {
        qt.row([
            b.cases[q.case].name.clone(),
            q.text.clone(),
            probs(q, &q.model),
            q.outcome_text.clone(),
            probs(q, &q.base_rate),
            probs(q, &q.persistence),
            score4(q.score.model),
            score4(q.score.model / n),
        ]);
    }
    r.key_tables.push(qt.with_note(
        "Yes/no questions show P(yes); timing questions the probability of each category. Share of the mean: the question's score ÷ the number of questions.",
    ));
    if let Some(l) = loo {
        r.headline.push(format!(
            "Leave one case out: each case forecast with {} calibrated on the other cases' observations ({} points × {} runs each).",
            l.priors.iter().map(|p| p.key.as_str()).collect::<Vec<_>>().join(" and "),
            l.settings.samples,
            l.settings.point_runs
        ));
        let mut t = Table::new(
            "Leave one case out: the shared parameters each case was forecast with",
            &[
                "held-out case",
                "calibrated on",
                "posterior median [90% interval]",
                "effective sample size",
            ],
            &[3],
        );
        for f in &l.folds {
            let (post, ess) = match &f.posterior {
                Some(p) => (
                    p.params
                        .iter()
                        .map(|q| format!("{} {:.3} [{:.3}, {:.3}] (prior [{}, {}])", q.key, q.median, q.p05, q.p95, q.prior[0], q.prior[1]))
                        .collect::<Vec<_>>()
                        .join("; "),
                    format!("{:.0}", p.ess),
                ),
                None => (
                    "no posterior: no point made the other cases' observations hold in any run; forecast over the prior".into(),
                    "—".into(),
                ),
            };
            t.row([f.case.clone(), f.training.join(", "), post, ess]);
        }
        r.key_tables.push(t);
    }
    if let Some(post) = posterior {
        let d = &post.draws;
        r.headline.push(format!(
            "Parameter uncertainty included: each case's runs draw {} from the calibration posterior in {} (round {}, {} distinct point{}, effective sample size {:.0}). At the posterior medians alone ({}) the mean score is {:.3}; skill vs the base rates {}.",
            d.keys.join(" and "),
            d.file.display(),
            d.round,
            d.points.len(),
            if d.points.len() == 1 { "" } else { "s" },
            d.ess,
            post.medians_text(),
            post.medians.mean.model,
            post.medians.skill[0].text()
        ));
        let mut t = Table::new(
            "With the posterior's uncertainty and at its medians: mean score by case",
            &["case", "with uncertainty", "at the medians"],
            &[1, 2],
        );
        for (c, m) in b.cases.iter().zip(&post.medians.cases) {
            t.row([c.name.clone(), score4(c.mean.model), score4(m.mean.model)]);
        }
        t.row([
            "all".to_string(),
            score4(b.mean.model),
            score4(post.medians.mean.model),
        ]);
        r.key_tables
            .push(t.with_note("Brier / ranked probability score, 0 perfect; the same seeds."));
    }
    let mut src = Section {
        heading: "Outcomes and base rates: sources".into(),
        ..Default::default()
    };
    let mut st = Table::new(
        "",
        &["case", "question", "what happened", "base rate from"],
        &[],
    );
    for q in &b.questions {
        st.row([
            b.cases[q.case].name.clone(),
            q.id.clone(),
            q.outcome_source.clone(),
            q.base_rate_source.clone(),
        ]);
    }
    src.tables.push(st);
    r.sections.push(src);
    for sc in cases {
        let mut s = super::scenario::section(sc);
        s.heading = format!("Case {}: every number and its source", sc.name);
        r.sections.push(s);
    }
    r
}
