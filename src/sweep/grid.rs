//! Grids over one or two parameters (`--vary KEY=FROM:TO:COUNT`) and their table, `sweep.csv`.

use super::outcomes::PointStats;
use super::parse_range;
use super::points::{fmt_value, Assignment};
use crate::error::{Error, Result};

/// One axis of a grid: a `--set` key and its values, evenly spaced from FROM to TO.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    pub key: String,
    pub values: Vec<f64>,
}

/// A grid: its axes and its points, the last axis varying fastest.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub axes: Vec<Axis>,
    pub points: Vec<Assignment>,
}

/// `count` values evenly spaced from `from` to `to` (just `from` for a count of 1), rounded to
/// 12 significant digits so that 0.1·3 is written 0.3, not 0.30000000000000004.
pub fn axis_values(from: f64, to: f64, count: usize) -> Vec<f64> {
    (0..count)
        .map(|i| {
            if count == 1 {
                from
            } else {
                from + (to - from) * i as f64 / (count - 1) as f64
            }
        })
        .map(|v: f64| {
            if v == 0.0 {
                0.0
            } else {
                format!("{v:.11e}").parse().unwrap_or(v)
            }
        })
        .collect()
}

impl Grid {
    /// The grid of one or two `--vary KEY=FROM:TO:COUNT` specs.
    pub fn parse(specs: &[String]) -> Result<Grid> {
        if specs.len() > 2 {
            return Err(Error::Usage(
                "a grid varies one or two parameters; use --method sobol for more".into(),
            ));
        }
        let axes = specs
            .iter()
            .map(|s| {
                let (key, from, to, count) = parse_range(s, true)?;
                Ok(Axis {
                    key,
                    values: axis_values(from, to, count),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Grid::new(axes))
    }

    /// The grid of one or two axes (more axes are ignored; [`Grid::parse`] refuses them).
    pub fn new(axes: Vec<Axis>) -> Grid {
        let mut points: Vec<Assignment> = Vec::new();
        match axes.as_slice() {
            [a] => points.extend(a.values.iter().map(|x| vec![(a.key.clone(), *x)])),
            [a, b, ..] => {
                for x in &a.values {
                    for y in &b.values {
                        points.push(vec![(a.key.clone(), *x), (b.key.clone(), *y)]);
                    }
                }
            }
            [] => {}
        }
        Grid { axes, points }
    }

    /// `sweep.csv`: one row per point — its values, the runs, then each outcome with its interval
    /// (`name,name_lo,name_hi`), outcomes in the order of `names`.
    pub fn csv(&self, names: &[String], stats: &[PointStats]) -> crate::error::Result<Vec<u8>> {
        let keys: Vec<&str> = self.axes.iter().map(|a| a.key.as_str()).collect();
        points_csv(&keys, &self.points, names, stats)
    }
}

/// One row per point: its parameter values (`keys`, in order), its runs, then every outcome with
/// its 95% interval. `sweep.csv` of a grid; `points.csv` of a Morris or Sobol' design.
pub fn points_csv(
    keys: &[&str],
    points: &[Assignment],
    names: &[String],
    stats: &[PointStats],
) -> crate::error::Result<Vec<u8>> {
    let mut header: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    header.push("runs".into());
    for n in names {
        header.extend([n.clone(), format!("{n}_lo"), format!("{n}_hi")]);
    }
    let mut csv = crate::output::CsvText::new(header);
    for (point, st) in points.iter().zip(stats) {
        let mut row: Vec<String> = keys
            .iter()
            .map(|k| {
                let v = point
                    .iter()
                    .find(|(pk, _)| pk == k)
                    .map_or(f64::NAN, |p| p.1);
                fmt_value(k, v)
            })
            .collect();
        row.push(st.runs.to_string());
        for (e, lo, hi) in &st.values {
            row.extend([e.to_string(), lo.to_string(), hi.to_string()]);
        }
        csv.row(row);
    }
    csv.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_values_are_even_and_rounded() {
        assert_eq!(axis_values(0.0, 1.0, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(axis_values(0.0, 0.3, 4), vec![0.0, 0.1, 0.2, 0.3]);
        assert_eq!(axis_values(0.7, 0.9, 1), vec![0.7]);
        assert_eq!(axis_values(-1.0, 1.0, 3), vec![-1.0, 0.0, 1.0]);
    }

    #[test]
    fn two_axes_make_a_product_with_the_last_fastest() {
        let g = Grid::parse(&["a.x=0:1:2".into(), "b.y=5:7:3".into()]).unwrap();
        let flat: Vec<(f64, f64)> = g.points.iter().map(|p| (p[0].1, p[1].1)).collect();
        assert_eq!(
            flat,
            vec![
                (0.0, 5.0),
                (0.0, 6.0),
                (0.0, 7.0),
                (1.0, 5.0),
                (1.0, 6.0),
                (1.0, 7.0)
            ]
        );
        assert!(g.points.iter().all(|p| p[0].0 == "a.x" && p[1].0 == "b.y"));
        let three: Vec<String> = vec!["a=0:1:2".into(); 3];
        assert!(Grid::parse(&three)
            .unwrap_err()
            .to_string()
            .contains("one or two"));
    }

    #[test]
    fn the_table_has_values_runs_and_intervals() {
        let g = Grid::parse(&["issue.setup_steps=4:6:2".into()]).unwrap();
        let stats = vec![
            PointStats {
                runs: 3,
                values: vec![(1.0, 0.5, 1.0), (0.25, 0.0, 0.5)],
            },
            PointStats {
                runs: 3,
                values: vec![(0.0, 0.0, 0.5), (-0.5, -1.0, 0.0)],
            },
        ];
        let names = vec!["p_opened".to_string(), "cooperation_mean".to_string()];
        assert_eq!(
            String::from_utf8(g.csv(&names, &stats).unwrap()).unwrap(),
            "issue.setup_steps,runs,p_opened,p_opened_lo,p_opened_hi,\
             cooperation_mean,cooperation_mean_lo,cooperation_mean_hi\n\
             4,3,1,0.5,1,0.25,0,0.5\n\
             6,3,0,0,0.5,-0.5,-1,0\n"
        );
    }
}
