//! Ensembles from the command line: `run --runs N` (with `--threads`, `--shard K/N`,
//! `--events`), and `merge` of shard folders into exactly the files one machine writes.

use super::run::{default_out, manifest, RunArgs};
use crate::chart::{render_run, ChartInput};
use crate::engine::{Compiled, Event};
use crate::ensemble::{run_range, stats::wilson, Aggregate};
use crate::error::{Error, Result};
use crate::output::ensemble::{
    ensemble_csv, event_counts_csv, shard_range, summary_json, ShardState,
};
use crate::output::run::{event_rows, to_json, Manifest, EVENTS_HEADER};
use crate::output::{fnv1a64, Staging};
use crate::scenario::{to_toml, Library, Scenario};
use clap::Args;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// `K/N` with 1 ≤ K ≤ N ≤ runs.
fn parse_shard(s: &str, runs: u64) -> Result<(u64, u64)> {
    let bad = || {
        Error::Usage(format!(
            "--shard {s}: expected K/N with 1 ≤ K ≤ N, e.g. 2/8"
        ))
    };
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let k: u64 = k.trim().parse().map_err(|_| bad())?;
    let n: u64 = n.trim().parse().map_err(|_| bad())?;
    if k == 0 || n == 0 || k > n {
        return Err(bad());
    }
    if n > runs {
        return Err(Error::Usage(format!(
            "--shard {s}: {n} shards but only {runs} runs"
        )));
    }
    Ok((k, n))
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

pub fn run_ensemble(sc: &Scenario, a: &RunArgs) -> Result<i32> {
    let all_events = match a.events.as_str() {
        "first" => false,
        "all" => true,
        other => {
            return Err(Error::Usage(format!(
                "--events {other}: expected `first` or `all`"
            )))
        }
    };
    let runs = sc.runs as u64;
    let shard = a
        .shard
        .as_deref()
        .map(|s| parse_shard(s, runs))
        .transpose()?;
    let (start, end) = shard
        .map(|(k, n)| shard_range(k, n, runs))
        .unwrap_or((0, runs));
    let pool = pool(a.threads)?;
    let threads = pool.current_num_threads();
    let dest = a.output.out.clone().unwrap_or_else(|| match shard {
        // Beside, not inside, the merged folder: merging replaces that folder.
        Some((k, n)) => {
            let base = default_out(sc);
            let name = base
                .file_name()
                .and_then(|s| s.to_str())
                .unwrap_or("seed")
                .to_string();
            base.with_file_name(format!("{name}-shards"))
                .join(format!("{k}-of-{n}"))
        }
        None => default_out(sc),
    });
    let stage = Staging::new(&dest, a.output.out.is_none() || a.output.force)?;
    let resolved = to_toml(sc)?;
    let compiled = Compiled::new(sc);

    // events.csv streams into the staging folder in run order.
    let wants_events = all_events || start == 0;
    let events_path = stage.file("events.csv");
    let mut events_file = if wants_events {
        let f = std::fs::File::create(&events_path).map_err(|e| Error::Write {
            path: events_path.clone(),
            source: e,
        })?;
        let mut w = std::io::BufWriter::new(f);
        if shard.is_none_or(|(k, _)| k == 1) {
            w.write_all(EVENTS_HEADER.as_bytes())
                .map_err(|e| Error::Write {
                    path: events_path.clone(),
                    source: e,
                })?;
        }
        Some(w)
    } else {
        None
    };
    let mut write_err: Option<std::io::Error> = None;
    let mut buf = String::new();
    let mut sink = |r: u64, evs: &[Event]| {
        if let Some(w) = events_file.as_mut() {
            buf.clear();
            event_rows(sc, r, evs, &mut buf);
            if let Err(e) = w.write_all(buf.as_bytes()) {
                write_err.get_or_insert(e);
            }
        }
    };

    let pb = progress(end - start, a.output.quiet);
    let on_run = || pb.inc(1);
    let result = pool.install(|| {
        run_range(
            &compiled,
            sc.seed,
            start..end,
            all_events,
            &super::CANCEL,
            &on_run,
            &mut sink,
        )
    });
    pb.finish_and_clear();
    let agg = result.map_err(|_| Error::Interrupted)?;
    if let Some(mut w) = events_file.take() {
        w.flush().map_err(|e| Error::Write {
            path: events_path.clone(),
            source: e,
        })?;
    }
    if let Some(e) = write_err {
        return Err(Error::Write {
            path: events_path,
            source: e,
        });
    }

    let mut man = manifest(sc, &resolved, threads);
    stage.write("scenario.resolved.toml", &resolved)?;
    if let Some((k, n)) = shard {
        man.shard = Some(format!("{k}/{n}"));
        let state = ShardState {
            tool: man.tool.to_string(),
            version: man.version.to_string(),
            scenario: sc.name.clone(),
            scenario_hash: man.scenario_hash.clone(),
            seed: sc.seed,
            runs,
            steps: sc.steps,
            shard: (k, n),
            range: (start, end),
            all_events,
            aggregate: agg,
        };
        stage.write(
            "shard.json",
            serde_json::to_string(&state).map_err(|e| Error::Run(e.to_string()))?,
        )?;
        stage.write("manifest.json", to_json(&man)?)?;
        let dir = stage.commit()?;
        if !a.output.quiet {
            println!(
                "shard {k}/{n} of {} (runs {start}..{end} of {runs}, {threads} threads)",
                sc.name
            );
            println!(
                "results: {}/  (combine the shards with `diplosim merge`)",
                dir.display()
            );
        }
        return Ok(0);
    }
    write_ensemble(&stage, sc, &agg, &man, !a.output.no_charts)?;
    let dir = stage.commit()?;
    if !a.output.quiet {
        print!("{}", narrate(sc, &agg));
        println!("results: {}/", dir.display());
    }
    Ok(0)
}

/// Every file of an ensemble but `events.csv` and `scenario.resolved.toml`.
fn write_ensemble(
    stage: &Staging,
    sc: &Scenario,
    agg: &Aggregate,
    man: &Manifest,
    charts: bool,
) -> Result<()> {
    stage.write("ensemble.csv", ensemble_csv(sc, agg))?;
    stage.write("event_counts.csv", event_counts_csv(sc, agg))?;
    stage.write("summary.json", summary_json(sc, agg)?)?;
    stage.write("manifest.json", to_json(man)?)?;
    if charts {
        render_run(&stage.tmp, &ChartInput::from_aggregate(sc, agg))?;
    }
    Ok(())
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
        "office opened by {unit} {}: {:.1}% of runs (95% CI {:.1}–{:.1}%)",
        agg.steps,
        100.0 * p.estimate,
        100.0 * p.lo,
        100.0 * p.hi
    );
    let opened: u64 = agg.opened_at.iter().sum();
    if opened > 0 {
        let mut seen = 0;
        let rank = (opened - 1) / 2;
        if let Some(t) = agg.opened_at.iter().position(|&c| {
            seen += c;
            rank < seen
        }) {
            let _ = writeln!(s, "median opening {unit} (runs that opened): {t}");
        }
    }
    let mut blockers: Vec<(usize, u64)> = agg
        .blocked_at_end
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, c)| *c > 0)
        .collect();
    blockers.sort_by(|x, y| y.1.cmp(&x.1));
    if !blockers.is_empty() {
        let list: Vec<String> = blockers
            .iter()
            .map(|(i, c)| {
                format!(
                    "{} {:.1}%",
                    sc.actors[*i].id,
                    100.0 * *c as f64 / runs as f64
                )
            })
            .collect();
        let _ = writeln!(s, "still blocked at the end by: {}", list.join(", "));
    }
    let h = wilson(agg.coercive_any, runs);
    let _ = writeln!(
        s,
        "any coercive event (Goldstein ≤ −7): {:.1}% of runs (95% CI {:.1}–{:.1}%), {:.2} per run",
        100.0 * h.estimate,
        100.0 * h.lo,
        100.0 * h.hi,
        agg.coercive_events as f64 / runs as f64
    );
    let finals: Vec<String> = sc
        .actors
        .iter()
        .enumerate()
        .map(|(i, a)| {
            format!(
                "{} {:+.2}",
                a.id,
                agg.cell(agg.actor_cell(agg.steps, i, 0)).q[2]
            )
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

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders written by `run --shard K/N`.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub output: super::OutputArgs,
}

fn read_shard(dir: &Path) -> Result<ShardState> {
    let p = dir.join("shard.json");
    let text = std::fs::read_to_string(&p).map_err(|e| Error::Read {
        path: p.clone(),
        source: e,
    })?;
    serde_json::from_str(&text)
        .map_err(|e| Error::Usage(format!("{}: not a diplosim shard: {e}", p.display())))
}

pub fn merge(lib: &Library, a: &MergeArgs) -> Result<i32> {
    let mut shards: Vec<(ShardState, PathBuf)> = Vec::new();
    for d in &a.dirs {
        shards.push((read_shard(d)?, d.clone()));
    }
    let first = shards[0].0.clone();
    for (s, d) in &shards {
        let what = if s.version != first.version {
            Some(format!(
                "diplosim version {} (first shard: {})",
                s.version, first.version
            ))
        } else if s.seed != first.seed {
            Some(format!("seed {} (first shard: {})", s.seed, first.seed))
        } else if s.scenario_hash != first.scenario_hash || s.scenario != first.scenario {
            Some(format!(
                "scenario {} {} (first shard: {} {})",
                s.scenario, s.scenario_hash, first.scenario, first.scenario_hash
            ))
        } else if s.runs != first.runs
            || s.shard.1 != first.shard.1
            || s.all_events != first.all_events
        {
            Some(format!(
                "{} runs in {} shards (first shard: {} runs in {})",
                s.runs, s.shard.1, first.runs, first.shard.1
            ))
        } else {
            None
        };
        if let Some(w) = what {
            return Err(Error::Usage(format!(
                "cannot merge {}: it has {w}",
                d.display()
            )));
        }
    }
    shards.sort_by_key(|(s, _)| s.shard.0);
    let n = first.shard.1;
    let ks: Vec<u64> = shards.iter().map(|(s, _)| s.shard.0).collect();
    if ks != (1..=n).collect::<Vec<_>>() {
        let missing: Vec<String> = (1..=n)
            .filter(|k| !ks.contains(k))
            .map(|k| format!("{k}/{n}"))
            .collect();
        let dup = ks.windows(2).any(|w| w[0] == w[1]);
        return Err(Error::Usage(if dup {
            "the same shard is given twice".to_string()
        } else {
            format!("missing shard(s) {}", missing.join(", "))
        }));
    }
    let resolved_path = shards[0].1.join("scenario.resolved.toml");
    let resolved = std::fs::read_to_string(&resolved_path).map_err(|e| Error::Read {
        path: resolved_path.clone(),
        source: e,
    })?;
    if format!("fnv1a64:{}", fnv1a64(resolved.as_bytes())) != first.scenario_hash {
        return Err(Error::Usage(format!(
            "{} does not match its shard's scenario hash",
            resolved_path.display()
        )));
    }
    let sc = lib.load_text(&resolved_path, &resolved, &[])?;
    let mut agg = Aggregate::new(first.aggregate.n, first.aggregate.steps);
    for (s, _) in &shards {
        agg.merge(&s.aggregate);
    }
    let dest = a.output.out.clone().unwrap_or_else(|| default_out(&sc));
    let stage = Staging::new(&dest, a.output.out.is_none() || a.output.force)?;
    // events.csv: the shards' parts in shard order, which is run order.
    let mut events = Vec::new();
    for (_, d) in &shards {
        let p = d.join("events.csv");
        if p.is_file() {
            events.extend(std::fs::read(&p).map_err(|e| Error::Read {
                path: p.clone(),
                source: e,
            })?);
        }
    }
    stage.write("events.csv", events)?;
    stage.write("scenario.resolved.toml", &resolved)?;
    let man = manifest(&sc, &resolved, 1);
    write_ensemble(&stage, &sc, &agg, &man, !a.output.no_charts)?;
    let dir = stage.commit()?;
    if !a.output.quiet {
        print!("{}", narrate(&sc, &agg));
        println!("merged {n} shards; results: {}/", dir.display());
    }
    Ok(0)
}
