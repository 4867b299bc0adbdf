//! The statistics of one metric over an ensemble: for every cell (step × actor) a histogram of
//! bucket keys ([`Keys`]) from which quantiles are read — exact for a metric of exact keys, whose
//! extremes, mean and SD come from it — and, for a continuous metric, its exact minimum and
//! maximum and exact fixed-point sums.
//!
//! All the cells' histograms live in one arena of 16-bit counts: each cell owns a window
//! [`start`, `start + len`) of it for keys [`off`, `off + len`). A value outside its cell's
//! window moves the window to the end of the arena with an eighth of room to spare (rare after the
//! first runs); the arena is compacted in place when a quarter of it is abandoned. A cell whose count of
//! one key would pass 65,535 moves to a second arena of 32-bit counts (only after that many runs
//! in one aggregate). So adding a value is one bounds check and one increment in memory shared by
//! neighbouring cells, with no allocation, and the histograms take half the memory (and cache)
//! that 32-bit counts would.
//!
//! On disk (`shard.json`) the cells are written in cell order with their windows trimmed to the
//! first and last nonzero count, so the bytes do not depend on the order runs were added in; a
//! read-back is checked shape by shape ([`Cells::check`]) before it is used.

use super::fixed::{pass, pass4, stretch, Acc, Pass, Short};
use super::sketch::{exact_key, log_key, Keys, KEY_MAX};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// An arena whose windows [`Cells::compact`] slides down.
trait Slide {
    fn slide(&mut self, from: usize, len: usize, to: usize);
}

impl<T: Copy> Slide for Vec<T> {
    fn slide(&mut self, from: usize, len: usize, to: usize) {
        if from != to && len > 0 {
            self.copy_within(from..from + len, to);
        }
    }
}

/// Append a window of `len` zeros to `arena`, copy the counts of `old` into it `shift` entries
/// in, and zero `old` (now abandoned). Returns the new window's start.
fn relocate<T: Copy + Default>(
    arena: &mut Vec<T>,
    abandoned: &mut usize,
    old: std::ops::Range<usize>,
    len: usize,
    shift: usize,
) -> usize {
    let start = arena.len();
    arena.resize(start + len, T::default());
    if !old.is_empty() {
        arena.copy_within(old.clone(), start + shift);
        *abandoned += old.len();
        arena[old].fill(T::default());
    }
    start
}

/// The least and greatest of `runs` values `xs[r * stride]` (NaN skipped, as `f64::min` and
/// `f64::max` do; +∞ and −∞ when there is no other value).
#[inline(always)]
fn extremes(xs: &[f64], stride: usize, runs: usize) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for r in 0..runs {
        stretch(&mut lo, &mut hi, xs[r * stride]);
    }
    (lo, hi)
}

/// One cell's window in its arena. Kept apart from a continuous cell's [`Moments`] (an exact
/// metric has none) so that the heads a batch walks are 24 bytes, not 96.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Head {
    off: i64,
    start: u32,
    len: u32,
    /// The window is in the 32-bit arena.
    wide: bool,
}

/// A continuous cell's exact extremes and fixed-point sums.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Moments {
    min: f64,
    max: f64,
    acc: Acc,
}

impl Default for Moments {
    fn default() -> Moments {
        Moments {
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            acc: Acc::default(),
        }
    }
}

/// Statistics of one cell, read off its histogram.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub count: u64,
    pub mean: f64,
    pub sd: f64,
    pub min: f64,
    pub max: f64,
}

/// The cells of one metric. See the module doc.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "Wire", try_from = "Wire")]
pub struct Cells {
    keys: Keys,
    heads: Vec<Head>,
    /// Per cell of a continuous metric (none for exact keys: their extremes are the histogram's
    /// first and last keys).
    moments: Vec<Moments>,
    /// 16-bit counts, and the windows of cells that outgrew them.
    arena: Vec<u16>,
    wide: Vec<u32>,
    /// Entries of each arena no window uses any more.
    abandoned: usize,
    wide_abandoned: usize,
    /// No count in the 16-bit arena is above this (every value added raises it by one, in the
    /// cells it went to): while it is at most 65,535 no count can be full, and
    /// [`Cells::count`] increments without looking.
    most: Most,
}

