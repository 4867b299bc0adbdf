//! `diplosim sweep`: a grid over one or two parameters (`--vary KEY=FROM:TO:COUNT`), or global
//! sensitivity analysis (`--method morris|sobol`) over the ranges of the scenario's
//! `[sensitivity]` table and `--param KEY=FROM:TO`. Every point is an ensemble; all points run in
//! one parallel pass; run r of every point uses the seed (seed, r) — common random numbers, so
//! differences between points are not drowned in sampling noise.

use crate::chart::sweep::{render_grid, render_tornado, GridChart, TornadoBar, TornadoChart};
use crate::engine::{run_rng, Compiled, Observer, StepView};
use crate::ensemble::stats::wilson;
use crate::error::{Error, Result};
use crate::model::Status;
use crate::output::Staging;
use crate::scenario::{Library, Scenario};
use crate::sensitivity::{morris_design, morris_indices, saltelli_design, sobol_indices};
use clap::Args;
use rayon::prelude::*;
use std::fmt::Write as _;
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
    /// Seed (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Steps (default: the scenario's).
    #[arg(long)]
    pub steps: Option<u64>,
    /// Fixed overrides applied at every point.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub output: super::OutputArgs,
}

fn fmt_value(key: &str, v: f64) -> String {
    crate::scenario::set_value(key, v)
}

/// One outcome of a run: opened, any coercive event, mean cooperation index, final stances.
struct RunOutcome {
    opened: bool,
    hostile: bool,
    coop: f64,
    stance: Vec<f64>,
}

struct CoopSum(f64);
impl Observer for CoopSum {
    fn step(&mut self, v: &StepView) {
        if v.step > 0 {
            self.0 += v.cooperation;
        }
    }
}

/// Outcomes of one point: means with 95% intervals, in the order of [`outcome_names`].
#[derive(Clone)]
struct PointStats {
    runs: u64,
    /// (estimate, lo, hi) per outcome.
    values: Vec<(f64, f64, f64)>,
}

fn outcome_names(sc: &Scenario) -> Vec<String> {
    let mut v = vec![
        "p_opened".to_string(),
        "p_hostile".to_string(),
        "cooperation_mean".to_string(),
    ];
    v.extend(sc.actors.iter().map(|a| format!("stance_{}", a.id)));
    v
}

