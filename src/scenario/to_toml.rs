//! The resolved scenario written back as a raw file with every key explicit
//! (`scenario.resolved.toml`): loading it gives back the same scenario.

use super::keys::{ACTOR_KEYS, RELATION_KEYS};
use super::raw::{
    self, RawActor, RawElection, RawFile, RawIssue, RawMeta, RawModel, RawRelation, RawShock,
};
use super::{ActorId, Op, Scenario, Shock, ShockAction};
use crate::error::{Error, Result};

/// A scenario back to a raw file with every key explicit: `scenario.resolved.toml`.
pub fn to_raw(s: &Scenario) -> RawFile {
    let id = |a: ActorId| s.actors[a.ix()].id.clone();
    RawFile {
        scenario: Some(RawMeta {
            name: Some(s.name.clone()),
            title: Some(s.title.clone()),
            description: Some(s.description.clone()),
            extends: None,
            steps: Some(s.steps as i64),
            step_unit: Some(s.step_unit.clone()),
            seed: Some(s.seed as i64),
            runs: Some(s.runs as i64),
        }),
        model: Some(RawModel::from_params(&s.params)),
        issue: Some(RawIssue {
            body: Some(s.issue.body.clone()),
            host: Some(id(s.issue.host)),
            threshold: Some(s.issue.threshold),
            first_vote: Some(s.issue.first_vote as i64),
            vote_interval: Some(s.issue.vote_interval as i64),
            setup_steps: Some(s.issue.setup_steps as i64),
            proposer: Some(id(s.issue.proposer)),
            substitute: s.issue.substitute.clone(),
            source: Some(s.issue.source.clone()),
        }),
        actors: s
            .actors
            .iter()
            .map(|a| {
                let mut raw = RawActor {
                    id: Some(a.id.clone()),
                    name: Some(a.name.clone()),
                    member_of: Some(a.member_of.clone()),
                    source: Some(a.source.clone()),
                    sources: (!a.sources.is_empty()).then(|| a.sources.clone()),
                    ..RawActor::default()
                };
                for k in ACTOR_KEYS {
                    *(k.raw_mut)(&mut raw) = k.written(a);
                }
                raw
            })
            .collect(),
        relations: s
            .relations
            .iter()
            .map(|r| {
                let mut raw = RawRelation {
                    from: Some(id(r.from)),
                    to: Some(id(r.to)),
                    source: Some(r.source.clone()),
                    ..RawRelation::default()
                };
                for k in RELATION_KEYS {
                    *(k.raw_mut)(&mut raw) = k.written(r);
                }
                raw
            })
            .collect(),
        shocks: s.shocks.iter().map(|sh| raw_shock(s, sh)).collect(),
        elections: s
            .elections
            .iter()
            .map(|e| RawElection {
                step: Some(e.step as i64),
                actor: Some(id(e.actor)),
                probability: Some(e.probability),
                stance: Some(e.stance),
                affinity: (!e.affinity.is_empty())
                    .then(|| e.affinity.iter().map(|&(j, d)| (id(j), d)).collect()),
                news: (e.news != 0.0).then_some(e.news),
                what: Some(e.what.clone()),
                source: Some(e.source.clone()),
            })
            .collect(),
        observations: s
            .observations
            .iter()
            .map(|o| raw_observation(s, o))
            .collect(),
        questions: s.questions.iter().map(|q| raw_question(s, q)).collect(),
        sensitivity: (!s.sensitivity.ranges.is_empty()).then(|| raw::RawSensitivity {
            samples: Some(s.sensitivity.samples as i64),
            runs: Some(s.sensitivity.runs as i64),
            ranges: Some(
                s.sensitivity
                    .ranges
                    .iter()
                    .map(|(k, a, b)| (k.clone(), vec![*a, *b]))
                    .collect(),
            ),
            source: (!s.sensitivity.source.is_empty()).then(|| s.sensitivity.source.clone()),
        }),
    }
}

