//! Ensembles from the command line: the flags of `run --runs N` (`--threads`, `--shard K/N`,
//! `--events`), the thread pool and progress bar shared by every long command, and the few lines
//! printed about an ensemble. The runs, statistics and files are the library's
//! ([`crate::ensemble`], [`crate::output`]).

use super::OutputArgs;
use crate::calibrate::draws::Draws;
use crate::engine::{Compiled, Event};
use crate::ensemble::shard::{Shard, ShardState};
use crate::ensemble::{run_range_checked, stats::wilson, Aggregate, Models};
use crate::error::{Error, Result};
use crate::model::Metric;
use crate::output::run::{to_json, EventStream, Manifest};
use crate::output::{default_dir, default_shard_dir, shards, Staging};
use crate::report::pct;
use crate::scenario::{to_toml, Scenario};
use clap::Args;
use std::io::IsTerminal;

/// Flags of `run` that matter to ensembles.
#[derive(Debug, Args)]
pub struct EnsembleArgs {
    #[command(flatten)]
    pub parallel: super::Parallel,
    /// Run only part K of N of an ensemble (K in 1..=N), for `diplosim merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Which runs' events go to events.csv in an ensemble: `first` (run 0) or `all`.
    #[arg(long, value_name = "first|all", default_value = "first", value_parser = ["first", "all"])]
    pub events: String,
}

impl EnsembleArgs {
    /// Whether `--events all` was given.
    fn all_events(&self) -> Result<bool> {
        match self.events.as_str() {
            "first" => Ok(false),
            "all" => Ok(true),
            other => Err(Error::Usage(format!(
                "--events {other}: expected `first` or `all`"
            ))),
        }
    }
}

pub(crate) fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let t = threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    if t == 0 || t > 1024 {
        return Err(Error::Usage(format!(
            "--threads {t}: give a number from 1 to 1024"
        )));
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(t)
        .build()
        .map_err(|e| Error::Run(format!("cannot start {t} threads: {e}")))
}

pub(crate) fn progress(total: u64, quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let pb = indicatif::ProgressBar::new(total);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} runs  {per_sec}  ETA {eta}")
    {
        pb.set_style(style);
    }
    pb
}

/// A forecast whose runs draw their parameters from a calibration's posterior
/// (`run NAME --posterior DIR`), with the scenario at the posterior medians beside it.
pub struct PosteriorRun {
    pub draws: Draws,
    /// The scenario at each of `draws`' points, compiled, in its order.
    pub compiled: Vec<Compiled>,
    /// The scenario at the posterior medians.
    pub median: Compiled,
}

