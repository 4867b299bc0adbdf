//! Files of an ensemble: `ensemble.csv`, `event_counts.csv`, `summary.json` (with outcome
//! probabilities and 95% Wilson intervals), and shard state for `diplosim merge`.

use super::run::to_json;
use crate::ensemble::stats::{wilson, Proportion};
use crate::ensemble::Aggregate;
use crate::error::Result;
use crate::model::CATALOGUE;
use crate::output::record::{ACTOR_METRICS, REGION_METRICS};
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// `ensemble.csv`: `step,actor,metric,mean,sd,p05,p25,p50,p75,p95`.
pub fn ensemble_csv(sc: &Scenario, agg: &Aggregate) -> String {
    let mut s = String::with_capacity(agg.slots() * (agg.steps + 1) * 120);
    s.push_str("step,actor,metric,mean,sd,p05,p25,p50,p75,p95\n");
    let mut row = |t: usize, actor: &str, metric: &str, cell: usize| {
        let c = agg.cell(cell);
        let _ = writeln!(
            s,
            "{t},{actor},{metric},{},{},{},{},{},{},{}",
            c.mean, c.sd, c.q[0], c.q[1], c.q[2], c.q[3], c.q[4]
        );
    };
    for t in 0..=agg.steps {
        for (i, a) in sc.actors.iter().enumerate() {
            for (m, name) in ACTOR_METRICS.iter().enumerate() {
                row(t, &a.id, name, agg.actor_cell(t, i, m));
            }
        }
        for (r, name) in REGION_METRICS.iter().enumerate() {
            row(t, "*", name, agg.region_cell(t, r));
        }
    }
    s
}

/// `event_counts.csv`: `actor,target,code,label,mean_per_run`, pairs and codes that occurred.
pub fn event_counts_csv(sc: &Scenario, agg: &Aggregate) -> String {
    let mut s = String::from("actor,target,code,label,mean_per_run\n");
    let n = agg.n;
    for i in 0..n {
        for j in 0..n {
            for (k, code) in CATALOGUE.iter().enumerate() {
                let c = agg.event_counts[(i * n + j) * CATALOGUE.len() + k];
                if c > 0 {
                    let _ = writeln!(
                        s,
                        "{},{},{},{},{}",
                        sc.actors[i].id,
                        sc.actors[j].id,
                        code.code,
                        code.label,
                        c as f64 / agg.runs as f64
                    );
                }
            }
        }
    }
    s
}

#[derive(Serialize)]
struct Dist {
    mean: f64,
    sd: f64,
    p05: f64,
    p25: f64,
    p50: f64,
    p75: f64,
    p95: f64,
}

fn dist(agg: &Aggregate, cell: usize) -> Dist {
    let c = agg.cell(cell);
    Dist {
        mean: c.mean,
        sd: c.sd,
        p05: c.q[0],
        p25: c.q[1],
        p50: c.q[2],
        p75: c.q[3],
        p95: c.q[4],
    }
}

#[derive(Serialize)]
struct StepDist {
    /// Runs in which the office opened.
    runs: u64,
    mean: Option<f64>,
    p05: Option<usize>,
    p50: Option<usize>,
    p95: Option<usize>,
    /// step → number of runs that opened then.
    histogram: BTreeMap<usize, u64>,
}

/// Exact quantiles of a histogram over steps (order statistic of rank ⌊q(n−1)⌋).
fn step_dist(h: &[u64]) -> StepDist {
    let n: u64 = h.iter().sum();
    let q = |q: f64| -> Option<usize> {
        if n == 0 {
            return None;
        }
        let rank = (q * (n - 1) as f64).floor() as u64;
        let mut seen = 0;
        for (t, &c) in h.iter().enumerate() {
            seen += c;
            if rank < seen {
                return Some(t);
            }
        }
        None
    };
    let mean = (n > 0).then(|| {
        h.iter()
            .enumerate()
            .map(|(t, &c)| t as f64 * c as f64)
            .sum::<f64>()
            / n as f64
    });
    StepDist {
        runs: n,
        mean,
        p05: q(0.05),
        p50: q(0.5),
        p95: q(0.95),
        histogram: h
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(|(t, &c)| (t, c))
            .collect(),
    }
}

