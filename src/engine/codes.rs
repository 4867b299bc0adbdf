//! Rules 2 and 8, the code choice: draws a CAMEO code for a desired tone τ, weighted by the
//! code's base rate in the record, with one `exp` per draw (see [`CodeSampler`]). `exp` is the
//! pure-Rust `libm` crate's, so that the draws do not depend on the platform's C library.

use crate::model::{CATALOGUE, COERCIVE};
use rand::{Rng, RngExt};

/// Largest gap between consecutive n_k = 10·G_k of the catalogue (from −40 to −20; checked in the
/// tests).
const MAX_GAP: usize = 20;

/// Draws event codes (rules 2 and 8): code k with probability ∝ f_k · exp(−(g_k − τ)² / 2T²),
/// g_k = G_k/10, f_k its base rate in the record, among the codes open to the actor.
///
/// Expanding the square, the weight is f_k · exp(−g_k²/2T²) · exp(g_k τ/T²) · exp(−τ²/2T²); the last
/// factor is common to all codes and drops out. Every G_k has one decimal, so g_k = n_k/100 with
/// an integer n_k, and exp(g_k τ/T²) = z^{n_k} with z = exp(τ/(100T²)): one `exp` per draw and a
/// product per code (codes visited in order of n_k, multiplying by z^{gap}), instead of one `exp`
/// per code. For T below 0.05 the powers could overflow, and the weights are computed directly.
#[derive(Debug, Clone)]
pub(crate) struct CodeSampler {
    g: [f64; CATALOGUE.len()],
    open_low: [bool; CATALOGUE.len()],
    inv_2t2: f64,
    factored: bool,
    /// f_k · exp(−g_k²/2T²)
    f: [f64; CATALOGUE.len()],
    a: [f64; CATALOGUE.len()],
    /// Catalogue indices in increasing n_k, and n_k − n_{k−1} along that order.
    order: [usize; CATALOGUE.len()],
    gap: [i32; CATALOGUE.len()],
    n_first: i32,
    u: f64,
}

impl CodeSampler {
    pub(crate) fn new(temperature: f64) -> CodeSampler {
        let t2 = temperature * temperature;
        let mut g = [0.0; CATALOGUE.len()];
        let mut n = [0i32; CATALOGUE.len()];
        let mut a = [0.0; CATALOGUE.len()];
        let mut open_low = [false; CATALOGUE.len()];
        let mut f = [0.0; CATALOGUE.len()];
        for (k, c) in CATALOGUE.iter().enumerate() {
            g[k] = c.goldstein / 10.0;
            n[k] = (c.goldstein * 10.0).round() as i32;
            f[k] = c.base_rate();
            a[k] = f[k] * libm::exp(-g[k] * g[k] / (2.0 * t2));
            open_low[k] = c.goldstein <= COERCIVE;
        }
        let mut order: [usize; CATALOGUE.len()] = std::array::from_fn(|k| k);
        order.sort_by_key(|&k| (n[k], k));
        let mut gap = [0i32; CATALOGUE.len()];
        for w in 1..order.len() {
            gap[w] = n[order[w]] - n[order[w - 1]];
        }
        CodeSampler {
            g,
            open_low,
            inv_2t2: 1.0 / (2.0 * t2),
            factored: temperature >= 0.05,
            f,
            a,
            order,
            gap,
            n_first: n[order[0]],
            u: 1.0 / (100.0 * t2),
        }
    }

    /// Unnormalised weights into `w` (catalogue order); returns their sum.
    #[inline]
    fn weights(&self, tau: f64, coercive_ok: bool, w: &mut [f64; CATALOGUE.len()]) -> f64 {
        if self.factored {
            let z = libm::exp(tau * self.u);
            // z^0 … z^MAX_GAP by repeated multiplication.
            let mut zp = [1.0f64; MAX_GAP + 1];
            for d in 1..=MAX_GAP {
                zp[d] = zp[d - 1] * z;
            }
            let mut zn = powi(z, self.n_first);
            for (pos, &k) in self.order.iter().enumerate() {
                zn *= zp[self.gap[pos] as usize];
                w[k] = if coercive_ok || !self.open_low[k] {
                    self.a[k] * zn
                } else {
                    0.0
                };
            }
        } else {
            for (k, wk) in w.iter_mut().enumerate() {
                let d = self.g[k] - tau;
                *wk = if coercive_ok || !self.open_low[k] {
                    self.f[k] * libm::exp(-d * d * self.inv_2t2)
                } else {
                    0.0
                };
            }
        }
        let mut total = 0.0;
        for x in w.iter_mut() {
            total += *x;
            *x = total;
        }
        total
    }