/// Run the ensemble of `sc` (or one shard of it) and write its folder; with `posterior`, each
/// run's parameters are drawn from it (`sc` is the scenario before the draw, whose resolved
/// file is written).
pub fn run_ensemble(
    sc: &Scenario,
    a: &EnsembleArgs,
    output: &OutputArgs,
    origin: &super::Origin,
    posterior: Option<&PosteriorRun>,
) -> Result<i32> {
    let all_events = a.all_events()?;
    if posterior.is_some() && a.shard.is_some() {
        return Err(Error::Usage(
            "--posterior with --shard is not supported: run the whole ensemble on one machine"
                .into(),
        ));
    }
    if a.shard.is_some() && output.format != crate::output::parquet::Format::Csv {
        return Err(Error::Usage(
            "--format with --shard: a shard's folder is read back by `diplosim merge`, which writes the tables; give --format to merge".into(),
        ));
    }
    let runs = sc.runs as u64;
    let shard = a
        .shard
        .as_deref()
        .map(|s| Shard::parse(s, runs))
        .transpose()?;
    let (start, end) = shard.map(|s| s.range(runs)).unwrap_or((0, runs));
    let pool = pool(a.parallel.threads)?;
    let threads = pool.current_num_threads();
    let dest = output.out.clone().unwrap_or_else(|| match shard {
        Some(s) => default_shard_dir(sc, &origin.overrides, s.k, s.n),
        None => default_dir(sc, &origin.overrides),
    });
    let est = crate::budget::ensemble(sc, end - start, threads, all_events);
    crate::budget::check(
        est,
        &format!("this ensemble ({} runs on {threads} threads)", end - start),
    )?;
    let stage =
        Staging::new(&dest, output.out.is_none() || output.force)?.with_format(output.format);
    let resolved = to_toml(sc)?;
    let compiled = Compiled::new(sc);

    // events.csv streams into the staging folder in run order.
    let mut events = if all_events || start == 0 {
        let header = shard.is_none_or(|s| s.k == 1);
        Some(EventStream::create(stage.file("events.csv"), header)?)
    } else {
        None
    };
    let mut sink = |r: u64, evs: &[Event]| {
        if let Some(w) = events.as_mut() {
            w.write(sc, r, evs);
        }
    };
    let draw = |s: u64, r: u64| posterior.map_or(0, |p| p.draws.pick(s, r));
    let models = match posterior {
        Some(p) => Models::Posterior {
            pick: &draw,
            compiled: &p.compiled,
        },
        None => Models::One(&compiled),
    };
    let pb = progress(end - start, output.quiet);
    let on_runs = |k| pb.inc(k);
    let result = pool.install(|| {
        run_range_checked(
            &models,
            &sc.observations,
            sc.seed,
            start..end,
            all_events,
            &super::CANCEL,
            &on_runs,
            &mut sink,
        )
    });
    pb.finish_and_clear();
    let agg = result.map_err(|_| Error::Interrupted)?;
    if let Some(w) = events.take() {
        w.finish()?;
    }

    let mut man = Manifest::new(sc, &resolved, threads);
    origin.stamp(&mut man);
    // The same runs at the posterior medians, for the report's comparison.
    let mut notes = Vec::new();
    if let Some(p) = posterior {
        let pb = progress(end - start, output.quiet);
        let on_runs = |k| pb.inc(k);
        let med = pool
            .install(|| {
                run_range_checked(
                    &Models::One(&p.median),
                    &[],
                    sc.seed,
                    start..end,
                    false,
                    &super::CANCEL,
                    &on_runs,
                    &mut |_, _| {},
                )
            })
            .map_err(|_| Error::Interrupted)?;
        pb.finish_and_clear();
        notes = posterior_notes(p, &agg, &med);
        stage.write(
            "posterior_forecast.json",
            posterior_json(sc, p, &agg, &med)?,
        )?;
        man.posterior = Some(crate::output::run::PosteriorSource {
            file: p.draws.file.display().to_string(),
            hash: p.draws.hash.clone(),
            keys: p.draws.keys.clone(),
            round: p.draws.round,
            weighted_points: p.draws.weighted_points,
            ess: p.draws.ess,
            points: p.draws.points.len(),
        });
    }
    stage.write("scenario.resolved.toml", &resolved)?;
    if let Some(s) = shard {
        man.shard = Some(format!("{}/{}", s.k, s.n));
        let state = ShardState {
            tool: man.tool.to_string(),
            version: man.version.to_string(),
            scenario: sc.name.clone(),
            scenario_hash: man.scenario_hash.clone(),
            seed: sc.seed,
            runs,
            steps: sc.steps,
            shard: (s.k, s.n),
            range: (start, end),
            all_events,
            aggregate: agg,
            checksum: String::new(),
        };
        return finish_shard(stage, &state, &man, output.quiet);
    }
    crate::publish::ensemble(&stage, sc, &agg, &man, !output.no_charts, &notes)?;
    let dir = stage.commit()?;
    if !output.quiet {
        print!("{}", narrate(sc, &agg));
        for n in &notes {
            println!("{n}");
        }
        print!(
            "{}",
            super::observations::ensemble_lines(sc, &agg.observed, agg.runs)
        );
        println!("results: {}/", dir.display());
    }
    Ok(0)
}

/// Write a shard's state and manifest, move its folder into place and say so.
fn finish_shard(stage: Staging, state: &ShardState, man: &Manifest, quiet: bool) -> Result<i32> {
    shards::write_state(&stage, state)?;
    stage.write("manifest.json", to_json(man)?)?;
    let dir = stage.commit()?;
    if !quiet {
        let ((k, n), (start, end)) = (state.shard, state.range);
        println!(
            "shard {k}/{n} of {} (runs {start}..{end} of {}, {} threads)",
            state.scenario, state.runs, man.threads
        );
        println!(
            "results: {}/  (combine the shards with `diplosim merge`)",
            dir.display()
        );
    }
    Ok(0)
}

