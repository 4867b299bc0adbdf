//! The report of a comparison: which differences from the first scenario are real (paired 95%
//! intervals over runs with common random numbers), the side-by-side table, and each scenario's
//! numbers with their sources.

use super::{Report, Section, Table};
use crate::compare::paired::{Estimate, Paired};
use crate::compare::Comparison;
use crate::model::Metric;

fn est(e: &Option<Estimate>) -> String {
    match e {
        Some(e) if e.lo == e.hi => format!("{:+.3}", e.mean),
        Some(e) => format!("{:+.3} [{:+.3}, {:+.3}]", e.mean, e.lo, e.hi),
        None => "-".into(),
    }
}

/// The report of `cmp`, made by `command`.
pub fn report(cmp: &Comparison, metric: Metric, command: &str) -> Report {
    let names: Vec<String> = cmp.items.iter().map(|i| i.sc.name.clone()).collect();
    let mut r = Report {
        kind: "comparison".into(),
        title: format!("Comparison: {}", names.join(" vs ")),
        subtitle: cmp.items.iter().map(|i| i.label.clone()).collect::<Vec<_>>().join(" · "),
        question: format!(
            "How do the outcomes of {} differ from those of {}, and which differences are more than noise?",
            names[1..].join(", "),
            names[0]
        ),
        command: command.to_string(),
        ..Default::default()
    };
    match &cmp.paired {
        Some(p) => {
            headline_paired(&mut r, cmp, p);
            r.headline.extend(cmp.notes.iter().cloned());
            if let Some(m) = &cmp.at_medians {
                beside_medians(&mut r, cmp, p, m);
            }
        }
        None => r.headline.push(
            "These items were not all run here as ensembles, so no paired intervals: differences below may be noise. Compare scenario names with --runs 200 or more to tell."
                .into(),
        ),
    }
    let mut side = Table::new("Side by side", &[""], &[]);
    side.header
        .extend(cmp.items.iter().map(|i| i.label.clone()));
    side.numeric = (1..=cmp.items.len()).collect();
    for (k, vals) in cmp.rows(metric) {
        let mut row = vec![k];
        row.extend(vals);
        side.rows.push(row);
    }
    r.sections.push(Section {
        heading: "Side by side".into(),
        paragraphs: {
            let mut p = vec!["Ensembles: office status is the most common final status, steps are medians over the runs where they happened, blockers block in most runs, values are means over runs.".to_string()];
            if let Some(h) = cmp.paired.as_ref().and_then(|p| p.cut_at) {
                p.push(format!("Each scenario is shown over its own weeks here; the paired differences judge the office over the first {h}, the weeks every scenario has."));
            }
            p
        },
        tables: vec![side],
    });
    for it in &cmp.items {
        let mut s = super::scenario::section(&it.sc);
        s.heading = format!("Scenario {}: every number and its source", it.sc.name);
        r.sections.push(s);
    }
    r
}

