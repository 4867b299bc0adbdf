//! Global sensitivity analysis, independent of the model: Morris elementary effects and Sobol'
//! indices from Saltelli sampling with Jansen estimators and bootstrap intervals. Designs live
//! in the unit cube [0, 1]^k; the caller maps them to parameter ranges and evaluates outcomes.
//! Every random choice comes from a seeded ChaCha8 generator, so designs and intervals are
//! reproducible.

use rand::{Rng, RngExt};

/// A Morris design: `trajectories` of k+1 points each, one factor moved by ±Δ per step, on a
/// grid of `levels` levels with Δ = levels / (2 (levels − 1)) (Morris 1991; Saltelli et al. 2008).
pub struct MorrisDesign {
    pub k: usize,
    pub delta: f64,
    /// Points, trajectory by trajectory: (k+1)·r rows of k values in [0, 1].
    pub points: Vec<Vec<f64>>,
    /// For row t·(k+1) + s (s ≥ 1), the factor moved and the signed step: (i, ±Δ).
    pub moves: Vec<(usize, f64)>,
}

pub fn morris_design<R: Rng>(
    k: usize,
    trajectories: usize,
    levels: usize,
    rng: &mut R,
) -> MorrisDesign {
    let levels = levels.max(2);
    let delta = levels as f64 / (2.0 * (levels - 1) as f64);
    let mut points = Vec::with_capacity(trajectories * (k + 1));
    let mut moves = Vec::with_capacity(trajectories * k);
    for _ in 0..trajectories {
        // Base point on the grid {0, 1/(p−1), …, 1}.
        let mut x: Vec<f64> = (0..k)
            .map(|_| rng.random_range(0..levels) as f64 / (levels - 1) as f64)
            .collect();
        // Random order of factors (Fisher–Yates).
        let mut order: Vec<usize> = (0..k).collect();
        for i in (1..k).rev() {
            let j = rng.random_range(0..=i);
            order.swap(i, j);
        }
        points.push(x.clone());
        for &i in &order {
            // Step up if it stays in the cube, else down.
            let step = if x[i] + delta <= 1.0 + 1e-12 {
                delta
            } else {
                -delta
            };
            x[i] = (x[i] + step).clamp(0.0, 1.0);
            points.push(x.clone());
            moves.push((i, step));
        }
    }
    MorrisDesign {
        k,
        delta,
        points,
        moves,
    }
}

/// Morris statistics of one factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisIndex {
    /// μ* = mean |EE| (Campolongo et al. 2007): overall importance.
    pub mu_star: f64,
    /// μ = mean EE: sign of the effect.
    pub mu: f64,
    /// σ = standard deviation of EE: non-linearity and interactions.
    pub sigma: f64,
}

