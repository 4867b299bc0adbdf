//! Resolving `[[observation]]`s of the merged chain: actors to ids, the window checked against
//! the run. A window past the last step the files give is an error; one that only a `--set`
//! or `--steps` override cuts short is a warning, and that observation is not checked.

use super::Resolver;
use crate::model::Metric;
use crate::observe::{EventFilter, Observation, Observed, Stat, Test};
use crate::scenario::raw::RawObsValue;
use crate::scenario::ActorId;

impl Resolver<'_> {
    /// An optional actor key of observation `o`; None inside Ok for an absent key.
    fn obs_actor(
        &mut self,
        o: super::Origin,
        key: &str,
        id: Option<&String>,
    ) -> Result<Option<ActorId>, ()> {
        match id {
            None => Ok(None),
            Some(a) => match self.lookup(a) {
                Some(x) => Ok(Some(x)),
                None => {
                    self.diags.push(self.unknown(o, "observation", key, a));
                    Err(())
                }
            },
        }
    }

    /// Observations with known actors and windows inside the run of `steps` steps (`file_steps`
    /// as the files give it, before overrides).
    pub(super) fn observations(&mut self, steps: usize, file_steps: usize) -> Vec<Observation> {
        let mut out = Vec::new();
        for (r, o) in &self.m.observations {
            let (Some(metric), Some(stat), Some(op), Some(value)) =
                (&r.metric, &r.stat, &r.op, &r.value)
            else {
                continue;
            };
            let (Ok(actor), Ok(target)) = (
                self.obs_actor(*o, "actor", r.actor.as_ref()),
                self.obs_actor(*o, "target", r.target.as_ref()),
            ) else {
                continue;
            };
            let what = if metric == "events" {
                let class = match &r.class {
                    None => EventFilter::Any,
                    Some(c) => match EventFilter::parse(c) {
                        Some(f) => f,
                        None => continue,
                    },
                };
                Observed::Events {
                    actor,
                    target,
                    class,
                }
            } else {
                match Metric::parse(metric) {
                    Some(metric) => Observed::Series { metric, actor },
                    None => continue,
                }
            };
            let (lo, hi) = match value {
                RawObsValue::One(x) => (*x, *x),
                RawObsValue::Range(v) if v.len() == 2 => (v[0], v[1]),
                RawObsValue::Range(_) => continue,
            };
            let (Some(stat), Some(test)) = (Stat::parse(stat), Test::new(op, lo, hi)) else {
                continue;
            };
            let window = match &r.steps {
                Some(w) if w.len() == 2 => (w[0].max(0) as usize, w[1].max(0) as usize),
                Some(_) => continue,
                None => (0, steps),
            };
            if window.1 > file_steps {
                let msg = format!(
                    "window [{}, {}] lies outside the run (steps 0..={file_steps})",
                    window.0, window.1
                );
                let d = self.at(*o, "observation", Some("steps"), msg);
                self.diags.push(d);
                continue;
            }
            if window.1 > steps {
                let msg = format!(
                    "window [{}, {}] ends after the last step ({steps}) of this run: the observation is not checked",
                    window.0, window.1
                );
                let mut d = self.at(*o, "observation", Some("steps"), msg);
                d.warning = true;
                self.warnings.push(d);
                continue;
            }
            out.push(Observation {
                what,
                steps: window,
                stat,
                test,
                source: r.source.clone().unwrap_or_default(),
            });
        }
        out
    }
}
