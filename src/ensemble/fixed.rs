//! Exact sums for ensembles: values in fixed point (2⁻³² resolution) added as integers, so that
//! partial aggregates merge exactly and in any order (threads, shards), with serde helpers that
//! write the wide integers as strings in `shard.json`.

use serde::{Deserialize, Serialize};

/// Fixed-point scale of the sums (2³²): x is counted as ⌊x·2³²⌋ (toward zero), exact for
/// |x| < 2³¹ (postures are capped at 1e9).
pub(crate) const SCALE: f64 = 4294967296.0;

#[inline(always)]
pub(crate) fn fixed(x: f64) -> i64 {
    (x * SCALE) as i64
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
        self.s1 += o.s1;
        let (lo, carry) = self.s2_lo.overflowing_add(o.s2_lo);
        self.s2_lo = lo;
        self.s2_hi += o.s2_hi + carry as u128;
    }

    /// (Σx, Σx²) as floats.
    pub(crate) fn sums(&self) -> (f64, f64) {
        let s2 = (self.s2_hi as f64 * 2f64.powi(128) + self.s2_lo as f64) / (SCALE * SCALE);
        (self.s1 as f64 / SCALE, s2)
    }
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
