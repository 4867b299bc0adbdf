//! `diplosim sweep`: a grid over one or two parameters (`--vary KEY=FROM:TO:COUNT`), or global
//! sensitivity analysis (`--method morris|sobol`) over the ranges of the scenario's
//! `[sensitivity]` table and `--param KEY=FROM:TO`. Every point is an ensemble with common random
//! numbers. The work is the library's ([`crate::sweep`]); this file parses the flags, runs it with
//! a thread pool, a progress bar and Ctrl-C, writes the files and prints a summary.

use crate::error::{Error, Result};
use crate::output::Staging;
use crate::scenario::{Library, Scenario};
use crate::sweep::global::{merge_ranges, Analysis, Method, OutcomeIndices};
use crate::sweep::grid::Grid;
use crate::sweep::points::fmt_value;
use crate::sweep::{check_size, evaluate, outcome_names, Control, PointLoader, PointStats};
use crate::sweep::{Assignment, SweepOutcomes};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct SweepArgs {
    /// Scenario name or path.
    pub scenario: String,
    /// Grid axis: KEY=FROM:TO:COUNT (one or two), any --set key.
    #[arg(long, value_name = "KEY=FROM:TO:COUNT")]
    pub vary: Vec<String>,
    /// Global sensitivity analysis instead of a grid.
    #[arg(long, value_name = "morris|sobol")]
    pub method: Option<String>,
    /// Base sample size N (default: [sensitivity] samples, else 256).
    #[arg(long)]
    pub samples: Option<usize>,
    /// A range for --method: KEY=FROM:TO (adds to or replaces the [sensitivity] ranges).
    #[arg(long, value_name = "KEY=FROM:TO")]
    pub param: Vec<String>,
    /// Runs per point (default: [sensitivity] runs for --method, else 200).
    #[arg(long)]
    pub runs: Option<usize>,
    #[command(flatten)]
    pub seeding: super::SeedArg,
    #[command(flatten)]
    pub horizon: super::StepsArg,
    #[command(flatten)]
    pub overrides: super::SetArgs,
    #[command(flatten)]
    pub parallel: super::Parallel,
    #[command(flatten)]
    pub output: super::OutputArgs,
}

/// The overrides every point shares: `--seed`, `--steps`, then `--set`.
fn fixed_overrides(a: &SweepArgs) -> Vec<String> {
    let mut ov: Vec<String> = Vec::new();
    if let Some(s) = a.seeding.seed {
        ov.push(format!("scenario.seed={s}"));
    }
    if let Some(s) = a.horizon.steps {
        ov.push(format!("scenario.steps={s}"));
    }
    ov.extend(a.overrides.set.iter().cloned());
    ov
}

/// The command line that reproduces the sweep (without --threads, --out, --quiet).
fn command(a: &SweepArgs) -> String {
    let mut w = vec!["sweep".to_string(), a.scenario.clone()];
    let mut flag = |f: &str, v: String| w.extend([f.to_string(), v]);
    for v in &a.vary {
        flag("--vary", v.clone());
    }
    if let Some(m) = &a.method {
        flag("--method", m.clone());
    }
    if let Some(n) = a.samples {
        flag("--samples", n.to_string());
    }
    for v in &a.param {
        flag("--param", v.clone());
    }
    if let Some(n) = a.runs {
        flag("--runs", n.to_string());
    }
    if let Some(n) = a.seeding.seed {
        flag("--seed", n.to_string());
    }
    if let Some(n) = a.horizon.steps {
        flag("--steps", n.to_string());
    }
    for v in &a.overrides.set {
        flag("--set", v.clone());
    }
    super::Origin::new(Vec::new(), &w).command
}

