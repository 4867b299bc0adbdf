//! diplosim: an agent-based model of how states and alliances react, week by week, to a
//! diplomatic event — seeded from a news analysis of NATO's plan to open a liaison office in Tokyo.
//!
//! The library holds everything: scenario loading ([`scenario`]), the model's vocabulary
//! ([`model`]), the engine ([`engine`]), outputs ([`output`]) and the command line ([`cli`]).
//! `main.rs` only dispatches.

pub mod backtest;
pub mod budget;
pub mod calibrate;
pub mod chart;
pub mod cli;
pub mod compare;
pub mod engine;
pub mod ensemble;
pub mod error;
pub mod model;
pub mod observe;
pub mod output;
pub mod record;
pub mod report;
pub mod scenario;
pub mod sensitivity;
pub mod sweep;

pub use error::{Diagnostic, Error, Result};
