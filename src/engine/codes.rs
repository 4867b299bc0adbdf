//! Rule 2's code choice in 0.5: **class, then code** (docs/model.md).
//!
//! An event of desired tone τ first takes its quad class c (verbal / material × cooperation /
//! conflict) with probability `P(c | τ) = exp(a_c + b_c τ) / Σ_d exp(a_d + b_d τ)`, verbal
//! cooperation the reference class (a = b = 0): a multinomial logit fitted across ICEWS dyads
//! (`scripts/fit_reactions.py`). Then it takes a code k of that class with probability
//! ∝ f_k · exp(−(g_k − τ)² / 2T²), g_k = G_k/10 — rule 8's weight, the code's base rate in the
//! record times its closeness to the tone, restricted to the class — among the codes open to the
//! sender. (By base rate alone, a hostile pair's cooperative events would be "sign formal
//! agreement" as often as anyone's; with the tone they are statements and pessimistic comments.) A code
//! behind a [`Gate`] is closed unless the sender's posture (military, force) or its economic
//! leverage over the target (economic) reaches the gate's threshold. Every class has open codes
//! (statements, criticism, reduced relations), so a closed gate moves the draw to the open codes
//! of the same class, never to another class.
//!
//! Draws: one 64-bit uniform for the class and one for the code, both compared against
//! cumulative sums (no rejection); four `exp` of the pure-Rust `libm` crate per event (three for
//! the class, one for z = exp(τ/(100T²)), whose integer powers z^{10 G_k} give every code's tone
//! factor exp(g_k τ/T²) by exact repeated squaring), so that draws do not depend on the
//! platform's C library. Below T = 0.05 the powers could overflow and each weight is computed
//! directly.

use crate::model::{EventClass, Gate, Params, CATALOGUE};
use rand::Rng;

const K: usize = CATALOGUE.len();
/// 2⁶⁴ as f64.
const TWO64: f64 = 18446744073709551616.0;

/// Which gates are open to a sender toward a target: bit 0 military, bit 1 force, bit 2 economic.
pub(crate) type Mask = usize;
pub(crate) const MILITARY: Mask = 1;
pub(crate) const FORCE: Mask = 2;
pub(crate) const ECONOMIC: Mask = 4;

/// The classes in link order: verbal cooperation (the reference), material cooperation, verbal
/// conflict, material conflict.
const CLASSES: [EventClass; 4] = EventClass::ALL;

/// The class link and, for every class, its codes with their factored weights.
#[derive(Debug, Clone)]
pub(crate) struct CodeSampler {
    a: [f64; 4],
    b: [f64; 4],
    /// `codes[c]`: catalogue indices of class c, in catalogue order.
    codes: [Vec<usize>; 4],
    /// Per code (catalogue index): f_k exp(−g_k²/2T²), n_k = 10 G_k, g_k and f_k.
    fa: [f64; K],
    n: [i32; K],
    g: [f64; K],
    f: [f64; K],
    /// 1/(100 T²) and 1/(2T²).
    u: f64,
    inv_2t2: f64,
    factored: bool,
}

impl CodeSampler {
    pub(crate) fn new(pr: &Params) -> CodeSampler {
        let codes: [Vec<usize>; 4] = std::array::from_fn(|c| {
            (0..K)
                .filter(|&k| CATALOGUE[k].class() == CLASSES[c])
                .collect()
        });
        let t2 = pr.temperature * pr.temperature;
        let g: [f64; K] = std::array::from_fn(|k| CATALOGUE[k].goldstein / 10.0);
        let f: [f64; K] = std::array::from_fn(|k| CATALOGUE[k].base_rate());
        CodeSampler {
            a: [0.0, pr.class_mc_a, pr.class_vf_a, pr.class_mf_a],
            b: [0.0, pr.class_mc_b, pr.class_vf_b, pr.class_mf_b],
            codes,
            fa: std::array::from_fn(|k| f[k] * libm::exp(-g[k] * g[k] / (2.0 * t2))),
            n: std::array::from_fn(|k| (CATALOGUE[k].goldstein * 10.0).round() as i32),
            g,
            f,
            u: 1.0 / (100.0 * t2),
            inv_2t2: 1.0 / (2.0 * t2),
            factored: pr.temperature >= 0.05,
        }
    }

