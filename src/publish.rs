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

/// A backtest's folder: each case's resolved scenario, the manifest, `backtest.csv`, the
/// summary (with the leave-one-out folds or the posterior beside, if any), the charts and the
/// report.
#[allow(clippy::too_many_arguments)]
pub fn backtest(
    stage: &Staging,
    cases: &[Scenario],
    board: &crate::backtest::Board,
    loo: Option<&crate::backtest::loo::Loo>,
    beside: Option<&crate::backtest::posterior::Beside>,
    command: &str,
    threads: usize,
    charts: bool,
) -> Result<()> {
    use crate::backtest::{backtest_csv, manifest_json, summary_json};
    let resolved: Vec<(String, String)> = cases
        .iter()
        .map(|sc| Ok((sc.name.clone(), crate::scenario::to_toml(sc)?)))
        .collect::<Result<_>>()?;
    let hashes: Vec<(String, String)> = resolved
        .iter()
        .map(|(n, t)| {
            let h = crate::hash::fnv1a64(t.as_bytes());
            (n.clone(), format!("fnv1a64:{h}"))
        })
        .collect();
    for (name, text) in &resolved {
        stage.write(&format!("case-{name}.resolved.toml"), text)?;
    }
    stage.write(
        "manifest.json",
        manifest_json(board, &hashes, command, threads, beside)?,
    )?;
    stage.write("backtest.csv", backtest_csv(board)?)?;
    stage.write("summary.json", summary_json(board, &hashes, loo, beside)?)?;
    if charts {
        crate::chart::backtest::render(&stage.tmp, board)?;
    }
    crate::report::write(
        stage,
        &crate::report::backtest::backtest(cases, board, loo, beside, command),
    )
}

/// A calibration's folder: the resolved scenario, `posterior.csv`, the summary,
/// `calibrated.toml` (when the posterior has points), the manifest, the charts and the report.
#[allow(clippy::too_many_arguments)]
pub fn calibrate(
    stage: &Staging,
    loader: &crate::sweep::PointLoader,
    base: &Scenario,
    cal: &crate::calibrate::Calibration,
    command: &str,
    runs: usize,
    threads: usize,
    charts: bool,
) -> Result<()> {
    use crate::calibrate::{calibrated_toml, posterior_csv, summary_json};
    stage.write("scenario.resolved.toml", crate::scenario::to_toml(base)?)?;
    stage.write(
        "posterior.csv",
        posterior_csv(cal, base.observations.len())?,
    )?;
    stage.write("summary.json", summary_json(base, cal)?)?;
    if let Some(t) = calibrated_toml(loader, base, cal)? {
        stage.write("calibrated.toml", t)?;
    }
    if charts {
        crate::chart::calibrate::render(&stage.tmp, base, cal)?;
    }
    stage.write(
        "manifest.json",
        crate::output::command_manifest("calibrate", &[base], base.seed, runs, command, threads)?,
    )?;
    crate::report::write(
        stage,
        &crate::report::calibrate::calibrate(base, cal, command),
    )
}

/// A comparison's folder: `comparison.csv`, the paired differences and peaks (and the
/// differences at the posterior medians) when the items were run here, the charts of `metric`,
/// the manifest and the report.
#[allow(clippy::too_many_arguments)]
pub fn compare(
    stage: &Staging,
    cmp: &crate::compare::Comparison,
    metric: crate::model::Metric,
    seed: u64,
    runs: usize,
    command: &str,
    threads: usize,
    charts: bool,
) -> Result<()> {
    stage.write("comparison.csv", cmp.csv()?)?;
    if let Some(p) = &cmp.paired {
        let names: Vec<String> = cmp.items.iter().map(|i| i.sc.name.clone()).collect();
        stage.write("differences.csv", p.csv(&names)?)?;
        stage.write("peaks.csv", p.peaks_csv(&names)?)?;
        if let Some(m) = &cmp.at_medians {
            stage.write("differences_at_medians.csv", m.csv(&names)?)?;
        }
    }
    if charts {
        crate::chart::render_compare(
            &stage.tmp,
            &format!("compare_{}", metric.name()),
            &cmp.chart_input(metric),
        )?;
    }
    let scenarios: Vec<&Scenario> = cmp.items.iter().map(|i| &i.sc).collect();
    stage.write(
        "manifest.json",
        crate::output::command_manifest("compare", &scenarios, seed, runs, command, threads)?,
    )?;
    crate::report::write(stage, &crate::report::compare::report(cmp, metric, command))
}

/// The resolved scenario and the manifest of a sweep (`man.runs` runs a point).
fn sweep_files(stage: &Staging, base: &Scenario, man: &Manifest) -> Result<()> {
    stage.write("scenario.resolved.toml", crate::scenario::to_toml(base)?)?;
    stage.write("manifest.json", to_json(man)?)
}

/// A grid sweep's folder: `sweep.csv`, the resolved scenario, the manifest, the heat map or
/// lines, and the report.
pub fn sweep_grid(
    stage: &Staging,
    base: &Scenario,
    grid: &crate::sweep::grid::Grid,
    names: &[String],
    stats: &[crate::sweep::PointStats],
    man: &Manifest,
    charts: bool,
) -> Result<()> {
    use crate::chart::sweep::{render_grid, GridChart};
    let runs = man.runs;
    stage.write("sweep.csv", grid.csv(names, stats)?)?;
    sweep_files(stage, base, man)?;
    if charts {
        render_grid(&stage.tmp, &GridChart::new(base, runs, grid, names, stats))?;
    }
    let report = crate::report::sweep::grid(base, runs, grid, names, stats, &man.command);
    crate::report::write(stage, &report)
}

/// A Morris or Sobol' analysis's folder: `sensitivity.csv`, `points.csv`, the resolved scenario,
/// the manifest, the tornado charts and the report.
#[allow(clippy::too_many_arguments)]
pub fn sweep_global(
    stage: &Staging,
    base: &Scenario,
    an: &crate::sweep::global::Analysis,
    results: &[crate::sweep::global::OutcomeIndices],
    names: &[String],
    stats: &[crate::sweep::PointStats],
    man: &Manifest,
    charts: bool,
) -> Result<()> {
    use crate::chart::sweep::{render_tornado, tornado_charts};
    let runs = man.runs;
    stage.write("sensitivity.csv", an.csv(results)?)?;
    let keys: Vec<&str> = an.ranges.iter().map(|r| r.0.as_str()).collect();
    stage.write(
        "points.csv",
        crate::sweep::grid::points_csv(&keys, &an.points(), names, stats)?,
    )?;
    sweep_files(stage, base, man)?;
    if charts {
        for t in &tornado_charts(base, runs, an, results) {
            render_tornado(&stage.tmp, t)?;
        }
    }
    let report = crate::report::sweep::global(base, runs, an, results, &man.command);
    crate::report::write(stage, &report)
}
