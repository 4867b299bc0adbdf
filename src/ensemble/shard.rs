//! Shards: one ensemble split over machines (`run --shard K/N`) and put back together
//! (`diplosim merge`). Shard K of N runs a contiguous range of the runs; its aggregate is exact, so
//! the merged result is the one a single machine computes. A shard read back from disk is verified,
//! never trusted: it must come from the same tool version, scenario, seed and split as the others,
//! and together the shards must cover every part exactly once.

use super::Aggregate;
use crate::error::{Error, Result};

/// `fnv1a64:` of the aggregate's JSON (the bytes `shard.json` holds for it).
pub fn aggregate_checksum(a: &Aggregate) -> String {
    let json = serde_json::to_vec(a).unwrap_or_default();
    format!("fnv1a64:{}", crate::hash::fnv1a64(&json))
}
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Part K of N of an ensemble (1 ≤ K ≤ N).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: u64,
    pub n: u64,
}

impl Shard {
    /// `K/N` with 1 ≤ K ≤ N ≤ runs.
    pub fn parse(s: &str, runs: u64) -> Result<Shard> {
        let bad = || {
            Error::Usage(format!(
                "--shard {s}: expected K/N with 1 ≤ K ≤ N, e.g. 2/8"
            ))
        };
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: u64 = k.trim().parse().map_err(|_| bad())?;
        let n: u64 = n.trim().parse().map_err(|_| bad())?;
        if k == 0 || n == 0 || k > n {
            return Err(bad());
        }
        if n > runs {
            return Err(Error::Usage(format!(
                "--shard {s}: {n} shards but only {runs} runs"
            )));
        }
        Ok(Shard { k, n })
    }

    /// Runs [start, end) of this shard over `runs` runs.
    pub fn range(self, runs: u64) -> (u64, u64) {
        shard_range(self.k, self.n, runs)
    }
}

/// Runs [start, end) of shard k (1-based) of n over `runs` runs: contiguous, sizes differ by ≤ 1.
/// Computed in 128 bits, so any k ≤ n and runs (even u64::MAX) give the right range.
pub fn shard_range(k: u64, n: u64, runs: u64) -> (u64, u64) {
    let at = |k: u64| (k.saturating_sub(1) as u128 * runs as u128 / n.max(1) as u128) as u64;
    (at(k), at(k.saturating_add(1)))
}

/// Most runs one ensemble may hold: histogram counts are 32-bit.
pub const MAX_RUNS: u64 = u32::MAX as u64;

/// Largest `shard.json` `merge` reads (bytes); a real one is a few MB per 100 actors.
pub const MAX_SHARD_FILE: u64 = 1 << 30;

/// What a shard folder holds for `merge` (`shard.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShardState {
    pub tool: String,
    pub version: String,
    pub scenario: String,
    pub scenario_hash: String,
    pub seed: u64,
    /// Runs of the whole ensemble.
    pub runs: u64,
    pub steps: usize,
    /// K of N.
    pub shard: (u64, u64),
    /// Runs [start, end) of this shard.
    pub range: (u64, u64),
    /// Whether events.csv holds every run's events (`--events all`).
    pub all_events: bool,
    pub aggregate: Aggregate,
    /// `fnv1a64:` of the aggregate as written (its JSON), which `merge` recomputes.
    #[serde(default)]
    pub checksum: String,
}

impl ShardState {
    /// A state whose checksum is that of its aggregate.
    pub fn sealed(mut self) -> ShardState {
        self.checksum = aggregate_checksum(&self.aggregate);
        self
    }