/// What the ensemble says, in a few lines.
pub fn narrate(sc: &Scenario, agg: &Aggregate) -> String {
    use std::fmt::Write as _;
    let unit = &sc.step_unit;
    let runs = agg.runs;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} — {} (seed {}, {runs} runs × {} {unit}s)",
        sc.name, sc.title, sc.seed, sc.steps
    );
    let p = wilson(agg.opened_by_step[agg.steps], runs);
    let _ = writeln!(
        s,
        "office opened by {unit} {}: {} of runs (95% CI {}–{})",
        agg.steps,
        pct(p.estimate),
        pct(p.lo),
        pct(p.hi)
    );
    if let Some(t) = median_opening(agg) {
        let _ = writeln!(s, "median opening {unit} (runs that opened): {t}");
    }
    let mut blockers: Vec<(usize, u64)> = agg
        .blocked_at_end
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, c)| *c > 0)
        .collect();
    blockers.sort_by_key(|x| std::cmp::Reverse(x.1));
    if !blockers.is_empty() {
        let list: Vec<String> = blockers
            .iter()
            .map(|(i, c)| format!("{} {}", sc.actors[*i].id, pct(*c as f64 / runs as f64)))
            .collect();
        let _ = writeln!(s, "still blocked at the end by: {}", list.join(", "));
    }
    let shelved: u64 = agg.shelved_at.iter().sum();
    if shelved > 0 {
        let p = wilson(shelved, runs);
        let _ = writeln!(
            s,
            "shelved by {unit} {}: {} of runs (95% CI {}–{}){}",
            agg.steps,
            pct(p.estimate),
            pct(p.lo),
            pct(p.hi),
            match &sc.issue.substitute {
                Some(name) if agg.substitute > 0 => format!(
                    "; {name} adopted instead in {}",
                    pct(agg.substitute as f64 / runs as f64)
                ),
                _ => String::new(),
            }
        );
    }
    for (what, counts) in [
        ("bought off by a linked side payment", &agg.paid),
        (
            "conceded after a failed vote (moved toward consent; may still block)",
            &agg.conceded,
        ),
        ("government turned over", &agg.turnover),
    ] {
        let mut list: Vec<(usize, u64)> = counts
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, c)| *c > 0)
            .collect();
        list.sort_by_key(|x| std::cmp::Reverse(x.1));
        if !list.is_empty() {
            let list: Vec<String> = list
                .iter()
                .map(|(i, c)| format!("{} {}", sc.actors[*i].id, pct(*c as f64 / runs as f64)))
                .collect();
            let _ = writeln!(s, "{what}: {}", list.join(", "));
        }
    }
    let h = wilson(agg.coercive_any, runs);
    let _ = writeln!(
        s,
        "any coercive event (Goldstein ≤ −7): {} of runs (95% CI {}–{}), {:.2} per run",
        pct(h.estimate),
        pct(h.lo),
        pct(h.hi),
        agg.coercive_events as f64 / runs as f64
    );
    let finals: Vec<String> = sc
        .actors
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let median = agg.stats(agg.steps, Metric::Stance, i).q[2];
            format!("{} {median:+.2}", a.id)
        })
        .collect();
    let _ = writeln!(s, "median final stances: {}", finals.join(", "));
    let _ = writeln!(
        s,
        "mean cooperation index {:+.2} per {unit}; {:.1} events per run",
        agg.cooperation_mean(),
        agg.events as f64 / runs as f64
    );
    s
}

/// Median opening step over the runs whose office opened (lower median), if any did.
fn median_opening(agg: &Aggregate) -> Option<usize> {
    let opened: u64 = agg.opened_at.iter().sum();
    if opened == 0 {
        return None;
    }
    let mut seen = 0;
    let rank = (opened - 1) / 2;
    agg.opened_at.iter().position(|&c| {
        seen += c;
        rank < seen
    })
}

/// The decision's shares in an aggregate: opened, approved (or open), shelved at the end.
fn shares(agg: &Aggregate) -> [f64; 3] {
    let runs = agg.runs.max(1) as f64;
    [
        agg.opened_by_step[agg.steps] as f64 / runs,
        agg.approved_by_step[agg.steps] as f64 / runs,
        agg.shelved_at.iter().sum::<u64>() as f64 / runs,
    ]
}

