//! The recorder: an [`Observer`] that keeps a whole single run in memory for the writers and charts.
//! Its layout follows [`Metric`]: per-actor metrics in `actor`, region-wide ones in `region`, each
//! at its [`Metric::position`].

use super::{Event, Observer, StepView, Vote};
use crate::model::{CooperationMean, Metric, Reading, Status};

/// One run, step by step. `actor[m][t * n + i]` is per-actor metric m (its [`Metric::position`])
/// of actor i at step t; `region[r][t]` is region-wide metric r at step t.
#[derive(Debug, Clone, Default)]
pub struct Recording {
    pub n: usize,
    pub actor: [Vec<f64>; Metric::PER_ACTOR],
    pub region: [Vec<f64>; Metric::REGION],
    pub events: Vec<Event>,
    pub votes: Vec<Vote>,
}

impl Recording {
    pub fn new(n: usize, steps: usize) -> Self {
        let cap = (steps + 1) * n;
        Recording {
            n,
            actor: std::array::from_fn(|_| Vec::with_capacity(cap)),
            region: std::array::from_fn(|_| Vec::with_capacity(steps + 1)),
            events: Vec::new(),
            votes: Vec::new(),
        }
    }

    /// Number of steps recorded (including step 0).
    pub fn len(&self) -> usize {
        self.region[0].len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Value of `metric` at step t for actor i (ignored for a region-wide metric).
    pub fn value(&self, metric: Metric, t: usize, i: usize) -> f64 {
        match metric.scope() {
            crate::model::Scope::Actor => self.actor[metric.position()][t * self.n + i],
            crate::model::Scope::Region => self.region[metric.position()][t],
        }
    }

    /// Series of `metric` over the steps, for actor i (ignored for a region-wide metric).
    pub fn series(&self, metric: Metric, i: usize) -> Vec<f64> {
        match metric.scope() {
            crate::model::Scope::Actor => self.actor_series(metric.position(), i),
            crate::model::Scope::Region => self.region[metric.position()].clone(),
        }
    }

    /// Series of the per-actor metric at position m (see [`Metric::position`]) for actor i.
    pub fn actor_series(&self, m: usize, i: usize) -> Vec<f64> {
        self.actor[m]
            .iter()
            .skip(i)
            .step_by(self.n)
            .copied()
            .collect()
    }

    /// Office status at each step.
    pub fn status(&self) -> Vec<Status> {
        self.region[Metric::OfficeStatus.position()]
            .iter()
            .map(|&v| Status::from_value(v).unwrap_or(Status::Proposed))
            .collect()
    }

    /// The run's mean cooperation index ([`CooperationMean`]).
    pub fn cooperation_mean(&self) -> f64 {
        CooperationMean::of(&self.region[Metric::Cooperation.position()])
    }
}

impl Observer for Recording {
    fn step(&mut self, v: &StepView) {
        for &m in Metric::ALL {
            match m.read(v) {
                Reading::Actors(src) => self.actor[m.position()].extend_from_slice(src),
                Reading::Region(x) => self.region[m.position()].push(x),
            }
        }
    }
    fn event(&mut self, e: &Event) {
        self.events.push(*e);
    }
    fn vote(&mut self, v: &Vote) {
        self.votes.push(v.clone());
    }
}
