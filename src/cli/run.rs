//! `diplosim run`: one seeded run (or an ensemble with `--runs N`, handed to
//! [`super::ensemble`]), written atomically, and the few lines printed about it.

use super::ensemble::{run_ensemble, EnsembleArgs, PosteriorRun};
use super::Origin;
use crate::engine::record::Recording;
use crate::engine::{simulate, Compiled, Outcome};
use crate::error::Result;
use crate::model::CATALOGUE;
use crate::output::run::Manifest;
use crate::output::{default_dir, Staging};
use crate::scenario::{to_toml, Library, Scenario};
use clap::Args;

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario name (from the scenarios folder) or path to a .toml file.
    pub scenario: Option<String>,
    #[command(flatten)]
    pub seeding: super::SeedArg,
    /// Number of runs; more than 1 makes an ensemble (overrides scenario.runs).
    #[arg(long, value_parser = super::runs_range())]
    pub runs: Option<u64>,
    #[command(flatten)]
    pub horizon: super::StepsArg,
    #[command(flatten)]
    pub overrides: super::SetArgs,
    /// Draw each run's uncertain parameters from the posterior a `diplosim calibrate` folder
    /// holds (its posterior.csv), the draw fixed by (seed, run); the report sets the forecast
    /// beside the one at the posterior medians. Needs an ensemble (--runs 2 or more).
    #[arg(long, value_name = "DIR")]
    pub posterior: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub ensemble: EnsembleArgs,
    #[command(flatten)]
    pub output: super::OutputArgs,
}

/// Overrides from the flags, then `--set`, in the order they apply.
fn overrides(a: &RunArgs) -> Vec<String> {
    let mut v = Vec::new();
    if let Some(s) = a.seeding.seed {
        v.push(format!("scenario.seed={s}"));
    }
    if let Some(s) = a.horizon.steps {
        v.push(format!("scenario.steps={s}"));
    }
    if let Some(r) = a.runs {
        v.push(format!("scenario.runs={r}"));
    }
    v.extend(a.overrides.set.iter().cloned());
    v
}

/// The overrides the folder name does not show (`--steps`, then `--set`), and the command line
/// that reproduces the run.
fn origin(a: &RunArgs, sc: &Scenario) -> Origin {
    let mut ov = Vec::new();
    if let Some(s) = a.horizon.steps {
        ov.push(format!("scenario.steps={s}"));
    }
    ov.extend(a.overrides.set.iter().cloned());
    if let Some(d) = &a.posterior {
        // Names the default folder apart from the same run without it.
        ov.push(format!("posterior={}", d.display()));
    }
    let mut words = vec!["run".to_string(), a.scenario.clone().unwrap_or_default()];
    words.extend(["--seed".to_string(), sc.seed.to_string()]);
    if sc.runs > 1 {
        words.extend(["--runs".to_string(), sc.runs.to_string()]);
    }
    if let Some(s) = a.horizon.steps {
        words.extend(["--steps".to_string(), s.to_string()]);
    }
    for s in &a.overrides.set {
        words.extend(["--set".to_string(), s.clone()]);
    }
    if let Some(d) = &a.posterior {
        words.extend(["--posterior".to_string(), d.display().to_string()]);
    }
    Origin::new(ov, &words)
}

pub fn run(lib: &Library, a: &RunArgs) -> Result<i32> {
    let name = a.scenario.as_deref().ok_or_else(|| lib.none_given())?;
    let sc = lib.load(name, &overrides(a))?;
    eprint!("{}", crate::error::render_warnings(&sc.warnings));
    let origin = origin(a, &sc);
    if let Some(dir) = &a.posterior {
        if sc.runs < 2 {
            return Err(crate::error::Error::Usage(
                "--posterior draws each run's parameters from a posterior: give an ensemble (--runs 2 or more)".into(),
            ));
        }
        let p = posterior_run(lib, name, &overrides(a), &sc, dir)?;
        return run_ensemble(&sc, &a.ensemble, &a.output, &origin, Some(&p));
    }
    if sc.runs > 1 || a.ensemble.shard.is_some() {
        return run_ensemble(&sc, &a.ensemble, &a.output, &origin, None);
    }
    let dest = a
        .output
        .out
        .clone()
        .unwrap_or_else(|| default_dir(&sc, &origin.overrides));
    crate::budget::check(crate::budget::single(&sc), "this run")?;
    let stage =
        Staging::new(&dest, a.output.out.is_none() || a.output.force)?.with_format(a.output.format);
    let resolved = to_toml(&sc)?;
    let compiled = Compiled::new(&sc);
    let mut rec = Recording::new(sc.actors.len(), sc.steps);
    let out = simulate(&compiled, sc.seed, 0, &mut rec);
    if super::cancelled() {
        return Err(crate::error::Error::Interrupted);
    }
    let mut manifest = Manifest::new(&sc, &resolved, 1);
    origin.stamp(&mut manifest);
    crate::publish::single(
        &stage,
        &sc,
        &resolved,
        &rec,
        &out,
        &manifest,
        !a.output.no_charts,
    )?;
    let dir = stage.commit()?;
    if !a.output.quiet {
        print!("{}", narrate(&sc, &rec, &out));
        let verdicts = crate::watch::Checker::of_recording(&sc.observations, &rec);
        print!("{}", super::observations::run_lines(&sc, &verdicts));
        println!("results: {}/", dir.display());
    }
    Ok(0)
}

