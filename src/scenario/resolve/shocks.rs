//! Resolving `[[shock]]`s: known actors, schedules expanded (`every`/`until`), conditions
//! (`when`), values checked against the shock's kind; a shock after the last step is a warning.

use super::*;

impl Resolver<'_> {
    /// Shocks with known actors; a shock after the last step is a warning.
    pub(super) fn shocks(&mut self, steps: usize) -> Vec<Shock> {
        let mut shocks = Vec::new();
        for (s, o) in &self.m.shocks {
            let (Some(kind), Some(step)) = (&s.kind, s.step) else {
                continue;
            };
            let actor = match &s.actor {
                Some(a) => match self.lookup(a) {
                    Some(x) => Some(x),
                    None => {
                        self.diags.push(self.unknown(*o, "shock", "actor", a));
                        continue;
                    }
                },
                None => None,
            };
            let target = match &s.target {
                Some(a) => match self.lookup(a) {
                    Some(x) => Some(x),
                    None => {
                        self.diags.push(self.unknown(*o, "shock", "target", a));
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
                ("event", Some(actor), Some(target), _) => {
                    match s.code.as_deref().and_then(code_index) {
                        Some(code) => ShockAction::Event {
                            actor,
                            target,
                            code,
                        },
                        None => continue,
                    }
                }
                ("office", _, _, _) => match s.status.as_deref().and_then(Status::parse) {
                    Some(status) => ShockAction::Office { status },
                    None => continue,
                },
                _ => continue,
            };
            let when = s.when.as_deref().and_then(Status::parse);
            // A run reaches a status at step 1 at the earliest, so a delay that puts even that
            // past the last step can never be due.
            if let Some(w) = when.filter(|_| step as usize + 1 > steps) {
                let mut d = self.at(
                    *o,
                    "shock",
                    Some("step"),
                    format!(
                        "shock {step} step{} after `{}` is due after the last step ({steps}) even in a run that is {} at step 1, and will not happen",
                        if step == 1 { "" } else { "s" },
                        w.name(),
                        w.name()
                    ),
                );
                d.warning = true;
                self.warnings.push(d);
            }
            if when.is_none() && step as usize > steps {
                let mut d = self.at(
                    *o,
                    "shock",
                    Some("step"),
                    format!(
                    "shock at step {step} comes after the last step ({steps}) and will not happen"
                ),
                );
                d.warning = true;
                self.warnings.push(d);
            }
            // `every` repeats the shock from `step` through `until` (else the last step).
            let last = match s.every {
                Some(_) => s.until.map_or(steps, |u| (u as usize).min(steps)),
                None => step as usize,
            };
            let every = s.every.unwrap_or(1).max(1) as usize;
            let copies = if last >= step as usize {
                (last - step as usize) / every + 1
            } else {
                1
            };
            if shocks.len() + copies > MAX_SHOCKS {
                self.diags.push(self.at(
                    *o,
                    "shock",
                    Some("every"),
                    format!(
                        "with `every` the scenario would have {} shocks; at most {MAX_SHOCKS}",
                        shocks.len() + copies
                    ),
                ));
                break;
            }
            let mut at = step as usize;
            loop {
                shocks.push(Shock {
                    step: at,
                    when,
                    action: action.clone(),
                    news: s.news.unwrap_or(0.0),
                    source: s.source.clone().unwrap_or_default(),
                });
                at += every;
                if at > last {
                    break;
                }
            }
        }
        shocks
    }
}
