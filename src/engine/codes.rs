//! Rules 2 and 8, the code choice: draws a CAMEO code for a desired tone τ, weighted by the
//! code's base rate in the record (see [`CodeSampler`]): in O(1) by rejection from tabulated
//! envelopes, almost never calling `exp`. `exp` is the pure-Rust `libm` crate's, so that the draws
//! do not depend on the platform's C library.

use super::alias::alias_table;
use crate::model::{CATALOGUE, COERCIVE};
use rand::{Rng, RngExt};

/// Largest gap between consecutive n_k = 10·G_k of the catalogue (from −40 to −20; checked in the
/// tests).
const MAX_GAP: usize = 20;

const K: usize = CATALOGUE.len();
/// 2⁶⁴, the scale of the alias tables' keep thresholds.
const TWO64: f64 = 18446744073709551616.0;
const _: () = assert!(K <= 256, "alias entries are bytes");

/// Envelope bins per unit of 1/T²: a bin of width 2/B costs an acceptance of at least
/// exp(−|g|·(2/B)/T²) ≥ exp(−1/16) ≈ 0.94 for the most extreme code (|g| = 1).
const BINS_PER_INV_T2: f64 = 32.0;
const MIN_BINS: usize = 64;
/// Above this many bins (T below 0.125; 2,048 bins take 1.4 MB) the sampler computes the weights
/// of every code for each draw instead.
const MAX_BINS: usize = 2048;

/// Draws event codes (rules 2 and 8): code k with probability ∝ f_k · exp(−(g_k − τ)² / 2T²),
/// g_k = G_k/10, f_k its base rate in the record, among the codes open to the actor.
///
/// Expanding the square, the weight is a_k · exp(g_k τ/T²) · exp(−τ²/2T²) with
/// a_k = f_k · exp(−g_k²/2T²); the last factor is common to all codes and drops out, and what is
/// left is monotonic in τ for each code. So on a bin [τ_b, τ_b + h] of the tone axis each weight is
/// at most its value at one end (τ*_k = τ_b + h if g_k > 0, else τ_b), the **envelope**
/// m_k = a_k · exp(g_k τ*_k/T²). [`CodeSampler::pick`] draws k from the envelope in O(1) with
/// Walker's alias table of the bin (one per bin and escalation state, built once per scenario),
/// and accepts it with probability w_k(τ)/m_k = e^y, y = g_k (τ − τ*_k)/T² ∈ [−1/16, 0], else
/// draws again: the accepted code has the formula's distribution (up to the 2⁻³² resolution of
/// the acceptance uniform). The uniform is compared with 1 + y + y²/2 + y³/6 ≤ e^y ≤ 1 + y + y²/2
/// first, so `exp` is needed with probability |y|³/6 < 10⁻⁴.
///
/// For T below 0.125 the tables would be large, and each draw computes all weights instead (one
/// `exp` per draw and a product per code: every G_k has one decimal, so g_k = n_k/100 with an
/// integer n_k and exp(g_k τ/T²) = z^{n_k} with z = exp(τ/(100T²)), codes visited in order of n_k;
/// for T below 0.05 the powers could overflow and the weights are computed directly).
#[derive(Debug, Clone)]
pub(crate) struct CodeSampler {
    g: [f64; K],
    open_low: [bool; K],
    inv_2t2: f64,
    factored: bool,
    /// f_k · exp(−g_k²/2T²)
    f: [f64; K],
    a: [f64; K],
    /// Catalogue indices in increasing n_k, and n_k − n_{k−1} along that order.
    order: [usize; K],
    gap: [i32; K],
    n_first: i32,
    u: f64,
    /// The envelopes' alias tables, absent for T below 0.125.
    tables: Option<Tables>,
}

/// Alias tables of the envelope of every bin of τ ∈ [−1, 1], for both escalation states.
#[derive(Debug, Clone)]
struct Tables {
    bins: usize,
    /// Bin width h = 2/B, and 1/h.
    width: f64,
    per_width: f64,
    /// c_k = g_k/T², and c_k·h for g_k > 0 (else 0): log acceptance = c_k (τ − τ_b) − off_k.
    c: [f64; K],
    off: [f64; K],
    /// Entry ((escalated · B) + b) · K + column: keep the column with probability
    /// `keep / 2⁶⁴`, else take `alias`.
    keep: Vec<u64>,
    alias: Vec<u8>,
}

