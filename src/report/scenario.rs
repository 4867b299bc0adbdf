//! Every number of a scenario with its source, as report tables: the actors, the relations, the
//! decision, the shocks and the `[model]` coefficients.

use super::{Section, Table};
use crate::model::{CATALOGUE, PARAM_SPECS};
use crate::scenario::keys::{shown, shown_order, Key, ACTOR_KEYS, RELATION_KEYS};
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
        tables: if sc.elections.is_empty() {
            vec![actors(sc), relations(sc), issue(sc), shocks(sc), model(sc)]
        } else {
            vec![
                actors(sc),
                relations(sc),
                issue(sc),
                shocks(sc),
                elections(sc),
                model(sc),
            ]
        },
    }
}

/// One column per number of [`ACTOR_KEYS`] (a key added there shows here), with its symbol.
fn actors(sc: &Scenario) -> Table {
    let mut header: Vec<String> = vec!["actor".into()];
    header.extend(shown_order(ACTOR_KEYS).map(|k| format!("{} {}", k.key, k.symbol)));
    header.extend(["member of".into(), "source".into()]);
    let h: Vec<&str> = header.iter().map(|x| x.as_str()).collect();
    let numeric: Vec<usize> = (1..=ACTOR_KEYS.len()).collect();
    let mut t = Table::new("Actors", &h, &numeric);
    for a in &sc.actors {
        let mut source = a.source.clone();
        for (k, v) in &a.sources {
            source.push_str(&format!(" · {k}: {v}"));
        }
        let mut row = vec![a.name.clone()];
        row.extend(shown_order(ACTOR_KEYS).map(|k| shown_as(k, (k.get)(a))));
        row.extend([a.member_of.join(", "), source]);
        t.rows.push(row);
    }
    t.with_note(
        shown_order(ACTOR_KEYS)
            .map(|k| format!("{} {}: {}", k.key, k.symbol, k.meaning))
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// One column per number of [`RELATION_KEYS`].
fn relations(sc: &Scenario) -> Table {
    let mut header: Vec<String> = vec!["from".into(), "to".into()];
    header.extend(shown_order(RELATION_KEYS).map(|k| {
        if k.key == k.symbol {
            k.key.to_string()
        } else {
            format!("{} {}", k.key, k.symbol)
        }
    }));
    header.push("source".into());
    let h: Vec<&str> = header.iter().map(|x| x.as_str()).collect();
    let numeric: Vec<usize> = (2..2 + RELATION_KEYS.len()).collect();
    let mut t = Table::new("Relations (from’s view of to)", &h, &numeric);
    let name = |i: crate::scenario::ActorId| sc.actors[i.ix()].name.clone();
    for r in &sc.relations {
        let mut row = vec![name(r.from), name(r.to)];
        row.extend(shown_order(RELATION_KEYS).map(|k| shown_as(k, (k.get)(r))));
        row.push(r.source.clone());
        t.rows.push(row);
    }
    let defaults: Vec<String> = shown_order(RELATION_KEYS)
        .filter_map(|k| k.presence.default().map(|d| format!("{} {d}", k.key)))
        .collect();
    t.with_note(format!(
        "Pairs not listed start at {}.",
        and_list(&defaults)
    ))
}

/// A value as the table prints it: signed when the key's range has negative values, `-` when absent.
fn shown_as<R, T>(k: &Key<R, T>, v: Option<f64>) -> String {
    v.map_or_else(|| shown(None), |x| k.text(x))
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(words: &[String]) -> String {
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
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
    t.row([
        "proposer (bargains, may shelve)".to_string(),
        sc.actors[i.proposer.ix()].name.clone(),
    ]);
    t.row([
        "substitute if shelved".to_string(),
        i.substitute.clone().unwrap_or_else(|| "none".into()),
    ]);
    t.with_note(format!(
        "source: {}",
        if i.source.is_empty() { "-" } else { &i.source }
    ))
}

/// A shock in words, with actor names (and its visibility when it is news).
pub fn shock_text(sc: &Scenario, sh: &Shock) -> String {
    sh.with_news(shock_action_text(sc, sh))
}

fn shock_action_text(sc: &Scenario, sh: &Shock) -> String {
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
        t.row([sh.timing(), shock_text(sc, sh), sh.source.clone()]);
    }
    if sc.shocks.is_empty() {
        t.row(["-", "none", ""]);
    }
    t
}

fn elections(sc: &Scenario) -> Table {
    let mut t = Table::new(
        "Elections: a new government moves its stance (and anchor) and views by the amounts given",
        &[
            sc.step_unit.as_str(),
            "election",
            "P(turnover)",
            "stance",
            "views",
            "source",
        ],
        &[0, 2, 3],
    );
    for e in &sc.elections {
        let views: Vec<String> = e
            .affinity
            .iter()
            .map(|&(j, d)| format!("{} {d:+}", sc.actors[j.ix()].name))
            .collect();
        t.row([
            e.step.to_string(),
            format!("{}: {}", sc.actors[e.actor.ix()].name, e.what),
            format!("{}", e.probability),
            format!("{:+}", e.stance),
            if views.is_empty() {
                "-".into()
            } else {
                views.join(", ")
            },
            e.source.clone(),
        ]);
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
