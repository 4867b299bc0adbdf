//! `diplosim validate PATH...`: check files, report every problem, write nothing.

use crate::error::{Error, Result};
use crate::scenario::Library;
use clap::Args;

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Scenario files or names.
    #[arg(required = true)]
    pub paths: Vec<String>,
}

pub fn validate(lib: &Library, a: &ValidateArgs) -> Result<i32> {
    let mut failed = 0;
    for p in &a.paths {
        match lib.load(p, &[]) {
            Ok(sc) => {
                eprint!("{}", crate::error::render_warnings(&sc.warnings));
                println!(
                    "ok: {p} ({}: {}, {}, {}{})",
                    sc.name,
                    count(sc.actors.len(), "actor"),
                    count(sc.relations.len(), "relation"),
                    count(sc.shocks.len(), "shock"),
                    match sc.warnings.len() {
                        0 => String::new(),
                        1 => ", 1 warning".into(),
                        k => format!(", {k} warnings"),
                    }
                );
            }
            Err(e) => {
                failed += 1;
                eprintln!("{}", super::render_error(&e));
                if !matches!(e, Error::Invalid(_) | Error::Usage(_) | Error::Read { .. }) {
                    return Err(e);
                }
            }
        }
    }
    if failed > 0 {
        eprintln!("{failed} of {} file(s) invalid", a.paths.len());
        return Ok(2);
    }
    Ok(0)
}

/// `1 shock`, `2 shocks`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