/// One shock as written in a file.
fn raw_shock(s: &Scenario, sh: &Shock) -> RawShock {
    let id = |a: ActorId| s.actors[a.ix()].id.clone();
    let op = |o: Op| match o {
        Op::Set(v) => (Some(v), None),
        Op::Add(v) => (None, Some(v)),
    };
    let mut r = RawShock {
        step: Some(sh.step as i64),
        when: sh.when.map(|w| w.name().to_string()),
        news: (sh.news != 0.0).then_some(sh.news),
        source: Some(sh.source.clone()),
        ..Default::default()
    };
    let (kind, actor, target, o) = match &sh.action {
        ShockAction::Stance { actor, op: o } => ("stance", Some(*actor), None, Some(*o)),
        ShockAction::Position { actor, op: o } => ("position", Some(*actor), None, Some(*o)),
        ShockAction::Affinity {
            actor,
            target,
            op: o,
        } => ("affinity", Some(*actor), Some(*target), Some(*o)),
        ShockAction::Posture { actor, op: o } => ("posture", Some(*actor), None, Some(*o)),
        ShockAction::Event {
            actor,
            target,
            code,
        } => {
            r.code = Some(crate::model::CATALOGUE[*code].code.to_string());
            ("event", Some(*actor), Some(*target), None)
        }
        ShockAction::Office { status } => {
            r.status = Some(status.name().to_string());
            ("office", None, None, None)
        }
    };
    r.kind = Some(kind.to_string());
    r.actor = actor.map(id);
    r.target = target.map(id);
    if let Some(o) = o {
        (r.set, r.add) = op(o);
    }
    r
}

/// One observation as written in a file, every key explicit.
fn raw_observation(s: &Scenario, o: &crate::observe::Observation) -> raw::RawObservation {
    use crate::observe::{EventFilter, Observed, Test};
    let id = |a: Option<ActorId>| a.map(|a| s.actors[a.ix()].id.clone());
    let (metric, actor, target, class) = match o.what {
        Observed::Series { metric, actor } => (metric.name().to_string(), id(actor), None, None),
        Observed::Events {
            actor,
            target,
            class,
        } => (
            "events".to_string(),
            id(actor),
            id(target),
            (class != EventFilter::Any).then(|| class.name().to_string()),
        ),
    };
    let value = match o.test {
        Test::Between(lo, hi) => raw::RawObsValue::Range(vec![lo, hi]),
        Test::Lt(v) | Test::Le(v) | Test::Gt(v) | Test::Ge(v) => raw::RawObsValue::One(v),
    };
    raw::RawObservation {
        metric: Some(metric),
        actor,
        target,
        class,
        steps: Some(vec![o.steps.0 as i64, o.steps.1 as i64]),
        stat: Some(o.stat.name().to_string()),
        op: Some(o.test.op().to_string()),
        value: Some(value),
        source: Some(o.source.clone()),
    }
}

/// One question as written in a file, every key explicit.
fn raw_question(s: &Scenario, q: &crate::observe::Question) -> raw::RawQuestion {
    use crate::observe::Answer;
    let o = raw_observation(s, &q.obs);
    let timing = q.is_timing();
    raw::RawQuestion {
        id: Some(q.id.clone()),
        text: Some(q.text.clone()),
        metric: o.metric,
        actor: o.actor,
        target: o.target,
        class: o.class,
        steps: o.steps,
        bins: timing.then(|| q.bins.iter().map(|&b| b as i64).collect()),
        stat: o.stat,
        op: o.op,
        value: o.value,
        outcome: Some(match q.outcome {
            Answer::Binary(x) => raw::RawOutcome::Happened(x),
            Answer::Timing(None) => raw::RawOutcome::Happened(false),
            Answer::Timing(Some(s)) => raw::RawOutcome::Step(s as i64),
        }),
        outcome_source: Some(q.outcome_source.clone()),
        base_rate: Some(if timing {
            raw::RawObsValue::Range(q.base_rate.clone())
        } else {
            raw::RawObsValue::One(q.base_rate[0])
        }),
        base_rate_source: Some(q.base_rate_source.clone()),
    }
}

/// The resolved scenario as TOML text; loading it gives back the same scenario.
pub fn to_toml(s: &Scenario) -> Result<String> {
    let header = format!(
        "# Resolved scenario `{}`: every key explicit, inheritance and overrides applied.\n\
         # `diplosim run <this file>` reproduces the run.\n\n",
        s.name
    );
    let body = toml::to_string(&to_raw(s))
        .map_err(|e| Error::Run(format!("cannot write the resolved scenario: {e}")))?;
    Ok(header + &body)
}
