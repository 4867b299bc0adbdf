//! The files of a calibration: `posterior.csv` (every point of every round), `summary.json`
//! (priors beside posteriors, ESS, P(all observations) under prior and posterior, the closest
//! points) and `calibrated.toml` (the scenario at the posterior medians, each calibrated
//! number's source saying so).

use super::{Calibration, ParamSummary};
use crate::ensemble::stats::Proportion;
use crate::error::Result;
use crate::output::run::to_json;
use crate::output::CsvText;
use crate::scenario::{to_toml, Scenario};
use crate::sweep::points::PointLoader;
use serde::Serialize;
use std::collections::BTreeMap;

/// `posterior.csv`: `round,point,<parameters…>,runs,held_all,likelihood,weight,held_1…held_m`.
/// Weights are normalised within their round; the posterior is the last round with weight.
pub fn posterior_csv(cal: &Calibration, n_obs: usize) -> Result<Vec<u8>> {
    let mut head = vec!["round".to_string(), "point".to_string()];
    head.extend(cal.priors.iter().map(|p| p.key.clone()));
    head.extend(["runs", "held_all", "likelihood", "weight"].map(String::from));
    head.extend((1..=n_obs).map(|k| format!("held_{k}")));
    let mut csv = CsvText::new(head);
    let runs = cal.settings.runs;
    let mut point = 0;
    for (i, p) in cal.points.iter().enumerate() {
        if i > 0 && p.round != cal.points[i - 1].round {
            point = 0;
        }
        let mut row = vec![p.round.to_string(), point.to_string()];
        row.extend(p.theta.iter().map(|x| x.to_string()));
        row.push(runs.to_string());
        row.push(p.held.to_string());
        row.push((p.held as f64 / runs as f64).to_string());
        row.push(p.weight.to_string());
        row.extend(p.each.iter().map(|c| c.to_string()));
        csv.row(row);
        point += 1;
    }
    csv.finish()
}

#[derive(Serialize)]
struct ObsOut {
    label: String,
    source: String,
    /// The highest fraction of runs in which it held, at any point.
    best_p_holds: f64,
}

#[derive(Serialize)]
struct Closest {
    round: usize,
    parameters: BTreeMap<String, f64>,
    p_all: f64,
    /// Fraction of runs in which each observation held.
    p_each: Vec<f64>,
}

#[derive(Serialize)]
struct PAll {
    prior: Proportion,
    posterior: Option<f64>,
}

#[derive(Serialize)]
struct Summary<'a> {
    scenario: &'a str,
    seed: u64,
    samples: usize,
    runs: usize,
    /// Refinement rounds asked for.
    rounds: usize,
    /// Refinement rounds that ran (fewer when a round held no weight: nothing to refine).
    rounds_run: usize,
    /// Simulations that ran.
    simulations: u64,
    method: &'static str,
    /// Whether any point made every observation hold in at least one run.
    held_anywhere: bool,
    posterior_round: Option<usize>,
    ess: Option<f64>,
    parameters: Vec<ParamSummary>,
    p_all: PAll,
    observations: Vec<ObsOut>,
    /// The points closest to reproducing the record (most observations held per run).
    closest: Vec<Closest>,
}

/// The method, in one line (also in the README).
pub const METHOD: &str = "ABC with a simulated likelihood: uniform priors on [sensitivity.ranges], scrambled Sobol' prior points, likelihood = fraction of runs in which every observation holds (common random numbers), importance weights, population Monte Carlo rounds (resample, truncated Gaussian perturbation with sigma^2 = 2 Var, reweight)";

