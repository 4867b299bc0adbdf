//! `diplosim compare A B ...`: run scenarios with one seed (or read existing output folders),
//! overlay a metric and print a comparison table (also written as `comparison.csv`). What is
//! compared is computed by [`crate::compare`]; this file parses, lays the table out and prints.

use crate::chart::render_compare;
use crate::compare::{Comparison, Item};
use crate::error::{Error, Result};
use crate::model::Metric;
use crate::output::Staging;
use crate::scenario::Library;
use clap::Args;
use std::fmt::Write as _;
use std::path::Path;

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario names or paths (run here with one seed), or output folders of earlier runs.
    #[arg(required = true, num_args = 2..)]
    pub items: Vec<String>,
    /// Metric to overlay (the help lists them, from [`Metric::ALL`]).
    #[arg(long, default_value = Metric::Stance.name(), help = metric_help())]
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

/// `--help` of `--metric`, listing the metrics.
fn metric_help() -> String {
    let list =
        |ms: &mut dyn Iterator<Item = Metric>| ms.map(|m| m.name()).collect::<Vec<_>>().join(", ");
    format!(
        "Metric to overlay: {} (one panel per actor), or {} (one panel)",
        list(&mut Metric::per_actor()),
        list(&mut Metric::region())
    )
}

/// The metric named by `--metric`, or an error that lists them and suggests the nearest.
fn parse_metric(name: &str) -> Result<Metric> {
    Metric::parse(name).ok_or_else(|| {
        let hint = crate::error::suggest(name, Metric::names())
            .map(|s| format!(" — did you mean `{s}`?"))
            .unwrap_or_default();
        let all: Vec<&str> = Metric::names().collect();
        Error::Usage(format!(
            "--metric: unknown metric `{name}`{hint}; one of {}",
            all.join(", ")
        ))
    })
}

pub fn compare(lib: &Library, a: &CompareArgs) -> Result<i32> {
    let metric = parse_metric(&a.metric)?;
    let mut items: Vec<Item> = Vec::new();
    let mut seed = a.seed;
    for spec in &a.items {
        let p = Path::new(spec);
        let item = if p.is_dir() {
            Item::from_folder(lib, p)?
        } else {
            let mut ov = Vec::new();
            if let Some(s) = seed {
                ov.push(format!("scenario.seed={s}"));
            }
            if let Some(s) = a.steps {
                ov.push(format!("scenario.steps={s}"));
            }
            let sc = lib.load(spec, &ov)?;
            // The first scenario run sets the seed of the others.
            seed.get_or_insert(sc.seed);
            Item::run(sc)
        };
        items.push(item);
    }
    let cmp = Comparison::new(items);
    let dest = a.output.out.clone().unwrap_or_else(|| cmp.default_dir());
    let stage = Staging::new(&dest, a.output.out.is_none() || a.output.force)?;
    stage.write("comparison.csv", cmp.csv()?)?;
    if !a.output.no_charts {
        render_compare(
            &stage.tmp,
            &format!("compare_{}", metric.name()),
            &cmp.chart_input(metric),
        )?;
    }
    let dir = stage.commit()?;
    if !a.output.quiet {
        print!("{}", table(&cmp));
        println!("results: {}/", dir.display());
    }
    Ok(0)
}

/// The comparison as an aligned text table: row names, then one right-aligned column per item.
fn table(cmp: &Comparison) -> String {
    let rows = cmp.rows();
    let w0 = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let widths: Vec<usize> = (0..cmp.items.len())
        .map(|c| {
            rows.iter()
                .map(|(_, v)| v[c].chars().count())
                .chain([cmp.items[c].label.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut s = String::new();
    let _ = write!(s, "{:w0$}", "");
    for (c, it) in cmp.items.iter().enumerate() {
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
