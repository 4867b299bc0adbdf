//! Parameter points: `--set`-style overrides (`key=value`) applied to one base scenario.
//!
//! A point is data ([`Assignment`]), not text, so designs (grids, Morris, Sobol', calibration
//! rounds) build points without formatting them. The [`PointLoader`] reads the scenario file once
//! and resolves each point from that text, its fixed overrides (`--seed`, `--steps`, `--set`) and
//! the point's own: every point is checked as strictly as `--set` on the command line, with the
//! same messages.

use crate::error::Result;
use crate::scenario::{read_text, set_value, Library, Scenario};
use rayon::prelude::*;
use std::path::PathBuf;

/// One parameter point: (`--set` key, value) pairs, applied in order after the fixed overrides.
pub type Assignment = Vec<(String, f64)>;

/// A value as `--set` text: whole numbers for integer keys (`scenario.steps`, …), else as given.
pub fn fmt_value(key: &str, v: f64) -> String {
    set_value(key, v)
}

/// Resolves the scenario at each point: the file is read once, each point adds its overrides.
pub struct PointLoader<'a> {
    lib: &'a Library,
    path: PathBuf,
    text: String,
    fixed: Vec<String>,
}

impl<'a> PointLoader<'a> {
    /// Locate and read scenario `spec` (a name or a path); `fixed` are overrides every point
    /// shares (`key=value` text, as after `--set`).
    pub fn new(lib: &'a Library, spec: &str, fixed: Vec<String>) -> Result<PointLoader<'a>> {
        let path = lib.locate(spec)?;
        let text = read_text(&path)?;
        Ok(PointLoader {
            lib,
            path,
            text,
            fixed,
        })
    }

    /// The scenario with the fixed overrides only.
    pub fn base(&self) -> Result<Scenario> {
        self.load(&[])
    }

    /// The scenario at one point.
    pub fn load(&self, point: &[(String, f64)]) -> Result<Scenario> {
        let mut ov = self.fixed.clone();
        ov.extend(
            point
                .iter()
                .map(|(k, v)| format!("{k}={}", fmt_value(k, *v))),
        );
        self.lib.load_text(&self.path, &self.text, &ov)
    }

    /// The scenario at every point, in order, loaded in parallel on the current rayon pool. If
    /// points fail, the error is the first failing point's, as if they were loaded one by one.
    ///
    /// Cost: one parse and check of the scenario text per point (about a millisecond for the
    /// baseline); a typed override of a resolved scenario would avoid it, and would go here.
    pub fn load_all(&self, points: &[Assignment]) -> Result<Vec<Scenario>> {
        let loaded: Vec<Result<Scenario>> = points.par_iter().map(|p| self.load(p)).collect();
        loaded.into_iter().collect()
    }

    /// Check both ends of each range (`key`, lo, hi) as a point of its own, so that a bad key
    /// fails fast with its message before many points are loaded.
    pub fn check_ranges(&self, ranges: &[(String, f64, f64)]) -> Result<()> {
        for (key, lo, hi) in ranges {
            self.load(&[(key.clone(), *lo)])?;
            self.load(&[(key.clone(), *hi)])?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lib() -> Library {
        Library::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"))
    }

    #[test]
    fn a_point_adds_its_overrides_after_the_fixed_ones() {
        let lib = lib();
        let loader = PointLoader::new(&lib, "baseline", vec!["model.noise=0.05".into()]).unwrap();
        let base = loader.base().unwrap();
        let same = lib.load("baseline", &["model.noise=0.05".into()]).unwrap();
        assert_eq!(base, same);
        let p = loader
            .load(&[
                ("model.noise".into(), 0.02),
                ("scenario.steps".into(), 12.4),
            ])
            .unwrap();
        let want = lib
            .load(
                "baseline",
                &[
                    "model.noise=0.05".into(),
                    "model.noise=0.02".into(),
                    "scenario.steps=12".into(),
                ],
            )
            .unwrap();
        assert_eq!(p, want);
        assert_eq!(p.steps, 12);
    }

    #[test]
    fn a_bad_point_fails_with_the_set_message() {
        let lib = lib();
        let loader = PointLoader::new(&lib, "baseline", vec![]).unwrap();
        let e = loader
            .load_all(&[
                vec![("model.noise".into(), 0.1)],
                vec![("model.noise".into(), 2.0)],
            ])
            .unwrap_err();
        assert!(
            e.to_string().contains("noise must be in [0, 1], got 2"),
            "{e}"
        );
        let e = loader
            .check_ranges(&[("actor.chian.stance".into(), 0.0, 1.0)])
            .unwrap_err();
        assert!(e.to_string().contains("did you mean `china`?"), "{e}");
    }

    #[test]
    fn integer_keys_are_rounded() {
        assert_eq!(fmt_value("issue.setup_steps", 7.6), "8");
        assert_eq!(fmt_value("model.noise", 0.25), "0.25");
    }
}
