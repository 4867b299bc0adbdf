//! Checks of each `[[observation]]` of one file on its own: known metric, stat, op and class
//! (with did-you-mean), the keys the metric needs and no others, a window of two steps in order,
//! a value of the right shape (`between` takes `[lo, hi]` with lo ≤ hi), and a source.

use super::{Checker, MAX_STEPS};
use crate::error::suggest;
use crate::model::{Metric, Scope};
use crate::observe::{Stat, CLASSES, OPS};
use crate::scenario::raw::{RawObsValue, RawObservation};
use crate::scenario::source::KeyPath;
use crate::scenario::MAX_OBSERVATIONS;

/// `metric` names: every timeseries metric, and `events`.
fn metric_names() -> impl Iterator<Item = &'static str> {
    Metric::names().chain(std::iter::once("events"))
}

impl Checker<'_> {
    /// `[[observation]]`: count, then each.
    pub(super) fn observations(&mut self, obs: &[RawObservation]) {
        if obs.len() > MAX_OBSERVATIONS {
            self.err(
                &KeyPath::root("observation"),
                format!(
                    "{} observations; a scenario may have at most {MAX_OBSERVATIONS}",
                    obs.len()
                ),
            );
        }
        for (ix, o) in obs.iter().enumerate() {
            self.observation(ix, o);
        }
    }

    fn observation(&mut self, ix: usize, o: &RawObservation) {
        let p = || KeyPath::root("observation").index(ix);
        self.text(p().key("source"), o.source.as_ref(), 1000);
        if o.source.as_deref().is_none_or(|s| s.trim().is_empty()) {
            self.err(
                &p(),
                "an observation needs `source`: what was observed, and where it is published"
                    .into(),
            );
        }
        self.observed(&p(), o);
    }

    /// What an observation (or a question, which shares its vocabulary) watches: actor ids,
    /// the metric and the keys it takes, the window, and the test.
    pub(super) fn observed(&mut self, p: &KeyPath, o: &RawObservation) {
        self.id(p.clone().key("actor"), o.actor.as_ref());
        self.id(p.clone().key("target"), o.target.as_ref());
        self.observation_metric(p, o);
        self.observation_window(p, o);
        self.observation_test(p, o);
    }

    /// `metric`, and the `actor`, `target` and `class` it takes.
    fn observation_metric(&mut self, p: &KeyPath, o: &RawObservation) {
        let p = || p.clone();
        let Some(name) = &o.metric else {
            self.err(
                &p(),
                format!(
                    "{} needs `metric` (one of {})",
                    noun(&p()),
                    metric_names().collect::<Vec<_>>().join(", ")
                ),
            );
            return;
        };
        let events = name == "events";
        let scope = Metric::parse(name).map(|m| m.scope());
        if !events && scope.is_none() {
            self.err_help(
                &p().key("metric"),
                format!(
                    "unknown metric `{name}`; expected one of {}",
                    metric_names().collect::<Vec<_>>().join(", ")
                ),
                suggest(name, metric_names()).map(|s| format!("did you mean `{s}`?")),
            );
            return;
        }
        if scope == Some(Scope::Actor) && o.actor.is_none() {
            self.err(&p(), format!("metric `{name}` is per actor: give `actor`"));
        }
        if scope == Some(Scope::Region) && o.actor.is_some() {
            self.err(
                &p().key("actor"),
                format!("metric `{name}` is region-wide: it takes no `actor`"),
            );
        }
        for (k, present) in [("target", o.target.is_some()), ("class", o.class.is_some())] {
            if present && !events {
                self.err(
                    &p().key(k),
                    format!("`{k}` is for metric = \"events\" only"),
                );
            }
        }
        if events && o.target.is_some() && o.target == o.actor {
            self.err(
                &p().key("target"),
                "events go between two different actors".into(),
            );
        }
        if let Some(c) = &o.class {
            if !CLASSES.contains(&c.as_str()) {
                self.err_help(
                    &p().key("class"),
                    format!(
                        "unknown event class `{c}`; expected one of {}",
                        CLASSES.join(", ")
                    ),
                    suggest(c, CLASSES).map(|s| format!("did you mean `{s}`?")),
                );
            }
        }
    }

    /// `steps = [first, last]`: two steps, in order, within the bounds of any run.
    fn observation_window(&mut self, p: &KeyPath, o: &RawObservation) {
        let Some(w) = &o.steps else { return };
        let path = p.clone().key("steps");
        if w.len() != 2 {
            self.err(
                &path,
                format!("a window is [first, last] (two steps), got {w:?}"),
            );
        } else if w[0] < 0 || w[1] > MAX_STEPS {
            self.err(
                &path,
                format!("window steps must be in [0, {MAX_STEPS}], got {w:?}"),
            );
        } else if w[0] > w[1] {
            self.err(
                &path,
                format!("window [{}, {}] ends before it starts", w[0], w[1]),
            );
        }
    }

    /// `stat`, `op` and a `value` of the shape the op needs.
    fn observation_test(&mut self, p: &KeyPath, o: &RawObservation) {
        let p = || p.clone();
        let stats: Vec<&str> = Stat::ALL.iter().map(|s| s.name()).collect();
        match &o.stat {
            None => self.err(
                &p(),
                format!("{} needs `stat` (one of {})", noun(&p()), stats.join(", ")),
            ),
            Some(s) if Stat::parse(s).is_none() => self.err_help(
                &p().key("stat"),
                format!("unknown stat `{s}`; expected one of {}", stats.join(", ")),
                suggest(s, stats.iter().copied()).map(|s| format!("did you mean `{s}`?")),
            ),
            _ => {}
        }
        let Some(op) = &o.op else {
            self.err(
                &p(),
                format!("{} needs `op` (one of {})", noun(&p()), OPS.join(", ")),
            );
            return;
        };
        if !OPS.contains(&op.as_str()) {
            self.err_help(
                &p().key("op"),
                format!("unknown op `{op}`; expected one of {}", OPS.join(", ")),
                suggest(op, OPS).map(|s| format!("did you mean `{s}`?")),
            );
            return;
        }
        let finite = |x: &f64| x.is_finite();
        match (op.as_str(), &o.value) {
            (_, None) => self.err(&p(), format!("{} with op `{op}` needs `value`", noun(&p()))),
            ("between", Some(RawObsValue::Range(v))) if v.len() == 2 && v.iter().all(finite) => {
                if v[0] > v[1] {
                    self.err(
                        &p().key("value"),
                        format!("`between` needs lo ≤ hi, got [{}, {}]", v[0], v[1]),
                    );
                }
            }
            ("between", Some(_)) => self.err(
                &p().key("value"),
                "`between` takes value = [lo, hi], two finite numbers".into(),
            ),
            (_, Some(RawObsValue::One(x))) if x.is_finite() => {}
            (_, Some(_)) => self.err(
                &p().key("value"),
                format!("op `{op}` takes one finite number as `value`"),
            ),
        }
    }
}

/// "an observation" or "a question", from the table a path starts in.
fn noun(p: &KeyPath) -> &'static str {
    match p.0.first() {
        Some(crate::scenario::source::Seg::Key(k)) if k == "question" => "a question",
        _ => "an observation",
    }
}