/// Elementary effects EE_i = (f(x + Δe_i) − f(x)) / Δ, in unit-cube units, per factor.
pub fn morris_indices(d: &MorrisDesign, y: &[f64]) -> Vec<MorrisIndex> {
    let k = d.k;
    let mut ee: Vec<Vec<f64>> = vec![Vec::new(); k];
    let r = d.points.len() / (k + 1);
    for t in 0..r {
        for s in 0..k {
            let (i, step) = d.moves[t * k + s];
            let a = y[t * (k + 1) + s];
            let b = y[t * (k + 1) + s + 1];
            ee[i].push((b - a) / step);
        }
    }
    ee.iter()
        .map(|e| {
            let n = e.len().max(1) as f64;
            let mu = e.iter().sum::<f64>() / n;
            let mu_star = e.iter().map(|x| x.abs()).sum::<f64>() / n;
            let sigma = if e.len() > 1 {
                (e.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
            } else {
                0.0
            };
            MorrisIndex { mu_star, mu, sigma }
        })
        .collect()
}

/// A Saltelli design: matrices A and B (N × k) and, for each factor i, A_B^i (A with column i
/// from B). Points in order: A, B, A_B^1, …, A_B^k — N·(k+2) in all.
pub struct SaltelliDesign {
    pub k: usize,
    pub n: usize,
    pub points: Vec<Vec<f64>>,
}

/// Most factors a Saltelli design can take: A and B are the 2k dimensions of one Sobol'
/// sequence, and `sobol_burley` has 256.
pub const MAX_SALTELLI_FACTORS: usize = 128;

/// A and B from one scrambled Sobol' low-discrepancy sequence of 2k dimensions (Saltelli 2002:
/// A the first k, B the last k; Burley's Owen scrambling seeded from `rng`), so the base samples
/// fill the cube more evenly than random points and the estimators converge faster. Cost N·k².
/// `k` must be at most [`MAX_SALTELLI_FACTORS`].
pub fn saltelli_design<R: Rng>(k: usize, n: usize, rng: &mut R) -> SaltelliDesign {
    let seed: u32 = rng.random();
    let u = |j: usize, d: usize| sobol_burley::sample(j as u32, d as u32, seed) as f64;
    let a: Vec<Vec<f64>> = (0..n).map(|j| (0..k).map(|d| u(j, d)).collect()).collect();
    let b: Vec<Vec<f64>> = (0..n)
        .map(|j| (0..k).map(|d| u(j, k + d)).collect())
        .collect();
    let mut points = Vec::with_capacity(n * (k + 2));
    points.extend(a.iter().cloned());
    points.extend(b.iter().cloned());
    for i in 0..k {
        for j in 0..n {
            let mut row = a[j].clone();
            row[i] = b[j][i];
            points.push(row);
        }
    }
    SaltelliDesign { k, n, points }
}

/// Sobol' indices of one factor with 95% bootstrap intervals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolIndex {
    pub s1: f64,
    pub s1_lo: f64,
    pub s1_hi: f64,
    pub st: f64,
    pub st_lo: f64,
    pub st_hi: f64,
}

