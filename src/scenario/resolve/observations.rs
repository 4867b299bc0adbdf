//! Resolving `[[observation]]`s of the merged chain: actors to ids, the window checked against
//! the run. A window past the last step the files give is an error; one that only a `--set`
//! or `--steps` override cuts short is a warning, and that observation is not checked.

use super::Resolver;
use crate::model::Metric;
use crate::observe::{Answer, EventFilter, Observation, Observed, Question, Stat, Test};
use crate::scenario::raw::{RawObsValue, RawObservation, RawOutcome};
use crate::scenario::ActorId;
use crate::scenario::{MAX_OBSERVATIONS, MAX_QUESTIONS};

impl Resolver<'_> {
    /// An optional actor key of observation `o`; None inside Ok for an absent key.
    fn obs_actor(
        &mut self,
        o: super::Origin,
        table: &str,
        key: &str,
        id: Option<&String>,
    ) -> Result<Option<ActorId>, ()> {
        match id {
            None => Ok(None),
            Some(a) => match self.lookup(a) {
                Some(x) => Ok(Some(x)),
                None => {
                    self.diags.push(self.unknown(o, table, key, a));
                    Err(())
                }
            },
        }
    }

    /// Observations with known actors and windows inside the run of `steps` steps (`file_steps`
    /// as the files give it, before overrides).
    pub(super) fn observations(&mut self, steps: usize, file_steps: usize) -> Vec<Observation> {
        let m = self.m;
        // The cap holds for the resolved chain (a child may add to a parent's): each
        // observation is one bit of a run's record in `calibrate`.
        if let Some((_, o)) = m.observations.get(MAX_OBSERVATIONS) {
            let d = self.at(
                *o,
                "observation",
                None,
                format!(
                    "{} observations along the `extends` chain; a scenario may have at most {MAX_OBSERVATIONS}",
                    m.observations.len()
                ),
            );
            self.diags.push(d);
            return Vec::new();
        }
        m.observations
            .iter()
            .filter_map(|(r, o)| self.observation(*o, "observation", r, steps, file_steps))
            .collect()
    }

    /// Questions, resolved as observations are; ids unique along the chain, and at most
    /// [`MAX_QUESTIONS`] checks in all (a timing question checks one window per bin).
    pub(super) fn questions(&mut self, steps: usize, file_steps: usize) -> Vec<Question> {
        let m = self.m;
        let mut out: Vec<Question> = Vec::new();
        let mut checks = 0;
        let mut seen: Vec<(String, usize)> = Vec::new();
        for (r, o) in &m.questions {
            let Some(obs) =
                self.observation(*o, "question", &r.as_observation(), steps, file_steps)
            else {
                continue;
            };
            let id = r.id.clone().unwrap_or_default();
            // Twice in one file is the file check's to report; here, across the chain.
            if let Some(first) = seen.iter().find(|(x, _)| *x == id) {
                if first.1 == o.file {
                    continue;
                }
                let d = self.at(
                    *o,
                    "question",
                    Some("id"),
                    format!("question `{id}` is defined twice in the chain"),
                );
                self.diags.push(d);
                continue;
            }
            seen.push((id.clone(), o.file));
            let bins: Vec<usize> = r
                .bins
                .iter()
                .flatten()
                .map(|&b| b.max(0) as usize)
                .collect();
            let outcome = match (r.outcome, bins.is_empty()) {
                (Some(RawOutcome::Happened(x)), true) => Answer::Binary(x),
                (Some(RawOutcome::Happened(false)), false) => Answer::Timing(None),
                (Some(RawOutcome::Step(s)), false) => Answer::Timing(Some(s.max(0) as usize)),
                _ => continue,
            };
            let base_rate = match &r.base_rate {
                Some(RawObsValue::One(x)) => vec![*x],
                Some(RawObsValue::Range(v)) => v.clone(),
                None => continue,
            };
            checks += bins.len().max(1);
            if checks > MAX_QUESTIONS {
                let d = self.at(
                    *o,
                    "question",
                    None,
                    format!("more than {MAX_QUESTIONS} checks in the case's questions (a timing question checks one window per bin)"),
                );
                self.diags.push(d);
                break;
            }
            out.push(Question {
                id,
                text: r.text.clone().unwrap_or_default(),
                obs,
                bins,
                outcome,
                outcome_source: r.outcome_source.clone().unwrap_or_default(),
                base_rate,
                base_rate_source: r.base_rate_source.clone().unwrap_or_default(),
            });
        }
        out
    }

    /// One observation (or a question's) of table `table`; None if it cannot be checked here.
    fn observation(
        &mut self,
        o: super::Origin,
        table: &str,
        r: &RawObservation,
        steps: usize,
        file_steps: usize,
    ) -> Option<Observation> {
        {
            let (Some(metric), Some(stat), Some(op), Some(value)) =
                (&r.metric, &r.stat, &r.op, &r.value)
            else {
                return None;
            };
            let (Ok(actor), Ok(target)) = (
                self.obs_actor(o, table, "actor", r.actor.as_ref()),
                self.obs_actor(o, table, "target", r.target.as_ref()),
            ) else {
                return None;
            };
            let what = if metric == "events" {
                let class = match &r.class {
                    None => EventFilter::Any,
                    Some(c) => EventFilter::parse(c)?,
                };
                Observed::Events {
                    actor,
                    target,
                    class,
                }
            } else {
                Observed::Series {
                    metric: Metric::parse(metric)?,
                    actor,
                }
            };
            let (lo, hi) = match value {
                RawObsValue::One(x) => (*x, *x),
                RawObsValue::Range(v) if v.len() == 2 => (v[0], v[1]),
                RawObsValue::Range(_) => return None,
            };
            let (stat, test) = (Stat::parse(stat)?, Test::new(op, lo, hi)?);
            let window = match &r.steps {
                Some(w) if w.len() == 2 => (w[0].max(0) as usize, w[1].max(0) as usize),
                Some(_) => return None,
                None => (0, steps),
            };
            // A window left to default is the whole run, whatever its length: only a written
            // window can lie outside the run the files describe.
            if r.steps.is_some() && window.1 > file_steps {
                let msg = format!(
                    "window [{}, {}] lies outside the run (steps 0..={file_steps})",
                    window.0, window.1
                );
                let d = self.at(o, table, Some("steps"), msg);
                self.diags.push(d);
                return None;
            }
            if window.1 > steps {
                let msg = format!(
                    "window [{}, {}] ends after the last step ({steps}) of this run: the {table} is not checked",
                    window.0, window.1
                );
                let mut d = self.at(o, table, Some("steps"), msg);
                d.warning = true;
                self.warnings.push(d);
                return None;
            }
            Some(Observation {
                what,
                steps: window,
                stat,
                test,
                source: r.source.clone().unwrap_or_default(),
            })
        }
    }
}
