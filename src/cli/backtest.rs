//! `diplosim backtest [CASE...]`: forecasts of historical cases scored against what happened.
//! The work is the library's ([`crate::backtest`]); this file finds the cases, runs them on a
//! thread pool with a progress bar and Ctrl-C, writes the folder atomically and prints the
//! score table.

use crate::backtest::loo::{forecast_loo, Loo, Settings as LooSettings};
use crate::backtest::{forecast_case, score, Board, REFERENCES_TEXT};
use crate::error::{Error, Result};
use crate::output::{overrides_tag, Staging};
use crate::scenario::{Library, Scenario};
use crate::sweep::Control;
use clap::Args;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// Cases: names in the cases folder, or paths to case files (default: every case there).
    #[arg(value_name = "CASE")]
    pub case: Vec<String>,
    /// Folder of cases.
    #[arg(
        long = "cases",
        value_name = "DIR",
        default_value = "cases",
        env = "DIPLOSIM_CASES"
    )]
    pub cases_dir: PathBuf,
    /// Runs per case.
    #[arg(long, default_value_t = 2000, value_parser = super::runs_range())]
    pub runs: u64,
    /// Seed: run r of every case is seeded by (seed, r).
    #[arg(long, default_value_t = 1, value_parser = super::seed_range())]
    pub seed: u64,
    #[command(flatten)]
    pub parallel: super::Parallel,
    /// Leave one case out: forecast each case with the shared [model] parameters (the model.*
    /// keys of the cases' [sensitivity.ranges]) calibrated on the other cases' [[observation]]s.
    #[arg(long)]
    pub loo: bool,
    /// With --loo: prior points (a scrambled Sobol' sequence).
    #[arg(long, default_value_t = 128, requires = "loo")]
    pub samples: usize,
    /// With --loo: runs per point and training case (a point's likelihood is the product over the observations of the share of runs in which each held).
    #[arg(long, default_value_t = 48, requires = "loo")]
    pub point_runs: usize,
    /// Draw every case's shared [model] parameters from the posterior a `diplosim calibrate`
    /// folder holds (model.* keys only: the cases have their own actors), runs split among its
    /// points by weight; the same cases at the posterior medians are scored beside them.
    #[arg(long, value_name = "DIR", conflicts_with = "loo")]
    pub posterior: Option<PathBuf>,
    #[command(flatten)]
    pub output: super::OutputArgs,
}

/// Most runs per case.
const MAX_RUNS_PER_CASE: u64 = 1_000_000;

/// The case files: every `.toml` in the folder (name order), or those named.
fn case_files(a: &BacktestArgs) -> Result<Vec<PathBuf>> {
    let lib = Library::new(&a.cases_dir);
    if !a.case.is_empty() {
        return a.case.iter().map(|c| lib.locate(c)).collect();
    }
    if !a.cases_dir.is_dir() {
        return Err(Error::Usage(format!(
            "no cases folder at {}: run from the repository root, give --cases DIR (or set DIPLOSIM_CASES), or name case files",
            a.cases_dir.display()
        )));
    }
    let files: Vec<PathBuf> = lib
        .list()
        .into_iter()
        .map(|(n, _)| a.cases_dir.join(format!("{n}.toml")))
        .collect();
    if files.is_empty() {
        return Err(Error::Usage(format!(
            "no case files (*.toml) in {}",
            a.cases_dir.display()
        )));
    }
    Ok(files)
}

/// Load every case; a case must ask at least one question.
fn load_cases(lib: &Library, files: &[PathBuf]) -> Result<Vec<Scenario>> {
    let mut out: Vec<Scenario> = Vec::new();
    for f in files {
        let sc = lib.load_path(f, &[])?;
        if sc.questions.is_empty() {
            return Err(Error::Usage(format!(
                "{}: a case needs at least one [[question]] (with outcome and base rate) to be scored",
                f.display()
            )));
        }
        if let Some(prev) = out.iter().find(|p| p.name == sc.name) {
            return Err(Error::Usage(format!(
                "two cases are named `{}` ({} and {}): each case needs its own name",
                sc.name,
                prev.files
                    .first()
                    .map_or(String::new(), |p| p.display().to_string()),
                f.display()
            )));
        }
        out.push(sc);
    }
    Ok(out)
}

