//! `diplosim compare A B ...`: run scenarios as ensembles with common random numbers (or read
//! existing output folders), overlay a metric and print a comparison table (also written as
//! `comparison.csv`) and each outcome's paired difference from the first scenario with its 95%
//! interval and verdict (`differences.csv`). What is compared is computed by
//! [`crate::compare`]; this file parses, lays the tables out and prints.

use crate::compare::{Comparison, Item};
use crate::error::{Error, Result};
use crate::model::Metric;
use crate::output::Staging;
use crate::scenario::{Library, Scenario};
use clap::Args;
use std::fmt::Write as _;
use std::path::Path;

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario names or paths (run here with one seed), or output folders of earlier runs.
    #[arg(required = true, num_args = 2..)]
    pub items: Vec<String>,
    /// Metric to overlay (the help lists them, from [`Metric::ALL`]).
    #[arg(long, default_value = Metric::Stance.name(), help = metric_help())]
    pub metric: String,
    #[command(flatten)]
    pub seeding: super::SeedArg,
    #[command(flatten)]
    pub horizon: super::StepsArg,
    /// Runs per scenario; run r of every scenario uses the same random numbers. 1 compares
    /// single runs (one seed can reverse a conclusion: use an ensemble).
    #[arg(long, default_value_t = 200)]
    pub runs: usize,
    #[command(flatten)]
    pub parallel: super::Parallel,
    /// Compare stances averaged over weeks FROM to TO (inclusive) instead of at the end.
    #[arg(long, value_name = "FROM:TO")]
    pub window: Option<String>,
    /// The smallest difference that matters for a kind of outcome, repeatable: probability
    /// (default 0.01), weeks (1), coercive (0.1 events a run), cooperation (0.05 of the first
    /// scenario's mean), stance (0.05). E.g. `--matters stance=0.1`.
    #[arg(long, value_name = "KIND=VALUE")]
    pub matters: Vec<String>,
    /// Draw each run's uncertain parameters from the posterior a `diplosim calibrate` folder
    /// holds: run r of every scenario draws the same point (by seed and r), so the paired
    /// differences carry parameter uncertainty. Scenarios only, with --runs 2 or more.
    #[arg(long, value_name = "DIR")]
    pub posterior: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub output: super::OutputArgs,
}

/// `--window FROM:TO`: two steps in order, within every scenario run here.
fn parse_window(spec: &str, steps: usize) -> Result<(usize, usize)> {
    let bad = |why: String| Error::Usage(format!("--window {spec}: {why}"));
    let (a, b) = spec
        .split_once(':')
        .ok_or_else(|| bad("expected FROM:TO, e.g. 10:30".into()))?;
    let parse = |x: &str| {
        x.trim()
            .parse::<usize>()
            .map_err(|_| bad(format!("`{x}` is not a step")))
    };
    let (a, b) = (parse(a)?, parse(b)?);
    if a > b {
        return Err(bad("FROM comes after TO".into()));
    }
    if b > steps {
        return Err(bad(format!("the runs end at step {steps}")));
    }
    Ok((a, b))
}

/// `--help` of `--metric`, listing the metrics.
fn metric_help() -> String {
    let list =
        |ms: &mut dyn Iterator<Item = Metric>| ms.map(|m| m.name()).collect::<Vec<_>>().join(", ");
    format!(
        "Metric to overlay: {} (one panel per actor), or {} (one panel)",
        list(&mut Metric::per_actor()),
        list(&mut Metric::region())
    )
}

/// The metric named by `--metric`, or an error that lists them and suggests the nearest.
fn parse_metric(name: &str) -> Result<Metric> {
    Metric::parse(name).ok_or_else(|| {
        let hint = crate::error::suggest(name, Metric::names())
            .map(|s| format!(" — did you mean `{s}`?"))
            .unwrap_or_default();
        let all: Vec<&str> = Metric::names().collect();
        Error::Usage(format!(
            "--metric: unknown metric `{name}`{hint}; one of {}",
            all.join(", ")
        ))
    })
}