    /// Read `shard.json` of a shard folder (at most [`MAX_SHARD_FILE`] bytes) and check its
    /// checksum and its own consistency: split, range, runs (`ShardState::check_split`).
    pub fn read(dir: &Path) -> Result<ShardState> {
        let p = dir.join("shard.json");
        let bad = |what: String| {
            Error::Usage(format!(
                "{}: not a valid diplosim shard: {what}",
                p.display()
            ))
        };
        let read_err = |e| Error::Read {
            path: p.clone(),
            source: e,
        };
        let len = std::fs::metadata(&p).map_err(read_err)?.len();
        if len > MAX_SHARD_FILE {
            return Err(bad(format!(
                "{len} bytes, more than the {MAX_SHARD_FILE} a shard can have"
            )));
        }
        let text = std::fs::read_to_string(&p).map_err(read_err)?;
        let state: ShardState = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        if state.checksum != aggregate_checksum(&state.aggregate) {
            return Err(bad(
                "the aggregate does not match its checksum (edited or damaged)".into(),
            ));
        }
        state.check_split().map_err(bad)?;
        Ok(state)
    }

    /// Split, range and run counts that agree with each other (before anything is allocated
    /// from them).
    fn check_split(&self) -> std::result::Result<(), String> {
        let (k, n) = self.shard;
        if self.runs == 0 || self.runs > MAX_RUNS {
            return Err(format!("{} runs (1 to {MAX_RUNS})", self.runs));
        }
        if k == 0 || k > n || n > self.runs {
            return Err(format!("shard {k}/{n} of {} runs", self.runs));
        }
        if self.range != shard_range(k, n, self.runs) {
            return Err(format!(
                "range {:?} is not that of shard {k}/{n}",
                self.range
            ));
        }
        if self.aggregate.runs != self.range.1 - self.range.0 || self.steps != self.aggregate.steps
        {
            return Err(format!(
                "its aggregate holds {} runs of {} steps, its range {} of {}",
                self.aggregate.runs,
                self.aggregate.steps,
                self.range.1 - self.range.0,
                self.steps
            ));
        }
        Ok(())
    }

    /// What differs between this shard and `first` that forbids merging them, if anything.
    fn mismatch(&self, first: &ShardState) -> Option<String> {
        if self.version != first.version {
            Some(format!(
                "diplosim version {} (first shard: {})",
                self.version, first.version
            ))
        } else if self.seed != first.seed {
            Some(format!("seed {} (first shard: {})", self.seed, first.seed))
        } else if self.scenario_hash != first.scenario_hash || self.scenario != first.scenario {
            Some(format!(
                "scenario {} {} (first shard: {} {})",
                self.scenario, self.scenario_hash, first.scenario, first.scenario_hash
            ))
        } else if self.runs != first.runs
            || self.shard.1 != first.shard.1
            || self.all_events != first.all_events
        {
            Some(format!(
                "{} runs in {} shards (first shard: {} runs in {})",
                self.runs, self.shard.1, first.runs, first.shard.1
            ))
        } else {
            None
        }
    }
}

/// Shards of one ensemble, verified and in shard order (which is run order).
#[derive(Debug, Clone)]
pub struct Shards {
    /// Each shard's state and the folder it came from.
    pub parts: Vec<(ShardState, PathBuf)>,
}

impl Shards {
    /// Check that the shards belong to one ensemble (same version, scenario, seed and split) and
    /// cover each of its N parts exactly once; sort them by K. `parts` must not be empty.
    pub fn verify(mut parts: Vec<(ShardState, PathBuf)>) -> Result<Shards> {
        let Some((first, _)) = parts.first() else {
            return Err(Error::Usage("no shard folder given".into()));
        };
        let first = first.clone();
        for (s, d) in &parts {
            if let Some(w) = s.mismatch(&first) {
                return Err(Error::Usage(format!(
                    "cannot merge {}: it has {w}",
                    d.display()
                )));
            }
        }
        parts.sort_by_key(|(s, _)| s.shard.0);
        let n = first.shard.1;
        let ks: Vec<u64> = parts.iter().map(|(s, _)| s.shard.0).collect();
        if ks != (1..=n).collect::<Vec<_>>() {
            let missing: Vec<String> = (1..=n)
                .filter(|k| !ks.contains(k))
                .map(|k| format!("{k}/{n}"))
                .collect();
            let dup = ks.windows(2).any(|w| w[0] == w[1]);
            return Err(Error::Usage(if dup {
                "the same shard is given twice".to_string()
            } else {
                format!("missing shard(s) {}", missing.join(", "))
            }));
        }
        Ok(Shards { parts })
    }