/// What a `--posterior` forecast includes, and the same runs at the posterior medians.
fn posterior_notes(p: &PosteriorRun, agg: &Aggregate, med: &Aggregate) -> Vec<String> {
    let d = &p.draws;
    let [o, a, s] = shares(agg);
    let [mo, ma, ms] = shares(med);
    vec![
        format!(
            "Parameter uncertainty included: each run draws its {} ({}) from the calibration posterior in {} (round {}, {} weighted points, effective sample size {:.0}; {} distinct points drawn by weight, by (seed, run)).",
            if d.keys.len() == 1 { "uncertain parameter".to_string() } else { format!("{} uncertain parameters", d.keys.len()) },
            d.keys.join(", "),
            d.file.display(),
            d.round,
            d.weighted_points,
            d.ess,
            d.points.len()
        ),
        format!(
            "With that uncertainty: opened {}, approved {}, shelved {} by the end. At the posterior medians alone, the same runs: opened {}, approved {}, shelved {}.",
            pct(o), pct(a), pct(s), pct(mo), pct(ma), pct(ms)
        ),
    ]
}

#[derive(serde::Serialize)]
struct Shares {
    p_opened: f64,
    p_approved: f64,
    p_shelved: f64,
}

#[derive(serde::Serialize)]
struct PosteriorForecast<'a> {
    scenario: &'a str,
    seed: u64,
    runs: u64,
    posterior: &'a std::path::Path,
    posterior_hash: &'a str,
    keys: &'a [String],
    medians: std::collections::BTreeMap<&'a str, f64>,
    /// Each run's parameters drawn from the posterior.
    with_uncertainty: Shares,
    /// The same runs (seeds) at the posterior medians.
    at_medians: Shares,
}

/// `posterior_forecast.json`: the forecast with parameter uncertainty beside the median one.
fn posterior_json(
    sc: &Scenario,
    p: &PosteriorRun,
    agg: &Aggregate,
    med: &Aggregate,
) -> Result<String> {
    let sh = |g: &Aggregate| {
        let [o, a, s] = shares(g);
        Shares {
            p_opened: o,
            p_approved: a,
            p_shelved: s,
        }
    };
    to_json(&PosteriorForecast {
        scenario: &sc.name,
        seed: sc.seed,
        runs: agg.runs,
        posterior: &p.draws.file,
        posterior_hash: &p.draws.hash,
        keys: &p.draws.keys,
        medians: p
            .draws
            .keys
            .iter()
            .map(|k| k.as_str())
            .zip(p.draws.medians.iter().copied())
            .collect(),
        with_uncertainty: sh(agg),
        at_medians: sh(med),
    })
}

/// Scenario `sc` (loaded from `spec` with the overrides `fixed`) at each of `points` (a
/// posterior's), compiled: each point's values go after `fixed`, checked as `--set` is, and may not
/// change the scenario's actors, steps or moving-average window (every run of an ensemble has the
/// same).
pub(crate) fn compile_points(
    lib: &crate::scenario::Library,
    spec: &str,
    fixed: &[String],
    sc: &Scenario,
    draws: &Draws,
    points: &[crate::sweep::Assignment],
) -> Result<Vec<Compiled>> {
    let dir = draws.file.parent().unwrap_or(std::path::Path::new("."));
    let loader = crate::sweep::PointLoader::new(lib, spec, fixed.to_vec())?;
    let at = loader.load_all(points).map_err(|e| match e {
        Error::Invalid(_) | Error::Usage(_) => Error::Usage(format!(
            "--posterior {}: its parameters ({}) do not apply to scenario `{}`: {e}",
            dir.display(),
            draws.keys.join(", "),
            sc.name
        )),
        other => other,
    })?;
    if at.iter().any(|s| {
        s.actors.len() != sc.actors.len()
            || s.steps != sc.steps
            || s.params.ma_window != sc.params.ma_window
    }) {
        return Err(Error::Usage(format!(
            "--posterior {}: a point changes scenario `{}`'s actors, steps or ma_window ({}): every run of an ensemble must have the same",
            dir.display(),
            sc.name,
            draws.keys.join(", ")
        )));
    }
    Ok(at.iter().map(Compiled::new).collect())
}
