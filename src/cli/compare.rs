//! `diplosim compare A B ...`: run scenarios with one seed (or read existing output folders),
//! overlay a metric and print a comparison table (also written as `comparison.csv`).

use crate::chart::{render_compare, CompareInput, CompareSeries};
use crate::engine::{simulate, Compiled};
use crate::error::{Error, Result};
use crate::output::record::{Recording, ACTOR_METRICS, REGION_METRICS};
use crate::output::Staging;
use crate::scenario::{Library, Scenario};
use clap::Args;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario names or paths (run here with one seed), or output folders of earlier runs.
    #[arg(required = true, num_args = 2..)]
    pub items: Vec<String>,
    /// Metric to overlay: stance, posture, tone_sent, tone_received (one panel per actor), or
    /// forecast, polarization, cooperation, cooperation_ma, office_status (one panel).
    #[arg(long, default_value = "stance")]
    pub metric: String,
    /// Seed for the scenarios that are run (default: the first scenario's seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Steps for the scenarios that are run (default: each scenario's own).
    #[arg(long)]
    pub steps: Option<u64>,
    #[command(flatten)]
    pub output: super::OutputArgs,
}

/// One compared outcome, whatever its origin.
struct Item {
    label: String,
    sc: Scenario,
    /// (actor id or `*`, metric) → series over steps.
    series: BTreeMap<(String, String), Vec<f64>>,
    office: String,
    approved: Option<f64>,
    opened: Option<f64>,
    p_opened: Option<f64>,
    blockers: Vec<String>,
    coop_mean: f64,
    hostile: f64,
}

pub fn compare(lib: &Library, a: &CompareArgs) -> Result<i32> {
    let actor_metric = ACTOR_METRICS.contains(&a.metric.as_str());
    if !actor_metric && !REGION_METRICS.contains(&a.metric.as_str()) {
        let all: Vec<&str> = ACTOR_METRICS
            .iter()
            .chain(REGION_METRICS.iter())
            .copied()
            .collect();
        let hint = crate::error::suggest(&a.metric, all.iter().copied())
            .map(|s| format!(" — did you mean `{s}`?"))
            .unwrap_or_default();
        return Err(Error::Usage(format!(
            "--metric: unknown metric `{}`{hint}; one of {}",
            a.metric,
            all.join(", ")
        )));
    }
    let mut items: Vec<Item> = Vec::new();
    let mut seed = a.seed;
    for spec in &a.items {
        let p = Path::new(spec);
        let item = if p.is_dir() {
            from_folder(lib, p)?
        } else {
            from_run(lib, spec, &mut seed, a.steps)?
        };
        items.push(item);
    }
    // Labels must tell items apart.
    for i in 0..items.len() {
        if items[..i].iter().any(|x| x.label == items[i].label) {
            items[i].label = format!("{} ({})", items[i].label, i + 1);
        }
    }
    let table = table(&items);
    let dest = a.output.out.clone().unwrap_or_else(|| {
        let names: Vec<String> = items
            .iter()
            .map(|i| crate::scenario::sanitize(&i.sc.name))
            .collect();
        PathBuf::from("output")
            .join("compare")
            .join(names.join("-vs-"))
    });
    let stage = Staging::new(&dest, a.output.out.is_none() || a.output.force)?;
    stage.write("comparison.csv", csv(&items))?;
    if !a.output.no_charts {
        render_compare(
            &stage.tmp,
            &format!("compare_{}", a.metric),
            &chart_input(&items, &a.metric, actor_metric),
        )?;
    }
    let dir = stage.commit()?;
    if !a.output.quiet {
        print!("{table}");
        println!("results: {}/", dir.display());
    }
    Ok(0)
}

fn from_run(lib: &Library, spec: &str, seed: &mut Option<u64>, steps: Option<u64>) -> Result<Item> {
    let mut ov = Vec::new();
    if let Some(s) = seed {
        ov.push(format!("scenario.seed={s}"));
    }
    if let Some(s) = steps {
        ov.push(format!("scenario.steps={s}"));
    }
    let sc = lib.load(spec, &ov)?;
    seed.get_or_insert(sc.seed);
    let c = Compiled::new(&sc);
    let mut rec = Recording::new(sc.actors.len(), sc.steps);
    let out = simulate(&c, sc.seed, 0, &mut rec);
    let mut series = BTreeMap::new();
    for (m, name) in ACTOR_METRICS.iter().enumerate() {
        for (i, act) in sc.actors.iter().enumerate() {
            series.insert((act.id.clone(), name.to_string()), rec.actor_series(m, i));
        }
    }
    for (m, name) in REGION_METRICS.iter().enumerate() {
        series.insert(("*".to_string(), name.to_string()), rec.region[m].clone());
    }
    let coop = &rec.region[2];
    Ok(Item {
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
        coop_mean: coop[1..].iter().sum::<f64>() / (coop.len() - 1).max(1) as f64,
        hostile: out.coercive_events as f64,
        series,
        sc,
    })
}