impl CodeSampler {
    pub(crate) fn new(temperature: f64) -> CodeSampler {
        let t2 = temperature * temperature;
        let mut g = [0.0; K];
        let mut n = [0i32; K];
        let mut a = [0.0; K];
        let mut open_low = [false; K];
        let mut f = [0.0; K];
        for (k, c) in CATALOGUE.iter().enumerate() {
            g[k] = c.goldstein / 10.0;
            n[k] = (c.goldstein * 10.0).round() as i32;
            f[k] = c.base_rate();
            a[k] = f[k] * libm::exp(-g[k] * g[k] / (2.0 * t2));
            open_low[k] = c.goldstein <= COERCIVE;
        }
        let mut order: [usize; K] = std::array::from_fn(|k| k);
        order.sort_by_key(|&k| (n[k], k));
        let mut gap = [0i32; K];
        for w in 1..order.len() {
            gap[w] = n[order[w]] - n[order[w - 1]];
        }
        let mut s = CodeSampler {
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
            tables: None,
        };
        s.tables = s.build_tables(t2);
        s
    }

    /// The envelopes' alias tables, or `None` when T is too small for them (or a weight is not
    /// a finite positive number, which the catalogue's base rates rule out for T ≥ 0.125).
    fn build_tables(&self, t2: f64) -> Option<Tables> {
        let bins = bins_for(t2)?;
        let width = 2.0 / bins as f64;
        let c: [f64; K] = std::array::from_fn(|k| self.g[k] / t2);
        let off: [f64; K] =
            std::array::from_fn(|k| if self.g[k] > 0.0 { c[k] * width } else { 0.0 });
        let mut prob = vec![0.0; 2 * bins * K];
        let mut alias = vec![0u8; 2 * bins * K];
        let mut m = [0.0; K];
        for escalated in [false, true] {
            for b in 0..bins {
                let lo = bin_start(b, width);
                for k in 0..K {
                    m[k] = if escalated || !self.open_low[k] {
                        let top = if self.g[k] > 0.0 { lo + width } else { lo };
                        self.a[k] * libm::exp(c[k] * top)
                    } else {
                        0.0
                    };
                }
                let at = (usize::from(escalated) * bins + b) * K;
                if !alias_table(&m, &mut prob[at..at + K], &mut alias[at..at + K]) {
                    return None;
                }
            }
        }
        Some(Tables {
            bins,
            width,
            per_width: bins as f64 / 2.0,
            c,
            off,
            // A probability below 1 scales below 2⁶⁴; 1 saturates to 2⁶⁴ − 1 where the alias is
            // the column itself, so that changes nothing.
            keep: prob.iter().map(|&q| (q * TWO64).round() as u64).collect(),
            alias,
        })
    }

    /// Bytes the tables of a sampler for `temperature` take (0 without tables), without building
    /// them.
    pub(crate) fn table_bytes(temperature: f64) -> usize {
        bins_for(temperature * temperature)
            .map_or(0, |bins| 2 * bins * K * (std::mem::size_of::<u64>() + 1))
    }