    /// Number of shards (N).
    pub fn count(&self) -> u64 {
        self.parts[0].0.shard.1
    }

    /// The first shard's state (all agree on what [`Shards::verify`] checks).
    pub fn first(&self) -> &ShardState {
        &self.parts[0].0
    }

    /// The ensemble's aggregate: the exact sum of the shards', each first checked against the
    /// scenario (`n` actors, `steps` steps, its `ma_window`, `observations` observations): every
    /// shape, range and count, and the same step 0 in all.
    pub fn aggregate(
        &self,
        n: usize,
        steps: usize,
        ma_window: usize,
        observations: usize,
    ) -> Result<Aggregate> {
        let mut agg = Aggregate::new(n, steps, ma_window);
        for (s, d) in &self.parts {
            let bad = |what: String| {
                Error::Usage(format!(
                    "cannot merge {}: its shard.json has {what}",
                    d.display()
                ))
            };
            if s.steps != steps {
                return Err(bad(format!(
                    "{} steps, but its scenario has {steps}",
                    s.steps
                )));
            }
            let a = &s.aggregate;
            a.check(n, steps, ma_window, observations, s.range.1 - s.range.0)
                .map_err(bad)?;
            if !agg.same_start(a) {
                return Err(bad("a step 0 unlike the first shard's".into()));
            }
        }
        // Each shard's keys are in range, but far-apart keys of one cell in two shards would make
        // the merged window huge: its size is known before anything is allocated.
        // Shards of one ensemble cover much the same keys: a merged histogram more than four
        // times the shards' together (and past 64 MiB) means a shard.json was tampered with.
        let parts = || self.parts.iter().map(|(s, _)| &s.aggregate);
        let (need, own) = (merged_histogram_bytes(parts()), histogram_bytes(parts()));
        let limit = (4 * own)
            .max(64 << 20)
            .min(crate::budget::MEMORY_BUDGET as u128);
        if need > limit {
            return Err(Error::Usage(format!(
                "cannot merge these shards: their histograms together would need {}, \
                 against {} in the shards themselves; a shard.json was edited or damaged",
                crate::budget::bytes(need.min(u64::MAX as u128) as u64),
                crate::budget::bytes(own.min(u64::MAX as u128) as u64)
            )));
        }
        for (s, _) in &self.parts {
            agg.merge(&s.aggregate);
        }
        Ok(agg)
    }
}

/// Bytes of the 16-bit histograms of `parts`, each on its own.
fn histogram_bytes<'a>(parts: impl Iterator<Item = &'a Aggregate>) -> u128 {
    parts
        .flat_map(|a| a.metrics.iter())
        .flat_map(|c| (0..c.len()).filter_map(|cell| c.span(cell)))
        .map(|(lo, hi)| 2 * (hi as i128 - lo as i128 + 1) as u128)
        .sum()
}

