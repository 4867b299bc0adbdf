//! Leave one case out (`backtest --loo`): each case is forecast with the shared `[model]`
//! parameters calibrated on the *other* cases' `[[observation]]`s — never on any question.
//!
//! - Parameters: every `model.*` key that some case's `[sensitivity.ranges]` marks as
//!   uncertain; its prior is uniform on the hull of the ranges the cases give it.
//! - Points: `samples` points of an Owen-scrambled Sobol' sequence over the priors (the same
//!   points for every fold).
//! - Likelihood of a point for case c: a composite likelihood, the product over c's observations
//!   of the share of `point_runs` runs (seeded by (seed, r): common random numbers across points)
//!   in which each held, kept off 0 as (h + ½)/(n + 1). (`calibrate` asks for every observation
//!   in the same run; across five cases' observations that is almost never met in a few dozen
//!   runs, so the folds would have no posterior. The product treats observations as independent
//!   given the parameters — an approximation, said here.) For the fold that holds out case h, a
//!   point's weight is the product over the other cases with observations.
//! - Forecast of h: a mixture over the points. Its `runs` runs are split among the points in
//!   proportion to the weights by systematic allocation (the k-th run goes to the point whose
//!   cumulative weight first reaches (k + ½)/runs), and the runs given to point j are seeded by
//!   (seed + j + 1, r). If no point makes every other case's observations hold in any run, the
//!   fold has no posterior and the forecast mixes the prior's points equally (said in the
//!   report).
//!
//! Deterministic for a seed, whatever the thread count: counts are integers summed in point order.

use super::{forecast_of, CaseForecast};
use crate::calibrate::{design, Point, Posterior, Prior};
use crate::error::{Error, Result};
use crate::observe::Question;
use crate::scenario::{Library, Scenario};
use crate::sweep::points::{Assignment, PointLoader};
use crate::sweep::runner::{evaluate, Control};
use crate::sweep::AllHold;
use std::path::PathBuf;

/// How much work the calibration inside `--loo` does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Prior points.
    pub samples: usize,
    /// Runs per point and training case.
    pub point_runs: usize,
    pub seed: u64,
}

/// One fold: the held-out case, the cases it was calibrated on, and the posterior.
#[derive(Debug, Clone, PartialEq)]
pub struct Fold {
    pub case: String,
    pub training: Vec<String>,
    /// None when no point made the training observations hold in any run.
    pub posterior: Option<Posterior>,
}

/// What `--loo` did.
#[derive(Debug, Clone, PartialEq)]
pub struct Loo {
    pub priors: Vec<Prior>,
    pub settings: Settings,
    pub folds: Vec<Fold>,
}

