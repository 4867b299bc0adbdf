//! Shard folders on disk: what `run --shard K/N` writes besides `events.csv`, and how `merge`
//! reads the folders back, verifies them ([`Shards::verify`] and the scenario hash) and joins their
//! `events.csv` parts, so that the merged folder holds the files one machine writes.

use super::{fnv1a64, Staging};
use crate::ensemble::shard::{ShardState, Shards};
use crate::ensemble::Aggregate;
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Write `shard.json`, the state `merge` reads back.
pub fn write_state(stage: &Staging, state: &ShardState) -> Result<()> {
    let state = state.clone().sealed();
    stage.write(
        "shard.json",
        serde_json::to_string(&state).map_err(|e| Error::Run(e.to_string()))?,
    )
}

/// Shard folders read back and verified.
#[derive(Debug)]
pub struct ShardFolders {
    pub shards: Shards,
    /// `scenario.resolved.toml` of the first shard; its hash matches every shard's.
    pub resolved: String,
    pub resolved_path: PathBuf,
    /// The overrides and command of the first shard's `manifest.json` (see [`super::run::Manifest`]);
    /// a manifest without them gives the scenario hash as the one override, so that the merged
    /// folder is never the plain scenario's.
    pub overrides: Vec<String>,
    pub command: String,
}

impl ShardFolders {
    /// Read `shard.json` of every folder, verify that they make one ensemble, and read the
    /// resolved scenario, checking it against the shards' scenario hash.
    pub fn read(dirs: &[PathBuf]) -> Result<ShardFolders> {
        let mut parts = Vec::new();
        for d in dirs {
            parts.push((ShardState::read(d)?, d.clone()));
        }
        let shards = Shards::verify(parts)?;
        let resolved_path = shards.parts[0].1.join("scenario.resolved.toml");
        let resolved = read_text(&resolved_path)?;
        if format!("fnv1a64:{}", fnv1a64(resolved.as_bytes())) != shards.first().scenario_hash {
            return Err(Error::Usage(format!(
                "{} does not match its shard's scenario hash",
                resolved_path.display()
            )));
        }
        let (overrides, command) = read_origin(&shards.parts[0].1, &shards.first().scenario_hash);
        Ok(ShardFolders {
            shards,
            resolved,
            resolved_path,
            overrides,
            command,
        })
    }

    /// The ensemble's aggregate, every shard checked against the scenario `sc` first.
    pub fn aggregate(&self, sc: &crate::scenario::Scenario) -> Result<Aggregate> {
        self.shards.aggregate(
            sc.actors.len(),
            sc.steps,
            sc.params.ma_window,
            sc.observations.len(),
        )
    }

    /// `events.csv`: the shards' parts in shard order, which is run order (only shard 1 has the
    /// header; a shard without events has no file).
    pub fn events(&self) -> Result<Vec<u8>> {
        let mut events = Vec::new();
        for (_, d) in &self.shards.parts {
            let p = d.join("events.csv");
            if p.is_file() {
                events.extend(std::fs::read(&p).map_err(|e| Error::Read {
                    path: p.clone(),
                    source: e,
                })?);
            }
        }
        Ok(events)
    }
}

/// Overrides and command from a shard's `manifest.json` (strings only; anything else is ignored).
fn read_origin(dir: &Path, scenario_hash: &str) -> (Vec<String>, String) {
    let man: serde_json::Value = std::fs::read_to_string(dir.join("manifest.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let overrides = match man["overrides"].as_array() {
        Some(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        None => vec![format!("scenario_hash={scenario_hash}")],
    };
    let command = man["command"].as_str().unwrap_or_default().to_string();
    (overrides, command)
}

fn read_text(p: &Path) -> Result<String> {
    std::fs::read_to_string(p).map_err(|e| Error::Read {
        path: p.to_path_buf(),
        source: e,
    })
}
