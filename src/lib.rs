//! diplosim: an agent-based model of how states and alliances react, week by week, to a
//! diplomatic event — seeded from a news analysis of NATO's plan to open a liaison office in Tokyo.
//!
//! The library holds everything; `main.rs` only dispatches. The modules, from input to output:
//!
//! - [`scenario`]: scenario files — raw serde types, per-file checks, `extends` chains and
//!   `--set` overrides, resolution into a checked [`scenario::Scenario`], `to_toml`.
//! - [`model`]: the model's vocabulary — `[model]` parameters, the event catalogue, metrics,
//!   statuses.
//! - [`engine`]: one run, rule by rule in DESIGN.md's order (no I/O, no clock).
//! - [`observe`]: `[[observation]]`s and `[[question]]`s: what happened, as a scenario states it.
//! - [`watch`]: the observations checked as a run goes by (an engine observer).
//! - [`ensemble`]: many runs in parallel, reduced exactly into histograms and counts; shards.
//! - [`sweep`]: many parameter points, each an ensemble with common random numbers.
//! - [`sensitivity`]: Morris and Sobol' designs and indices over `[sensitivity.ranges]`.
//! - [`calibrate`]: the posterior of the uncertain assumptions given the observations (ABC).
//! - [`backtest`]: forecasts of historical cases scored against what happened.
//! - [`compare`]: scenarios or output folders side by side, paired differences.
//! - [`icews`]: the ICEWS record of dyads' event classes, and an observer counting the model's events the same way.
//! - [`cpu`]: which fast paths this CPU allows (one probe; `DIPLOSIM_PORTABLE` forces the portable ones).
//! - [`budget`]: estimates of a command's memory and output, refused beyond the budgets.
//! - [`output`]: the files of each result, written to a staging folder and moved into place.
//! - [`publish`]: one function per kind of result: its files, charts and report, in a staging folder.
//! - [`hash`]: FNV-1a fingerprints (scenarios, shards, posteriors).
//! - [`chart`]: PNG and SVG charts (plotters, embedded font).
//! - [`report`]: the self-contained `report.html` of every result folder.
//! - [`cli`]: the command line (clap): parse, call the library, narrate.
//! - [`error`]: typed errors whose messages name file, line, column and key.

pub mod backtest;
pub mod budget;
pub mod calibrate;
pub mod chart;
pub mod cli;
pub mod compare;
pub mod cpu;
pub mod engine;
pub mod ensemble;
pub mod error;
pub mod hash;
pub mod icews;
pub mod model;
pub mod observe;
pub mod output;
pub mod publish;
pub mod report;
pub mod scenario;
pub mod sensitivity;
pub mod sweep;
pub mod watch;

pub use error::{Diagnostic, Error, Result};