/// The shared uncertain parameters: `model.*` keys of the cases' ranges, on the hull of their
/// ranges, in key order.
pub fn shared_priors(cases: &[Scenario]) -> Vec<Prior> {
    let mut out: Vec<Prior> = Vec::new();
    for c in cases {
        for (k, lo, hi) in &c.sensitivity.ranges {
            if !k.starts_with("model.") {
                continue;
            }
            match out.iter_mut().find(|p| &p.key == k) {
                Some(p) => {
                    p.lo = p.lo.min(*lo);
                    p.hi = p.hi.max(*hi);
                }
                None => out.push(Prior {
                    key: k.clone(),
                    lo: *lo,
                    hi: *hi,
                }),
            }
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

/// Runs given to each point: systematic allocation of `runs` by the normalised weights `w`.
pub fn allocate(w: &[f64], runs: usize) -> Vec<usize> {
    let total: f64 = w.iter().sum();
    let mut out = vec![0; w.len()];
    if total <= 0.0 || w.is_empty() {
        return out;
    }
    let mut cum = 0.0;
    let mut j = 0;
    for k in 0..runs {
        let u = (k as f64 + 0.5) / runs as f64;
        while j + 1 < w.len() && cum + w[j] / total < u {
            cum += w[j] / total;
            j += 1;
        }
        out[j] += 1;
    }
    out
}

/// Runs (of `runs` split among `points` by the weights `w`, [`allocate`]) in which each of case
/// `sc`'s question checks held, in [`Question::checks`] order; `loader` loads the case at a point,
/// and the runs given to point j are seeded by (seed + j + 1, r).
pub fn held_mixture(
    loader: &PointLoader,
    points: &[Assignment],
    w: &[f64],
    sc: &Scenario,
    runs: usize,
    seed: u64,
    ctl: &Control,
) -> Result<Vec<u64>> {
    let alloc = allocate(w, runs);
    let checks: Vec<_> = sc.questions.iter().flat_map(Question::checks).collect();
    let mut held = vec![0u64; checks.len()];
    for (j, &m) in alloc.iter().enumerate() {
        if m == 0 {
            continue;
        }
        let at = loader.load(&points[j])?;
        let seed_j = seed.wrapping_add(j as u64 + 1);
        for (_, each) in evaluate(std::slice::from_ref(&at), m, seed_j, &AllHold(&checks), ctl)? {
            for (a, b) in held.iter_mut().zip(each) {
                *a += b;
            }
        }
    }
    Ok(held)
}

/// Forecast every case with the parameters calibrated on the others. `files[i]` is the file
/// `cases[i]` was loaded from.
///
/// Cost: `samples · point_runs` simulations per case with observations, plus `runs` per case.
pub fn forecast_loo(
    lib: &Library,
    files: &[PathBuf],
    cases: &[Scenario],
    runs: usize,
    s: Settings,
    ctl: &Control,
) -> Result<(Vec<CaseForecast>, Loo)> {
    let priors = shared_priors(cases);
    if priors.is_empty() {
        return Err(Error::Usage(
            "--loo calibrates the shared [model] parameters that the cases' [sensitivity.ranges] mark as uncertain (\"model.KEY\" = [min, max]); no case marks any".into(),
        ));
    }
    let thetas = design::sobol_points(&priors, s.samples, s.seed);
    let points: Vec<Assignment> = crate::calibrate::assignments(&priors, &thetas);
    let loaders: Vec<PointLoader> = files
        .iter()
        .map(|f| PointLoader::new(lib, &f.to_string_lossy(), Vec::new()))
        .collect::<Result<_>>()?;
    // Likelihood of every point for every case with observations.
    let mut lik: Vec<Option<Vec<f64>>> = Vec::with_capacity(cases.len());
    let n = s.point_runs as f64;
    for (c, loader) in cases.iter().zip(&loaders) {
        if c.observations.is_empty() {
            lik.push(None);
            continue;
        }
        let mut l = Vec::with_capacity(points.len());
        for chunk in points.chunks(256) {
            let scs = loader.load_all(chunk)?;
            for (_, each) in evaluate(&scs, s.point_runs, s.seed, &AllHold(&c.observations), ctl)? {
                l.push(
                    each.iter()
                        .map(|&h| ((h as f64 + 0.5) / (n + 1.0)).ln())
                        .sum(),
                );
            }
        }
        lik.push(Some(l));
    }
    let mut forecasts = Vec::with_capacity(cases.len());
    let mut folds = Vec::with_capacity(cases.len());
    for (h, (sc, loader)) in cases.iter().zip(&loaders).enumerate() {
        let training: Vec<usize> = (0..cases.len())
            .filter(|&c| c != h && lik[c].is_some())
            .collect();
        if training.is_empty() {
            return Err(Error::Usage(format!(
                "--loo: no case other than `{}` states [[observation]]s to calibrate on",
                sc.name
            )));
        }
        // Log-likelihoods add over the training cases; weights relative to the best point.
        let ll: Vec<f64> = (0..points.len())
            .map(|j| {
                training
                    .iter()
                    .map(|&c| lik[c].as_ref().map_or(0.0, |l| l[j]))
                    .sum()
            })
            .collect();
        let top = ll.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let w: Vec<f64> = ll.iter().map(|x| (x - top).exp()).collect();
        let pts: Vec<Point> = thetas
            .iter()
            .zip(&w)
            .map(|(t, x)| Point {
                round: 0,
                theta: t.clone(),
                held: 0,
                each: Vec::new(),
                weight: *x,
            })
            .collect();
        let posterior = Posterior::of(&priors, &pts, s.point_runs);
        let mix = if posterior.is_some() {
            w
        } else {
            vec![1.0; points.len()]
        };
        let held = held_mixture(loader, &points, &mix, sc, runs, s.seed, ctl)?;
        forecasts.push(forecast_of(sc, &held, runs, s.seed));
        folds.push(Fold {
            case: sc.name.clone(),
            training: training.iter().map(|&c| cases[c].name.clone()).collect(),
            posterior,
        });
    }
    Ok((
        forecasts,
        Loo {
            priors,
            settings: s,
            folds,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocation_follows_the_weights_exactly_where_it_can() {
        assert_eq!(allocate(&[1.0, 1.0, 2.0], 8), vec![2, 2, 4]);
        assert_eq!(allocate(&[0.0, 3.0, 0.0, 1.0], 4), vec![0, 3, 0, 1]);
        assert_eq!(allocate(&[0.0, 0.0], 5), vec![0, 0]);
        let a = allocate(&[0.2, 0.5, 0.3], 1000);
        assert_eq!(a, vec![200, 500, 300]);
        assert_eq!(allocate(&[1.0; 7], 3).iter().sum::<usize>(), 3);
    }
}
