//! Files of an ensemble: `ensemble.csv`, `event_counts.csv` and `summary.json` (with outcome
//! probabilities and 95% Wilson intervals), written from an [`Aggregate`].

use super::run::to_json;
use super::CsvText;
use crate::ensemble::stats::{wilson, Proportion};
use crate::ensemble::Aggregate;
use crate::error::Result;
use crate::model::{Metric, CATALOGUE};
use crate::scenario::Scenario;
use serde::Serialize;
use std::collections::BTreeMap;

/// `ensemble.csv`: `step,actor,metric,mean,sd,p05,p25,p50,p75,p95`, rows in the order of
/// `timeseries.csv` ([`Metric::ALL`] within each actor, then the region-wide metrics).
pub fn ensemble_csv(sc: &Scenario, agg: &Aggregate) -> Result<Vec<u8>> {
    let mut csv = CsvText::new([
        "step", "actor", "metric", "mean", "sd", "p05", "p25", "p50", "p75", "p95",
    ]);
    let mut row = |step: &str, actor: &str, m: Metric, c: crate::ensemble::CellStats| {
        let nums = [c.mean, c.sd, c.q[0], c.q[1], c.q[2], c.q[3], c.q[4]].map(|x| x.to_string());
        csv.row(
            [step, actor, m.name()]
                .into_iter()
                .chain(nums.iter().map(String::as_str)),
        );
    };
    for t in 0..=agg.steps {
        let step = t.to_string();
        for (i, a) in sc.actors.iter().enumerate() {
            for m in Metric::per_actor() {
                row(&step, &a.id, m, agg.stats(t, m, i));
            }
        }
        for m in Metric::region() {
            row(&step, "*", m, agg.stats(t, m, 0));
        }
    }
    csv.finish()
}