fn mean_ci(xs: &[f64]) -> (f64, f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    if xs.len() < 2 {
        return (m, m, m);
    }
    let sd = (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let h = 1.959963984540054 * sd / n.sqrt();
    (m, m - h, m + h)
}

fn summarize(outs: &[RunOutcome]) -> PointStats {
    let n = outs.len() as u64;
    let opened = wilson(outs.iter().filter(|o| o.opened).count() as u64, n);
    let hostile = wilson(outs.iter().filter(|o| o.hostile).count() as u64, n);
    let mut values = vec![
        (opened.estimate, opened.lo, opened.hi),
        (hostile.estimate, hostile.lo, hostile.hi),
        mean_ci(&outs.iter().map(|o| o.coop).collect::<Vec<_>>()),
    ];
    let actors = outs.first().map(|o| o.stance.len()).unwrap_or(0);
    for i in 0..actors {
        values.push(mean_ci(
            &outs.iter().map(|o| o.stance[i]).collect::<Vec<_>>(),
        ));
    }
    PointStats { runs: n, values }
}

/// Run every point `runs` times in one parallel pass; results in point order, reduced in run
/// order, so the bytes do not depend on the thread count.
fn evaluate(
    points: &[Scenario],
    runs: usize,
    seed: u64,
    threads: Option<usize>,
    quiet: bool,
) -> Result<Vec<PointStats>> {
    check_size(points.len(), runs)?;
    let total = points.len() * runs;
    let pool = super::ensemble::pool(threads)?;
    let pb = super::ensemble::progress(total as u64, quiet);
    // Points go in chunks whose per-run records stay under ~32 MB; within a chunk every
    // (point, run) pair is one parallel task, collected in order.
    let per_run = 4 + points.first().map(|p| p.actors.len()).unwrap_or(0);
    let chunk = (4_000_000 / (per_run * runs)).max(1);
    let mut stats = Vec::with_capacity(points.len());
    for group in points.chunks(chunk) {
        let compiled: Vec<Compiled> = group.iter().map(Compiled::new).collect();
        let outs: Option<Vec<RunOutcome>> = pool.install(|| {
            (0..group.len() * runs)
                .into_par_iter()
                .with_min_len(16)
                .map(|k| {
                    let (p, r) = (k / runs, k % runs);
                    if super::cancelled() {
                        return None;
                    }
                    let c = &compiled[p];
                    let mut coop = CoopSum(0.0);
                    let mut rng = run_rng(seed, r as u64);
                    let out = crate::engine::simulate_with(c, &mut rng, &mut coop);
                    pb.inc(1);
                    Some(RunOutcome {
                        opened: out.status == Status::Opened,
                        hostile: out.coercive_events > 0,
                        coop: coop.0 / c.steps.max(1) as f64,
                        stance: out.final_stance,
                    })
                })
                .collect::<Option<Vec<_>>>()
        });
        let outs = outs.ok_or(Error::Interrupted)?;
        stats.extend(outs.chunks(runs).map(summarize));
    }
    pb.finish_and_clear();
    Ok(stats)
}

/// Refuse a sweep too large to run before any point is loaded.
fn check_size(points: usize, runs: usize) -> Result<()> {
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

/// Most runs per sweep point.
const MAX_RUNS_PER_POINT: usize = 1_000_000;
/// Most runs in one sweep (points × runs).
const MAX_SWEEP_RUNS: usize = 200_000_000;

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

pub fn sweep(lib: &Library, a: &SweepArgs) -> Result<i32> {
    let mut base_ov: Vec<String> = Vec::new();
    if let Some(s) = a.seed {
        base_ov.push(format!("scenario.seed={s}"));
    }
    if let Some(s) = a.steps {
        base_ov.push(format!("scenario.steps={s}"));
    }
    base_ov.extend(a.set.iter().cloned());
    let path = lib.locate(&a.scenario)?;
    let text = crate::scenario::read_text(&path)?;
    let loader = PointLoader {
        lib,
        path,
        text,
        base_ov: &base_ov,
    };
    let base = loader.load(&[])?;
    match (&a.method, a.vary.is_empty()) {
        (None, true) => Err(Error::Usage(
            "give --vary KEY=FROM:TO:COUNT (once or twice) or --method morris|sobol".into(),
        )),
        (Some(_), false) => Err(Error::Usage(
            "--vary makes a grid; --method makes a sensitivity analysis: give one of them".into(),
        )),
        (None, false) => grid(&loader, a, &base),
        (Some(m), true) => match m.as_str() {
            "morris" | "sobol" => global(&loader, a, &base, m),
            other => Err(Error::Usage(format!(
                "--method {other}: expected morris or sobol"
            ))),
        },
    }
}

/// Loads the scenario at each sweep point: the file is read once, each point adds its overrides.
struct PointLoader<'a> {
    lib: &'a Library,
    path: PathBuf,
    text: String,
    base_ov: &'a [String],
}

impl PointLoader<'_> {
    fn load(&self, assign: &[(String, f64)]) -> Result<Scenario> {
        let mut ov = self.base_ov.to_vec();
        ov.extend(
            assign
                .iter()
                .map(|(k, v)| format!("{k}={}", fmt_value(k, *v))),
        );
        self.lib.load_text(&self.path, &self.text, &ov)
    }
}

fn dest(a: &SweepArgs, base: &Scenario, kind: &str) -> PathBuf {
    a.output.out.clone().unwrap_or_else(|| {
        PathBuf::from("output")
            .join(&base.name)
            .join(format!("sweep-{kind}-seed-{}", base.seed))
    })
}

