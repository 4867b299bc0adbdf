//! A calibration's posterior as a forecast's input (`run NAME --posterior DIR`): the weighted
//! points of `DIR/posterior.csv`'s last round with weight, resampled to at most [`MAX_POINTS`]
//! distinct points (each scenario is compiled once), and the draw of a point for run r of an
//! ensemble seeded with s, from a stream of its own keyed by (s, r): the same point for the
//! same run whatever the threads, and the model's own stream untouched.

use crate::error::{Error, Result};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

/// Most distinct points a forecast compiles.
pub const MAX_POINTS: usize = 256;

/// Key of the point-drawing stream, apart from the model's (`engine::run_rng` keys by the seed).
const DRAW_KEY: u64 = 0x706f_7374_6572_696f; // "posterio"

/// The posterior a forecast draws from.
#[derive(Debug, Clone, PartialEq)]
pub struct Draws {
    /// `posterior.csv` it was read from.
    pub file: PathBuf,
    /// FNV-1a 64 of that file's bytes.
    pub hash: String,
    /// The parameters (`--set` keys), in the file's order.
    pub keys: Vec<String>,
    /// The round the posterior is (the last with weight).
    pub round: usize,
    /// Points with weight in that round, before resampling, and their effective sample size.
    pub weighted_points: usize,
    pub ess: f64,
    /// Distinct points kept (each a value per key) and their weights (summing to 1).
    pub points: Vec<Vec<f64>>,
    pub weights: Vec<f64>,
    /// Each key's weighted median over the kept points (the median-parameter forecast).
    pub medians: Vec<f64>,
}

impl Draws {
    /// Read `dir/posterior.csv` (written by `diplosim calibrate`).
    pub fn read(dir: &Path) -> Result<Draws> {
        let file = dir.join("posterior.csv");
        let bytes = std::fs::read(&file).map_err(|e| {
            Error::Usage(format!(
                "--posterior {}: cannot read {}: {e} (give the folder `diplosim calibrate` wrote)",
                dir.display(),
                file.display()
            ))
        })?;
        let bad = |what: String| Error::Usage(format!("{}: {what}", file.display()));
        let mut rd = csv::Reader::from_reader(bytes.as_slice());
        let head: Vec<String> = rd
            .headers()
            .map_err(|e| bad(format!("not a CSV file: {e}")))?
            .iter()
            .map(str::to_string)
            .collect();
        let col = |name: &str| head.iter().position(|h| h == name);
        let (Some(round_c), Some(point_c), Some(runs_c), Some(weight_c)) =
            (col("round"), col("point"), col("runs"), col("weight"))
        else {
            return Err(bad(
                "expected the columns round, point, the parameters, runs, …, weight".into(),
            ));
        };
        if point_c + 1 >= runs_c {
            return Err(bad("no parameter columns between `point` and `runs`".into()));
        }
        let keys = head[point_c + 1..runs_c].to_vec();
        let mut rows: Vec<(usize, Vec<f64>, f64)> = Vec::new();
        for (i, rec) in rd.records().enumerate() {
            let rec = rec.map_err(|e| bad(format!("row {}: {e}", i + 2)))?;
            let num = |c: usize| -> Result<f64> {
                rec.get(c)
                    .and_then(|v| v.parse::<f64>().ok())
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| {
                        bad(format!(
                            "row {}, column {}: not a finite number",
                            i + 2,
                            head[c]
                        ))
                    })
            };
            let round = num(round_c)?;
            let weight = num(weight_c)?;
            if round < 0.0 || round.fract() != 0.0 || weight < 0.0 {
                return Err(bad(format!(
                    "row {}: a negative or fractional round, or a negative weight",
                    i + 2
                )));
            }
            let theta = (point_c + 1..runs_c)
                .map(num)
                .collect::<Result<Vec<f64>>>()?;
            rows.push((round as usize, theta, weight));
        }
        let round = rows
            .iter()
            .filter(|r| r.2 > 0.0)
            .map(|r| r.0)
            .max()
            .ok_or_else(|| {
                bad("no point has weight: the calibration found no setting consistent with the observations".into())
            })?;
        let pop: Vec<(Vec<f64>, f64)> = rows
            .into_iter()
            .filter(|r| r.0 == round && r.2 > 0.0)
            .map(|r| (r.1, r.2))
            .collect();
        let total: f64 = pop.iter().map(|p| p.1).sum();
        let ess = total * total / pop.iter().map(|p| p.1 * p.1).sum::<f64>();
        let (points, weights) = resample(&pop, total, MAX_POINTS);
        let medians = (0..keys.len())
            .map(|k| {
                let pairs: Vec<(f64, f64)> = points
                    .iter()
                    .zip(&weights)
                    .map(|(p, &w)| (p[k], w))
                    .collect();
                super::posterior::weighted_quantile(&pairs, 0.5)
            })
            .collect();
        Ok(Draws {
            file,
            hash: format!("fnv1a64:{}", crate::output::fnv1a64(&bytes)),
            keys,
            round,
            weighted_points: pop.len(),
            ess,
            points,
            weights,
            medians,
        })
    }

    /// The point of run `run` of an ensemble seeded with `seed`: an index into [`Draws::points`],
    /// drawn by weight from its own stream.
    pub fn pick(&self, seed: u64, run: u64) -> usize {
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ DRAW_KEY);
        rng.set_stream(run);
        let u = (rng.next_u64() >> 11) as f64 * (1.0 / 9007199254740992.0);
        let mut cum = 0.0;
        for (i, w) in self.weights.iter().enumerate() {
            cum += w;
            if u < cum {
                return i;
            }
        }
        self.weights.len() - 1
    }

    /// Each kept point as `--set` assignments.
    pub fn assignments(&self) -> Vec<Vec<(String, f64)>> {
        self.points
            .iter()
            .map(|p| self.keys.iter().cloned().zip(p.iter().copied()).collect())
            .collect()
    }

    /// The posterior medians, as `--set` assignments.
    pub fn median_assignment(&self) -> Vec<(String, f64)> {
        self.keys
            .iter()
            .cloned()
            .zip(self.medians.iter().copied())
            .collect()
    }
}