fn headline_paired(r: &mut Report, cmp: &Comparison, p: &Paired) {
    let first = &cmp.items[0].sc.name;
    for (k, it) in cmp.items.iter().enumerate().skip(1) {
        let material: Vec<&str> = p
            .rows
            .iter()
            .filter(|row| row.diffs[k].is_some_and(|d| d.material(row.smallest)))
            .map(|row| row.label.as_str())
            .collect();
        let negligible = p
            .rows
            .iter()
            .filter(|row| row.verdict(k) == Some("differs, negligible"))
            .count();
        let open_row = p.rows.iter().find(|row| row.name == "p_opened");
        let open = open_row.and_then(|row| row.diffs[k]);
        // The row's own words: "at the end", or "by week H" when the horizons differ.
        let what = open_row.map_or("P(office open)", |row| row.label.as_str());
        let open_text = match open {
            Some(d) if d.differs() => format!(
                "{what} changes by {:+.1} points (95% interval {:+.1} to {:+.1})",
                100.0 * d.mean,
                100.0 * d.lo,
                100.0 * d.hi
            ),
            Some(d) => format!(
                "{what} does not change beyond noise ({:+.1} points, 95% interval {:+.1} to {:+.1})",
                100.0 * d.mean,
                100.0 * d.lo,
                100.0 * d.hi
            ),
            None => "P(office open) cannot be compared".into(),
        };
        let shown: Vec<&str> = material.iter().take(6).copied().collect();
        r.headline.push(format!(
            "{} against {first}: {open_text}; {} of {} outcomes differ materially{}{}.",
            it.sc.name,
            material.len(),
            p.rows.iter().filter(|row| row.diffs[k].is_some()).count(),
            if shown.is_empty() {
                String::new()
            } else {
                format!(
                    " ({}{})",
                    shown.join("; "),
                    if material.len() > shown.len() {
                        "; …"
                    } else {
                        ""
                    }
                )
            },
            if negligible > 0 {
                format!(", {negligible} more differ beyond noise by less than matters")
            } else {
                String::new()
            }
        ));
    }
    r.headline.push(format!(
        "Each difference is the mean over {} paired runs (run r of every scenario uses the same random numbers, seed {}), with a 95% interval; “within noise” means the interval includes 0; “differs, negligible” that it excludes 0 but the difference is smaller than matters (0.05 of stance, 1 point of probability, 1 week, 0.1 coercive events a run, 5% of the cooperation index); “differs materially” otherwise.",
        p.runs, p.seed
    ));
    let mut t = Table::new("Differences from the first scenario", &["outcome"], &[]);
    for it in &cmp.items {
        t.header.push(format!("{} (95% interval)", it.sc.name));
    }
    for it in &cmp.items[1..] {
        t.header.push(format!("{} − {first}", it.sc.name));
        t.header.push("verdict".into());
    }
    for row in &p.rows {
        let mut cells = vec![row.label.clone()];
        cells.extend(row.values.iter().map(est));
        for d in &row.diffs[1..] {
            cells.push(est(d));
            cells.push(
                d.map(|d| d.verdict(row.smallest).to_string())
                    .unwrap_or_else(|| "-".into()),
            );
        }
        t.rows.push(cells);
    }
    let mut peaks = Table::new(
        "Largest paired difference in each stance, by week",
        &[
            "actor",
            "scenario",
            "week",
            "difference (95% interval)",
            "verdict",
        ],
        &[2],
    );
    for k in &p.peaks {
        peaks.row([
            k.name.clone(),
            cmp.items[k.scenario].sc.name.clone(),
            k.week.to_string(),
            est(&Some(k.diff)),
            k.diff.verdict(0.05).to_string(),
        ]);
    }
    let office = match p.cut_at {
        None => "Weeks of approval and opening count a run that never got there at the horizon + 1.".to_string(),
        Some(h) => format!("The scenarios run for different numbers of weeks, so the office's probabilities are its status at week {h}, the shortest horizon, and its weeks the first it was approved or open by then (else {}). Coercive events and cooperation are over each scenario's own weeks, {}.", h + 1, match p.window {
            Some((a, b)) => format!("stances are means over weeks {a}–{b}"),
            None => "final stances at each scenario's own last week (--window compares stances over the same weeks)".to_string(),
        }),
    };
    r.key_tables.push(t.with_note(format!(
        "Cooperation per ordered pair divides the regional sum by N(N−1), so scenarios with different numbers of actors compare (the regional sum is shown only when every scenario has the same actors). {office} Coercive events count only those the model drew, not those a scenario injects.",
    )));
    if !p.peaks.is_empty() {
        r.key_tables.push(peaks.with_note(
            "The week where the paired mean difference from the first scenario is largest in size, over every week both runs have. It is the largest of many differences, so its interval is optimistic; 0.05 of stance is the smallest that matters.",
        ));
    }
}

/// Outcomes whose difference from the first scenario is material, for scenario k.
fn material_count(p: &Paired, k: usize) -> usize {
    p.rows
        .iter()
        .filter(|row| row.diffs[k].is_some_and(|d| d.material(row.smallest)))
        .count()
}

/// A `--posterior` comparison beside the same runs at the posterior medians: one headline line a
/// scenario, and the differences side by side where the verdicts disagree.
fn beside_medians(r: &mut Report, cmp: &Comparison, p: &Paired, m: &Paired) {
    let first = &cmp.items[0].sc.name;
    for (k, it) in cmp.items.iter().enumerate().skip(1) {
        let open = |q: &Paired| {
            q.rows
                .iter()
                .find(|row| row.name == "p_opened")
                .and_then(|row| row.diffs[k])
                .map_or("-".to_string(), |d| {
                    format!(
                        "{:+.1} points ({:+.1} to {:+.1})",
                        100.0 * d.mean,
                        100.0 * d.lo,
                        100.0 * d.hi
                    )
                })
        };
        r.headline.push(format!(
            "At the posterior medians alone (the same runs), {} against {first}: P(office open at the end) {} against {} with the uncertainty; {} outcomes differ materially against {}.",
            it.sc.name,
            open(m),
            open(p),
            material_count(m, k),
            material_count(p, k)
        ));
    }
    let mut t = Table::new(
        "Where parameter uncertainty changes a verdict: differences from the first scenario with the posterior's uncertainty and at its medians",
        &[
            "outcome",
            "scenario",
            "with uncertainty (95% interval)",
            "verdict",
            "at the medians (95% interval)",
            "verdict",
        ],
        &[],
    );
    for (row, mrow) in p.rows.iter().zip(&m.rows) {
        for k in 1..cmp.items.len() {
            let (a, b) = (row.verdict(k), mrow.verdict(k));
            if a != b {
                t.row([
                    row.label.clone(),
                    cmp.items[k].sc.name.clone(),
                    est(&row.diffs[k]),
                    a.unwrap_or("-").to_string(),
                    est(&mrow.diffs[k]),
                    b.unwrap_or("-").to_string(),
                ]);
            }
        }
    }
    if t.rows.is_empty() {
        r.headline.push("Parameter uncertainty changes no verdict: every difference gets the same verdict with it and at the posterior medians (differences_at_medians.csv has the numbers).".into());
    } else {
        r.key_tables.push(t.with_note(
            "Only the outcomes whose verdict differs are listed; differences_at_medians.csv has them all.",
        ));
    }
}
