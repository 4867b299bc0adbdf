//! Scenarios: loading TOML files, following `extends`, applying `--set` overrides, and checking
//! everything into a resolved [`Scenario`] with typed actor ids and defaults filled in.
//!
//! Two stages, as the style guide asks: [`raw`] mirrors the file; [`Scenario`] is what the engine
//! and the writers see, and it can never hold an unchecked value.

mod check;
pub mod keys;
mod library;
mod load;
mod merge;
mod names;
mod overrides;
mod parse;
pub mod raw;
mod resolve;
pub mod source;
mod to_toml;
mod types;
mod unknown_keys;

mod label;
pub use library::{read_text, Library};
pub use names::sanitize;
pub use overrides::{is_integer_key, set_value};
pub use parse::parse_file;
pub use to_toml::{to_raw, to_toml};
pub use types::*;

/// Most actors a scenario may hold.
pub const MAX_ACTORS: usize = 1000;
/// Most steps a run may have.
pub const MAX_STEPS: i64 = 10_000;
/// Most runs an ensemble may have.
pub const MAX_RUNS: i64 = 10_000_000;
/// Most shocks a scenario may hold.
pub const MAX_SHOCKS: usize = 10_000;
/// Most observations a scenario may hold (each is one bit of a run's record in `calibrate`).
pub const MAX_OBSERVATIONS: usize = 64;
/// Most questions a case may hold; also the most checks (a timing question checks one per bin)
/// its runs carry, each one bit of a run's record.
pub const MAX_QUESTIONS: usize = 64;
/// Longest `extends` chain.
pub const MAX_DEPTH: usize = 32;
/// Largest scenario file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