/// An earlier run's folder: its resolved scenario, its summary and its time series (single run)
/// or ensemble medians.
fn from_folder(lib: &Library, dir: &Path) -> Result<Item> {
    let resolved = dir.join("scenario.resolved.toml");
    if !resolved.is_file() {
        return Err(Error::Usage(format!(
            "{} is not a diplosim output folder (no scenario.resolved.toml)",
            dir.display()
        )));
    }
    let sc = lib.load_path(&resolved, &[])?;
    let summary_path = dir.join("summary.json");
    let text = std::fs::read_to_string(&summary_path).map_err(|e| Error::Read {
        path: summary_path.clone(),
        source: e,
    })?;
    let summary: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| Error::Usage(format!("{}: not valid JSON: {e}", summary_path.display())))?;
    let office = &summary["office"];
    let runs = summary["runs"].as_u64().unwrap_or(1);
    let mut series: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    let (file, col) = if runs > 1 {
        ("ensemble.csv", "p50")
    } else {
        ("timeseries.csv", "value")
    };
    let path = dir.join(file);
    let mut rdr = csv::Reader::from_path(&path)
        .map_err(|e| Error::Usage(format!("cannot read {}: {e}", path.display())))?;
    let headers = rdr
        .headers()
        .map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?
        .clone();
    let ix = |name: &str| headers.iter().position(|h| h == name);
    let (Some(si), Some(ai), Some(mi), Some(vi)) = (ix("step"), ix("actor"), ix("metric"), ix(col))
    else {
        return Err(Error::Usage(format!(
            "{}: missing columns step, actor, metric, {col}",
            path.display()
        )));
    };
    for (line, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| Error::Usage(format!("{}: {e}", path.display())))?;
        let bad = || Error::Usage(format!("{}:{}: bad number", path.display(), line + 2));
        let step: usize = rec[si].parse().map_err(|_| bad())?;
        let v: f64 = rec[vi].parse().map_err(|_| bad())?;
        let s = series
            .entry((rec[ai].to_string(), rec[mi].to_string()))
            .or_default();
        if s.len() <= step {
            s.resize(step + 1, f64::NAN);
        }
        s[step] = v;
    }
    let num = |v: &serde_json::Value| v.as_f64();
    Ok(Item {
        label: format!("{} ({})", sc.name, dir.display()),
        office: office["status"]
            .as_str()
            .unwrap_or(if runs > 1 { "ensemble" } else { "?" })
            .to_string(),
        approved: num(&office["approved_step"]),
        opened: num(&office["opened_step"]),
        p_opened: num(&office["p_opened"]),
        blockers: office["blockers"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
        coop_mean: num(&summary["indicators"]["cooperation_mean"]).unwrap_or(f64::NAN),
        hostile: num(&summary["indicators"]["coercive_events"])
            .or_else(|| num(&summary["hostile"]["mean_per_run"]))
            .unwrap_or(f64::NAN),
        series,
        sc,
    })
}

/// Union of actors over items, in first-seen order.
fn actors(items: &[Item]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = Vec::new();
    for it in items {
        for a in &it.sc.actors {
            if !v.iter().any(|(id, _)| *id == a.id) {
                v.push((a.id.clone(), a.name.clone()));
            }
        }
    }
    v
}

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

fn final_value(it: &Item, id: &str, metric: &str) -> Option<f64> {
    it.series
        .get(&(id.to_string(), metric.to_string()))
        .and_then(|s| s.last().copied())
}

