//! All integration tests in one binary (links once), as ripgrep does.

mod analytic;
mod browser;
mod calibrate;
mod charts;
mod cli;
mod corpus;
mod decision;
mod determinism;
mod ensemble;
mod folders;
mod golden;
mod mutate;
mod portable;
mod pressure;
mod record;
mod scenarios;
mod schema;
mod shards;
mod sweep;
mod util;
