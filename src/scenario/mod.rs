//! Scenarios: loading TOML files, following `extends`, applying `--set` overrides, and checking
//! everything into a resolved [`Scenario`] with typed actor ids and defaults filled in.
//!
//! Two stages, as the style guide asks: [`raw`] mirrors the file; [`Scenario`] is what the engine
//! and the writers see, and it can never hold an unchecked value.

pub mod raw;
pub mod source;
mod validate;

use crate::error::{suggest, Diagnostic, Error, Result};
use crate::model::{Params, Status};
use raw::{RawActor, RawFile, RawIssue, RawMeta, RawModel, RawRelation, RawShock};
use source::{KeyPath, SourceText};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Most actors a scenario may hold.
pub const MAX_ACTORS: usize = 1000;
/// Most steps a run may have.
pub const MAX_STEPS: i64 = 10_000;
/// Most runs an ensemble may have.
pub const MAX_RUNS: i64 = 10_000_000;
/// Most shocks a scenario may hold.
pub const MAX_SHOCKS: usize = 10_000;
/// Longest `extends` chain.
pub const MAX_DEPTH: usize = 32;
/// Largest scenario file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Index of an actor in [`Scenario::actors`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActorId(pub u16);

impl ActorId {
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}

/// A resolved actor.
#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    pub id: String,
    pub name: String,
    /// c ∈ (0, 1]
    pub capability: f64,
    /// s(0) ∈ [-1, 1]
    pub stance: f64,
    /// σ ∈ [0, 1]
    pub salience: f64,
    /// ρ ∈ [0, 1]; λ = 1 − ρ
    pub stubbornness: f64,
    /// p(0) ≥ 0
    pub posture: f64,
    /// Richardson k
    pub reactivity: f64,
    /// Richardson m
    pub fatigue: f64,
    /// Richardson g
    pub grievance: f64,
    /// Explicit self weight of row i of W, if the row is explicit.
    pub self_weight: Option<f64>,
    pub member_of: Vec<String>,
    pub source: String,
    /// Per-key provenance.
    pub sources: BTreeMap<String, String>,
}

/// Defaults of the optional actor keys (assumptions, documented in the README).
pub const ACTOR_DEFAULTS: [(&str, f64); 5] = [
    ("stubbornness", 0.5),
    ("posture", 1.0),
    ("reactivity", 0.05),
    ("fatigue", 0.1),
    ("grievance", 0.1),
];

/// Keys an actor may carry, for `sources` tables and hints.
pub const ACTOR_KEYS: [&str; 14] = [
    "id",
    "name",
    "capability",
    "stance",
    "salience",
    "stubbornness",
    "posture",
    "reactivity",
    "fatigue",
    "grievance",
    "self_weight",
    "member_of",
    "source",
    "sources",
];

fn actor_default(key: &str) -> f64 {
    ACTOR_DEFAULTS
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| *v)
        .unwrap_or(0.0)
}

/// A resolved relation: `from`'s view of `to`.
#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    pub from: ActorId,
    pub to: ActorId,
    /// A_ij(0) ∈ [-1, 1]
    pub affinity: f64,
    /// Explicit influence weight w_ij ≥ 0.
    pub influence: Option<f64>,
    pub source: String,
}

/// Set or add.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Set(f64),
    Add(f64),
}

impl Op {
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Op::Set(v) => v,
            Op::Add(v) => x + v,
        }
    }
}

/// What a shock does.
#[derive(Debug, Clone, PartialEq)]
pub enum ShockAction {
    /// Current stance only; the FJ anchor pulls it back.
    Stance {
        actor: ActorId,
        op: Op,
    },
    /// Stance and its anchor s(0): a change of stated position.
    Position {
        actor: ActorId,
        op: Op,
    },
    /// `actor`'s view of `target` (the baseline A(0) is not moved).
    Affinity {
        actor: ActorId,
        target: ActorId,
        op: Op,
    },
    Posture {
        actor: ActorId,
        op: Op,
    },
    /// An injected event, with its reactions.
    Event {
        actor: ActorId,
        target: ActorId,
        code: usize,
    },
    /// Force the office status.
    Office {
        status: Status,
    },
}

/// A resolved shock.
#[derive(Debug, Clone, PartialEq)]
pub struct Shock {
    pub step: usize,
    pub action: ShockAction,
    pub source: String,
}

/// The decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub body: String,
    pub host: ActorId,
    pub threshold: f64,
    pub first_vote: usize,
    pub vote_interval: usize,
    pub setup_steps: usize,
    /// Actors whose `member_of` holds `body`, and the body itself if it is an actor; in id order.
    pub members: Vec<ActorId>,
    pub source: String,
}

