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

/// Exact Σx and Σx² of fixed-point values: Σx in an i128, Σx² in 256 bits (two u128 words), so
/// no sum can overflow and any order of adding gives the same bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Acc {
    #[serde(with = "i128_str")]
    s1: i128,
    #[serde(with = "u128_str")]
    s2_lo: u128,
    #[serde(with = "u128_str")]
    s2_hi: u128,
}

impl Acc {
    #[inline(always)]
    pub(crate) fn add(&mut self, x: f64) {
        let f = fixed(x);
        self.s1 += f as i128;
        let sq = (f as i128 * f as i128) as u128;
        let (lo, carry) = self.s2_lo.overflowing_add(sq);
        self.s2_lo = lo;
        self.s2_hi += carry as u128;
    }

    pub(crate) fn merge(&mut self, o: &Acc) {
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
    fn variance_is_exact_where_floats_cancel() {
        // Mean 1e6, SD 1e-3: s2 − s²/n in f64 loses every digit; the integers do not.
        let mut a = Acc::default();
        let xs = [1e6 - 1e-3, 1e6, 1e6 + 1e-3];
        xs.iter().for_each(|&x| a.add(x));
        let sd = a.variance(3).sqrt();
        assert!((sd - 1e-3).abs() < 1e-8, "{sd}");
        let mut c = Acc::default();
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
