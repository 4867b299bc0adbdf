//! The scenario library: a folder of named `.toml` files. Finds a scenario by name or path (with a
//! "did you mean" hint), lists the named ones, finds an `extends` parent, and reads files safely.

use super::names::is_name;
use super::raw::RawFile;
use super::MAX_FILE_BYTES;
use crate::error::{suggest, Error, Result};
use std::path::{Path, PathBuf};

/// Where to look for named scenarios.
#[derive(Debug, Clone)]
pub struct Library {
    pub dir: PathBuf,
}

impl Library {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Library { dir: dir.into() }
    }

    /// A name (`baseline`) or a path (`my/file.toml`) to a file path.
    pub fn locate(&self, spec: &str) -> Result<PathBuf> {
        let as_path = Path::new(spec);
        if spec.ends_with(".toml") || spec.contains('/') || spec.contains('\\') {
            return if as_path.is_file() {
                Ok(as_path.to_path_buf())
            } else {
                Err(Error::Usage(format!("no scenario file at `{spec}`")))
            };
        }
        if !is_name(spec) {
            let names: Vec<String> = self.list().into_iter().map(|(n, _)| n).collect();
            let lower = spec.to_lowercase();
            let hint = suggest(&lower, names.iter().map(|s| s.as_str()))
                .map(|s| format!(" — did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(Error::Usage(format!(
                "`{spec}` is not a scenario name (lowercase letters, digits, `_` and `-`) nor a .toml path{hint}"
            )));
        }
        let p = self.dir.join(format!("{spec}.toml"));
        if p.is_file() {
            return Ok(p);
        }
        if !self.dir.is_dir() {
            return Err(Error::Usage(format!(
                "no scenario named `{spec}`: there is no scenarios folder at {} — run from the repository root, \
                 give --scenarios DIR (or set DIPLOSIM_SCENARIOS), or give a path to a .toml file",
                self.dir.display()
            )));
        }
        let names: Vec<String> = self.list().into_iter().map(|(n, _)| n).collect();
        let hint = suggest(spec, names.iter().map(|s| s.as_str()))
            .map(|s| format!(" — did you mean `{s}`?"))
            .unwrap_or_else(|| format!(" (known: {})", names.join(", ")));
        Err(Error::Usage(format!(
            "no scenario named `{spec}` in {}{hint}",
            self.dir.display()
        )))
    }

    /// "no scenario given" with the named scenarios to choose from.
    pub fn none_given(&self) -> Error {
        let names: Vec<String> = self.list().into_iter().map(|(n, _)| n).collect();
        let known = if names.is_empty() {
            format!("there are none in {}", self.dir.display())
        } else {
            format!("one of {}", names.join(", "))
        };
        Error::Usage(format!(
            "no scenario given: name a scenario ({known}) or give a path to a .toml file"
        ))
    }

    /// Named scenarios (file stems) in name order, with their titles where they parse.
    pub fn list(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Ok(rd) = std::fs::read_dir(&self.dir) {
            for e in rd.flatten() {
                let p = e.path();
                if p.extension().and_then(|x| x.to_str()) != Some("toml") {
                    continue;
                }
                let Some(stem) = p.file_stem().and_then(|s| s.to_str()) else {
                    continue;
                };
                let title = std::fs::read_to_string(&p)
                    .ok()
                    .and_then(|t| toml::from_str::<RawFile>(&t).ok())
                    .and_then(|r| r.scenario.and_then(|m| m.title))
                    .unwrap_or_default();
                out.push((stem.to_string(), title));
            }
        }
        out.sort();
        out
    }
}

/// Read a scenario file, bounded in size and checked to be UTF-8.
pub fn read_text(p: &Path) -> Result<String> {
    let meta = std::fs::metadata(p).map_err(|e| Error::Read {
        path: p.to_path_buf(),
        source: e,
    })?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(Error::Usage(format!(
            "{}: file is {} bytes; scenario files are limited to {MAX_FILE_BYTES} bytes",
            p.display(),
            meta.len()
        )));
    }
    let bytes = std::fs::read(p).map_err(|e| Error::Read {
        path: p.to_path_buf(),
        source: e,
    })?;
    String::from_utf8(bytes).map_err(|e| {
        Error::Usage(format!(
            "{}: not UTF-8 text (invalid byte at offset {})",
            p.display(),
            e.utf8_error().valid_up_to()
        ))
    })
}

pub(crate) fn find_parent(child: &Path, parent: &str, dir: &Path) -> Option<PathBuf> {
    if !is_name(parent) {
        return None;
    }
    let beside = child
        .parent()
        .unwrap_or(Path::new("."))
        .join(format!("{parent}.toml"));
    if beside.is_file() {
        return Some(beside);
    }
    let lib = dir.join(format!("{parent}.toml"));
    lib.is_file().then_some(lib)
}
