//! The `observations` part of `summary.json`: for a single run each observation with its
//! observed statistic and whether it held; for an ensemble P(holds) with its 95% Wilson
//! interval, for each and for all together. Absent when the scenario has no observations, so
//! the files of other scenarios keep every byte.

use crate::ensemble::stats::{wilson, Proportion};
use crate::observe::{ObsCounts, Observation, Observed};
use crate::scenario::Scenario;
use crate::watch::Verdict;
use serde::Serialize;

/// One observation as the summary states it.
#[derive(Debug, Serialize)]
pub struct ObsSpec {
    pub label: String,
    pub metric: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<&'static str>,
    pub steps: [usize; 2],
    pub stat: &'static str,
    pub op: &'static str,
    pub value: Vec<f64>,
    pub source: String,
}

impl ObsSpec {
    pub fn new(sc: &Scenario, o: &Observation) -> ObsSpec {
        use crate::observe::Test;
        let id = |a: Option<crate::scenario::ActorId>| a.map(|a| sc.actors[a.ix()].id.clone());
        let (metric, actor, target, class) = match o.what {
            Observed::Series { metric, actor } => (metric.name(), id(actor), None, None),
            Observed::Events {
                actor,
                target,
                class,
            } => ("events", id(actor), id(target), Some(class.name())),
        };
        ObsSpec {
            label: sc.observation_label(o),
            metric,
            actor,
            target,
            class,
            steps: [o.steps.0, o.steps.1],
            stat: o.stat.name(),
            op: o.test.op(),
            value: match o.test {
                Test::Between(lo, hi) => vec![lo, hi],
                Test::Lt(v) | Test::Le(v) | Test::Gt(v) | Test::Ge(v) => vec![v],
            },
            source: o.source.clone(),
        }
    }
}

/// One observation in a single run.
#[derive(Debug, Serialize)]
pub struct RunObs {
    #[serde(flatten)]
    pub spec: ObsSpec,
    /// The statistic the run shows.
    pub observed: f64,
    pub held: bool,
}

/// `observations` of a single run's summary.
#[derive(Debug, Serialize)]
pub struct RunObservations {
    pub all_held: bool,
    pub held: usize,
    pub each: Vec<RunObs>,
}

/// The observations of a single run, or None if the scenario has none.
pub fn run_observations(sc: &Scenario, verdicts: &[Verdict]) -> Option<RunObservations> {
    if sc.observations.is_empty() {
        return None;
    }
    Some(RunObservations {
        all_held: verdicts.iter().all(|v| v.held),
        held: verdicts.iter().filter(|v| v.held).count(),
        each: sc
            .observations
            .iter()
            .zip(verdicts)
            .map(|(o, v)| RunObs {
                spec: ObsSpec::new(sc, o),
                observed: v.value,
                held: v.held,
            })
            .collect(),
    })
}

/// One observation in an ensemble.
#[derive(Debug, Serialize)]
pub struct EnsembleObs {
    #[serde(flatten)]
    pub spec: ObsSpec,
    /// P(holds) with its 95% Wilson interval.
    pub p_holds: Proportion,
}

/// `observations` of an ensemble's summary.
#[derive(Debug, Serialize)]
pub struct EnsembleObservations {
    /// P(every observation holds in the same run), 95% Wilson interval.
    pub p_all: Proportion,
    pub each: Vec<EnsembleObs>,
}

/// The observations of an ensemble of `runs` runs, or None if the scenario has none.
pub fn ensemble_observations(
    sc: &Scenario,
    counts: &ObsCounts,
    runs: u64,
) -> Option<EnsembleObservations> {
    if sc.observations.is_empty() {
        return None;
    }
    Some(EnsembleObservations {
        p_all: wilson(counts.all, runs),
        each: sc
            .observations
            .iter()
            .enumerate()
            .map(|(k, o)| EnsembleObs {
                spec: ObsSpec::new(sc, o),
                p_holds: wilson(counts.held.get(k).copied().unwrap_or(0), runs),
            })
            .collect(),
    })
}
