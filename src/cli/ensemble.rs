//! Ensembles from the command line: the flags of `run --runs N` (`--threads`, `--shard K/N`,
//! `--events`), the thread pool and progress bar shared by every long command, and the few lines
//! printed about an ensemble. The runs, statistics and files are the library's
//! ([`crate::ensemble`], [`crate::output`]).

use super::OutputArgs;
use crate::engine::{Compiled, Event};
use crate::ensemble::shard::{Shard, ShardState};
use crate::ensemble::{run_range_checked, stats::wilson, Aggregate};
use crate::error::{Error, Result};
use crate::model::Metric;
use crate::output::ensemble::write_ensemble;
use crate::output::run::{to_json, EventStream, Manifest};
use crate::output::{default_dir, default_shard_dir, shards, Staging};
use crate::report::pct;
use crate::scenario::{to_toml, Scenario};
use clap::Args;
use std::io::IsTerminal;

/// Flags of `run` that matter to ensembles.
#[derive(Debug, Args)]
pub struct EnsembleArgs {
    /// Worker threads for ensembles (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Run only part K of N of an ensemble (K in 1..=N), for `diplosim merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Which runs' events go to events.csv in an ensemble: `first` (run 0) or `all`.
    #[arg(long, value_name = "first|all", default_value = "first")]
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

/// Run the ensemble of `sc` (or one shard of it) and write its folder.
pub fn run_ensemble(
    sc: &Scenario,
    a: &EnsembleArgs,
    output: &OutputArgs,
    origin: &super::Origin,
) -> Result<i32> {
    let all_events = a.all_events()?;
    let runs = sc.runs as u64;
    let shard = a
        .shard
        .as_deref()
        .map(|s| Shard::parse(s, runs))
        .transpose()?;
    let (start, end) = shard.map(|s| s.range(runs)).unwrap_or((0, runs));
    let pool = pool(a.threads)?;
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
    let stage = Staging::new(&dest, output.out.is_none() || output.force)?;
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
    let pb = progress(end - start, output.quiet);
    let on_runs = |k| pb.inc(k);
    let result = pool.install(|| {
        run_range_checked(
            &compiled,
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
    write_ensemble(&stage, sc, &agg, &man, !output.no_charts)?;
    let dir = stage.commit()?;
    if !output.quiet {
        print!("{}", narrate(sc, &agg));
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
        ("bought off", &agg.paid),
        ("conceded", &agg.conceded),
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
