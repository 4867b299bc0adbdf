//! Checks. [`check_file`] looks at one file on its own (types are already checked by serde):
//! ranges, finiteness, id formats, duplicates. [`resolve`] looks at the merged chain: required
//! keys, references between actors, relations, shocks and the issue, and warnings.

use super::raw::{RawActor, RawFile};
use super::source::{KeyPath, SourceText};
use super::*;
use crate::error::Diagnostic;
use crate::model::params::RawValue;
use crate::model::{code_index, CATALOGUE, PARAM_SPECS};

/// A scenario or parent name: lowercase letters, digits, `_` and `-`, starting with a letter or
/// digit, at most 64 characters. Such a name can never leave the output root.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.len() <= 64
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// A file stem made safe as a scenario name.
pub fn sanitize_name(stem: &str) -> String {
    let s: String = stem
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    if is_name(&s) {
        s
    } else {
        format!("s{}", &s[..s.len().min(63)])
    }
}

/// An actor id: `[a-z][a-z0-9_]*`, at most 32 characters.
pub fn is_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && s.len() <= 32
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The keys a raw actor names (for provenance of overrides).
pub fn named_keys(a: &RawActor) -> Vec<&'static str> {
    let mut v = Vec::new();
    macro_rules! k { ($($f:ident),*) => { $( if a.$f.is_some() { v.push(stringify!($f)); } )* } }
    k!(
        name,
        capability,
        stance,
        salience,
        stubbornness,
        posture,
        reactivity,
        fatigue,
        grievance,
        self_weight,
        member_of
    );
    v
}

struct Checker<'a> {
    src: &'a SourceText,
    diags: &'a mut Vec<Diagnostic>,
}

/// A range: lower bound, upper bound, whether the lower bound is excluded.
#[derive(Clone, Copy)]
struct Range(f64, f64, bool);

impl Range {
    fn text(self) -> String {
        let lo = if self.2 { "(" } else { "[" };
        let fmt = |x: f64| {
            if x == f64::MAX {
                "∞".to_string()
            } else {
                format!("{x}")
            }
        };
        format!("{lo}{}, {}]", fmt(self.0), fmt(self.1))
    }
    fn holds(self, x: f64) -> bool {
        (if self.2 { x > self.0 } else { x >= self.0 }) && x <= self.1
    }
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
    fn num(&mut self, path: KeyPath, v: Option<f64>, r: Range) {
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
    }
}

use super::source::Seg;

/// "a" or "an" before a shock kind.
fn art(kind: &str) -> &'static str {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

const UNIT: Range = Range(0.0, 1.0, false);
const SIGNED: Range = Range(-1.0, 1.0, false);

