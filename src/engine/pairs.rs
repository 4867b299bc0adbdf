//! Rule 2's Bernoulli draws, a group of eight pairs at a time.
//!
//! Actor i sends an event to j with probability q_ij = p_i · (0.25 + 0.75 |τ_ij|), p_i = rate · σ_i.
//! The second factor is at most 1, so the draw is split in two (thinning): j is a **candidate**
//! with probability p_i, and a candidate is kept with probability 0.25 + 0.75 |τ_ij|. The pair's
//! two draws are independent of every other pair's, so it sends with probability exactly q_ij.
//!
//! The candidates among eight of i's partners are one draw from the 256 subsets S of the eight,
//! with probability p_i^|S| (1 − p_i)^(8−|S|): a Walker alias table per distinct p_i (built once
//! per scenario) turns one 64-bit uniform into the subset, its top 8 bits choosing the column and
//! the other 56 deciding between the column and its alias. τ is then computed, and a 32-bit
//! uniform spent, only for the candidates: p_i · 8 of them per group instead of eight, which
//! halves the baseline's draws and at 200 actors leaves 25 draws per actor and step instead of
//! 199 (plus the candidates).

use super::alias::alias_table;

/// Partners per group (one byte of candidates).
pub(super) const GROUP: usize = 8;
const ENTRIES: usize = 1 << GROUP;
/// Bits of the 64-bit uniform that decide between a column and its alias.
const KEEP_BITS: u32 = 64 - GROUP as u32;
const KEEP_MASK: u64 = (1 << KEEP_BITS) - 1;

/// The candidate tables of a scenario's actors.
#[derive(Debug, Clone)]
pub(crate) struct PairSampler {
    /// Table of each actor (index into `tables`, in units of [`ENTRIES`]), `None` for p_i = 0.
    table_of: Vec<Option<u32>>,
    /// Entry `t·256 + c`: (keep threshold · 2⁵⁶) << 8 | alias of column c of table t.
    tables: Vec<u64>,
}

impl PairSampler {
    /// Tables for candidate probabilities `p` (one per actor, each in [0, 1]); actors with the
    /// same probability share one.
    pub(crate) fn new(p: &[f64]) -> PairSampler {
        let mut distinct: Vec<u64> = Vec::new();
        let mut tables = Vec::new();
        let table_of = p
            .iter()
            .map(|&pi| {
                if pi.is_nan() || pi <= 0.0 {
                    return None;
                }
                let pi = pi.min(1.0);
                let t = match distinct.iter().position(|&b| b == pi.to_bits()) {
                    Some(t) => t,
                    None => {
                        distinct.push(pi.to_bits());
                        tables.extend(table(pi));
                        distinct.len() - 1
                    }
                };
                Some(t as u32)
            })
            .collect();
        PairSampler { table_of, tables }
    }

    /// Bytes the tables for candidate probabilities `p` take, without building them.
    pub(crate) fn bytes_of(p: &[f64]) -> usize {
        let mut distinct: Vec<u64> = p
            .iter()
            .filter(|&&x| x > 0.0)
            .map(|x| x.to_bits())
            .collect();
        distinct.sort_unstable();
        distinct.dedup();
        (distinct.len() * ENTRIES + p.len()) * 8
    }

    /// The table of actor i, if it ever sends.
    #[inline(always)]
    pub(super) fn table(&self, i: usize) -> Option<&[u64]> {
        self.table_of[i].map(|t| {
            let at = t as usize * ENTRIES;
            &self.tables[at..at + ENTRIES]
        })
    }
}

/// Which of a group's eight partners are candidates (bit b for the b-th), from one 64-bit
/// uniform `r` and an actor's table.
#[inline(always)]
pub(super) fn candidates(table: &[u64], r: u64) -> u32 {
    let c = (r >> KEEP_BITS) as usize;
    let e = table[c];
    if r & KEEP_MASK < e >> GROUP {
        c as u32
    } else {
        (e & 0xff) as u32
    }
}

/// The positions of the set bits of each byte, lowest first (the rest 0): a group's candidates
/// are written to a list with one table row and advanced over by the byte's popcount, with no
/// branch on which partners came up.
pub(super) const POSITIONS: [[u8; GROUP]; ENTRIES] = {
    let mut t = [[0u8; GROUP]; ENTRIES];
    let mut m = 0;
    while m < ENTRIES {
        let (mut b, mut k) = (0, 0);
        while b < GROUP {
            if m >> b & 1 == 1 {
                t[m][k] = b as u8;
                k += 1;
            }
            b += 1;
        }
        m += 1;
    }
    t
};

