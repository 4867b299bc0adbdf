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
use crate::error::{suggest, Diagnostic, Error, Result};
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
        first_text: Option<String>,
        overrides: &[String],
    ) -> Result<Scenario> {
        let (chain, mut diags) = self.read_chain(path, first_text)?;
        let Chain {
            mut sources,
            files,
            paths,
        } = chain;
        let n_files = files.len();
        let mut merged = merge_chain(&files, &paths);
        merged.file_steps = merged.meta.steps;
        if diags.iter().any(|d| !d.warning) {
            // Report every problem of the files at once: the references between them too, when
            // the chain is whole (a missing parent would make every reference look wrong).
            let whole = !diags.iter().any(|d| d.key == "scenario.extends");
            if let (true, Err(Error::Invalid(more))) = (whole, resolve(merged, &sources)) {
                let have: std::collections::HashSet<(String, usize, usize, String)> = diags
                    .iter()
                    .map(|d| (d.file.clone(), d.line, d.col, d.message.clone()))
                    .collect();
                diags.extend(more.into_iter().filter(|d| {
                    !have.contains(&(d.file.clone(), d.line, d.col, d.message.clone()))
                }));
            }
            return Err(Error::Invalid(diags));
        }
        apply_overrides(&mut merged, &mut sources, overrides)?;
        check_sensitivity_keys(&merged, &sources[..n_files])?;
        let mut scenario = resolve(merged, &sources)?;
        scenario.files = paths;
        Ok(scenario)
    }

    /// Read, parse and check each file of the `extends` chain, leaf first. Problems a file can
    /// be checked past are returned with the chain; the others stop here.
    fn read_chain(
        &self,
        path: &Path,
        mut first_text: Option<String>,
    ) -> Result<(Chain, Vec<Diagnostic>)> {
        let mut chain = Chain::default();
        let mut diags = Vec::new();
        let mut next = Some(path.to_path_buf());
        while let Some(p) = next.take() {
            if let Some(d) = chain.cannot_extend_to(&p) {
                diags.push(d);
                return Err(Error::Invalid(diags));
            }
            let text = match first_text.take() {
                Some(t) => t,
                None => read_text(&p)?,
            };
            let src = SourceText::new(p.display().to_string(), text, false);
            let unknown = unknown_keys(&src);
            // With unknown keys, the rest of the file is still checked (all problems at once):
            // it is parsed without them, while every span comes from the file as written.
            let cleaned = if unknown.is_empty() {
                None
            } else {
                let c = without_keys(&src, &unknown);
                diags.extend(unknown);
                match c {
                    Some(c) => Some(c),
                    None => return Err(Error::Invalid(diags)),
                }
            };
            let raw = match parse_file(cleaned.as_ref().unwrap_or(&src)) {
                Ok(raw) => raw,
                // A parse error of the cleaned text would point at lines the user never wrote.
                Err(_) if cleaned.is_some() => return Err(Error::Invalid(diags)),
                Err(d) => {
                    diags.push(d);
                    return Err(Error::Invalid(diags));
                }
            };
            check_file(&src, &raw, &mut diags);
            if let Some(parent) = raw.scenario.as_ref().and_then(|m| m.extends.clone()) {
                match find_parent(&p, &parent, &self.dir) {
                    Some(pp) => next = Some(pp),
                    // A name that is not a name has been reported by check_file already.
                    None if !is_name(&parent) => {}
                    None => diags.push(self.parent_not_found(&chain, &p, &src, &parent)),
                }
            }
            chain.sources.push(src);
            chain.files.push(raw);
            chain.paths.push(p);
        }
        Ok((chain, diags))
    }

    /// `extends` names a parent that is neither beside the file nor in the library.
    fn parent_not_found(
        &self,
        chain: &Chain,
        p: &Path,
        src: &SourceText,
        parent: &str,
    ) -> Diagnostic {
        let mut d = src.at(
            &KeyPath::root("scenario").key("extends"),
            format!(
                "parent scenario `{parent}` not found beside {} nor in {} (chain: {})",
                p.display(),
                self.dir.display(),
                chain.through(p)
            ),
        );
        let names: Vec<String> = self.list().into_iter().map(|(n, _)| n).collect();
        d.help = suggest(parent, names.iter().map(|s| s.as_str()))
            .map(|s| format!("did you mean `{s}`?"));
        d
    }
}

