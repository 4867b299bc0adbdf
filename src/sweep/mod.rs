//! Sweeps: evaluate many parameter points of one scenario, each as an ensemble, and summarise them.
//!
//! This is library code so that every front end — `diplosim sweep` today, `diplosim calibrate`
//! next — shares one runner and one set of summaries, and the CLI only parses, prints and writes.
//!
//! - [`points`]: a parameter point is a list of `--set` overrides on a base scenario; the
//!   [`PointLoader`] reads the scenario file once and resolves every point from it.
//! - [`runner`]: [`evaluate`] runs every point as an ensemble with common random numbers (run r
//!   of every point uses `engine::run_rng(seed, r)`), in parallel, reduced in point and run order;
//!   what is taken from each run is generic ([`Extract`]).
//! - [`outcomes`]: the sweep's own extractor ([`SweepOutcomes`]): P(opened), P(hostile), mean
//!   cooperation and final stances, with 95% intervals.
//! - [`grid`]: one- and two-parameter grids (`--vary`) and their table.
//! - [`global`]: Morris and Sobol' designs over parameter ranges (`--method`) and their indices.

mod all_hold;
pub mod global;
pub mod grid;
pub mod outcomes;
pub mod points;
pub mod runner;

pub use all_hold::AllHold;
pub use outcomes::{outcome_names, PointStats, SweepOutcomes};
pub use points::{Assignment, PointLoader};
pub use runner::{evaluate, Control, Extract};

use crate::error::{Error, Result};

/// Most runs per sweep point.
pub const MAX_RUNS_PER_POINT: usize = 1_000_000;
/// Most runs in one sweep (points × runs).
pub const MAX_SWEEP_RUNS: usize = 200_000_000;

/// Refuse a sweep too large to run, before any point is loaded.
pub fn check_size(points: usize, runs: usize) -> Result<()> {
    if runs == 0 || runs > MAX_RUNS_PER_POINT {
        return Err(Error::Usage(format!(
            "--runs {runs}: give 1 to {MAX_RUNS_PER_POINT} runs per point"
        )));
    }
    let total = points.saturating_mul(runs);
    if total > MAX_SWEEP_RUNS {
        return Err(Error::Usage(format!(
            "{points} points × {runs} runs = {total} runs; a sweep may have at most {MAX_SWEEP_RUNS}"
        )));
    }
    Ok(())
}

/// Parse `KEY=FROM:TO:COUNT` (`--vary`, `with_count`) or `KEY=FROM:TO` (`--param`) into
/// (key, from, to, count); count is 2 without `with_count`. Messages name the flag.
fn parse_range(spec: &str, with_count: bool) -> Result<(String, f64, f64, usize)> {
    let flag = if with_count { "--vary" } else { "--param" };
    let form = if with_count {
        "KEY=FROM:TO:COUNT, e.g. model.noise=0:0.1:5"
    } else {
        "KEY=FROM:TO, e.g. model.noise=0:0.1"
    };
    let bad = || Error::Usage(format!("{flag} {spec}: expected {form}"));
    let (key, range) = spec.split_once('=').ok_or_else(bad)?;
    let parts: Vec<&str> = range.split(':').collect();
    let want = if with_count { 3 } else { 2 };
    if parts.len() != want {
        return Err(bad());
    }
    let from: f64 = parts[0].trim().parse().map_err(|_| bad())?;
    let to: f64 = parts[1].trim().parse().map_err(|_| bad())?;
    let count: usize = if with_count {
        parts[2].trim().parse().map_err(|_| bad())?
    } else {
        2
    };
    if !from.is_finite()
        || !to.is_finite()
        || (with_count && !(1..=1000).contains(&count))
        || (!with_count && from >= to)
    {
        return Err(Error::Usage(format!(
            "{flag} {spec}: {}",
            if with_count {
                "FROM and TO finite, COUNT from 1 to 1000"
            } else {
                "FROM < TO, both finite"
            }
        )));
    }
    Ok((key.trim().to_string(), from, to, count))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_or_say_the_expected_form() {
        assert_eq!(
            parse_range(" model.noise = 0:0.1:5", true).unwrap(),
            ("model.noise".to_string(), 0.0, 0.1, 5)
        );
        assert_eq!(
            parse_range("model.beta=0.2:0.4", false).unwrap(),
            ("model.beta".to_string(), 0.2, 0.4, 2)
        );
        let e = parse_range("model.noise=0:1", true)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("--vary model.noise=0:1: expected KEY=FROM:TO:COUNT"),
            "{e}"
        );
        let e = parse_range("model.noise=0:1:0", true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("COUNT from 1 to 1000"), "{e}");
        let e = parse_range("model.noise=1:0", false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("--param model.noise=1:0: FROM < TO"), "{e}");
        assert!(parse_range("model.noise=nan:1", false).is_err());
    }

    #[test]
    fn sizes_are_bounded_per_point_and_in_total() {
        assert!(check_size(10, 1).is_ok());
        assert!(check_size(10, 0).is_err());
        assert!(check_size(1, MAX_RUNS_PER_POINT + 1).is_err());
        assert!(check_size(MAX_SWEEP_RUNS / 100, 100).is_ok());
        let e = check_size(MAX_SWEEP_RUNS / 100 + 1, 100).unwrap_err();
        assert!(e.to_string().contains("at most 200000000"), "{e}");
        assert!(check_size(usize::MAX, 2).is_err());
    }
}