impl Issue {
    /// Whether the body votes at step t.
    pub fn is_vote_step(&self, t: usize) -> bool {
        t >= self.first_vote && (t - self.first_vote) % self.vote_interval == 0
    }
}

/// Parameter ranges for global sensitivity analysis (`[sensitivity]`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sensitivity {
    pub samples: usize,
    pub runs: usize,
    /// (--set key, min, max), in key order.
    pub ranges: Vec<(String, f64, f64)>,
    pub source: String,
}

/// A resolved, checked scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub title: String,
    pub description: String,
    /// The parent named by the file, kept for `show`.
    pub extends: Option<String>,
    pub steps: usize,
    pub step_unit: String,
    pub seed: u64,
    pub runs: usize,
    pub params: Params,
    pub issue: Issue,
    pub actors: Vec<Actor>,
    pub relations: Vec<Relation>,
    pub shocks: Vec<Shock>,
    pub sensitivity: Sensitivity,
    /// Suspicious but legal input.
    pub warnings: Vec<Diagnostic>,
    /// Files read, leaf first.
    pub files: Vec<PathBuf>,
}

impl Scenario {
    pub fn actor_index(&self, id: &str) -> Option<ActorId> {
        self.actors
            .iter()
            .position(|a| a.id == id)
            .map(|i| ActorId(i as u16))
    }
}

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
        if !validate::is_name(spec) {
            return Err(Error::Usage(format!(
                "`{spec}` is not a scenario name (lowercase letters, digits, `_` and `-`) nor a .toml path"
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
            let unknown = validate::unknown_keys(&src);
            if !unknown.is_empty() {
                diags.extend(unknown);
                return Err(Error::Invalid(diags));
            }
            let raw = match parse_file(&src) {
                Ok(raw) => raw,
                Err(d) => return Err(Error::Invalid(vec![d])),
            };
            validate::check_file(&src, &raw, &mut diags);
            if let Some(parent) = raw.scenario.as_ref().and_then(|m| m.extends.clone()) {
                match find_parent(&p, &parent, &self.dir) {
                    Some(pp) => next = Some(pp),
                    // A name that is not a name has been reported by check_file already.
                    None if !validate::is_name(&parent) => {}
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
                .map(validate::sanitize_name);
        }
        // Overrides come last, each its own little source.
        for ov in overrides {
            let (src, raw) = override_file(ov, &merged)?;
            let mut ds = Vec::new();
            validate::check_file(&src, &raw, &mut ds);
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
                    for key in validate::named_keys(a) {
                        srcs.insert(key.to_string(), format!("override: --set {ov}"));
                    }
                }
            }
        }
        check_sensitivity_keys(&merged, &sources[..n_files])?;
        let mut scenario = validate::resolve(merged, &sources)?;
        scenario.files = paths;
        Ok(scenario)
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

/// `--set` keys outside `[model]` whose values are whole numbers; `[model]` keys say so in
/// [`crate::model::PARAM_SPECS`].
const INTEGER_KEYS: [&str; 6] = [
    "scenario.steps",
    "scenario.seed",
    "scenario.runs",
    "issue.first_vote",
    "issue.vote_interval",
    "issue.setup_steps",
];

/// Whether a `--set` key takes whole numbers (sampled values are rounded for these).
pub fn is_integer_key(key: &str) -> bool {
    INTEGER_KEYS.contains(&key)
        || key
            .strip_prefix("model.")
            .and_then(crate::model::param_spec)
            .is_some_and(|p| p.integer)
}

/// A value as `--set` text: whole numbers for [`is_integer_key`] keys.
pub fn set_value(key: &str, v: f64) -> String {
    if is_integer_key(key) {
        format!("{}", v.round() as i64)
    } else {
        format!("{v}")
    }
}

/// Every `[sensitivity.ranges]` key must be a `--set` key that takes both ends of its range, so
/// `validate` catches a typo before a long sweep does.
fn check_sensitivity_keys(merged: &Merged, files: &[SourceText]) -> Result<()> {
    let mut diags = Vec::new();
    for (key, v) in merged.sensitivity.ranges.iter().flatten() {
        let path = KeyPath::root("sensitivity").key("ranges").key(key);
        let file = files.iter().find(|f| f.locate(&path)).unwrap_or(&files[0]);
        for x in v.iter().take(2) {
            let spec = format!("{key}={}", set_value(key, *x));
            let problem = match override_file(&spec, merged) {
                Err(e) => Some(e.to_string()),
                Ok((src, raw)) => {
                    let mut ds = Vec::new();
                    validate::check_file(&src, &raw, &mut ds);
                    ds.iter().find(|d| !d.warning).map(|d| d.message.clone())
                }
            };
            if let Some(p) = problem {
                let msg = p
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim_start_matches("error: ")
                    .to_string();
                diags.push(file.at(
                    &path,
                    format!("range end {x} is not a valid override: {msg}"),
                ));
                break;
            }
        }
    }
    if diags.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(diags))
    }
}

/// A string made safe as a single path component (for folder names built from scenario names).
pub fn sanitize(name: &str) -> String {
    validate::sanitize_name(name)
}

fn find_parent(child: &Path, parent: &str, dir: &Path) -> Option<PathBuf> {
    if !validate::is_name(parent) {
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

/// Parse one file into raw types; a syntax or type error becomes a located diagnostic.
pub fn parse_file(src: &SourceText) -> std::result::Result<RawFile, Diagnostic> {
    toml::from_str::<RawFile>(&src.text).map_err(|e| {
        let msg = e.message().trim().to_string();
        let span = e.span().unwrap_or(0..0);
        let key = if src.cli {
            src.text.split('=').next().unwrap_or("").to_string()
        } else {
            String::new()
        };
        let mut d = src.at_span(span.clone(), &key, msg.clone());
        if d.key.is_empty() && !src.cli {
            d.key = key_at(&src.text, span.start);
        }
        d.help = unknown_field_hint(&msg);
        d
    })
}

/// The dotted table path and key written at a byte offset, best effort (for type errors).
fn key_at(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let mut table = String::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let end = line_start + line.len();
        let t = line.trim();
        if t.starts_with("[[") {
            let name = t
                .trim_start_matches("[[")
                .split("]]")
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            let c = counts.entry(name.clone()).or_insert(0);
            table = format!("{name}[{c}]");
            *c += 1;
        } else if t.starts_with('[') {
            table = t
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
        }
        if offset < end || end == text.len() {
            let key = t.split('=').next().unwrap_or("").trim();
            if t.contains('=') && !key.is_empty() && !t.starts_with('[') {
                return if table.is_empty() {
                    key.to_string()
                } else {
                    format!("{table}.{key}")
                };
            }
            return table;
        }
        line_start = end;
    }
    table
}

/// "unknown field `capabilty`, expected one of `id`, ..." → "did you mean `capability`?"; type
/// errors get an example of the expected form.
fn unknown_field_hint(msg: &str) -> Option<String> {
    for (needle, help) in [
        ("expected f64", "write a number, such as 0.5"),
        (
            "expected i64",
            "write a whole number, such as 52 (at most 9223372036854775807)",
        ),
        (
            "expected a string",
            "write text in quotes, such as \"nato\"",
        ),
        (
            "expected a sequence",
            "write a list in brackets, such as [\"nato\"] (or [[actor]] for a table array)",
        ),
    ] {
        if msg.contains(needle) {
            return Some(help.to_string());
        }
    }
    let rest = msg.strip_prefix("unknown field `")?;
    let (word, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    suggest(word, expected.iter().copied()).map(|s| format!("did you mean `{s}`?"))
}

/// Where a merged item was first written: (source index, position in its array).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Origin {
    pub file: usize,
    pub index: usize,
}

/// The inheritance chain folded into one raw scenario, items remembering their origin.
#[derive(Debug, Default)]
pub(crate) struct Merged {
    pub meta: RawMeta,
    pub model: RawModel,
    pub issue: RawIssue,
    pub issue_file: Option<usize>,
    pub actors: Vec<(RawActor, Origin)>,
    pub relations: Vec<(RawRelation, Origin)>,
    pub shocks: Vec<(RawShock, Origin)>,
    pub sensitivity: raw::RawSensitivity,
}

macro_rules! patch {
    ($dst:expr, $src:expr; $($f:ident),*) => { $( if $src.$f.is_some() { $dst.$f = $src.$f.clone(); } )* };
}

impl Merged {
    fn apply(&mut self, f: &RawFile, fi: usize, leaf: bool) {
        if let Some(m) = &f.scenario {
            // Title and description are inherited unless the child gives its own; the name is
            // never inherited: a child is its own scenario.
            patch!(self.meta, m; steps, step_unit, seed, runs, title, description);
            if leaf {
                patch!(self.meta, m; name);
            }
        }
        if let Some(m) = &f.model {
            self.model.patch(m);
        }
        if let Some(i) = &f.issue {
            patch!(self.issue, i; body, host, threshold, first_vote, vote_interval, setup_steps, source);
            self.issue_file = Some(fi);
        }
        for (index, a) in f.actors.iter().enumerate() {
            match self.actors.iter_mut().find(|(x, _)| x.id == a.id) {
                Some((dst, _)) => {
                    patch!(dst, a; name, capability, stance, salience, stubbornness, posture, reactivity,
                        fatigue, grievance, self_weight, member_of, source);
                    if let Some(s) = &a.sources {
                        dst.sources
                            .get_or_insert_with(BTreeMap::new)
                            .extend(s.clone());
                    }
                }
                None => self.actors.push((a.clone(), Origin { file: fi, index })),
            }
        }
        for (index, r) in f.relations.iter().enumerate() {
            match self
                .relations
                .iter_mut()
                .find(|(x, _)| x.from == r.from && x.to == r.to)
            {
                Some((dst, _)) => {
                    patch!(dst, r; affinity, influence, source);
                }
                None => self.relations.push((r.clone(), Origin { file: fi, index })),
            }
        }
        for (index, s) in f.shocks.iter().enumerate() {
            self.shocks.push((s.clone(), Origin { file: fi, index }));
        }
        if let Some(sens) = &f.sensitivity {
            patch!(self.sensitivity, sens; samples, runs, source);
            if let Some(r) = &sens.ranges {
                self.sensitivity
                    .ranges
                    .get_or_insert_with(BTreeMap::new)
                    .extend(r.clone());
            }
        }
    }
}

/// Turn `KEY=VALUE` into a one-key raw file.
fn override_file(spec: &str, merged: &Merged) -> Result<(SourceText, RawFile)> {
    let src = SourceText {
        display: "--set".to_string(),
        text: spec.to_string(),
        cli: true,
    };
    let usage = |msg: String| Error::Usage(format!("--set {spec}: {msg}"));
    let Some((key, value)) = spec.split_once('=') else {
        return Err(usage("expected KEY=VALUE, e.g. model.noise=0.05".into()));
    };
    let value_str = value.trim();
    let parsed: toml::Value = match toml::from_str::<toml::Table>(&format!("v = {value_str}")) {
        Ok(mut t) if t.len() == 1 => t
            .remove("v")
            .unwrap_or(toml::Value::String(value_str.into())),
        _ => toml::Value::String(value_str.to_string()),
    };
    let parts: Vec<&str> = key.trim().split('.').collect();
    if parts.as_slice() == ["scenario", "extends"] {
        return Err(usage("`extends` cannot be overridden: run the other scenario, or write a file that extends it".into()));
    }
    let mut root = toml::Table::new();
    match parts.as_slice() {
        [table @ ("scenario" | "model" | "issue"), field] => {
            let mut t = toml::Table::new();
            t.insert(field.to_string(), parsed);
            root.insert(table.to_string(), toml::Value::Table(t));
        }
        ["actor", id, field] => {
            if !merged.actors.iter().any(|(a, _)| a.id.as_deref() == Some(*id)) {
                let ids: Vec<&str> = merged.actors.iter().filter_map(|(a, _)| a.id.as_deref()).collect();
                let hint = suggest(id, ids.iter().copied()).map(|s| format!(" — did you mean `{s}`?")).unwrap_or_default();
                return Err(usage(format!("unknown actor `{id}`{hint}")));
            }
            let mut t = toml::Table::new();
            t.insert("id".into(), toml::Value::String(id.to_string()));
            t.insert(field.to_string(), parsed);
            root.insert("actor".into(), toml::Value::Array(vec![toml::Value::Table(t)]));
        }
        ["relation", from, to, field] => {
            let mut t = toml::Table::new();
            t.insert("from".into(), toml::Value::String(from.to_string()));
            t.insert("to".into(), toml::Value::String(to.to_string()));
            t.insert(field.to_string(), parsed);
            let exists = merged
                .relations
                .iter()
                .any(|(r, _)| r.from.as_deref() == Some(*from) && r.to.as_deref() == Some(*to));
            if !exists {
                t.insert("source".into(), toml::Value::String(format!("override: --set {spec}")));
            }
            root.insert("relation".into(), toml::Value::Array(vec![toml::Value::Table(t)]));
        }
        _ => {
            return Err(usage(
                "KEY must be scenario.FIELD, model.FIELD, issue.FIELD, actor.ID.FIELD or relation.FROM.TO.FIELD"
                    .into(),
            ))
        }
    }
    use serde::Deserialize;
    let raw = RawFile::deserialize(toml::Value::Table(root)).map_err(|e| {
        let msg = e.message().trim().to_string();
        let mut d = src.at_span(0..0, key, msg.clone());
        d.help = unknown_field_hint(&msg);
        Error::Invalid(vec![d])
    })?;
    Ok((src, raw))
}

/// A scenario back to a raw file with every key explicit: `scenario.resolved.toml`.
pub fn to_raw(s: &Scenario) -> RawFile {
    let id = |a: ActorId| s.actors[a.ix()].id.clone();
    let op = |o: Op| match o {
        Op::Set(v) => (Some(v), None),
        Op::Add(v) => (None, Some(v)),
    };
    RawFile {
        scenario: Some(RawMeta {
            name: Some(s.name.clone()),
            title: Some(s.title.clone()),
            description: Some(s.description.clone()),
            extends: None,
            steps: Some(s.steps as i64),
            step_unit: Some(s.step_unit.clone()),
            seed: Some(s.seed as i64),
            runs: Some(s.runs as i64),
        }),
        model: Some(RawModel::from_params(&s.params)),
        issue: Some(RawIssue {
            body: Some(s.issue.body.clone()),
            host: Some(id(s.issue.host)),
            threshold: Some(s.issue.threshold),
            first_vote: Some(s.issue.first_vote as i64),
            vote_interval: Some(s.issue.vote_interval as i64),
            setup_steps: Some(s.issue.setup_steps as i64),
            source: Some(s.issue.source.clone()),
        }),
        actors: s
            .actors
            .iter()
            .map(|a| RawActor {
                id: Some(a.id.clone()),
                name: Some(a.name.clone()),
                capability: Some(a.capability),
                stance: Some(a.stance),
                salience: Some(a.salience),
                stubbornness: Some(a.stubbornness),
                posture: Some(a.posture),
                reactivity: Some(a.reactivity),
                fatigue: Some(a.fatigue),
                grievance: Some(a.grievance),
                self_weight: a.self_weight,
                member_of: Some(a.member_of.clone()),
                source: Some(a.source.clone()),
                sources: (!a.sources.is_empty()).then(|| a.sources.clone()),
            })
            .collect(),
        relations: s
            .relations
            .iter()
            .map(|r| RawRelation {
                from: Some(id(r.from)),
                to: Some(id(r.to)),
                affinity: Some(r.affinity),
                influence: r.influence,
                source: Some(r.source.clone()),
            })
            .collect(),
        shocks: s
            .shocks
            .iter()
            .map(|sh| {
                let mut r = RawShock {
                    step: Some(sh.step as i64),
                    source: Some(sh.source.clone()),
                    ..Default::default()
                };
                let (kind, actor, target, o) = match &sh.action {
                    ShockAction::Stance { actor, op: o } => {
                        ("stance", Some(*actor), None, Some(*o))
                    }
                    ShockAction::Position { actor, op: o } => {
                        ("position", Some(*actor), None, Some(*o))
                    }
                    ShockAction::Affinity {
                        actor,
                        target,
                        op: o,
                    } => ("affinity", Some(*actor), Some(*target), Some(*o)),
                    ShockAction::Posture { actor, op: o } => {
                        ("posture", Some(*actor), None, Some(*o))
                    }
                    ShockAction::Event {
                        actor,
                        target,
                        code,
                    } => {
                        r.code = Some(crate::model::CATALOGUE[*code].code.to_string());
                        ("event", Some(*actor), Some(*target), None)
                    }
                    ShockAction::Office { status } => {
                        r.status = Some(status.name().to_string());
                        ("office", None, None, None)
                    }
                };
                r.kind = Some(kind.to_string());
                r.actor = actor.map(id);
                r.target = target.map(id);
                if let Some(o) = o {
                    (r.set, r.add) = op(o);
                }
                r
            })
            .collect(),
        sensitivity: (!s.sensitivity.ranges.is_empty()).then(|| raw::RawSensitivity {
            samples: Some(s.sensitivity.samples as i64),
            runs: Some(s.sensitivity.runs as i64),
            ranges: Some(
                s.sensitivity
                    .ranges
                    .iter()
                    .map(|(k, a, b)| (k.clone(), vec![*a, *b]))
                    .collect(),
            ),
            source: (!s.sensitivity.source.is_empty()).then(|| s.sensitivity.source.clone()),
        }),
    }
}

/// The resolved scenario as TOML text; loading it gives back the same scenario.
pub fn to_toml(s: &Scenario) -> Result<String> {
    let header = format!(
        "# Resolved scenario `{}`: every key explicit, inheritance and overrides applied.\n\
         # `diplosim run <this file>` reproduces the run.\n\n",
        s.name
    );
    let body = toml::to_string(&to_raw(s))
        .map_err(|e| Error::Run(format!("cannot write the resolved scenario: {e}")))?;
    Ok(header + &body)
}
