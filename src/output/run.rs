//! Files of a single run: `timeseries.csv`, `events.csv`, `summary.json`, `manifest.json`
//! (and `scenario.resolved.toml`, written by the caller).

use super::record::Recording;
use super::{fnv1a64, rfc3339, Staging};
use crate::engine::{Event, Outcome};
use crate::error::{Error, Result};
use crate::model::{Metric, CATALOGUE};
use crate::scenario::Scenario;
use serde::Serialize;
use std::collections::BTreeMap;

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
    /// The overrides applied besides seed and runs (`--steps`, `--set`, in order): their tag
    /// names the default folder, so `merge` puts shards where one machine would have.
    pub overrides: Vec<String>,
    /// The command that reproduces these results (a canonical form, without `--threads`).
    pub command: String,
    pub threads: usize,
    /// `K/N` for a shard, else null.
    pub shard: Option<String>,
    /// With `run --posterior DIR`: the posterior the runs drew their parameters from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posterior: Option<PosteriorSource>,
    /// The only value that differs between identical runs.
    pub created: String,
}

/// The calibration a `--posterior` forecast drew from (`manifest.json`).
#[derive(Debug, Clone, Serialize)]
pub struct PosteriorSource {
    pub file: String,
    pub hash: String,
    pub keys: Vec<String>,
    pub round: usize,
    /// Points with weight in that round, their effective sample size, and the distinct points
    /// the runs drew from (at most 256, by systematic resampling).
    pub weighted_points: usize,
    pub ess: f64,
    pub points: usize,
}

impl Manifest {
    /// The manifest of `sc` run now with `threads` threads (`resolved` is the TOML written).
    pub fn new(sc: &Scenario, resolved: &str, threads: usize) -> Manifest {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Manifest {
            tool: "diplosim",
            version: env!("CARGO_PKG_VERSION"),
            scenario: sc.name.clone(),
            scenario_hash: format!("fnv1a64:{}", fnv1a64(resolved.as_bytes())),
            seed: sc.seed,
            runs: sc.runs,
            steps: sc.steps,
            overrides: Vec::new(),
            command: String::new(),
            threads,
            shard: None,
            created: rfc3339(secs),
            posterior: None,
        }
    }
}

/// `timeseries.csv`: `run,step,actor,metric,value`; at each step every actor's metrics, then the
/// region-wide ones (actor `*`), in [`Metric::ALL`] order. Streamed to `w` row by row.
pub fn write_timeseries<W: std::io::Write>(
    w: W,
    sc: &Scenario,
    rec: &Recording,
    run: usize,
) -> csv::Result<()> {
    let mut csv = super::csv_writer(w);
    csv.write_record(["run", "step", "actor", "metric", "value"])?;
    let run = run.to_string();
    for t in 0..rec.len() {
        let step = t.to_string();
        for (i, a) in sc.actors.iter().enumerate() {
            for m in Metric::per_actor() {
                let v = rec.value(m, t, i).to_string();
                csv.write_record([&run, &step, &a.id, m.name(), &v])?;
            }
        }
        for m in Metric::region() {
            let v = rec.value(m, t, 0).to_string();
            csv.write_record([&run, &step, "*", m.name(), &v])?;
        }
    }
    csv.flush()?;
    Ok(())
}

/// `timeseries.csv` in memory (for tests and small runs; [`write_single`] streams it).
pub fn timeseries_csv(sc: &Scenario, rec: &Recording, run: usize) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    write_timeseries(&mut buf, sc, rec, run)
        .map_err(|e| Error::Run(format!("cannot write CSV: {e}")))?;
    Ok(buf)
}

/// Write a CSV file of the staging folder through a buffer, row by row.
fn stream_file(
    stage: &Staging,
    name: &str,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> csv::Result<()>,
) -> Result<()> {
    let path = stage.file(name);
    let werr = |e: std::io::Error| Error::Write {
        path: path.clone(),
        source: e,
    };
    let mut w = std::io::BufWriter::new(std::fs::File::create(&path).map_err(werr)?);
    write(&mut w).map_err(|e| werr(std::io::Error::other(e)))?;
    std::io::Write::flush(&mut w).map_err(werr)
}

/// Columns of `events.csv`.
pub const EVENTS_HEADER: [&str; 8] = [
    "run",
    "step",
    "actor",
    "target",
    "code",
    "label",
    "goldstein",
    "issue",
];

/// Write the `events.csv` rows of one run: `run,step,actor,target,code,label,goldstein,issue`
/// (`issue` 1 for an issue signal, 0 for a background or injected event).
pub fn write_event_rows<W: std::io::Write>(
    w: &mut csv::Writer<W>,
    sc: &Scenario,
    run: u64,
    events: &[Event],
) -> csv::Result<()> {
    let run = run.to_string();
    for e in events {
        let c = &CATALOGUE[e.code];
        w.write_record([
            run.as_str(),
            &e.step.to_string(),
            &sc.actors[e.actor.ix()].id,
            &sc.actors[e.target.ix()].id,
            c.code,
            c.label,
            &c.goldstein.to_string(),
            if e.issue { "1" } else { "0" },
        ])?;
    }
    Ok(())
}