/// Jansen (1999) estimators on a Saltelli design, V the variance of f over A and B:
/// S_i = (V − (1/2N) Σ_j (f(B)_j − f(A_B^i)_j)²) / V, S_Ti = (1/2N) Σ_j (f(A)_j − f(A_B^i)_j)² / V.
/// Intervals: percentile bootstrap over the N rows (`boot` resamples). None if f does not vary.
pub fn sobol_indices<R: Rng>(
    d: &SaltelliDesign,
    y: &[f64],
    boot: usize,
    rng: &mut R,
) -> Option<Vec<SobolIndex>> {
    let (n, k) = (d.n, d.k);
    let fa = &y[..n];
    let fb = &y[n..2 * n];
    let fab = |i: usize| &y[(2 + i) * n..(3 + i) * n];
    let estimate = |rows: &[usize]| -> Option<Vec<(f64, f64)>> {
        let m = rows.len() as f64;
        let all: Vec<f64> = rows.iter().flat_map(|&j| [fa[j], fb[j]]).collect();
        let mean = all.iter().sum::<f64>() / all.len() as f64;
        let v = all.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (all.len() as f64 - 1.0);
        // A constant outcome (up to rounding) has no variance to apportion.
        if v <= 1e-24 * (mean * mean + 1.0) || !v.is_finite() {
            return None;
        }
        Some(
            (0..k)
                .map(|i| {
                    let ab = fab(i);
                    let s1 = rows.iter().map(|&j| (fb[j] - ab[j]).powi(2)).sum::<f64>() / (2.0 * m);
                    let st = rows.iter().map(|&j| (fa[j] - ab[j]).powi(2)).sum::<f64>() / (2.0 * m);
                    ((v - s1) / v, st / v)
                })
                .collect(),
        )
    };
    let all: Vec<usize> = (0..n).collect();
    let point = estimate(&all)?;
    let mut samples: Vec<Vec<(f64, f64)>> = Vec::with_capacity(boot);
    for _ in 0..boot {
        let rows: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
        if let Some(e) = estimate(&rows) {
            samples.push(e);
        }
    }
    let pct = |mut v: Vec<f64>, q: f64| -> f64 {
        if v.is_empty() {
            return f64::NAN;
        }
        v.sort_by(f64::total_cmp);
        v[((v.len() - 1) as f64 * q).round() as usize]
    };
    Some(
        (0..k)
            .map(|i| {
                let s1s: Vec<f64> = samples.iter().map(|s| s[i].0).collect();
                let sts: Vec<f64> = samples.iter().map(|s| s[i].1).collect();
                SobolIndex {
                    s1: point[i].0,
                    s1_lo: pct(s1s.clone(), 0.025),
                    s1_hi: pct(s1s, 0.975),
                    st: point[i].1,
                    st_lo: pct(sts.clone(), 0.025),
                    st_hi: pct(sts, 0.975),
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use std::f64::consts::PI;

    fn ishigami(x: &[f64]) -> f64 {
        let (a, b) = (7.0, 0.1);
        let u: Vec<f64> = x.iter().map(|v| -PI + 2.0 * PI * v).collect();
        u[0].sin() + a * u[1].sin().powi(2) + b * u[2].powi(4) * u[0].sin()
    }

    #[test]
    fn sobol_recovers_the_ishigami_indices() {
        // Analytic (a = 7, b = 0.1): S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437).
        // With N = 2^14 the Monte Carlo error of these estimators is about 0.01; tolerance 0.03.
        let mut rng = ChaCha8Rng::seed_from_u64(2024);
        let d = saltelli_design(3, 1 << 14, &mut rng);
        let y: Vec<f64> = d.points.iter().map(|p| ishigami(p)).collect();
        let idx = sobol_indices(&d, &y, 100, &mut rng).unwrap();
        let s1 = [0.3139, 0.4424, 0.0];
        let st = [0.5576, 0.4424, 0.2437];
        for i in 0..3 {
            assert!(
                (idx[i].s1 - s1[i]).abs() < 0.03,
                "S1[{i}] = {} vs {}",
                idx[i].s1,
                s1[i]
            );
            assert!(
                (idx[i].st - st[i]).abs() < 0.03,
                "ST[{i}] = {} vs {}",
                idx[i].st,
                st[i]
            );
            assert!(idx[i].s1_lo <= idx[i].s1 && idx[i].s1 <= idx[i].s1_hi);
            assert!(idx[i].st_lo <= idx[i].st && idx[i].st <= idx[i].st_hi);
            // The analytic value lies in (or within 0.01 of) the bootstrap interval.
            assert!(
                st[i] > idx[i].st_lo - 0.01 && st[i] < idx[i].st_hi + 0.01,
                "ST[{i}] interval"
            );
        }
    }

    #[test]
    fn sobol_is_undefined_for_a_constant_outcome() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let d = saltelli_design(2, 64, &mut rng);
        let y = vec![0.7; d.points.len()];
        assert!(sobol_indices(&d, &y, 10, &mut rng).is_none());
    }

    #[test]
    fn morris_ranks_a_linear_function_exactly() {
        // f = 10 x1 + 5 x2 + 1 x3 + 0 x4: every elementary effect equals the coefficient.
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let d = morris_design(4, 20, 4, &mut rng);
        assert!((d.delta - 4.0 / 6.0).abs() < 1e-15);
        assert!(d.points.iter().flatten().all(|v| (0.0..=1.0).contains(v)));
        let y: Vec<f64> = d
            .points
            .iter()
            .map(|x| 10.0 * x[0] + 5.0 * x[1] + x[2])
            .collect();
        let m = morris_indices(&d, &y);
        for (i, c) in [10.0, 5.0, 1.0, 0.0].iter().enumerate() {
            assert!(
                (m[i].mu_star - c).abs() < 1e-9 && (m[i].mu - c).abs() < 1e-9 && m[i].sigma < 1e-9,
                "{i}: {:?}",
                m[i]
            );
        }
    }

    #[test]
    fn morris_sigma_flags_interactions() {
        // f = x1·x2 + 0.1 x3: x1 and x2 interact (σ > 0), x3 is linear (σ = 0); ordering by μ*.
        let mut rng = ChaCha8Rng::seed_from_u64(9);
        let d = morris_design(3, 50, 4, &mut rng);
        let y: Vec<f64> = d.points.iter().map(|x| x[0] * x[1] + 0.1 * x[2]).collect();
        let m = morris_indices(&d, &y);
        assert!(m[0].sigma > 0.1 && m[1].sigma > 0.1 && m[2].sigma < 1e-9);
        assert!(m[0].mu_star > m[2].mu_star && m[1].mu_star > m[2].mu_star);
    }
}
