//! Scenarios compared as ensembles: each run here with common random numbers, summarised as an
//! [`Item`] (exact means over runs) for the table and charts, with the paired differences of
//! [`super::paired`].

use super::{paired, Item};
use crate::engine::Compiled;
use crate::ensemble::{run_range_checked, Aggregate, Models};
use crate::error::{Error, Result};
use crate::model::{Metric, Scope, Status};
use crate::scenario::Scenario;
use std::collections::BTreeMap;

impl Item {
    /// An ensemble of `sc` (its `runs` runs from its seed): means over runs for the series (exact),
    /// the most common final status, P(opened), the members blocking in most runs, the median approval and opening steps over the
    /// runs where they happened, and coercive events drawn per run (injected ones not counted).
    pub fn from_aggregate(sc: Scenario, agg: &Aggregate) -> Item {
        let mut series = BTreeMap::new();
        let steps = 0..=agg.steps;
        for &m in Metric::ALL {
            let ids: Vec<(String, usize)> = match m.scope() {
                Scope::Actor => sc
                    .actors
                    .iter()
                    .enumerate()
                    .map(|(i, a)| (a.id.clone(), i))
                    .collect(),
                Scope::Region => vec![("*".to_string(), 0)],
            };
            for (id, i) in ids {
                let s = steps.clone().map(|t| agg.stats(t, m, i).mean).collect();
                series.insert((id, m), s);
            }
        }
        let runs = agg.runs.max(1);
        let top = (0..Status::ALL.len())
            .max_by_key(|&k| (agg.status_at_end[k], std::cmp::Reverse(k)))
            .unwrap_or(0);
        let injected = agg.coercive_injected;
        Item {
            label: format!("{} (seed {}, {} runs)", sc.name, sc.seed, agg.runs),
            office: Status::ALL[top].name().to_string(),
            approved: lower_median(&agg.approved_at),
            opened: lower_median(&agg.opened_at),
            p_opened: Some(agg.opened_by_step[agg.steps] as f64 / runs as f64),
            // Members still blocking at the end in most runs.
            blockers: sc
                .actors
                .iter()
                .zip(&agg.blocked_at_end)
                .filter(|(_, &k)| 2 * k > agg.runs)
                .map(|(a, _)| a.id.clone())
                .collect(),
            coop_mean: agg.cooperation_mean(),
            hostile: agg.coercive_events.saturating_sub(injected) as f64 / runs as f64,
            series,
            sc,
        }
    }
}

/// Lower median of a histogram over steps (counts of runs), if any run counted.
fn lower_median(counts: &[u64]) -> Option<f64> {
    let total: u64 = counts.iter().sum();
    if total == 0 {
        return None;
    }
    let rank = (total - 1) / 2;
    let mut seen = 0;
    counts
        .iter()
        .position(|&c| {
            seen += c;
            rank < seen
        })
        .map(|t| t as f64)
}

/// Run every scenario as an ensemble of `runs` runs from `seed`, with common random numbers
/// With `compare --posterior DIR`: the posterior's points and each scenario compiled at every one
/// of them (`compiled[scenario][point]`).
pub struct Posterior {
    pub draws: crate::calibrate::draws::Draws,
    pub compiled: Vec<Vec<Compiled>>,
    /// Each scenario at the posterior medians (the comparison set beside the one with
    /// uncertainty).
    pub medians: Vec<Scenario>,
}

/// (run r of each uses `run_rng(seed, r)`): the items for the table and charts, and the paired
/// differences from the first scenario. Call it inside `pool.install` to choose the threads.
#[allow(clippy::too_many_arguments)]
pub fn run_ensembles(
    scenarios: Vec<Scenario>,
    runs: usize,
    seed: u64,
    window: Option<(usize, usize)>,
    matters: paired::Matters,
    posterior: Option<&Posterior>,
    cancel: &std::sync::atomic::AtomicBool,
    on_run: &(dyn Fn() + Sync),
) -> Result<(Vec<Item>, paired::Paired)> {
    let ctl = crate::sweep::Control {
        cancel: &|| cancel.load(std::sync::atomic::Ordering::Relaxed),
        on_run,
    };
    let mut recs = Vec::new();
    let mut items = Vec::new();
    let draw = |s: u64, r: u64| posterior.map_or(0, |p| p.draws.pick(s, r));
    for (i, sc) in scenarios.iter().enumerate() {
        // Run r of every scenario draws the same posterior point (by seed and r), if any.
        let single;
        let models = match posterior {
            Some(p) => {
                let pick = |r: u64| p.draws.pick(seed, r);
                recs.push(paired::records_drawn(
                    &p.compiled[i],
                    &pick,
                    runs,
                    seed,
                    &ctl,
                )?);
                Models::Posterior {
                    pick: &draw,
                    compiled: &p.compiled[i],
                }
            }
            None => {
                recs.push(paired::records(sc, runs, seed, &ctl)?);
                single = Compiled::new(sc);
                Models::One(&single)
            }
        };
        let agg = run_range_checked(
            &models,
            &[],
            seed,
            0..runs as u64,
            false,
            cancel,
            &|k| (0..k).for_each(|_| on_run()),
            &mut |_, _| {},
        )
        .map_err(|_| Error::Interrupted)?;
        items.push(Item::from_aggregate(sc.clone(), &agg));
    }
    let refs: Vec<&Scenario> = scenarios.iter().collect();
    let p = paired::Paired::new(&refs, &recs, seed, window, matters);
    Ok((items, p))
}

/// The paired comparison of the scenarios at the posterior medians (`post.medians`), with the
/// same seeds: what the comparison would say without the parameter uncertainty.
pub fn paired_at_medians(
    post: &Posterior,
    runs: usize,
    seed: u64,
    window: Option<(usize, usize)>,
    matters: paired::Matters,
    cancel: &std::sync::atomic::AtomicBool,
    on_run: &(dyn Fn() + Sync),
) -> Result<paired::Paired> {
    let ctl = crate::sweep::Control {
        cancel: &|| cancel.load(std::sync::atomic::Ordering::Relaxed),
        on_run,
    };
    let recs = post
        .medians
        .iter()
        .map(|sc| paired::records(sc, runs, seed, &ctl))
        .collect::<Result<Vec<_>>>()?;
    let refs: Vec<&Scenario> = post.medians.iter().collect();
    Ok(paired::Paired::new(&refs, &recs, seed, window, matters))
}
