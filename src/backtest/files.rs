//! The backtest's tables: `backtest.csv` (one row per question: forecast, outcome, references,
//! scores) and `summary.json` (per case and overall: mean scores and skills with intervals).

use super::score::{Board, Skill, REFERENCES};
use crate::error::{Error, Result};
use crate::output::{round_sig, CsvText};
use serde_json::{json, Value};

/// A probability or score as written: 6 significant digits.
fn num(x: f64) -> String {
    format!("{}", round_sig(x, 6))
}

/// Several probabilities in one cell, space-separated.
fn list(v: &[f64]) -> String {
    v.iter().map(|x| num(*x)).collect::<Vec<_>>().join(" ")
}

/// Yes/no questions show P(yes); timing questions every category's probability.
fn shown(timing: bool, p: &[f64]) -> String {
    if timing {
        list(p)
    } else {
        num(p[0])
    }
}

/// `backtest.csv`: one row per question, cases in order.
pub fn backtest_csv(b: &Board) -> Result<Vec<u8>> {
    let mut t = CsvText::new([
        "case",
        "question",
        "kind",
        "categories",
        "outcome",
        "runs",
        "held",
        "model",
        "base_rate",
        "persistence",
        "uniform",
        "score_model",
        "score_base_rate",
        "score_persistence",
        "score_uniform",
        "log_model",
        "log_base_rate",
        "log_persistence",
        "log_uniform",
    ]);
    for q in &b.questions {
        let s = &q.score;
        let l = &q.log;
        t.row([
            b.cases[q.case].name.clone(),
            q.id.clone(),
            if q.timing { "timing" } else { "yes/no" }.to_string(),
            q.categories.join("|"),
            q.categories[q.outcome].clone(),
            b.runs.to_string(),
            q.held
                .iter()
                .map(|h| h.to_string())
                .collect::<Vec<_>>()
                .join(" "),
            shown(q.timing, &q.model),
            shown(q.timing, &q.base_rate),
            shown(q.timing, &q.persistence),
            shown(q.timing, &q.uniform),
            num(s.model),
            num(s.base_rate),
            num(s.persistence),
            num(s.uniform),
            num(l.model),
            num(l.base_rate),
            num(l.persistence),
            num(l.uniform),
        ]);
    }
    t.finish()
}

/// A skill or bound: a number, "-inf" (the reference scored 0, the model did not), or null
/// (undefined).
fn opt(x: Option<f64>) -> Value {
    match x {
        Some(v) if v == f64::NEG_INFINITY => json!("-inf"),
        Some(v) => json!(round_sig(v, 6)),
        None => Value::Null,
    }
}

fn skills(s: &[Skill; 3]) -> Value {
    let mut m = serde_json::Map::new();
    for (name, k) in REFERENCES.iter().zip(s) {
        m.insert(
            name.to_string(),
            json!({ "skill": opt(k.value), "p05": opt(k.lo), "p95": opt(k.hi), "resamples_defined": k.defined }),
        );
    }
    Value::Object(m)
}

fn scores(s: &super::Scores) -> Value {
    json!({
        "model": round_sig(s.model, 6),
        "base_rate": round_sig(s.base_rate, 6),
        "persistence": round_sig(s.persistence, 6),
        "uniform": round_sig(s.uniform, 6),
    })
}

/// `manifest.json`: what wrote the folder and when (the one file whose bytes change from run
/// to run: `created`), so that `--force` knows the folder as diplosim's.
pub fn manifest_json(
    b: &Board,
    cases_hash: &[(String, String)],
    command: &str,
    threads: usize,
    posterior: Option<&super::posterior::Beside>,
) -> Result<String> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let cases: Vec<Value> = cases_hash
        .iter()
        .map(|(n, h)| json!({ "case": n, "scenario_hash": h }))
        .collect();
    let v = json!({
        "tool": "diplosim",
        "version": env!("CARGO_PKG_VERSION"),
        "kind": "backtest",
        "seed": b.seed,
        "runs": b.runs,
        "cases": cases,
        "command": command,
        "threads": threads,
        "created": crate::output::rfc3339(secs),
    });
    let mut v = v;
    if let Some(b) = posterior {
        v["posterior"] = json!({
            "file": b.draws.file.display().to_string(),
            "hash": b.draws.hash,
            "keys": b.draws.keys,
        });
    }
    serde_json::to_string_pretty(&v)
        .map(|s| s + "\n")
        .map_err(|e| Error::Run(format!("cannot write manifest.json: {e}")))
}