/// `event_counts.csv`: `actor,target,code,label,mean_per_run`, pairs and codes that occurred.
pub fn event_counts_csv(sc: &Scenario, agg: &Aggregate) -> Result<Vec<u8>> {
    let mut csv = CsvText::new(["actor", "target", "code", "label", "mean_per_run"]);
    let n = agg.n;
    for i in 0..n {
        for j in 0..n {
            for (k, code) in CATALOGUE.iter().enumerate() {
                let c = agg.event_counts[(i * n + j) * CATALOGUE.len() + k];
                if c > 0 {
                    let mean = r6(c as f64 / agg.runs as f64).to_string();
                    csv.row([
                        sc.actors[i].id.as_str(),
                        &sc.actors[j].id,
                        code.code,
                        code.label,
                        &mean,
                    ]);
                }
            }
        }
    }
    csv.finish()
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

/// Six significant digits: the precision of every statistic in `summary.json` and
/// `event_counts.csv` (sums are exact to 2⁻³², bucket quantiles to 0.39%), without float noise.
fn r6(x: f64) -> f64 {
    super::round_sig(x, 6)
}

fn dist(c: crate::ensemble::CellStats) -> Dist {
    Dist {
        mean: r6(c.mean),
        sd: r6(c.sd),
        p05: r6(c.q[0]),
        p25: r6(c.q[1]),
        p50: r6(c.q[2]),
        p75: r6(c.q[3]),
        p95: r6(c.q[4]),
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
    let mean = (n > 0)
        .then(|| {
            h.iter()
                .enumerate()
                .map(|(t, &c)| t as f64 * c as f64)
                .sum::<f64>()
                / n as f64
        })
        .map(r6);
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
        p: r6(p.estimate),
        ci95: [r6(p.lo), r6(p.hi)],
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
    /// Share of runs in which the office had opened by step t (at t or before), whatever
    /// happened after: cumulative, never decreasing.
    p_opened_by_step: Vec<f64>,
    /// Share of runs in which the office is open at step t (differs from `p_opened_by_step`
    /// when a shock reverts the status).
    p_open_at_step: Vec<f64>,
    /// Share of runs approved by step t (cumulative), and approved or open at step t.
    p_approved_by_step: Vec<f64>,
    p_approved_at_step: Vec<f64>,
    opening_step: StepDist,
    /// Share of runs in which each actor blocked the last vote (office not approved at the end).
    blocker_shares: BTreeMap<String, Share>,
    /// Share of runs in which the proposer shelved the proposal, with its 95% interval, and the
    /// shelving step over the runs where it happened.
    p_shelved: f64,
    p_shelved_ci95: [f64; 2],
    shelving_step: StepDist,
    /// The issue's substitute (if it names one) and the share of runs that adopted it.
    #[serde(skip_serializing_if = "Option::is_none")]
    substitute: Option<String>,
    p_substitute: f64,
    /// Share of runs in which the proposal was scaled down.
    p_scaled_down: f64,
    /// Per actor: the share of runs in which it was bought off by a side payment, and in which
    /// it made a concession (actors that did neither are left out).
    bought_off: BTreeMap<String, Share>,
    conceded: BTreeMap<String, Share>,
    /// Per actor: the share of runs in which an election turned its government over.
    turnover: BTreeMap<String, Share>,
}

#[derive(Serialize)]
struct HostileOut {
    /// What `p_any` and `mean_per_run` count: events the model drew, not those injected.
    counts: &'static str,
    /// Share of runs with at least one coercive event (Goldstein ≤ −7) drawn by the model, with
    /// its 95% interval.
    p_any: f64,
    p_any_ci95: [f64; 2],
    /// Coercive events drawn per run.
    mean_per_run: f64,
    /// Coercive events the scenario injects as shocks per run: whole when every run injects the
    /// same, a mean (6 decimals) when conditional shocks inject in some runs only.
    injected_per_run: serde_json::Value,
    /// Share of runs with any coercive event, drawn or injected.
    p_any_including_injected: f64,
    /// Share of runs in which each actor sent at least one (drawn or injected).
    by_actor: BTreeMap<String, Share>,
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
    /// Per metric: "exact" (values counted as integers) or the relative error bound.
    quantile_precision: BTreeMap<&'static str, &'static str>,
    office: OfficeOut,
    hostile: HostileOut,
    #[serde(rename = "final")]
    final_: BTreeMap<&'a str, FinalOut>,
    indicators: Indicators,
    #[serde(skip_serializing_if = "Option::is_none")]
    observations: Option<super::observations::EnsembleObservations>,
}

/// How run seeds are derived (also in the README).
pub const SEEDING: &str = "run r uses ChaCha8Rng::seed_from_u64(seed) on stream r (set_stream(r)); run 0 is the single run of that seed";

/// `summary.json` of an ensemble.
pub fn summary_json(sc: &Scenario, agg: &Aggregate) -> Result<String> {
    let runs = agg.runs;
    let last = agg.steps;
    let summary = Summary {
        scenario: &sc.name,
        title: &sc.title,
        seed: sc.seed,
        runs,
        steps: agg.steps,
        step_unit: &sc.step_unit,
        seeding: SEEDING,
        quantiles: "order statistic of rank floor(q(n-1)): exact for the metrics marked exact in quantile_precision and at step 0, otherwise the middle of a logarithmic bucket within the stated relative error (plus 1e-9), clamped to the cell's exact minimum and maximum",
        quantile_precision: Metric::ALL
            .iter()
            .map(|&m| (m.name(), agg.precision(m)))
            .collect(),
        office: office_out(sc, agg),
        hostile: hostile_out(sc, agg),
        final_: sc
            .actors
            .iter()
            .enumerate()
            .map(|(i, a)| {
                (
                    a.id.as_str(),
                    FinalOut {
                        stance: r6(agg.stats(last, Metric::Stance, i).mean),
                        posture: r6(agg.stats(last, Metric::Posture, i).mean),
                        stance_dist: dist(agg.stats(last, Metric::Stance, i)),
                        posture_dist: dist(agg.stats(last, Metric::Posture, i)),
                    },
                )
            })
            .collect(),
        indicators: Indicators {
            forecast: dist(agg.stats(last, Metric::Forecast, 0)),
            polarization: dist(agg.stats(last, Metric::Polarization, 0)),
            cooperation_mean: r6(agg.cooperation_mean()),
            events_per_run: r6(agg.events as f64 / runs as f64),
        },
        observations: super::observations::ensemble_observations(sc, &agg.observed, runs),
    };
    to_json(&summary)
}

/// The `office` object of an ensemble's summary.
fn office_out(sc: &Scenario, agg: &Aggregate) -> OfficeOut {
    let runs = agg.runs;
    let last = agg.steps;
    let by_step = |v: &Vec<u64>| {
        v.iter()
            .map(|&c| r6(c as f64 / runs as f64))
            .collect::<Vec<_>>()
    };
    let cumulative = |v: &Vec<u64>| {
        v.iter()
            .scan(0u64, |acc, &c| {
                *acc += c;
                Some(*acc)
            })
            .collect::<Vec<u64>>()
    };
    let approved = wilson(agg.approved_by_step[last], runs);
    let shelved = wilson(agg.shelved_at.iter().sum(), runs);
    let per_actor = |counts: &[u64]| -> BTreeMap<String, Share> {
        sc.actors
            .iter()
            .zip(counts)
            .filter(|(_, &k)| k > 0)
            .map(|(a, &k)| (a.id.clone(), share(wilson(k, runs))))
            .collect()
    };
    let opened = wilson(agg.opened_by_step[last], runs);
    let modal = (0..crate::model::Status::ALL.len())
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
            .map(|s| (s.name(), agg.status_at_end[s.index()]))
            .collect(),
        p_opened: r6(opened.estimate),
        p_opened_ci95: [r6(opened.lo), r6(opened.hi)],
        p_approved: r6(approved.estimate),
        p_approved_ci95: [r6(approved.lo), r6(approved.hi)],
        p_opened_by_step: by_step(&cumulative(&agg.opened_at)),
        p_open_at_step: by_step(&agg.opened_by_step),
        p_approved_by_step: by_step(&cumulative(&agg.approved_at)),
        p_approved_at_step: by_step(&agg.approved_by_step),
        opening_step: step_dist(&agg.opened_at),
        blocker_shares: sc
            .actors
            .iter()
            .enumerate()
            .filter(|(i, _)| agg.blocked_at_end[*i] > 0)
            .map(|(i, a)| (a.id.clone(), share(wilson(agg.blocked_at_end[i], runs))))
            .collect(),
        p_shelved: r6(shelved.estimate),
        p_shelved_ci95: [r6(shelved.lo), r6(shelved.hi)],
        shelving_step: step_dist(&agg.shelved_at),
        substitute: sc.issue.substitute.clone(),
        p_substitute: r6(agg.substitute as f64 / runs.max(1) as f64),
        p_scaled_down: r6(agg.scaled as f64 / runs.max(1) as f64),
        bought_off: per_actor(&agg.paid),
        conceded: per_actor(&agg.conceded),
        turnover: per_actor(&agg.turnover),
    }
}

/// The `hostile` object of an ensemble's summary.
fn hostile_out(sc: &Scenario, agg: &Aggregate) -> HostileOut {
    let runs = agg.runs;
    let any = wilson(agg.coercive_drawn_any, runs);
    let drawn = agg.coercive_events.saturating_sub(agg.coercive_injected);
    // Whole when every run injects the same (fixed steps); a mean when conditional shocks
    // inject in some runs only.
    let injected: serde_json::Value = if agg.coercive_injected % runs.max(1) == 0 {
        (agg.coercive_injected / runs.max(1)).into()
    } else {
        r6(agg.coercive_injected as f64 / runs as f64).into()
    };
    HostileOut {
        counts: "drawn by the model (events injected by shocks are not counted)",
        p_any: r6(any.estimate),
        p_any_ci95: [r6(any.lo), r6(any.hi)],
        mean_per_run: r6(drawn as f64 / runs as f64),
        injected_per_run: injected,
        p_any_including_injected: r6(agg.coercive_any as f64 / runs as f64),
        by_actor: sc
            .actors
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), share(wilson(agg.coercive_by_actor[i], runs))))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
