//! `diplosim calibrate NAME`: the posterior of the scenario's `[sensitivity.ranges]` given its
//! `[[observation]]`s. The work is the library's ([`crate::calibrate`]); this file parses the
//! flags, runs it on a thread pool with a progress bar and Ctrl-C, writes the folder atomically
//! and prints what the posterior says.

use crate::calibrate::{calibrate as run_calibration, priors_of, Calibration, Settings};
use crate::error::Result;
use crate::output::Staging;
use crate::report::pct;
use crate::scenario::{Library, Scenario};
use crate::sweep::{check_size, Control, PointLoader};
use clap::Args;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Scenario name or path (needs [[observation]]s and [sensitivity.ranges]).
    pub scenario: String,
    /// Points per round.
    #[arg(long, default_value_t = 512)]
    pub samples: usize,
    /// Runs per point: its likelihood is the fraction in which every observation holds.
    #[arg(long, default_value_t = 48)]
    pub runs: usize,
    /// Refinement rounds (resample, perturb, reweight) after the prior round.
    #[arg(long, default_value_t = 2)]
    pub rounds: usize,
    #[command(flatten)]
    pub seeding: super::SeedArg,
    #[command(flatten)]
    pub parallel: super::Parallel,
    #[command(flatten)]
    pub output: super::OutputArgs,
}

pub fn calibrate(lib: &Library, a: &CalibrateArgs) -> Result<i32> {
    let fixed: Vec<String> = a
        .seeding
        .seed
        .map(|s| format!("scenario.seed={s}"))
        .into_iter()
        .collect();
    let loader = PointLoader::new(lib, &a.scenario, fixed)?;
    let base = loader.base()?;
    eprint!("{}", crate::error::render_warnings(&base.warnings));
    if a.samples < 8 || a.samples > 100_000 || a.rounds > 20 {
        return Err(crate::error::Error::Usage(format!(
            "--samples {} --rounds {}: give 8 to 100000 samples and at most 20 rounds",
            a.samples, a.rounds
        )));
    }
    check_size(a.samples * (a.rounds + 1), a.runs)?;
    crate::calibrate::check_refinement(a.samples, a.rounds)?;
    loader.check_ranges(&base.sensitivity.ranges)?;
    let settings = Settings {
        samples: a.samples,
        runs: a.runs,
        rounds: a.rounds,
        seed: base.seed,
    };
    let out = a.output.out.clone().unwrap_or_else(|| {
        PathBuf::from("output").join(&base.name).join(format!(
            "calibrate-seed-{}-{}x{}x{}",
            base.seed, a.samples, a.runs, a.rounds
        ))
    });
    // The destination is checked and locked before any work.
    let stage =
        Staging::new(&out, a.output.out.is_none() || a.output.force)?.with_format(a.output.format);
    let pool = super::ensemble::pool(a.parallel.threads)?;
    let pb = super::ensemble::progress(settings.total_runs(), a.output.quiet);
    let on_run = || pb.inc(1);
    let ctl = Control {
        cancel: &super::cancelled,
        on_run: &on_run,
    };
    let priors = priors_of(&base.sensitivity.ranges);
    let cal =
        pool.install(|| run_calibration(&loader, &priors, &base.observations, settings, &ctl));
    pb.finish_and_clear();
    let cal = cal?;
    let command = format!(
        "diplosim calibrate {} --samples {} --runs {} --rounds {} --seed {}",
        a.scenario, a.samples, a.runs, a.rounds, base.seed
    );
    crate::publish::calibrate(
        &stage,
        &loader,
        &base,
        &cal,
        &command,
        a.runs,
        pool.current_num_threads(),
        !a.output.no_charts,
    )?;
    let dir = stage.commit()?;
    if !a.output.quiet {
        print!("{}", narrate(&base, &cal));
        println!("results: {}/", dir.display());
    }
    Ok(0)
}

/// What the posterior says, or why there is none.
pub fn narrate(sc: &Scenario, cal: &Calibration) -> String {
    let s = &cal.settings;
    let mut t = String::new();
    let _ = writeln!(
        t,
        "{} — calibrated against {} observations ({} points × {} runs, {} of {} refinement rounds, seed {})",
        sc.name,
        sc.observations.len(),
        s.samples,
        s.runs,
        cal.rounds_run(),
        s.rounds,
        s.seed
    );
    let p = cal.p_prior;
    let _ = writeln!(
        t,
        "P(all observations hold) under the prior: {} (95% CI {}–{})",
        pct(p.estimate),
        pct(p.lo),
        pct(p.hi)
    );
    let Some(post) = &cal.posterior else {
        let _ = writeln!(t, "NO point made every observation hold in any run: there is no posterior. The model, within these ranges, cannot reproduce the record as stated.");
        let _ = writeln!(t, "best P(holds) of each observation at any point:");
        for (o, b) in sc.observations.iter().zip(&cal.best_each) {
            let _ = writeln!(t, "  {:>5.1}%  {}", 100.0 * b, sc.observation_label(o));
        }
        let _ = writeln!(t, "closest points (most observations held per run):");
        for i in cal.closest(3) {
            let pt = &cal.points[i];
            let vals: Vec<String> = cal
                .priors
                .iter()
                .zip(&pt.theta)
                .map(|(q, v)| format!("{}={v:.3}", q.key))
                .collect();
            let held: Vec<String> = pt
                .each
                .iter()
                .map(|c| format!("{:.0}%", 100.0 * *c as f64 / s.runs as f64))
                .collect();
            let _ = writeln!(t, "  {}  held: {}", vals.join(" "), held.join(" "));
        }
        return t;
    };
    let _ = writeln!(
        t,
        "P(all observations hold) under the posterior: {}; effective sample size {:.0}",
        pct(post.p_all),
        post.ess
    );
    let _ = writeln!(
        t,
        "{:<34} {:>17} {:>9} {:>19}",
        "parameter", "prior", "median", "90% interval"
    );
    for k in post.by_constraint() {
        let q = &post.params[k];
        let _ = writeln!(
            t,
            "{:<34} {:>17} {:>9.3} {:>19}",
            q.key,
            format!("[{}, {}]", q.prior[0], q.prior[1]),
            q.median,
            format!("[{:.3}, {:.3}]", q.p05, q.p95)
        );
    }
    t
}
