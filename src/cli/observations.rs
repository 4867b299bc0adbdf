//! The lines `run`, `run --runs N` and `merge` print about a scenario's `[[observation]]`s:
//! held or not with the observed statistic (single run), P(holds) with its 95% interval
//! (ensemble). Nothing is printed for a scenario without observations.

use crate::ensemble::stats::wilson;
use crate::observe::ObsCounts;
use crate::report::pct;
use crate::scenario::Scenario;
use crate::watch::Verdict;
use std::fmt::Write as _;

/// A single run: how many held, then one line per observation.
pub fn run_lines(sc: &Scenario, verdicts: &[Verdict]) -> String {
    let mut s = String::new();
    if sc.observations.is_empty() {
        return s;
    }
    let held = verdicts.iter().filter(|v| v.held).count();
    let _ = writeln!(
        s,
        "observations: {held} of {} held{}",
        verdicts.len(),
        if held == verdicts.len() { " (all)" } else { "" }
    );
    for (o, v) in sc.observations.iter().zip(verdicts) {
        let _ = writeln!(
            s,
            "  {:<8} {} (observed {})",
            if v.held { "held" } else { "NOT held" },
            sc.observation_label(o),
            round(v.value)
        );
    }
    s
}

/// An ensemble: P(all hold), then P(holds) for each.
pub fn ensemble_lines(sc: &Scenario, counts: &ObsCounts, runs: u64) -> String {
    let mut s = String::new();
    if sc.observations.is_empty() {
        return s;
    }
    let p = wilson(counts.all, runs);
    let _ = writeln!(
        s,
        "all {} observations hold in {} of runs (95% CI {}–{})",
        sc.observations.len(),
        pct(p.estimate),
        pct(p.lo),
        pct(p.hi)
    );
    for (k, o) in sc.observations.iter().enumerate() {
        let p = wilson(counts.held.get(k).copied().unwrap_or(0), runs);
        let _ = writeln!(
            s,
            "  {:>6} (95% CI {}–{})  {}",
            pct(p.estimate),
            pct(p.lo),
            pct(p.hi),
            sc.observation_label(o)
        );
    }
    s
}

/// A statistic for the terminal: at most 4 decimals, no trailing zeros.
fn round(x: f64) -> String {
    let t = format!("{x:.4}");
    let t = t.trim_end_matches('0').trim_end_matches('.');
    if t == "-0" {
        "0".into()
    } else {
        t.into()
    }
}
