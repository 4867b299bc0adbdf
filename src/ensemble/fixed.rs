//! Exact sums for ensembles: values in fixed point (2⁻³² resolution, rounded to nearest) added as
//! integers, so that
//! partial aggregates merge exactly and in any order (threads, shards), with serde helpers that
//! write the wide integers as strings in `shard.json`.

use serde::{Deserialize, Serialize};

/// Fixed-point scale of the sums (2³²): x is counted as the integer nearest x·2³² (ties away
/// from zero), exact for |x| < 2³¹ (postures are capped at 1e9), so a sum of n values is within
/// n·2⁻³³ of the exact sum.
pub(crate) const SCALE: f64 = 4294967296.0;

/// x·2³² rounded to the nearest integer (ties away from zero), without a call into the C
/// library: truncate, then look at the exact remainder. Beyond the range (|x| ≥ 2³¹, which no
/// metric reaches: postures stop at 1e9) the result saturates at ±(2⁶³ − 1).
#[inline(always)]
pub(crate) fn fixed(x: f64) -> i64 {
    let y = x * SCALE;
    let t = y as i64;
    // Exact: |y − t| < 1 and both are within 2⁶³ (for |y| ≥ 2⁵³, y is an integer and r = 0);
    // out of range `as` saturates, r is huge, and the step saturates too.
    let r = y - t as f64;
    t.saturating_add((r >= 0.5) as i64 - (r <= -0.5) as i64)
}

/// Below this magnitude x·2³² is under 2⁵¹ and [`fixed_small`] applies.
pub(crate) const SMALL: f64 = 524288.0; // 2¹⁹

/// 1.5·2⁵²: for |y| < 2⁵¹, y + MAGIC lies in [2⁵², 2⁵³] (2⁵³ itself when y rounds up to 2⁵¹),
/// where doubles are the integers (even ones at 2⁵³, exactly what rounding y gives there), so
/// the sum is y rounded to the nearest integer (ties to even) plus MAGIC, and its bits minus
/// MAGIC's are that integer (the bit pattern counts on across 2⁵³).
const MAGIC: f64 = 6755399441055744.0;

/// [`fixed`] for |x| < [`SMALL`] (the same integer: nearest, ties away from zero), in plain
/// arithmetic and compares: no conversion instructions and no saturation. The difference
/// d = y − round(y) is exact (|d| ≤ 1/2, within y's precision), so a tie shows as d = ±1/2, and
/// the tie rounded toward zero (to even) is moved out by one.
#[inline(always)]
pub(crate) fn fixed_small(x: f64) -> i64 {
    let y = x * SCALE;
    let m = y + MAGIC;
    // Wrapping: a caller may pass a large x and discard the result (see `SmallSums`).
    let k = (m.to_bits() as i64).wrapping_sub(MAGIC.to_bits() as i64);
    let d = y - (m - MAGIC);
    // A tie is rare (x·2³² exactly half an integer), so a branch on it is always predicted.
    if d.abs() == 0.5 {
        away_from_zero(k, d, y)
    } else {
        k
    }
}

/// A tie y = k ∓ 1/2 that [`fixed_small`] rounded (to even) to k: moved out by one if k is the
/// end nearer zero.
#[cold]
#[inline(never)]
fn away_from_zero(k: i64, d: f64, y: f64) -> i64 {
    k.wrapping_add(i64::from(d == 0.5 && y > 0.0) - i64::from(d == -0.5 && y < 0.0))
}

/// Σx and Σx² of at most [`SmallSums::MAX`] values of magnitude below [`SMALL`], in 64 and 128
/// bits (|f| ≤ 2⁵¹, so |Σf| ≤ 2⁵⁷ and Σf² ≤ 2¹⁰⁸: neither can overflow), to be added to an [`ExactSums`]
/// with [`ExactSums::add_short`]: the same sums as [`ExactSums::add`] value by value, with no carries.
/// Larger values may be added too, but then the sums are meaningless (they wrap) and must be
/// discarded: the caller checks the magnitudes beside.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SmallSums {
    s1: i64,
    s2: u128,
}

