//! The report of an ensemble: the decision first (P(approved), P(opened), P(shelved) with 95%
//! Wilson intervals, the weeks, who blocks), then who pressed whom (the event mix per dyad with
//! the target's stance change) and the final stances.

use super::run::{base, Provenance};
use super::{pct, signed, Report, Section, Table};
use crate::ensemble::stats::wilson;
use crate::ensemble::Aggregate;
use crate::model::{EventClass, Metric, CATALOGUE, COERCIVE};
use crate::scenario::Scenario;

/// The report of an ensemble.
pub fn ensemble(sc: &Scenario, agg: &Aggregate, p: &Provenance) -> Report {
    let mut r = base(sc, "ensemble", p);
    let unit = &sc.step_unit;
    let runs = agg.runs;
    let open = wilson(agg.opened_by_step[agg.steps], runs);
    r.headline.push(format!(
        "The office is open at the end ({unit} {}) in {} of {runs} runs (95% interval {}–{}).",
        agg.steps,
        pct(open.estimate),
        pct(open.lo),
        pct(open.hi)
    ));
    r.headline.extend(p.notes.iter().cloned());
    let appr = wilson(agg.approved_by_step[agg.steps], runs);
    r.headline.push(format!(
        "Approved (or open) at the end: {} (95% interval {}–{}).",
        pct(appr.estimate),
        pct(appr.lo),
        pct(appr.hi)
    ));
    // When, among the runs that got there, and who stands in the way: the scenario's question.
    let mut when = Table::new(
        "When: the week of approval and of opening, in the runs that got there",
        &[
            "",
            "runs",
            "median week",
            "5–95% of those runs",
            "never in the run",
        ],
        &[1, 2],
    );
    let mut kinds = vec![("approved", &agg.approved_at), ("opened", &agg.opened_at)];
    if agg.shelved_at.iter().any(|&k| k > 0) {
        kinds.push(("shelved", &agg.shelved_at));
    }
    for (what, counts) in kinds {
        match week_quantiles(counts) {
            Some((lo, mid, hi, n)) => {
                when.row([
                    what.to_string(),
                    n.to_string(),
                    mid.to_string(),
                    if one_week(counts) {
                        format!("all in {unit} {lo}")
                    } else if lo == hi {
                        format!("{unit} {lo}")
                    } else {
                        format!("{unit}s {lo}–{hi}")
                    },
                    pct((runs - n.min(runs)) as f64 / runs.max(1) as f64),
                ]);
                r.headline.push(format!(
                    "{} in {} of runs, {} {mid} at the median ({}).",
                    match what {
                        "approved" => "Approved",
                        "opened" => "Opened",
                        _ => "Shelved by the proposer",
                    },
                    pct(n as f64 / runs.max(1) as f64),
                    unit,
                    if one_week(counts) {
                        format!("every such run in {unit} {lo}")
                    } else if lo == hi {
                        format!("5–95% of those runs: {unit} {lo}")
                    } else {
                        format!("5–95% of those runs: {unit}s {lo}–{hi}")
                    }
                ));
            }
            None => when.row([
                what.to_string(),
                "0".into(),
                "—".into(),
                "—".into(),
                "100%".into(),
            ]),
        }
    }
    let mut blockers: Vec<(usize, u64)> = agg
        .blocked_at_end
        .iter()
        .copied()
        .enumerate()
        .filter(|x| x.1 > 0)
        .collect();
    blockers.sort_by_key(|x| (std::cmp::Reverse(x.1), x.0));
    if !blockers.is_empty() {
        let list: Vec<String> = blockers
            .iter()
            .map(|&(i, n)| {
                format!(
                    "{} {}",
                    sc.actors[i].name,
                    pct(n as f64 / runs.max(1) as f64)
                )
            })
            .collect();
        r.headline.push(format!(
            "Still blocking at the end (share of runs): {}.",
            list.join(", ")
        ));
        let mut t = Table::new(
            "Who blocks: members still below the threshold at the last vote, in runs never approved",
            &["member", "runs", "share", "95% interval"],
            &[1, 2],
        );
        for &(i, n) in &blockers {
            let w = wilson(n, runs);
            t.row([
                sc.actors[i].name.clone(),
                n.to_string(),
                pct(w.estimate),
                format!("{}–{}", pct(w.lo), pct(w.hi)),
            ]);
        }
        r.key_tables.push(t);
    }
    r.key_tables.push(when);
    if let (Some(name), true) = (&sc.issue.substitute, agg.shelved_at.iter().any(|&k| k > 0)) {
        r.headline.push(format!(
            "The substitute ({name}) adopted at the shelving in {} of runs.",
            pct(agg.substitute as f64 / runs.max(1) as f64)
        ));
    }
    // Bargaining and elections: who conceded, who was bought off, whose government changed.
    let moved: Vec<usize> = (0..sc.actors.len())
        .filter(|&i| agg.conceded[i] + agg.paid[i] + agg.turnover[i] > 0)
        .collect();
    if !moved.is_empty() || agg.scaled > 0 {
        let mut t = Table::new(
            "Bargaining and elections: share of runs in which each actor conceded after a failed vote, was bought off by a linked side payment, or had its government turned over",
            &["actor", "conceded", "bought off", "government turned over"],
            &[1, 2, 3],
        );
        for &i in &moved {
            let share = |k: u64| pct(k as f64 / runs.max(1) as f64);
            t.row([
                sc.actors[i].name.clone(),
                share(agg.conceded[i]),
                share(agg.paid[i]),
                share(agg.turnover[i]),
            ]);
        }
        if agg.scaled > 0 {
            t = t.with_note(format!(
                "The proposal was scaled down in {} of runs.",
                pct(agg.scaled as f64 / runs.max(1) as f64)
            ));
        }
        let bought: Vec<String> = moved
            .iter()
            .filter(|&&i| agg.paid[i] > 0)
            .map(|&i| {
                format!(
                    "{} {}",
                    sc.actors[i].name,
                    pct(agg.paid[i] as f64 / runs.max(1) as f64)
                )
            })
            .collect();
        if !bought.is_empty() {
            r.headline.push(format!(
                "Bought off by a linked side payment: {}.",
                bought.join(", ")
            ));
        }
        r.key_tables.push(t);
    }
    let fixed = sc.injected_coercive() as u64;
    let h = wilson(agg.coercive_drawn_any, runs);
    let injected = if agg.coercive_injected == fixed * runs {
        format!("{fixed} injected by the scenario in every run")
    } else {
        format!(
            "{} injected by the scenario per run on average (its conditional shocks inject only in the runs that reach their status)",
            format!("{:.2}", agg.coercive_injected as f64 / runs as f64)
        )
    };
    r.headline.push(format!(
        "A coercive event drawn by the model (Goldstein ≤ −7) in {} of runs (95% interval {}–{}); {injected}.",
        pct(h.estimate),
        pct(h.lo),
        pct(h.hi),
    ));
    r.key_tables.push(final_stances(sc, agg));
    if let Some(obs) = crate::output::observations::ensemble_observations(sc, &agg.observed, runs) {
        let mut t = Table::new(
            "What was observed: P(holds) over the runs",
            &["observation", "P(holds)", "95% interval", "source"],
            &[1, 2],
        );
        for o in &obs.each {
            let q = &o.p_holds;
            t.row([
                o.spec.label.clone(),
                pct(q.estimate),
                format!("{}–{}", pct(q.lo), pct(q.hi)),
                o.spec.source.clone(),
            ]);
        }
        let a = &obs.p_all;
        r.key_tables.push(t.with_note(format!(
            "all observations in the same run: {} (95% interval {}–{})",
            pct(a.estimate),
            pct(a.lo),
            pct(a.hi)
        )));
    }
    r.sections.push(dyads(sc, agg));
    r.sections.push(super::scenario::section(sc));
    r
}

