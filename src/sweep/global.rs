//! Global sensitivity analysis of a scenario (`--method morris|sobol`): which parameters, over
//! their ranges, move each outcome. The designs and estimators are model-free
//! ([`crate::sensitivity`]); this module maps them to `--set` ranges, draws them from the
//! scenario's seed, and writes the indices table, `sensitivity.csv`.

use super::outcomes::PointStats;
use super::parse_range;
use super::points::Assignment;
use crate::engine::run_rng;
use crate::error::{Error, Result};
use crate::sensitivity::{
    morris_design, morris_indices, saltelli_design, sobol_indices, MorrisDesign, MorrisIndex,
    SaltelliDesign, SobolIndex,
};
use rand_chacha::ChaCha8Rng;

/// A parameter range: (`--set` key, min, max), as in `[sensitivity.ranges]`.
pub type Range = (String, f64, f64);

/// Morris levels (grid of 4 levels, Δ = 2/3).
const LEVELS: usize = 4;
/// Bootstrap resamples for Sobol' intervals.
const BOOTSTRAP: usize = 200;

/// The method of a global analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Morris,
    Sobol,
}

impl Method {
    /// `morris` or `sobol`.
    pub fn parse(s: &str) -> Result<Method> {
        match s {
            "morris" => Ok(Method::Morris),
            "sobol" => Ok(Method::Sobol),
            other => Err(Error::Usage(format!(
                "--method {other}: expected morris or sobol"
            ))),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Method::Morris => "morris",
            Method::Sobol => "sobol",
        }
    }
}

/// The scenario's ranges with `--param KEY=FROM:TO` specs added or replacing, in order.
pub fn merge_ranges(base: &[Range], params: &[String]) -> Result<Vec<Range>> {
    let mut ranges = base.to_vec();
    for p in params {
        let (k, from, to, _) = parse_range(p, false)?;
        match ranges.iter_mut().find(|(x, _, _)| *x == k) {
            Some(r) => *r = (k, from, to),
            None => ranges.push((k, from, to)),
        }
    }
    Ok(ranges)
}

enum Design {
    Morris(MorrisDesign),
    Sobol(SaltelliDesign),
}

/// A drawn design over parameter ranges, and the random stream its indices go on drawing from.
pub struct Analysis {
    pub method: Method,
    pub ranges: Vec<Range>,
    /// Base sample size N.
    pub samples: usize,
    design: Design,
    rng: ChaCha8Rng,
}

/// Indices of every parameter for one outcome.
#[derive(Debug, Clone, PartialEq)]
pub enum Indices {
    /// None when the outcome does not vary over the ranges.
    Sobol(Option<Vec<SobolIndex>>),
    Morris(Vec<MorrisIndex>),
}

/// One outcome's indices, parameters in the order of the ranges.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeIndices {
    pub outcome: String,
    pub indices: Indices,
    /// Standard deviation of the outcome's estimate across the design's points.
    pub spread: f64,
    /// Share of that variance that is Monte Carlo noise: the mean squared standard error of a
    /// point's estimate (from its 95% interval) over the variance across points. Near 1, the
    /// indices apportion noise, not the parameters' effects.
    pub noise_share: f64,
}

impl OutcomeIndices {
    /// Whether the outcome does not vary over the ranges (no index to rank).
    pub fn flat(&self) -> bool {
        match &self.indices {
            Indices::Sobol(s) => s.is_none(),
            Indices::Morris(m) => m.iter().all(|m| m.mu_star == 0.0 && m.sigma == 0.0),
        }
    }

