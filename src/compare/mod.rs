//! Comparison of outcomes side by side, whatever their origin: scenarios run here as ensembles
//! with common random numbers (or once, with `--runs 1`), or earlier output folders (a single
//! run's time series or an ensemble's means). The library computes what `diplosim compare` shows
//! — the rows of its table, `comparison.csv`, the paired differences of [`paired`] and the
//! overlay chart's data — and the command line only lays the table out.

mod ensemble;
pub mod paired;
mod peaks;
mod records;

pub use ensemble::{paired_at_medians, run_ensembles, Posterior};
pub use paired::Matters;

use crate::chart::{CompareInput, CompareSeries};
use crate::engine::record::Recording;
use crate::engine::{simulate, Compiled};
use crate::error::{Error, Result};
use crate::model::{Metric, Scope, Status};
use crate::output::CsvText;
use crate::scenario::{Library, Scenario};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Most bytes of a folder's `summary.json` read back, per actor of its scenario (a summary holds
/// a few hundred bytes per actor; the ensemble's P(opened by step) adds 20 bytes a step).
const MAX_SUMMARY_BYTES_PER_ACTOR: u64 = 256 << 10;

/// One compared outcome.
#[derive(Debug, Clone)]
pub struct Item {
    /// Column title: `name (seed s)` for a run, `name (folder)` for a folder.
    pub label: String,
    pub sc: Scenario,
    /// (actor id or `*`, metric) → series over steps.
    pub series: BTreeMap<(String, Metric), Vec<f64>>,
    pub office: String,
    pub approved: Option<f64>,
    pub opened: Option<f64>,
    /// Share of runs in which the office opened (ensemble folders only).
    pub p_opened: Option<f64>,
    pub blockers: Vec<String>,
    /// Mean cooperation index per step (an ensemble's mean over runs).
    pub coop_mean: f64,
    /// Coercive events (an ensemble's mean per run).
    pub hostile: f64,
}

impl Item {
    /// Run `sc` once with its own seed.
    pub fn run(sc: Scenario) -> Item {
        let c = Compiled::new(&sc);
        let mut rec = Recording::new(sc.actors.len(), sc.steps);
        let out = simulate(&c, sc.seed, 0, &mut rec);
        let mut series = BTreeMap::new();
        for &m in Metric::ALL {
            match m.scope() {
                Scope::Actor => {
                    for (i, act) in sc.actors.iter().enumerate() {
                        series.insert((act.id.clone(), m), rec.series(m, i));
                    }
                }
                Scope::Region => {
                    series.insert(("*".to_string(), m), rec.series(m, 0));
                }
            }
        }
        Item {
            label: format!("{} (seed {})", sc.name, sc.seed),
            office: out.status.name().to_string(),
            approved: out.approved_step.map(|x| x as f64),
            opened: out.opened_step.map(|x| x as f64),
            p_opened: None,
            blockers: out
                .blockers
                .iter()
                .map(|b| sc.actors[b.ix()].id.clone())
                .collect(),
            coop_mean: rec.cooperation_mean(),
            hostile: out.coercive_events as f64,
            series,
            sc,
        }
    }