impl SmallSums {
    pub(crate) const MAX: usize = 64;

    #[inline(always)]
    pub(crate) fn add(&mut self, x: f64) {
        let f = fixed_small(x);
        self.s1 = self.s1.wrapping_add(f);
        self.s2 = self.s2.wrapping_add((f as i128 * f as i128) as u128);
    }
}

/// Widen [`lo`, `hi`] to take in x. `<` and `>` skip a NaN, as `f64::min` and `f64::max` do, in
/// one instruction each (`minsd`, `maxsd`).
#[inline(always)]
pub(crate) fn stretch(lo: &mut f64, hi: &mut f64, x: f64) {
    if x < *lo {
        *lo = x;
    }
    if x > *hi {
        *hi = x;
    }
}

/// What the first pass over a continuous cell's batch finds: its least and greatest value
/// (NaN skipped, as [`stretch`] does), whether every value is below [`SMALL`]
/// in magnitude (so that `short` holds its sums), and the [`SmallSums`] sums.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BatchScan {
    pub lo: f64,
    pub hi: f64,
    pub small: bool,
    pub short: SmallSums,
}

impl PartialEq for SmallSums {
    fn eq(&self, o: &SmallSums) -> bool {
        (self.s1, self.s2) == (o.s1, o.s2)
    }
}

/// [`BatchScan`] of `runs` ≤ [`SmallSums::MAX`] values `xs[r * stride]`, one at a time.
#[inline(always)]
pub(crate) fn pass(xs: &[f64], stride: usize, runs: usize) -> BatchScan {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut short, mut small) = (SmallSums::default(), true);
    for r in 0..runs {
        let x = xs[r * stride];
        stretch(&mut lo, &mut hi, x);
        small &= x.abs() < SMALL;
        short.add(x);
    }
    BatchScan {
        lo,
        hi,
        small,
        short,
    }
}

/// [`pass`] of four adjacent cells at once — cell l's value r is `xs[r * stride + l]` — in AVX2
/// registers when the CPU has them (the same bits: the same operations lane by lane, and Σf²
/// from exact 26-bit halves), one at a time otherwise or when a value's fixed point is a tie
/// (x·2³² exactly half an integer, which the vector code does not round away from zero).
#[inline]
pub(crate) fn pass4(xs: &[f64], stride: usize, runs: usize) -> [BatchScan; 4] {
    assert!(
        runs <= SmallSums::MAX
            && (runs == 0
                || (runs - 1)
                    .checked_mul(stride)
                    .is_some_and(|last| last + 4 <= xs.len()))
    );
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::avx2() {
        // SAFETY: the CPU has AVX2 (checked); the reads are in bounds (asserted).
        if let Some(p) = unsafe { pass4_avx2(xs, stride, runs) } {
            return p;
        }
    }
    std::array::from_fn(|l| pass(&xs[l..], stride, runs))
}