/// [`Cells::most`]: a bound, not part of the statistics, so equal cells compare equal whatever
/// their bounds (a bound read back from a file is the largest 16-bit count, one kept in memory
/// the values added).
#[derive(Debug, Clone, Copy, Default)]
struct Most(u64);

impl PartialEq for Most {
    fn eq(&self, _: &Most) -> bool {
        true
    }
}

impl Cells {
    pub fn new(keys: Keys, cells: usize) -> Cells {
        Cells {
            keys,
            heads: vec![Head::default(); cells],
            moments: vec![Moments::default(); if keys == Keys::Log { cells } else { 0 }],
            arena: Vec::new(),
            wide: Vec::new(),
            abandoned: 0,
            wide_abandoned: 0,
            most: Most(0),
        }
    }

    pub fn len(&self) -> usize {
        self.heads.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heads.is_empty()
    }

    pub fn keys(&self) -> Keys {
        self.keys
    }

    /// Count value `x` in `cell`. O(1) but for a window move.
    pub fn add(&mut self, cell: usize, x: f64) {
        self.add_runs(&[x], 1, 1, cell..cell + 1);
    }

    /// Count a batch of `runs` runs in `cells`: the value of cell c in run r is
    /// `xs[r * stride + c - cells.start]`. The same counts, extremes and sums as adding the values one by one
    /// (none depends on the order), but the kind of keys is dispatched once per batch, and a
    /// continuous cell's extremes and sums are kept in registers over the batch and stored once.
    pub fn add_runs(
        &mut self,
        xs: &[f64],
        stride: usize,
        runs: usize,
        cells: std::ops::Range<usize>,
    ) {
        if runs == 0 || cells.is_empty() {
            return;
        }
        assert!(cells.end <= self.heads.len() && (runs - 1) * stride + cells.len() <= xs.len());
        let first = cells.start;
        match self.keys {
            Keys::Log if runs > Short::MAX => {}
            // Each cell gets `runs` values.
            _ => self.most.0 = self.most.0.saturating_add(runs as u64),
        }
        match self.keys {
            Keys::Log if runs > Short::MAX => {
                // In chunks that a `Short` can sum.
                for r in (0..runs).step_by(Short::MAX) {
                    let k = Short::MAX.min(runs - r);
                    self.add_runs(&xs[r * stride..], stride, k, cells.clone());
                }
            }
            Keys::Log => {
                // First pass four adjacent cells at a time (in vector registers where the CPU
                // has them: [`pass4`]), then each cell's keys.
                let mut cell = cells.start;
                while cell < cells.end {
                    let take = (cells.end - cell).min(4);
                    let xs = &xs[cell - first..];
                    if take == 4 {
                        for (l, p) in pass4(xs, stride, runs).iter().enumerate() {
                            self.add_pass(cell + l, &xs[l..], stride, runs, p);
                        }
                    } else {
                        for l in 0..take {
                            let p = pass(&xs[l..], stride, runs);
                            self.add_pass(cell + l, &xs[l..], stride, runs, &p);
                        }
                    }
                    cell += take;
                }
            }
            Keys::Exact(q) => {
                let q = q as f64;
                for cell in cells {
                    let xs = &xs[cell - first..];
                    if self.heads[cell].len == 0 {
                        let (lo, hi) = extremes(xs, stride, runs);
                        if lo <= hi {
                            self.cover(cell, exact_key(lo, q), exact_key(hi, q));
                        }
                    }
                    self.count(cell, xs, stride, runs, |x| exact_key(x, q));
                }
            }
        }
    }

