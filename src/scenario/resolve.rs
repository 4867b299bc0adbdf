//! Checks of the merged chain, and the resolved [`Scenario`]: required keys, references between
//! actors, relations, shocks and the issue, defaults, and warnings for suspicious but legal input.

use super::merge::{Merged, Origin};
use super::source::{KeyPath, SourceText};
use super::types::actor_default;
use super::*;
use crate::error::{suggest, Diagnostic, Error, Result};
use crate::model::{code_index, Status};

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
