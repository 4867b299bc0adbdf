//! The report of a calibration: what the record says about each assumption (posterior median and
//! 90% interval beside the prior), how well the model can follow the record (P(all observations)
//! under prior and posterior, each observation's best P(holds)), and the points closest to it.

use super::{pct, Report, Section, Table};
use crate::calibrate::Calibration;
use crate::scenario::Scenario;

/// The report of `diplosim calibrate`.
pub fn calibrate(sc: &Scenario, cal: &Calibration, command: &str) -> Report {
    let s = &cal.settings;
    let mut r = Report {
        kind: "calibration".into(),
        title: format!("{} — calibration", sc.title),
        subtitle: format!(
            "scenario {} · seed {} · {} points × {} runs, {} refinement rounds",
            sc.name, s.seed, s.samples, s.runs, s.rounds
        ),
        question: format!(
            "Which values of the scenario's uncertain assumptions are consistent with the {} observations of what happened?",
            sc.observations.len()
        ),
        command: command.to_string(),
        ..Default::default()
    };
    let p = &cal.p_prior;
    r.headline.push(match &cal.posterior {
        Some(post) => format!(
            "All observations hold in {} of runs under the posterior, against {} (95% interval {}–{}) under the prior.",
            pct(post.p_all),
            pct(p.estimate),
            pct(p.lo),
            pct(p.hi)
        ),
        None => "No point of the prior made every observation hold in any run: within its ranges the model cannot follow the record (closest points below).".into(),
    });
    if let Some(post) = &cal.posterior {
        r.headline.push(format!(
            "Effective sample size {:.0}. The median is the middle of the settings that fit; the 90% interval holds nine in ten of them.",
            post.ess
        ));
        let mut t = Table::new(
            "Each assumption: prior range and posterior",
            &[
                "parameter",
                "prior",
                "median",
                "90% interval",
                "constrained",
            ],
            &[2, 4],
        );
        for i in post.by_constraint() {
            let q = &post.params[i];
            t.row([
                q.key.clone(),
                format!("[{}, {}]", q.prior[0], q.prior[1]),
                value(&q.key, q.median),
                format!("[{}, {}]", value(&q.key, q.p05), value(&q.key, q.p95)),
                // Estimation noise can make it a hair below 0: show that as 0.
                format!(
                    "{:.2}",
                    if q.constraint.abs() < 0.005 {
                        0.0
                    } else {
                        q.constraint
                    }
                ),
            ]);
        }
        r.key_tables.push(t.with_note(
            "constrained: 1 − (90% interval width ÷ the prior's): near 0 the record says nothing about it, near 1 it pins it down; slightly below 0 means the same as 0 (a noisy posterior a little wider than the prior's own 90% range). Integer keys (steps, weeks) are shown as whole numbers.",
        ));
    }
    let mut obs = Table::new(
        "Observations and how well the model follows them",
        &["observation", "best P(holds) at any point", "source"],
        &[1],
    );
    for (o, best) in sc.observations.iter().zip(&cal.best_each) {
        obs.row([sc.observation_label(o), pct(*best), o.source.clone()]);
    }
    r.key_tables.push(obs);
    let mut closest = Section {
        heading: "The points closest to the record (most observations held per run first, then most runs with all held)".into(),
        ..Default::default()
    };
    // A key may break after each dot (a zero-width space), so that ten columns fit 1,200 px.
    let keys: Vec<String> = cal
        .priors
        .iter()
        .map(|q| q.key.replace('.', ".\u{200B}"))
        .collect();
    let mut header = vec!["round", "P(all hold)"];
    header.extend(keys.iter().map(|k| k.as_str()));
    let numeric: Vec<usize> = (0..header.len()).collect();
    let mut t = Table::new("", &header, &numeric);
    for i in cal.closest(5) {
        let pt = &cal.points[i];
        let mut row = vec![
            pt.round.to_string(),
            pct(pt.held as f64 / s.runs.max(1) as f64),
        ];
        row.extend(pt.theta.iter().map(|v| format!("{v:.3}")));
        t.rows.push(row);
    }
    closest.tables.push(t);
    r.sections.push(closest);
    r.sections.push(super::scenario::section(sc));
    r
}

/// A parameter value as the report shows it: whole numbers for integer keys (steps, weeks),
/// three decimals otherwise.
fn value(key: &str, v: f64) -> String {
    if crate::scenario::is_integer_key(key) {
        format!("{}", v.round())
    } else {
        format!("{v:.3}")
    }
}