/// Check one file on its own. Problems are appended to `diags`.
pub fn check_file(src: &SourceText, f: &RawFile, diags: &mut Vec<Diagnostic>) {
    let mut c = Checker { src, diags };
    if let Some(m) = &f.scenario {
        let p = || KeyPath::root("scenario");
        if let Some(n) = &m.name {
            if !is_name(n) {
                c.err(&p().key("name"), format!("`{n}` is not a scenario name: use lowercase letters, digits, `_` and `-` (at most 64); it names the output folder"));
            }
        }
        if let Some(n) = &m.extends {
            if !is_name(n) {
                c.err(&p().key("extends"), format!("`{n}` is not a scenario name: give the parent's name (its file stem), not a path"));
            }
        }
        c.text(p().key("title"), m.title.as_ref(), 200);
        c.text(p().key("description"), m.description.as_ref(), 4000);
        c.int(p().key("steps"), m.steps, 1, MAX_STEPS);
        c.int(p().key("seed"), m.seed, 0, i64::MAX);
        c.int(p().key("runs"), m.runs, 1, MAX_RUNS);
        if let Some(u) = &m.step_unit {
            if u.is_empty() || u.len() > 20 || !u.chars().all(|c| c.is_ascii_alphabetic()) {
                c.err(
                    &p().key("step_unit"),
                    format!("step_unit must be a word such as `week`, got `{u}`"),
                );
            }
        }
    }
    if let Some(m) = &f.model {
        let p = || KeyPath::root("model");
        for (spec, v) in PARAM_SPECS.iter().zip(m.values()) {
            let path = p().key(spec.key);
            let b = spec.bounds;
            match v {
                None => {}
                Some(RawValue::Int(x)) => c.int(path, Some(x), b.min as i64, b.max as i64),
                Some(RawValue::Real(x)) => c.num(path, Some(x), Range(b.min, b.max, b.open_low)),
            }
        }
    }
    if let Some(sens) = &f.sensitivity {
        let p = || KeyPath::root("sensitivity");
        c.int(p().key("samples"), sens.samples, 8, 100_000);
        c.int(p().key("runs"), sens.runs, 1, 100_000);
        for (k, v) in sens.ranges.iter().flatten() {
            let path = p().key("ranges").key(k);
            if !(k.starts_with("scenario.")
                || k.starts_with("model.")
                || k.starts_with("issue.")
                || k.starts_with("actor.")
                || k.starts_with("relation."))
            {
                c.err(&path, format!("`{k}` is not a --set key (model.KEY, actor.ID.KEY, relation.FROM.TO.KEY, issue.KEY, scenario.KEY)"));
            } else if v.len() != 2 || !v.iter().all(|x| x.is_finite()) || v[0] >= v[1] {
                c.err(
                    &path,
                    format!("a range is [min, max] with finite min < max, got {v:?}"),
                );
            }
        }
    }
    if let Some(i) = &f.issue {
        let p = || KeyPath::root("issue");
        c.id(p().key("body"), i.body.as_ref());
        c.id(p().key("host"), i.host.as_ref());
        c.num(p().key("threshold"), i.threshold, SIGNED);
        c.int(p().key("first_vote"), i.first_vote, 1, MAX_STEPS);
        c.int(p().key("vote_interval"), i.vote_interval, 1, MAX_STEPS);
        c.int(p().key("setup_steps"), i.setup_steps, 0, MAX_STEPS);
    }
    if f.actors.len() > MAX_ACTORS {
        c.err(
            &KeyPath::root("actor"),
            format!(
                "{} actors; a scenario may have at most {MAX_ACTORS}",
                f.actors.len()
            ),
        );
    }
    for (ix, a) in f.actors.iter().enumerate() {
        let p = || KeyPath::root("actor").index(ix);
        match &a.id {
            None => c.err(&p(), "actor has no `id`".into()),
            Some(id) => {
                c.id(p().key("id"), Some(id));
                if f.actors[..ix].iter().any(|b| b.id.as_ref() == Some(id)) {
                    c.err(
                        &p().key("id"),
                        format!("duplicate actor id `{id}` in this file"),
                    );
                }
            }
        }
        c.text(p().key("name"), a.name.as_ref(), 100);
        c.num(p().key("capability"), a.capability, Range(0.0, 1.0, true));
        c.num(p().key("stance"), a.stance, SIGNED);
        c.num(p().key("salience"), a.salience, UNIT);
        c.num(p().key("stubbornness"), a.stubbornness, UNIT);
        c.num(p().key("posture"), a.posture, Range(0.0, 1000.0, false));
        c.num(p().key("reactivity"), a.reactivity, Range(0.0, 10.0, false));
        c.num(p().key("fatigue"), a.fatigue, UNIT);
        c.num(p().key("grievance"), a.grievance, Range(0.0, 100.0, false));
        c.num(
            p().key("self_weight"),
            a.self_weight,
            Range(0.0, 1000.0, false),
        );
        if let Some(ms) = &a.member_of {
            for (k, m) in ms.iter().enumerate() {
                c.id(p().key("member_of").index(k), Some(m));
            }
        }
        if let Some(srcs) = &a.sources {
            for k in srcs.keys() {
                if !ACTOR_KEYS.contains(&k.as_str()) || k == "sources" || k == "source" || k == "id"
                {
                    c.err_help(
                        &p().key("sources").key(k),
                        format!("`{k}` is not an actor key, so it cannot have a source"),
                        suggest(k, ACTOR_KEYS.iter().copied())
                            .map(|s| format!("did you mean `{s}`?")),
                    );
                }
            }
        }
    }
    for (ix, r) in f.relations.iter().enumerate() {
        let p = || KeyPath::root("relation").index(ix);
        c.id(p().key("from"), r.from.as_ref());
        c.id(p().key("to"), r.to.as_ref());
        if r.from.is_none() {
            c.err(&p(), "relation has no `from`".into());
        }
        if r.to.is_none() {
            c.err(&p(), "relation has no `to`".into());
        }
        if r.from.is_some() && r.from == r.to {
            c.err(
                &p().key("to"),
                "a relation needs two different actors (self weight is the actor's `self_weight`)"
                    .into(),
            );
        }
        if f.relations[..ix]
            .iter()
            .any(|q| q.from == r.from && q.to == r.to)
        {
            c.err(
                &p(),
                format!(
                    "duplicate relation {} → {} in this file",
                    r.from.as_deref().unwrap_or("?"),
                    r.to.as_deref().unwrap_or("?")
                ),
            );
        }
        c.num(p().key("affinity"), r.affinity, SIGNED);
        c.num(p().key("influence"), r.influence, Range(0.0, 1000.0, false));
    }
    if f.shocks.len() > MAX_SHOCKS {
        c.err(
            &KeyPath::root("shock"),
            format!(
                "{} shocks; a scenario may have at most {MAX_SHOCKS}",
                f.shocks.len()
            ),
        );
    }
    const KINDS: [&str; 6] = [
        "stance", "position", "affinity", "posture", "event", "office",
    ];
    for (ix, s) in f.shocks.iter().enumerate() {
        let p = || KeyPath::root("shock").index(ix);
        if s.step.is_none() {
            c.err(&p(), "shock has no `step`".into());
        }
        c.int(p().key("step"), s.step, 1, MAX_STEPS);
        c.id(p().key("actor"), s.actor.as_ref());
        c.id(p().key("target"), s.target.as_ref());
        let Some(kind) = &s.kind else {
            c.err(
                &p(),
                format!("shock has no `kind` (one of {})", KINDS.join(", ")),
            );
            continue;
        };
        if !KINDS.contains(&kind.as_str()) {
            c.err_help(
                &p().key("kind"),
                format!(
                    "unknown shock kind `{kind}`; expected one of {}",
                    KINDS.join(", ")
                ),
                suggest(kind, KINDS).map(|s| format!("did you mean `{s}`?")),
            );
            continue;
        }
        let needs_value = matches!(
            kind.as_str(),
            "stance" | "position" | "affinity" | "posture"
        );
        if needs_value {
            match (s.set, s.add) {
                (None, None) => c.err(
                    &p(),
                    format!(
                        "{} `{kind}` shock needs `set = VALUE` or `add = VALUE`",
                        art(kind)
                    ),
                ),
                (Some(_), Some(_)) => {
                    c.err(&p().key("add"), "give `set` or `add`, not both".into())
                }
                _ => {}
            }
            let (set_r, add_r) = match kind.as_str() {
                "posture" => (Range(0.0, 1000.0, false), Range(-1000.0, 1000.0, false)),
                _ => (SIGNED, Range(-2.0, 2.0, false)),
            };
            c.num(p().key("set"), s.set, set_r);
            c.num(p().key("add"), s.add, add_r);
        } else {
            for (k, present) in [("set", s.set.is_some()), ("add", s.add.is_some())] {
                if present {
                    c.err(
                        &p().key(k),
                        format!("{} `{kind}` shock takes no `{k}`", art(kind)),
                    );
                }
            }
        }
        if s.actor.is_none() && kind != "office" {
            c.err(&p(), format!("{} `{kind}` shock needs `actor`", art(kind)));
        }
        if matches!(kind.as_str(), "affinity" | "event") {
            if s.target.is_none() {
                c.err(&p(), format!("{} `{kind}` shock needs `target`", art(kind)));
            } else if s.target == s.actor {
                c.err(
                    &p().key("target"),
                    format!(
                        "{} `{kind}` shock needs a target other than its actor",
                        art(kind)
                    ),
                );
            }
        } else if s.target.is_some() {
            c.err(
                &p().key("target"),
                format!("{} `{kind}` shock takes no `target`", art(kind)),
            );
        }
        match (kind.as_str(), &s.code) {
            ("event", None) => c.err(
                &p(),
                "an `event` shock needs `code` (a CAMEO code, e.g. \"150\")".into(),
            ),
            ("event", Some(code)) if code_index(code).is_none() => c.err_help(
                &p().key("code"),
                format!("`{code}` is not a code of the catalogue"),
                suggest(code, CATALOGUE.iter().map(|c| c.code))
                    .map(|s| format!("did you mean `{s}`? `diplosim show` lists the catalogue")),
            ),
            (k, Some(_)) if k != "event" => c.err(
                &p().key("code"),
                format!("{} `{kind}` shock takes no `code`", art(kind)),
            ),
            _ => {}
        }
        match (kind.as_str(), &s.status) {
            ("office", None) => c.err(
                &p(),
                "an `office` shock needs `status` (proposed, postponed, approved, opened)".into(),
            ),
            ("office", Some(st)) if Status::parse(st).is_none() => c.err_help(
                &p().key("status"),
                format!("unknown status `{st}`; expected proposed, postponed, approved or opened"),
                suggest(st, Status::ALL.iter().map(|s| s.name()))
                    .map(|s| format!("did you mean `{s}`?")),
            ),
            (k, Some(_)) if k != "office" => c.err(
                &p().key("status"),
                format!("{} `{kind}` shock takes no `status`", art(kind)),
            ),
            _ => {}
        }
    }
}