pub fn backtest(lib: &Library, a: &BacktestArgs) -> Result<i32> {
    if a.runs > MAX_RUNS_PER_CASE {
        return Err(Error::Usage(format!(
            "--runs {}: give 1 to {MAX_RUNS_PER_CASE} runs per case",
            a.runs
        )));
    }
    let files = case_files(a)?;
    // A case may extend a named scenario (tokyo_office extends baseline): when the scenarios
    // folder is not where --scenarios says (run from outside the repository), look beside the
    // cases folder, where the repository keeps it.
    let beside = a.cases_dir.parent().map(|p| p.join("scenarios"));
    let fallback = match beside {
        Some(d) if !lib.dir.is_dir() && d.is_dir() => Some(Library::new(d)),
        _ => None,
    };
    let lib = fallback.as_ref().unwrap_or(lib);
    let cases = load_cases(lib, &files)?;
    for sc in &cases {
        eprint!("{}", crate::error::render_warnings(&sc.warnings));
    }
    // Every flag and the total work are checked, then the destination is locked, before any work.
    let mut work = (cases.len() as u64).saturating_mul(a.runs);
    let draws = match &a.posterior {
        Some(d) => {
            // Twice the runs: with the posterior's uncertainty, and at its medians.
            work = work.saturating_mul(2);
            Some(crate::backtest::posterior::read(d)?)
        }
        None => None,
    };
    if a.loo {
        if a.samples < 8 || a.samples > 100_000 || a.point_runs == 0 || a.point_runs > 100_000 {
            return Err(Error::Usage(format!(
                "--samples {} --point-runs {}: give 8 to 100000 samples and 1 to 100000 runs per point",
                a.samples, a.point_runs
            )));
        }
        work = work.saturating_add((a.samples * a.point_runs * cases.len()) as u64);
    }
    let most = crate::sweep::MAX_SWEEP_RUNS as u64;
    if work > most {
        return Err(Error::Usage(format!(
            "{} cases × {} runs{} = {work} simulations; a backtest may run at most {most}",
            cases.len(),
            a.runs,
            if a.loo {
                " plus the --loo calibration"
            } else {
                ""
            }
        )));
    }
    let out = a
        .output
        .out
        .clone()
        .unwrap_or_else(|| default_dir(a, &cases));
    let stage =
        Staging::new(&out, a.output.out.is_none() || a.output.force)?.with_format(a.output.format);
    let runs = a.runs as usize;
    let pool = super::ensemble::pool(a.parallel.threads)?;
    let mut total = a.runs * cases.len() as u64 * if draws.is_some() { 2 } else { 1 };
    if a.loo {
        total += (a.samples
            * a.point_runs
            * cases.iter().filter(|c| !c.observations.is_empty()).count()) as u64;
    }
    let pb = super::ensemble::progress(total, a.output.quiet);
    let on_run = || pb.inc(1);
    let ctl = Control {
        cancel: &super::cancelled,
        on_run: &on_run,
    };
    let mut beside = None;
    let (forecasts, loo) = if let Some(d) = draws {
        let (f, med) = pool.install(|| {
            crate::backtest::posterior::forecast_posterior(
                lib, &files, &cases, &d, runs, a.seed, &ctl,
            )
        })?;
        beside = Some(crate::backtest::posterior::Beside {
            medians: score(&cases, &med, a.seed),
            draws: d,
        });
        (f, None)
    } else if a.loo {
        let s = LooSettings {
            samples: a.samples,
            point_runs: a.point_runs,
            seed: a.seed,
        };
        let (f, l) = pool.install(|| forecast_loo(lib, &files, &cases, runs, s, &ctl))?;
        (f, Some(l))
    } else {
        let f = pool.install(|| {
            cases
                .iter()
                .map(|sc| forecast_case(sc, runs, a.seed, &ctl))
                .collect::<Result<Vec<_>>>()
        });
        (f?, None)
    };
    pb.finish_and_clear();
    let board = score(&cases, &forecasts, a.seed);
    let command = command_line(a);
    crate::publish::backtest(
        &stage,
        &cases,
        &board,
        loo.as_ref(),
        beside.as_ref(),
        &command,
        pool.current_num_threads(),
        !a.output.no_charts,
    )?;
    let dir = stage.commit()?;
    if !a.output.quiet {
        print!("{}", narrate(&board));
        if let Some(l) = &loo {
            print!("{}", narrate_loo(l));
        }
        if let Some(b) = &beside {
            print!("{}", narrate_posterior(b));
        }
        println!("results: {}/", dir.display());
    }
    Ok(0)
}

