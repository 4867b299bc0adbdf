//! Publishing a result: above [`crate::output`] (the files), [`crate::chart`] and
//! [`crate::report`], which do not know each other, one function per kind of result writes its
//! folder's files, draws its charts and writes its `report.html` into a staging folder; the
//! caller commits it (after any files of its own). The command line only parses, calls and
//! narrates.

use crate::chart::{render_run, ChartInput};
use crate::engine::record::Recording;
use crate::engine::Outcome;
use crate::ensemble::Aggregate;
use crate::error::Result;
use crate::output::ensemble::{ensemble_csv, event_counts_csv, summary_json};
use crate::output::run::{to_json, write_single, Manifest};
use crate::output::Staging;
use crate::report::run::Provenance;
use crate::scenario::Scenario;

/// A single run's folder: the resolved scenario, `timeseries.csv`, `events.csv`, the summary,
/// the manifest, (with `charts`) the charts, and `report.html`.
pub fn single(
    stage: &Staging,
    sc: &Scenario,
    resolved: &str,
    rec: &Recording,
    out: &Outcome,
    man: &Manifest,
    charts: bool,
) -> Result<()> {
    write_single(stage, sc, resolved, rec, out, man)?;
    if charts {
        render_run(&stage.tmp, &ChartInput::from_run(sc, rec, out))?;
    }
    let prov = Provenance {
        command: &man.command,
        seed: sc.seed,
        runs: 1,
        notes: &[],
    };
    crate::report::write(stage, &crate::report::run::single(sc, rec, out, &prov))
}

/// Every file of an ensemble but `events.csv` and `scenario.resolved.toml` (which stream or come
/// first): the tables, the summary, the manifest, (with `charts`) the charts, and `report.html`
/// with `notes` in its headline.
pub fn ensemble(
    stage: &Staging,
    sc: &Scenario,
    agg: &Aggregate,
    man: &Manifest,
    charts: bool,
    notes: &[String],
) -> Result<()> {
    stage.write("ensemble.csv", ensemble_csv(sc, agg)?)?;
    stage.write("event_counts.csv", event_counts_csv(sc, agg)?)?;
    stage.write("summary.json", summary_json(sc, agg)?)?;
    stage.write("manifest.json", to_json(man)?)?;
    if charts {
        render_run(&stage.tmp, &ChartInput::from_aggregate(sc, agg))?;
    }
    let prov = Provenance {
        command: &man.command,
        seed: sc.seed,
        runs: sc.runs,
        notes,
    };
    crate::report::write(stage, &crate::report::ensemble::ensemble(sc, agg, &prov))
}
