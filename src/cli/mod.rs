//! The command line: argument types (clap) and one file per subcommand. `main.rs` calls [`main`].

mod backtest;
mod calibrate;
mod compare;
mod ensemble;
mod list;
mod merge;
mod observations;
mod run;
pub mod schema;
mod show;
mod signals;
mod sweep;
mod validate;

use crate::error::{Error, Result};
use crate::scenario::Library;
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// diplosim — how states react, week by week, to a diplomatic event.
#[derive(Debug, Parser)]
#[command(name = "diplosim", version, about, long_about = None)]
pub struct Cli {
    /// Folder of named scenarios.
    #[arg(
        long,
        global = true,
        default_value = "scenarios",
        env = "DIPLOSIM_SCENARIOS"
    )]
    pub scenarios: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List named scenarios with their titles.
    List,
    /// Print the resolved scenario with the source of every number.
    Show(show::ShowArgs),
    /// Check scenario files; nothing is written.
    Validate(validate::ValidateArgs),
    /// Run a scenario and write tables, the event log and charts.
    Run(run::RunArgs),
    /// Sweep parameters on a grid, or rank them by global sensitivity (Morris, Sobol').
    Sweep(sweep::SweepArgs),
    /// Posterior of the [sensitivity.ranges] given the scenario's `[[observation]]`s (ABC).
    Calibrate(calibrate::CalibrateArgs),
    /// Score forecasts of historical cases (cases/) against what happened: Brier, log and ranked probability scores, skill against base rates, persistence and 0.5.
    Backtest(backtest::BacktestArgs),
    /// Print the JSON Schema of scenario files (for editor completion).
    Schema,
    /// Combine the shard folders of one ensemble into the files one machine would write.
    Merge(merge::MergeArgs),
    /// Compare scenarios (paired ensembles, common random numbers, all at one seed: --seed, else the first scenario's) or output folders: charts, a table, differences with 95% intervals.
    Compare(compare::CompareArgs),
}

/// Where and how a command writes its results (shared by run, compare, sweep and merge).
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Output folder (default: a folder under output/ named after the scenario, seed and kind).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace a non-empty --out folder.
    #[arg(long)]
    pub force: bool,
    /// Skip the charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Tables as CSV, as typed Parquet files (for pandas, polars, arrow), or both.
    #[arg(long, value_enum, default_value_t = crate::output::parquet::Format::Csv)]
    pub format: crate::output::parquet::Format,
}

/// `--threads`, declared once for every command that runs simulations.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct Parallel {
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

/// `--seed`, declared once for the commands that run a scenario at its own seed unless told
/// otherwise (`backtest` has a seed of its own, 1, for cases that have different ones).
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct SeedArg {
    /// Seed (default: the scenario's `seed`).
    #[arg(long, value_parser = seed_range())]
    pub seed: Option<u64>,
}

/// `--steps`, declared once for the commands that run scenarios (run, compare, sweep).
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct StepsArg {
    /// Number of steps (default: the scenario's `steps`).
    #[arg(long, value_parser = steps_range())]
    pub steps: Option<u64>,
}

/// `--set`, declared once for the commands that read a scenario with overrides (run, show,
/// sweep).
#[derive(Debug, Clone, clap::Args)]
pub struct SetArgs {
    /// Override a scenario key (repeatable): model.noise=0.05, actor.china.stubbornness=0.9,
    /// relation.china.japan.affinity=-0.4, scenario.steps=52.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// What a command was asked, for the folder name and the report: the overrides that are not
/// already in the folder name (`--steps`, `--set`, in order) and a canonical command line that
/// reproduces the results (without `--threads`, `--out` or `--quiet`, which change no result).
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub overrides: Vec<String>,
    pub command: String,
}

impl Origin {
    /// `diplosim <words...>` with each word quoted for a POSIX shell where needed.
    pub fn new(overrides: Vec<String>, words: &[String]) -> Origin {
        let mut command = String::from("diplosim");
        for w in words {
            command.push(' ');
            command.push_str(&shell_quote(w));
        }
        Origin { overrides, command }
    }

    /// Copy into a manifest.
    pub fn stamp(&self, man: &mut crate::output::run::Manifest) {
        man.overrides = self.overrides.clone();
        man.command = self.command.clone();
    }
}