/// Whether every run counted in `counts` had the same week.
fn one_week(counts: &[u64]) -> bool {
    counts.iter().filter(|&&c| c > 0).count() == 1
}

/// The 5th, 50th and 95th percentile (nearest rank, so each is a week some run had) of the
/// weeks counted in `counts` (runs per week), and how many runs; None if none.
fn week_quantiles(counts: &[u64]) -> Option<(usize, usize, usize, u64)> {
    let n: u64 = counts.iter().sum();
    if n == 0 {
        return None;
    }
    let at = |p: f64| {
        let rank = ((p * n as f64).ceil() as u64).clamp(1, n);
        let mut cum = 0;
        for (t, &c) in counts.iter().enumerate() {
            cum += c;
            if cum >= rank {
                return t;
            }
        }
        counts.len() - 1
    };
    Some((at(0.05), at(0.5), at(0.95), n))
}

fn final_stances(sc: &Scenario, agg: &Aggregate) -> Table {
    let mut t = Table::new(
        "Final stances over the runs",
        &["actor", "start", "mean at the end", "sd", "5–95% of runs"],
        &[1, 2, 3, 4],
    );
    for (i, a) in sc.actors.iter().enumerate() {
        let s0 = agg.stats(0, Metric::Stance, i).mean;
        let c = agg.stats(agg.steps, Metric::Stance, i);
        t.row([
            a.name.clone(),
            signed(s0, 2),
            signed(c.mean, 3),
            format!("{:.3}", c.sd),
            format!("{} … {}", signed(c.q[0], 2), signed(c.q[4], 2)),
        ]);
    }
    t.with_note(format!(
        "Means and standard deviations are exact; the 5–95% range is read from a histogram of \
         the runs' stances, within {} of the exact order statistics and never outside the runs.",
        agg.precision(Metric::Stance)
    ))
}