/// The files of an `extends` chain as read so far, leaf first.
#[derive(Default)]
struct Chain {
    sources: Vec<SourceText>,
    files: Vec<RawFile>,
    paths: Vec<PathBuf>,
}

impl Chain {
    /// The chain's paths followed by `p`, joined by arrows.
    fn through(&self, p: &Path) -> String {
        let chain: Vec<String> = self
            .paths
            .iter()
            .chain(std::iter::once(&p.to_path_buf()))
            .map(|q| q.display().to_string())
            .collect();
        chain.join(" → ")
    }

    /// Why the last file may not extend `p`: a cycle, or a chain too long.
    fn cannot_extend_to(&self, p: &Path) -> Option<Diagnostic> {
        let canon = p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
        let extends = KeyPath::root("scenario").key("extends");
        let last = self.files.len().checked_sub(1)?;
        if self
            .paths
            .iter()
            .any(|q| q.canonicalize().unwrap_or_else(|_| q.clone()) == canon)
        {
            let msg = format!("`extends` makes a cycle: {}", self.through(p));
            return Some(self.sources[last].at(&extends, msg));
        }
        if self.paths.len() >= MAX_DEPTH {
            let msg = format!("`extends` chain longer than {MAX_DEPTH} files");
            return Some(self.sources[last].at(&extends, msg));
        }
        None
    }
}

/// Merge root first (file index 0 is the leaf); an unnamed scenario takes its file stem.
fn merge_chain(files: &[RawFile], paths: &[PathBuf]) -> Merged {
    let mut merged = Merged::default();
    for fi in (0..files.len()).rev() {
        merged.apply(&files[fi], fi, fi == 0);
    }
    merged.meta.extends = files[0].scenario.as_ref().and_then(|m| m.extends.clone());
    if merged.meta.name.is_none() {
        merged.meta.name = paths[0]
            .file_stem()
            .and_then(|s| s.to_str())
            .map(sanitize_name);
    }
    merged
}

/// Overrides come last, each its own little source; an overridden actor key records it.
fn apply_overrides(
    merged: &mut Merged,
    sources: &mut Vec<SourceText>,
    overrides: &[String],
) -> Result<()> {
    for ov in overrides {
        let (src, raw) = override_file(ov, merged)?;
        let mut ds = Vec::new();
        check_file(&src, &raw, &mut ds);
        if ds.iter().any(|d| !d.warning) {
            return Err(Error::Invalid(ds));
        }
        let fi = sources.len();
        sources.push(src);
        merged.apply(&raw, fi, true);
        for a in &raw.actors {
            if let Some((dst, _)) = merged.actors.iter_mut().find(|(x, _)| x.id == a.id) {
                let srcs = dst.sources.get_or_insert_with(BTreeMap::new);
                for key in named_keys(a) {
                    srcs.insert(key.to_string(), format!("override: --set {ov}"));
                }
            }
        }
    }
    Ok(())
}

/// The file without the keys `unknown` names (`model.nois`, `relation[0].afinity`, `observatoin`),
/// as TOML text to parse; None when it cannot be rebuilt (then only the unknown keys are reported).
fn without_keys(src: &SourceText, unknown: &[Diagnostic]) -> Option<SourceText> {
    let mut doc: toml::Table = toml::from_str(&src.text).ok()?;
    for d in unknown {
        remove_path(&mut doc, &d.key)?;
    }
    let text = toml::to_string(&doc).ok()?;
    Some(SourceText::new(src.display.clone(), text, false))
}

/// Remove the value at a dotted key path with `[i]` array indices from `t`.
fn remove_path(t: &mut toml::Table, path: &str) -> Option<()> {
    let mut parts = path.split('.').peekable();
    let mut table = t;
    while let Some(part) = parts.next() {
        let (name, index) = match part.split_once('[') {
            Some((n, rest)) => (n, Some(rest.trim_end_matches(']').parse::<usize>().ok()?)),
            None => (part, None),
        };
        if parts.peek().is_none() && index.is_none() {
            table.remove(name)?;
            return Some(());
        }
        let v = table.get_mut(name)?;
        let v = match index {
            Some(i) => v.as_array_mut()?.get_mut(i)?,
            None => v,
        };
        // `name[i]` itself is never an unknown key, so a path always goes on past an index.
        parts.peek()?;
        table = v.as_table_mut()?;
    }
    None
}
