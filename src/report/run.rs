//! The report of a single run (the office's fate, final stances, and a timeline of votes, shocks
//! and the strongest events), and what every run report shares (`base`, `Provenance`); the
//! ensemble's is in `ensemble.rs`.

use super::{signed, Report, Section, Table};
use crate::engine::record::Recording;
use crate::engine::Outcome;
use crate::model::{Metric, CATALOGUE, COERCIVE};
use crate::scenario::Scenario;

/// How the folder was made: the command, and the folder (for the resolved-scenario command).
pub struct Provenance<'a> {
    pub command: &'a str,
    pub seed: u64,
    pub runs: usize,
    /// Lines the headline carries after its first (e.g. what a `--posterior` forecast includes).
    pub notes: &'a [String],
}

/// The scenario's own question (the text after "Question:" in its description), or the generic one.
fn scenario_question(sc: &Scenario) -> String {
    match sc.description.split_once("Question:") {
        Some((_, q)) if !q.trim().is_empty() => {
            let q = q.trim();
            let mut c = q.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect())
                .unwrap_or_default()
        }
        _ => format!(
            "Does {} approve and open the office in {}, and how do the other actors react?",
            sc.actor_index(&sc.issue.body)
                .map(|i| sc.actors[i.ix()].name.clone())
                .unwrap_or_else(|| sc.issue.body.clone()),
            sc.actors[sc.issue.host.ix()].name
        ),
    }
}

pub(super) fn base(sc: &Scenario, kind: &str, p: &Provenance) -> Report {
    let runs = if p.runs > 1 {
        format!(" --runs {}", p.runs)
    } else {
        String::new()
    };
    Report {
        kind: kind.into(),
        title: sc.title.clone(),
        subtitle: format!(
            "scenario {} · seed {} · {} {}s",
            sc.name, p.seed, sc.steps, sc.step_unit
        ),
        question: scenario_question(sc),
        command: p.command.to_string(),
        resolved_command: format!(
            "diplosim run scenario.resolved.toml --seed {}{runs}",
            p.seed
        ),
        ..Default::default()
    }
}

/// The report of one run.
pub fn single(sc: &Scenario, rec: &Recording, out: &Outcome, p: &Provenance) -> Report {
    let mut r = base(sc, "single run", p);
    let unit = &sc.step_unit;
    r.headline.push(match (out.approved_step, out.opened_step) {
        (_, Some(o)) => format!("In this run the office opened in {unit} {o}."),
        (_, None) if out.shelved_step.is_some() => format!(
            "In this run the proposal was shelved in {unit} {}{}{}.",
            out.shelved_step.unwrap_or(0),
            if out.blockers.is_empty() {
                String::new()
            } else {
                format!(
                    " by its proposer, blocked by {}",
                    names(sc, out.blockers.iter().map(|b| b.ix()))
                )
            },
            match (&sc.issue.substitute, out.substitute_step) {
                (Some(name), Some(_)) => format!("; the {name} was adopted instead"),
                _ => String::new(),
            }
        ),
        (Some(a), None) => format!(
            "In this run the office was approved in {unit} {a} but had not opened by the end."
        ),
        _ if out.votes.is_empty() => "In this run no vote took place.".into(),
        _ => format!(
            "In this run the office was postponed: blocked at the last vote by {}.",
            names(sc, out.blockers.iter().map(|b| b.ix()))
        ),
    });
    r.headline.push(
        "Uncertainty: this is one seeded story, not a probability. Run an ensemble (--runs 200 or more) to see how often it happens."
            .into(),
    );
    let injected = out.injected_coercive;
    r.headline.push(format!(
        "{} events; coercive events (Goldstein ≤ −7): {} drawn by the model, {} injected by the scenario; mean cooperation index {} per {unit}.",
        rec.events.len(),
        out.coercive_events.saturating_sub(injected),
        injected,
        signed(rec.cooperation_mean(), 2)
    ));
    let mut t = Table::new("Stances", &["actor", "start", "end", "change"], &[1, 2, 3]);
    for (i, a) in sc.actors.iter().enumerate() {
        let s0 = rec.value(Metric::Stance, 0, i);
        let s1 = out.final_stance[i];
        t.row([
            a.name.clone(),
            signed(s0, 2),
            signed(s1, 2),
            signed(s1 - s0, 2),
        ]);
    }
    r.key_tables.push(t);
    let verdicts = crate::watch::Checker::of_recording(&sc.observations, rec);
    if let Some(obs) = crate::output::observations::run_observations(sc, &verdicts) {
        let mut t = Table::new(
            "What was observed: held in this run?",
            &["observation", "in this run", "held", "source"],
            &[1],
        );
        for o in &obs.each {
            t.row([
                o.spec.label.clone(),
                format!("{}", o.observed),
                if o.held { "yes" } else { "no" }.to_string(),
                o.spec.source.clone(),
            ]);
        }
        r.key_tables.push(t.with_note(format!(
            "{} of {} observations held",
            obs.held,
            obs.each.len()
        )));
    }
    r.sections.push(timeline(sc, rec, out));
    r.sections.push(super::scenario::section(sc));
    r
}

