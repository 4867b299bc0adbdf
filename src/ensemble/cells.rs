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

use super::fixed::{pass, pass4, stretch, BatchScan, ExactSums, SmallSums};
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
    acc: ExactSums,
}

impl Default for Moments {
    fn default() -> Moments {
        Moments {
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            acc: ExactSums::default(),
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
    most: CountBound,
}

/// [`Cells::most`]: a bound, not part of the statistics, so equal cells compare equal whatever
/// their bounds (a bound read back from a file is the largest 16-bit count, one kept in memory
/// the values added).
#[derive(Debug, Clone, Copy, Default)]
struct CountBound(u64);

impl PartialEq for CountBound {
    fn eq(&self, _: &CountBound) -> bool {
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
            most: CountBound(0),
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
            Keys::Log if runs > SmallSums::MAX => {}
            // Each cell gets `runs` values.
            _ => self.most.0 = self.most.0.saturating_add(runs as u64),
        }
        match self.keys {
            Keys::Log if runs > SmallSums::MAX => {
                // In chunks that a `SmallSums` can sum.
                for r in (0..runs).step_by(SmallSums::MAX) {
                    let k = SmallSums::MAX.min(runs - r);
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
    fn add_pass(&mut self, cell: usize, xs: &[f64], stride: usize, runs: usize, p: &BatchScan) {
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
}

#[path = "cells_read.rs"]
mod read;
#[path = "cells_wire.rs"]
mod wire;
use wire::Wire;

#[cfg(test)]
#[path = "cells_tests.rs"]
mod tests;
