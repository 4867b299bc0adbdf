//! Calibration: the posterior of a scenario's uncertain assumptions given what was observed.
//!
//! It exists so that `[sensitivity.ranges]` (what we do not know) can be narrowed by
//! `[[observation]]`s (what happened). Approximate Bayesian computation with a likelihood
//! estimated by simulation:
//! - prior: uniform on each range; round 0 takes `samples` points of an Owen-scrambled Sobol'
//!   sequence ([`design::sobol_points`]);
//! - likelihood of a point: the fraction of its `runs` runs in which every observation holds,
//!   run r of every point seeded by (seed, r) (common random numbers, through
//!   [`crate::sweep::runner::evaluate`]);
//! - importance weight: likelihood × prior / proposal density (round 0: the likelihood);
//! - `rounds` of population Monte Carlo (ABC-SMC): resample by weight, perturb with a truncated
//!   Gaussian kernel, reweight by likelihood / Σ_j w_j K(θ | θ_j). The last round that holds
//!   any weight is the posterior.
//!
//! The library never prints; progress and Ctrl-C come in through [`Control`]. Everything outside
//! the runner is sequential and in point order, so the result does not depend on threads.

pub mod design;
pub mod draws;
mod files;
mod posterior;

pub use design::Prior;
pub use files::{calibrated_toml, posterior_csv, summary_json};
pub use posterior::{ParamSummary, Posterior};

use crate::ensemble::stats::{wilson, Proportion};
use crate::error::{Error, Result};
use crate::observe::Observation;
use crate::sweep::points::{Assignment, PointLoader};
use crate::sweep::runner::{evaluate, Control};
use crate::sweep::AllHold;

/// How much work a calibration does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Points per round.
    pub samples: usize,
    /// Runs per point.
    pub runs: usize,
    /// Refinement rounds after the prior round.
    pub rounds: usize,
    pub seed: u64,
}

impl Settings {
    /// Simulations in total.
    pub fn total_runs(&self) -> u64 {
        (self.samples * self.runs * (self.rounds + 1)) as u64
    }
}

/// One evaluated point.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub round: usize,
    /// Parameter values, in [`Calibration::priors`] order.
    pub theta: Vec<f64>,
    /// Runs in which every observation held.
    pub held: u64,
    /// Runs in which each observation held.
    pub each: Vec<u64>,
    /// Importance weight, normalised to sum 1 within the round (0 if the round has no weight).
    pub weight: f64,
}

/// Everything a calibration found.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    pub priors: Vec<Prior>,
    pub settings: Settings,
    /// Every point of every round, in round and point order.
    pub points: Vec<Point>,
    /// The posterior: the last round with any weight (None if no point made every observation
    /// hold in any run).
    pub posterior: Option<Posterior>,
    /// P(all observations hold) under the prior: all runs of round 0, 95% Wilson interval.
    pub p_prior: Proportion,
    /// Per observation, the highest fraction of runs in which it held at any point.
    pub best_each: Vec<f64>,
}

impl Calibration {
    /// Refinement rounds that ran (a round with no weight leaves nothing to refine).
    pub fn rounds_run(&self) -> usize {
        self.points.iter().map(|p| p.round).max().unwrap_or(0)
    }

    /// Simulations that ran.
    pub fn simulations(&self) -> u64 {
        (self.points.len() * self.settings.runs) as u64
    }

    /// Indices of the `n` points closest to reproducing the record: most observations held per
    /// run on average, then most runs with all held, then point order.
    pub fn closest(&self, n: usize) -> Vec<usize> {
        let score = |p: &Point| p.each.iter().sum::<u64>();
        let mut ix: Vec<usize> = (0..self.points.len()).collect();
        ix.sort_by(|&a, &b| {
            let (pa, pb) = (&self.points[a], &self.points[b]);
            score(pb)
                .cmp(&score(pa))
                .then(pb.held.cmp(&pa.held))
                .then(a.cmp(&b))
        });
        ix.truncate(n);
        ix
    }
}

/// The priors of `[sensitivity.ranges]`, in key order.
pub fn priors_of(ranges: &[(String, f64, f64)]) -> Vec<Prior> {
    ranges
        .iter()
        .map(|(k, lo, hi)| Prior {
            key: k.clone(),
            lo: *lo,
            hi: *hi,
        })
        .collect()
}

/// Most kernel evaluations the refinement rounds may plan (samples² a round): a round weighs each
/// new point against every point of the last population.
pub const MAX_REFINE_PAIRS: u64 = 4_000_000_000;

/// Refuse refinement work beyond [`MAX_REFINE_PAIRS`] before anything runs.
pub fn check_refinement(samples: usize, rounds: usize) -> Result<()> {
    let pairs = (samples as u64)
        .saturating_mul(samples as u64)
        .saturating_mul(rounds as u64);
    if pairs > MAX_REFINE_PAIRS {
        return Err(Error::Usage(format!(
            "--samples {samples} --rounds {rounds}: the refinement rounds would weigh {pairs} pairs of points (samples² × rounds); at most {MAX_REFINE_PAIRS}: use fewer samples or rounds"
        )));
    }
    Ok(())
}