/// A proportion and its 95% Wilson interval, flattened for easy reading: `p`, `ci95`, counts.
#[derive(Serialize)]
struct Share {
    p: f64,
    ci95: [f64; 2],
    runs: u64,
    of: u64,
}

fn share(p: Proportion) -> Share {
    Share {
        p: p.estimate,
        ci95: [p.lo, p.hi],
        runs: p.count,
        of: p.runs,
    }
}

#[derive(Serialize)]
struct OfficeOut {
    /// The most common final status over the runs.
    status: &'static str,
    /// Median approval / opening step over the runs where it happened (null if in none).
    approved_step: Option<usize>,
    opened_step: Option<usize>,
    /// Actors that still block at the end in more than half of the runs.
    blockers: Vec<String>,
    /// Runs ending in each status.
    status_counts: BTreeMap<&'static str, u64>,
    p_opened: f64,
    p_opened_ci95: [f64; 2],
    p_approved: f64,
    p_approved_ci95: [f64; 2],
    p_opened_by_step: Vec<f64>,
    p_approved_by_step: Vec<f64>,
    opening_step: StepDist,
    /// Share of runs in which each actor blocked the last vote (office not approved at the end).
    blocker_shares: BTreeMap<String, Share>,
}

#[derive(Serialize)]
struct HostileOut {
    /// Share of runs with at least one coercive event (Goldstein ≤ −7), with its 95% interval.
    p_any: f64,
    p_any_ci95: [f64; 2],
    /// Share of runs in which each actor sent at least one.
    by_actor: BTreeMap<String, Share>,
    mean_per_run: f64,
}

/// Final values: `stance` and `posture` are means over the runs; the distributions beside them.
#[derive(Serialize)]
struct FinalOut {
    stance: f64,
    posture: f64,
    stance_dist: Dist,
    posture_dist: Dist,
}

#[derive(Serialize)]
struct Indicators {
    forecast: Dist,
    polarization: Dist,
    cooperation_mean: f64,
    events_per_run: f64,
}

#[derive(Serialize)]
struct Summary<'a> {
    scenario: &'a str,
    title: &'a str,
    seed: u64,
    runs: u64,
    steps: usize,
    step_unit: &'a str,
    seeding: &'static str,
    quantiles: &'static str,
    office: OfficeOut,
    hostile: HostileOut,
    #[serde(rename = "final")]
    final_: BTreeMap<&'a str, FinalOut>,
    indicators: Indicators,
}

/// How run seeds are derived (also in the README).
pub const SEEDING: &str = "run r uses ChaCha8Rng::seed_from_u64(seed) on stream r (set_stream(r)); run 0 is the single run of that seed";