    /// The rest of a continuous cell's batch once its first pass `p` is done ([`pass`]): a
    /// first batch's window for all its keys at once (the key is monotonic in the value, so
    /// the extremes' keys bound the batch's), the keys, the extremes and the sums.
    #[inline(always)]
    fn add_pass(&mut self, cell: usize, xs: &[f64], stride: usize, runs: usize, p: &Pass) {
        if self.heads[cell].len == 0 && p.lo <= p.hi {
            self.cover(cell, log_key(p.lo), log_key(p.hi));
        }
        self.count(cell, xs, stride, runs, log_key);
        // + 0.0 turns −0.0 into +0.0: `min`/`max` of the two zeros depend on their order (an
        // extreme that is a zero is +0.0, whichever zero came first).
        let c = &mut self.moments[cell];
        c.min = c.min.min(p.lo + 0.0);
        c.max = c.max.max(p.hi + 0.0);
        if p.small {
            c.acc.add_short(&p.short);
        } else {
            // A value at or beyond 2¹⁹ (or NaN): the sums again, in full width.
            for r in 0..runs {
                c.acc.add(xs[r * stride]);
            }
        }
    }

    /// Count the keys of `runs` values in `cell`, value r being `xs[r * stride]`: in a loop over
    /// the cell's window (borrowed once: a count stored through `&mut self` would make every key
    /// reload the arena's address), each key outside it (or whose 16-bit count is full) by
    /// [`Cells::add_count`]. An exact key out of range ([`exact_key`]) is clamped there: no
    /// window reaches past the range.
    #[inline(always)]
    fn count(
        &mut self,
        cell: usize,
        xs: &[f64],
        stride: usize,
        runs: usize,
        mut key_of: impl FnMut(f64) -> i64,
    ) {
        let mut r = 0;
        loop {
            let h = self.heads[cell];
            if !h.wide && self.most.0 <= u16::MAX as u64 {
                // No count can be full: an increment per key in the window, nothing else.
                let w = &mut self.arena[h.start as usize..][..h.len as usize];
                let missed = loop {
                    if r == runs {
                        return;
                    }
                    let key = key_of(xs[r * stride]);
                    r += 1;
                    let ix = key.wrapping_sub(h.off) as u64;
                    if ix >= w.len() as u64 {
                        break key;
                    }
                    w[ix as usize] += 1;
                };
                self.add_count(cell, missed.clamp(-KEY_MAX, KEY_MAX), 1);
                continue;
            }
            let (arena, wide) = (&mut self.arena[..], &mut self.wide[..]);
            let missed = loop {
                if r == runs {
                    return;
                }
                let key = key_of(xs[r * stride]);
                r += 1;
                let ix = key.wrapping_sub(h.off) as u64;
                if ix >= h.len as u64 {
                    break key;
                }
                let at = h.start as usize + ix as usize;
                if h.wide {
                    wide[at] += 1;
                } else {
                    let slot = &mut arena[at];
                    if *slot == u16::MAX {
                        break key;
                    }
                    *slot += 1;
                }
            };
            self.add_count(cell, missed.clamp(-KEY_MAX, KEY_MAX), 1);
        }
    }

    /// Count `c` values of `key` in `cell`: moves its window to cover the key, or to the wide
    /// arena if the count would pass 16 bits.
    #[cold]
    #[inline(never)]
    fn add_count(&mut self, cell: usize, key: i64, c: u32) {
        let h = self.heads[cell];
        if key.wrapping_sub(h.off) as u64 >= h.len as u64 {
            self.move_window(cell, key);
        }
        let h = self.heads[cell];
        let at = h.start as usize + (key - h.off) as usize;
        if !h.wide {
            let now = self.arena[at] as u32 + c;
            if now <= u16::MAX as u32 {
                self.arena[at] = now as u16;
                return;
            }
            self.widen(cell);
        }
        let h = self.heads[cell];
        let at = h.start as usize + (key - h.off) as usize;
        self.wide[at] = self.wide[at].saturating_add(c);
    }

