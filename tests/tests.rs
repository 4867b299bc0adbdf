//! All integration tests in one binary (links once), as ripgrep does.

mod analytic;
mod browser;
mod charts;
mod cli;
mod corpus;
mod decision;
mod determinism;
mod ensemble;
mod folders;
mod mutate;
mod pressure;
mod scenarios;
mod schema;
mod sweep;
mod util;
