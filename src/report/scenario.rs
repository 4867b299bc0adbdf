//! Every number of a scenario with its source, as report tables: the actors, the relations, the
//! decision, the shocks and the `[model]` coefficients.

use super::{Section, Table};
use crate::model::{CATALOGUE, PARAM_SPECS};
use crate::scenario::{Op, Scenario, Shock, ShockAction};

/// The section "The scenario: every number and its source".
pub fn section(sc: &Scenario) -> Section {
    let mut paragraphs = vec![format!("{} ({}): {}", sc.title, sc.name, sc.description)];
    paragraphs.push(format!(
        "{} steps of one {}; seed {}.",
        sc.steps, sc.step_unit, sc.seed
    ));
    Section {
        heading: "The scenario: every number and its source".into(),
        paragraphs,
        tables: vec![actors(sc), relations(sc), issue(sc), shocks(sc), model(sc)],
    }
}

fn actors(sc: &Scenario) -> Table {
    let mut t = Table::new(
        "Actors",
        &[
            "actor",
            "capability c",
            "stance s(0)",
            "salience σ",
            "stubbornness ρ",
            "posture p(0)",
            "member of",
            "source",
        ],
        &[1, 2, 3, 4, 5],
    );
    for a in &sc.actors {
        let mut source = a.source.clone();
        for (k, v) in &a.sources {
            source.push_str(&format!(" · {k}: {v}"));
        }
        t.row([
            a.name.clone(),
            format!("{}", a.capability),
            format!("{:+}", a.stance),
            format!("{}", a.salience),
            format!("{}", a.stubbornness),
            format!("{}", a.posture),
            a.member_of.join(", "),
            source,
        ]);
    }
    t
}

fn relations(sc: &Scenario) -> Table {
    let mut t = Table::new(
        "Relations (from’s view of to)",
        &[
            "from",
            "to",
            "affinity A(0)",
            "compliance",
            "influence",
            "source",
        ],
        &[2, 3, 4],
    );
    let name = |i: crate::scenario::ActorId| sc.actors[i.ix()].name.clone();
    for r in &sc.relations {
        t.row([
            name(r.from),
            name(r.to),
            format!("{:+}", r.affinity),
            format!("{:+}", r.compliance),
            r.influence
                .map(|w| w.to_string())
                .unwrap_or_else(|| "-".into()),
            r.source.clone(),
        ]);
    }
    t.with_note("Pairs not listed start at affinity 0 and compliance 0.")
}

fn issue(sc: &Scenario) -> Table {
    let i = &sc.issue;
    let members: Vec<String> = i
        .members
        .iter()
        .map(|m| sc.actors[m.ix()].name.clone())
        .collect();
    let mut t = Table::new("The decision", &["key", "value"], &[]);
    t.row(["deciding body".to_string(), i.body.clone()]);
    t.row(["host".to_string(), sc.actors[i.host.ix()].name.clone()]);
    t.row(["members (all must consent)".to_string(), members.join(", ")]);
    t.row([
        "consent threshold (stance ≥)".to_string(),
        format!("{:+}", i.threshold),
    ]);
    t.row([
        "votes".to_string(),
        format!(
            "{} {}, then every {}",
            sc.step_unit, i.first_vote, i.vote_interval
        ),
    ]);
    t.row([
        "setup after approval".to_string(),
        format!("{} {}s", i.setup_steps, sc.step_unit),
    ]);
    t.with_note(format!(
        "source: {}",
        if i.source.is_empty() { "-" } else { &i.source }
    ))
}

/// A shock in words, with actor names.
pub fn shock_text(sc: &Scenario, sh: &Shock) -> String {
    let name = |a: crate::scenario::ActorId| sc.actors[a.ix()].name.as_str();
    let op = |o: Op| match o {
        Op::Set(v) => format!("set to {v}"),
        Op::Add(v) => format!("{v:+}"),
    };
    match &sh.action {
        ShockAction::Stance { actor, op: o } => format!("{}’s stance {}", name(*actor), op(*o)),
        ShockAction::Position { actor, op: o } => {
            format!("{}’s stated position {}", name(*actor), op(*o))
        }
        ShockAction::Affinity {
            actor,
            target,
            op: o,
        } => {
            format!("{}’s view of {} {}", name(*actor), name(*target), op(*o))
        }
        ShockAction::Posture { actor, op: o } => format!("{}’s posture {}", name(*actor), op(*o)),
        ShockAction::Event {
            actor,
            target,
            code,
        } => {
            let c = &CATALOGUE[*code];
            format!(
                "injected event: {} → {}: {} ({:+})",
                name(*actor),
                name(*target),
                c.label,
                c.goldstein
            )
        }
        ShockAction::Office { status } => format!("office status forced to {}", status.name()),
    }
}

fn shocks(sc: &Scenario) -> Table {
    let mut t = Table::new("Shocks", &[sc.step_unit.as_str(), "what", "source"], &[0]);
    for sh in &sc.shocks {
        t.row([sh.step.to_string(), shock_text(sc, sh), sh.source.clone()]);
    }
    if sc.shocks.is_empty() {
        t.row(["-", "none", ""]);
    }
    t
}

fn model(sc: &Scenario) -> Table {
    let mut t = Table::new(
        "Model coefficients",
        &["key", "value", "meaning", "source"],
        &[1],
    );
    for (spec, v) in PARAM_SPECS.iter().zip(sc.params.values()) {
        let source = if v == spec.default {
            spec.source.to_string()
        } else {
            format!(
                "set by this scenario (default {}: {})",
                spec.default, spec.source
            )
        };
        t.row([
            spec.key.to_string(),
            format!("{v}"),
            spec.doc.to_string(),
            source,
        ]);
    }
    t
}