/// `events.csv` of a single run.
pub fn events_csv(sc: &Scenario, rec: &Recording, run: usize) -> Result<Vec<u8>> {
    let mut w = super::csv_writer(Vec::new());
    let fail = |e: &dyn std::fmt::Display| Error::Run(format!("cannot write events.csv: {e}"));
    w.write_record(EVENTS_HEADER).map_err(|e| fail(&e))?;
    write_event_rows(&mut w, sc, run as u64, &rec.events).map_err(|e| fail(&e))?;
    w.into_inner().map_err(|e| fail(&e))
}

#[derive(Serialize)]
struct VoteOut {
    step: usize,
    approved: bool,
    blockers: Vec<String>,
}

#[derive(Serialize)]
struct DealOut {
    step: usize,
    kind: &'static str,
    actor: String,
    /// The member whose offer it took, or who paid (none for a scale-down).
    partner: Option<String>,
    /// Stance before and after (the proposal's scope for a scale-down).
    before: f64,
    after: f64,
}

#[derive(Serialize)]
struct TurnoverOut {
    step: usize,
    actor: String,
}

#[derive(Serialize)]
struct OfficeOut {
    status: &'static str,
    approved_step: Option<usize>,
    opened_step: Option<usize>,
    shelved_step: Option<usize>,
    /// The issue's substitute, if it names one, and when it was adopted.
    substitute: Option<String>,
    substitute_step: Option<usize>,
    /// The proposal's scope at the end (1: in full).
    scope: f64,
    blockers: Vec<String>,
    votes: Vec<VoteOut>,
    /// What each bargaining stage did (docs/model.md, decisions in time).
    deals: Vec<DealOut>,
    /// Elections that turned a government over.
    turnovers: Vec<TurnoverOut>,
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
    #[serde(skip_serializing_if = "Option::is_none")]
    observations: Option<super::observations::RunObservations>,
}

/// `summary.json` of a single run.
pub fn summary_json(sc: &Scenario, rec: &Recording, out: &Outcome) -> Result<String> {
    let id = |a: crate::scenario::ActorId| sc.actors[a.ix()].id.clone();
    let last = rec.len() - 1;
    let coop = &rec.region[Metric::Cooperation.position()];
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
            shelved_step: out.shelved_step,
            substitute: sc.issue.substitute.clone(),
            substitute_step: out.substitute_step,
            scope: out.scope,
            blockers: out.blockers.iter().map(|&a| id(a)).collect(),
            deals: out
                .deals
                .iter()
                .map(|d| DealOut {
                    step: d.step,
                    kind: d.kind.name(),
                    actor: id(d.actor),
                    partner: d.partner.map(id),
                    before: d.before,
                    after: d.after,
                })
                .collect(),
            turnovers: out
                .turnovers
                .iter()
                .map(|&(step, a)| TurnoverOut { step, actor: id(a) })
                .collect(),
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
                        tone_sent_total: rec.series(Metric::ToneSent, i).iter().sum(),
                        tone_received_total: rec.series(Metric::ToneReceived, i).iter().sum(),
                    },
                )
            })
            .collect(),
        indicators: Indicators {
            forecast: rec.value(Metric::Forecast, last, 0),
            polarization: rec.value(Metric::Polarization, last, 0),
            cooperation_mean: rec.cooperation_mean(),
            cooperation_total: coop.iter().sum(),
            events: rec.events.len(),
            coercive_events: out.coercive_events,
        },
        observations: super::observations::run_observations(
            sc,
            &crate::watch::Checker::of_recording(&sc.observations, rec),
        ),
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
    stream_file(stage, "timeseries.csv", |w| write_timeseries(w, sc, rec, 0))?;
    stream_file(stage, "events.csv", |w| {
        let mut csv = super::csv_writer(w);
        csv.write_record(EVENTS_HEADER)?;
        write_event_rows(&mut csv, sc, 0, &rec.events)?;
        csv.flush()?;
        Ok(())
    })?;
    stage.write("summary.json", summary_json(sc, rec, out)?)?;
    stage.write("manifest.json", to_json(manifest)?)?;
    Ok(())
}

/// `events.csv` written as an ensemble streams by, run after run, in run order.
pub struct EventStream {
    w: csv::Writer<std::io::BufWriter<std::fs::File>>,
    path: std::path::PathBuf,
    err: Option<csv::Error>,
}

impl EventStream {
    /// Create `path`, with the header line if `header` (a shard other than the first has none).
    pub fn create(path: std::path::PathBuf, header: bool) -> Result<EventStream> {
        let f = std::fs::File::create(&path).map_err(|e| Error::Write {
            path: path.clone(),
            source: e,
        })?;
        let mut s = EventStream {
            w: super::csv_writer(std::io::BufWriter::new(f)),
            path,
            err: None,
        };
        if header {
            s.err = s.w.write_record(EVENTS_HEADER).err();
        }
        Ok(s)
    }

    /// Append the events of run `run`; the first error is kept for [`EventStream::finish`].
    pub fn write(&mut self, sc: &Scenario, run: u64, events: &[Event]) {
        if self.err.is_none() {
            self.err = write_event_rows(&mut self.w, sc, run, events).err();
        }
    }

    /// Flush to disk, or report the first error.
    pub fn finish(mut self) -> Result<()> {
        let err = match self.err.take() {
            Some(e) => Some(std::io::Error::from(e)),
            None => self.w.flush().err(),
        };
        match err {
            Some(e) => Err(Error::Write {
                path: self.path,
                source: e,
            }),
            None => Ok(()),
        }
    }
}