    /// Bytes the sampler holds.
    pub(crate) fn table_bytes() -> usize {
        std::mem::size_of::<CodeSampler>() + K * std::mem::size_of::<usize>()
    }

    /// P(class | τ) for the four classes in [`EventClass::ALL`] order.
    pub(crate) fn class_probs(&self, tau: f64) -> [f64; 4] {
        let mut e = [0.0; 4];
        let mut top = f64::NEG_INFINITY;
        for c in 0..4 {
            e[c] = self.a[c] + self.b[c] * tau;
            top = top.max(e[c]);
        }
        let mut sum = 0.0;
        for x in &mut e {
            *x = libm::exp(*x - top);
            sum += *x;
        }
        e.map(|x| x / sum)
    }

    /// The weight of code k at tone τ (open or not), f_k exp(−(g_k − τ)²/2T²) up to a factor
    /// common to all codes; `z` = exp(τ/(100T²)).
    #[inline(always)]
    fn weight(&self, k: usize, tau: f64, z: f64) -> f64 {
        if self.factored {
            self.fa[k] * powi(z, self.n[k])
        } else {
            let d = self.g[k] - tau;
            self.f[k] * libm::exp(-d * d * self.inv_2t2)
        }
    }

    /// Draws a code for desired tone τ with gates `mask` open: the class by the link, then the
    /// code within the class by rule 8's weight among the open codes.
    #[inline]
    pub(crate) fn pick<R: Rng>(&self, tau: f64, mask: Mask, rng: &mut R) -> usize {
        let tau = tau.clamp(-1.0, 1.0);
        let p = self.class_probs(tau);
        let u = rng.next_u64() as f64 * (1.0 / TWO64);
        let mut c = 3;
        let mut acc = 0.0;
        for (k, pk) in p.iter().enumerate().take(3) {
            acc += pk;
            if u < acc {
                c = k;
                break;
            }
        }
        let codes = &self.codes[c];
        let z = if self.factored {
            libm::exp(tau * self.u)
        } else {
            0.0
        };
        let mut w = [0.0f64; K];
        let mut total = 0.0;
        let mut last = 0;
        for (at, &k) in codes.iter().enumerate() {
            if open(k, mask) {
                total += self.weight(k, tau, z);
                last = at;
            }
            w[at] = total;
        }
        let v = rng.next_u64() as f64 * (1.0 / TWO64) * total;
        // `v < w` first holds at an open code (a closed code repeats its predecessor's sum);
        // v = total (rounding) takes the last open code.
        let at = w[..codes.len()].iter().position(|&x| v < x).unwrap_or(last);
        codes[at]
    }
}

/// Whether code k is open under `mask`.
#[inline(always)]
pub(crate) fn open(k: usize, mask: Mask) -> bool {
    match CATALOGUE[k].gate() {
        Gate::Open => true,
        Gate::Military => mask & MILITARY != 0,
        Gate::Force => mask & FORCE != 0,
        Gate::Economic => mask & ECONOMIC != 0,
    }
}

