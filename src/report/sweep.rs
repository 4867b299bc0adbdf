//! The report of a sweep: a grid's outcomes point by point, or a sensitivity analysis's ranking
//! of the parameters, with the scenario's numbers and sources.

use super::{Report, Section, Table};
use crate::scenario::Scenario;
use crate::sweep::global::{Analysis, Indices, OutcomeIndices};
use crate::sweep::grid::Grid;
use crate::sweep::points::fmt_value;
use crate::sweep::PointStats;

fn base(sc: &Scenario, kind: &str, runs: usize, command: &str) -> Report {
    Report {
        kind: kind.into(),
        title: format!("{} — {kind}", sc.title),
        subtitle: format!(
            "scenario {} · seed {} · {runs} runs per point",
            sc.name, sc.seed
        ),
        command: command.to_string(),
        ..Default::default()
    }
}

/// The report of a grid sweep.
pub fn grid(
    sc: &Scenario,
    runs: usize,
    g: &Grid,
    names: &[String],
    stats: &[PointStats],
    command: &str,
) -> Report {
    let mut r = base(sc, "grid sweep", runs, command);
    let keys: Vec<&str> = g.axes.iter().map(|a| a.key.as_str()).collect();
    r.question = format!("How do the outcomes change with {}?", keys.join(" and "));
    let p: Vec<f64> = stats.iter().map(|s| s.values[0].0).collect();
    let (lo, hi) = p
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    r.headline.push(format!(
        "P(office open at the end) ranges from {} to {} over the {} points.",
        super::pct(lo),
        super::pct(hi),
        g.points.len()
    ));
    r.headline.push(format!(
        "Each point is {runs} runs with common random numbers; intervals are 95% (Wilson for probabilities, normal for means)."
    ));
    let mut header: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
    header.extend(names.iter().take(3).cloned());
    let hdr: Vec<&str> = header.iter().map(String::as_str).collect();
    let numeric: Vec<usize> = (0..hdr.len()).collect();
    let mut t = Table::new(
        "Outcomes by point (every outcome is in sweep.csv)",
        &hdr,
        &numeric,
    );
    for (pt, st) in g.points.iter().zip(stats) {
        let mut row: Vec<String> = pt.iter().map(|(k, v)| fmt_value(k, *v)).collect();
        row.extend(
            st.values
                .iter()
                .take(3)
                .map(|(m, a, b)| format!("{m:.3} [{a:.3}, {b:.3}]")),
        );
        t.rows.push(row);
    }
    r.key_tables.push(t);
    r.sections.push(super::scenario::section(sc));
    r
}

/// The report of a Morris or Sobol' analysis.
pub fn global(
    sc: &Scenario,
    runs: usize,
    an: &Analysis,
    results: &[OutcomeIndices],
    command: &str,
) -> Report {
    let mut r = base(
        sc,
        &format!("{} sensitivity", an.method.name()),
        runs,
        command,
    );
    r.question = "Which assumptions does each outcome hang on?".into();
    for res in results.iter().take(3) {
        r.headline.push(ranking(an, res));
    }
    r.headline.push(format!(
        "{} points × {runs} runs over {} ranges; Monte Carlo noise in each point’s outcome adds noise to the indices: where an interval is wide, raise --runs.",
        an.len(),
        an.ranges.len()
    ));
    let mut sections = Vec::new();
    for res in results {
        sections.push(indices_table(an, res));
    }
    r.sections.push(Section {
        heading: "Indices by outcome".into(),
        paragraphs: vec!["sensitivity.csv holds the same numbers.".into()],
        tables: sections,
    });
    let mut ranges = Table::new("Ranges", &["parameter", "from", "to"], &[1, 2]);
    for (k, a, b) in &an.ranges {
        ranges.row([k.clone(), fmt_value(k, *a), fmt_value(k, *b)]);
    }
    r.key_tables.push(ranges);
    r.sections.push(super::scenario::section(sc));
    r
}

fn ranking(an: &Analysis, res: &OutcomeIndices) -> String {
    if res.flat() {
        return format!("{}: does not vary over these ranges.", res.outcome);
    }
    if let Indices::Morris(_) = &res.indices {
        // Morris has no intervals: rank by μ*, and say what the noise is.
        let top: Vec<String> = res
            .drivers()
            .iter()
            .take(3)
            .map(|&(i, v)| format!("{} (μ* {v:.2})", an.ranges[i].0))
            .collect();
        return format!(
            "{}: largest elementary effects {} ({:.0}% of the outcome's variance across points is Monte Carlo noise; Morris gives no intervals, so treat small μ* with care).",
            res.outcome,
            if top.is_empty() { "none".to_string() } else { top.join(", ") },
            100.0 * res.noise_share
        );
    }
    let top: Vec<String> = res
        .drivers()
        .iter()
        .take(3)
        .map(|&(i, v)| format!("{} ({v:.2})", an.ranges[i].0))
        .collect();
    if top.is_empty() {
        return format!(
            "{}: no parameter's influence stands out from Monte Carlo noise ({:.0}% of the outcome's variance across points is noise); raise --runs.",
            res.outcome,
            100.0 * res.noise_share
        );
    }
    format!(
        "{}: most influential {} (each with an interval above the {:.0}% of the variance that is noise).",
        res.outcome,
        top.join(", "),
        100.0 * res.noise_share
    )
}

fn indices_table(an: &Analysis, res: &OutcomeIndices) -> Table {
    match &res.indices {
        Indices::Sobol(Some(ix)) => {
            let mut t = Table::new(
                &res.outcome,
                &["parameter", "S1 (95% interval)", "ST (95% interval)"],
                &[1, 2],
            );
            for ((k, _, _), s) in an.ranges.iter().zip(ix) {
                t.row([
                    k.clone(),
                    format!("{:.2} [{:.2}, {:.2}]", s.s1, s.s1_lo, s.s1_hi),
                    format!("{:.2} [{:.2}, {:.2}]", s.st, s.st_lo, s.st_hi),
                ]);
            }
            t
        }
        Indices::Sobol(None) => {
            let mut t = Table::new(&res.outcome, &["note"], &[]);
            t.row(["the outcome does not vary over these ranges"]);
            t
        }
        Indices::Morris(ms) => {
            let mut t = Table::new(&res.outcome, &["parameter", "μ*", "μ", "σ"], &[1, 2, 3]);
            for ((k, _, _), m) in an.ranges.iter().zip(ms) {
                t.row([
                    k.clone(),
                    format!("{:.3}", m.mu_star),
                    format!("{:.3}", m.mu),
                    format!("{:.3}", m.sigma),
                ]);
            }
            t
        }
    }
}
