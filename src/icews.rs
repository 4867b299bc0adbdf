//! The real record the model is held against: how often states in each directed dyad cooperate
//! and quarrel, by the four event classes of the Integrated Crisis Early Warning System (ICEWS), and
//! an observer that counts the model's events the same way.
//!
//! Rule 8 ([`crate::model::catalogue`]) gives each code its base rate; this table says what mix
//! of classes each dyad shows in the record, so that the baseline's mix can be compared (README,
//! `tests/record.rs`) dyad by dyad.

use crate::engine::{Event, Observer, StepView};
use crate::model::{EventClass, CATALOGUE};

/// What [`DYADS`] counts.
pub const DYAD_SOURCE: &str = "ICEWS country-to-country event counts by quad class, 152 states, \
2002–2014 (Boschee et al., ICEWS Coded Event Data, Harvard Dataverse doi:10.7910/DVN/28075; the \
yearly dyad slice by Dorff & Minhas published with the netify R package, data/icews.rda), summed \
over the years for each directed pair";

/// One directed dyad of the record: `from`'s events toward `to`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dyad {
    /// ISO 3166 alpha-3 codes.
    pub from: &'static str,
    pub to: &'static str,
    /// Events from `from` to `to`, 2002–2014.
    pub events: u32,
    /// Percent of those events in each class, in [`EventClass::ALL`] order (rounded to 0.1).
    pub percent: [f64; 4],
}

impl Dyad {
    /// Percent of conflict events (verbal and material).
    pub fn conflict(&self) -> f64 {
        self.percent[2] + self.percent[3]
    }
}

const fn dyad(from: &'static str, to: &'static str, events: u32, percent: [f64; 4]) -> Dyad {
    Dyad {
        from,
        to,
        events,
        percent,
    }
}

