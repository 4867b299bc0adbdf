//! The recorder: an [`Observer`] that keeps a whole single run in memory for the writers and charts.

use crate::engine::{Event, Observer, StepView, Vote};
use crate::model::Status;

/// Per-actor metrics, in the order `timeseries.csv` writes them.
pub const ACTOR_METRICS: [&str; 4] = ["stance", "posture", "tone_sent", "tone_received"];
/// Region-wide metrics (actor `*`), in the order `timeseries.csv` writes them.
pub const REGION_METRICS: [&str; 5] = [
    "forecast",
    "polarization",
    "cooperation",
    "cooperation_ma",
    "office_status",
];

/// One run, step by step. `actor[m][t * n + i]` is metric m of actor i at step t.
#[derive(Debug, Clone, Default)]
pub struct Recording {
    pub n: usize,
    pub actor: [Vec<f64>; 4],
    pub region: [Vec<f64>; 5],
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

    /// Series of one actor metric for actor i.
    pub fn actor_series(&self, metric: usize, i: usize) -> Vec<f64> {
        self.actor[metric]
            .iter()
            .skip(i)
            .step_by(self.n)
            .copied()
            .collect()
    }

    /// Office status at each step.
    pub fn status(&self) -> Vec<Status> {
        self.region[4]
            .iter()
            .map(|&v| Status::ALL[v as usize])
            .collect()
    }
}

impl Observer for Recording {
    fn step(&mut self, v: &StepView) {
        for (m, src) in [v.stance, v.posture, v.tone_sent, v.tone_received]
            .into_iter()
            .enumerate()
        {
            self.actor[m].extend_from_slice(src);
        }
        let region = [
            v.forecast,
            v.polarization,
            v.cooperation,
            v.cooperation_ma,
            v.status as u8 as f64,
        ];
        for (m, x) in region.into_iter().enumerate() {
            self.region[m].push(x);
        }
    }
    fn event(&mut self, e: &Event) {
        self.events.push(*e);
    }
    fn vote(&mut self, v: &Vote) {
        self.votes.push(v.clone());
    }
}
