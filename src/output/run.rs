//! Files of a single run: `timeseries.csv`, `events.csv`, `summary.json`, `manifest.json`
//! (and `scenario.resolved.toml`, written by the caller).

use super::record::{Recording, ACTOR_METRICS, REGION_METRICS};
use super::Staging;
use crate::engine::Outcome;
use crate::error::{Error, Result};
use crate::model::CATALOGUE;
use crate::scenario::Scenario;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// What `manifest.json` records besides the scenario.
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub tool: &'static str,
    pub version: &'static str,
    pub scenario: String,
    /// FNV-1a 64 of `scenario.resolved.toml`.
    pub scenario_hash: String,
    pub seed: u64,
    pub runs: usize,
    pub steps: usize,
    pub threads: usize,
    /// `K/N` for a shard, else null.
    pub shard: Option<String>,
    /// The only value that differs between identical runs.
    pub created: String,
}

/// `timeseries.csv`: `run,step,actor,metric,value`, per actor then region-wide (`*`).
pub fn timeseries_csv(sc: &Scenario, rec: &Recording, run: usize) -> String {
    let mut s = String::with_capacity(rec.len() * (rec.n * 4 + 5) * 32);
    s.push_str("run,step,actor,metric,value\n");
    for t in 0..rec.len() {
        for (i, a) in sc.actors.iter().enumerate() {
            for (m, name) in ACTOR_METRICS.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "{run},{t},{},{name},{}",
                    a.id,
                    rec.actor[m][t * rec.n + i]
                );
            }
        }
        for (m, name) in REGION_METRICS.iter().enumerate() {
            let _ = writeln!(s, "{run},{t},*,{name},{}", rec.region[m][t]);
        }
    }
    s
}

/// Header of `events.csv`.
pub const EVENTS_HEADER: &str = "run,step,actor,target,code,label,goldstein\n";

/// `events.csv` rows of one run: `run,step,actor,target,code,label,goldstein`.
pub fn event_rows(sc: &Scenario, run: u64, events: &[crate::engine::Event], out: &mut String) {
    for e in events {
        let c = &CATALOGUE[e.code];
        let _ = writeln!(
            out,
            "{run},{},{},{},{},{},{}",
            e.step,
            sc.actors[e.actor.ix()].id,
            sc.actors[e.target.ix()].id,
            c.code,
            c.label,
            c.goldstein
        );
    }
}

/// `events.csv` of a single run.
pub fn events_csv(sc: &Scenario, rec: &Recording, run: usize) -> String {
    let mut s = String::from(EVENTS_HEADER);
    event_rows(sc, run as u64, &rec.events, &mut s);
    s
}

#[derive(Serialize)]
struct VoteOut {
    step: usize,
    approved: bool,
    blockers: Vec<String>,
}

#[derive(Serialize)]
struct OfficeOut {
    status: &'static str,
    approved_step: Option<usize>,
    opened_step: Option<usize>,
    blockers: Vec<String>,
    votes: Vec<VoteOut>,
}

#[derive(Serialize)]
struct FinalOut {
    stance: f64,
    posture: f64,
    tone_sent_total: f64,
    tone_received_total: f64,
}

#[derive(Serialize)]
struct Indicators {
    forecast: f64,
    polarization: f64,
    cooperation_mean: f64,
    cooperation_total: f64,
    events: usize,
    coercive_events: usize,
}

#[derive(Serialize)]
struct Summary<'a> {
    scenario: &'a str,
    title: &'a str,
    seed: u64,
    runs: usize,
    steps: usize,
    step_unit: &'a str,
    office: OfficeOut,
    #[serde(rename = "final")]
    final_: BTreeMap<&'a str, FinalOut>,
    indicators: Indicators,
}

/// `summary.json` of a single run.
pub fn summary_json(sc: &Scenario, rec: &Recording, out: &Outcome) -> Result<String> {
    let id = |a: crate::scenario::ActorId| sc.actors[a.ix()].id.clone();
    let last = rec.len() - 1;
    let coop = &rec.region[2];
    let summary = Summary {
        scenario: &sc.name,
        title: &sc.title,
        seed: sc.seed,
        runs: 1,
        steps: sc.steps,
        step_unit: &sc.step_unit,
        office: OfficeOut {
            status: out.status.name(),
            approved_step: out.approved_step,
            opened_step: out.opened_step,
            blockers: out.blockers.iter().map(|&a| id(a)).collect(),
            votes: out
                .votes
                .iter()
                .map(|v| VoteOut {
                    step: v.step,
                    approved: v.approved,
                    blockers: v.blockers.iter().map(|&a| id(a)).collect(),
                })
                .collect(),
        },
        final_: sc
            .actors
            .iter()
            .enumerate()
            .map(|(i, a)| {
                (
                    a.id.as_str(),
                    FinalOut {
                        stance: out.final_stance[i],
                        posture: out.final_posture[i],
                        tone_sent_total: rec.actor_series(2, i).iter().sum(),
                        tone_received_total: rec.actor_series(3, i).iter().sum(),
                    },
                )
            })
            .collect(),
        indicators: Indicators {
            forecast: rec.region[0][last],
            polarization: rec.region[1][last],
            cooperation_mean: coop[1..].iter().sum::<f64>() / (coop.len() - 1).max(1) as f64,
            cooperation_total: coop.iter().sum(),
            events: rec.events.len(),
            coercive_events: out.coercive_events,
        },
    };
    to_json(&summary)
}

/// Pretty JSON with a final newline.
pub fn to_json<T: Serialize>(v: &T) -> Result<String> {
    serde_json::to_string_pretty(v)
        .map(|s| s + "\n")
        .map_err(|e| Error::Run(format!("cannot encode JSON: {e}")))
}

/// Write every file of a single run into `stage`.
pub fn write_single(
    stage: &Staging,
    sc: &Scenario,
    resolved: &str,
    rec: &Recording,
    out: &Outcome,
    manifest: &Manifest,
) -> Result<()> {
    stage.write("scenario.resolved.toml", resolved)?;
    stage.write("timeseries.csv", timeseries_csv(sc, rec, 0))?;
    stage.write("events.csv", events_csv(sc, rec, 0))?;
    stage.write("summary.json", summary_json(sc, rec, out)?)?;
    stage.write("manifest.json", to_json(manifest)?)?;
    Ok(())
}
