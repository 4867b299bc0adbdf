//! Bucket keys of the quantile histograms: logarithmic buckets for continuous metrics, exact
//! integers for metrics whose values are multiples of 1/q (see [`crate::model::Kind`]).
//!
//! A continuous value x is keyed by the bits of |x|: its exponent and the top [`MANTISSA_BITS`]
//! bits of its mantissa, so a bucket [lo, hi) has hi/lo ≤ 1 + 2⁻⁷, and a quantile reported as the
//! middle of its bucket (clamped to the cell's exact minimum and maximum) is
//!
//! **within 2⁻⁸ ≈ 0.39 % of the exact value** (plus at most 2⁻³⁰ ≈ 1e-9 absolute, below which
//! values count as zero).
//!
//! Keys are signed and monotonic in x (key 0 holds the zeros), so one dense window of counts per
//! cell covers its range. The exact quantile is the order statistic of rank ⌊q·(n−1)⌋ (0-based).

/// Mantissa bits kept in a continuous key.
pub const MANTISSA_BITS: u32 = 7;
const SHIFT: u32 = 52 - MANTISSA_BITS;
/// Magnitudes below this count as zero.
pub const ZERO: f64 = 9.313225746154785e-10; // 2^-30
/// Relative error bound of a continuous quantile.
pub const REL_ERROR: f64 = 1.0 / 256.0; // 2^-(MANTISSA_BITS+1)
/// Largest magnitude of a key (that of f64::MAX, and ±2³¹ for the exact integer keys).
pub const KEY_MAX: i64 = 1 << 31;

/// Key of the smallest nonzero bucket, minus one.
const Z: i64 = (ZERO.to_bits() >> SHIFT) as i64 - 1;

/// How a metric's values become keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    /// Logarithmic buckets (continuous values).
    Log,
    /// Values that are multiples of 1/q: the key is the integer x·q, exactly.
    Exact(u32),
}

impl Keys {
    #[inline(always)]
    pub fn key(self, x: f64) -> i64 {
        match self {
            Keys::Log => log_key(x),
            Keys::Exact(q) => exact_key(x, q as f64).clamp(-KEY_MAX, KEY_MAX),
        }
    }

    /// The value a key stands for: the integer divided by q, or the middle of a log bucket.
    pub fn value(self, key: i64) -> f64 {
        match self {
            Keys::Exact(q) => key as f64 / q as f64,
            Keys::Log => {
                if key == 0 {
                    return 0.0;
                }
                let k = (key.unsigned_abs() as i64 + Z) as u64;
                let lo = f64::from_bits(k << SHIFT);
                let hi = f64::from_bits((k + 1) << SHIFT);
                0.5 * (lo + hi) * key.signum() as f64
            }
        }
    }

    /// Whether a key can come out of [`Keys::key`] (a check on data read from a file).
    pub fn valid(self, key: i64) -> bool {
        match self {
            Keys::Exact(_) => (-KEY_MAX..=KEY_MAX).contains(&key),
            Keys::Log => key.unsigned_abs() <= (f64::MAX.to_bits() >> SHIFT) - Z as u64,
        }
    }

    /// What `ensemble.csv` and `summary.json` say about the quantiles of such a metric.
    pub fn precision(self) -> &'static str {
        match self {
            Keys::Log => "0.39%",
            Keys::Exact(_) => "exact",
        }
    }
}

/// The logarithmic key of x, without branches (one per value of a batch, see
/// [`super::cells::Cells::add_runs`]): |x| below [`ZERO`] (whose mantissa bits are all zero, so
/// the comparison of the top bits is exact) and NaN (the engine never produces it) give 0.
#[inline(always)]
pub(crate) fn log_key(x: f64) -> i64 {
    let bits = x.to_bits();
    let abs = bits & !(1 << 63);
    let k = if abs > f64::INFINITY.to_bits() {
        0
    } else {
        ((abs >> SHIFT) as i64 - Z).max(0)
    };
    // Negate for a set sign bit: (k ^ −1) + 1 = −k.
    let sign = (bits as i64) >> 63;
    (k ^ sign) - sign
}

/// The exact key of a multiple of 1/q before it is clamped to ±[`KEY_MAX`]: the integer x·q,
/// rounded to nearest (the values are sums of one-decimal weights, off by ≪ 0.5). Adding a batch
/// clamps only the keys that fall outside their cell's window (no window reaches past
/// ±`KEY_MAX`).
#[inline(always)]
pub(crate) fn exact_key(x: f64, q: f64) -> i64 {
    let y = x * q;
    // Rounds half away from zero; a NaN becomes 0, as `as` does with it.
    (y + 0.5f64.copysign(y)) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_keys_are_monotonic_and_their_middles_are_close() {
        let xs = [
            -1e9, -2.0, -1.0, -0.3, -1e-9, 0.0, 1e-12, 1e-9, 0.3, 0.8, 1.0, 2.0, 1e9,
        ];
        let keys: Vec<i64> = xs.iter().map(|&x| Keys::Log.key(x)).collect();
        assert!(keys.windows(2).all(|w| w[0] <= w[1]), "{keys:?}");
        assert_eq!(Keys::Log.key(1e-12), 0);
        for &x in &xs {
            let v = Keys::Log.value(Keys::Log.key(x));
            assert!((v - x).abs() <= REL_ERROR * x.abs() + ZERO, "{x} → {v}");
            assert!(Keys::Log.valid(Keys::Log.key(x)));
        }
        assert!(Keys::Log.valid(Keys::Log.key(f64::MAX)));
        // NaNs (whatever their payload and sign) and both zeros key to 0; ZERO is the first key.
        for x in [
            f64::NAN,
            -f64::NAN,
            f64::from_bits(0x7FF0_0000_0000_0001),
            -0.0,
            0.0,
        ] {
            assert_eq!(Keys::Log.key(x), 0, "{x}");
        }
        assert_eq!(Keys::Log.key(ZERO), 1);
        assert_eq!(Keys::Log.key(-ZERO), -1);
        assert_eq!(Keys::Log.key(f64::from_bits(ZERO.to_bits() - 1)), 0);
        assert!(!Keys::Log.valid(Keys::Log.key(f64::MAX) + 1));
    }

    #[test]
    fn exact_keys_give_back_the_printed_values() {
        let k = Keys::Exact(10);
        let x = 0.1 + 0.2 + 3.4 - 8.0; // −4.3 with float noise
        assert_eq!(k.key(x), -43);
        assert_eq!(k.value(-43).to_string(), "-4.3");
        assert_eq!(Keys::Exact(1).value(Keys::Exact(1).key(3.0)), 3.0);
    }
}