    #[inline]
    pub(crate) fn pick<R: Rng>(
        &self,
        tau: f64,
        coercive_ok: bool,
        w: &mut [f64; CATALOGUE.len()],
        rng: &mut R,
    ) -> usize {
        let total = self.weights(tau, coercive_ok, w);
        if !(total > 0.0 && total.is_finite()) {
            // Every open code underflowed (a tiny T): take the nearest open code.
            return self.nearest(tau, coercive_ok);
        }
        let u: f64 = rng.random::<f64>() * total;
        w.iter()
            .position(|&cum| u < cum)
            .unwrap_or_else(|| self.nearest(tau, coercive_ok))
    }

    fn nearest(&self, tau: f64, coercive_ok: bool) -> usize {
        let mut best = 0;
        let mut best_d = f64::INFINITY;
        for (k, g) in self.g.iter().enumerate() {
            if (coercive_ok || !self.open_low[k]) && (g - tau).abs() < best_d {
                best_d = (g - tau).abs();
                best = k;
            }
        }
        best
    }
}

/// z^n by binary powering, the same multiplications on every platform (`f64::powi`'s precision
/// is unspecified and may vary by platform or Rust version).
fn powi(z: f64, n: i32) -> f64 {
    let (mut base, mut e, mut r) = (z, n.unsigned_abs(), 1.0);
    loop {
        if e & 1 == 1 {
            r *= base;
        }
        e >>= 1;
        if e == 0 {
            break;
        }
        base *= base;
    }
    if n < 0 {
        1.0 / r
    } else {
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::run_rng;

    /// Normalised probabilities straight from the formula of DESIGN.md (rules 2 and 8).
    fn direct(tau: f64, t: f64, coercive_ok: bool) -> Vec<f64> {
        let w: Vec<f64> = CATALOGUE
            .iter()
            .map(|c| {
                let g = c.goldstein / 10.0;
                if coercive_ok || c.goldstein > COERCIVE {
                    c.base_rate() * (-(g - tau).powi(2) / (2.0 * t * t)).exp()
                } else {
                    0.0
                }
            })
            .collect();
        let s: f64 = w.iter().sum();
        w.iter().map(|x| x / s).collect()
    }

    #[test]
    fn factored_code_weights_equal_the_direct_formula() {
        for &t in &[0.05, 0.1, 0.15, 0.3, 1.0, 0.02] {
            let sampler = CodeSampler::new(t);
            for k in 0..=40 {
                let tau = -1.0 + k as f64 * 0.05;
                for ok in [false, true] {
                    let mut w = [0.0; CATALOGUE.len()];
                    let total = sampler.weights(tau, ok, &mut w);
                    let want = direct(tau, t, ok);
                    let mut prev = 0.0;
                    for (k, p) in want.iter().enumerate() {
                        let got = (w[k] - prev) / total;
                        prev = w[k];
                        assert!(
                            (got - p).abs() < 1e-12,
                            "T={t} τ={tau} code {k}: {got} vs {p}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn catalogue_gaps_fit_the_power_table() {
        let s = CodeSampler::new(0.15);
        assert!(s.gap.iter().all(|&g| (0..=MAX_GAP as i32).contains(&g)));
        assert_eq!(*s.gap.iter().max().unwrap(), MAX_GAP as i32);
    }

    #[test]
    fn coercive_codes_are_closed_below_the_escalation_threshold() {
        let s = CodeSampler::new(0.15);
        let mut rng = run_rng(3, 0);
        let mut w = [0.0; CATALOGUE.len()];
        for _ in 0..2000 {
            let k = s.pick(-1.0, false, &mut w, &mut rng);
            assert!(CATALOGUE[k].goldstein > COERCIVE);
        }
        // With posture high enough, τ = −1 draws force or blockade with the formula's probability
        // (≈ 0.802); 2000 draws lie within 4 standard deviations of it.
        let p: f64 = direct(-1.0, 0.15, true)
            .iter()
            .zip(CATALOGUE.iter())
            .filter(|(_, c)| c.goldstein <= -9.5)
            .map(|(p, _)| p)
            .sum();
        let hostile = (0..2000)
            .filter(|_| CATALOGUE[s.pick(-1.0, true, &mut w, &mut rng)].goldstein <= -9.5)
            .count();
        let sd = (2000.0 * p * (1.0 - p)).sqrt();
        assert!(
            (hostile as f64 - 2000.0 * p).abs() < 4.0 * sd,
            "{hostile} vs {}",
            2000.0 * p
        );
    }

    #[test]
    fn base_rates_weight_the_choice() {
        // Rule 8 by hand: at τ = 0, T = 0.5, consult (G = 1, 1,082 events in the record) against a
        // statement (G = 0, 378 events): (1082/378)·exp(−0.1²/(2·0.5²)) = 2.80575…
        let s = CodeSampler::new(0.5);
        let mut w = [0.0; CATALOGUE.len()];
        s.weights(0.0, false, &mut w);
        let p = |code: &str| {
            let k = crate::model::code_index(code).unwrap();
            w[k] - if k == 0 { 0.0 } else { w[k - 1] }
        };
        assert!((p("040") / p("010") - 2.805753874386003).abs() < 1e-12);
    }
}