/// The record for every directed pair among Australia, China, France, Germany, Hungary, Japan,
/// North Korea, South Korea, New Zealand, Russia and the United States ([`DYAD_SOURCE`]).
pub const DYADS: [Dyad; 110] = [
    dyad("AUS", "CHN", 8634, [92.0, 1.6, 5.0, 1.5]),
    dyad("AUS", "FRA", 1133, [79.6, 4.1, 10.2, 6.2]),
    dyad("AUS", "DEU", 320, [78.1, 3.8, 6.6, 11.6]),
    dyad("AUS", "HUN", 68, [73.5, 1.5, 11.8, 13.2]),
    dyad("AUS", "JPN", 5833, [90.5, 2.2, 6.1, 1.1]),
    dyad("AUS", "PRK", 1409, [78.7, 1.3, 15.6, 4.4]),
    dyad("AUS", "KOR", 1705, [93.6, 1.3, 2.3, 2.8]),
    dyad("AUS", "NZL", 2295, [86.0, 2.7, 3.8, 7.6]),
    dyad("AUS", "RUS", 1370, [79.5, 2.0, 14.3, 4.2]),
    dyad("AUS", "USA", 14812, [87.8, 1.7, 7.6, 2.9]),
    dyad("CHN", "AUS", 7486, [90.4, 1.1, 4.6, 4.0]),
    dyad("CHN", "FRA", 9175, [94.8, 0.6, 3.8, 0.8]),
    dyad("CHN", "DEU", 6414, [96.4, 0.3, 2.2, 1.1]),
    dyad("CHN", "HUN", 974, [97.9, 1.6, 0.4, 0.0]),
    dyad("CHN", "JPN", 54021, [82.3, 0.5, 12.7, 4.4]),
    dyad("CHN", "PRK", 29160, [88.9, 2.0, 4.0, 5.2]),
    dyad("CHN", "KOR", 23062, [94.7, 0.6, 2.3, 2.4]),
    dyad("CHN", "NZL", 2042, [96.8, 0.7, 1.4, 1.1]),
    dyad("CHN", "RUS", 32350, [97.7, 1.1, 0.8, 0.4]),
    dyad("CHN", "USA", 67169, [88.5, 0.7, 9.5, 1.2]),
    dyad("FRA", "AUS", 875, [79.3, 2.9, 13.6, 4.2]),
    dyad("FRA", "CHN", 9455, [94.8, 1.0, 3.3, 0.8]),
    dyad("FRA", "DEU", 8235, [94.1, 1.0, 3.4, 1.5]),
    dyad("FRA", "HUN", 550, [60.4, 0.4, 8.0, 31.3]),
    dyad("FRA", "JPN", 2843, [97.3, 0.5, 1.6, 0.6]),
    dyad("FRA", "PRK", 519, [68.8, 2.1, 28.1, 1.0]),
    dyad("FRA", "KOR", 1181, [96.2, 0.8, 2.4, 0.7]),
    dyad("FRA", "NZL", 133, [91.7, 3.0, 3.0, 2.3]),
    dyad("FRA", "RUS", 12601, [94.1, 0.8, 3.8, 1.3]),
    dyad("FRA", "USA", 13143, [82.5, 1.2, 14.3, 1.9]),
    dyad("DEU", "AUS", 255, [83.1, 2.4, 3.5, 11.0]),
    dyad("DEU", "CHN", 6393, [95.9, 0.9, 2.2, 1.0]),
    dyad("DEU", "FRA", 8856, [93.4, 1.2, 4.0, 1.3]),
    dyad("DEU", "HUN", 460, [88.9, 2.0, 3.9, 5.2]),
    dyad("DEU", "JPN", 2023, [96.3, 0.6, 2.2, 0.8]),
    dyad("DEU", "PRK", 463, [85.1, 3.9, 9.3, 1.7]),
    dyad("DEU", "KOR", 1122, [95.3, 0.4, 3.6, 0.8]),
    dyad("DEU", "NZL", 64, [87.5, 1.6, 4.7, 6.2]),
    dyad("DEU", "RUS", 11766, [93.2, 1.0, 4.5, 1.3]),
    dyad("DEU", "USA", 11325, [80.1, 1.1, 15.4, 3.4]),
    dyad("HUN", "AUS", 78, [47.4, 0.0, 29.5, 23.1]),
    dyad("HUN", "CHN", 882, [98.2, 0.2, 1.0, 0.6]),
    dyad("HUN", "FRA", 294, [83.7, 4.8, 5.1, 6.5]),
    dyad("HUN", "DEU", 416, [93.0, 1.4, 1.9, 3.6]),
    dyad("HUN", "JPN", 210, [99.5, 0.0, 0.0, 0.5]),
    dyad("HUN", "PRK", 51, [84.3, 7.8, 7.8, 0.0]),
    dyad("HUN", "KOR", 251, [98.4, 0.0, 1.6, 0.0]),
    dyad("HUN", "NZL", 11, [63.6, 0.0, 18.2, 18.2]),
    dyad("HUN", "RUS", 1425, [94.0, 0.8, 1.8, 3.4]),
    dyad("HUN", "USA", 970, [88.0, 1.2, 9.2, 1.5]),
    dyad("JPN", "AUS", 4845, [94.6, 1.4, 2.5, 1.5]),
    dyad("JPN", "CHN", 51208, [89.3, 1.5, 5.9, 3.2]),
    dyad("JPN", "FRA", 2855, [96.8, 0.8, 2.0, 0.4]),
    dyad("JPN", "DEU", 2138, [96.9, 1.0, 1.7, 0.5]),
    dyad("JPN", "HUN", 207, [95.7, 1.9, 1.9, 0.5]),
    dyad("JPN", "PRK", 23937, [80.3, 1.5, 13.0, 5.2]),
    dyad("JPN", "KOR", 29310, [92.7, 1.0, 4.5, 1.9]),
    dyad("JPN", "NZL", 690, [86.7, 2.5, 5.9, 4.9]),
    dyad("JPN", "RUS", 22474, [94.0, 0.7, 3.3, 2.1]),
    dyad("JPN", "USA", 50411, [93.5, 1.4, 3.6, 1.5]),
    dyad("PRK", "AUS", 506, [81.6, 0.8, 5.3, 12.3]),
    dyad("PRK", "CHN", 23743, [96.4, 0.8, 1.8, 1.0]),
    dyad("PRK", "FRA", 194, [93.3, 0.5, 2.6, 3.6]),
    dyad("PRK", "DEU", 276, [93.8, 0.7, 2.5, 2.9]),
    dyad("PRK", "HUN", 23, [100.0, 0.0, 0.0, 0.0]),
    dyad("PRK", "JPN", 17351, [68.9, 1.0, 13.6, 16.4]),
    dyad("PRK", "KOR", 31953, [63.8, 1.0, 22.4, 12.8]),
    dyad("PRK", "NZL", 70, [94.3, 0.0, 1.4, 4.3]),
    dyad("PRK", "RUS", 7810, [97.2, 0.4, 1.7, 0.6]),
    dyad("PRK", "USA", 30547, [69.2, 1.2, 25.3, 4.3]),
    dyad("KOR", "AUS", 1599, [96.2, 2.9, 0.6, 0.4]),
    dyad("KOR", "CHN", 25578, [95.0, 1.0, 2.4, 1.6]),
    dyad("KOR", "FRA", 1308, [97.0, 0.4, 1.4, 1.2]),
    dyad("KOR", "DEU", 1207, [95.3, 0.6, 1.9, 2.2]),
    dyad("KOR", "HUN", 249, [98.8, 0.0, 1.2, 0.0]),
    dyad("KOR", "JPN", 33633, [83.9, 0.7, 13.1, 2.4]),
    dyad("KOR", "PRK", 40952, [80.0, 3.0, 13.5, 3.5]),
    dyad("KOR", "NZL", 646, [97.4, 2.0, 0.5, 0.2]),
    dyad("KOR", "RUS", 8748, [98.4, 0.5, 0.7, 0.3]),
    dyad("KOR", "USA", 43962, [91.5, 2.1, 4.7, 1.8]),
    dyad("NZL", "AUS", 2336, [88.7, 2.2, 5.3, 3.8]),
    dyad("NZL", "CHN", 2145, [94.8, 1.1, 2.1, 2.1]),
    dyad("NZL", "FRA", 178, [89.9, 1.1, 4.5, 4.5]),
    dyad("NZL", "DEU", 89, [82.0, 4.5, 1.1, 12.4]),
    dyad("NZL", "HUN", 10, [70.0, 0.0, 10.0, 20.0]),
    dyad("NZL", "JPN", 850, [88.9, 0.5, 8.2, 2.4]),
    dyad("NZL", "PRK", 199, [79.4, 3.0, 17.6, 0.0]),
    dyad("NZL", "KOR", 732, [95.5, 2.0, 1.6, 0.8]),
    dyad("NZL", "RUS", 168, [95.8, 0.6, 1.2, 2.4]),
    dyad("NZL", "USA", 1730, [86.7, 2.5, 7.3, 3.5]),
    dyad("RUS", "AUS", 1092, [86.8, 1.4, 4.5, 7.3]),
    dyad("RUS", "CHN", 32608, [97.0, 1.5, 0.6, 0.8]),
    dyad("RUS", "FRA", 12177, [95.8, 0.5, 2.8, 0.8]),
    dyad("RUS", "DEU", 11220, [96.6, 0.6, 1.3, 1.4]),
    dyad("RUS", "HUN", 1412, [93.5, 1.2, 1.9, 3.4]),
    dyad("RUS", "JPN", 21479, [94.8, 0.7, 2.8, 1.7]),
    dyad("RUS", "PRK", 10524, [91.4, 2.8, 4.5, 1.2]),
    dyad("RUS", "KOR", 8286, [96.7, 0.5, 1.2, 1.5]),
    dyad("RUS", "NZL", 119, [95.8, 1.7, 1.7, 0.8]),
    dyad("RUS", "USA", 66222, [85.3, 1.0, 12.2, 1.5]),
    dyad("USA", "AUS", 14009, [84.3, 1.6, 7.4, 6.8]),
    dyad("USA", "CHN", 73628, [89.6, 0.9, 8.1, 1.3]),
    dyad("USA", "FRA", 12391, [84.6, 2.3, 8.4, 4.7]),
    dyad("USA", "DEU", 9365, [85.5, 1.0, 8.4, 5.1]),
    dyad("USA", "HUN", 980, [90.4, 1.1, 4.4, 4.1]),
    dyad("USA", "JPN", 52063, [93.4, 0.9, 3.5, 2.2]),
    dyad("USA", "PRK", 43169, [77.5, 1.4, 18.0, 3.1]),
    dyad("USA", "KOR", 45385, [91.7, 2.0, 3.8, 2.4]),
    dyad("USA", "NZL", 1650, [85.7, 1.6, 5.5, 7.2]),
    dyad("USA", "RUS", 65641, [84.8, 1.0, 9.5, 4.8]),
];