/// Each point `thetas[i]` as the `--set` assignment of the priors' keys.
pub fn assignments(priors: &[Prior], thetas: &[Vec<f64>]) -> Vec<Assignment> {
    thetas
        .iter()
        .map(|t| {
            priors
                .iter()
                .map(|p| p.key.clone())
                .zip(t.iter().copied())
                .collect()
        })
        .collect()
}

/// Points loaded and evaluated at a time (bounds the scenarios held in memory).
const CHUNK: usize = 256;

/// Evaluate `thetas`: (runs where all held, runs where each held) per point.
fn evaluate_round(
    loader: &PointLoader,
    priors: &[Prior],
    obs: &[Observation],
    thetas: &[Vec<f64>],
    s: &Settings,
    ctl: &Control,
) -> Result<Vec<(u64, Vec<u64>)>> {
    let mut out = Vec::with_capacity(thetas.len());
    for chunk in thetas.chunks(CHUNK) {
        let points = assignments(priors, chunk);
        let scenarios = loader.load_all(&points)?;
        out.extend(evaluate(&scenarios, s.runs, s.seed, &AllHold(obs), ctl)?);
    }
    Ok(out)
}

/// Importance weights of a refinement round: likelihood × prior / proposal density, the
/// proposal being the previous population `pop` (weights `pw`) perturbed by the truncated kernel
/// (the prior is uniform, so constant inside the box). Cost: points² · k.
fn smc_weights(
    priors: &[Prior],
    pop: &[Vec<f64>],
    pw: &[f64],
    thetas: &[Vec<f64>],
    lik: &[f64],
) -> Vec<f64> {
    let sigma = design::kernel_widths(priors, pop, pw);
    // Each point's weight on its own, in parallel on the current pool, collected in order: the
    // same numbers with any thread count.
    use rayon::prelude::*;
    thetas
        .par_iter()
        .zip(lik.par_iter())
        .map(|(t, l)| {
            if *l == 0.0 {
                return 0.0;
            }
            let q: f64 = pop
                .iter()
                .zip(pw)
                .filter(|(_, w)| **w > 0.0)
                .map(|(x, w)| w * design::kernel_density(priors, x, t, &sigma))
                .sum();
            l / q
        })
        .collect()
}

/// Calibrate the scenario `loader` resolves against `obs`, over `priors`.
///
/// Cost: `samples · runs · (rounds + 1)` simulations, plus `samples² · k` per round for the
/// proposal densities.
pub fn calibrate(
    loader: &PointLoader,
    priors: &[Prior],
    obs: &[Observation],
    s: Settings,
    ctl: &Control,
) -> Result<Calibration> {
    if priors.is_empty() {
        return Err(Error::Usage(
            "calibrate needs [sensitivity.ranges]: the assumptions to calibrate, as \"KEY\" = [min, max]".into(),
        ));
    }
    if obs.is_empty() {
        return Err(Error::Usage(
            "calibrate needs at least one [[observation]]: what happened, to calibrate against"
                .into(),
        ));
    }
    let mut points = Vec::new();
    let mut thetas = design::sobol_points(priors, s.samples, s.seed);
    let mut prev: Option<(Vec<Vec<f64>>, Vec<f64>)> = None;
    let mut p_prior = wilson(0, 0);
    for round in 0..=s.rounds {
        let res = evaluate_round(loader, priors, obs, &thetas, &s, ctl)?;
        let lik: Vec<f64> = res.iter().map(|r| r.0 as f64 / s.runs as f64).collect();
        let w: Vec<f64> = match &prev {
            None => {
                let held: u64 = res.iter().map(|r| r.0).sum();
                p_prior = wilson(held, (s.samples * s.runs) as u64);
                lik.clone()
            }
            Some((pop, pw)) => smc_weights(priors, pop, pw, &thetas, &lik),
        };
        let total: f64 = w.iter().sum();
        let norm = |x: f64| if total > 0.0 { x / total } else { 0.0 };
        for ((t, r), x) in thetas.iter().zip(res).zip(&w) {
            points.push(Point {
                round,
                theta: t.clone(),
                held: r.0,
                each: r.1,
                weight: norm(*x),
            });
        }
        if total <= 0.0 {
            break;
        }
        let wn: Vec<f64> = w.iter().map(|x| x / total).collect();
        if round < s.rounds {
            let sigma = design::kernel_widths(priors, &thetas, &wn);
            let mut rng = design::round_rng(s.seed, round + 1);
            let next = design::propose(priors, &thetas, &wn, &sigma, s.samples, &mut rng);
            prev = Some((std::mem::replace(&mut thetas, next), wn));
        } else {
            prev = Some((thetas.clone(), wn));
        }
    }
    let best_each = (0..obs.len())
        .map(|k| {
            points
                .iter()
                .map(|p| p.each.get(k).copied().unwrap_or(0) as f64 / s.runs as f64)
                .fold(0.0, f64::max)
        })
        .collect();
    let posterior = Posterior::of(priors, &points, s.runs);
    Ok(Calibration {
        priors: priors.to_vec(),
        settings: s,
        points,
        posterior,
        p_prior,
        best_each,
    })
}