    /// Unnormalised weights into `w` (catalogue order); returns their sum.
    #[inline]
    fn weights(&self, tau: f64, coercive_ok: bool, w: &mut [f64; K]) -> f64 {
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

    /// One code for desired tone τ ∈ [−1, 1] (coercive codes only when `coercive_ok`).
    #[inline]
    pub(crate) fn pick<R: Rng>(&self, tau: f64, coercive_ok: bool, rng: &mut R) -> usize {
        let Some(t) = &self.tables else {
            return self.pick_by_weights(tau, coercive_ok, rng);
        };
        // 1/h = B/2 is a power of two: the product is the quotient (τ + 1)/h exactly.
        if !(-1.0..=1.0).contains(&tau) {
            // Not a tone the engine makes (it clamps τ); NaN would never be accepted.
            return self.pick_by_weights(tau.clamp(-1.0, 1.0), coercive_ok, rng);
        }
        let b = t.bin_of(tau);
        let d = tau - bin_start(b, t.width);
        let at = (usize::from(coercive_ok) * t.bins + b) * K;
        let (keep, alias) = (&t.keep[at..at + K], &t.alias[at..at + K]);
        loop {
            // r·K / 2⁶⁴ in 128 bits: the integer part is a uniform column, the fraction a
            // uniform to compare with the column's threshold (Lemire's multiply).
            let m = u128::from(rng.next_u64()) * K as u128;
            let col = (m >> 64) as usize;
            // The column or its alias, selected without a branch (which one comes up is a
            // coin toss a branch predictor cannot learn).
            let other = alias[col] as usize;
            let take = usize::from((m as u64) >= keep[col]).wrapping_neg();
            let k = col ^ ((col ^ other) & take);
            let y = t.c[k] * d - t.off[k];
            let u = f64::from(rng.next_u32()) * (1.0 / 4294967296.0);
            let quadratic = 1.0 + y * (1.0 + 0.5 * y);
            if u < quadratic + y * y * y * (1.0 / 6.0) {
                return k;
            }
            if u < quadratic && u < libm::exp(y) {
                return k;
            }
        }
    }

    /// The code choice by inversion of all the weights (small T).
    fn pick_by_weights<R: Rng>(&self, tau: f64, coercive_ok: bool, rng: &mut R) -> usize {
        let mut w = [0.0; K];
        let total = self.weights(tau, coercive_ok, &mut w);
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

impl Tables {
    /// The bin of τ ∈ [−1, 1] (τ = 1 in the last). 1/h = B/2 is a power of two, so the product
    /// is the quotient (τ + 1)/h exactly.
    #[inline(always)]
    fn bin_of(&self, tau: f64) -> usize {
        // (τ + 1)/h ∈ [0, B] for τ ∈ [−1, 1] and B ≤ MAX_BINS: there a plain conversion to i32
        // is exact (truncation), without the saturating `as`'s range checks. Anything else (a
        // τ out of range or NaN, which `pick` never passes) takes the saturating path.
        let x = (tau + 1.0) * self.per_width;
        if !(0.0..=MAX_BINS as f64).contains(&x) {
            return (x as usize).min(self.bins - 1);
        }
        // SAFETY: x is in [0, MAX_BINS] (checked above), so finite and within i32.
        let b = unsafe { x.to_int_unchecked::<i32>() } as usize;
        b.min(self.bins - 1)
    }
}

/// Bins of the envelope tables for T² = `t2` (a power of two, at least [`MIN_BINS`]), or `None`
/// when more than [`MAX_BINS`] would be needed.
fn bins_for(t2: f64) -> Option<usize> {
    let want = (BINS_PER_INV_T2 / t2).ceil();
    if !want.is_finite() || want > MAX_BINS as f64 {
        return None;
    }
    Some((want as usize).next_power_of_two().max(MIN_BINS))
}

/// Left end of bin b of [−1, 1] (the same expression wherever a bin's end is needed).
#[inline(always)]
fn bin_start(b: usize, width: f64) -> f64 {
    // b < MAX_BINS: through u32 the conversion is one instruction.
    -1.0 + f64::from(b as u32) * width
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

    /// The distribution `pick` implements, computed from its tables: the alias table's
    /// probability of each code (columns kept, plus aliases taken) times the acceptance
    /// exp(g_k (τ − τ*_k)/T²), normalised.
    fn implied(s: &CodeSampler, tau: f64, t: f64, ok: bool) -> Vec<f64> {
        let tb = s.tables.as_ref().expect("tables");
        let b = tb.bin_of(tau);
        let lo = -1.0 + b as f64 * tb.width;
        let at = (usize::from(ok) * tb.bins + b) * CATALOGUE.len();
        let kk = CATALOGUE.len();
        let mut p = vec![0.0; kk];
        for col in 0..kk {
            let keep = tb.keep[at + col] as f64 / TWO64;
            p[col] += keep / kk as f64;
            p[tb.alias[at + col] as usize] += (1.0 - keep) / kk as f64;
        }
        for (k, c) in CATALOGUE.iter().enumerate() {
            let g = c.goldstein / 10.0;
            let top = if g > 0.0 { lo + tb.width } else { lo };
            let accept = ((g * (tau - top)) / (t * t)).exp();
            // The acceptance `pick` computes from its constants is this one.
            let used = (tb.c[k] * (tau - lo) - tb.off[k]).exp();
            assert!(
                (used - accept).abs() < 1e-12,
                "T={t} τ={tau} code {k}: {used} vs {accept}"
            );
            p[k] *= accept;
        }
        let sum: f64 = p.iter().sum();
        p.iter().map(|x| x / sum).collect()
    }

    #[test]
    fn the_envelope_sampler_has_the_formula_distribution() {
        for &t in &[0.125, 0.15, 0.3, 0.5, 1.0, 10.0] {
            let s = CodeSampler::new(t);
            let bins = s.tables.as_ref().unwrap().bins;
            let h = 2.0 / bins as f64;
            // Bin edges and the floats either side of them, both ends of the axis, points between.
            let mut taus = vec![-1.0, 1.0, 0.0, -0.0, 1.0 - 1e-12, -1.0 + 1e-12];
            for k in 0..=200 {
                taus.push(-1.0 + k as f64 * 0.01 + 0.0037);
                let edge: f64 = -1.0 + (k * bins / 200) as f64 * h;
                taus.extend([edge, edge.next_up(), edge.next_down()]);
            }
            for &tau in taus.iter().filter(|x| (-1.0..=1.0).contains(*x)) {
                for ok in [false, true] {
                    let want = direct(tau, t, ok);
                    let got = implied(&s, tau, t, ok);
                    for k in 0..CATALOGUE.len() {
                        assert!(
                            (got[k] - want[k]).abs() < 1e-12,
                            "T={t} τ={tau} code {k}: {} vs {}",
                            got[k],
                            want[k]
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn envelope_draws_follow_the_formula() {
        // 2,000,000 draws at τ = 0.3, T = 0.5, against the formula by Pearson's χ² over the codes
        // with an expected count of at least 5 (the rest pooled): at most 37 degrees of freedom,
        // whose critical value at p = 5·10⁻⁶ is about 88 (the seed is fixed: it passes or fails
        // the same way every time). Codes closed below the escalation
        // threshold are never drawn.
        let s = CodeSampler::new(0.5);
        let mut rng = run_rng(7, 0);
        let n = 2_000_000;
        for ok in [true, false] {
            let mut count = vec![0u64; CATALOGUE.len()];
            for _ in 0..n {
                count[s.pick(0.3, ok, &mut rng)] += 1;
            }
            let (mut chi2, mut rest_seen, mut rest_want) = (0.0, 0.0, 0.0);
            for (k, p) in direct(0.3, 0.5, ok).iter().enumerate() {
                let want = n as f64 * p;
                if *p == 0.0 {
                    assert_eq!(count[k], 0, "closed code {k} drawn");
                } else if want >= 5.0 {
                    chi2 += (count[k] as f64 - want).powi(2) / want;
                } else {
                    rest_seen += count[k] as f64;
                    rest_want += want;
                }
            }
            if rest_want > 0.0 {
                chi2 += (rest_seen - rest_want).powi(2) / rest_want;
            }
            assert!(chi2 < 88.0, "ok={ok}: χ² = {chi2}");
        }
    }

    #[test]
    fn small_temperatures_compute_every_weight() {
        // Below T = 0.125 the tables would pass MAX_BINS: the draw computes the weights.
        assert!(CodeSampler::new(0.12).tables.is_none());
        assert!(CodeSampler::new(0.125).tables.is_some());
        assert_eq!(CodeSampler::new(0.5).tables.unwrap().bins, 128);
        assert_eq!(CodeSampler::new(10.0).tables.unwrap().bins, MIN_BINS);
        for t in [0.1, 0.125, 0.3, 0.5, 10.0] {
            let built = CodeSampler::new(t).tables.map_or(0, |tb| tb.keep.len() * 9);
            assert_eq!(CodeSampler::table_bytes(t), built, "T = {t}");
        }
        let s = CodeSampler::new(0.1);
        let mut rng = run_rng(5, 0);
        for _ in 0..100 {
            assert!(CATALOGUE[s.pick(-1.0, false, &mut rng)].goldstein > COERCIVE);
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
        for _ in 0..2000 {
            let k = s.pick(-1.0, false, &mut rng);
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
            .filter(|_| CATALOGUE[s.pick(-1.0, true, &mut rng)].goldstein <= -9.5)
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
