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
//! Draws: the class and then the code by rejection from envelopes tabulated on bins of the tone
//! axis (a Walker alias table per bin, accepted with the exact ratio from a degree-8 Taylor
//! polynomial, acceptance at least 0.94 at the defaults), a 64- and a 32-bit uniform per attempt;
//! the code's envelopes need T ≥ 0.395 (|g|/T² times the bin width 2/128 at most 0.1), and below
//! that the weights of the class are computed for each draw — z = exp(τ/(100T²)) from a 512-point
//! table times its Taylor polynomial, and its integer powers z^{10 G_k} by repeated squaring —
//! and the code drawn from their cumulative sum. Only multiplication and addition after the
//! tables (built with `libm`'s pure-Rust exp), so the same bits on every platform; below T = 0.05
//! the powers could overflow and each weight is computed directly.

use super::alias::alias_table;
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

/// Bins of the tone axis [−1, 1] for the tabulated exponentials ([`ExpTable`]).
const BINS: usize = 512;
/// Bins of the tone axis for the within-class envelopes ([`Envelopes`]).
const CODE_BINS: usize = 128;
/// Largest |g_k|/T² · (bin width) for which the envelopes are used: the acceptance is then at
/// least e^−0.1 ≈ 0.9, and its Taylor polynomial exact to rounding. T = 0.5 gives 0.0625.
const MAX_ENVELOPE_SLOPE: f64 = 0.1;

/// Within-class code choice by rejection from tabulated envelopes: on a bin [τ_b, τ_b + h] of
/// the tone axis each weight fa_k e^{g_k τ/T²} is at most its value at one end (τ*_k = τ_b + h if
/// g_k > 0, else τ_b); a Walker alias table per (class, open gates of the class, bin) draws k from
/// those maxima, and k is accepted with probability e^{g_k (τ − τ*_k)/T²} ∈ [e^−0.1, 1] (from
/// its Taylor polynomial), else drawn again: the accepted code has the weights' distribution, up
/// to the 2⁻³² resolution of the acceptance uniform.
#[derive(Debug, Clone)]
struct Envelopes {
    /// `table[c][mask & 7]`: index of the table set of class c for that mask (masks that differ
    /// only in gates the class does not have share one).
    table: [[usize; 8]; 4],
    /// Per table set: bins × the class's codes entries, `(keep threshold, alias position)`.
    keep: Vec<Vec<u64>>,
    alias: Vec<Vec<u8>>,
    /// c_k = g_k/T² and off_k = c_k h for g_k > 0 (else 0), per catalogue index.
    slope: [f64; K],
    off: [f64; K],
}

impl Envelopes {
    fn new(
        order: &[Vec<usize>; 4],
        fa: &[f64; K],
        g: &[f64; K],
        need: &[Mask; K],
        t2: f64,
    ) -> Option<Envelopes> {
        let h = 2.0 / CODE_BINS as f64;
        let slope: [f64; K] = std::array::from_fn(|k| g[k] / t2);
        if slope.iter().any(|c| c.abs() * h > MAX_ENVELOPE_SLOPE) {
            return None;
        }
        let off: [f64; K] = std::array::from_fn(|k| if g[k] > 0.0 { slope[k] * h } else { 0.0 });
        let mut table = [[0usize; 8]; 4];
        let (mut keep, mut alias) = (Vec::new(), Vec::new());
        for c in 0..4 {
            let has: Mask = order[c].iter().fold(0, |m, &k| m | need[k]);
            let mut built: Vec<(Mask, usize)> = Vec::new();
            for mask in 0..8 {
                let m = mask & has;
                if let Some(&(_, at)) = built.iter().find(|(x, _)| *x == m) {
                    table[c][mask] = at;
                    continue;
                }
                let n = order[c].len();
                let (mut kp, mut al) = (vec![0u64; CODE_BINS * n], vec![0u8; CODE_BINS * n]);
                let mut w = vec![0.0; n];
                let mut prob = vec![0.0; n];
                let mut a = vec![0u8; n];
                for b in 0..CODE_BINS {
                    let lo = -1.0 + b as f64 * h;
                    for (i, &k) in order[c].iter().enumerate() {
                        let top = if g[k] > 0.0 { lo + h } else { lo };
                        w[i] = if need[k] & m == need[k] {
                            fa[k] * libm::exp(slope[k] * top)
                        } else {
                            0.0
                        };
                    }
                    if !alias_table(&w, &mut prob, &mut a) {
                        return None;
                    }
                    for i in 0..n {
                        kp[b * n + i] = (prob[i] * TWO64).min(u64::MAX as f64) as u64;
                        al[b * n + i] = a[i];
                    }
                }
                keep.push(kp);
                alias.push(al);
                built.push((m, keep.len() - 1));
                table[c][mask] = keep.len() - 1;
            }
        }
        Some(Envelopes {
            table,
            keep,
            alias,
            slope,
            off,
        })
    }

