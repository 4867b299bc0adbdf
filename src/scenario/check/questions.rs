//! Checks of each `[[question]]` of one file on its own: an id unique in the file, the text, the
//! observation vocabulary (shared with `[[observation]]`), an outcome of the question's kind
//! with its source, a base rate in [0, 1] (timing: one per category, summing to 1) with its
//! source, and for timing questions increasing bins that end the window and a test that stays
//! true once true as the window grows.

use super::{Checker, MAX_STEPS};
use crate::scenario::raw::{RawObsValue, RawOutcome, RawQuestion};
use crate::scenario::source::KeyPath;
use crate::scenario::MAX_QUESTIONS;
use std::collections::HashSet;

/// At most this many bins (categories − 1) in a timing question.
pub const MAX_BINS: usize = 8;

impl Checker<'_> {
    /// `[[question]]`: count, ids unique in the file, then each.
    pub(super) fn questions(&mut self, qs: &[RawQuestion]) {
        if qs.len() > MAX_QUESTIONS {
            self.err(
                &KeyPath::root("question"),
                format!(
                    "{} questions; a case may have at most {MAX_QUESTIONS}",
                    qs.len()
                ),
            );
        }
        let mut seen = HashSet::new();
        for (ix, q) in qs.iter().enumerate() {
            let p = || KeyPath::root("question").index(ix);
            match &q.id {
                None => self.err(&p(), "a question needs `id` (unique in the case)".into()),
                Some(id) => {
                    self.id(p().key("id"), Some(id));
                    if !seen.insert(id.clone()) {
                        self.err(&p().key("id"), format!("question `{id}` is defined twice"));
                    }
                }
            }
            self.question(ix, q);
        }
    }

    fn question(&mut self, ix: usize, q: &RawQuestion) {
        let p = || KeyPath::root("question").index(ix);
        for (key, v, what) in [
            ("text", &q.text, "the question in words"),
            (
                "outcome_source",
                &q.outcome_source,
                "what happened and when, and where it is published",
            ),
            (
                "base_rate_source",
                &q.base_rate_source,
                "the reference class and where its frequency comes from",
            ),
        ] {
            self.text(p().key(key), v.as_ref(), 2000);
            if v.as_deref().is_none_or(|s| s.trim().is_empty()) {
                self.err(&p(), format!("a question needs `{key}`: {what}"));
            }
        }
        self.observed(&p(), &q.as_observation());
        let timing = q.bins.is_some();
        if timing {
            self.question_bins(&p(), q);
        }
        self.question_outcome(&p(), q, timing);
        self.question_base_rate(&p(), q);
    }

    /// `bins`: increasing steps ≥ 1, the last one ending `steps`, and a test that, once true,
    /// stays true as the window grows (so the shares per bin are a distribution function).
    fn question_bins(&mut self, p: &KeyPath, q: &RawQuestion) {
        let path = p.clone().key("bins");
        let Some(b) = &q.bins else { return };
        if b.is_empty() || b.len() > MAX_BINS {
            self.err(
                &path,
                format!("`bins` takes 1 to {MAX_BINS} steps, got {}", b.len()),
            );
            return;
        }
        if b.iter().any(|&x| x < 1 || x > MAX_STEPS) || b.windows(2).any(|w| w[0] >= w[1]) {
            self.err(
                &path,
                format!("`bins` must be increasing steps in [1, {MAX_STEPS}], got {b:?}"),
            );
            return;
        }
        match q.steps.as_deref() {
            Some([first, last]) => {
                if *last != b[b.len() - 1] || *first > b[0] {
                    self.err(
                        &p.clone().key("steps"),
                        format!(
                            "a timing question's window [first, last] starts at or before its first bin and ends at its last ({}), got [{first}, {last}]",
                            b[b.len() - 1]
                        ),
                    );
                }
            }
            Some(_) => {}
            None => self.err(
                p,
                "a timing question needs `steps = [first, last]`, last = its last bin".into(),
            ),
        }
        // A running sum only grows when its values are never negative: event counts.
        let events = q.metric.as_deref() == Some("events");
        let stays = match (q.stat.as_deref(), q.op.as_deref()) {
            (Some("count" | "max"), Some(">=" | ">")) => true,
            (Some("sum"), Some(">=" | ">")) => events,
            (Some("min"), Some("<=" | "<")) => true,
            (Some(_), Some(_)) => false,
            _ => true, // reported as missing already
        };
        if !stays {
            self.err(
                &p.clone().key("stat"),
                format!(
                    "a timing question needs a test that stays true once true as the window grows: count or max with >= or >, sum of events with >= or >, or min with < or <= (got {} {})",
                    q.stat.as_deref().unwrap_or(""),
                    q.op.as_deref().unwrap_or("")
                ),
            );
        }
    }

    fn question_outcome(&mut self, p: &KeyPath, q: &RawQuestion, timing: bool) {
        let path = p.clone().key("outcome");
        match (q.outcome, timing) {
            (None, _) => self.err(
                p,
                if timing {
                    "a question needs `outcome`: the step at which it first happened, or false"
                        .into()
                } else {
                    "a question needs `outcome`: true or false".into()
                },
            ),
            (Some(RawOutcome::Happened(_)), false) => {}
            (Some(RawOutcome::Step(_)), false) => self.err(
                &path,
                "a yes/no question's outcome is true or false (a timing question gives `bins`)"
                    .into(),
            ),
            (Some(RawOutcome::Happened(true)), true) => self.err(
                &path,
                "a timing question's outcome is the step at which it first happened, or false"
                    .into(),
            ),
            (Some(RawOutcome::Happened(false)), true) => {}
            (Some(RawOutcome::Step(s)), true) => {
                let first = q
                    .steps
                    .as_ref()
                    .and_then(|w| w.first().copied())
                    .unwrap_or(0);
                if s < first || s > MAX_STEPS {
                    self.err(
                        &path,
                        format!("outcome step must be in [{first}, {MAX_STEPS}] (the window's first step on), got {s}"),
                    );
                }
            }
        }
    }

    fn question_base_rate(&mut self, p: &KeyPath, q: &RawQuestion) {
        let path = p.clone().key("base_rate");
        let unit = |x: f64| x.is_finite() && (0.0..=1.0).contains(&x);
        match (&q.base_rate, &q.bins) {
            (None, _) => self.err(
                p,
                "a question needs `base_rate`: the reference-class frequency of yes".into(),
            ),
            (Some(RawObsValue::One(x)), None) => {
                if !unit(*x) {
                    self.err(
                        &path,
                        format!("base_rate is a probability in [0, 1], got {x}"),
                    );
                }
            }
            (Some(RawObsValue::Range(_)), None) => self.err(
                &path,
                "a yes/no question's base_rate is one probability in [0, 1]".into(),
            ),
            (Some(RawObsValue::One(_)), Some(b)) => self.err(
                &path,
                format!(
                    "a timing question's base_rate lists {} probabilities, one per category (each bin, then later)",
                    b.len() + 1
                ),
            ),
            (Some(RawObsValue::Range(v)), Some(b)) => {
                if v.len() != b.len() + 1 {
                    self.err(
                        &path,
                        format!(
                            "a timing question's base_rate lists {} probabilities (each bin, then later), got {}",
                            b.len() + 1,
                            v.len()
                        ),
                    );
                } else if let Some(x) = v.iter().find(|x| !unit(**x)) {
                    self.err(
                        &path,
                        format!("each base_rate is a probability in [0, 1], got {x}"),
                    );
                } else {
                    let sum: f64 = v.iter().sum();
                    if (sum - 1.0).abs() > 1e-6 {
                        self.err(
                            &path,
                            format!("a timing question's base rates sum to 1, got {sum}"),
                        );
                    }
                }
            }
        }
    }
}