/// `summary.json` of a calibration.
pub fn summary_json(sc: &Scenario, cal: &Calibration) -> Result<String> {
    let s = &cal.settings;
    let closest = cal
        .closest(5)
        .into_iter()
        .map(|i| {
            let p = &cal.points[i];
            Closest {
                round: p.round,
                parameters: cal
                    .priors
                    .iter()
                    .map(|q| q.key.clone())
                    .zip(p.theta.iter().copied())
                    .collect(),
                p_all: p.held as f64 / s.runs as f64,
                p_each: p.each.iter().map(|c| *c as f64 / s.runs as f64).collect(),
            }
        })
        .collect();
    let post = cal.posterior.as_ref();
    let summary = Summary {
        scenario: &sc.name,
        seed: s.seed,
        samples: s.samples,
        runs: s.runs,
        rounds: s.rounds,
        rounds_run: cal.rounds_run(),
        simulations: cal.simulations(),
        method: METHOD,
        held_anywhere: post.is_some(),
        posterior_round: post.map(|p| p.round),
        ess: post.map(|p| p.ess),
        parameters: post.map(|p| p.params.clone()).unwrap_or_default(),
        p_all: PAll {
            prior: cal.p_prior,
            posterior: post.map(|p| p.p_all),
        },
        observations: sc
            .observations
            .iter()
            .zip(&cal.best_each)
            .map(|(o, b)| ObsOut {
                label: sc.observation_label(o),
                source: o.source.clone(),
                best_p_holds: *b,
            })
            .collect(),
        closest,
    };
    to_json(&summary)
}

/// `calibrated.toml`: the scenario at the posterior medians, every key explicit; actor keys,
/// relations and the issue say in their sources that they were calibrated and against what;
/// every calibrated key is also listed in the header. None without a posterior.
pub fn calibrated_toml(
    loader: &PointLoader,
    sc: &Scenario,
    cal: &Calibration,
) -> Result<Option<String>> {
    let Some(post) = &cal.posterior else {
        return Ok(None);
    };
    let medians: Vec<(String, f64)> = post
        .params
        .iter()
        .map(|p| (p.key.clone(), p.median))
        .collect();
    let mut out = loader.load(&medians)?;
    // Both stay within the limits a scenario file has, so the file always validates.
    out.name = format!("{}{SUFFIX}", cut_to(&sc.name, MAX_NAME - SUFFIX.len(), ""));
    let s = &cal.settings;
    let why = |p: &ParamSummary| {
        format!(
            "calibrated: posterior median given the {} [[observation]]s of `{}` (their sources are below); prior U({}, {}), 90% interval [{:.4}, {:.4}]; diplosim calibrate seed {}, {} samples × {} runs, {} rounds",
            sc.observations.len(), sc.name, p.prior[0], p.prior[1], p.p05, p.p95, s.seed, s.samples, s.runs, s.rounds
        )
    };
    let mut header = format!(
        "# `{}` calibrated: the numbers below at their posterior medians given the observations.\n",
        sc.name
    );
    for p in &post.params {
        let v = crate::sweep::points::fmt_value(&p.key, p.median);
        header.push_str(&format!("# {} = {v} ({})\n", p.key, why(p)));
        annotate(&mut out, &p.key, &why(p));
    }
    Ok(Some(header + &to_toml(&out)?))
}

/// The calibrated scenario's name suffix.
const SUFFIX: &str = "_calibrated";
/// Longest scenario name and source text a file may hold (as `validate` checks them).
const MAX_NAME: usize = 64;
const MAX_SOURCE: usize = 4000;
/// The marker of a source cut to fit.
const CUT: &str = " …[cut to fit]";

/// `s` in at most `max` characters, ending in `marker` if it had to be cut.
fn cut_to(s: &str, max: usize, marker: &str) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let keep = max.saturating_sub(marker.chars().count());
    let mut out: String = s.chars().take(keep).collect();
    out.push_str(marker);
    out
}

/// Put `why` in the source that belongs to `key`: the actor's per-key source, the relation's
/// source, or the issue's source (model and scenario keys have only the header).
fn annotate(sc: &mut Scenario, key: &str, why: &str) {
    let parts: Vec<&str> = key.split('.').collect();
    match parts.as_slice() {
        ["actor", id, k] => {
            if let Some(a) = sc.actors.iter_mut().find(|a| a.id == *id) {
                a.sources.insert(k.to_string(), why.to_string());
            }
        }
        ["relation", from, to, k] => {
            let (f, t) = (sc.actor_index(from), sc.actor_index(to));
            if let Some(r) = sc
                .relations
                .iter_mut()
                .find(|r| Some(r.from) == f && Some(r.to) == t)
            {
                r.source = cut_to(&format!("{k} {why}; {}", r.source), MAX_SOURCE, CUT);
            }
        }
        ["issue", k] => {
            sc.issue.source = cut_to(&format!("{k} {why}; {}", sc.issue.source), MAX_SOURCE, CUT)
        }
        _ => {}
    }
}