/// Check the merged chain and build the scenario.
pub(crate) fn resolve(m: Merged, sources: &[SourceText]) -> Result<Scenario> {
    let mut diags: Vec<Diagnostic> = Vec::new();
    let at = |o: Origin, table: &str, key: Option<&str>, msg: String| -> Diagnostic {
        let mut p = KeyPath::root(table).index(o.index);
        if let Some(k) = key {
            p = p.key(k);
        }
        sources[o.file].at(&p, msg)
    };
    let leaf = &sources[0];
    let ids: Vec<String> = m
        .actors
        .iter()
        .map(|(a, _)| a.id.clone().unwrap_or_default())
        .collect();
    let lookup = |id: &str| ids.iter().position(|x| x == id).map(|i| ActorId(i as u16));
    let unknown = |o: Origin, table: &str, key: &str, id: &str| -> Diagnostic {
        let mut d = at(o, table, Some(key), format!("unknown actor `{id}`"));
        d.help =
            suggest(id, ids.iter().map(|s| s.as_str())).map(|s| format!("did you mean `{s}`?"));
        if d.help.is_none() {
            d.help = Some(format!("actors are: {}", ids.join(", ")));
        }
        d
    };
    if m.actors.is_empty() {
        diags.push(leaf.at(
            &KeyPath::root("actor"),
            "a scenario needs at least one [[actor]]",
        ));
    }
    if m.actors.len() > MAX_ACTORS {
        diags.push(leaf.at(
            &KeyPath::root("actor"),
            format!(
                "{} actors; a scenario may have at most {MAX_ACTORS}",
                m.actors.len()
            ),
        ));
    }
    if m.shocks.len() > MAX_SHOCKS {
        diags.push(leaf.at(
            &KeyPath::root("shock"),
            format!(
                "{} shocks; a scenario may have at most {MAX_SHOCKS}",
                m.shocks.len()
            ),
        ));
    }
    let mut actors = Vec::new();
    for (a, o) in &m.actors {
        let missing: Vec<&str> = [
            ("name", a.name.is_none()),
            ("capability", a.capability.is_none()),
            ("stance", a.stance.is_none()),
            ("salience", a.salience.is_none()),
            ("source", a.source.is_none()),
        ]
        .into_iter()
        .filter(|(_, m)| *m)
        .map(|(k, _)| k)
        .collect();
        if !missing.is_empty() {
            diags.push(at(
                *o,
                "actor",
                None,
                format!(
                    "actor `{}` is missing required key{} {}",
                    a.id.as_deref().unwrap_or("?"),
                    if missing.len() > 1 { "s" } else { "" },
                    missing
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
            continue;
        }
        actors.push(Actor {
            id: a.id.clone().unwrap_or_default(),
            name: a.name.clone().unwrap_or_default(),
            capability: a.capability.unwrap_or(1.0),
            stance: a.stance.unwrap_or(0.0),
            salience: a.salience.unwrap_or(0.0),
            stubbornness: a.stubbornness.unwrap_or(actor_default("stubbornness")),
            posture: a.posture.unwrap_or(actor_default("posture")),
            reactivity: a.reactivity.unwrap_or(actor_default("reactivity")),
            fatigue: a.fatigue.unwrap_or(actor_default("fatigue")),
            grievance: a.grievance.unwrap_or(actor_default("grievance")),
            self_weight: a.self_weight,
            member_of: a.member_of.clone().unwrap_or_default(),
            source: a.source.clone().unwrap_or_default(),
            sources: a.sources.clone().unwrap_or_default(),
        });
    }
    let mut relations = Vec::new();
    for (r, o) in &m.relations {
        let (Some(from), Some(to)) = (&r.from, &r.to) else {
            continue;
        };
        let f = lookup(from);
        let t = lookup(to);
        if f.is_none() {
            diags.push(unknown(*o, "relation", "from", from));
        }
        if t.is_none() {
            diags.push(unknown(*o, "relation", "to", to));
        }
        if r.source.is_none() {
            diags.push(at(
                *o,
                "relation",
                None,
                format!("relation {from} → {to} is missing required key `source`"),
            ));
        }
        if r.affinity.is_none() && r.influence.is_none() {
            diags.push(at(
                *o,
                "relation",
                None,
                format!("relation {from} → {to} gives neither `affinity` nor `influence`"),
            ));
        }
        if let (Some(f), Some(t)) = (f, t) {
            relations.push(Relation {
                from: f,
                to: t,
                affinity: r.affinity.unwrap_or(0.0),
                influence: r.influence,
                source: r.source.clone().unwrap_or_default(),
            });
        }
    }
    // Explicit rows must not sum to zero.
    for (ai, (a, o)) in m.actors.iter().enumerate() {
        let explicit_out: Vec<f64> = relations
            .iter()
            .filter(|r| r.from.ix() == ai)
            .filter_map(|r| r.influence)
            .collect();
        if a.self_weight.is_some() || !explicit_out.is_empty() {
            let self_w = a.self_weight.or(a.capability).unwrap_or(0.0);
            let sum: f64 = self_w + explicit_out.iter().sum::<f64>();
            if sum <= 0.0 {
                diags.push(at(*o, "actor", Some("self_weight"), format!(
                    "the influence row of `{}` sums to 0: give `self_weight` > 0 or an `influence` > 0 on one of its relations",
                    a.id.as_deref().unwrap_or("?")
                )));
            }
        }
    }
    // The issue.
    let issue_src = m.issue_file.map(|f| &sources[f]).unwrap_or(leaf);
    let ip = |k: &str| KeyPath::root("issue").key(k);
    let body = m.issue.body.clone();
    let host = m.issue.host.clone();
    if body.is_none() {
        diags.push(issue_src.at(
            &KeyPath::root("issue"),
            "[issue] needs `body` (the deciding body, e.g. \"nato\")",
        ));
    }
    let host_id = match &host {
        None => {
            diags.push(issue_src.at(
                &KeyPath::root("issue"),
                "[issue] needs `host` (the actor that hosts the office)",
            ));
            None
        }
        Some(h) => {
            let id = lookup(h);
            if id.is_none() {
                let mut d = issue_src.at(&ip("host"), format!("unknown actor `{h}`"));
                d.help = suggest(h, ids.iter().map(|s| s.as_str()))
                    .map(|s| format!("did you mean `{s}`?"));
                diags.push(d);
            }
            id
        }
    };
    // Shocks.
    let steps = m.meta.steps.unwrap_or(104).max(1) as usize;
    let mut shocks = Vec::new();
    let mut warnings = Vec::new();
    for (s, o) in &m.shocks {
        let (Some(kind), Some(step)) = (&s.kind, s.step) else {
            continue;
        };
        let actor = match &s.actor {
            Some(a) => match lookup(a) {
                Some(x) => Some(x),
                None => {
                    diags.push(unknown(*o, "shock", "actor", a));
                    continue;
                }
            },
            None => None,
        };
        let target = match &s.target {
            Some(a) => match lookup(a) {
                Some(x) => Some(x),
                None => {
                    diags.push(unknown(*o, "shock", "target", a));
                    continue;
                }
            },
            None => None,
        };
        let op = match (s.set, s.add) {
            (Some(v), _) => Some(Op::Set(v)),
            (None, Some(v)) => Some(Op::Add(v)),
            _ => None,
        };
        let action = match (kind.as_str(), actor, target, op) {
            ("stance", Some(actor), _, Some(op)) => ShockAction::Stance { actor, op },
            ("position", Some(actor), _, Some(op)) => ShockAction::Position { actor, op },
            ("affinity", Some(actor), Some(target), Some(op)) => {
                ShockAction::Affinity { actor, target, op }
            }
            ("posture", Some(actor), _, Some(op)) => ShockAction::Posture { actor, op },
            ("event", Some(actor), Some(target), _) => match s.code.as_deref().and_then(code_index)
            {
                Some(code) => ShockAction::Event {
                    actor,
                    target,
                    code,
                },
                None => continue,
            },
            ("office", _, _, _) => match s.status.as_deref().and_then(Status::parse) {
                Some(status) => ShockAction::Office { status },
                None => continue,
            },
            _ => continue,
        };
        if step as usize > steps {
            let mut d = at(
                *o,
                "shock",
                Some("step"),
                format!(
                    "shock at step {step} comes after the last step ({steps}) and will not happen"
                ),
            );
            d.warning = true;
            warnings.push(d);
        }
        shocks.push(Shock {
            step: step as usize,
            action,
            source: s.source.clone().unwrap_or_default(),
        });
    }
    if !diags.is_empty() {
        return Err(Error::Invalid(diags));
    }
    let body = body.unwrap_or_default();
    let host = host_id.unwrap_or(ActorId(0));
    let members: Vec<ActorId> = actors
        .iter()
        .enumerate()
        .filter(|(_, a)| a.id == body || a.member_of.iter().any(|b| *b == body))
        .map(|(i, _)| ActorId(i as u16))
        .collect();
    if members.is_empty() {
        let mut d = issue_src.at(&ip("body"), format!(
            "body `{body}` has no members (no actor is `{body}` or has it in `member_of`): every vote approves"
        ));
        d.warning = true;
        warnings.push(d);
    }
    for (i, a) in actors.iter().enumerate() {
        if actors.len() > 1 && !relations.iter().any(|r| r.from.ix() == i || r.to.ix() == i) {
            let mut d = at(
                m.actors[i].1,
                "actor",
                Some("id"),
                format!(
                "actor `{}` has no relations: it neither influences nor is influenced by anyone",
                a.id
            ),
            );
            d.warning = true;
            warnings.push(d);
        }
    }
    let params = m.model.to_params();
    let sensitivity = Sensitivity {
        samples: m.sensitivity.samples.unwrap_or(256) as usize,
        runs: m.sensitivity.runs.unwrap_or(16) as usize,
        ranges: m
            .sensitivity
            .ranges
            .iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v[0], v[1]))
            .collect(),
        source: m.sensitivity.source.clone().unwrap_or_default(),
    };
    Ok(Scenario {
        sensitivity,
        name: m.meta.name.clone().unwrap_or_else(|| "scenario".into()),
        title: m.meta.title.clone().unwrap_or_default(),
        description: m.meta.description.clone().unwrap_or_default(),
        extends: m.meta.extends.clone(),
        steps,
        step_unit: m.meta.step_unit.clone().unwrap_or_else(|| "week".into()),
        seed: m.meta.seed.unwrap_or(1) as u64,
        runs: m.meta.runs.unwrap_or(1) as usize,
        params,
        issue: Issue {
            body,
            host,
            threshold: m.issue.threshold.unwrap_or(0.0),
            first_vote: m.issue.first_vote.unwrap_or(1) as usize,
            vote_interval: m.issue.vote_interval.unwrap_or(4) as usize,
            setup_steps: m.issue.setup_steps.unwrap_or(0) as usize,
            members,
            source: m.issue.source.clone().unwrap_or_default(),
        },
        actors,
        relations,
        shocks,
        warnings,
        files: Vec::new(),
    })
}

/// Keys each table accepts, for reporting every unknown key of a file at once (serde stops at
/// the first).
fn known_keys(table: &str) -> Option<Vec<&'static str>> {
    Some(match table {
        "" => vec![
            "scenario",
            "model",
            "issue",
            "actor",
            "relation",
            "shock",
            "sensitivity",
        ],
        "sensitivity" => vec!["samples", "runs", "ranges", "source"],
        "scenario" => vec![
            "name",
            "title",
            "description",
            "extends",
            "steps",
            "step_unit",
            "seed",
            "runs",
        ],
        "model" => PARAM_SPECS.iter().map(|p| p.key).collect(),
        "issue" => vec![
            "body",
            "host",
            "threshold",
            "first_vote",
            "vote_interval",
            "setup_steps",
            "source",
        ],
        "actor" => ACTOR_KEYS.to_vec(),
        "relation" => vec!["from", "to", "affinity", "influence", "source"],
        "shock" => vec![
            "step", "kind", "actor", "target", "set", "add", "code", "status", "source",
        ],
        _ => return None,
    })
}

