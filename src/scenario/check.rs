//! Checks of one file on its own (types are already checked by serde): ranges, finiteness, id
//! formats, duplicates. References between files wait for [`super::resolve`].

mod observations;
mod questions;
mod shocks;

use super::keys::{shown_order, ACTOR_KEYS, RELATION_KEYS};
use super::names::{is_id, is_name};
use super::raw::{
    RawActor, RawElection, RawFile, RawIssue, RawMeta, RawModel, RawRelation, RawSensitivity,
    RawShock,
};
use super::source::{KeyPath, Seg, SourceText};
use super::unknown_keys::fields_of;
use super::{MAX_ACTORS, MAX_RUNS, MAX_SHOCKS, MAX_STEPS};
use crate::error::{suggest, Diagnostic};
use crate::model::params::{Bounds, RawValue};
use crate::model::{code_index, Status, CATALOGUE, PARAM_SPECS};

struct Checker<'a> {
    src: &'a SourceText,
    diags: &'a mut Vec<Diagnostic>,
}

impl Checker<'_> {
    fn err(&mut self, path: &KeyPath, msg: String) {
        self.diags.push(self.src.at(path, msg));
    }
    fn err_help(&mut self, path: &KeyPath, msg: String, help: Option<String>) {
        let mut d = self.src.at(path, msg);
        d.help = help;
        self.diags.push(d);
    }
    fn num(&mut self, path: KeyPath, v: Option<f64>, r: Bounds) {
        let Some(x) = v else { return };
        if !x.is_finite() {
            self.err(&path, format!("must be a finite number, got {x}"));
        } else if !r.holds(x) {
            let key = path.0.last().map(|s| match s {
                Seg::Key(k) => k.clone(),
                Seg::Index(_) => String::new(),
            });
            self.err(
                &path,
                format!(
                    "{} must be in {}, got {x}",
                    key.unwrap_or_default(),
                    r.text()
                ),
            );
        }
    }
    fn int(&mut self, path: KeyPath, v: Option<i64>, lo: i64, hi: i64) {
        let Some(x) = v else { return };
        if x < lo || x > hi {
            let key = match path.0.last() {
                Some(Seg::Key(k)) => k.clone(),
                _ => String::new(),
            };
            self.err(
                &path,
                format!("{key} must be an integer in [{lo}, {hi}], got {x}"),
            );
        }
    }
    fn id(&mut self, path: KeyPath, v: Option<&String>) {
        let Some(s) = v else { return };
        if !is_id(s) {
            self.err(&path, format!("`{s}` is not an id: use lowercase letters, digits and `_`, starting with a letter (at most 32)"));
        }
    }
    fn text(&mut self, path: KeyPath, v: Option<&String>, max: usize) {
        let Some(s) = v else { return };
        if s.chars().count() > max {
            self.err(&path, format!("text longer than {max} characters"));
        }
        // Descriptions and sources may span lines; no text may carry other control characters
        // (terminal escapes, bells, NUL), which would reach the terminal, SVG and HTML.
        let multiline = matches!(path.0.last(), Some(Seg::Key(k)) if k == "description" || k == "source")
            || path.0.iter().any(|s| *s == Seg::Key("sources".into()));
        if let Some(c) = s
            .chars()
            .find(|&c| c.is_control() && !(multiline && (c == '\n' || c == '\t' || c == '\r')))
        {
            self.err(
                &path,
                format!(
                    "text contains the control character {}: remove it{}",
                    c.escape_unicode(),
                    if multiline {
                        ""
                    } else {
                        " (this text is one line)"
                    }
                ),
            );
        }
        if let Some(c) = s.chars().find(|&c| crate::error::is_invisible_format(c)) {
            self.err(
                &path,
                format!(
                    "text contains the invisible formatting character {} (a bidirectional control, zero-width character or the like, which can disguise what is shown): remove it",
                    c.escape_unicode()
                ),
            );
        }
    }

    /// Every `source` of a file: text without control characters.
    fn sources(&mut self, f: &RawFile) {
        let src = |t: &str| KeyPath::root(t).key("source");
        if let Some(i) = &f.issue {
            self.text(src("issue"), i.source.as_ref(), 4000);
        }
        if let Some(x) = &f.sensitivity {
            self.text(src("sensitivity"), x.source.as_ref(), 4000);
        }
        for (ix, a) in f.actors.iter().enumerate() {
            let p = || KeyPath::root("actor").index(ix);
            self.text(p().key("source"), a.source.as_ref(), 4000);
            for (k, v) in a.sources.iter().flatten() {
                self.text(p().key("sources").key(k), Some(v), 4000);
            }
        }
        for (ix, r) in f.relations.iter().enumerate() {
            let p = KeyPath::root("relation").index(ix).key("source");
            self.text(p, r.source.as_ref(), 4000);
        }
        for (ix, x) in f.shocks.iter().enumerate() {
            let p = KeyPath::root("shock").index(ix).key("source");
            self.text(p, x.source.as_ref(), 4000);
        }
    }

    /// `[scenario]`: names, texts, run length.
    fn meta(&mut self, m: &RawMeta) {
        let p = || KeyPath::root("scenario");
        if let Some(n) = &m.name {
            if !is_name(n) {
                self.err(&p().key("name"), format!("`{n}` is not a scenario name: use lowercase letters, digits, `_` and `-` (at most 64); it names the output folder"));
            }
        }
        if let Some(n) = &m.extends {
            if !is_name(n) {
                self.err(&p().key("extends"), format!("`{n}` is not a scenario name: give the parent's name (its file stem), not a path"));
            }
        }
        self.text(p().key("title"), m.title.as_ref(), 200);
        self.text(p().key("description"), m.description.as_ref(), 4000);
        self.int(p().key("steps"), m.steps, 1, MAX_STEPS);
        self.int(p().key("seed"), m.seed, 0, i64::MAX);
        self.int(p().key("runs"), m.runs, 1, MAX_RUNS);
        if let Some(u) = &m.step_unit {
            if u.is_empty() || u.len() > 20 || !u.chars().all(|c| c.is_ascii_alphabetic()) {
                self.err(
                    &p().key("step_unit"),
                    format!("step_unit must be a word such as `week`, got `{u}`"),
                );
            }
        }
    }

    /// `[model]`: each key in the range its spec gives.
    fn model(&mut self, m: &RawModel) {
        let p = || KeyPath::root("model");
        for (spec, v) in PARAM_SPECS.iter().zip(m.values()) {
            let path = p().key(spec.key);
            let b = spec.bounds;
            match v {
                None => {}
                Some(RawValue::Int(x)) => self.int(path, Some(x), b.min as i64, b.max as i64),
                Some(RawValue::Real(x)) => self.num(path, Some(x), b),
            }
        }
    }

    /// `[sensitivity]`: sizes, and ranges that name `--set` keys.
    fn sensitivity(&mut self, sens: &RawSensitivity) {
        let p = || KeyPath::root("sensitivity");
        self.int(p().key("samples"), sens.samples, 8, 100_000);
        self.int(p().key("runs"), sens.runs, 1, 100_000);
        for (k, v) in sens.ranges.iter().flatten() {
            let path = p().key("ranges").key(k);
            // A key is dotted segments of lowercase letters, digits and `_`, exactly as `--set`
            // takes it: nothing after it (`=`, spaces, `#`) can reach the point's overrides.
            let shaped = k.split('.').count() >= 2
                && k.split('.').all(|s| {
                    !s.is_empty()
                        && s.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                });
            if !shaped {
                self.err(&path, format!("`{}` is not a --set key: dotted names of lowercase letters, digits and `_` (model.KEY, actor.ID.KEY, relation.FROM.TO.KEY, issue.KEY, scenario.KEY)", crate::error::terminal_text(k, 80)));
            } else if !(k.starts_with("scenario.")
                || k.starts_with("model.")
                || k.starts_with("issue.")
                || k.starts_with("actor.")
                || k.starts_with("relation."))
            {
                self.err(&path, format!("`{k}` is not a --set key (model.KEY, actor.ID.KEY, relation.FROM.TO.KEY, issue.KEY, scenario.KEY)"));
            } else if v.len() != 2 || !v.iter().all(|x| x.is_finite()) || v[0] >= v[1] {
                self.err(
                    &path,
                    format!("a range is [min, max] with finite min < max, got {v:?}"),
                );
            }
        }
    }

    /// `[issue]`: ids and vote timing.
    fn issue(&mut self, i: &RawIssue) {
        let p = || KeyPath::root("issue");
        self.id(p().key("body"), i.body.as_ref());
        self.id(p().key("host"), i.host.as_ref());
        self.num(p().key("threshold"), i.threshold, SIGNED);
        self.int(p().key("first_vote"), i.first_vote, 1, MAX_STEPS);
        self.int(p().key("vote_interval"), i.vote_interval, 1, MAX_STEPS);
        self.int(p().key("setup_steps"), i.setup_steps, 0, MAX_STEPS);
        self.id(p().key("proposer"), i.proposer.as_ref());
        self.text(p().key("substitute"), i.substitute.as_ref(), 200);
    }

    /// `[[election]]`: step, actor, probability, the changes a new government makes, a source.
    fn elections(&mut self, elections: &[RawElection]) {
        if elections.len() > MAX_SHOCKS {
            self.err(
                &KeyPath::root("election"),
                format!(
                    "{} elections; a scenario may have at most {MAX_SHOCKS}",
                    elections.len()
                ),
            );
        }
        for (ix, e) in elections.iter().enumerate() {
            let p = || KeyPath::root("election").index(ix);
            for (key, missing, help) in [
                ("step", e.step.is_none(), "the week the election is held, e.g. `step = 26`"),
                ("actor", e.actor.is_none(), "the id of the actor whose government may change"),
                (
                    "probability",
                    e.probability.is_none(),
                    "the chance the government changes, in [0, 1], known before t0: pre-election polls or betting (codebook V4), else the Archigos base rate, `probability = 0.47`",
                ),
                ("source", e.source.is_none(), "where the date and the probability come from"),
            ] {
                if missing {
                    self.err_help(
                        &p(),
                        format!("an election needs `{key}`"),
                        Some(help.to_string()),
                    );
                }
            }
            self.int(p().key("step"), e.step, 1, MAX_STEPS);
            self.id(p().key("actor"), e.actor.as_ref());
            self.num(
                p().key("probability"),
                e.probability,
                Bounds::closed(0.0, 1.0),
            );
            self.num(p().key("stance"), e.stance, Bounds::closed(-2.0, 2.0));
            self.num(p().key("news"), e.news, Bounds::closed(0.0, 10.0));
            for (k, v) in e.affinity.iter().flatten() {
                self.id(p().key("affinity").key(k), Some(k));
                self.num(
                    p().key("affinity").key(k),
                    Some(*v),
                    Bounds::closed(-2.0, 2.0),
                );
            }
            self.text(p().key("what"), e.what.as_ref(), 200);
            self.text(p().key("source"), e.source.as_ref(), 4000);
        }
    }

    /// `[[actor]]`: count, ids, duplicates, ranges, per-key sources.
    fn actors(&mut self, actors: &[RawActor]) {
        if actors.len() > MAX_ACTORS {
            self.err(
                &KeyPath::root("actor"),
                format!(
                    "{} actors; a scenario may have at most {MAX_ACTORS}",
                    actors.len()
                ),
            );
        }
        let mut seen = std::collections::HashSet::new();
        for (ix, a) in actors.iter().enumerate() {
            let p = || KeyPath::root("actor").index(ix);
            match &a.id {
                None => self.err(&p(), "actor has no `id`".into()),
                Some(id) => {
                    self.id(p().key("id"), Some(id));
                    if !seen.insert(id.as_str()) {
                        self.err(
                            &p().key("id"),
                            format!("duplicate actor id `{id}` in this file"),
                        );
                    }
                }
            }
            self.text(p().key("name"), a.name.as_ref(), 100);
            for k in ACTOR_KEYS {
                self.num(p().key(k.key), (k.raw)(a), k.bounds);
            }
            if let Some(ms) = &a.member_of {
                for (k, m) in ms.iter().enumerate() {
                    self.id(p().key("member_of").index(k), Some(m));
                }
            }
            if let Some(srcs) = &a.sources {
                for k in srcs.keys() {
                    if !fields_of::<RawActor>().contains(&k.as_str())
                        || k == "sources"
                        || k == "source"
                        || k == "id"
                    {
                        self.err_help(
                            &p().key("sources").key(k),
                            format!("`{k}` is not an actor key, so it cannot have a source"),
                            suggest(k, fields_of::<RawActor>().iter().copied())
                                .map(|s| format!("did you mean `{s}`?")),
                        );
                    }
                }
            }
        }
    }

    /// `[[relation]]`: ends, duplicates, ranges.
    fn relations(&mut self, relations: &[RawRelation]) {
        let mut seen = std::collections::HashSet::new();
        for (ix, r) in relations.iter().enumerate() {
            let p = || KeyPath::root("relation").index(ix);
            self.id(p().key("from"), r.from.as_ref());
            self.id(p().key("to"), r.to.as_ref());
            if r.from.is_none() {
                self.err(&p(), "relation has no `from`".into());
            }
            if r.to.is_none() {
                self.err(&p(), "relation has no `to`".into());
            }
            if r.from.is_some() && r.from == r.to {
                self.err(
                &p().key("to"),
                "a relation needs two different actors (self weight is the actor's `self_weight`)"
                    .into(),
            );
            }
            if !seen.insert((r.from.as_deref(), r.to.as_deref())) {
                self.err(
                    &p(),
                    format!(
                        "duplicate relation {} → {} in this file",
                        r.from.as_deref().unwrap_or("?"),
                        r.to.as_deref().unwrap_or("?")
                    ),
                );
            }
            for k in shown_order(RELATION_KEYS) {
                self.num(p().key(k.key), (k.raw)(r), k.bounds);
            }
        }
    }
}

/// "a" or "an" before a shock kind.
fn art(kind: &str) -> &'static str {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

const SIGNED: Bounds = Bounds::closed(-1.0, 1.0);
/// Shock kinds.
const KINDS: [&str; 6] = [
    "stance", "position", "affinity", "posture", "event", "office",
];

/// Check one file on its own. Problems are appended to `diags`.
pub fn check_file(src: &SourceText, f: &RawFile, diags: &mut Vec<Diagnostic>) {
    let mut c = Checker { src, diags };
    if let Some(m) = &f.scenario {
        c.meta(m);
    }
    if let Some(m) = &f.model {
        c.model(m);
    }
    if let Some(sens) = &f.sensitivity {
        c.sensitivity(sens);
    }
    if let Some(i) = &f.issue {
        c.issue(i);
    }
    c.actors(&f.actors);
    c.relations(&f.relations);
    c.shocks(&f.shocks);
    c.elections(&f.elections);
    c.observations(&f.observations);
    c.questions(&f.questions);
    c.sources(f);
}