/// `w` as one word of a POSIX shell command: bare when safe, else in single quotes.
pub fn shell_quote(w: &str) -> String {
    let safe = !w.is_empty()
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if safe {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

/// `--seed`: 0 to 2^63 − 1 (a scenario's `seed` is a TOML integer).
pub(crate) fn seed_range() -> clap::builder::RangedU64ValueParser<u64> {
    clap::value_parser!(u64).range(0..=i64::MAX as u64)
}

/// `--steps`: 1 to [`crate::scenario::MAX_STEPS`].
pub(crate) fn steps_range() -> clap::builder::RangedU64ValueParser<u64> {
    clap::value_parser!(u64).range(1..=crate::scenario::MAX_STEPS as u64)
}

/// `--runs`: 1 to [`crate::scenario::MAX_RUNS`].
pub(crate) fn runs_range() -> clap::builder::RangedU64ValueParser<u64> {
    clap::value_parser!(u64).range(1..=crate::scenario::MAX_RUNS as u64)
}

/// Set by a signal (see [`signals`]) just before the process exits.
pub(crate) static CANCEL: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether a signal arrived.
pub(crate) fn cancelled() -> bool {
    CANCEL.load(std::sync::atomic::Ordering::Relaxed)
}

/// Parse the arguments, run, and return the process exit code.
pub fn main() -> i32 {
    quiet_closed_pipe();
    // Every fast path gives the bits of its portable version; this checks it on any machine.
    if std::env::var_os("DIPLOSIM_PORTABLE").is_some_and(|v| !v.is_empty() && v != "0") {
        crate::cpu::force_portable();
    }
    let cli = Cli::parse();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        // Before any output folder exists, so that a signal can never leave a partial one.
        signals::install();
        dispatch(cli)
    })) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            eprintln!("{}", render_error(&e));
            e.exit_code()
        }
        // `diplosim show nac | head`: the reader left. Quiet, with the status a shell gives a
        // writer stopped by SIGPIPE; a folder being written is removed by its staging guard.
        Err(p) if is_closed_pipe(p.as_ref()) => CLOSED_PIPE,
        Err(p) => std::panic::resume_unwind(p),
    }
}

/// Exit status when stdout's reader has gone: 128 + SIGPIPE, as a shell reports it.
pub const CLOSED_PIPE: i32 = 141;

/// Whether a panic is `print!`'s "failed printing to stdout: Broken pipe".
fn is_closed_pipe(p: &(dyn std::any::Any + Send)) -> bool {
    let msg = p
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| p.downcast_ref::<&str>().copied())
        .unwrap_or("");
    msg.contains("failed printing to stdout") && msg.contains("Broken pipe")
}

/// Keep the default panic message for everything but a closed stdout.
fn quiet_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !is_closed_pipe(info.payload()) {
            default(info);
        }
    }));
}

pub(crate) fn render_error(e: &Error) -> String {
    // Diagnostics are escaped and cut as they render; other messages may echo a path or a value.
    let text = match e {
        Error::Invalid(_) => e.to_string(),
        _ => crate::error::terminal_text(&e.to_string(), 2000),
    };
    if text.starts_with("error:") {
        text
    } else {
        format!("error: {text}")
    }
}

/// Run a command inside another program (the Python package): `args` as the command line
/// after `diplosim`, parsed as the binary parses them, with no signal handler (the host
/// program has its own: it stops the work with [`cancel`]). A parse error is
/// [`Error::Usage`] with clap's message; `--help` and `--version` are refused the same way.
pub fn embedded(args: &[String]) -> Result<i32> {
    let cli =
        Cli::try_parse_from(std::iter::once("diplosim".to_string()).chain(args.iter().cloned()))
            .map_err(|e| {
                // Without the command line's "try '--help'": the host program has its own help.
                let text = e.render().to_string();
                let kept: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.contains("For more information, try"))
                    .collect();
                Error::Usage(kept.join("\n").trim_end().to_string())
            })?;
    CANCEL.store(false, std::sync::atomic::Ordering::SeqCst);
    dispatch(cli)
}

/// Stop the running command as Ctrl-C does: it returns [`Error::Interrupted`] and leaves no
/// output folder.
pub fn cancel() {
    CANCEL.store(true, std::sync::atomic::Ordering::SeqCst);
}

fn dispatch(cli: Cli) -> Result<i32> {
    let lib = Library::new(&cli.scenarios);
    match cli.command {
        Command::List => list::list(&lib),
        Command::Show(a) => show::show(&lib, &a),
        Command::Validate(a) => validate::validate(&lib, &a),
        Command::Run(a) => run::run(&lib, &a),
        Command::Compare(a) => compare::compare(&lib, &a),
        Command::Merge(a) => merge::merge(&lib, &a),
        Command::Schema => schema::schema(),
        Command::Sweep(a) => sweep::sweep(&lib, &a),
        Command::Calibrate(a) => calibrate::calibrate(&lib, &a),
        Command::Backtest(a) => backtest::backtest(&lib, &a),
    }
}