    /// The parameters a headline may name as drivers, most important first (range indices and
    /// importance): for Sobol', those whose S_T interval lies above the share of the variance
    /// that is Monte Carlo noise (noise alone can give an index that large); for Morris, those
    /// with μ* > 0. Empty when none does.
    pub fn drivers(&self) -> Vec<(usize, f64)> {
        let mut v: Vec<(usize, f64)> = match &self.indices {
            Indices::Sobol(Some(ix)) => ix
                .iter()
                .enumerate()
                .filter(|(_, s)| s.st_lo > self.noise_share.max(0.0))
                .map(|(i, s)| (i, s.st))
                .collect(),
            Indices::Sobol(None) => Vec::new(),
            Indices::Morris(m) => m
                .iter()
                .enumerate()
                .filter(|(_, m)| m.mu_star > 0.0)
                .map(|(i, m)| (i, m.mu_star))
                .collect(),
        };
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    /// Each parameter's importance, S_T or μ*, in range order (empty without Sobol' indices).
    pub fn importance(&self) -> Vec<f64> {
        match &self.indices {
            Indices::Sobol(s) => s.iter().flatten().map(|s| s.st).collect(),
            Indices::Morris(m) => m.iter().map(|m| m.mu_star).collect(),
        }
    }
}

/// SD of outcome `o`'s estimate across points, and the share of its variance that is Monte
/// Carlo noise (mean of ((hi − lo) / 3.92)² over the variance; 0 when it does not vary).
fn spread_and_noise(stats: &[PointStats], o: usize) -> (f64, f64) {
    let n = stats.len() as f64;
    if stats.len() < 2 {
        return (0.0, 0.0);
    }
    let m = stats.iter().map(|s| s.values[o].0).sum::<f64>() / n;
    let var = stats
        .iter()
        .map(|s| (s.values[o].0 - m).powi(2))
        .sum::<f64>()
        / (n - 1.0);
    let se2 = stats
        .iter()
        .map(|s| ((s.values[o].2 - s.values[o].1) / 3.92).powi(2))
        .sum::<f64>()
        / n;
    let share = if var > 0.0 { (se2 / var).min(1.0) } else { 0.0 };
    (var.sqrt(), share)
}

impl Analysis {
    /// Draw a design of base size `samples` over `ranges` from the stream `run_rng(seed, u64::MAX)`,
    /// apart from every run's stream. Morris: max(N/(k+1), 4) trajectories of k+1 points on
    /// 4 levels; Sobol': Saltelli's N·(k+2) points.
    pub fn new(method: Method, ranges: Vec<Range>, samples: usize, seed: u64) -> Result<Analysis> {
        if ranges.len() < 2 {
            return Err(Error::Usage(format!(
                "--method {} needs at least two parameter ranges: add a [sensitivity.ranges] table to the scenario or --param KEY=FROM:TO",
                method.name()
            )));
        }
        if !(8..=100_000).contains(&samples) {
            return Err(Error::Usage(format!(
                "--samples {samples}: give 8 to 100000"
            )));
        }
        let k = ranges.len();
        if method == Method::Sobol && k > crate::sensitivity::MAX_SALTELLI_FACTORS {
            return Err(Error::Usage(format!(
                "--method sobol takes at most {} parameter ranges ({k} given)",
                crate::sensitivity::MAX_SALTELLI_FACTORS
            )));
        }
        let mut rng = run_rng(seed, u64::MAX);
        let design = match method {
            Method::Morris => Design::Morris(morris_design(
                k,
                (samples / (k + 1)).max(4),
                LEVELS,
                &mut rng,
            )),
            Method::Sobol => Design::Sobol(saltelli_design(k, samples, &mut rng)),
        };
        Ok(Analysis {
            method,
            ranges,
            samples,
            design,
            rng,
        })
    }

    fn unit_points(&self) -> &[Vec<f64>] {
        match &self.design {
            Design::Morris(d) => &d.points,
            Design::Sobol(d) => &d.points,
        }
    }