/// At most `max` distinct points carrying `pop`'s weights: all of them when they are few enough,
/// else systematic resampling (offsets (i + ½)/max) with the copies of a point merged into one
/// point of their summed weight. Weights come back normalised.
fn resample(pop: &[(Vec<f64>, f64)], total: f64, max: usize) -> (Vec<Vec<f64>>, Vec<f64>) {
    if pop.len() <= max {
        return (
            pop.iter().map(|p| p.0.clone()).collect(),
            pop.iter().map(|p| p.1 / total).collect(),
        );
    }
    let mut counts = vec![0usize; pop.len()];
    let (mut cum, mut j) = (pop[0].1 / total, 0);
    for i in 0..max {
        let u = (i as f64 + 0.5) / max as f64;
        while u > cum && j + 1 < pop.len() {
            j += 1;
            cum += pop[j].1 / total;
        }
        counts[j] += 1;
    }
    let kept: Vec<usize> = (0..pop.len()).filter(|&i| counts[i] > 0).collect();
    (
        kept.iter().map(|&i| pop[i].0.clone()).collect(),
        kept.iter()
            .map(|&i| counts[i] as f64 / max as f64)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draws(points: Vec<Vec<f64>>, weights: Vec<f64>) -> Draws {
        Draws {
            file: PathBuf::new(),
            hash: String::new(),
            keys: vec!["model.noise".into()],
            round: 0,
            weighted_points: points.len(),
            ess: 0.0,
            medians: vec![0.0],
            points,
            weights,
        }
    }

    #[test]
    fn picks_follow_the_weights_and_depend_on_seed_and_run_only() {
        let d = draws(vec![vec![0.0], vec![1.0], vec![2.0]], vec![0.2, 0.5, 0.3]);
        let n = 20_000;
        let mut c = [0usize; 3];
        for r in 0..n {
            c[d.pick(7, r)] += 1;
        }
        for (k, w) in [0.2, 0.5, 0.3].iter().enumerate() {
            let share = c[k] as f64 / n as f64;
            // 4 standard errors of a share of 20,000 draws: at most 0.0142.
            assert!((share - w).abs() < 0.0142, "{k}: {share} vs {w}");
        }
        assert_eq!(d.pick(7, 11), d.pick(7, 11));
        let other: Vec<usize> = (0..50).map(|r| d.pick(8, r)).collect();
        let same: Vec<usize> = (0..50).map(|r| d.pick(7, r)).collect();
        assert_ne!(other, same, "the seed keys the stream");
    }

    #[test]
    fn resampling_keeps_the_weights_of_many_points() {
        // 1,000 points, weight ∝ i + 1: resampled to 256 slots, each kept point's weight is its
        // share of slots, and the total weight of the upper half stays near 3/4 (Σ_{i≥500}(i+1) /
        // Σ(i+1) = 0.7498), within a slot's weight either way.
        let pop: Vec<(Vec<f64>, f64)> = (0..1000)
            .map(|i| (vec![i as f64], (i + 1) as f64))
            .collect();
        let total: f64 = pop.iter().map(|p| p.1).sum();
        let (pts, w) = resample(&pop, total, 256);
        assert!(pts.len() <= 256);
        assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let upper: f64 = pts
            .iter()
            .zip(&w)
            .filter(|(p, _)| p[0] >= 500.0)
            .map(|(_, w)| w)
            .sum();
        assert!((upper - 0.7498).abs() <= 1.0 / 256.0, "{upper}");
        // Few points: all kept, weights normalised.
        let (pts, w) = resample(&pop[..3], 6.0, 256);
        assert_eq!((pts.len(), w), (3, vec![1.0 / 6.0, 2.0 / 6.0, 3.0 / 6.0]));
    }
}