    /// An earlier run's folder: its resolved scenario, its summary and its time series (single
    /// run) or ensemble medians. Everything read is checked.
    pub fn from_folder(lib: &Library, dir: &Path) -> Result<Item> {
        let resolved = dir.join("scenario.resolved.toml");
        if !resolved.is_file() {
            return Err(Error::Usage(format!(
                "{} is not a diplosim output folder (no scenario.resolved.toml)",
                dir.display()
            )));
        }
        let sc = lib.load_path(&resolved, &[])?;
        let summary_path = dir.join("summary.json");
        // Bounded before it is read: a summary is a few kilobytes per actor.
        let most = MAX_SUMMARY_BYTES_PER_ACTOR * (sc.actors.len() as u64 + 1) + (64 << 10);
        let what = format!("a summary of {} actors", sc.actors.len());
        let mut text = String::new();
        std::io::Read::read_to_string(&mut bounded(&summary_path, most, &what)?, &mut text)
            .map_err(|e| Error::Read {
                path: summary_path.clone(),
                source: e,
            })?;
        if text.len() as u64 > most {
            return Err(too_big(&summary_path, &what, most));
        }
        let summary: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            Error::Usage(format!("{}: not valid JSON: {e}", summary_path.display()))
        })?;
        let office = &summary["office"];
        let runs = summary["runs"].as_u64().unwrap_or(1);
        let series = if runs > 1 {
            read_series(&dir.join("ensemble.csv"), "mean", &sc)?
        } else {
            read_series(&dir.join("timeseries.csv"), "value", &sc)?
        };
        let num = |v: &serde_json::Value| v.as_f64();
        // Text read back is never trusted: the status is one this version writes, each blocker
        // an actor of the folder's own scenario; anything else is refused, never printed.
        let refuse = |key: &str, what: String| {
            Error::Usage(format!(
                "{}: `office.{key}` {what}; the folder was not written by this version or was edited",
                summary_path.display()
            ))
        };
        let status = match office["status"].as_str() {
            None => if runs > 1 { "ensemble" } else { "?" }.to_string(),
            Some(s) if Status::parse(s).is_some() => s.to_string(),
            Some(s) => {
                return Err(refuse(
                    "status",
                    format!("is not a status ({} characters)", s.chars().count()),
                ))
            }
        };
        let mut blockers = Vec::new();
        for b in office["blockers"].as_array().into_iter().flatten() {
            match b.as_str() {
                Some(id) if sc.actor_index(id).is_some() => blockers.push(id.to_string()),
                _ => {
                    return Err(refuse(
                        "blockers",
                        "names someone who is not an actor of its scenario".into(),
                    ))
                }
            }
        }
        Ok(Item {
            label: format!("{} ({})", sc.name, dir.display()),
            office: status,
            approved: num(&office["approved_step"]),
            opened: num(&office["opened_step"]),
            p_opened: num(&office["p_opened"]),
            blockers,
            coop_mean: num(&summary["indicators"]["cooperation_mean"]).unwrap_or(f64::NAN),
            hostile: num(&summary["indicators"]["coercive_events"])
                .or_else(|| num(&summary["hostile"]["mean_per_run"]))
                .unwrap_or(f64::NAN),
            series,
            sc,
        })
    }

    /// Last value of `metric` for actor `id` (`*` for a region-wide metric).
    pub fn final_value(&self, id: &str, metric: Metric) -> Option<f64> {
        self.series
            .get(&(id.to_string(), metric))
            .and_then(|s| s.last().copied())
    }
}

/// Longest line of a `timeseries.csv` or `ensemble.csv` counted when bounding one.
const MAX_SERIES_LINE: u64 = 256;

fn too_big(path: &Path, what: &str, most: u64) -> Error {
    Error::Usage(format!(
        "{}: larger than {what} can be ({most} bytes); not read",
        path.display()
    ))
}

/// A regular file opened for reading at most `most + 1` bytes (the caller refuses more), after
/// its size is checked: never a device, a pipe or a file that claims one size and holds another.
fn bounded(path: &Path, most: u64, what: &str) -> Result<std::io::Take<std::fs::File>> {
    let read_err = |e| Error::Read {
        path: path.to_path_buf(),
        source: e,
    };
    let meta = std::fs::metadata(path).map_err(read_err)?;
    if !meta.is_file() {
        return Err(Error::Usage(format!(
            "{} is not a regular file; not read",
            path.display()
        )));
    }
    if meta.len() > most {
        return Err(too_big(path, what, most));
    }
    let f = std::fs::File::open(path).map_err(read_err)?;
    Ok(std::io::Read::take(f, most + 1))
}

