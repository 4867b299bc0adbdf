//! Reading a cell: its count, mean, SD and extremes, quantiles, span, and the arena's size.

use super::*;

impl Cells {
    /// Count, mean, sample SD (n − 1) and extremes of a cell: from the exact histogram for
    /// integer keys (n·Σk² − (Σk)² in integers), from the exact fixed-point sums otherwise. A
    /// constant cell gives its value exactly and SD 0. `div` divides every value of an exact
    /// metric (a moving average counted as its window's sum; 1 otherwise), in one correctly
    /// rounded division of integers.
    pub fn summary(&self, cell: usize, div: u32) -> Summary {
        let (off, counts) = self.window(cell);
        let n: u64 = counts.iter().map(|&c| c as u64).sum();
        let (min, max) = self.extremes(cell, div);
        let (mean, sd) = if n == 0 {
            (f64::NAN, f64::NAN)
        } else if min == max {
            (min, 0.0)
        } else if let Keys::Exact(q) = self.keys {
            let (mut s1, mut s2) = (0i128, 0i128);
            for (i, &c) in counts.iter().enumerate() {
                let k = (off + i as i64) as i128;
                s1 += k * c as i128;
                s2 += k * k * c as i128;
            }
            let nf = n as f64;
            let var = if n > 1 {
                (n as i128 * s2 - s1 * s1) as f64 / (nf * (nf - 1.0))
            } else {
                0.0
            };
            let q = q as f64 * div as f64;
            // One division of two integers (exact in f64 below 2⁵³): the correctly rounded mean.
            ((s1 as f64 / (nf * q)).clamp(min, max), var.sqrt() / q)
        } else {
            debug_assert_eq!(div, 1);
            let h = &self.moments[cell];
            // The sums are exact to 2⁻³³ per value: the mean is rounded to 1e-9 so that the
            // fixed point's last bits do not show as digits.
            let mean = (h.acc.mean(n) * 1e9).round() / 1e9;
            (mean.clamp(h.min, h.max), h.acc.variance(n).sqrt())
        };
        Summary {
            count: n,
            mean,
            sd,
            min,
            max,
        }
    }

    /// The value of `key` in a cell divided by `div` (see [`Cells::summary`]).
    pub(super) fn value(&self, key: i64, div: u32) -> f64 {
        match self.keys {
            Keys::Exact(q) => key as f64 / (q as f64 * div as f64),
            Keys::Log => self.keys.value(key),
        }
    }

    /// Smallest and largest value of a cell, divided by `div`: kept exactly for a continuous
    /// metric (+∞, −∞ while empty), an exact histogram's first and last keys otherwise (NaN
    /// while empty).
    pub(super) fn extremes(&self, cell: usize, div: u32) -> (f64, f64) {
        if self.keys == Keys::Log {
            let m = &self.moments[cell];
            return (m.min, m.max);
        }
        let h = &self.heads[cell];
        match self.nonzero(cell) {
            Some(r) => (
                self.value(h.off + r.start as i64, div),
                self.value(h.off + r.end as i64 - 1, div),
            ),
            None => (f64::NAN, f64::NAN),
        }
    }

    /// Positions in `cell`'s window of its first nonzero count to just past its last, if any.
    pub(super) fn nonzero(&self, cell: usize) -> Option<std::ops::Range<usize>> {
        fn span<T: Copy + Default + PartialEq>(w: &[T]) -> Option<std::ops::Range<usize>> {
            let first = w.iter().position(|&c| c != T::default())?;
            let last = w.iter().rposition(|&c| c != T::default())?;
            Some(first..last + 1)
        }
        let h = &self.heads[cell];
        let w = h.start as usize..h.start as usize + h.len as usize;
        if h.wide {
            span(&self.wide[w])
        } else {
            span(&self.arena[w])
        }
    }

    /// The q-quantiles (order statistics of rank ⌊q·(n−1)⌋) of a cell, divided by `div`: exact
    /// for integer keys and at ranks 0 and n − 1, otherwise the middle of the bucket clamped to
    /// [min, max].
    pub fn quantiles<const K: usize>(&self, cell: usize, qs: [f64; K], div: u32) -> [f64; K] {
        let (off, counts) = self.window(cell);
        let n: u64 = counts.iter().map(|&c| c as u64).sum();
        let (min, max) = self.extremes(cell, div);
        qs.map(|q| {
            if n == 0 {
                return f64::NAN;
            }
            let rank = (q.clamp(0.0, 1.0) * (n - 1) as f64).floor() as u64;
            if rank == 0 {
                return min;
            }
            if rank == n - 1 {
                return max;
            }
            let mut seen = 0u64;
            for (i, &c) in counts.iter().enumerate() {
                seen += c as u64;
                if rank < seen {
                    return self.value(off + i as i64, div).clamp(min, max);
                }
            }
            max
        })
    }

    /// First and last key `cell`'s window covers, if it has one.
    pub fn span(&self, cell: usize) -> Option<(i64, i64)> {
        let h = &self.heads[cell];
        (h.len > 0).then(|| (h.off, h.off + h.len as i64 - 1))
    }

    /// Bytes of the histograms' arenas (for tests and measurements).
    pub fn arena_bytes(&self) -> usize {
        2 * self.arena.len() + 4 * self.wide.len()
    }
}
