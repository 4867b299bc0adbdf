//! `diplosim merge DIR...`: combine the shard folders of one ensemble into exactly the files one
//! machine writes. Verifying and summing the shards is the library's ([`ShardFolders`]).

use super::ensemble::narrate;
use crate::error::Result;
use crate::output::run::Manifest;
use crate::output::shards::ShardFolders;
use crate::output::{default_dir, Staging};
use crate::scenario::Library;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders written by `run --shard K/N`.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub output: super::OutputArgs,
}

pub fn merge(lib: &Library, a: &MergeArgs) -> Result<i32> {
    let folders = ShardFolders::read(&a.dirs)?;
    let sc = lib.load_text(&folders.resolved_path, &folders.resolved, &[])?;
    let agg = folders.aggregate(&sc)?;
    if !agg.observed.fits(sc.observations.len(), agg.runs) {
        return Err(crate::error::Error::Usage(
            "the shards' observation counts do not fit their scenario".into(),
        ));
    }
    let dest = a
        .output
        .out
        .clone()
        .unwrap_or_else(|| default_dir(&sc, &folders.overrides));
    let stage =
        Staging::new(&dest, a.output.out.is_none() || a.output.force)?.with_format(a.output.format);
    stage.write("events.csv", folders.events()?)?;
    stage.write("scenario.resolved.toml", &folders.resolved)?;
    let mut man = Manifest::new(&sc, &folders.resolved, 1);
    man.overrides = folders.overrides.clone();
    man.command = folders.command.clone();
    crate::publish::ensemble(&stage, &sc, &agg, &man, !a.output.no_charts, &[])?;
    let dir = stage.commit()?;
    if !a.output.quiet {
        print!("{}", narrate(&sc, &agg));
        print!(
            "{}",
            super::observations::ensemble_lines(&sc, &agg.observed, agg.runs)
        );
        println!(
            "merged {} shards; results: {}/",
            folders.shards.count(),
            dir.display()
        );
    }
    Ok(0)
}