    /// A code of class c (its position in `order`) at tone τ with gates `mask`.
    #[inline(always)]
    fn pick<R: Rng>(&self, order: &[usize], c: usize, tau: f64, mask: Mask, rng: &mut R) -> usize {
        let h = 2.0 / CODE_BINS as f64;
        let b = (((tau + 1.0) * (CODE_BINS as f64 / 2.0)) as usize).min(CODE_BINS - 1);
        let d = tau - (-1.0 + b as f64 * h);
        let n = order.len();
        let set = self.table[c][mask & 7];
        let (keep, alias) = (
            &self.keep[set][b * n..(b + 1) * n],
            &self.alias[set][b * n..(b + 1) * n],
        );
        loop {
            let m = u128::from(rng.next_u64()) * n as u128;
            let col = (m >> 64) as usize;
            let at = if (m as u64) < keep[col] {
                col
            } else {
                alias[col] as usize
            };
            let k = order[at];
            let y = self.slope[k] * d - self.off[k];
            let u = f64::from(rng.next_u32()) * (1.0 / 4294967296.0);
            if u < exp_taylor(y) {
                return k;
            }
        }
    }
}

/// exp(c·τ) for a few fixed coefficients c, as a table at the bins' starts τ_b (computed with
/// `libm::exp`) times exp(c·δ), δ = τ − τ_b ∈ [0, 2/512], from its Taylor polynomial of degree 8
/// (|c δ| ≤ 0.08 for |c| ≤ 20: relative error below 3·10⁻¹⁵; for the defaults below 10⁻¹⁸, under
/// double rounding). Pure multiplication and addition, so the same bits on every platform.
#[derive(Debug, Clone)]
struct ExpTable {
    coef: Vec<f64>,
    /// `tab[b * coef.len() + i]` = exp(offset_i + coef_i τ_b).
    tab: Vec<f64>,
}

impl ExpTable {
    fn new(offset: &[f64], coef: &[f64]) -> ExpTable {
        let m = coef.len();
        let mut tab = vec![0.0; (BINS + 1) * m];
        for b in 0..=BINS {
            let tau = bin_start(b);
            for i in 0..m {
                tab[b * m + i] = libm::exp(offset[i] + coef[i] * tau);
            }
        }
        ExpTable {
            coef: coef.to_vec(),
            tab,
        }
    }

    /// (bin, δ) of τ ∈ [−1, 1].
    #[inline(always)]
    fn locate(tau: f64) -> (usize, f64) {
        let b = (((tau + 1.0) * (BINS as f64 / 2.0)) as usize).min(BINS - 1);
        (b, tau - bin_start(b))
    }

    /// exp(offset_i + coef_i τ) at the located (b, δ).
    #[inline(always)]
    fn eval(&self, i: usize, b: usize, d: f64) -> f64 {
        self.tab[b * self.coef.len() + i] * exp_taylor(self.coef[i] * d)
    }
}

#[inline(always)]
fn bin_start(b: usize) -> f64 {
    -1.0 + b as f64 * (2.0 / BINS as f64)
}

/// e^x for small |x|: Taylor's polynomial of degree 8, in Horner's form.
#[inline(always)]
fn exp_taylor(x: f64) -> f64 {
    1.0 + x
        * (1.0
            + x * (1.0 / 2.0)
                * (1.0
                    + x * (1.0 / 3.0)
                        * (1.0
                            + x * (1.0 / 4.0)
                                * (1.0
                                    + x * (1.0 / 5.0)
                                        * (1.0
                                            + x * (1.0 / 6.0)
                                                * (1.0
                                                    + x * (1.0 / 7.0)
                                                        * (1.0 + x * (1.0 / 8.0))))))))
}

/// The class draw by rejection: on each of the [`BINS`] bins of the tone axis, class c's weight
/// exp(a_c + b_c τ) is at most its value at one end of the bin (the top if b_c > 0); a Walker alias
/// table per bin draws c from those maxima, and c is accepted with probability
/// exp(b_c (τ − τ*_c)) ≥ e^{−|b_c|·2/512} (0.99 for the defaults; from its Taylor polynomial),
/// else drawn again.
#[derive(Debug, Clone)]
struct ClassEnvelopes {
    /// Per bin, 4 entries: keep threshold (× 2⁶⁴) and alias.
    keep: Vec<u64>,
    alias: Vec<u8>,
    /// b_c, and b_c · (bin width) for b_c > 0 (else 0).
    slope: [f64; 4],
    off: [f64; 4],
}

