//! A deterministic, mergeable quantile sketch with a relative error bound.
//!
//! Values are counted in logarithmic buckets read straight off the bits of an `f64`: the exponent
//! and the top [`MANTISSA_BITS`] bits of the mantissa. A bucket [lo, hi) has hi/lo ≤ 1 + 2⁻⁶, and a
//! quantile is reported as the middle of its bucket, so
//!
//! **|estimate − exact| ≤ 2⁻⁷ · |exact| ≈ 0.78 % of the value** (plus at most 2⁻³⁰ ≈ 1e-9 absolute,
//! below which values count as zero).
//!
//! The exact quantile is the order statistic of rank ⌊q·(n−1)⌋ (0-based). Counts are integers, so
//! merging sketches is exact and order-free: an ensemble gives the same quantiles with any number of
//! threads or shards. Memory is one `u32` per bucket between the smallest and largest value seen,
//! independent of the number of runs.

use serde::{Deserialize, Serialize};

/// Mantissa bits kept in the bucket key.
pub const MANTISSA_BITS: u32 = 6;
const SHIFT: u32 = 52 - MANTISSA_BITS;
/// Magnitudes below this count as zero.
pub const ZERO: f64 = 9.313225746154785e-10; // 2^-30
/// Relative error bound of a quantile.
pub const REL_ERROR: f64 = 1.0 / 128.0; // 2^-(MANTISSA_BITS+1)

/// Dense counts for one sign.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Dense {
    offset: i64,
    counts: Vec<u32>,
}

impl Dense {
    #[inline(always)]
    fn add(&mut self, key: i64, k: u32) {
        // Fast path: the bucket is inside the range already held.
        let ix = key.wrapping_sub(self.offset) as u64 as usize;
        if let Some(c) = self.counts.get_mut(ix) {
            *c += k;
        } else {
            self.grow_and_add(key, k);
        }
    }

    #[cold]
    #[inline(never)]
    fn grow_and_add(&mut self, key: i64, k: u32) {
        if self.counts.is_empty() {
            self.offset = key;
            self.counts.push(k);
            return;
        }
        if key < self.offset {
            let grow = (self.offset - key) as usize;
            let mut v = vec![0u32; grow + self.counts.len()];
            v[grow..].copy_from_slice(&self.counts);
            self.counts = v;
            self.offset = key;
        }
        let ix = (key - self.offset) as usize;
        if ix >= self.counts.len() {
            self.counts.resize(ix + 1, 0);
        }
        self.counts[ix] += k;
    }

    fn merge(&mut self, other: &Dense) {
        for (i, &c) in other.counts.iter().enumerate() {
            if c > 0 {
                self.add(other.offset + i as i64, c);
            }
        }
    }
}

/// The sketch of one series cell.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sketch {
    zero: u64,
    pos: Dense,
    neg: Dense,
}

#[inline]
fn key(x: f64) -> i64 {
    (x.to_bits() >> SHIFT) as i64
}

fn middle(key: i64) -> f64 {
    let lo = f64::from_bits((key as u64) << SHIFT);
    let hi = f64::from_bits(((key + 1) as u64) << SHIFT);
    0.5 * (lo + hi)
}

impl Sketch {
    /// Count one value (NaN is ignored: the engine never produces it).
    #[inline(always)]
    pub fn add(&mut self, x: f64) {
        if x.abs() < ZERO {
            self.zero += 1;
        } else if x > 0.0 {
            self.pos.add(key(x), 1);
        } else if x < 0.0 {
            self.neg.add(key(-x), 1);
        }
    }

    pub fn merge(&mut self, other: &Sketch) {
        self.zero += other.zero;
        self.pos.merge(&other.pos);
        self.neg.merge(&other.neg);
    }

    pub fn count(&self) -> u64 {
        self.zero
            + self.pos.counts.iter().map(|&c| c as u64).sum::<u64>()
            + self.neg.counts.iter().map(|&c| c as u64).sum::<u64>()
    }

    /// The q-quantile (q in [0, 1]): the order statistic of rank ⌊q·(n−1)⌋, within [`REL_ERROR`].
    pub fn quantile(&self, q: f64) -> f64 {
        let n = self.count();
        if n == 0 {
            return f64::NAN;
        }
        let rank = (q.clamp(0.0, 1.0) * (n - 1) as f64).floor() as u64;
        let mut seen = 0u64;
        // Negative values, most negative first.
        for (i, &c) in self.neg.counts.iter().enumerate().rev() {
            seen += c as u64;
            if rank < seen {
                return -middle(self.neg.offset + i as i64);
            }
        }
        seen += self.zero;
        if rank < seen {
            return 0.0;
        }
        for (i, &c) in self.pos.counts.iter().enumerate() {
            seen += c as u64;
            if rank < seen {
                return middle(self.pos.offset + i as i64);
            }
        }
        f64::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    fn exact(sorted: &[f64], q: f64) -> f64 {
        sorted[(q * (sorted.len() - 1) as f64).floor() as usize]
    }

    #[test]
    fn quantiles_are_within_the_documented_relative_error() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for &(n, scale, shift) in &[
            (1usize, 1.0, 0.0),
            (7, 1.0, 0.0),
            (200, 0.3, 0.5),
            (5000, 5.0, -2.0),
            (999, 1e-6, 0.0),
        ] {
            let mut xs: Vec<f64> = (0..n)
                .map(|_| shift + scale * (rng.random::<f64>() * 2.0 - 1.0))
                .collect();
            let mut s = Sketch::default();
            for &x in &xs {
                s.add(x);
            }
            xs.sort_by(f64::total_cmp);
            assert_eq!(s.count(), n as u64);
            for q in [0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0] {
                let e = exact(&xs, q);
                let est = s.quantile(q);
                assert!(
                    (est - e).abs() <= REL_ERROR * e.abs() + ZERO,
                    "n={n} q={q}: {est} vs {e}"
                );
            }
        }
    }

    #[test]
    fn merging_is_exact_and_order_free() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1000) as f64 / 100.0 - 3.0)
            .collect();
        let mut whole = Sketch::default();
        xs.iter().for_each(|&x| whole.add(x));
        let (mut a, mut b) = (Sketch::default(), Sketch::default());
        xs[..333].iter().for_each(|&x| a.add(x));
        xs[333..].iter().for_each(|&x| b.add(x));
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(ab, whole);
        assert_eq!(ba, whole);
    }

    #[test]
    fn exact_values_at_bucket_edges_and_zero() {
        let mut s = Sketch::default();
        for x in [0.0, 0.0, 1.0, -1.0, 2.0] {
            s.add(x);
        }
        // Sorted: -1, 0, 0, 1, 2. Median is rank 2 → 0.
        assert_eq!(s.quantile(0.5), 0.0);
        let q0 = s.quantile(0.0);
        assert!((q0 + 1.0).abs() <= REL_ERROR, "{q0}");
        let q1 = s.quantile(1.0);
        assert!((q1 - 2.0).abs() <= 2.0 * REL_ERROR, "{q1}");
    }
}
