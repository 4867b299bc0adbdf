//! Checks of the merged chain, and the resolved [`Scenario`]: required keys, references between
//! actors, relations, shocks and the issue, defaults, and warnings for suspicious but legal input.

mod observations;
mod shocks;

use super::keys::{Presence, ACTOR_KEYS, RELATION_KEYS};
use super::merge::{Merged, Origin};
use super::source::{KeyPath, SourceText};
use super::{
    Actor, ActorId, Election, Issue, Op, Relation, Scenario, Sensitivity, Shock, ShockAction,
    MAX_ACTORS, MAX_SHOCKS,
};
use crate::error::{suggest, Diagnostic, Error, Result};
use crate::model::{code_index, Status};
use std::collections::HashMap;

/// The merged chain being resolved, with the problems found so far.
struct Resolver<'a> {
    m: &'a Merged,
    sources: &'a [SourceText],
    /// Actor ids in merge order: an actor's [`ActorId`] is its position here.
    ids: Vec<String>,
    /// Position of each id in `ids` (the first, if an id repeats).
    id_at: HashMap<String, usize>,
    diags: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl<'a> Resolver<'a> {
    /// A diagnostic at an item of `table` (or one of its keys) where it was first written.
    fn at(&self, o: Origin, table: &str, key: Option<&str>, msg: String) -> Diagnostic {
        let mut p = KeyPath::root(table).index(o.index);
        if let Some(k) = key {
            p = p.key(k);
        }
        self.sources[o.file].at(&p, msg)
    }

    fn lookup(&self, id: &str) -> Option<ActorId> {
        self.id_at.get(id).map(|&i| ActorId(i as u16))
    }

    /// "unknown actor" at `table[..].key`, with the nearest id or the list of ids.
    fn unknown(&self, o: Origin, table: &str, key: &str, id: &str) -> Diagnostic {
        let mut d = self.at(o, table, Some(key), format!("unknown actor `{id}`"));
        d.help = suggest(id, self.ids.iter().map(|s| s.as_str()))
            .map(|s| format!("did you mean `{s}`?"));
        if d.help.is_none() {
            d.help = Some(format!("actors are: {}", self.ids.join(", ")));
        }
        d
    }

    /// At least one actor; at most [`MAX_ACTORS`] actors and [`MAX_SHOCKS`] shocks in the chain.
    fn limits(&mut self) {
        let leaf = &self.sources[0];
        if self.m.actors.is_empty() {
            self.diags.push(leaf.at(
                &KeyPath::root("actor"),
                "a scenario needs at least one [[actor]]",
            ));
        }
        if self.m.actors.len() > MAX_ACTORS {
            self.diags.push(leaf.at(
                &KeyPath::root("actor"),
                format!(
                    "{} actors; a scenario may have at most {MAX_ACTORS}",
                    self.m.actors.len()
                ),
            ));
        }
        if self.m.shocks.len() > MAX_SHOCKS {
            self.diags.push(leaf.at(
                &KeyPath::root("shock"),
                format!(
                    "{} shocks; a scenario may have at most {MAX_SHOCKS}",
                    self.m.shocks.len()
                ),
            ));
        }
    }

    /// Actors with their required keys, defaults filled in.
    fn actors(&mut self) -> Vec<Actor> {
        let mut actors = Vec::new();
        for (a, o) in &self.m.actors {
            // The name, the table's required numbers, then the source.
            let missing: Vec<&str> = std::iter::once(("name", a.name.is_none()))
                .chain(
                    ACTOR_KEYS
                        .iter()
                        .filter(|k| k.presence == Presence::Required)
                        .map(|k| (k.key, (k.raw)(a).is_none())),
                )
                .chain([("source", a.source.is_none())])
                .filter(|(_, m)| *m)
                .map(|(k, _)| k)
                .collect();
            if !missing.is_empty() {
                self.diags.push(self.at(
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
            let mut actor = Actor {
                id: a.id.clone().unwrap_or_default(),
                name: a.name.clone().unwrap_or_default(),
                member_of: a.member_of.clone().unwrap_or_default(),
                source: a.source.clone().unwrap_or_default(),
                sources: a.sources.clone().unwrap_or_default(),
                ..Actor::default()
            };
            for k in ACTOR_KEYS {
                (k.set)(&mut actor, (k.raw)(a));
            }
            actors.push(actor);
        }
        actors
    }

    /// Relations whose ends are known actors, each with a source and a value.
    fn relations(&mut self) -> Vec<Relation> {
        let mut relations = Vec::new();
        for (r, o) in &self.m.relations {
            let (Some(from), Some(to)) = (&r.from, &r.to) else {
                continue;
            };
            let f = self.lookup(from);
            let t = self.lookup(to);
            if f.is_none() {
                self.diags.push(self.unknown(*o, "relation", "from", from));
            }
            if t.is_none() {
                self.diags.push(self.unknown(*o, "relation", "to", to));
            }
            if r.source.is_none() {
                self.diags.push(self.at(
                    *o,
                    "relation",
                    None,
                    format!("relation {from} → {to} is missing required key `source`"),
                ));
            }
            if RELATION_KEYS.iter().all(|k| (k.raw)(r).is_none()) {
                let keys: Vec<String> = RELATION_KEYS
                    .iter()
                    .map(|k| format!("`{}`", k.key))
                    .collect();
                self.diags.push(self.at(
                    *o,
                    "relation",
                    None,
                    format!("relation {from} → {to} gives none of {}", keys.join(", ")),
                ));
            }
            if let (Some(f), Some(t)) = (f, t) {
                let mut relation = Relation {
                    from: f,
                    to: t,
                    source: r.source.clone().unwrap_or_default(),
                    ..Relation::default()
                };
                for k in RELATION_KEYS {
                    (k.set)(&mut relation, (k.raw)(r));
                }
                relations.push(relation);
            }
        }
        relations
    }

    /// Explicit influence rows must not sum to zero.
    fn influence_rows(&mut self, relations: &[Relation]) {
        // (count, sum) of explicit influence weights out of each actor, in one pass.
        let mut explicit = vec![(0usize, 0.0f64); self.m.actors.len()];
        for r in relations {
            if let (Some(w), Some(e)) = (r.influence, explicit.get_mut(r.from.ix())) {
                e.0 += 1;
                e.1 += w;
            }
        }
        for (ai, (a, o)) in self.m.actors.iter().enumerate() {
            let (n_out, sum_out) = explicit[ai];
            if a.self_weight.is_some() || n_out > 0 {
                let self_w = a.self_weight.or(a.capability).unwrap_or(0.0);
                let sum: f64 = self_w + sum_out;
                if sum <= 0.0 {
                    let id = a.id.as_deref().unwrap_or("?");
                    let msg = format!(
                    "the influence row of `{id}` sums to 0: give `self_weight` > 0 or an `influence` > 0 on one of its relations"
                );
                    // Where the user set it last: a `--set` override, or the file.
                    let d = match self.override_of(&format!("actor.{id}.self_weight")) {
                        Some(src) => src.at(&KeyPath::default(), msg),
                        None => self.at(*o, "actor", Some("self_weight"), msg),
                    };
                    self.diags.push(d);
                }
            }
        }
    }

    /// The issue's `body` and `host`, the host resolved to an actor.
    fn issue(&mut self) -> (Option<String>, Option<ActorId>) {
        let issue_src = self.issue_source();
        let ip = |k: &str| KeyPath::root("issue").key(k);
        let body = self.m.issue.body.clone();
        let host = self.m.issue.host.clone();
        if body.is_none() {
            self.diags.push(issue_src.at(
                &KeyPath::root("issue"),
                "[issue] needs `body` (the deciding body, e.g. \"nato\")",
            ));
        }
        let host_id = match &host {
            None => {
                self.diags.push(issue_src.at(
                    &KeyPath::root("issue"),
                    "[issue] needs `host` (the actor that hosts the office)",
                ));
                None
            }
            Some(h) => {
                let id = self.lookup(h);
                if id.is_none() {
                    let mut d = issue_src.at(&ip("host"), format!("unknown actor `{h}`"));
                    d.help = suggest(h, self.ids.iter().map(|s| s.as_str()))
                        .map(|s| format!("did you mean `{s}`?"));
                    self.diags.push(d);
                }
                id
            }
        };
        (body, host_id)
    }

    /// The issue's `proposer`, if it names one, resolved to an actor.
    fn proposer(&mut self) -> Option<ActorId> {
        let p = self.m.issue.proposer.clone()?;
        let id = self.lookup(&p);
        if id.is_none() {
            let mut d = self.issue_source().at(
                &KeyPath::root("issue").key("proposer"),
                format!("unknown actor `{p}`"),
            );
            d.help = suggest(&p, self.ids.iter().map(|s| s.as_str()))
                .map(|s| format!("did you mean `{s}`?"));
            self.diags.push(d);
        }
        id
    }

    /// Elections with known actors (an election after the last step is a warning).
    fn elections(&mut self, steps: usize) -> Vec<Election> {
        let mut out = Vec::new();
        for (e, o) in &self.m.elections {
            let (Some(step), Some(a), Some(probability)) = (e.step, &e.actor, e.probability) else {
                continue;
            };
            let Some(actor) = self.lookup(a) else {
                self.diags.push(self.unknown(*o, "election", "actor", a));
                continue;
            };
            let mut affinity = Vec::new();
            for (t, d) in e.affinity.iter().flatten() {
                match self.lookup(t) {
                    Some(j) if j != actor => affinity.push((j, *d)),
                    Some(_) => self.diags.push(self.at(
                        *o,
                        "election",
                        Some("affinity"),
                        format!(
                            "`{t}` is the election's own actor: an actor has no view of itself"
                        ),
                    )),
                    None => self.diags.push(self.unknown(*o, "election", "affinity", t)),
                }
            }
            if step as usize > steps {
                let mut d = self.at(
                    *o,
                    "election",
                    Some("step"),
                    format!("election at step {step} comes after the last step ({steps}) and will not happen"),
                );
                d.warning = true;
                self.warnings.push(d);
            }
            out.push(Election {
                step: step as usize,
                actor,
                probability,
                stance: e.stance.unwrap_or(0.0),
                affinity,
                news: e.news.unwrap_or(0.0),
                what: e.what.clone().unwrap_or_else(|| "election".into()),
                source: e.source.clone().unwrap_or_default(),
            });
        }
        out
    }

    /// A deciding body that no actor is nor belongs to approves every vote. When its name is a
    /// typo of one that exists (`natto` for `nato`: at most one edit in three characters) that is
    /// an error with the fix; otherwise a warning (a deliberately empty body).
    fn body_has_members(&mut self, body: Option<&str>) {
        let Some(body) = body else { return };
        let mut names: Vec<&str> = Vec::new();
        for (a, _) in &self.m.actors {
            names.extend(a.id.as_deref());
            names.extend(a.member_of.iter().flatten().map(|s| s.as_str()));
        }
        if names.contains(&body) {
            return;
        }
        let ip = KeyPath::root("issue").key("body");
        let mut d = self.issue_source().at(&ip, format!(
            "body `{body}` has no members: no actor is `{body}` or has it in `member_of` (every vote approves)"
        ));
        let near = suggest(body, names.iter().copied())
            .filter(|s| 3 * strsim::osa_distance(body, s) <= body.chars().count());
        match near {
            Some(s) => {
                d.help = Some(format!("did you mean `{s}`?"));
                self.diags.push(d);
            }
            None => {
                d.warning = true;
                self.warnings.push(d);
            }
        }
    }

    /// The last `--set` override of `key`, if any.
    fn override_of(&self, key: &str) -> Option<&'a SourceText> {
        let sources = self.sources;
        sources
            .iter()
            .rev()
            .find(|s| s.cli && s.text.split('=').next().map(str::trim) == Some(key))
    }

    /// The file that last set `[issue]` (the leaf if none did).
    fn issue_source(&self) -> &'a SourceText {
        let sources = self.sources;
        self.m
            .issue_file
            .map(|f| &sources[f])
            .unwrap_or(&sources[0])
    }

    /// Warnings about the resolved world: a body without members, an actor without relations.
    fn world_warnings(
        &mut self,
        body: &str,
        actors: &[Actor],
        relations: &[Relation],
    ) -> Vec<ActorId> {
        let members: Vec<ActorId> = actors
            .iter()
            .enumerate()
            .filter(|(_, a)| a.id == body || a.member_of.iter().any(|b| *b == body))
            .map(|(i, _)| ActorId(i as u16))
            .collect();
        let mut related = vec![false; actors.len()];
        for r in relations {
            for end in [r.from.ix(), r.to.ix()] {
                if let Some(x) = related.get_mut(end) {
                    *x = true;
                }
            }
        }
        for (i, a) in actors.iter().enumerate() {
            if actors.len() > 1 && !related[i] {
                let mut d = self.at(
                    self.m.actors[i].1,
                    "actor",
                    Some("id"),
                    format!(
                "actor `{}` has no relations: it neither influences nor is influenced by anyone",
                a.id
            ),
                );
                d.warning = true;
                self.warnings.push(d);
            }
        }
        members
    }
}

/// Check the merged chain and build the scenario.
/// The actor whose id is `id`.
fn ids_of(actors: &[Actor], id: &str) -> Option<ActorId> {
    actors
        .iter()
        .position(|a| a.id == id)
        .map(|i| ActorId(i as u16))
}

pub(crate) fn resolve(m: Merged, sources: &[SourceText]) -> Result<Scenario> {
    let ids: Vec<String> = m
        .actors
        .iter()
        .map(|(a, _)| a.id.clone().unwrap_or_default())
        .collect();
    let mut id_at = HashMap::new();
    for (i, id) in ids.iter().enumerate() {
        id_at.entry(id.clone()).or_insert(i);
    }
    let mut r = Resolver {
        m: &m,
        sources,
        ids,
        id_at,
        diags: Vec::new(),
        warnings: Vec::new(),
    };
    r.limits();
    let actors = r.actors();
    let relations = r.relations();
    r.influence_rows(&relations);
    let (body, host_id) = r.issue();
    r.body_has_members(body.as_deref());
    let steps = m.meta.steps.unwrap_or(104).max(1) as usize;
    let shocks = r.shocks(steps);
    let elections = r.elections(steps);
    let proposer = r.proposer();
    let file_steps = m.file_steps.unwrap_or(104).max(1) as usize;
    let observations = r.observations(steps, file_steps);
    let questions = r.questions(steps, file_steps);
    if !r.diags.is_empty() {
        return Err(Error::Invalid(r.diags));
    }
    let body = body.unwrap_or_default();
    let host = host_id.unwrap_or(ActorId(0));
    let members = r.world_warnings(&body, &actors, &relations);
    let warnings = r.warnings;
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
            proposer: proposer.or_else(|| ids_of(&actors, &body)).unwrap_or(host),
            body,
            host,
            threshold: m.issue.threshold.unwrap_or(0.0),
            first_vote: m.issue.first_vote.unwrap_or(1) as usize,
            vote_interval: m.issue.vote_interval.unwrap_or(4) as usize,
            setup_steps: m.issue.setup_steps.unwrap_or(0) as usize,
            substitute: m.issue.substitute.clone(),
            members,
            source: m.issue.source.clone().unwrap_or_default(),
        },
        actors,
        relations,
        shocks,
        elections,
        observations,
        questions,
        warnings,
        files: Vec::new(),
    })
}