impl ClassEnvelopes {
    fn new(a: [f64; 4], b: [f64; 4]) -> Option<ClassEnvelopes> {
        let h = 2.0 / BINS as f64;
        if b.iter().any(|x| x.abs() * h > MAX_ENVELOPE_SLOPE) {
            return None;
        }
        let off = b.map(|x| if x > 0.0 { x * h } else { 0.0 });
        let (mut keep, mut alias) = (vec![0u64; BINS * 4], vec![0u8; BINS * 4]);
        let (mut prob, mut al) = ([0.0; 4], [0u8; 4]);
        for bin in 0..BINS {
            let lo = bin_start(bin);
            let w: [f64; 4] = std::array::from_fn(|c| {
                libm::exp(a[c] + b[c] * if b[c] > 0.0 { lo + h } else { lo })
            });
            if !alias_table(&w, &mut prob, &mut al) {
                return None;
            }
            for c in 0..4 {
                keep[bin * 4 + c] = (prob[c] * TWO64).min(u64::MAX as f64) as u64;
                alias[bin * 4 + c] = al[c];
            }
        }
        Some(ClassEnvelopes {
            keep,
            alias,
            slope: b,
            off,
        })
    }

    #[inline(always)]
    fn pick<R: Rng>(&self, b: usize, d: f64, rng: &mut R) -> usize {
        let (keep, alias) = (&self.keep[b * 4..b * 4 + 4], &self.alias[b * 4..b * 4 + 4]);
        loop {
            let m = u128::from(rng.next_u64()) * 4;
            let col = (m >> 64) as usize;
            let c = if (m as u64) < keep[col] {
                col
            } else {
                alias[col] as usize
            };
            let u = f64::from(rng.next_u32()) * (1.0 / 4294967296.0);
            if u < exp_taylor(self.slope[c] * d - self.off[c]) {
                return c;
            }
        }
    }
}

/// e^{−m} for m ≥ 0, exact to rounding: a table of e^{−k/64} (k < 64 · 64, from `libm::exp`)
/// times the degree-8 Taylor polynomial of e^{−δ}, δ < 1/64 (error below 10⁻²¹); `libm::exp`
/// beyond m = 64, where e^{−m} < 10⁻²⁷. For the issue signals' Poisson draws, one per actor and
/// step.
#[derive(Debug, Clone)]
pub(crate) struct ExpNeg {
    tab: Vec<f64>,
}

impl ExpNeg {
    const PER_UNIT: f64 = 64.0;
    const TOP: f64 = 64.0;

    pub(crate) fn new() -> ExpNeg {
        let n = (Self::PER_UNIT * Self::TOP) as usize;
        ExpNeg {
            tab: (0..=n)
                .map(|k| libm::exp(-(k as f64) / Self::PER_UNIT))
                .collect(),
        }
    }

    /// Bytes the table holds.
    pub(crate) const fn bytes() -> usize {
        8 * (64 * 64 + 1)
    }

    #[inline(always)]
    pub(crate) fn eval(&self, m: f64) -> f64 {
        if !(m >= 0.0 && m < Self::TOP) {
            return libm::exp(-m);
        }
        let k = (m * Self::PER_UNIT) as usize;
        let d = m - k as f64 / Self::PER_UNIT;
        self.tab[k] * exp_taylor(-d)
    }
}

/// The class link and, for every class, its codes with their factored weights.
#[derive(Debug, Clone)]
pub(crate) struct CodeSampler {
    /// The class draw by rejection (the link's slopes are at most 20 in size, well within the
    /// envelopes' reach of 25.6).
    classes: ClassEnvelopes,
    /// The class link's (a_c, b_c), verbal cooperation first (0, 0), for `class_probs`.
    #[cfg(test)]
    link: ([f64; 4], [f64; 4]),
    /// z = exp(τ/(100 T²)), for the weights computed per draw.
    z: ExpTable,
    /// `order[c]`: catalogue indices of class c in increasing n_k = 10 G_k (ties by index);
    /// `gap[c][i]` = n of the i-th minus n of the one before (0 for the first); `first[c]` its n.
    order: [Vec<usize>; 4],
    gap: [Vec<i32>; 4],
    first: [i32; 4],
    /// Per code (catalogue index): f_k exp(−g_k²/2T²), g_k and f_k.
    fa: [f64; K],
    g: [f64; K],
    f: [f64; K],
    /// The gate bit each code needs ([`MILITARY`], [`FORCE`], [`ECONOMIC`]; 0 when open).
    need: [Mask; K],
    /// The within-class envelopes, absent when T is too small for them (then the weights of the
    /// class are computed for each draw).
    envelopes: Option<Envelopes>,
    /// 1/(2T²).
    inv_2t2: f64,
    factored: bool,
}