pub fn sweep(lib: &Library, a: &SweepArgs) -> Result<i32> {
    let loader = PointLoader::new(lib, &a.scenario, fixed_overrides(a))?;
    let base = loader.base()?;
    match (&a.method, a.vary.is_empty()) {
        (None, true) => Err(Error::Usage(
            "give --vary KEY=FROM:TO:COUNT (once or twice) or --method morris|sobol".into(),
        )),
        (Some(_), false) => Err(Error::Usage(
            "--vary makes a grid; --method makes a sensitivity analysis: give one of them".into(),
        )),
        (None, false) => grid(&loader, a, &base),
        (Some(m), true) => global(&loader, a, &base, Method::parse(m)?),
    }
}

/// Load every point, then run them all on a pool of `--threads` with a progress bar and Ctrl-C.
fn run_points(
    loader: &PointLoader,
    points: &[Assignment],
    runs: usize,
    base: &Scenario,
    a: &SweepArgs,
) -> Result<Vec<PointStats>> {
    check_size(points.len(), runs)?;
    // Every point's scenario is held at once: bound their total before loading any.
    let est = crate::budget::sweep(base, points.len() as u64);
    crate::budget::check(est, &format!("this sweep ({} points)", points.len()))?;
    // Points load on the pool too; a bad point is still reported before a bad --threads.
    let pool = super::ensemble::pool(a.parallel.threads);
    let scenarios = match &pool {
        Ok(p) => p.install(|| loader.load_all(points)),
        Err(_) => loader.load_all(points),
    }?;
    let pool = pool?;
    let pb = super::ensemble::progress((points.len() * runs) as u64, a.output.quiet);
    let on_run = || pb.inc(1);
    let ctl = Control {
        cancel: &super::cancelled,
        on_run: &on_run,
    };
    let stats = pool.install(|| evaluate(&scenarios, runs, base.seed, &SweepOutcomes, &ctl))?;
    pb.finish_and_clear();
    Ok(stats)
}

/// `output/<scenario>/sweep-<kind>-seed-<seed>-runs-<runs>-set-<tag>`: the tag hashes every flag
/// that changes the result (`--steps`, `--set`, `--vary`, `--param`, `--samples`), so two
/// different sweeps never share a folder.
fn dest(a: &SweepArgs, base: &Scenario, kind: &str, runs: usize) -> PathBuf {
    a.output.out.clone().unwrap_or_else(|| {
        let mut ov = fixed_overrides(a);
        ov.retain(|o| !o.starts_with("scenario.seed="));
        ov.extend(a.vary.iter().map(|v| format!("vary {v}")));
        ov.extend(a.param.iter().map(|v| format!("param {v}")));
        if let Some(n) = a.samples {
            ov.push(format!("samples {n}"));
        }
        PathBuf::from("output").join(&base.name).join(format!(
            "sweep-{kind}-{}",
            crate::output::folder_name(base.seed, runs, &ov)
        ))
    })
}

/// `scenario.resolved.toml` and `manifest.json` of a sweep folder (runs per point; the command
/// that reproduces it).
/// The manifest of a sweep of `runs` runs a point.
fn manifest(base: &Scenario, runs: usize, a: &SweepArgs) -> Result<crate::output::run::Manifest> {
    let resolved = crate::scenario::to_toml(base)?;
    let mut man =
        crate::output::run::Manifest::new(base, &resolved, a.parallel.threads.unwrap_or(0));
    man.runs = runs;
    man.overrides = fixed_overrides(a);
    man.command = command(a);
    Ok(man)
}

fn grid(loader: &PointLoader, a: &SweepArgs, base: &Scenario) -> Result<i32> {
    let grid = Grid::parse(&a.vary)?;
    let runs = a.runs.unwrap_or(200);
    check_size(grid.points.len(), runs)?;
    // The destination is checked and locked before any work (a second sweep to the same folder
    // waits or fails now, not after hours).
    let stage = Staging::new(
        &dest(a, base, "grid", runs),
        a.output.out.is_none() || a.output.force,
    )?
    .with_format(a.output.format);
    let stats = run_points(loader, &grid.points, runs, base, a)?;
    let names = outcome_names(base);
    crate::publish::sweep_grid(
        &stage,
        base,
        &grid,
        &names,
        &stats,
        &manifest(base, runs, a)?,
        !a.output.no_charts,
    )?;
    let dir = stage.commit()?;
    if !a.output.quiet {
        print_grid(base, runs, &grid, &stats);
        println!("results: {}/", dir.display());
    }
    Ok(0)
}

