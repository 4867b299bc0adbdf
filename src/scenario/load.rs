//! Loading a scenario: follow the `extends` chain leaf to root, check each file on its own, merge
//! root first, apply `--set` overrides, then resolve. Every problem of every file is reported at once.

use super::check::check_file;
use super::library::{find_parent, read_text};
use super::merge::Merged;
use super::names::{is_name, sanitize_name};
use super::overrides::{check_sensitivity_keys, named_keys, override_file};
use super::parse::parse_file;
use super::raw::RawFile;
use super::resolve::resolve;
use super::source::{KeyPath, SourceText};
use super::unknown_keys::unknown_keys;
use super::{Library, Scenario, MAX_DEPTH};
use crate::error::{suggest, Error, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

impl Library {
    /// Load, follow `extends`, apply `--set` overrides and resolve.
    pub fn load(&self, spec: &str, overrides: &[String]) -> Result<Scenario> {
        let path = self.locate(spec)?;
        self.load_path(&path, overrides)
    }

    /// As [`Library::load`], from a path.
    pub fn load_path(&self, path: &Path, overrides: &[String]) -> Result<Scenario> {
        self.load_chain(path, None, overrides)
    }

    /// As [`Library::load`], from text that stands for a file at `path` (its parent is looked up
    /// beside `path`, then in the library).
    pub fn load_text(&self, path: &Path, text: &str, overrides: &[String]) -> Result<Scenario> {
        self.load_chain(path, Some(text.to_string()), overrides)
    }

    fn load_chain(
        &self,
        path: &Path,
        mut first_text: Option<String>,
        overrides: &[String],
    ) -> Result<Scenario> {
        let mut sources: Vec<SourceText> = Vec::new();
        let mut files: Vec<RawFile> = Vec::new();
        let mut paths: Vec<PathBuf> = Vec::new();
        let mut diags = Vec::new();
        let mut next = Some(path.to_path_buf());
        while let Some(p) = next.take() {
            let canon = p.canonicalize().unwrap_or_else(|_| p.clone());
            if paths
                .iter()
                .any(|q| q.canonicalize().unwrap_or_else(|_| q.clone()) == canon)
            {
                let chain: Vec<String> = paths
                    .iter()
                    .chain(std::iter::once(&p))
                    .map(|q| q.display().to_string())
                    .collect();
                let last = files.len() - 1;
                diags.push(sources[last].at(
                    &KeyPath::root("scenario").key("extends"),
                    format!("`extends` makes a cycle: {}", chain.join(" → ")),
                ));
                return Err(Error::Invalid(diags));
            }
            if paths.len() >= MAX_DEPTH {
                let last = files.len() - 1;
                diags.push(sources[last].at(
                    &KeyPath::root("scenario").key("extends"),
                    format!("`extends` chain longer than {MAX_DEPTH} files"),
                ));
                return Err(Error::Invalid(diags));
            }
            let text = match first_text.take() {
                Some(t) => t,
                None => read_text(&p)?,
            };
            let src = SourceText {
                display: p.display().to_string(),
                text,
                cli: false,
            };
            let unknown = unknown_keys(&src);
            if !unknown.is_empty() {
                diags.extend(unknown);
                return Err(Error::Invalid(diags));
            }
            let raw = match parse_file(&src) {
                Ok(raw) => raw,
                Err(d) => return Err(Error::Invalid(vec![d])),
            };
            check_file(&src, &raw, &mut diags);
            if let Some(parent) = raw.scenario.as_ref().and_then(|m| m.extends.clone()) {
                match find_parent(&p, &parent, &self.dir) {
                    Some(pp) => next = Some(pp),
                    // A name that is not a name has been reported by check_file already.
                    None if !is_name(&parent) => {}
                    None => {
                        let chain: Vec<String> = paths
                            .iter()
                            .chain(std::iter::once(&p))
                            .map(|q| q.display().to_string())
                            .collect();
                        let mut d = src.at(
                            &KeyPath::root("scenario").key("extends"),
                            format!(
                                "parent scenario `{parent}` not found beside {} nor in {} (chain: {})",
                                p.display(),
                                self.dir.display(),
                                chain.join(" → ")
                            ),
                        );
                        let names: Vec<String> = self.list().into_iter().map(|(n, _)| n).collect();
                        d.help = suggest(&parent, names.iter().map(|s| s.as_str()))
                            .map(|s| format!("did you mean `{s}`?"));
                        diags.push(d);
                    }
                }
            }
            sources.push(src);
            files.push(raw);
            paths.push(p);
        }
        if diags.iter().any(|d| !d.warning) {
            return Err(Error::Invalid(diags));
        }
        // Merge root first; file index 0 is the leaf.
        let n_files = files.len();
        let mut merged = Merged::default();
        for fi in (0..n_files).rev() {
            merged.apply(&files[fi], fi, fi == 0);
        }
        merged.meta.extends = files[0].scenario.as_ref().and_then(|m| m.extends.clone());
        if merged.meta.name.is_none() {
            merged.meta.name = paths[0]
                .file_stem()
                .and_then(|s| s.to_str())
                .map(sanitize_name);
        }
        // Overrides come last, each its own little source.
        for ov in overrides {
            let (src, raw) = override_file(ov, &merged)?;
            let mut ds = Vec::new();
            check_file(&src, &raw, &mut ds);
            if ds.iter().any(|d| !d.warning) {
                return Err(Error::Invalid(ds));
            }
            let fi = sources.len();
            sources.push(src);
            merged.apply(&raw, fi, true);
            // Record where an overridden actor key came from.
            for a in &raw.actors {
                if let Some((dst, _)) = merged.actors.iter_mut().find(|(x, _)| x.id == a.id) {
                    let srcs = dst.sources.get_or_insert_with(BTreeMap::new);
                    for key in named_keys(a) {
                        srcs.insert(key.to_string(), format!("override: --set {ov}"));
                    }
                }
            }
        }
        check_sensitivity_keys(&merged, &sources[..n_files])?;
        let mut scenario = resolve(merged, &sources)?;
        scenario.files = paths;
        Ok(scenario)
    }
}