/// z^n by repeated squaring (the same bits on every platform, unlike `powi`).
#[inline(always)]
fn powi(z: f64, n: i32) -> f64 {
    let (mut base, mut e, mut r) = (z, n.unsigned_abs(), 1.0);
    while e > 0 {
        if e & 1 == 1 {
            r *= base;
        }
        e >>= 1;
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

    #[test]
    fn class_probabilities_are_the_fitted_logit() {
        let s = CodeSampler::new(&Params::default());
        // By hand at τ = −1 with the defaults: exponents 0, −4.11 + 0.74 = −3.37,
        // −2.57 + 2.61 = 0.04, −3.29 + 1.99 = −1.30.
        let e = [0.0f64, -3.37, 0.04, -1.30].map(f64::exp);
        let sum: f64 = e.iter().sum();
        let p = s.class_probs(-1.0);
        for c in 0..4 {
            assert!((p[c] - e[c] / sum).abs() < 1e-12, "{c}: {p:?}");
        }
        // Tone 0: verbal cooperation 1 / (1 + e^−4.11 + e^−2.57 + e^−3.29).
        let p0 = s.class_probs(0.0)[0];
        let want = 1.0 / (1.0 + (-4.11f64).exp() + (-2.57f64).exp() + (-3.29f64).exp());
        assert!((p0 - want).abs() < 1e-12);
    }

    /// 200,000 draws at τ = −0.8, gates closed and all open: the class shares against the link
    /// (χ², 3 degrees of freedom, critical value 27.9 at p = 10⁻⁵) and, within material conflict,
    /// the code shares against rule 8's weights of its open codes (χ², codes expected ≥ 5 times).
    #[test]
    fn draws_follow_class_then_code() {
        let s = CodeSampler::new(&Params::default());
        let mut rng = run_rng(5, 0);
        for mask in [0, MILITARY | FORCE | ECONOMIC] {
            let n = 200_000;
            let mut count = [0u64; K];
            for _ in 0..n {
                count[s.pick(-0.8, mask, &mut rng)] += 1;
            }
            let p = s.class_probs(-0.8);
            let mut chi2 = 0.0;
            for (c, class) in EventClass::ALL.iter().enumerate() {
                let got: u64 = (0..K)
                    .filter(|&k| CATALOGUE[k].class() == *class)
                    .map(|k| count[k])
                    .sum();
                let want = n as f64 * p[c];
                chi2 += (got as f64 - want).powi(2) / want;
            }
            assert!(chi2 < 27.9, "mask {mask}: class χ² {chi2}");
            // Closed codes never come up; open codes of material conflict in proportion to
            // f_k exp(−(g_k − τ)²/2T²), computed here directly (T = 0.5).
            let mf: Vec<usize> = (0..K)
                .filter(|&k| CATALOGUE[k].class() == EventClass::MaterialConflict)
                .collect();
            let wt = |k: usize| {
                let d = CATALOGUE[k].goldstein / 10.0 + 0.8;
                CATALOGUE[k].base_rate() * (-d * d / 0.5).exp()
            };
            let open_w: f64 = mf.iter().filter(|&&k| open(k, mask)).map(|&k| wt(k)).sum();
            let total: u64 = mf.iter().map(|&k| count[k]).sum();
            let (mut chi2, mut df) = (0.0f64, 0.0f64);
            for &k in &mf {
                if !open(k, mask) {
                    assert_eq!(count[k], 0, "{} is closed", CATALOGUE[k].code);
                    continue;
                }
                let want = total as f64 * wt(k) / open_w;
                if want < 5.0 {
                    continue;
                }
                chi2 += (count[k] as f64 - want).powi(2) / want;
                df += 1.0;
            }
            // Wilson–Hilferty critical value at p = 10⁻⁵.
            let h = 2.0 / (9.0 * df);
            let crit = df * (1.0 - h + 4.265 * h.sqrt()).powi(3);
            assert!(chi2 < crit, "mask {mask}: code χ² {chi2} ≥ {crit}");
        }
    }

    #[test]
    fn gates_close_exactly_their_codes() {
        let gated = |g: Gate| -> Vec<&str> {
            CATALOGUE
                .iter()
                .filter(|c| c.gate() == g)
                .map(|c| c.code)
                .collect()
        };
        assert_eq!(gated(Gate::Military), ["138", "150"]);
        assert_eq!(gated(Gate::Force), ["190", "191"]);
        assert_eq!(gated(Gate::Economic), ["162", "163"]);
        // Every class keeps open codes with every gate closed.
        for class in EventClass::ALL {
            assert!(CATALOGUE
                .iter()
                .enumerate()
                .any(|(k, c)| c.class() == class && open(k, 0)));
        }
    }
}