/// `output/backtest/seed-<seed>-runs-<runs>`, tagged when only some cases, or another folder's,
/// were scored.
fn default_dir(a: &BacktestArgs, cases: &[Scenario]) -> PathBuf {
    let mut name = format!("seed-{}-runs-{}", a.seed, a.runs);
    if a.loo {
        name.push_str(&format!("-loo-{}x{}", a.samples, a.point_runs));
    }
    if let Some(d) = &a.posterior {
        let tag = overrides_tag(&[d.display().to_string()]).unwrap_or_default();
        name.push_str(&format!("-posterior-{tag}"));
    }
    let default_set = a.case.is_empty() && a.cases_dir == Path::new("cases");
    if !default_set {
        let names: Vec<String> = cases.iter().map(|c| c.name.clone()).collect();
        if let Some(tag) = overrides_tag(&names) {
            name.push_str(&format!("-cases-{tag}"));
        }
    }
    PathBuf::from("output").join("backtest").join(name)
}

/// The command that reproduces the folder (without --threads, --out or --quiet).
fn command_line(a: &BacktestArgs) -> String {
    let mut words: Vec<String> = vec!["backtest".into()];
    words.extend(a.case.iter().cloned());
    if a.cases_dir != Path::new("cases") {
        words.push("--cases".into());
        words.push(a.cases_dir.display().to_string());
    }
    words.extend([
        "--runs".into(),
        a.runs.to_string(),
        "--seed".into(),
        a.seed.to_string(),
    ]);
    if let Some(d) = &a.posterior {
        words.extend(["--posterior".into(), d.display().to_string()]);
    }
    if a.loo {
        words.extend([
            "--loo".into(),
            "--samples".into(),
            a.samples.to_string(),
            "--point-runs".into(),
            a.point_runs.to_string(),
        ]);
    }
    super::Origin::new(Vec::new(), &words).command
}

/// The score table as printed.
pub fn narrate(b: &Board) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "backtest: {} questions in {} cases, {} runs each, seed {}",
        b.questions.len(),
        b.cases.len(),
        b.runs,
        b.seed
    );
    let _ = writeln!(
        t,
        "{:<20} {:>3} {:>7} {:>7} {:>7} {:>7}  {:<26} {:<26} {:<26}",
        "case",
        "q",
        "score",
        "base",
        "persist",
        "uninf",
        "skill vs base rate",
        "skill vs persistence",
        "skill vs uninformed"
    );
    let row = |t: &mut String,
               name: &str,
               n: usize,
               m: &crate::backtest::Scores,
               s: &[crate::backtest::Skill; 3]| {
        let _ = writeln!(
            t,
            "{:<20} {:>3} {:>7.3} {:>7.3} {:>7.3} {:>7.3}  {:<26} {:<26} {:<26}",
            name,
            n,
            m.model,
            m.base_rate,
            m.persistence,
            m.uniform,
            s[0].text(),
            s[1].text(),
            s[2].text()
        );
    };
    for c in &b.cases {
        row(&mut t, &c.name, c.questions.len(), &c.mean, &c.skill);
    }
    row(&mut t, "all", b.questions.len(), &b.mean, &b.skill);
    let _ = writeln!(t, "{REFERENCES_TEXT}");
    if b.resampled != "cases" {
        let _ = writeln!(
            t,
            "(fewer than 3 cases: the overall interval resamples questions, not cases)"
        );
    }
    t
}

/// The posterior's forecast beside the one at its medians, as printed.
pub fn narrate_posterior(b: &crate::backtest::posterior::Beside) -> String {
    let d = &b.draws;
    format!(
        "parameters drawn from the posterior in {} ({} distinct point{} of round {}, effective sample size {:.0}); at the posterior medians alone ({}): mean score {:.3}, skill vs base rate {}\n",
        d.file.display(),
        d.points.len(),
        if d.points.len() == 1 { "" } else { "s" },
        d.round,
        d.ess,
        b.medians_text(),
        b.medians.mean.model,
        b.medians.skill[0].text()
    )
}

/// Each fold's posterior, as printed.
pub fn narrate_loo(l: &Loo) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "leave one case out: {} calibrated on the other cases' observations ({} points x {} runs); each fold's posterior median [90% interval]:",
        l.priors
            .iter()
            .map(|p| format!("{} [{}, {}]", p.key, p.lo, p.hi))
            .collect::<Vec<_>>()
            .join(", "),
        l.settings.samples,
        l.settings.point_runs
    );
    for f in &l.folds {
        let post = match &f.posterior {
            Some(p) => p
                .params
                .iter()
                .map(|q| format!("{} {:.3} [{:.3}, {:.3}]", q.key, q.median, q.p05, q.p95))
                .chain(std::iter::once(format!("effective sample size {:.0}", p.ess)))
                .collect::<Vec<_>>()
                .join(", "),
            None => "no posterior: no point made the other cases' observations hold; forecast over the prior".into(),
        };
        let _ = writeln!(t, "  {:<20} {post}", f.case);
    }
    t
}