/// [`pass4`] in AVX2; `None` if a lane met a tie.
///
/// # Safety
/// The CPU must have AVX2, and `(runs − 1) · stride + 4 ≤ xs.len()` (or `runs` = 0).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn pass4_avx2(xs: &[f64], stride: usize, runs: usize) -> Option<[BatchScan; 4]> {
    use std::arch::x86_64::*;
    let sign = _mm256_set1_pd(-0.0);
    let (small_at, scale, magic, half) = (
        _mm256_set1_pd(SMALL),
        _mm256_set1_pd(SCALE),
        _mm256_set1_pd(MAGIC),
        _mm256_set1_pd(0.5),
    );
    let magic_bits = _mm256_set1_epi64x(MAGIC.to_bits() as i64);
    let low26 = _mm256_set1_epi64x((1 << 26) - 1);
    let zero = _mm256_setzero_si256();
    let mut lo = _mm256_set1_pd(f64::INFINITY);
    let mut hi = _mm256_set1_pd(f64::NEG_INFINITY);
    let mut small = _mm256_castsi256_pd(_mm256_set1_epi64x(-1));
    let mut tie = _mm256_setzero_pd();
    let (mut s1, mut hh, mut hl, mut ll) = (zero, zero, zero, zero);
    for r in 0..runs {
        // SAFETY: r · stride + 4 ≤ xs.len() (the caller's promise).
        let v = unsafe { _mm256_loadu_pd(xs.as_ptr().add(r * stride)) };
        // `_mm256_min_pd(v, lo)` is `v < lo ? v : lo`, NaN skipped: `stretch` exactly.
        lo = _mm256_min_pd(v, lo);
        hi = _mm256_max_pd(v, hi);
        small = _mm256_and_pd(
            small,
            _mm256_cmp_pd::<_CMP_LT_OQ>(_mm256_andnot_pd(sign, v), small_at),
        );
        // `fixed_small`, lane by lane.
        let y = _mm256_mul_pd(v, scale);
        let m = _mm256_add_pd(y, magic);
        let k = _mm256_sub_epi64(_mm256_castpd_si256(m), magic_bits);
        let d = _mm256_sub_pd(y, _mm256_sub_pd(m, magic));
        tie = _mm256_or_pd(
            tie,
            _mm256_cmp_pd::<_CMP_EQ_OQ>(_mm256_andnot_pd(sign, d), half),
        );
        s1 = _mm256_add_epi64(s1, k);
        // k² from |k| = a·2²⁶ + b (a, b < 2²⁶ for |k| ≤ 2⁵¹): a², ab and b² each below 2⁵²,
        // summed over at most 64 values below 2⁵⁸.
        let neg = _mm256_cmpgt_epi64(zero, k);
        let abs = _mm256_sub_epi64(_mm256_xor_si256(k, neg), neg);
        let (a, b) = (_mm256_srli_epi64::<26>(abs), _mm256_and_si256(abs, low26));
        hh = _mm256_add_epi64(hh, _mm256_mul_epu32(a, a));
        hl = _mm256_add_epi64(hl, _mm256_mul_epu32(a, b));
        ll = _mm256_add_epi64(ll, _mm256_mul_epu32(b, b));
    }
    if _mm256_movemask_pd(tie) != 0 {
        return None;
    }
    let f64s = |v: __m256d| {
        let mut out = [0.0f64; 4];
        // SAFETY: four f64 into an array of four.
        unsafe { _mm256_storeu_pd(out.as_mut_ptr(), v) };
        out
    };
    let u64s = |v: __m256i| {
        let mut out = [0u64; 4];
        // SAFETY: four u64 into an array of four.
        unsafe { _mm256_storeu_si256(out.as_mut_ptr().cast(), v) };
        out
    };
    let (lo, hi, small) = (f64s(lo), f64s(hi), _mm256_movemask_pd(small));
    let (s1, hh, hl, ll) = (u64s(s1), u64s(hh), u64s(hl), u64s(ll));
    Some(std::array::from_fn(|l| BatchScan {
        lo: lo[l],
        hi: hi[l],
        small: small >> l & 1 == 1,
        // Meaningless where not small (as `SmallSums` is), and then discarded.
        short: SmallSums {
            s1: s1[l] as i64,
            s2: ((hh[l] as u128) << 52)
                .wrapping_add((hl[l] as u128) << 27)
                .wrapping_add(ll[l] as u128),
        },
    }))
}

/// Exact Σx and Σx² of fixed-point values: Σx in an i128, Σx² in 256 bits (two u128 words), so
/// no sum can overflow and any order of adding gives the same bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ExactSums {
    #[serde(with = "i128_str")]
    s1: i128,
    #[serde(with = "u128_str")]
    s2_lo: u128,
    #[serde(with = "u128_str")]
    s2_hi: u128,
}

