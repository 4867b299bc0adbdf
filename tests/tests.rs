//! All integration tests in one binary (links once), as ripgrep does.

mod analytic;
mod backtest;
mod browser;
mod calibrate;
mod cases;
mod charts;
mod checking;
mod cli;
mod corpus;
mod decision;
mod determinism;
mod ensemble;
mod folders;
mod golden;
mod hardening;
mod mutate;
mod portable;
mod pressure;
mod record;
mod round3;
mod scenarios;
mod schema;
mod shards;
mod signals;
mod sweep;
mod util;