pub fn compare(lib: &Library, a: &CompareArgs) -> Result<i32> {
    let metric = parse_metric(&a.metric)?;
    crate::sweep::check_size(a.items.len(), a.runs)?;
    let mut seed = a.seeding.seed;
    let mut specs: Vec<Result<Item, Scenario>> = Vec::new();
    // Each scenario's spec and overrides, to load it again at a posterior's points.
    let mut loads: Vec<(String, Vec<String>)> = Vec::new();
    let mut tags: Vec<String> = a
        .horizon
        .steps
        .iter()
        .map(|s| format!("scenario.steps={s}"))
        .collect();
    for spec in &a.items {
        let p = Path::new(spec);
        if p.is_dir() {
            tags.push(format!("folder {spec}"));
            specs.push(Ok(Item::from_folder(lib, p)?));
            continue;
        }
        let mut ov = Vec::new();
        if let Some(s) = seed {
            ov.push(format!("scenario.seed={s}"));
        }
        if let Some(s) = a.horizon.steps {
            ov.push(format!("scenario.steps={s}"));
        }
        let sc = lib.load(spec, &ov)?;
        loads.push((spec.clone(), ov));
        // The first scenario run sets the seed of the others.
        seed.get_or_insert(sc.seed);
        specs.push(Err(sc));
    }
    let seed = seed.unwrap_or(1);
    // A window changes the results: it names the default folder too.
    if let Some(w) = &a.window {
        tags.push(format!("window {w}"));
    }
    let posterior = match &a.posterior {
        None => None,
        Some(dir) => {
            if specs.iter().any(|s| s.is_ok()) || a.runs < 2 {
                return Err(Error::Usage(
                    "--posterior compares paired ensembles: give scenarios (not folders) and --runs of 2 or more".into(),
                ));
            }
            tags.push(format!("posterior {}", dir.display()));
            let scs: Vec<&Scenario> = specs.iter().filter_map(|s| s.as_ref().err()).collect();
            Some(compare_posterior(lib, dir, &loads, &scs)?)
        }
    };
    let mut matters = crate::compare::Matters::default();
    for m in &a.matters {
        matters
            .set(m)
            .map_err(|why| Error::Usage(format!("--matters {m}: {why}")))?;
        // Verdicts change with it: it names the default folder too.
        tags.push(format!("matters {m}"));
    }
    {
        let scs: Vec<&Scenario> = specs.iter().filter_map(|s| s.as_ref().err()).collect();
        if !scs.is_empty() && a.runs > 1 {
            let threads = a
                .parallel
                .threads
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            crate::budget::check(
                crate::budget::compare(&scs, a.runs as u64, threads),
                &format!(
                    "this comparison ({} scenarios × {} runs)",
                    scs.len(),
                    a.runs
                ),
            )?;
        }
    }
    let window = match &a.window {
        None => None,
        Some(w) => {
            if specs.iter().any(|s| s.is_ok()) || a.runs < 2 {
                return Err(Error::Usage(
                    "--window compares paired ensembles: give scenarios (not folders) and --runs of 2 or more".into(),
                ));
            }
            let steps = specs
                .iter()
                .filter_map(|s| s.as_ref().err().map(|sc| sc.steps))
                .min()
                .unwrap_or(0);
            Some(parse_window(w, steps)?)
        }
    };
    // The folder is checked and locked before anything runs.
    let names: Vec<&str> = specs
        .iter()
        .map(|s| match s {
            Ok(item) => item.sc.name.as_str(),
            Err(sc) => sc.name.as_str(),
        })
        .collect();
    let dest = a
        .output
        .out
        .clone()
        .unwrap_or_else(|| crate::compare::default_dir(&names, seed, a.runs, &tags));
    let stage =
        Staging::new(&dest, a.output.out.is_none() || a.output.force)?.with_format(a.output.format);
    let mut cmp = run_items(specs, a, seed, window, matters, posterior.as_ref())?;
    if let Some(h) = cmp.paired.as_ref().and_then(|p| p.cut_at) {
        cmp.notes.push(format!(
            "The scenarios run for different numbers of weeks: the office's probabilities and weeks are judged at week {h}, the shortest horizon, and the side-by-side table shows each scenario over its own weeks."
        ));
    }
    if let Some(p) = &posterior {
        let d = &p.draws;
        cmp.notes.push(format!(
            "Parameter uncertainty included: run r of every scenario draws the same point of the calibration posterior in {} ({} uncertain parameter{}: {}; round {}, {} weighted point{}, effective sample size {:.0}; {} distinct point{}), so the paired differences carry it.",
            d.file.display(),
            d.keys.len(),
            plural(d.keys.len()),
            d.keys.join(", "),
            d.round,
            d.weighted_points,
            plural(d.weighted_points),
            d.ess,
            d.points.len(),
            plural(d.points.len())
        ));
    }
    let threads = super::ensemble::pool(a.parallel.threads)?.current_num_threads();
    crate::publish::compare(
        &stage,
        &cmp,
        metric,
        seed,
        a.runs,
        &command(a, seed),
        threads,
        !a.output.no_charts,
    )?;
    let dir = stage.commit()?;
    if !a.output.quiet {
        print!("{}", table(&cmp, metric));
        if let Some(p) = &cmp.paired {
            print!("{}", differences(&cmp, p));
        }
        println!("results: {}/", dir.display());
    }
    Ok(0)
}