impl ExactSums {
    #[inline(always)]
    pub(crate) fn add(&mut self, x: f64) {
        let f = fixed(x);
        self.s1 += f as i128;
        let sq = (f as i128 * f as i128) as u128;
        let (lo, carry) = self.s2_lo.overflowing_add(sq);
        self.s2_lo = lo;
        self.s2_hi += carry as u128;
    }

    /// Add the sums of a [`SmallSums`].
    pub(crate) fn add_short(&mut self, o: &SmallSums) {
        self.s1 += o.s1 as i128;
        let (lo, carry) = self.s2_lo.overflowing_add(o.s2);
        self.s2_lo = lo;
        self.s2_hi += carry as u128;
    }

    pub(crate) fn merge(&mut self, o: &ExactSums) {
        self.s1 = self.s1.wrapping_add(o.s1);
        let (lo, carry) = self.s2_lo.overflowing_add(o.s2_lo);
        self.s2_lo = lo;
        self.s2_hi = self.s2_hi.wrapping_add(o.s2_hi).wrapping_add(carry as u128);
    }

    /// Σx / n, from the exact integer sum (one rounding).
    pub(crate) fn mean(&self, n: u64) -> f64 {
        self.s1 as f64 / n as f64 / SCALE
    }

    /// Sample variance (n − 1) from the exact integer n·Σx² − (Σx)² (never negative, no
    /// cancellation: the difference is taken in 256-bit integers), then one division in f64.
    pub(crate) fn variance(&self, n: u64) -> f64 {
        if n < 2 {
            return 0.0;
        }
        let ns2 = mul_u256(self.s2_hi, self.s2_lo, n);
        let s1sq = square_u256(self.s1.unsigned_abs());
        let Some((hi, lo)) = sub_u256(ns2, s1sq) else {
            return 0.0; // impossible for sums of real values (Cauchy–Schwarz); kept total
        };
        let d = hi as f64 * TWO_128 + lo as f64;
        d / (n as f64 * (n - 1) as f64) / (SCALE * SCALE)
    }

    /// Whether the sums fit `n` values of magnitude ≤ 2⁶³ (a check on data read from a file).
    pub(crate) fn fits(&self, n: u64) -> bool {
        self.s1.unsigned_abs() <= (n as u128) << 63 && self.s2_hi <= n as u128 / 4
        // Σx² ≤ n·2¹²⁶
    }
}

/// 2¹²⁸, exactly.
const TWO_128: f64 = 340282366920938463463374607431768211456.0;

/// (hi, lo) · n, truncated to 256 bits.
fn mul_u256(hi: u128, lo: u128, n: u64) -> (u128, u128) {
    let n = n as u128;
    let (l0, l1) = (lo & u64::MAX as u128, lo >> 64);
    let p0 = l0 * n;
    let p1 = l1 * n + (p0 >> 64);
    let lo = (p0 & u64::MAX as u128) | (p1 << 64);
    let hi = hi.wrapping_mul(n).wrapping_add(p1 >> 64);
    (hi, lo)
}

/// x² in 256 bits.
fn square_u256(x: u128) -> (u128, u128) {
    let (a, b) = (x >> 64, x & u64::MAX as u128);
    let (aa, ab, bb) = (a * a, a * b, b * b);
    // x² = aa·2¹²⁸ + 2ab·2⁶⁴ + bb
    let (lo, c1) = bb.overflowing_add(ab << 65);
    let hi = aa + (ab >> 63) + c1 as u128;
    (hi, lo)
}

fn sub_u256(a: (u128, u128), b: (u128, u128)) -> Option<(u128, u128)> {
    let (lo, borrow) = a.1.overflowing_sub(b.1);
    let hi = a.0.checked_sub(b.0)?.checked_sub(borrow as u128)?;
    Some((hi, lo))
}

