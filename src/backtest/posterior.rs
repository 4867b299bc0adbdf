//! `backtest --posterior DIR`: every case forecast with its shared `[model]` parameters drawn
//! from a calibration's posterior (`diplosim calibrate`'s folder), so the forecasts carry the
//! parameter uncertainty the calibration measured; the same cases at the posterior medians are
//! scored beside them.
//!
//! Only `model.*` keys apply across cases (each case has its own actors), so a posterior over
//! any other key is refused. Runs of a case are split among the posterior's points by weight,
//! by systematic allocation, as `--loo` splits them ([`super::loo::held_mixture`]). The
//! calibration must not have used any case's questions or outcomes: it is the user's
//! training data, recorded with its hash in the manifest.

use super::loo::held_mixture;
use super::{forecast_case, CaseForecast};
use crate::calibrate::draws::Draws;
use crate::error::{Error, Result};
use crate::scenario::{Library, Scenario};
use crate::sweep::points::{Assignment, PointLoader};
use crate::sweep::runner::Control;
use std::path::{Path, PathBuf};

/// The posterior a backtest draws from, read and checked.
pub fn read(dir: &Path) -> Result<Draws> {
    let d = Draws::read(dir)?;
    if let Some(k) = d.keys.iter().find(|k| !k.starts_with("model.")) {
        return Err(Error::Usage(format!(
            "--posterior {}: it calibrated `{k}`; a backtest's cases have their own actors, so only shared [model] parameters (model.* keys) apply to every case: calibrate those alone (or use --loo)",
            dir.display()
        )));
    }
    Ok(d)
}

/// Each case's forecast with the posterior's uncertainty, and at the posterior medians
/// (`files[i]` is the file `cases[i]` was loaded from).
///
/// Cost: 2 · `runs` simulations per case.
pub fn forecast_posterior(
    lib: &Library,
    files: &[PathBuf],
    cases: &[Scenario],
    draws: &Draws,
    runs: usize,
    seed: u64,
    ctl: &Control,
) -> Result<(Vec<CaseForecast>, Vec<CaseForecast>)> {
    let points: Vec<Assignment> = draws.assignments();
    let median: Assignment = draws.median_assignment();
    let mut with = Vec::with_capacity(cases.len());
    let mut at_medians = Vec::with_capacity(cases.len());
    for (sc, f) in cases.iter().zip(files) {
        let loader = PointLoader::new(lib, &f.to_string_lossy(), Vec::new())?;
        let apply = |e: Error| match e {
            Error::Invalid(_) | Error::Usage(_) => Error::Usage(format!(
                "--posterior {}: its parameters ({}) do not apply to case `{}`: {e}",
                draws.file.parent().unwrap_or(Path::new(".")).display(),
                draws.keys.join(", "),
                sc.name
            )),
            other => other,
        };
        let med = loader.load(&median).map_err(apply)?;
        let held =
            held_mixture(&loader, &points, &draws.weights, sc, runs, seed, ctl).map_err(apply)?;
        with.push(super::forecast_of(sc, &held, runs, seed));
        let mut m = forecast_case(&med, runs, seed, ctl)?;
        m.name.clone_from(&sc.name);
        at_medians.push(m);
    }
    Ok((with, at_medians))
}

/// A backtest's posterior, and the board of the same cases at its medians.
#[derive(Debug, Clone)]
pub struct Beside {
    pub draws: Draws,
    pub medians: super::Board,
}

impl Beside {
    /// The parameters and their medians, as a reader sees them.
    pub fn medians_text(&self) -> String {
        self.draws
            .keys
            .iter()
            .zip(&self.draws.medians)
            .map(|(k, m)| format!("{k} = {}", crate::output::round_sig(*m, 3)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