/// The alias table of the subsets of eight independent candidates of probability p, packed.
fn table(p: f64) -> Vec<u64> {
    let w: Vec<f64> = (0..ENTRIES)
        .map(|s| {
            let k = (s as u32).count_ones() as i32;
            p_pow(p, k) * p_pow(1.0 - p, GROUP as i32 - k)
        })
        .collect();
    let mut prob = vec![0.0; ENTRIES];
    let mut alias = vec![0u8; ENTRIES];
    let ok = alias_table(&w, &mut prob, &mut alias);
    debug_assert!(ok, "p in (0, 1] gives a positive total");
    (0..ENTRIES)
        .map(|c| {
            // prob < 1 scales below 2⁵⁶; prob = 1 only where the alias is the column itself,
            // so the threshold's cap changes nothing.
            let keep = ((prob[c] * (1u64 << KEEP_BITS) as f64).round() as u64).min(KEEP_MASK);
            keep << GROUP | alias[c] as u64
        })
        .collect()
}

/// x^k by repeated multiplication (the same bits on every platform).
fn p_pow(x: f64, k: i32) -> f64 {
    (0..k).fold(1.0, |acc, _| acc * x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::run_rng;
    use rand::Rng;

    /// The probability of each subset that [`candidates`] implies for a table: column c with
    /// probability 1/256, kept with probability threshold/2⁵⁶, else its alias.
    fn implied(table: &[u64]) -> Vec<f64> {
        let mut q = vec![0.0; ENTRIES];
        for (c, &e) in table.iter().enumerate() {
            let keep = (e >> GROUP) as f64 / (1u64 << KEEP_BITS) as f64;
            q[c] += keep / ENTRIES as f64;
            q[(e & 0xff) as usize] += (1.0 - keep) / ENTRIES as f64;
        }
        q
    }

    #[test]
    fn subsets_have_independent_candidates_of_probability_p() {
        for &p in &[1e-6, 0.04, 0.12, 0.36, 0.5, 0.9, 1.0] {
            let s = PairSampler::new(&[p]);
            let q = implied(s.table(0).unwrap());
            for (set, &got) in q.iter().enumerate() {
                let k = (set as u32).count_ones() as i32;
                let want = p.powi(k) * (1.0 - p).powi(8 - k);
                // Vose's construction rounds in f64: a few hundred ulps of the largest entry.
                assert!(
                    (got - want).abs() < 1e-13,
                    "p={p} S={set:08b}: {got} vs {want}"
                );
            }
            // Each partner's marginal is p, and any two are independent.
            for b in 0..GROUP {
                for b2 in 0..GROUP {
                    let both: f64 = (0..ENTRIES)
                        .filter(|s| s >> b & 1 == 1 && s >> b2 & 1 == 1)
                        .map(|s| q[s])
                        .sum();
                    let want = if b == b2 { p } else { p * p };
                    assert!((both - want).abs() < 1e-14, "p={p} bits {b},{b2}: {both}");
                }
            }
        }
    }

    #[test]
    fn drawn_candidates_match_p() {
        // 400,000 groups at p = 0.2: each bit's count is Binomial(400k, 0.2), s.d. 253; pairs of
        // bits co-occur with probability 0.04 (s.d. 124). Five s.d. with a fixed seed.
        let s = PairSampler::new(&[0.2, 0.0, 0.2]);
        assert!(s.table(1).is_none());
        assert_eq!(s.tables.len(), ENTRIES, "equal probabilities share a table");
        let t = s.table(2).unwrap();
        let mut rng = run_rng(5, 0);
        let n = 400_000u64;
        let mut one = [0u64; GROUP];
        let mut two = [0u64; GROUP];
        for _ in 0..n {
            let m = candidates(t, rng.next_u64());
            for b in 0..GROUP {
                one[b] += (m >> b & 1) as u64;
                two[b] += (m >> b & 1 & m >> ((b + 1) % GROUP)) as u64;
            }
        }
        for b in 0..GROUP {
            assert!(
                (one[b] as f64 - 80_000.0).abs() < 5.0 * 253.0,
                "bit {b}: {}",
                one[b]
            );
            assert!(
                (two[b] as f64 - 16_000.0).abs() < 5.0 * 124.0,
                "bits {b}+1: {}",
                two[b]
            );
        }
    }

    #[test]
    fn positions_list_each_bytes_set_bits_in_order() {
        for m in 0..ENTRIES {
            let want: Vec<u8> = (0..GROUP as u8).filter(|b| m >> b & 1 == 1).collect();
            let k = (m as u32).count_ones() as usize;
            assert_eq!(&POSITIONS[m][..k], &want[..], "{m:08b}");
            assert!(POSITIONS[m][k..].iter().all(|&b| b == 0), "{m:08b}");
        }
    }

    #[test]
    fn table_bytes_are_counted_without_building() {
        let p = [0.2, 0.0, 0.2, 0.4];
        let s = PairSampler::new(&p);
        assert_eq!(
            PairSampler::bytes_of(&p),
            (s.tables.len() + s.table_of.len()) * 8
        );
    }
}