/// Series of a long CSV (`step,actor,metric,<col>`), by (actor, metric); rows of metrics this
/// version does not know are skipped. A step past the folder's scenario's last, or an actor
/// that is not one of its actors (or `*`), is refused, so memory is bounded by the scenario,
/// not by what the file says.
fn read_series(
    path: &Path,
    col: &str,
    sc: &Scenario,
) -> Result<BTreeMap<(String, Metric), Vec<f64>>> {
    let max_step = sc.steps;
    // Every actor (and `*`) × every metric × every step, at most a couple of hundred bytes a
    // line: a larger file (or one that is not a regular file) is refused before it is read.
    let lines = (sc.steps as u64 + 1)
        .saturating_mul(sc.actors.len() as u64 + 1)
        .saturating_mul(Metric::ALL.len() as u64);
    let most = lines
        .saturating_mul(MAX_SERIES_LINE)
        .saturating_add(64 << 10);
    let what = format!(
        "the series of {} actors × {} steps",
        sc.actors.len(),
        sc.steps
    );
    // A folder written with `--format parquet` has the table as Parquet only.
    let parquet = path.with_extension("parquet");
    let is_parquet = !path.exists() && parquet.exists();
    let (headers, records): (
        csv::StringRecord,
        Vec<std::result::Result<csv::StringRecord, String>>,
    ) = if is_parquet {
        drop(bounded(&parquet, most, &what)?);
        let (h, rows) = crate::output::parquet::read_rows(&parquet, lines)?;
        (
            csv::StringRecord::from(h),
            rows.into_iter().map(Ok).collect(),
        )
    } else {
        let mut rdr = csv::Reader::from_reader(bounded(path, most, &what)?);
        let h = rdr
            .headers()
            .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?
            .clone();
        (
            h,
            rdr.records()
                .map(|r| r.map_err(|e| e.to_string()))
                .collect(),
        )
    };
    let path = if is_parquet { parquet.as_path() } else { path };
    let ix = |name: &str| headers.iter().position(|h| h == name);
    let (Some(si), Some(ai), Some(mi), Some(vi)) = (ix("step"), ix("actor"), ix("metric"), ix(col))
    else {
        return Err(Error::Usage(format!(
            "{}: missing columns step, actor, metric, {col}",
            path.display()
        )));
    };
    let mut series: BTreeMap<(String, Metric), Vec<f64>> = BTreeMap::new();
    for (line, rec) in records.into_iter().enumerate() {
        let rec = rec.map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
        // A CSV's line (after its header), or a Parquet table's row.
        let place = if is_parquet {
            format!("{} row {}", path.display(), line + 1)
        } else {
            format!("{}:{}", path.display(), line + 2)
        };
        let bad = || Error::Usage(format!("{place}: bad number"));
        let step: usize = rec[si].parse().map_err(|_| bad())?;
        if step > max_step {
            return Err(Error::Usage(format!(
                "{place}: step {step} is past the scenario's last step {max_step}"
            )));
        }
        if &rec[ai] != "*" && sc.actor_index(&rec[ai]).is_none() {
            return Err(Error::Usage(format!(
                "{place}: actor `{}` is not in the folder's scenario",
                crate::error::terminal_text(&rec[ai], 64)
            )));
        }
        let v: f64 = rec[vi].parse().map_err(|_| bad())?;
        let Some(metric) = Metric::parse(&rec[mi]) else {
            continue;
        };
        let s = series.entry((rec[ai].to_string(), metric)).or_default();
        if s.len() <= step {
            s.resize(step + 1, f64::NAN);
        }
        s[step] = v;
    }
    Ok(series)
}

/// Items side by side, with labels that tell them apart.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub items: Vec<Item>,
    /// Paired differences from the first item, when every item was run here as an ensemble.
    pub paired: Option<paired::Paired>,
    /// Lines the report's headline adds after its answer (what a `--posterior` comparison includes).
    pub notes: Vec<String>,
    /// With `--posterior`: the paired differences of the same runs at the posterior medians.
    pub at_medians: Option<paired::Paired>,
}

/// A number as the comparison table prints it: whole numbers bare, others to 3 decimals, `-` if
/// absent.
fn opt(v: Option<f64>) -> String {
    v.map(|x| {
        if x.fract() == 0.0 {
            format!("{x:.0}")
        } else {
            format!("{x:.3}")
        }
    })
    .unwrap_or_else(|| "-".into())
}

impl Comparison {
    /// Compare `items`, in order; a repeated label gets its position appended.
    pub fn new(mut items: Vec<Item>) -> Comparison {
        for i in 0..items.len() {
            if items[..i].iter().any(|x| x.label == items[i].label) {
                items[i].label = format!("{} ({})", items[i].label, i + 1);
            }
        }
        Comparison {
            items,
            paired: None,
            notes: Vec::new(),
            at_medians: None,
        }
    }

    /// `output/compare/<a>-vs-<b>.../<folder name>`, where `compare` writes unless `--out` is
    /// given; the last part names seed, runs and a tag of everything else that changes the
    /// result ([`crate::output::folder_name`]: `--steps`, folders compared).
    pub fn default_dir(&self, seed: u64, runs: usize, overrides: &[String]) -> PathBuf {
        let names: Vec<&str> = self.items.iter().map(|i| i.sc.name.as_str()).collect();
        default_dir(&names, seed, runs, overrides)
    }

    /// Union of actors (id, name) over the items, in first-seen order.
    pub fn actors(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = Vec::new();
        for it in &self.items {
            for a in &it.sc.actors {
                if !v.iter().any(|(id, _)| *id == a.id) {
                    v.push((a.id.clone(), a.name.clone()));
                }
            }
        }
        v
    }

    fn step_unit(&self) -> String {
        self.items
            .first()
            .map(|i| i.sc.step_unit.clone())
            .unwrap_or_else(|| "step".into())
    }

