//! What the weighted points say: each parameter's posterior median and 90% interval beside its
//! prior, the effective sample size, and P(all observations) under the posterior.

use super::{Point, Prior};
use serde::Serialize;

/// One parameter's prior and posterior.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParamSummary {
    pub key: String,
    /// The uniform prior's range.
    pub prior: [f64; 2],
    pub median: f64,
    /// 5% and 95% weighted quantiles: the 90% credible interval.
    pub p05: f64,
    pub p95: f64,
    /// 1 − (width of the 90% interval) / (width of the prior's 90% interval): 0 when the
    /// observations teach nothing about the parameter, near 1 when they pin it down.
    pub constraint: f64,
}

/// The posterior population: the last round with any weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Posterior {
    pub round: usize,
    /// Effective sample size of the weights, (Σw)² / Σw².
    pub ess: f64,
    pub params: Vec<ParamSummary>,
    /// P(all observations hold) under the posterior: the weighted mean of the points'
    /// likelihoods (the same runs that weighted them, so it leans high).
    pub p_all: f64,
}

/// The weighted quantile q of (value, weight) pairs: the smallest value whose cumulative
/// weight reaches q of the total (ties broken by value, then input order).
pub fn weighted_quantile(pairs: &[(f64, f64)], q: f64) -> f64 {
    let mut v: Vec<(f64, f64)> = pairs.iter().copied().filter(|p| p.1 > 0.0).collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = v.iter().map(|p| p.1).sum();
    let mut cum = 0.0;
    for (x, w) in &v {
        cum += w;
        if cum >= q * total {
            return *x;
        }
    }
    v.last().map_or(f64::NAN, |p| p.0)
}

impl Posterior {
    /// The posterior of `points` (all rounds), or None if no round has weight.
    pub fn of(priors: &[Prior], points: &[Point], runs: usize) -> Option<Posterior> {
        let round = points
            .iter()
            .filter(|p| p.weight > 0.0)
            .map(|p| p.round)
            .max()?;
        let pop: Vec<&Point> = points.iter().filter(|p| p.round == round).collect();
        let (s, s2) = pop.iter().fold((0.0, 0.0), |(a, b), p| {
            (a + p.weight, b + p.weight * p.weight)
        });
        let params = priors
            .iter()
            .enumerate()
            .map(|(d, pr)| {
                let pairs: Vec<(f64, f64)> = pop.iter().map(|p| (p.theta[d], p.weight)).collect();
                let (p05, p95) = (
                    weighted_quantile(&pairs, 0.05),
                    weighted_quantile(&pairs, 0.95),
                );
                ParamSummary {
                    key: pr.key.clone(),
                    prior: [pr.lo, pr.hi],
                    median: weighted_quantile(&pairs, 0.5),
                    p05,
                    p95,
                    constraint: 1.0 - (p95 - p05) / (0.9 * (pr.hi - pr.lo)),
                }
            })
            .collect();
        let p_all = pop
            .iter()
            .map(|p| p.weight * p.held as f64 / runs as f64)
            .sum::<f64>()
            / s;
        Some(Posterior {
            round,
            ess: s * s / s2,
            params,
            p_all,
        })
    }

    /// Indices of the parameters, most constrained first (ties: key order).
    pub fn by_constraint(&self) -> Vec<usize> {
        let mut ix: Vec<usize> = (0..self.params.len()).collect();
        ix.sort_by(|&a, &b| {
            self.params[b]
                .constraint
                .total_cmp(&self.params[a].constraint)
                .then(a.cmp(&b))
        });
        ix
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_quantiles_follow_the_weights() {
        let pairs = [(3.0, 1.0), (1.0, 1.0), (2.0, 2.0), (9.0, 0.0)];
        assert_eq!(weighted_quantile(&pairs, 0.0), 1.0);
        assert_eq!(weighted_quantile(&pairs, 0.25), 1.0);
        assert_eq!(weighted_quantile(&pairs, 0.5), 2.0);
        assert_eq!(weighted_quantile(&pairs, 0.75), 2.0);
        assert_eq!(weighted_quantile(&pairs, 0.76), 3.0);
        assert_eq!(weighted_quantile(&pairs, 1.0), 3.0);
    }

    #[test]
    fn ess_and_constraint() {
        let priors = vec![Prior {
            key: "x".into(),
            lo: 0.0,
            hi: 1.0,
        }];
        let pts: Vec<Point> = (0..10)
            .map(|i| Point {
                round: 0,
                theta: vec![i as f64 / 10.0],
                held: 1,
                each: vec![1],
                weight: 0.1,
            })
            .collect();
        let p = Posterior::of(&priors, &pts, 2).unwrap();
        assert!((p.ess - 10.0).abs() < 1e-9);
        assert!((p.p_all - 0.5).abs() < 1e-12);
        assert!((p.params[0].p95 - p.params[0].p05 - 0.9).abs() < 1e-12);
        assert!(p.params[0].constraint.abs() < 1e-9);
    }
}