/// `summary.json` of an ensemble.
pub fn summary_json(sc: &Scenario, agg: &Aggregate) -> Result<String> {
    let runs = agg.runs;
    let last = agg.steps;
    let by_step = |v: &Vec<u64>| {
        v.iter()
            .map(|&c| c as f64 / runs as f64)
            .collect::<Vec<_>>()
    };
    let summary = Summary {
        scenario: &sc.name,
        title: &sc.title,
        seed: sc.seed,
        runs,
        steps: agg.steps,
        step_unit: &sc.step_unit,
        seeding: SEEDING,
        quantiles:
            "sketch quantiles: within 0.78% of the exact order statistic of rank floor(q(n-1))",
        office: {
            let approved = wilson(agg.approved_by_step[last], runs);
            let opened = wilson(agg.opened_by_step[last], runs);
            let modal = (0..4)
                .max_by_key(|&k| (agg.status_at_end[k], std::cmp::Reverse(k)))
                .unwrap_or(0);
            OfficeOut {
                status: crate::model::Status::ALL[modal].name(),
                approved_step: step_dist(&agg.approved_at).p50,
                opened_step: step_dist(&agg.opened_at).p50,
                blockers: sc
                    .actors
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| 2 * agg.blocked_at_end[*i] > runs)
                    .map(|(_, a)| a.id.clone())
                    .collect(),
                status_counts: crate::model::Status::ALL
                    .iter()
                    .map(|s| (s.name(), agg.status_at_end[*s as usize]))
                    .collect(),
                p_opened: opened.estimate,
                p_opened_ci95: [opened.lo, opened.hi],
                p_approved: approved.estimate,
                p_approved_ci95: [approved.lo, approved.hi],
                p_opened_by_step: by_step(&agg.opened_by_step),
                p_approved_by_step: by_step(&agg.approved_by_step),
                opening_step: step_dist(&agg.opened_at),
                blocker_shares: sc
                    .actors
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| agg.blocked_at_end[*i] > 0)
                    .map(|(i, a)| (a.id.clone(), share(wilson(agg.blocked_at_end[i], runs))))
                    .collect(),
            }
        },
        hostile: {
            let any = wilson(agg.coercive_any, runs);
            HostileOut {
                p_any: any.estimate,
                p_any_ci95: [any.lo, any.hi],
                by_actor: sc
                    .actors
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (a.id.clone(), share(wilson(agg.coercive_by_actor[i], runs))))
                    .collect(),
                mean_per_run: agg.coercive_events as f64 / runs as f64,
            }
        },
        final_: sc
            .actors
            .iter()
            .enumerate()
            .map(|(i, a)| {
                (
                    a.id.as_str(),
                    FinalOut {
                        stance: agg.cell(agg.actor_cell(last, i, 0)).mean,
                        posture: agg.cell(agg.actor_cell(last, i, 1)).mean,
                        stance_dist: dist(agg, agg.actor_cell(last, i, 0)),
                        posture_dist: dist(agg, agg.actor_cell(last, i, 1)),
                    },
                )
            })
            .collect(),
        indicators: Indicators {
            forecast: dist(agg, agg.region_cell(last, 0)),
            polarization: dist(agg, agg.region_cell(last, 1)),
            cooperation_mean: agg.cooperation_mean(),
            events_per_run: agg.events as f64 / runs as f64,
        },
    };
    to_json(&summary)
}

/// What a shard folder holds for `merge`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardState {
    pub tool: String,
    pub version: String,
    pub scenario: String,
    pub scenario_hash: String,
    pub seed: u64,
    /// Runs of the whole ensemble.
    pub runs: u64,
    pub steps: usize,
    /// K of N.
    pub shard: (u64, u64),
    /// Runs [start, end) of this shard.
    pub range: (u64, u64),
    /// Whether events.csv holds every run's events (`--events all`).
    pub all_events: bool,
    pub aggregate: Aggregate,
}

/// Runs [start, end) of shard k (1-based) of n over `runs` runs: contiguous, sizes differ by ≤ 1.
pub fn shard_range(k: u64, n: u64, runs: u64) -> (u64, u64) {
    ((k - 1) * runs / n, k * runs / n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_ranges_tile_the_runs() {
        for runs in [1u64, 7, 10, 1000] {
            for n in 1..=5u64.min(runs) {
                let mut next = 0;
                for k in 1..=n {
                    let (a, b) = shard_range(k, n, runs);
                    assert_eq!(a, next);
                    assert!(b - a == runs / n || b - a == runs / n + 1);
                    next = b;
                }
                assert_eq!(next, runs);
            }
        }
    }

    #[test]
    fn step_quantiles_are_exact_order_statistics() {
        // Steps 3,3,5,9 → rank ⌊0.5·3⌋ = 1 → 3; rank ⌊0.95·3⌋ = 2 → 5; mean 5.
        let mut h = vec![0u64; 10];
        h[3] = 2;
        h[5] = 1;
        h[9] = 1;
        let d = step_dist(&h);
        assert_eq!(
            (d.p05, d.p50, d.p95, d.mean),
            (Some(3), Some(3), Some(5), Some(5.0))
        );
    }
}