/// The ISO alpha-3 code of a scenario actor id the record knows (states only: NATO has no row).
pub fn iso3(actor_id: &str) -> Option<&'static str> {
    Some(match actor_id {
        "australia" => "AUS",
        "china" => "CHN",
        "france" => "FRA",
        "germany" => "DEU",
        "hungary" => "HUN",
        "japan" => "JPN",
        "north_korea" => "PRK",
        "south_korea" => "KOR",
        "new_zealand" => "NZL",
        "russia" => "RUS",
        "united_states" => "USA",
        _ => return None,
    })
}

/// The record of the dyad between two scenario actors, when both are states it knows.
pub fn dyad_of(from_id: &str, to_id: &str) -> Option<&'static Dyad> {
    let (f, t) = (iso3(from_id)?, iso3(to_id)?);
    DYADS.iter().find(|d| d.from == f && d.to == t)
}

/// Counts events by directed dyad and class over any number of runs (an [`Observer`]): every
/// event, or with [`ClassCounts::background`] the background bilateral events only (what the
/// record's years hold: the traffic between the states, without this issue's signals).
#[derive(Debug, Clone)]
pub struct ClassCounts {
    n: usize,
    /// Leave issue signals and injected events out.
    background_only: bool,
    /// `counts[(i*n + j)*4 + class]`.
    counts: Vec<u64>,
    class_of: [usize; CATALOGUE.len()],
}