    /// Give `cell` a window covering `key` and its old window, with room, at the end of its arena.
    fn move_window(&mut self, cell: usize, key: i64) {
        self.move_window_over(cell, key, key);
    }

    /// Give `cell` a window covering the keys from `klo` to `khi` (a first batch's, found from its
    /// extremes, clamped to the keys' range as [`Cells::add_count`] clamps) unless it has one:
    /// one move for the batch instead of one per key that falls outside. Measured at 1,000
    /// baseline runs, that took the kernel's page zeroing from 5% of the time to under 1.5%.
    fn cover(&mut self, cell: usize, klo: i64, khi: i64) {
        let (klo, khi) = (klo.clamp(-KEY_MAX, KEY_MAX), khi.clamp(-KEY_MAX, KEY_MAX));
        let h = self.heads[cell];
        if h.len == 0 || klo < h.off || khi >= h.off + h.len as i64 {
            self.move_window_over(cell, klo, khi);
        }
    }

    /// [`Cells::move_window`] for the keys `klo..=khi`.
    fn move_window_over(&mut self, cell: usize, klo: i64, khi: i64) {
        if self.abandoned + self.wide_abandoned > 4096
            && (self.abandoned + self.wide_abandoned) * 4 > self.arena.len() + self.wide.len()
        {
            self.compact();
        }
        let h = self.heads[cell];
        let (lo, hi) = if h.len == 0 {
            (klo, khi)
        } else {
            (klo.min(h.off), khi.max(h.off + h.len as i64 - 1))
        };
        let room = ((hi - lo) / 8).max(2);
        // Within the keys' range, so that an unclamped key outside it is never in a window.
        let (lo, hi) = ((lo - room).max(-KEY_MAX), (hi + room).min(KEY_MAX));
        let len = (hi - lo + 1) as usize;
        let old = h.start as usize..h.start as usize + h.len as usize;
        let shift = if h.len > 0 { (h.off - lo) as usize } else { 0 };
        let start = if h.wide {
            relocate(&mut self.wide, &mut self.wide_abandoned, old, len, shift)
        } else {
            relocate(&mut self.arena, &mut self.abandoned, old, len, shift)
        };
        let h = &mut self.heads[cell];
        h.off = lo;
        h.start = u32::try_from(start).expect("an arena under 2³² entries");
        h.len = len as u32;
    }

    /// Move `cell`'s window from the 16-bit arena to the 32-bit one.
    fn widen(&mut self, cell: usize) {
        let h = self.heads[cell];
        let old = h.start as usize..h.start as usize + h.len as usize;
        let start = self.wide.len();
        self.wide
            .extend(self.arena[old.clone()].iter().map(|&c| c as u32));
        self.arena[old].fill(0);
        self.abandoned += h.len as usize;
        let h = &mut self.heads[cell];
        h.wide = true;
        h.start = u32::try_from(start).expect("an arena under 2³² entries");
    }

    /// Close the gaps in both arenas, in place (no second arena at the peak): windows slide
    /// down in the order they lie in, keeping their contents.
    fn compact(&mut self) {
        let mut order: Vec<usize> = (0..self.heads.len()).collect();
        order.sort_by_key(|&i| (self.heads[i].wide, self.heads[i].start));
        let (mut to, mut to_wide) = (0usize, 0usize);
        for i in order {
            let h = &mut self.heads[i];
            let (from, len) = (h.start as usize, h.len as usize);
            let (arena_to, arena) = if h.wide {
                (&mut to_wide, &mut self.wide as &mut dyn Slide)
            } else {
                (&mut to, &mut self.arena as &mut dyn Slide)
            };
            arena.slide(from, len, *arena_to);
            h.start = *arena_to as u32;
            *arena_to += len;
        }
        self.arena.truncate(to);
        self.wide.truncate(to_wide);
        self.abandoned = 0;
        self.wide_abandoned = 0;
    }