/// The command line that reproduces the comparison (without --threads, --out, --quiet).
fn command(a: &CompareArgs, seed: u64) -> String {
    let mut w = vec!["compare".to_string()];
    w.extend(a.items.iter().cloned());
    w.extend([
        "--metric".into(),
        a.metric.clone(),
        "--seed".into(),
        seed.to_string(),
    ]);
    if let Some(s) = a.horizon.steps {
        w.extend(["--steps".into(), s.to_string()]);
    }
    w.extend(["--runs".into(), a.runs.to_string()]);
    if let Some(win) = &a.window {
        w.extend(["--window".into(), win.clone()]);
    }
    for m in &a.matters {
        w.extend(["--matters".into(), m.clone()]);
    }
    if let Some(d) = &a.posterior {
        w.extend(["--posterior".into(), d.display().to_string()]);
    }
    super::Origin::new(Vec::new(), &w).command
}

/// Run the scenarios (`Err` entries; `Ok` are folders read already): as ensembles with paired
/// differences when every item is a scenario and `--runs` > 1, else each once or as an
/// ensemble without differences.
fn run_items(
    specs: Vec<std::result::Result<Item, Scenario>>,
    a: &CompareArgs,
    seed: u64,
    window: Option<(usize, usize)>,
    matters: crate::compare::Matters,
    posterior: Option<&crate::compare::Posterior>,
) -> Result<Comparison> {
    let all_scenarios = specs.iter().all(|s| s.is_err());
    let pool = super::ensemble::pool(a.parallel.threads)?;
    let scenarios = specs.iter().filter(|s| s.is_err()).count();
    let total = scenarios * a.runs * if posterior.is_some() { 3 } else { 2 };
    let pb = super::ensemble::progress(total as u64, a.output.quiet);
    let on_run = || pb.inc(1);
    let mut items = Vec::new();
    let mut paired = None;
    if all_scenarios && a.runs > 1 {
        let scs: Vec<Scenario> = specs.into_iter().filter_map(|s| s.err()).collect();
        let (its, p) = pool.install(|| {
            crate::compare::run_ensembles(
                scs,
                a.runs,
                seed,
                window,
                matters,
                posterior,
                &super::CANCEL,
                &on_run,
            )
        })?;
        items = its;
        paired = Some(p);
    } else {
        for s in specs {
            items.push(match s {
                Ok(item) => item,
                Err(sc) if a.runs == 1 => Item::run(sc),
                Err(sc) => {
                    let (mut its, _) = pool.install(|| {
                        crate::compare::run_ensembles(
                            vec![sc],
                            a.runs,
                            seed,
                            None,
                            matters,
                            None,
                            &super::CANCEL,
                            &on_run,
                        )
                    })?;
                    its.remove(0)
                }
            });
        }
    }
    let at_medians = match posterior {
        Some(post) => Some(pool.install(|| {
            crate::compare::paired_at_medians(
                post,
                a.runs,
                seed,
                window,
                matters,
                &super::CANCEL,
                &on_run,
            )
        })?),
        None => None,
    };
    pb.finish_and_clear();
    let mut cmp = Comparison::new(items);
    cmp.paired = paired;
    cmp.at_medians = at_medians;
    Ok(cmp)
}