fn print_grid(base: &Scenario, runs: usize, grid: &Grid, stats: &[PointStats]) {
    let keys: Vec<&str> = grid.axes.iter().map(|x| x.key.as_str()).collect();
    println!(
        "{} — grid over {} ({} points × {runs} runs, seed {})",
        base.name,
        keys.join(" × "),
        grid.points.len(),
        base.seed
    );
    let w = keys.iter().map(|k| k.len()).max().unwrap_or(5).max(8);
    let head: Vec<String> = keys.iter().map(|k| format!("{k:>w$}")).collect();
    println!("{}  outcomes (95% interval)", head.join("  "));
    for (point, st) in grid.points.iter().zip(stats) {
        let vals: Vec<String> = point
            .iter()
            .map(|(k, v)| format!("{:>w$}", fmt_value(k, *v)))
            .collect();
        println!(
            "{}  P(opened) {:.3} [{:.3}, {:.3}]  P(hostile) {:.3}  cooperation {:+.2}",
            vals.join("  "),
            st.values[0].0,
            st.values[0].1,
            st.values[0].2,
            st.values[1].0,
            st.values[2].0
        );
    }
}

fn global(loader: &PointLoader, a: &SweepArgs, base: &Scenario, method: Method) -> Result<i32> {
    let ranges = merge_ranges(&base.sensitivity.ranges, &a.param)?;
    let samples = a.samples.unwrap_or(base.sensitivity.samples);
    let mut an = Analysis::new(method, ranges, samples, base.seed)?;
    let runs = a.runs.unwrap_or(base.sensitivity.runs);
    check_size(an.len(), runs)?;
    loader.check_ranges(&an.ranges)?;
    let out = dest(a, base, method.name(), runs);
    let stage =
        Staging::new(&out, a.output.out.is_none() || a.output.force)?.with_format(a.output.format);
    let stats = run_points(loader, &an.points(), runs, base, a)?;
    let names = outcome_names(base);
    let results = an.indices(&names, &stats);
    crate::publish::sweep_global(
        &stage,
        base,
        &an,
        &results,
        &names,
        &stats,
        &manifest(base, runs, a)?,
        !a.output.no_charts,
    )?;
    let dir = stage.commit()?;
    if !a.output.quiet {
        print_global(base, runs, &an, &results);
        println!("results: {}/", dir.display());
    }
    Ok(0)
}

/// The three most influential parameters of the first three outcomes.
fn print_global(base: &Scenario, runs: usize, an: &Analysis, results: &[OutcomeIndices]) {
    println!(
        "{} — {} over {} parameters ({} points × {runs} runs, seed {})",
        base.name,
        an.method.name(),
        an.ranges.len(),
        an.len(),
        base.seed
    );
    for r in results.iter().take(3) {
        if r.flat() {
            println!("{}: the outcome does not vary over these ranges", r.outcome);
            continue;
        }
        let top: Vec<String> = r
            .drivers()
            .iter()
            .take(3)
            .map(|&(i, v)| format!("{} {v:.2}", an.ranges[i].0))
            .collect();
        if top.is_empty() {
            println!(
                "{}: no parameter stands out from Monte Carlo noise ({:.0}% of the variance); raise --runs",
                r.outcome,
                100.0 * r.noise_share
            );
        } else {
            println!("{}: most influential {}", r.outcome, top.join(", "));
        }
    }
    let outside = results
        .iter()
        .take(3)
        .flat_map(|r| r.importance())
        .any(|v| !(0.0..=1.0).contains(&v));
    if an.method == Method::Sobol && outside {
        println!(
            "(an index below 0 or above 1 is Monte Carlo error: the true value lies in 0..1; \
             sensitivity.csv has the 95% intervals; raise --runs or --samples to narrow them)"
        );
    }
}