/// Every unknown key in the file, each located, with a suggestion.
pub fn unknown_keys(src: &SourceText) -> Vec<Diagnostic> {
    use toml::de::{DeTable, DeValue};
    let mut out = Vec::new();
    let Ok(root) = DeTable::parse(&src.text) else {
        return out;
    };
    let mut check = |table: &str, path: &str, t: &DeTable| {
        let Some(known) = known_keys(table) else {
            return;
        };
        for (k, _) in t.iter() {
            let key = k.get_ref().as_ref();
            if !known.contains(&key) {
                let full = if path.is_empty() {
                    key.to_string()
                } else {
                    format!("{path}.{key}")
                };
                let what = if table.is_empty() {
                    "top-level table".to_string()
                } else {
                    format!("[{table}] key")
                };
                let mut d = src.at_span(
                    k.span(),
                    &full,
                    format!(
                        "unknown {what} `{key}`; expected one of {}",
                        known.join(", ")
                    ),
                );
                d.help =
                    suggest(key, known.iter().copied()).map(|s| format!("did you mean `{s}`?"));
                out.push(d);
            }
        }
    };
    check("", "", root.get_ref());
    for (k, v) in root.get_ref().iter() {
        let name = k.get_ref().as_ref();
        match v.get_ref() {
            DeValue::Table(t) => check(name, name, t),
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let DeValue::Table(t) = item.get_ref() {
                        check(name, &format!("{name}[{i}]"), t);
                    }
                }
            }
            _ => {}
        }
    }
    out
}