pub(crate) mod i128_str {
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &i128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i128, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

pub(crate) mod u128_str {
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

pub(crate) mod i128_vec {
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(v: &[i128], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(v.iter().map(|x| x.to_string()))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<i128>, D::Error> {
        let v: Vec<String> = Vec::deserialize(d)?;
        v.iter()
            .map(|x| x.parse::<i128>().map_err(serde::de::Error::custom))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_cells_at_once_are_four_cells_one_at_a_time() {
        // Batches of 1 to 64 runs of four cells (stride 7: the cells sit among others), values
        // drawn among: ordinary ones of either sign, both zeros, exact multiples of 2⁻³² and
        // ties (half a unit of 2⁻³²), values at and beyond 2¹⁹, huge ones and NaN.
        let mut rng = crate::engine::run_rng(21, 0);
        // Half the batches tame (no tie, NaN or value beyond 2¹⁹), so that full batches of
        // 64 take the vector sums too.
        let draw = |r: &mut rand_chacha::ChaCha8Rng, tame: bool| -> f64 {
            let u: f64 = rand::RngExt::random_range(r, -1.0..1.0);
            let case = rand::RngExt::random_range(r, 0..40);
            match if tame && (3..=7).contains(&case) {
                8
            } else {
                case
            } {
                0 => 0.0,
                1 => -0.0,
                2 => (u * 1e6).round() / SCALE,
                3 => ((u * 1e6).round() + 0.5) / SCALE,
                4 => SMALL * u.signum(),
                5 => 3e5 * u,
                6 => 1e12 * u,
                7 => f64::NAN,
                _ => u * 2.0,
            }
        };
        let (stride, mut smalls) = (7, 0);
        #[cfg(target_arch = "x86_64")]
        let (mut ties, mut vector) = (0, 0);
        for (k, runs) in (1..=64).chain([64; 30]).enumerate() {
            let xs: Vec<f64> = (0..runs * stride)
                .map(|_| draw(&mut rng, k % 2 == 0))
                .collect();
            let got = pass4(&xs, stride, runs);
            for l in 0..4 {
                let want = pass(&xs[l..], stride, runs);
                let bits = |p: &BatchScan| (p.lo.to_bits(), p.hi.to_bits(), p.small);
                assert_eq!(bits(&got[l]), bits(&want), "runs {runs}, cell {l}");
                if want.small {
                    assert_eq!(got[l].short, want.short, "runs {runs}, cell {l}");
                    smalls += usize::from(runs == 64);
                }
            }
            #[cfg(target_arch = "x86_64")]
            if crate::cpu::avx2() {
                // SAFETY: AVX2 checked, reads in bounds.
                match unsafe { pass4_avx2(&xs, stride, runs) } {
                    Some(_) => vector += 1,
                    None => ties += 1,
                }
            }
        }
        // Both ways were taken (where the CPU has AVX2): vector batches, and batches with a tie
        // handed back to the scalar pass.
        #[cfg(target_arch = "x86_64")]
        let both_ways = crate::cpu::avx2();
        #[cfg(not(target_arch = "x86_64"))]
        let both_ways = false;
        #[cfg(target_arch = "x86_64")]
        if both_ways {
            assert!(vector > 0 && ties > 0, "{vector} vector, {ties} with ties");
        }
        if !both_ways {
            crate::cpu::say_skipped("four_cells_at_once_are_four_cells_one_at_a_time", "AVX2");
        }
        assert!(smalls > 40, "{smalls} full batches compared their sums");
    }

    #[test]
    fn fixed_point_rounds_to_nearest() {
        assert_eq!(fixed(0.8), 3435973837); // 0.8·2³² = 3435973836.8
        assert_eq!(fixed(-0.8), -3435973837);
        assert_eq!(fixed(0.5 / SCALE), 1);
        assert_eq!(fixed(0.49 / SCALE), 0);
        assert_eq!(fixed(1e9), 1_000_000_000 * (1i64 << 32));
        // Out of range: saturated, never wrapped.
        assert_eq!(fixed(1e300), i64::MAX);
        assert_eq!(fixed(-3e12), i64::MIN);
    }

    #[test]
    fn small_fixed_point_is_fixed_point() {
        // Hand values: ties (k + 1/2)·2⁻³² go away from zero, as in `fixed`.
        assert_eq!(fixed_small(0.8), 3435973837);
        assert_eq!(fixed_small(-0.8), -3435973837);
        assert_eq!(fixed_small(0.5 / SCALE), 1);
        assert_eq!(fixed_small(-0.5 / SCALE), -1);
        assert_eq!(fixed_small(2.5 / SCALE), 3); // ties to even would give 2
        assert_eq!(fixed_small(-2.5 / SCALE), -3);
        assert_eq!(fixed_small(3.5 / SCALE), 4);
        assert_eq!(fixed_small(0.49 / SCALE), 0);
        assert_eq!(fixed_small(-0.0), 0);
        // Every tie, every value next to a tie or an integer, and spread magnitudes up to the
        // limit 2¹⁹, against `fixed`.
        let mut xs = vec![1.0, -1.0, SMALL.next_down(), -SMALL.next_down()];
        for k in [0i64, 1, 2, 3, 1 << 20, (1 << 50) - 1, (1 << 51) - 2] {
            for half in [0.0, 0.5] {
                let y = k as f64 + half;
                for y in [y, y.next_up(), y.next_down()] {
                    xs.extend([y / SCALE, -y / SCALE]);
                }
            }
        }
        let mut rng = crate::engine::run_rng(3, 0);
        for _ in 0..100_000 {
            let u: f64 = rand::RngExt::random(&mut rng);
            let e: i32 = rand::RngExt::random_range(&mut rng, -60..19);
            xs.push((u - 0.5) * 2f64.powi(e + 1));
        }
        for x in xs {
            assert!(x.abs() < SMALL);
            assert_eq!(fixed_small(x), fixed(x), "{x:e}");
        }
    }

    #[test]
    fn short_sums_equal_full_sums() {
        let xs = [1.0, -1.0, 0.8, -0.37, 524287.99, -524287.5, 1e-12, 0.0];
        let (mut full, mut short) = (ExactSums::default(), SmallSums::default());
        for _ in 0..SmallSums::MAX / xs.len() {
            for &x in &xs {
                full.add(x);
                short.add(x);
            }
        }
        let mut a = ExactSums::default();
        a.add(3.0);
        let mut b = a;
        a.merge(&full);
        b.add_short(&short);
        assert_eq!(a, b);
    }

    #[test]
    fn variance_is_exact_where_floats_cancel() {
        // Mean 1e6, SD 1e-3: s2 − s²/n in f64 loses every digit; the integers do not.
        let mut a = ExactSums::default();
        let xs = [1e6 - 1e-3, 1e6, 1e6 + 1e-3];
        xs.iter().for_each(|&x| a.add(x));
        let sd = a.variance(3).sqrt();
        assert!((sd - 1e-3).abs() < 1e-8, "{sd}");
        let mut c = ExactSums::default();
        (0..1000).for_each(|_| c.add(0.8));
        assert_eq!(c.variance(1000), 0.0);
        assert!(c.fits(1000));
    }

    #[test]
    fn wide_products_are_exact() {
        let x = u128::MAX;
        // (2¹²⁸ − 1)² = 2²⁵⁶ − 2¹²⁹ + 1
        assert_eq!(square_u256(x), (u128::MAX - 1, 1));
        assert_eq!(mul_u256(0, u128::MAX, 2), (1, u128::MAX - 1));
        assert_eq!(sub_u256((1, 0), (0, 1)), Some((0, u128::MAX)));
        assert_eq!(sub_u256((0, 0), (0, 1)), None);
    }
}