    /// Trim every window to its first and last nonzero count and rebuild the arenas without
    /// room or abandoned entries (before an aggregate is kept or merged).
    pub fn shrink(&mut self) {
        for cell in 0..self.heads.len() {
            let (first, last) = self.nonzero(cell).map_or((0, 0), |r| (r.start, r.end));
            let h = &mut self.heads[cell];
            let dropped = h.len as usize - (last - first);
            if h.wide {
                self.wide_abandoned += dropped;
            } else {
                self.abandoned += dropped;
            }
            h.off += first as i64;
            h.start += first as u32;
            h.len = (last - first) as u32;
        }
        self.compact();
        self.arena.shrink_to_fit();
        self.wide.shrink_to_fit();
    }

    /// The counts of `cell`, from key `off` on.
    fn window(&self, cell: usize) -> (i64, Cow<'_, [u32]>) {
        let h = &self.heads[cell];
        let w = h.start as usize..h.start as usize + h.len as usize;
        let counts = if h.wide {
            Cow::Borrowed(&self.wide[w])
        } else {
            Cow::Owned(self.arena[w].iter().map(|&c| c as u32).collect())
        };
        (h.off, counts)
    }

    /// Add another metric's cells (exact, commutative).
    pub fn merge(&mut self, o: &Cells) {
        self.most.0 = self.most.0.saturating_add(o.most.0);
        for cell in 0..self.heads.len().min(o.heads.len()) {
            let (off, counts) = o.window(cell);
            for (i, &c) in counts.iter().enumerate() {
                if c > 0 {
                    self.add_count(cell, off + i as i64, c);
                }
            }
        }
        for (a, b) in self.moments.iter_mut().zip(&o.moments) {
            a.min = a.min.min(b.min);
            a.max = a.max.max(b.max);
            a.acc.merge(&b.acc);
        }
    }

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
    fn value(&self, key: i64, div: u32) -> f64 {
        match self.keys {
            Keys::Exact(q) => key as f64 / (q as f64 * div as f64),
            Keys::Log => self.keys.value(key),
        }
    }

