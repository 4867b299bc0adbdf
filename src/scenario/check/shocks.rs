//! Checks of each `[[shock]]` of one file on its own: its kind, step or schedule (`every`,
//! `until`, `when`), actors, value and the ends of a change, a code or a status.

use super::*;

impl Checker<'_> {
    /// `[[shock]]`: count, then each shock.
    pub(super) fn shocks(&mut self, shocks: &[RawShock]) {
        if shocks.len() > MAX_SHOCKS {
            self.err(
                &KeyPath::root("shock"),
                format!(
                    "{} shocks; a scenario may have at most {MAX_SHOCKS}",
                    shocks.len()
                ),
            );
        }
        for (ix, s) in shocks.iter().enumerate() {
            self.shock(ix, s);
        }
    }

    /// One `[[shock]]`: the keys its kind needs and no others.
    fn shock(&mut self, ix: usize, s: &RawShock) {
        let p = || KeyPath::root("shock").index(ix);
        if s.step.is_none() {
            self.err(&p(), "shock has no `step`".into());
        }
        // With `when`, `step` is a delay after the status is reached and may be 0.
        self.int(
            p().key("step"),
            s.step,
            i64::from(s.when.is_none()),
            MAX_STEPS,
        );
        self.int(p().key("every"), s.every, 1, MAX_STEPS);
        self.int(p().key("until"), s.until, 1, MAX_STEPS);
        if s.until.is_some() && s.every.is_none() {
            self.err(
                &p().key("until"),
                "`until` needs `every` (a shock repeated every so many steps)".into(),
            );
        }
        if let (Some(step), Some(until)) = (s.step, s.until) {
            if until < step {
                self.err(
                    &p().key("until"),
                    format!("until ({until}) comes before step ({step})"),
                );
            }
        }
        if let Some(w) = &s.when {
            const WHEN: [&str; 4] = ["postponed", "approved", "opened", "shelved"];
            if !WHEN.contains(&w.as_str()) {
                self.err_help(
                    &p().key("when"),
                    format!(
                        "unknown status `{w}` for `when`; expected one of {}",
                        WHEN.join(", ")
                    ),
                    suggest(w, WHEN).map(|s| format!("did you mean `{s}`?")),
                );
            }
            if s.every.is_some() {
                self.err(
                    &p().key("every"),
                    "a conditional shock (`when`) happens once: it takes no `every`".into(),
                );
            }
        }
        self.num(p().key("news"), s.news, Bounds::closed(0.0, 10.0));
        self.id(p().key("actor"), s.actor.as_ref());
        self.id(p().key("target"), s.target.as_ref());
        let Some(kind) = &s.kind else {
            self.err(
                &p(),
                format!("shock has no `kind` (one of {})", KINDS.join(", ")),
            );
            return;
        };
        if !KINDS.contains(&kind.as_str()) {
            self.err_help(
                &p().key("kind"),
                format!(
                    "unknown shock kind `{kind}`; expected one of {}",
                    KINDS.join(", ")
                ),
                suggest(kind, KINDS).map(|s| format!("did you mean `{s}`?")),
            );
            return;
        }
        self.shock_value(&p(), kind, s);
        self.shock_ends(&p(), kind, s);
        self.shock_code_status(&p(), kind, s);
    }

    /// `set` or `add`, for the kinds that change a value; neither for the others.
    fn shock_value(&mut self, p: &KeyPath, kind: &str, s: &RawShock) {
        let p = || p.clone();
        let needs_value = matches!(kind, "stance" | "position" | "affinity" | "posture");
        if needs_value {
            match (s.set, s.add) {
                (None, None) => self.err(
                    &p(),
                    format!(
                        "{} `{kind}` shock needs `set = VALUE` or `add = VALUE`",
                        art(kind)
                    ),
                ),
                (Some(_), Some(_)) => {
                    self.err(&p().key("add"), "give `set` or `add`, not both".into())
                }
                _ => {}
            }
            let (set_r, add_r) = match kind {
                "posture" => (Bounds::closed(0.0, 1000.0), Bounds::closed(-1000.0, 1000.0)),
                _ => (SIGNED, Bounds::closed(-2.0, 2.0)),
            };
            self.num(p().key("set"), s.set, set_r);
            self.num(p().key("add"), s.add, add_r);
        } else {
            for (k, present) in [("set", s.set.is_some()), ("add", s.add.is_some())] {
                if present {
                    self.err(
                        &p().key(k),
                        format!("{} `{kind}` shock takes no `{k}`", art(kind)),
                    );
                }
            }
        }
    }

    /// `actor` for every kind but `office`; `target` for `affinity` and `event` only.
    fn shock_ends(&mut self, p: &KeyPath, kind: &str, s: &RawShock) {
        let p = || p.clone();
        if s.actor.is_none() && kind != "office" {
            self.err(&p(), format!("{} `{kind}` shock needs `actor`", art(kind)));
        }
        if matches!(kind, "affinity" | "event") {
            if s.target.is_none() {
                self.err(&p(), format!("{} `{kind}` shock needs `target`", art(kind)));
            } else if s.target == s.actor {
                self.err(
                    &p().key("target"),
                    format!(
                        "{} `{kind}` shock needs a target other than its actor",
                        art(kind)
                    ),
                );
            }
        } else if s.target.is_some() {
            self.err(
                &p().key("target"),
                format!("{} `{kind}` shock takes no `target`", art(kind)),
            );
        }
    }

    /// `code` for `event` shocks, `status` for `office` shocks, each a known value.
    fn shock_code_status(&mut self, p: &KeyPath, kind: &str, s: &RawShock) {
        let p = || p.clone();
        match (kind, &s.code) {
            ("event", None) => self.err(
                &p(),
                "an `event` shock needs `code` (a CAMEO code, e.g. \"150\")".into(),
            ),
            ("event", Some(code)) if code_index(code).is_none() => self.err_help(
                &p().key("code"),
                format!("`{code}` is not a code of the catalogue"),
                suggest(code, CATALOGUE.iter().map(|c| c.code))
                    .map(|s| format!("did you mean `{s}`? `diplosim show` lists the catalogue")),
            ),
            (k, Some(_)) if k != "event" => self.err(
                &p().key("code"),
                format!("{} `{kind}` shock takes no `code`", art(kind)),
            ),
            _ => {}
        }
        match (kind, &s.status) {
            ("office", None) => self.err(
                &p(),
                "an `office` shock needs `status` (proposed, postponed, approved, opened, shelved)"
                    .into(),
            ),
            ("office", Some(st)) if Status::parse(st).is_none() => self.err_help(
                &p().key("status"),
                format!(
                    "unknown status `{st}`; expected one of {}",
                    Status::ALL
                        .iter()
                        .map(|s| s.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                suggest(st, Status::ALL.iter().map(|s| s.name()))
                    .map(|s| format!("did you mean `{s}`?")),
            ),
            (k, Some(_)) if k != "office" => self.err(
                &p().key("status"),
                format!("{} `{kind}` shock takes no `status`", art(kind)),
            ),
            _ => {}
        }
    }
}