/// Votes, shocks and the strongest events (largest |Goldstein|, earliest first on ties), by step.
fn timeline(sc: &Scenario, rec: &Recording, out: &Outcome) -> Section {
    let mut items: Vec<(usize, u8, String, String)> = Vec::new();
    for v in &out.votes {
        let what = if v.approved {
            "approved by every member".to_string()
        } else {
            format!(
                "postponed; blocked by {}",
                names(sc, v.blockers.iter().map(|b| b.ix()))
            )
        };
        items.push((v.step, 0, "vote".into(), what));
    }
    if let Some(o) = out.opened_step {
        items.push((o, 1, "opening".into(), "the office opens".into()));
    }
    if let Some(t) = out.shelved_step {
        items.push((
            t,
            1,
            "shelving".into(),
            "the proposer shelves the proposal".into(),
        ));
    }
    for d in &out.deals {
        let who = &sc.actors[d.actor.ix()].name;
        let partner = d
            .partner
            .map(|p| sc.actors[p.ix()].name.as_str())
            .unwrap_or("");
        let moved = format!("stance {} → {}", signed(d.before, 2), signed(d.after, 2));
        let what = match d.kind {
            crate::engine::DealKind::Compromise => {
                format!("{who} compromises toward {partner}: {moved}")
            }
            crate::engine::DealKind::GivesWay => format!("{who} gives way to {partner}: {moved}"),
            crate::engine::DealKind::Payment => {
                format!("{who} is bought off by {partner} with a linked side payment: {moved}")
            }
            crate::engine::DealKind::ScaleDown => {
                format!(
                    "{who} scales the proposal down to {:.2} of its scope",
                    d.after
                )
            }
        };
        items.push((d.step, 0, "bargaining".into(), what));
    }
    for &(t, a) in &out.turnovers {
        items.push((
            t,
            2,
            "election".into(),
            format!("{}'s government turns over", sc.actors[a.ix()].name),
        ));
    }
    // Shocks waiting for a status, at the step they fell due in this run (if they did).
    for sh in sc.shocks.iter().filter(|s| s.when.is_some()) {
        let reached = match sh.when {
            Some(crate::model::Status::Approved) => out.approved_step,
            Some(crate::model::Status::Opened) => out.opened_step,
            Some(crate::model::Status::Shelved) => out.shelved_step,
            Some(crate::model::Status::Postponed) => {
                out.votes.iter().find(|v| !v.approved).map(|v| v.step)
            }
            _ => None,
        };
        if let Some(at) = reached.map(|t| t + sh.step).filter(|&t| t <= sc.steps) {
            items.push((
                at,
                2,
                format!("shock ({})", sh.timing()),
                super::scenario::shock_text(sc, sh),
            ));
        }
    }
    for sh in &sc.shocks {
        if sh.when.is_none() && sh.step <= sc.steps {
            items.push((
                sh.step,
                2,
                "shock".into(),
                super::scenario::shock_text(sc, sh),
            ));
        }
    }
    let mut evs: Vec<&crate::engine::Event> = rec.events.iter().collect();
    evs.sort_by(|a, b| {
        b.goldstein()
            .abs()
            .total_cmp(&a.goldstein().abs())
            .then(a.step.cmp(&b.step))
    });
    for e in evs.iter().take(12) {
        let c = &CATALOGUE[e.code];
        let kind = if c.goldstein <= COERCIVE {
            "coercive event"
        } else {
            "event"
        };
        items.push((
            e.step,
            3,
            kind.into(),
            format!(
                "{} → {}: {} ({:+})",
                sc.actors[e.actor.ix()].name,
                sc.actors[e.target.ix()].name,
                c.label,
                c.goldstein
            ),
        ));
    }
    items.sort_by_key(|a| (a.0, a.1));
    let mut t = Table::new("", &[sc.step_unit.as_str(), "what", "detail"], &[0]);
    for (step, _, what, detail) in items {
        t.row([step.to_string(), what, detail]);
    }
    Section {
        heading: "What happened: a timeline".into(),
        paragraphs: vec![format!(
            "Every vote and shock, and the {} strongest of the run’s {} events (largest Goldstein weight either way). The full log is events.csv.",
            rec.events.len().min(12),
            rec.events.len()
        )],
        tables: vec![t],
    }
}

fn names(sc: &Scenario, ix: impl Iterator<Item = usize>) -> String {
    let v: Vec<&str> = ix.map(|i| sc.actors[i].name.as_str()).collect();
    if v.is_empty() {
        "nobody".into()
    } else {
        v.join(", ")
    }
}