    /// Smallest and largest value of a cell, divided by `div`: kept exactly for a continuous
    /// metric (+∞, −∞ while empty), an exact histogram's first and last keys otherwise (NaN
    /// while empty).
    fn extremes(&self, cell: usize, div: u32) -> (f64, f64) {
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
    fn nonzero(&self, cell: usize) -> Option<std::ops::Range<usize>> {
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

    /// Check data read from a file: `cells` cells, each holding exactly `runs` values, every key
    /// valid, extremes ordered, sums possible. Returns what is wrong.
    pub fn check(&self, cells: usize, runs: u64) -> Result<(), String> {
        if self.heads.len() != cells {
            return Err(format!("{} cells, expected {cells}", self.heads.len()));
        }
        for cell in 0..cells {
            let (_, counts) = self.window(cell);
            let n: u64 = counts.iter().map(|&c| c as u64).sum();
            if n != runs {
                return Err(format!("cell {cell} counts {n} values, expected {runs}"));
            }
            // A continuous metric's (read back: every cell has them); an exact one has none.
            let Some(h) = self.moments.get(cell) else {
                continue;
            };
            let ordered = h.min <= h.max && h.min.is_finite() && h.max.is_finite();
            if runs > 0 && (!ordered || self.keys.key(h.min) > self.keys.key(h.max)) {
                return Err(format!("cell {cell} has min > max"));
            }
            if !h.acc.fits(runs) {
                return Err(format!("cell {cell} has sums no {runs} values can have"));
            }
        }
        Ok(())
    }
}

/// `Cells` on disk: windows trimmed, in cell order; floats as their bits (exact round trip).
#[derive(Serialize, Deserialize)]
struct Wire {
    keys: WireKeys,
    /// Per cell: first key, number of counts.
    off: Vec<i64>,
    len: Vec<u32>,
    counts: Vec<u32>,
    /// Exact extremes and fixed-point sums (continuous metrics only: an exact metric's extremes
    /// are its first and last keys).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    min: Vec<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    max: Vec<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    acc: Vec<Acc>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum WireKeys {
    Log,
    Exact(u32),
}

impl From<Cells> for Wire {
    fn from(c: Cells) -> Wire {
        let mut w = Wire {
            keys: match c.keys {
                Keys::Log => WireKeys::Log,
                Keys::Exact(q) => WireKeys::Exact(q),
            },
            off: Vec::new(),
            len: Vec::new(),
            counts: Vec::new(),
            min: Vec::new(),
            max: Vec::new(),
            acc: Vec::new(),
        };
        if c.keys == Keys::Log {
            w.min = c.moments.iter().map(|m| m.min.to_bits()).collect();
            w.max = c.moments.iter().map(|m| m.max.to_bits()).collect();
            w.acc = c.moments.iter().map(|m| m.acc).collect();
        }
        for cell in 0..c.heads.len() {
            let (off, counts) = c.window(cell);
            let (first, last) = c
                .nonzero(cell)
                .map_or((counts.len(), counts.len()), |r| (r.start, r.end));
            w.off.push(off + first as i64);
            w.len.push((last - first) as u32);
            w.counts.extend_from_slice(&counts[first..last]);
        }
        w
    }
}

impl TryFrom<Wire> for Cells {
    type Error = String;

    /// Shapes are checked before anything is indexed; counts against the runs by [`Cells::check`].
    fn try_from(w: Wire) -> Result<Cells, String> {
        let keys = match w.keys {
            WireKeys::Log => Keys::Log,
            WireKeys::Exact(q) if q >= 1 => Keys::Exact(q),
            WireKeys::Exact(_) => return Err("exact keys with q = 0".into()),
        };
        let cells = w.off.len();
        let total: u64 = w.len.iter().map(|&l| l as u64).sum();
        let log = keys == Keys::Log;
        let shapes_fit = w.len.len() == cells
            && [w.min.len(), w.max.len(), w.acc.len()] == [if log { cells } else { 0 }; 3]
            && total == w.counts.len() as u64
            && total < u32::MAX as u64;
        if !shapes_fit {
            return Err("cells of different lengths".into());
        }
        let in_range = w.off.iter().zip(&w.len).all(|(&off, &len)| {
            keys.valid(off) && keys.valid(off.saturating_add(len as i64).saturating_sub(1))
        });
        if !in_range {
            return Err("a histogram key out of range".into());
        }
        let (mut arena, mut wide) = (Vec::new(), Vec::new());
        let mut at = 0usize;
        let mut heads = Vec::with_capacity(cells);
        for i in 0..cells {
            let counts = &w.counts[at..at + w.len[i] as usize];
            at += counts.len();
            let is_wide = counts.iter().any(|&c| c > u16::MAX as u32);
            let start = if is_wide {
                wide.extend_from_slice(counts);
                wide.len() - counts.len()
            } else {
                arena.extend(counts.iter().map(|&c| c as u16));
                arena.len() - counts.len()
            };
            heads.push(Head {
                off: w.off[i],
                start: start as u32,
                len: w.len[i],
                wide: is_wide,
            });
        }
        // The shapes are checked above: a continuous metric has its moments for every cell, an
        // exact one none.
        let moments = (0..w.min.len())
            .map(|i| Moments {
                min: f64::from_bits(w.min[i]),
                max: f64::from_bits(w.max[i]),
                acc: w.acc[i],
            })
            .collect();
        let most = Most(arena.iter().map(|&c| c as u64).max().unwrap_or(0));
        Ok(Cells {
            keys,
            heads,
            moments,
            arena,
            wide,
            abandoned: 0,
            wide_abandoned: 0,
            most,
        })
    }
}

#[cfg(test)]
#[path = "cells_tests.rs"]
mod tests;
