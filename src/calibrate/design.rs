//! Where calibration looks: prior points from an Owen-scrambled Sobol' sequence, and each later
//! round's proposals (resample by weight, perturb with a truncated Gaussian kernel), with the
//! kernel density the importance weights divide by. Everything is seeded, sequential and in
//! point order, so it is the same on any number of threads.

use crate::engine::Normal;
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A parameter's prior: uniform on [lo, hi].
#[derive(Debug, Clone, PartialEq)]
pub struct Prior {
    /// The `--set` key.
    pub key: String,
    pub lo: f64,
    pub hi: f64,
}

/// `n` points of the prior box from a scrambled Sobol' sequence (Burley's Owen scrambling,
/// seeded by `seed`): point i, dimension d is `sobol_burley::sample(i, d, seed)` mapped to
/// [lo, hi]. Cost: n · k.
pub fn sobol_points(priors: &[Prior], n: usize, seed: u64) -> Vec<Vec<f64>> {
    let s = (seed ^ (seed >> 32)) as u32;
    (0..n)
        .map(|i| {
            priors
                .iter()
                .enumerate()
                .map(|(d, p)| {
                    let u = sobol_burley::sample(i as u32, d as u32, s) as f64;
                    p.lo + u * (p.hi - p.lo)
                })
                .collect()
        })
        .collect()
}

/// The generator of refinement round `round` (≥ 1) of a calibration seeded with `seed`.
pub fn round_rng(seed: u64, round: usize) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x6361_6c69_6272_6174);
    rng.set_stream(round as u64);
    rng
}

/// Kernel widths of a round: twice the weighted standard deviation of each parameter in the
/// population (Beaumont et al. 2009's choice, σ² = 2·Var), at least 1% of its prior range.
pub fn kernel_widths(priors: &[Prior], pop: &[Vec<f64>], w: &[f64]) -> Vec<f64> {
    let total: f64 = w.iter().sum();
    priors
        .iter()
        .enumerate()
        .map(|(d, p)| {
            let mean: f64 = pop.iter().zip(w).map(|(x, w)| w * x[d]).sum::<f64>() / total;
            let var: f64 = pop
                .iter()
                .zip(w)
                .map(|(x, w)| w * (x[d] - mean).powi(2))
                .sum::<f64>()
                / total;
            (2.0 * var).sqrt().max(0.01 * (p.hi - p.lo))
        })
        .collect()
}

/// `n` proposals: systematic resampling of `pop` by weight `w`, each perturbed by a Gaussian
/// of widths `sigma` truncated to the prior box (redrawn until inside). Cost: n · k draws.
pub fn propose(
    priors: &[Prior],
    pop: &[Vec<f64>],
    w: &[f64],
    sigma: &[f64],
    n: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<Vec<f64>> {
    let total: f64 = w.iter().sum();
    let u0: f64 = rng.random::<f64>() / n as f64;
    let mut out = Vec::with_capacity(n);
    let (mut j, mut cum) = (0, w[0] / total);
    for i in 0..n {
        let u = u0 + i as f64 / n as f64;
        while u > cum && j + 1 < pop.len() {
            j += 1;
            cum += w[j] / total;
        }
        out.push(perturb(priors, &pop[j], sigma, rng));
    }
    out
}

fn perturb(priors: &[Prior], x: &[f64], sigma: &[f64], rng: &mut impl Rng) -> Vec<f64> {
    // The engine's platform-independent normal (libm), so a seed gives the same points anywhere.
    let mut normal = Normal::default();
    priors
        .iter()
        .enumerate()
        .map(|(d, p)| loop {
            let z = normal.draw(rng);
            let y = x[d] + sigma[d] * z;
            if p.lo <= y && y <= p.hi {
                break y;
            }
        })
        .collect()
}

/// Density of the truncated kernel centred on `from` at `x`: Π_d φ((x−from)/σ)/σ / Z_d (φ the
/// standard normal density), with
/// Z_d = Φ((hi−from)/σ) − Φ((lo−from)/σ) the mass inside the prior box.
pub fn kernel_density(priors: &[Prior], from: &[f64], x: &[f64], sigma: &[f64]) -> f64 {
    let mut dens = 1.0;
    for (d, p) in priors.iter().enumerate() {
        let s = sigma[d];
        let z = (x[d] - from[d]) / s;
        let mass = phi_cdf((p.hi - from[d]) / s) - phi_cdf((p.lo - from[d]) / s);
        dens *= libm::exp(-0.5 * z * z) / (SQRT_2PI * s * mass.max(1e-300));
    }
    dens
}

/// √(2π), the normal density's constant.
const SQRT_2PI: f64 = 2.506_628_274_631_000_7;

/// Standard normal CDF, Φ(x) = (1 + erf(x/√2)) / 2.
fn phi_cdf(x: f64) -> f64 {
    0.5 * (1.0 + erf(x / std::f64::consts::SQRT_2))
}

/// erf by Abramowitz & Stegun 7.1.26 (absolute error ≤ 1.5e-7).
fn erf(x: f64) -> f64 {
    let t = 1.0 / (1.0 + 0.3275911 * x.abs());
    let y = 1.0
        - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t
            + 0.254829592)
            * t
            * libm::exp(-x * x);
    if x >= 0.0 {
        y
    } else {
        -y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn priors() -> Vec<Prior> {
        vec![
            Prior {
                key: "a".into(),
                lo: 0.0,
                hi: 1.0,
            },
            Prior {
                key: "b".into(),
                lo: -2.0,
                hi: 2.0,
            },
        ]
    }

    #[test]
    fn sobol_points_fill_the_box_evenly() {
        let pts = sobol_points(&priors(), 256, 7);
        assert!(pts
            .iter()
            .all(|p| (0.0..=1.0).contains(&p[0]) && (-2.0..=2.0).contains(&p[1])));
        // Each quarter of each axis holds a quarter of the points (a (0,m,2)-net property).
        for d in 0..2 {
            let (lo, hi) = (priors()[d].lo, priors()[d].hi);
            for q in 0..4 {
                let a = lo + (hi - lo) * q as f64 / 4.0;
                let b = a + (hi - lo) / 4.0;
                let n = pts.iter().filter(|p| a <= p[d] && p[d] < b).count();
                assert_eq!(n, 64, "dim {d} quarter {q}");
            }
        }
        assert_eq!(pts, sobol_points(&priors(), 256, 7));
        assert_ne!(pts, sobol_points(&priors(), 256, 8));
    }

    #[test]
    fn erf_matches_known_values() {
        assert!((erf(0.5) - 0.520_499_877_8).abs() < 2e-7);
        assert!((phi_cdf(1.959963984540054) - 0.975).abs() < 2e-7);
        assert!(erf(0.0).abs() < 1e-8);
    }

    #[test]
    fn the_truncated_kernel_integrates_to_one() {
        let p = vec![priors()[0].clone()];
        let (from, s) = (vec![0.1], vec![0.3]);
        let n = 20_000;
        let sum: f64 = (0..n)
            .map(|i| kernel_density(&p, &from, &[(i as f64 + 0.5) / n as f64], &s) / n as f64)
            .sum();
        assert!((sum - 1.0).abs() < 1e-3, "{sum}");
    }

    #[test]
    fn resampling_follows_the_weights() {
        let p = priors();
        let pop = vec![vec![0.1, 0.0], vec![0.9, 1.0]];
        let mut rng = round_rng(1, 1);
        let out = propose(&p, &pop, &[0.0, 1.0], &[1e-9, 1e-9], 10, &mut rng);
        assert!(out.iter().all(|x| (x[0] - 0.9).abs() < 1e-6));
    }
}
