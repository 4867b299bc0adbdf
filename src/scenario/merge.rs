//! Folding an `extends` chain (and then each `--set` override) into one raw scenario: a child
//! patches only the keys it names; actors patch by id, relations by (from, to); shocks add up.

use super::keys::{ACTOR_KEYS, RELATION_KEYS};
use super::raw::{
    self, RawActor, RawElection, RawFile, RawIssue, RawMeta, RawModel, RawObservation, RawQuestion,
    RawRelation, RawShock,
};
use std::collections::{BTreeMap, HashMap};

/// Where a merged item was first written: (source index, position in its array).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Origin {
    pub file: usize,
    pub index: usize,
}

/// The inheritance chain folded into one raw scenario, items remembering their origin.
#[derive(Debug, Default)]
pub(crate) struct Merged {
    pub meta: RawMeta,
    pub model: RawModel,
    pub issue: RawIssue,
    pub issue_file: Option<usize>,
    pub actors: Vec<(RawActor, Origin)>,
    pub relations: Vec<(RawRelation, Origin)>,
    pub shocks: Vec<(RawShock, Origin)>,
    /// Elections add up along the chain, like shocks.
    pub elections: Vec<(RawElection, Origin)>,
    /// Observations add up along the chain, like shocks.
    pub observations: Vec<(RawObservation, Origin)>,
    /// Questions add up along the chain too.
    pub questions: Vec<(RawQuestion, Origin)>,
    /// `scenario.steps` as the files give it, before `--set` overrides (observation windows
    /// must fit the run the files describe).
    pub file_steps: Option<i64>,
    pub sensitivity: raw::RawSensitivity,
}

macro_rules! patch {
    ($dst:expr, $src:expr; $($f:ident),*) => { $( if $src.$f.is_some() { $dst.$f = $src.$f.clone(); } )* };
}

impl Merged {
    pub(crate) fn apply(&mut self, f: &RawFile, fi: usize, leaf: bool) {
        if let Some(m) = &f.scenario {
            // Title and description are inherited unless the child gives its own; the name is
            // never inherited: a child is its own scenario.
            patch!(self.meta, m; steps, step_unit, seed, runs, title, description);
            if leaf {
                patch!(self.meta, m; name);
            }
        }
        if let Some(m) = &f.model {
            self.model.patch(m);
        }
        if let Some(i) = &f.issue {
            patch!(self.issue, i; body, host, threshold, first_vote, vote_interval, setup_steps, proposer,
                substitute, source);
            self.issue_file = Some(fi);
        }
        let mut actor_at: HashMap<Option<String>, usize> = self
            .actors
            .iter()
            .enumerate()
            .map(|(i, (x, _))| (x.id.clone(), i))
            .collect();
        for (index, a) in f.actors.iter().enumerate() {
            match actor_at.get(&a.id).map(|&i| &mut self.actors[i]) {
                Some((dst, _)) => {
                    patch!(dst, a; name, member_of, source);
                    for k in ACTOR_KEYS {
                        k.patch(dst, a);
                    }
                    if let Some(s) = &a.sources {
                        dst.sources
                            .get_or_insert_with(BTreeMap::new)
                            .extend(s.clone());
                    }
                }
                None => {
                    actor_at.insert(a.id.clone(), self.actors.len());
                    self.actors.push((a.clone(), Origin { file: fi, index }));
                }
            }
        }
        let mut rel_at: HashMap<(Option<String>, Option<String>), usize> = self
            .relations
            .iter()
            .enumerate()
            .map(|(i, (x, _))| ((x.from.clone(), x.to.clone()), i))
            .collect();
        for (index, r) in f.relations.iter().enumerate() {
            let key = (r.from.clone(), r.to.clone());
            match rel_at.get(&key).map(|&i| &mut self.relations[i]) {
                Some((dst, _)) => {
                    patch!(dst, r; source);
                    for k in RELATION_KEYS {
                        k.patch(dst, r);
                    }
                }
                None => {
                    rel_at.insert(key, self.relations.len());
                    self.relations.push((r.clone(), Origin { file: fi, index }));
                }
            }
        }
        for (index, s) in f.shocks.iter().enumerate() {
            self.shocks.push((s.clone(), Origin { file: fi, index }));
        }
        for (index, e) in f.elections.iter().enumerate() {
            self.elections.push((e.clone(), Origin { file: fi, index }));
        }
        for (index, o) in f.observations.iter().enumerate() {
            self.observations
                .push((o.clone(), Origin { file: fi, index }));
        }
        for (index, q) in f.questions.iter().enumerate() {
            self.questions.push((q.clone(), Origin { file: fi, index }));
        }
        if let Some(sens) = &f.sensitivity {
            patch!(self.sensitivity, sens; samples, runs, source);
            if let Some(r) = &sens.ranges {
                self.sensitivity
                    .ranges
                    .get_or_insert_with(BTreeMap::new)
                    .extend(r.clone());
            }
        }
    }
}