impl ClassCounts {
    pub fn new(n: usize) -> ClassCounts {
        let class_of = std::array::from_fn(|k| {
            let c = CATALOGUE[k].class();
            EventClass::ALL.iter().position(|&x| x == c).unwrap_or(0)
        });
        ClassCounts {
            n,
            background_only: false,
            counts: vec![0; n * n * 4],
            class_of,
        }
    }

    /// A count of the background bilateral events only (issue signals left out).
    pub fn background(n: usize) -> ClassCounts {
        ClassCounts {
            background_only: true,
            ..ClassCounts::new(n)
        }
    }

    /// Events from i to j in each class.
    pub fn dyad(&self, i: usize, j: usize) -> [u64; 4] {
        let b = (i * self.n + j) * 4;
        [
            self.counts[b],
            self.counts[b + 1],
            self.counts[b + 2],
            self.counts[b + 3],
        ]
    }

    /// Add another count of the same actors.
    pub fn merge(&mut self, other: &ClassCounts) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }
}

impl Observer for ClassCounts {
    fn step(&mut self, _view: &StepView) {}
    fn event(&mut self, e: &Event) {
        if self.background_only && (e.issue || e.injected) {
            return;
        }
        let b = (e.actor.ix() * self.n + e.target.ix()) * 4;
        self.counts[b + self.class_of[e.code]] += 1;
    }
}

/// One directed pair of a scenario held against the record.
#[derive(Debug, Clone, PartialEq)]
pub struct DyadComparison {
    pub from: usize,
    pub to: usize,
    /// The model's events in each class, summed over the runs.
    pub model: [u64; 4],
    pub record: &'static Dyad,
}

impl DyadComparison {
    /// Percent of the model's events that are conflict (verbal and material).
    pub fn model_conflict(&self) -> f64 {
        let p = percent(self.model);
        p[2] + p[3]
    }
}

/// A scenario's event mix against the record: every pair of states the record knows.
#[derive(Debug, Clone, PartialEq)]
pub struct MixComparison {
    pub dyads: Vec<DyadComparison>,
    /// Percent of each class over all those pairs, in the model.
    pub model_pooled: [f64; 4],
    /// The record's percent of each class, its dyads weighted by the model's event counts (so
    /// that both mixes weigh the pairs alike).
    pub record_pooled: [f64; 4],
    /// Root mean square of (model − record) conflict share over the pairs, in percentage points,
    /// each pair weighted by the logarithm of its record events (small samples count less).
    pub rms_conflict: f64,
}

/// Hold `counts` (from runs of a scenario whose actor ids are `ids`) against [`DYADS`].
pub fn compare_mix(ids: &[&str], counts: &ClassCounts) -> MixComparison {
    let mut dyads = Vec::new();
    let (mut model, mut record) = ([0u64; 4], [0.0f64; 4]);
    let (mut err2, mut weight) = (0.0, 0.0);
    for (i, a) in ids.iter().enumerate() {
        for (j, b) in ids.iter().enumerate() {
            let Some(d) = (i != j).then(|| dyad_of(a, b)).flatten() else {
                continue;
            };
            let m = counts.dyad(i, j);
            let total: u64 = m.iter().sum();
            for k in 0..4 {
                model[k] += m[k];
                record[k] += total as f64 * d.percent[k] / 100.0;
            }
            let cmp = DyadComparison {
                from: i,
                to: j,
                model: m,
                record: d,
            };
            let w = libm::log(d.events as f64);
            err2 += w * (cmp.model_conflict() - d.conflict()).powi(2);
            weight += w;
            dyads.push(cmp);
        }
    }
    let total: f64 = record.iter().sum();
    MixComparison {
        dyads,
        model_pooled: percent(model),
        record_pooled: record.map(|x| if total > 0.0 { 100.0 * x / total } else { 0.0 }),
        rms_conflict: if weight > 0.0 {
            (err2 / weight).sqrt()
        } else {
            0.0
        },
    }
}

/// Percent of each class in `counts` (zeros when there are none).
pub fn percent(counts: [u64; 4]) -> [f64; 4] {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return [0.0; 4];
    }
    counts.map(|c| 100.0 * c as f64 / total as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dyad_shares_sum_to_a_hundred() {
        for d in &DYADS {
            let s: f64 = d.percent.iter().sum();
            assert!((s - 100.0).abs() <= 0.25, "{}→{}: {s}", d.from, d.to);
        }
    }

    #[test]
    fn the_record_matches_its_published_figures() {
        // North Korea → South Korea: 31,953 events, 35.2% conflict; Japan → United States 5.1%.
        let d = dyad_of("north_korea", "south_korea").unwrap();
        assert_eq!(d.events, 31953);
        assert!((d.conflict() - 35.2).abs() < 1e-9);
        assert!((dyad_of("japan", "united_states").unwrap().conflict() - 5.1).abs() < 1e-9);
        assert!(dyad_of("nato", "japan").is_none());
    }
}