    /// Number of points in the design.
    pub fn len(&self) -> usize {
        self.unit_points().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Morris trajectories (points / (k + 1)).
    pub fn trajectories(&self) -> usize {
        self.len() / (self.ranges.len() + 1)
    }

    /// The design's points mapped from the unit cube to the ranges: lo + (hi − lo)·u.
    pub fn points(&self) -> Vec<Assignment> {
        self.unit_points()
            .iter()
            .map(|u| {
                self.ranges
                    .iter()
                    .zip(u)
                    .map(|((key, lo, hi), x)| (key.clone(), lo + (hi - lo) * x))
                    .collect()
            })
            .collect()
    }

    /// Indices of each outcome (estimates of `stats`, outcomes in the order of `names`). Sobol'
    /// intervals are a bootstrap drawn from the design's stream, outcome by outcome.
    pub fn indices(&mut self, names: &[String], stats: &[PointStats]) -> Vec<OutcomeIndices> {
        names
            .iter()
            .enumerate()
            .map(|(o, name)| {
                let y: Vec<f64> = stats.iter().map(|s| s.values[o].0).collect();
                let indices = match &self.design {
                    Design::Sobol(d) => {
                        Indices::Sobol(sobol_indices(d, &y, BOOTSTRAP, &mut self.rng))
                    }
                    Design::Morris(d) => Indices::Morris(morris_indices(d, &y)),
                };
                let (spread, noise_share) = spread_and_noise(stats, o);
                OutcomeIndices {
                    outcome: name.clone(),
                    indices,
                    spread,
                    noise_share,
                }
            })
            .collect()
    }

    /// `sensitivity.csv`: one row per outcome and parameter, with its range and indices
    /// (Sobol': S1 and ST with 95% intervals, empty if the outcome does not vary; Morris: μ*, μ, σ).
    pub fn csv(&self, results: &[OutcomeIndices]) -> crate::error::Result<Vec<u8>> {
        let header: &[&str] = match self.method {
            Method::Sobol => &[
                "outcome",
                "parameter",
                "min",
                "max",
                "S1",
                "S1_lo",
                "S1_hi",
                "ST",
                "ST_lo",
                "ST_hi",
            ],
            Method::Morris => &[
                "outcome",
                "parameter",
                "min",
                "max",
                "mu_star",
                "mu",
                "sigma",
            ],
        };
        let mut csv = crate::output::CsvText::new(header);
        for r in results {
            for (i, (key, lo, hi)) in self.ranges.iter().enumerate() {
                let mut row = vec![
                    r.outcome.clone(),
                    key.clone(),
                    lo.to_string(),
                    hi.to_string(),
                ];
                match &r.indices {
                    Indices::Sobol(Some(ix)) => {
                        let s = ix[i];
                        row.extend(
                            [s.s1, s.s1_lo, s.s1_hi, s.st, s.st_lo, s.st_hi].map(|x| x.to_string()),
                        );
                    }
                    Indices::Sobol(None) => row.extend(std::iter::repeat_n(String::new(), 6)),
                    Indices::Morris(m) => {
                        row.extend([m[i].mu_star, m[i].mu, m[i].sigma].map(|x| x.to_string()));
                    }
                }
                csv.row(row);
            }
        }
        csv.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges() -> Vec<Range> {
        vec![("a.x".into(), 0.0, 1.0), ("b.y".into(), 10.0, 20.0)]
    }

    #[test]
    fn a_driver_must_stand_out_from_the_noise_share() {
        let ix = |st: f64, lo: f64| crate::sensitivity::SobolIndex {
            s1: st,
            s1_lo: lo,
            s1_hi: st,
            st,
            st_lo: lo,
            st_hi: st + 0.1,
        };
        let mut o = OutcomeIndices {
            outcome: "x".into(),
            // 0.24 but its interval reaches 0.05, under the 29% that is noise; 0.5 from 0.4; 0.0.
            indices: Indices::Sobol(Some(vec![ix(0.24, 0.05), ix(0.5, 0.4), ix(0.0, -0.1)])),
            spread: 1.0,
            noise_share: 0.29,
        };
        assert_eq!(o.drivers(), vec![(1, 0.5)]);
        o.noise_share = 0.45;
        assert!(o.drivers().is_empty(), "nothing stands out from 45% noise");
        o.noise_share = 0.0;
        assert_eq!(o.drivers(), vec![(1, 0.5), (0, 0.24)]);
    }

    #[test]
    fn params_add_to_or_replace_the_scenario_ranges() {
        let r = merge_ranges(&ranges(), &["b.y=1:2".into(), "c.z=-1:1".into()]).unwrap();
        assert_eq!(
            r,
            vec![
                ("a.x".into(), 0.0, 1.0),
                ("b.y".into(), 1.0, 2.0),
                ("c.z".into(), -1.0, 1.0)
            ]
        );
        assert!(Method::parse("foo").is_err());
        assert!(Analysis::new(Method::Sobol, ranges()[..1].to_vec(), 16, 1).is_err());
        assert!(Analysis::new(Method::Sobol, ranges(), 7, 1).is_err());
    }

    #[test]
    fn designs_map_the_unit_cube_to_the_ranges() {
        let s = Analysis::new(Method::Sobol, ranges(), 16, 3).unwrap();
        assert_eq!(s.len(), 16 * 4);
        let m = Analysis::new(Method::Morris, ranges(), 30, 3).unwrap();
        assert_eq!((m.trajectories(), m.len()), (10, 30));
        for p in s.points().iter().chain(&m.points()) {
            assert_eq!((p[0].0.as_str(), p[1].0.as_str()), ("a.x", "b.y"));
            assert!((0.0..=1.0).contains(&p[0].1) && (10.0..=20.0).contains(&p[1].1));
        }
        // The same seed draws the same design.
        assert_eq!(
            s.points(),
            Analysis::new(Method::Sobol, ranges(), 16, 3)
                .unwrap()
                .points()
        );
    }

    #[test]
    fn morris_indices_and_table_of_a_linear_outcome() {
        // outcome = x (slope 1 over [0, 1]) + 0·y: μ* of a.x is 1 in unit-cube units, of b.y 0.
        let mut m = Analysis::new(Method::Morris, ranges(), 30, 5).unwrap();
        let stats: Vec<PointStats> = m
            .points()
            .iter()
            .map(|p| PointStats {
                runs: 1,
                values: vec![(p[0].1, p[0].1, p[0].1), (0.5, 0.5, 0.5)],
            })
            .collect();
        let names = vec!["lin".to_string(), "flat".to_string()];
        let res = m.indices(&names, &stats);
        assert!(!res[0].flat() && res[1].flat());
        let imp = res[0].importance();
        assert!((imp[0] - 1.0).abs() < 1e-9 && imp[1] == 0.0, "{imp:?}");
        let csv = String::from_utf8(m.csv(&res).unwrap()).unwrap();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "outcome,parameter,min,max,mu_star,mu,sigma");
        assert_eq!(lines.len(), 1 + 2 * 2);
        assert!(lines[4].starts_with("flat,b.y,10,20,0,0,0"), "{}", lines[4]);
    }

    #[test]
    fn a_constant_outcome_has_empty_sobol_cells() {
        let mut s = Analysis::new(Method::Sobol, ranges(), 8, 5).unwrap();
        let stats = vec![
            PointStats {
                runs: 1,
                values: vec![(0.3, 0.3, 0.3)],
            };
            s.len()
        ];
        let res = s.indices(&["c".to_string()], &stats);
        assert!(res[0].flat() && res[0].importance().is_empty());
        assert_eq!(
            String::from_utf8(s.csv(&res).unwrap()).unwrap(),
            "outcome,parameter,min,max,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi\nc,a.x,0,1,,,,,,\nc,b.y,10,20,,,,,,\n"
        );
    }
}