fn table(items: &[Item]) -> String {
    let unit = items
        .first()
        .map(|i| i.sc.step_unit.clone())
        .unwrap_or_else(|| "step".into());
    let mut rows: Vec<(String, Vec<String>)> = vec![
        (
            "office".into(),
            items.iter().map(|i| i.office.clone()).collect(),
        ),
        (
            format!("approved ({unit})"),
            items.iter().map(|i| opt(i.approved)).collect(),
        ),
        (
            format!("opened ({unit})"),
            items.iter().map(|i| opt(i.opened)).collect(),
        ),
    ];
    if items.iter().any(|i| i.p_opened.is_some()) {
        rows.push((
            "P(opened)".into(),
            items.iter().map(|i| opt(i.p_opened)).collect(),
        ));
    }
    rows.push((
        "blockers".into(),
        items
            .iter()
            .map(|i| {
                if i.blockers.is_empty() {
                    "-".into()
                } else {
                    i.blockers.join(" ")
                }
            })
            .collect(),
    ));
    rows.push((
        format!("mean cooperation/{unit}"),
        items
            .iter()
            .map(|i| format!("{:+.2}", i.coop_mean))
            .collect(),
    ));
    rows.push((
        "hostile military events".into(),
        items.iter().map(|i| opt(Some(i.hostile))).collect(),
    ));
    for (id, _) in actors(items) {
        rows.push((
            format!("final stance {id}"),
            items
                .iter()
                .map(|i| {
                    final_value(i, &id, "stance")
                        .map(|v| format!("{v:+.2}"))
                        .unwrap_or("-".into())
                })
                .collect(),
        ));
    }
    let w0 = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let widths: Vec<usize> = (0..items.len())
        .map(|c| {
            rows.iter()
                .map(|(_, v)| v[c].chars().count())
                .chain([items[c].label.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut s = String::new();
    let _ = write!(s, "{:w0$}", "");
    for (c, it) in items.iter().enumerate() {
        let _ = write!(s, "  {:>w$}", it.label, w = widths[c]);
    }
    s.push('\n');
    for (k, vals) in rows {
        let _ = write!(s, "{k:w0$}");
        for (c, v) in vals.iter().enumerate() {
            let _ = write!(s, "  {v:>w$}", w = widths[c]);
        }
        s.push('\n');
    }
    s
}

fn csv(items: &[Item]) -> String {
    let acts = actors(items);
    let mut s = String::from(
        "scenario,origin,office_status,approved_step,opened_step,p_opened,blockers,mean_cooperation,hostile_military_events",
    );
    for (id, _) in &acts {
        let _ = write!(s, ",final_stance_{id}");
    }
    s.push('\n');
    let f = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
    for it in items {
        let _ = write!(
            s,
            "{},\"{}\",{},{},{},{},{},{},{}",
            it.sc.name,
            it.label.replace('"', "'"),
            it.office,
            f(it.approved),
            f(it.opened),
            f(it.p_opened),
            it.blockers.join(" "),
            it.coop_mean,
            it.hostile
        );
        for (id, _) in &acts {
            let _ = write!(s, ",{}", f(final_value(it, id, "stance")));
        }
        s.push('\n');
    }
    s
}

fn chart_input(items: &[Item], metric: &str, actor_metric: bool) -> CompareInput {
    let panels: Vec<(String, String)> = if actor_metric {
        actors(items)
    } else {
        vec![("*".to_string(), metric.replace('_', " "))]
    };
    let series = items
        .iter()
        .map(|it| CompareSeries {
            label: it.label.clone(),
            per_panel: panels
                .iter()
                .map(|(id, _)| it.series.get(&(id.clone(), metric.to_string())).cloned())
                .collect(),
        })
        .collect();
    let unit = items
        .first()
        .map(|i| i.sc.step_unit.clone())
        .unwrap_or_else(|| "step".into());
    let (y_desc, y_range) = match metric {
        "stance" => ("stance (−1 … +1)".to_string(), Some((-1.0, 1.0))),
        "posture" => ("posture".to_string(), None),
        "office_status" => (
            "0 proposed · 1 postponed · 2 approved · 3 opened".to_string(),
            Some((-0.2, 3.2)),
        ),
        m => (m.replace('_', " "), None),
    };
    let names: Vec<&str> = items.iter().map(|i| i.sc.name.as_str()).collect();
    CompareInput {
        title: format!(
            "Compare {}: {}",
            metric.replace('_', " "),
            names.join(" vs ")
        ),
        subtitle: items
            .iter()
            .map(|i| i.label.clone())
            .collect::<Vec<_>>()
            .join(" · "),
        y_desc,
        step_unit: unit,
        panels,
        series,
        y_range,
    }
}