/// The scenario at each point of `dir`'s posterior (and at its medians), compiled: each point's
/// values go after the command line's overrides, checked as `--set` is. Every point must keep
/// the scenario's actors and length.
fn posterior_run(
    lib: &Library,
    name: &str,
    fixed: &[String],
    sc: &Scenario,
    dir: &std::path::Path,
) -> Result<PosteriorRun> {
    let draws = crate::calibrate::draws::Draws::read(dir)?;
    let mut points = draws.assignments();
    points.push(draws.median_assignment());
    let mut compiled = super::ensemble::compile_points(lib, name, fixed, sc, &draws, &points)?;
    let median = compiled.pop().expect("the medians were appended");
    Ok(PosteriorRun {
        compiled,
        median,
        draws,
    })
}

/// What happened, in a few lines: the office, the votes, stances, notable events.
pub fn narrate(sc: &Scenario, rec: &Recording, out: &Outcome) -> String {
    use std::fmt::Write as _;
    let unit = &sc.step_unit;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} — {} (seed {}, {} {unit}s)",
        sc.name, sc.title, sc.seed, sc.steps
    );
    let _ = writeln!(s, "{}", office_line(sc, out));
    let finals: Vec<String> = sc
        .actors
        .iter()
        .enumerate()
        .map(|(i, a)| format!("{} {:+.2}", a.id, out.final_stance[i]))
        .collect();
    let _ = writeln!(s, "final stances: {}", finals.join(", "));
    let _ = writeln!(
        s,
        "{} events, {} coercive (Goldstein ≤ −7); mean cooperation index {:+.2} per {unit}",
        rec.events.len(),
        out.coercive_events,
        rec.cooperation_mean()
    );
    // Notable: the first coercive event, and the most hostile and most cooperative events.
    let first_coercive = rec
        .events
        .iter()
        .find(|e| e.goldstein() <= crate::model::COERCIVE);
    let most_hostile = rec
        .events
        .iter()
        .min_by(|a, b| a.goldstein().total_cmp(&b.goldstein()));
    let most_cooperative = rec.events.iter().max_by(|a, b| {
        a.goldstein()
            .total_cmp(&b.goldstein())
            .then(b.step.cmp(&a.step))
    });
    for (what, e) in [
        ("first coercive event", first_coercive),
        ("most hostile event", most_hostile),
        ("most cooperative event", most_cooperative),
    ] {
        if let Some(e) = e {
            let c = &CATALOGUE[e.code];
            let id = |a: crate::scenario::ActorId| sc.actors[a.ix()].id.as_str();
            let _ = writeln!(
                s,
                "{what}: {unit} {}, {} → {}: {} ({:+})",
                e.step,
                id(e.actor),
                id(e.target),
                c.label,
                c.goldstein
            );
        }
    }
    s
}

/// The office's fate in one line.
fn office_line(sc: &Scenario, out: &Outcome) -> String {
    let unit = &sc.step_unit;
    let blockers = out
        .blockers
        .iter()
        .map(|&x| sc.actors[x.ix()].id.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    match (out.approved_step, out.opened_step) {
        (_, Some(o)) => format!(
            "office OPENED in {unit} {o} (approved in {unit} {})",
            out.approved_step
                .map(|x| x.to_string())
                .unwrap_or("-".into())
        ),
        (Some(ap), None) => format!("office APPROVED in {unit} {ap}, not yet open at the end"),
        (None, None) if out.shelved_step.is_some() => {
            format!(
                "office SHELVED in {unit} {} after {} vote(s){}{}",
                out.shelved_step.unwrap_or(0),
                out.votes.len(),
                if blockers.is_empty() {
                    String::new()
                } else {
                    format!("; blocked by {blockers}")
                },
                match (&sc.issue.substitute, out.substitute_step) {
                    (Some(name), Some(_)) => format!("; {name} adopted instead"),
                    _ => String::new(),
                }
            )
        }
        _ if out.votes.is_empty() => "office still PROPOSED: no vote took place".to_string(),
        _ => format!(
            "office POSTPONED after {} vote(s); blocked by {blockers}",
            out.votes.len()
        ),
    }
}