impl CodeSampler {
    pub(crate) fn new(pr: &Params) -> CodeSampler {
        let t2 = pr.temperature * pr.temperature;
        let g: [f64; K] = std::array::from_fn(|k| CATALOGUE[k].goldstein / 10.0);
        let f: [f64; K] = std::array::from_fn(|k| CATALOGUE[k].base_rate());
        let n: [i32; K] = std::array::from_fn(|k| (CATALOGUE[k].goldstein * 10.0).round() as i32);
        let factored = pr.temperature >= 0.05;
        let order: [Vec<usize>; 4] = std::array::from_fn(|c| {
            let mut o: Vec<usize> = (0..K)
                .filter(|&k| CATALOGUE[k].class() == CLASSES[c])
                .collect();
            o.sort_by_key(|&k| (n[k], k));
            o
        });
        let gap = std::array::from_fn(|c| {
            let o = &order[c];
            (0..o.len())
                .map(|i| if i == 0 { 0 } else { n[o[i]] - n[o[i - 1]] })
                .collect()
        });
        let first = std::array::from_fn(|c| n[order[c][0]]);
        let u = if factored { 1.0 / (100.0 * t2) } else { 0.0 };
        let fa: [f64; K] = std::array::from_fn(|k| f[k] * libm::exp(-g[k] * g[k] / (2.0 * t2)));
        let need: [Mask; K] = std::array::from_fn(|k| match CATALOGUE[k].gate() {
            Gate::Open => 0,
            Gate::Military => MILITARY,
            Gate::Force => FORCE,
            Gate::Economic => ECONOMIC,
        });
        let envelopes = if factored {
            Envelopes::new(&order, &fa, &g, &need, t2)
        } else {
            None
        };
        let a = [0.0, pr.class_mc_a, pr.class_vf_a, pr.class_mf_a];
        let b = [0.0, pr.class_mc_b, pr.class_vf_b, pr.class_mf_b];
        CodeSampler {
            classes: ClassEnvelopes::new(a, b)
                .expect("class link coefficients lie in [−20, 20] (checked on input)"),
            envelopes,
            #[cfg(test)]
            link: (a, b),
            z: ExpTable::new(&[0.0], &[u]),
            order,
            gap,
            first,
            fa,
            g,
            f,
            need,
            inv_2t2: 1.0 / (2.0 * t2),
            factored,
        }
    }

    /// Bytes the sampler holds (an upper bound: the envelopes for every class and mask).
    pub(crate) fn table_bytes() -> usize {
        std::mem::size_of::<CodeSampler>()
            + (BINS + 1) * 8
            + BINS * 4 * 9
            + K * 12
            + 4 * 8 * CODE_BINS * K * 9
    }

    /// P(class | τ) for the four classes in [`EventClass::ALL`] order.
    #[cfg(test)]
    pub(crate) fn class_probs(&self, tau: f64) -> [f64; 4] {
        let (a, b) = self.link;
        let tau = tau.clamp(-1.0, 1.0);
        let e: [f64; 4] = std::array::from_fn(|c| libm::exp(a[c] + b[c] * tau));
        let sum = e[0] + e[1] + e[2] + e[3];
        e.map(|x| x / sum)
    }

    /// Draws a code for desired tone τ with gates `mask` open: the class by the link, then the
    /// code within the class by rule 8's weight among the open codes.
    #[inline]
    pub(crate) fn pick<R: Rng>(&self, tau: f64, mask: Mask, rng: &mut R) -> usize {
        let tau = tau.clamp(-1.0, 1.0);
        let (b, d) = ExpTable::locate(tau);
        let c = self.classes.pick(b, d, rng);
        let order = &self.order[c];
        if let Some(env) = &self.envelopes {
            return env.pick(order, c, tau, mask, rng);
        }
        let mut w = [0.0f64; K];
        let mut total = 0.0;
        let mut last = 0;
        if self.factored {
            // z^{n_k} along increasing n_k: z^{first}, then one power of z per gap.
            let z = self.z.eval(0, b, d);
            let mut zn = powi(z, self.first[c]);
            for (at, (&k, &gap)) in order.iter().zip(&self.gap[c]).enumerate() {
                if gap != 0 {
                    zn *= powi(z, gap);
                }
                if self.need[k] & mask == self.need[k] {
                    total += self.fa[k] * zn;
                    last = at;
                }
                w[at] = total;
            }
        } else {
            for (at, &k) in order.iter().enumerate() {
                if self.need[k] & mask == self.need[k] {
                    let d = self.g[k] - tau;
                    total += self.f[k] * libm::exp(-d * d * self.inv_2t2);
                    last = at;
                }
                w[at] = total;
            }
        }
        let v = rng.next_u64() as f64 * (1.0 / TWO64) * total;
        // `v < w` first holds at an open code (a closed code repeats its predecessor's sum);
        // v = total (rounding) takes the last open code.
        let at = w[..order.len()].iter().position(|&x| v < x).unwrap_or(last);
        order[at]
    }
}

/// Whether code k is open under `mask`.
#[cfg(test)]
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
#[path = "codes_tests.rs"]
mod tests;