/// Bytes of 16-bit histograms covering, in every cell, the keys of all `parts` (checked
/// aggregates of one scenario).
fn merged_histogram_bytes<'a>(parts: impl Iterator<Item = &'a Aggregate> + Clone) -> u128 {
    let Some(first) = parts.clone().next() else {
        return 0;
    };
    let mut total = 0u128;
    for (m, cells) in first.metrics.iter().enumerate() {
        for cell in 0..cells.len() {
            let span = parts
                .clone()
                .filter_map(|a| a.metrics.get(m).and_then(|c| c.span(cell)))
                .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)));
            if let Some((lo, hi)) = span {
                total += 2 * (hi as i128 - lo as i128 + 1) as u128;
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(k: u64, n: u64, runs: u64) -> ShardState {
        let (a, b) = shard_range(k, n, runs);
        let mut aggregate = Aggregate::new(2, 3, 4);
        aggregate.runs = b - a;
        ShardState {
            tool: "diplosim".into(),
            version: "0.1.0".into(),
            scenario: "baseline".into(),
            scenario_hash: "fnv1a64:0123".into(),
            seed: 1,
            runs,
            steps: 3,
            shard: (k, n),
            range: (a, b),
            all_events: false,
            aggregate,
            checksum: String::new(),
        }
        .sealed()
    }

    fn parts(states: Vec<ShardState>) -> Vec<(ShardState, PathBuf)> {
        states
            .into_iter()
            .map(|s| {
                let d = PathBuf::from(format!("s{}", s.shard.0));
                (s, d)
            })
            .collect()
    }

    fn usage<T: std::fmt::Debug>(r: Result<T>) -> String {
        match r {
            Err(Error::Usage(m)) => m,
            other => panic!("expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn huge_run_counts_give_ranges_not_overflows() {
        assert_eq!(shard_range(2, 2, u64::MAX), (u64::MAX / 2, u64::MAX));
        assert_eq!(shard_range(1, 1, u64::MAX), (0, u64::MAX));
    }

    #[test]
    fn shard_ranges_tile_the_runs() {
        for runs in [1u64, 7, 10, 1000] {
            for n in 1..=5u64.min(runs) {
                let mut next = 0;
                for k in 1..=n {
                    let (a, b) = shard_range(k, n, runs);
                    assert_eq!(a, next);
                    assert!(b - a == runs / n || b - a == runs / n + 1);
                    next = b;
                }
                assert_eq!(next, runs);
            }
        }
    }

    #[test]
    fn shard_flag_parses_and_refuses_bad_splits() {
        assert_eq!(Shard::parse("2/8", 100).unwrap(), Shard { k: 2, n: 8 });
        assert_eq!(Shard::parse(" 1 / 1", 1).unwrap().range(1), (0, 1));
        for bad in ["0/2", "3/2", "2", "a/b", "1/0"] {
            assert!(
                matches!(Shard::parse(bad, 10), Err(Error::Usage(_))),
                "{bad}"
            );
        }
        assert!(usage(Shard::parse("1/20", 10)).contains("20 shards but only 10 runs"));
    }

    #[test]
    fn verified_shards_come_in_order_and_sum_their_runs() {
        let s = Shards::verify(parts(vec![
            state(3, 3, 10),
            state(1, 3, 10),
            state(2, 3, 10),
        ]))
        .unwrap();
        let ks: Vec<u64> = s.parts.iter().map(|(p, _)| p.shard.0).collect();
        assert_eq!(ks, [1, 2, 3]);
        assert_eq!(s.count(), 3);
    }

    #[test]
    fn a_missing_or_repeated_shard_is_refused() {
        let m = usage(Shards::verify(parts(vec![
            state(1, 3, 10),
            state(3, 3, 10),
        ])));
        assert_eq!(m, "missing shard(s) 2/3");
        let m = usage(Shards::verify(parts(vec![
            state(1, 2, 10),
            state(1, 2, 10),
        ])));
        assert_eq!(m, "the same shard is given twice");
    }

    #[test]
    fn shards_of_different_ensembles_are_refused_naming_the_folder() {
        let mut other = state(2, 2, 10);
        other.seed = 7;
        let m = usage(Shards::verify(parts(vec![state(1, 2, 10), other])));
        assert_eq!(m, "cannot merge s2: it has seed 7 (first shard: 1)");
        let mut other = state(2, 2, 10);
        other.scenario_hash = "fnv1a64:ffff".into();
        assert!(usage(Shards::verify(parts(vec![state(1, 2, 10), other]))).contains("scenario"));
        let mut other = state(2, 2, 10);
        other.version = "9.9.9".into();
        assert!(usage(Shards::verify(parts(vec![state(1, 2, 10), other]))).contains("version"));
        let m = usage(Shards::verify(parts(vec![
            state(1, 2, 10),
            state(2, 3, 10),
        ])));
        assert!(m.contains("10 runs in 3 shards"), "{m}");
        assert!(matches!(Shards::verify(Vec::new()), Err(Error::Usage(_))));
    }
}
