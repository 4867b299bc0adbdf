//! What an `[[observation]]` says, in a short line naming the scenario's actors.

use super::{ActorId, Scenario};

impl Scenario {
    /// A short label, e.g. `office_status at weeks 10–10 < 2` or
    /// `events china→nato verbal_conflict sum weeks 1–20 >= 1`.
    pub fn observation_label(&self, o: &crate::observe::Observation) -> String {
        let (sc, this) = (self, o);
        let id = |a: Option<ActorId>| a.map_or("*", |a| sc.actors[a.ix()].id.as_str());
        let what = match this.what {
            crate::observe::Observed::Series { metric, actor } => match actor {
                Some(a) => format!("{} {}", metric.name(), id(Some(a))),
                None => metric.name().to_string(),
            },
            crate::observe::Observed::Events {
                actor,
                target,
                class,
            } => format!("events {}→{} {}", id(actor), id(target), class.name()),
        };
        let (a, b) = this.steps;
        let window = if a == b {
            format!("{} {b}", sc.step_unit)
        } else {
            format!("{}s {a}–{b}", sc.step_unit)
        };
        format!(
            "{what}: {} over {window} {}",
            this.stat.name(),
            this.test.text()
        )
    }
}