fn grid(loader: &PointLoader, a: &SweepArgs, base: &Scenario) -> Result<i32> {
    if a.vary.len() > 2 {
        return Err(Error::Usage(
            "a grid varies one or two parameters; use --method sobol for more".into(),
        ));
    }
    let axes: Vec<(String, Vec<f64>)> = a
        .vary
        .iter()
        .map(|s| {
            let (k, from, to, count) = parse_range(s, true)?;
            let vals = (0..count)
                .map(|i| {
                    if count == 1 {
                        from
                    } else {
                        from + (to - from) * i as f64 / (count - 1) as f64
                    }
                })
                // 0.1·3 is 0.30000000000000004: round grid values to 12 significant digits.
                .map(|v: f64| {
                    if v == 0.0 {
                        0.0
                    } else {
                        format!("{v:.11e}").parse().unwrap_or(v)
                    }
                })
                .collect();
            Ok((k, vals))
        })
        .collect::<Result<_>>()?;
    let runs = a.runs.unwrap_or(200);
    let mut assigns: Vec<Vec<(String, f64)>> = Vec::new();
    match axes.as_slice() {
        [(k, xs)] => assigns.extend(xs.iter().map(|x| vec![(k.clone(), *x)])),
        [(k1, xs), (k2, ys)] => {
            for x in xs {
                for y in ys {
                    assigns.push(vec![(k1.clone(), *x), (k2.clone(), *y)]);
                }
            }
        }
        _ => unreachable!("one or two axes"),
    }
    check_size(assigns.len(), runs)?;
    let points: Vec<Scenario> = assigns
        .iter()
        .map(|asg| loader.load(asg))
        .collect::<Result<_>>()?;
    let stats = evaluate(&points, runs, base.seed, a.threads, a.output.quiet)?;
    let names = outcome_names(base);
    let mut csv = String::new();
    for (k, _) in &axes {
        let _ = write!(csv, "{k},");
    }
    csv.push_str("runs");
    for n in &names {
        let _ = write!(csv, ",{n},{n}_lo,{n}_hi");
    }
    csv.push('\n');
    for (asg, st) in assigns.iter().zip(&stats) {
        for (k, v) in asg {
            let _ = write!(csv, "{},", fmt_value(k, *v));
        }
        let _ = write!(csv, "{}", st.runs);
        for (e, lo, hi) in &st.values {
            let _ = write!(csv, ",{e},{lo},{hi}");
        }
        csv.push('\n');
    }
    let out = dest(a, base, "grid");
    let stage = Staging::new(&out, a.output.out.is_none() || a.output.force)?;
    stage.write("sweep.csv", &csv)?;
    stage.write("scenario.resolved.toml", crate::scenario::to_toml(base)?)?;
    if !a.output.no_charts {
        let chart = GridChart {
            title: format!("Sweep — {}", base.title),
            subtitle: format!(
                "scenario {} · seed {} · {runs} runs per point · 95% intervals",
                base.name, base.seed
            ),
            axes: axes.clone(),
            outcomes: names.clone(),
            ids: base.actors.iter().map(|x| x.id.clone()).collect(),
            names: base.actors.iter().map(|x| x.name.clone()).collect(),
            values: stats.iter().map(|s| s.values.clone()).collect(),
        };
        render_grid(&stage.tmp, &chart)?;
    }
    let dir = stage.commit()?;
    if !a.output.quiet {
        println!(
            "{} — grid over {} ({} points × {runs} runs, seed {})",
            base.name,
            axes.iter()
                .map(|(k, _)| k.as_str())
                .collect::<Vec<_>>()
                .join(" × "),
            points.len(),
            base.seed
        );
        let w = axes.iter().map(|(k, _)| k.len()).max().unwrap_or(5).max(8);
        for (asg, st) in assigns.iter().zip(&stats) {
            let vals: Vec<String> = asg
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
        println!("results: {}/", dir.display());
    }
    Ok(0)
}

fn global(loader: &PointLoader, a: &SweepArgs, base: &Scenario, method: &str) -> Result<i32> {
    // Ranges: the scenario's [sensitivity] table, then --param.
    let mut ranges: Vec<(String, f64, f64)> = base.sensitivity.ranges.clone();
    for p in &a.param {
        let (k, from, to, _) = parse_range(p, false)?;
        match ranges.iter_mut().find(|(x, _, _)| *x == k) {
            Some(r) => *r = (k, from, to),
            None => ranges.push((k, from, to)),
        }
    }
    if ranges.len() < 2 {
        return Err(Error::Usage(format!(
            "--method {method} needs at least two parameter ranges: add a [sensitivity.ranges] table to the scenario or --param KEY=FROM:TO"
        )));
    }
    let k = ranges.len();
    let samples = a.samples.unwrap_or(base.sensitivity.samples);
    if !(8..=100_000).contains(&samples) {
        return Err(Error::Usage(format!(
            "--samples {samples}: give 8 to 100000"
        )));
    }
    let runs = a.runs.unwrap_or(base.sensitivity.runs);
    // The design has its own random stream, apart from the runs' streams.
    let mut rng = run_rng(base.seed, u64::MAX);
    enum Design {
        Morris(crate::sensitivity::MorrisDesign),
        Sobol(crate::sensitivity::SaltelliDesign),
    }
    let design = if method == "morris" {
        Design::Morris(morris_design(k, (samples / (k + 1)).max(4), 4, &mut rng))
    } else {
        Design::Sobol(saltelli_design(k, samples, &mut rng))
    };
    let unit_points = match &design {
        Design::Morris(d) => &d.points,
        Design::Sobol(d) => &d.points,
    };
    check_size(unit_points.len(), runs)?;
    let assigns: Vec<Vec<(String, f64)>> = unit_points
        .iter()
        .map(|u| {
            ranges
                .iter()
                .zip(u)
                .map(|((key, lo, hi), x)| (key.clone(), lo + (hi - lo) * x))
                .collect()
        })
        .collect();
    // Check every range end once before the many loads, so a bad key fails fast with its message.
    for (key, lo, hi) in &ranges {
        loader.load(&[(key.clone(), *lo)])?;
        loader.load(&[(key.clone(), *hi)])?;
    }
    let points: Vec<Scenario> = assigns
        .iter()
        .map(|asg| loader.load(asg))
        .collect::<Result<_>>()?;
    let stats = evaluate(&points, runs, base.seed, a.threads, a.output.quiet)?;
    let names = outcome_names(base);
    let mut csv = String::new();
    let mut tornadoes: Vec<TornadoChart> = Vec::new();
    let subtitle = format!(
        "scenario {} · seed {} · {} points × {runs} runs · {}",
        base.name,
        base.seed,
        points.len(),
        if method == "sobol" {
            format!("Saltelli N = {samples}, Jansen estimators, 95% bootstrap")
        } else {
            format!("{} trajectories, 4 levels", points.len() / (k + 1))
        }
    );
    match &design {
        Design::Sobol(d) => {
            csv.push_str("outcome,parameter,min,max,S1,S1_lo,S1_hi,ST,ST_lo,ST_hi\n");
            for (o, name) in names.iter().enumerate() {
                let y: Vec<f64> = stats.iter().map(|s| s.values[o].0).collect();
                let idx = sobol_indices(d, &y, 200, &mut rng);
                let mut bars = Vec::new();
                for (i, (key, lo, hi)) in ranges.iter().enumerate() {
                    match &idx {
                        Some(ix) => {
                            let s = ix[i];
                            let _ = writeln!(
                                csv,
                                "{name},{key},{lo},{hi},{},{},{},{},{},{}",
                                s.s1, s.s1_lo, s.s1_hi, s.st, s.st_lo, s.st_hi
                            );
                            bars.push(TornadoBar {
                                label: key.clone(),
                                main: s.st,
                                inner: Some(s.s1),
                                lo: s.st_lo,
                                hi: s.st_hi,
                            });
                        }
                        None => {
                            let _ = writeln!(csv, "{name},{key},{lo},{hi},,,,,,");
                        }
                    }
                }
                tornadoes.push(TornadoChart {
                    file: format!("tornado_{name}"),
                    title: format!("What drives {} — {}", pretty(name), base.title),
                    subtitle: subtitle.clone(),
                    x_desc: "Sobol' index (share of the outcome's variance)".into(),
                    legend: vec![
                        "total effect S_T (with 95% interval)".into(),
                        "first order S_1".into(),
                    ],
                    bars,
                    note: if idx.is_none() {
                        Some("the outcome does not vary over these ranges".into())
                    } else {
                        None
                    },
                });
            }
        }
        Design::Morris(d) => {
            csv.push_str("outcome,parameter,min,max,mu_star,mu,sigma\n");
            for (o, name) in names.iter().enumerate() {
                let y: Vec<f64> = stats.iter().map(|s| s.values[o].0).collect();
                let idx = morris_indices(d, &y);
                let mut bars = Vec::new();
                for (i, (key, lo, hi)) in ranges.iter().enumerate() {
                    let m = idx[i];
                    let _ = writeln!(
                        csv,
                        "{name},{key},{lo},{hi},{},{},{}",
                        m.mu_star, m.mu, m.sigma
                    );
                    bars.push(TornadoBar {
                        label: key.clone(),
                        main: m.mu_star,
                        inner: None,
                        lo: m.mu_star,
                        hi: m.mu_star + m.sigma,
                    });
                }
                let flat = idx.iter().all(|m| m.mu_star == 0.0 && m.sigma == 0.0);
                tornadoes.push(TornadoChart {
                    file: format!("tornado_{name}"),
                    title: format!("What drives {} — {}", pretty(name), base.title),
                    subtitle: subtitle.clone(),
                    x_desc: "Morris μ* (mean |elementary effect| over the whole range)".into(),
                    legend: vec!["μ* (bar); whisker to μ* + σ".into()],
                    bars,
                    note: flat.then(|| "the outcome does not vary over these ranges".to_string()),
                });
            }
        }
    }
    let out = dest(a, base, method);
    let stage = Staging::new(&out, a.output.out.is_none() || a.output.force)?;
    stage.write("sensitivity.csv", &csv)?;
    stage.write("scenario.resolved.toml", crate::scenario::to_toml(base)?)?;
    if !a.output.no_charts {
        for t in &tornadoes {
            render_tornado(&stage.tmp, t)?;
        }
    }
    let dir = stage.commit()?;
    if !a.output.quiet {
        println!(
            "{} — {method} over {k} parameters ({} points × {runs} runs, seed {})",
            base.name,
            points.len(),
            base.seed
        );
        for t in tornadoes.iter().take(3) {
            let mut bars: Vec<&TornadoBar> = t.bars.iter().collect();
            bars.sort_by(|x, y| y.main.total_cmp(&x.main));
            let top: Vec<String> = bars
                .iter()
                .take(3)
                .map(|b| format!("{} {:.2}", b.label, b.main))
                .collect();
            let what = t.file.trim_start_matches("tornado_");
            match &t.note {
                Some(n) => println!("{what}: {n}"),
                None => println!("{what}: most influential {}", top.join(", ")),
            }
        }
        println!("results: {}/", dir.display());
    }
    Ok(0)
}

fn pretty(name: &str) -> String {
    match name {
        "p_opened" => "whether the office opens".into(),
        "p_hostile" => "a hostile military event".into(),
        "cooperation_mean" => "the mean cooperation index".into(),
        s => s
            .strip_prefix("stance_")
            .map(|a| format!("{a}'s final stance"))
            .unwrap_or_else(|| s.into()),
    }
}