/// Who pressed whom: the 15 busiest ordered pairs, events per run by class, the mean Goldstein
/// weight, and the target's mean stance change over the run (all causes).
fn dyads(sc: &Scenario, agg: &Aggregate) -> Section {
    let n = agg.n;
    let runs = agg.runs.max(1) as f64;
    let k = CATALOGUE.len();
    let mut rows: Vec<(f64, Vec<String>)> = Vec::new();
    for i in 0..n {
        for j in (0..n).filter(|&j| j != i) {
            let counts = &agg.event_counts[(i * n + j) * k..(i * n + j + 1) * k];
            let total: u64 = counts.iter().sum();
            if total == 0 {
                continue;
            }
            let mut by_class = [0u64; 4];
            let mut g = 0.0;
            let mut coercive = 0;
            for (c, &x) in CATALOGUE.iter().zip(counts) {
                let cls = EventClass::ALL
                    .iter()
                    .position(|e| *e == c.class())
                    .unwrap_or(0);
                by_class[cls] += x;
                g += c.goldstein * x as f64;
                if c.goldstein <= COERCIVE {
                    coercive += x;
                }
            }
            let ds =
                agg.stats(agg.steps, Metric::Stance, j).mean - agg.stats(0, Metric::Stance, j).mean;
            let mut row = vec![sc.actors[i].name.clone(), sc.actors[j].name.clone()];
            row.push(format!("{:.2}", total as f64 / runs));
            row.extend(by_class.iter().map(|&x| format!("{:.2}", x as f64 / runs)));
            row.push(format!("{:.2}", coercive as f64 / runs));
            row.push(signed(g / total as f64, 2));
            row.push(signed(ds, 3));
            rows.push((total as f64, row));
        }
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut t = Table::new(
        "",
        &[
            "from",
            "to",
            "events/run",
            "verbal coop.",
            "material coop.",
            "verbal conflict",
            "material conflict",
            "coercive",
            "mean Goldstein",
            "target’s stance change",
        ],
        &[2, 3, 4, 5, 6, 7, 8, 9],
    );
    let shown = rows.len().min(15);
    for (_, row) in rows.into_iter().take(15) {
        t.rows.push(row);
    }
    Section {
        heading: "Who pressed whom".into(),
        paragraphs: vec![format!(
            "The {shown} busiest ordered pairs: events per run by CAMEO class, coercive events among them, the mean Goldstein weight of what was sent, and the target’s mean stance change from the start to the end (all causes, not this dyad alone). Every pair and code is in event_counts.csv."
        )],
        tables: vec![t],
    }
}

#[cfg(test)]
#[path = "ensemble_tests.rs"]
mod tests;