/// The paired differences from the first scenario as a text table: per outcome, each other
/// scenario's difference with its 95% interval and the verdict.
fn differences(cmp: &Comparison, p: &crate::compare::paired::Paired) -> String {
    let first = &cmp.items[0].sc.name;
    let mut s = format!(
        "\ndifference from {first} (95% interval, paired over {} runs with common random numbers{})\n",
        p.runs,
        p.window.map_or(String::new(), |(a, b)| format!("; stances: mean over steps {a}–{b}"))
    );
    if let Some(h) = p.cut_at {
        s.push_str(&format!(
            "the scenarios run for different numbers of weeks: p_opened and p_approved are the status at week {h}, the weeks the first by then (the side-by-side table above shows each scenario's own weeks); coercive events and cooperation over each scenario's own weeks{}\n",
            if p.window.is_some() { "" } else { ", as final stances" }
        ));
    }
    let w0 = p
        .rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0);
    for row in &p.rows {
        let cells: Vec<String> = cmp.items[1..]
            .iter()
            .zip(&row.diffs[1..])
            .map(|(it, d)| match d {
                Some(d) => format!(
                    "{}: {:+.3} [{:+.3}, {:+.3}] {}",
                    it.sc.name,
                    d.mean,
                    d.lo,
                    d.hi,
                    d.verdict(row.smallest)
                ),
                None => format!("{}: -", it.sc.name),
            })
            .collect();
        let _ = writeln!(s, "{:w0$}  {}", row.name, cells.join("   "));
    }
    // Where a stance moved materially at some week, even if not at the end (or in the window).
    let shown: Vec<&crate::compare::paired::Peak> =
        p.peaks.iter().filter(|k| k.diff.material(0.05)).collect();
    if !shown.is_empty() {
        let _ = writeln!(
            s,
            "largest paired difference in stance by week (material, ≥ 0.05):"
        );
        for k in shown {
            let _ = writeln!(
                s,
                "  {} in {}: {:+.3} [{:+.3}, {:+.3}] at week {}",
                k.actor, cmp.items[k.scenario].sc.name, k.diff.mean, k.diff.lo, k.diff.hi, k.week
            );
        }
    }
    s
}

/// The comparison as an aligned text table: row names, then one right-aligned column per item.
fn table(cmp: &Comparison, metric: Metric) -> String {
    let rows = cmp.rows(metric);
    let w0 = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let widths: Vec<usize> = (0..cmp.items.len())
        .map(|c| {
            rows.iter()
                .map(|(_, v)| v[c].chars().count())
                .chain([cmp.items[c].label.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut s = String::new();
    let _ = write!(s, "{:w0$}", "");
    for (c, it) in cmp.items.iter().enumerate() {
        let _ = write!(s, "  {:>w$}", it.label, w = widths[c]);
    }
    s.push('\n');
    for (k, vals) in rows {
        let _ = write!(s, "{k:w0$}");
        for (c, v) in vals.iter().enumerate() {
            let _ = write!(s, "  {v:>w$}", w = widths[c]);
        }
        s.push('\n');
    }
    s
}

/// Every scenario of a comparison at every point of `dir`'s posterior, compiled
/// ([`super::ensemble::compile_points`]).
fn compare_posterior(
    lib: &Library,
    dir: &Path,
    loads: &[(String, Vec<String>)],
    scs: &[&Scenario],
) -> Result<crate::compare::Posterior> {
    let draws = crate::calibrate::draws::Draws::read(dir)?;
    let points = draws.assignments();
    let compiled = loads
        .iter()
        .zip(scs)
        .map(|((spec, ov), sc)| super::ensemble::compile_points(lib, spec, ov, sc, &draws, &points))
        .collect::<Result<Vec<_>>>()?;
    let median = draws.median_assignment();
    let medians = loads
        .iter()
        .map(|(spec, ov)| crate::sweep::PointLoader::new(lib, spec, ov.clone())?.load(&median))
        .collect::<Result<Vec<_>>>()?;
    Ok(crate::compare::Posterior {
        draws,
        compiled,
        medians,
    })
}

/// "s" unless there is one.
fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