    /// Rows of the printed table: a name, then one cell per item; the final values per actor are
    /// of `metric` when it is a per-actor metric, else of the stance.
    pub fn rows(&self, metric: Metric) -> Vec<(String, Vec<String>)> {
        let metric = match metric.scope() {
            Scope::Actor => metric,
            Scope::Region => Metric::Stance,
        };
        let unit = self.step_unit();
        let col = |f: &dyn Fn(&Item) -> String| self.items.iter().map(f).collect::<Vec<_>>();
        let mut rows: Vec<(String, Vec<String>)> = vec![
            ("office".into(), col(&|i| i.office.clone())),
            (format!("approved ({unit})"), col(&|i| opt(i.approved))),
            (format!("opened ({unit})"), col(&|i| opt(i.opened))),
        ];
        if self.items.iter().any(|i| i.p_opened.is_some()) {
            rows.push(("P(opened)".into(), col(&|i| opt(i.p_opened))));
        }
        rows.push((
            "blockers".into(),
            col(&|i| {
                if i.blockers.is_empty() {
                    "-".into()
                } else {
                    i.blockers.join(" ")
                }
            }),
        ));
        rows.push((
            format!("mean cooperation/{unit}"),
            col(&|i| format!("{:+.2}", i.coop_mean)),
        ));
        rows.push((
            "coercive events drawn (per run)".into(),
            col(&|i| opt(Some(i.hostile))),
        ));
        for (id, _) in self.actors() {
            rows.push((
                format!("final {} {id}", metric.label()),
                col(&|i| {
                    i.final_value(&id, metric)
                        .map(|v| format!("{v:+.2}"))
                        .unwrap_or("-".into())
                }),
            ));
        }
        rows
    }

    /// `comparison.csv`: one row per item, a final-stance column per actor.
    pub fn csv(&self) -> Result<Vec<u8>> {
        let acts = self.actors();
        let mut header: Vec<String> = [
            "scenario",
            "origin",
            "office_status",
            "approved_step",
            "opened_step",
            "p_opened",
            "blockers",
            "mean_cooperation",
            "coercive_events_drawn",
        ]
        .map(String::from)
        .to_vec();
        header.extend(acts.iter().map(|(id, _)| format!("final_stance_{id}")));
        let mut csv = CsvText::new(&header);
        let f = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        for it in &self.items {
            let mut row = vec![
                it.sc.name.clone(),
                it.label.clone(),
                it.office.clone(),
                f(it.approved),
                f(it.opened),
                f(it.p_opened),
                it.blockers.join(" "),
                it.coop_mean.to_string(),
                it.hostile.to_string(),
            ];
            row.extend(
                acts.iter()
                    .map(|(id, _)| f(it.final_value(id, Metric::Stance))),
            );
            csv.row(&row);
        }
        csv.finish()
    }

    /// Data of the overlay chart of `metric`: one panel per actor for a per-actor metric, one
    /// panel for a region-wide one.
    pub fn chart_input(&self, metric: Metric) -> CompareInput {
        let panels: Vec<(String, String)> = match metric.scope() {
            Scope::Actor => self.actors(),
            Scope::Region => vec![("*".to_string(), metric.label())],
        };
        let series = self
            .items
            .iter()
            .map(|it| CompareSeries {
                label: it.label.clone(),
                per_panel: panels
                    .iter()
                    .map(|(id, _)| it.series.get(&(id.clone(), metric)).cloned())
                    .collect(),
            })
            .collect();
        let names: Vec<&str> = self.items.iter().map(|i| i.sc.name.as_str()).collect();
        CompareInput {
            title: format!("Compare {}: {}", metric.label(), names.join(" vs ")),
            subtitle: self
                .items
                .iter()
                .map(|i| i.label.clone())
                .collect::<Vec<_>>()
                .join(" · "),
            y_desc: metric.axis().to_string(),
            step_unit: self.step_unit(),
            panels,
            series,
            y_range: None,
        }
    }
}

/// `output/compare/<a>-vs-<b>.../<folder_name>`, known before anything runs. Many names are
/// shortened to the first two, how many more, and a tag of them all, so that the folder name stays
/// well under the 255 bytes a file system allows.
pub fn default_dir(names: &[&str], seed: u64, runs: usize, overrides: &[String]) -> PathBuf {
    let names: Vec<String> = names.iter().map(|n| crate::scenario::sanitize(n)).collect();
    let mut joined = names.join("-vs-");
    if joined.len() > 120 {
        let tag = &crate::output::fnv1a64(joined.as_bytes())[..6];
        let short: Vec<&str> = names
            .iter()
            .map(|n| &n[..n.len().min(40)])
            .take(2)
            .collect();
        joined = format!(
            "{}-and-{}-more-{tag}",
            short.join("-vs-"),
            names.len().saturating_sub(2)
        );
    }
    PathBuf::from("output")
        .join("compare")
        .join(joined)
        .join(crate::output::folder_name(seed, runs, overrides))
}

#[cfg(test)]
mod tests;
