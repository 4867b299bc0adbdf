//! Checks of one file on its own (types are already checked by serde): ranges, finiteness, id
//! formats, duplicates. References between files wait for [`super::resolve`].

use super::names::{is_id, is_name};
use super::raw::RawFile;
use super::source::{KeyPath, Seg, SourceText};
use super::{ACTOR_KEYS, MAX_ACTORS, MAX_RUNS, MAX_SHOCKS, MAX_STEPS};
use crate::error::{suggest, Diagnostic};
use crate::model::params::RawValue;
use crate::model::{code_index, Status, CATALOGUE, PARAM_SPECS};

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
