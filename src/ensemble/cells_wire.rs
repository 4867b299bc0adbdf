//! `Cells` on disk (`shard.json`) and the check of what is read back: windows trimmed to the
//! first and last nonzero count, in cell order, so the bytes do not depend on the order runs were
//! added in.

use super::*;

impl Cells {
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
pub(super) struct Wire {
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
    acc: Vec<ExactSums>,
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
        let most = CountBound(arena.iter().map(|&c| c as u64).max().unwrap_or(0));
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