/// `summary.json`.
pub fn summary_json(
    b: &Board,
    cases_hash: &[(String, String)],
    loo: Option<&super::loo::Loo>,
    posterior: Option<&super::posterior::Beside>,
) -> Result<String> {
    let cases: Vec<Value> = b
        .cases
        .iter()
        .zip(cases_hash)
        .map(|(c, (_, hash))| {
            json!({
                "case": c.name,
                "title": c.title,
                "scenario_hash": hash,
                "questions": c.questions.len(),
                "mean_score": scores(&c.mean),
                "mean_log_score": scores(&c.log),
                "skill": skills(&c.skill),
            })
        })
        .collect();
    let questions: Vec<Value> = b
        .questions
        .iter()
        .map(|q| {
            json!({
                "case": b.cases[q.case].name,
                "id": q.id,
                "text": q.text,
                "kind": if q.timing { "timing" } else { "yes/no" },
                "categories": q.categories,
                "outcome": q.categories[q.outcome],
                "outcome_source": q.outcome_source,
                "base_rate_source": q.base_rate_source,
                "held": q.held,
                "model": q.model.iter().map(|x| round_sig(*x, 6)).collect::<Vec<_>>(),
                "base_rate": q.base_rate.iter().map(|x| round_sig(*x, 6)).collect::<Vec<_>>(),
                "persistence": q.persistence,
                "score": scores(&q.score),
                "log_score": scores(&q.log),
            })
        })
        .collect();
    let loo = loo.map_or(Value::Null, |l| {
        let folds: Vec<Value> = l
            .folds
            .iter()
            .map(|f| {
                let post = f.posterior.as_ref().map_or(Value::Null, |p| {
                    json!({
                        "effective_sample_size": round_sig(p.ess, 6),
                        "params": p.params.iter().map(|q| json!({
                            "key": q.key,
                            "prior": q.prior,
                            "median": round_sig(q.median, 6),
                            "p05": round_sig(q.p05, 6),
                            "p95": round_sig(q.p95, 6),
                        })).collect::<Vec<_>>(),
                    })
                });
                json!({ "case": f.case, "calibrated_on": f.training, "posterior": post })
            })
            .collect();
        json!({
            "samples": l.settings.samples,
            "runs_per_point": l.settings.point_runs,
            "priors": l.priors.iter().map(|p| json!({"key": p.key, "lo": p.lo, "hi": p.hi})).collect::<Vec<_>>(),
            "folds": folds,
        })
    });
    let posterior = posterior.map_or(Value::Null, |b| {
        let d = &b.draws;
        json!({
            "file": d.file.display().to_string(),
            "hash": d.hash,
            "round": d.round,
            "weighted_points": d.weighted_points,
            "effective_sample_size": round_sig(d.ess, 6),
            "points": d.points.len(),
            "medians": d.keys.iter().zip(&d.medians).map(|(k, m)| json!({"key": k, "median": round_sig(*m, 6)})).collect::<Vec<_>>(),
            "runs": "each case's runs split among the points by weight (systematic allocation); the runs of point j seeded by (seed + j + 1, r)",
            "at_medians": {
                "mean_score": scores(&b.medians.mean),
                "mean_log_score": scores(&b.medians.log),
                "skill": skills(&b.medians.skill),
                "cases": b.medians.cases.iter().map(|c| json!({"case": c.name, "mean_score": scores(&c.mean)})).collect::<Vec<_>>(),
            },
        })
    });
    let v = json!({
        "leave_one_out": loo,
        "posterior": posterior,
        "version": env!("CARGO_PKG_VERSION"),
        "seed": b.seed,
        "runs_per_case": b.runs,
        "smoothing": "model probabilities (h + 1/2) / (n + C/2) for h of n runs in a category of C; references as if from n runs in the log score only",
        "score": "Brier for yes/no questions, ranked probability score / (C - 1) for timing questions; both 0-1, lower is better",
        "skill": "1 - sum(score model) / sum(score reference); 90% intervals from 2000 resamples: overall of cases (of questions when fewer than 3 cases), per case of its questions; -inf where the reference scores 0 and the model does not",
        "overall_interval_resamples": b.resampled,
        "questions": b.questions.len(),
        "mean_score": scores(&b.mean),
        "mean_log_score": scores(&b.log),
        "skill": skills(&b.skill),
        "cases": cases,
        "by_question": questions,
    });
    serde_json::to_string_pretty(&v)
        .map(|s| s + "\n")
        .map_err(|e| Error::Run(format!("cannot write summary.json: {e}")))
}
