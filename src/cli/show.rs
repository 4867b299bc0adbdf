//! `diplosim show NAME|PATH`: the resolved scenario, every number with its source.

use crate::error::Result;
use crate::model::{Gate, CATALOGUE, COERCIVE, PARAM_SPECS};
use crate::scenario::keys::{shown, shown_order, Key, ACTOR_KEYS, RELATION_KEYS};
use crate::scenario::{to_toml, Library, Op, Scenario, ShockAction};
use clap::Args;
use std::fmt::Write as _;

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Scenario name or path.
    pub scenario: String,
    #[command(flatten)]
    pub overrides: super::SetArgs,
    /// Print the resolved TOML instead (what `run` writes as scenario.resolved.toml).
    #[arg(long)]
    pub toml: bool,
    /// Print only what the scenario changes relative to the scenario it extends.
    #[arg(long, conflicts_with = "toml")]
    pub diff: bool,
}

pub fn show(lib: &Library, a: &ShowArgs) -> Result<i32> {
    let sc = lib.load(&a.scenario, &a.overrides.set)?;
    eprint!("{}", crate::error::render_warnings(&sc.warnings));
    if a.diff {
        let Some(parent_path) = sc.files.get(1) else {
            if a.overrides.set.is_empty() {
                return Err(crate::error::Error::Usage(format!(
                    "`{}` extends no other scenario and no --set is given: nothing to diff",
                    sc.name
                )));
            }
            // No parent: what the overrides change.
            let plain = lib.load(&a.scenario, &[])?;
            println!(
                "--set {} changes {}:",
                a.overrides.set.join(" --set "),
                plain.name
            );
            print!("{}", diff(&plain, &sc));
            return Ok(0);
        };
        let parent = lib.load_path(parent_path, &[])?;
        println!(
            "{} changes {} ({}):",
            sc.name,
            parent.name,
            parent_path.display()
        );
        print!("{}", diff(&parent, &sc));
    } else if a.toml {
        print!("{}", to_toml(&sc)?);
    } else {
        print!("{}", describe(&sc));
    }
    Ok(0)
}

/// Human-readable description of a resolved scenario with sources.
pub fn describe(sc: &Scenario) -> String {
    let mut s = String::new();
    describe_run(sc, &mut s);
    describe_model(sc, &mut s);
    describe_issue(sc, &mut s);
    describe_actors(sc, &mut s);
    describe_relations(sc, &mut s);
    describe_catalogue(sc, &mut s);
    s
}

/// Name, files, description and run length.
fn describe_run(sc: &Scenario, s: &mut String) {
    let _ = writeln!(s, "{} — {}", sc.name, sc.title);
    if let Some(p) = &sc.extends {
        let _ = writeln!(s, "extends: {p}");
    }
    let files: Vec<String> = sc.files.iter().map(|f| f.display().to_string()).collect();
    let _ = writeln!(s, "files: {}", files.join(" ← "));
    if !sc.description.is_empty() {
        let _ = writeln!(s, "\n{}\n", sc.description.trim());
    }
    let _ = writeln!(
        s,
        "run: {} {}s, seed {}, {} run(s)",
        sc.steps, sc.step_unit, sc.seed, sc.runs
    );
}

/// Every `[model]` key with its value, whether it is the default, and its meaning.
fn describe_model(sc: &Scenario, s: &mut String) {
    let _ = writeln!(s, "\n[model]");
    let vals = sc.params.values();
    for (spec, v) in PARAM_SPECS.iter().zip(vals) {
        let tag = if v == spec.default { "default" } else { "set" };
        let _ = writeln!(s, "  {:<21} {:<8} ({tag}) {}", spec.key, v, spec.doc);
    }
}

/// The decision, its body and members.
fn describe_issue(sc: &Scenario, s: &mut String) {
    let id = |a: crate::scenario::ActorId| sc.actors[a.ix()].id.as_str();
    let i = &sc.issue;
    let _ = writeln!(s, "\n[issue]");
    let _ = writeln!(
        s,
        "  body {} decides by consensus (stance ≥ {}); host {}; first vote {} {}, then every {}; opens {} {}s after approval",
        i.body, i.threshold, id(i.host), sc.step_unit, i.first_vote, i.vote_interval, i.setup_steps, sc.step_unit
    );
    let members: Vec<&str> = i.members.iter().map(|&m| id(m)).collect();
    let _ = writeln!(
        s,
        "  members: {}",
        if members.is_empty() {
            "(none)".into()
        } else {
            members.join(", ")
        }
    );
    let _ = writeln!(
        s,
        "  proposer {} (bargains after a failed vote, may shelve); substitute if shelved: {}",
        id(i.proposer),
        i.substitute.as_deref().unwrap_or("none")
    );
    if !i.source.is_empty() {
        let _ = writeln!(s, "  source: {}", i.source);
    }
}

/// Each actor with its numbers (those of the key table; an absent optional one left out) and
/// sources.
fn describe_actors(sc: &Scenario, s: &mut String) {
    let legend: Vec<String> = ACTOR_KEYS
        .iter()
        .map(|k| format!("{} {}", k.symbol, k.key))
        .collect();
    let _ = writeln!(s, "\nactors ({})", legend.join(", "));
    for a in &sc.actors {
        let _ = writeln!(
            s,
            "  {:<14} {:<16} {}{}",
            a.id,
            a.name,
            numbers(ACTOR_KEYS, a, "="),
            if a.member_of.is_empty() {
                String::new()
            } else {
                format!(" member_of={}", a.member_of.join(","))
            }
        );
        let _ = writeln!(s, "      source: {}", a.source);
        for (k, v) in &a.sources {
            let _ = writeln!(s, "      {k}: {v}");
        }
    }
}

/// The numbers of an actor or relation a file written from it gives (a sparse key at its
/// default and an absent optional one left out), as `symbol=value` (`sep` "=") or `key value`.
fn numbers<R, T>(keys: &[Key<R, T>], entry: &T, sep: &str) -> String {
    let words: Vec<String> = keys
        .iter()
        .filter_map(|k| {
            k.written(entry).map(|v| {
                let name = if sep == "=" { k.symbol } else { k.key };
                format!("{name}{sep}{}", k.text(v))
            })
        })
        .collect();
    words.join(if sep == "=" { " " } else { ", " })
}

/// Relations, then shocks.
fn describe_relations(sc: &Scenario, s: &mut String) {
    let id = |a: crate::scenario::ActorId| sc.actors[a.ix()].id.as_str();
    let legend: Vec<String> = RELATION_KEYS
        .iter()
        .filter(|k| k.symbol != k.key)
        .map(|k| format!("{} {}", k.symbol, k.key))
        .collect();
    let _ = writeln!(
        s,
        "\nrelations (from's view of to: {}; unlisted pairs at the defaults)",
        legend.join(", ")
    );
    for r in &sc.relations {
        let _ = writeln!(
            s,
            "  {:<14} → {:<14} {}  {}",
            id(r.from),
            id(r.to),
            numbers(RELATION_KEYS, r, "="),
            r.source
        );
    }

    if !sc.shocks.is_empty() {
        let _ = writeln!(s, "\nshocks");
        for sh in &sc.shocks {
            let what = shock_text(sc, sh);
            let at = shock_at(sc, sh);
            let _ = writeln!(s, "  {at:<9} {what}");
            if !sh.source.is_empty() {
                let _ = writeln!(s, "           source: {}", sh.source);
            }
        }
    }
    if !sc.elections.is_empty() {
        let _ = writeln!(
            s,
            "\nelections (a new government moves stance and anchor, and views)"
        );
        for e in &sc.elections {
            let _ = writeln!(s, "  {}", election_text(sc, e));
            if !e.source.is_empty() {
                let _ = writeln!(s, "           source: {}", e.source);
            }
        }
    }
}

/// The event catalogue.
fn describe_catalogue(sc: &Scenario, s: &mut String) {
    let _ = writeln!(
        s,
        "\nevent catalogue (CAMEO code, Goldstein weight, events in the record; m needs posture ≥ {}, \
         f posture ≥ {}, e leverage over the target ≥ {}; ! counts as coercive, G ≤ {})",
        sc.params.escalation_threshold,
        sc.params.force_threshold,
        sc.params.leverage_threshold,
        COERCIVE
    );
    for c in &CATALOGUE {
        let gate = match c.gate() {
            Gate::Open => ' ',
            Gate::Military => 'm',
            Gate::Force => 'f',
            Gate::Economic => 'e',
        };
        let bang = if c.goldstein <= COERCIVE { '!' } else { ' ' };
        let _ = writeln!(
            s,
            "  {gate}{bang}{:<5} {:+5.1} {:>5}  {}",
            c.code, c.goldstein, c.record_count, c.label
        );
    }
}

/// One shock in words, with actor ids.
pub fn shock_text(sc: &Scenario, sh: &crate::scenario::Shock) -> String {
    sh.with_news(shock_action_text(sc, sh))
}

fn shock_action_text(sc: &Scenario, sh: &crate::scenario::Shock) -> String {
    let id = |a: crate::scenario::ActorId| sc.actors[a.ix()].id.as_str();
    let op = |o: Op| match o {
        Op::Set(v) => format!("set {v}"),
        Op::Add(v) => format!("add {v:+}"),
    };
    match &sh.action {
        ShockAction::Stance { actor, op: o } => format!("stance of {} {}", id(*actor), op(*o)),
        ShockAction::Position { actor, op: o } => format!("position of {} {}", id(*actor), op(*o)),
        ShockAction::Affinity {
            actor,
            target,
            op: o,
        } => {
            format!("affinity {} → {} {}", id(*actor), id(*target), op(*o))
        }
        ShockAction::Posture { actor, op: o } => format!("posture of {} {}", id(*actor), op(*o)),
        ShockAction::Event {
            actor,
            target,
            code,
        } => {
            let c = &CATALOGUE[*code];
            format!(
                "event {} → {}: {} {} ({:+})",
                id(*actor),
                id(*target),
                c.code,
                c.label,
                c.goldstein
            )
        }
        ShockAction::Office { status } => format!("office status forced to {}", status.name()),
    }
}

/// An election in one line: when, who, what, the chance of turnover and what a new government
/// changes.
fn election_text(sc: &Scenario, e: &crate::scenario::Election) -> String {
    let views: Vec<String> = e
        .affinity
        .iter()
        .map(|&(j, d)| format!(", view of {} {d:+}", sc.actors[j.ix()].id))
        .collect();
    format!(
        "{} {:<4} {} ({}): P(turnover) {}, stance {:+}{}{}",
        sc.step_unit,
        e.step,
        sc.actors[e.actor.ix()].id,
        e.what,
        e.probability,
        e.stance,
        views.concat(),
        if e.news != 0.0 {
            format!("; news (visibility {})", e.news)
        } else {
            String::new()
        }
    )
}

/// When a shock happens: at a week, or a delay after a status (a conditional shock).
fn shock_at(sc: &Scenario, sh: &crate::scenario::Shock) -> String {
    match sh.when {
        None => format!("{} {}", sc.step_unit, sh.step),
        Some(_) => sh.timing(),
    }
}

/// `~ label: a → b` when `a` and `b` differ.
macro_rules! cmp {
    ($line:ident, $label:expr, $a:expr, $b:expr) => {
        if $a != $b {
            $line(format!("  ~ {}: {} → {}", $label, $a, $b));
        }
    };
}

/// What `child` changes relative to `parent`, one line per change: `+` added, `~` changed.
pub fn diff(parent: &Scenario, child: &Scenario) -> String {
    let mut s = String::new();
    diff_run_and_model(parent, child, &mut s);
    diff_issue(parent, child, &mut s);
    diff_actors(parent, child, &mut s);
    diff_relations(parent, child, &mut s);
    diff_shocks(parent, child, &mut s);
    let elections = |sc: &Scenario| {
        sc.elections
            .iter()
            .map(|e| (election_text(sc, e), e.source.clone()))
            .collect::<Vec<_>>()
    };
    let pe = elections(parent);
    for e in elections(child) {
        if !pe.contains(&e) {
            s.push_str(&format!("  + election {} — {}\n", e.0, e.1));
        }
    }
    if s.is_empty() {
        s.push_str("  (no changes)\n");
    }
    s
}

/// Run length, seed and `[model]` keys.
fn diff_run_and_model(parent: &Scenario, child: &Scenario, s: &mut String) {
    let mut line = |t: String| {
        s.push_str(&t);
        s.push('\n');
    };
    cmp!(line, "scenario.steps", parent.steps, child.steps);
    cmp!(
        line,
        "scenario.step_unit",
        parent.step_unit,
        child.step_unit
    );
    cmp!(line, "scenario.seed", parent.seed, child.seed);
    cmp!(line, "scenario.runs", parent.runs, child.runs);
    let (pv, cv) = (parent.params.values(), child.params.values());
    for ((spec, a), b) in PARAM_SPECS.iter().zip(pv).zip(cv) {
        cmp!(line, format!("model.{}", spec.key), a, b);
    }
}

/// The decision and its members.
fn diff_issue(parent: &Scenario, child: &Scenario, s: &mut String) {
    let mut line = |t: String| {
        s.push_str(&t);
        s.push('\n');
    };
    let (pi, ci) = (&parent.issue, &child.issue);
    cmp!(line, "issue.body", pi.body, ci.body);
    cmp!(
        line,
        "issue.host",
        parent.actors[pi.host.ix()].id,
        child.actors[ci.host.ix()].id
    );
    cmp!(line, "issue.threshold", pi.threshold, ci.threshold);
    cmp!(line, "issue.first_vote", pi.first_vote, ci.first_vote);
    cmp!(
        line,
        "issue.vote_interval",
        pi.vote_interval,
        ci.vote_interval
    );
    cmp!(line, "issue.setup_steps", pi.setup_steps, ci.setup_steps);
    let members = |sc: &Scenario| {
        sc.issue
            .members
            .iter()
            .map(|m| sc.actors[m.ix()].id.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    cmp!(line, "issue members", members(parent), members(child));
    let proposer = |sc: &Scenario| sc.actors[sc.issue.proposer.ix()].id.clone();
    cmp!(line, "issue.proposer", proposer(parent), proposer(child));
    let substitute = |sc: &Scenario| sc.issue.substitute.clone().unwrap_or("none".into());
    cmp!(
        line,
        "issue.substitute",
        substitute(parent),
        substitute(child)
    );
}

/// Added actors, and changed keys of the others.
fn diff_actors(parent: &Scenario, child: &Scenario, s: &mut String) {
    let mut line = |t: String| {
        s.push_str(&t);
        s.push('\n');
    };
    for a in &child.actors {
        match parent.actors.iter().find(|p| p.id == a.id) {
            // Every number of the key table (absent ones left out), then membership and source.
            None => line(format!(
                "  + actor {} ({}): {}{} — {}",
                a.id,
                a.name,
                numbers(ACTOR_KEYS, a, " "),
                if a.member_of.is_empty() {
                    String::new()
                } else {
                    format!(", member of {}", a.member_of.join(", "))
                },
                a.source
            )),
            Some(p) => {
                // Every number of the key table, changed ones only, with the child's source.
                for k in ACTOR_KEYS {
                    let (x, y) = ((k.get)(p), (k.get)(a));
                    if x != y {
                        let why = a
                            .sources
                            .get(k.key)
                            .map(|s| format!(" ({s})"))
                            .unwrap_or_default();
                        line(format!(
                            "  ~ actor {}.{}: {} → {}{why}",
                            a.id,
                            k.key,
                            shown(x),
                            shown(y)
                        ));
                    }
                }
                cmp!(line, format!("actor {}.name", a.id), p.name, a.name);
                cmp!(
                    line,
                    format!("actor {}.member_of", a.id),
                    p.member_of.join(","),
                    a.member_of.join(",")
                );
            }
        }
    }
}

/// Added and changed relations.
fn diff_relations(parent: &Scenario, child: &Scenario, s: &mut String) {
    let mut line = |t: String| {
        s.push_str(&t);
        s.push('\n');
    };
    let rid = |sc: &Scenario, r: &crate::scenario::Relation| {
        (
            sc.actors[r.from.ix()].id.clone(),
            sc.actors[r.to.ix()].id.clone(),
        )
    };
    for r in &child.relations {
        let key = rid(child, r);
        match parent.relations.iter().find(|p| rid(parent, p) == key) {
            None => line(format!(
                "  + relation {} → {}: {} — {}",
                key.0,
                key.1,
                numbers(RELATION_KEYS, r, " "),
                r.source
            )),
            Some(p) => {
                // Only the numbers that changed, each as `key old → new`.
                let changed: Vec<String> = shown_order(RELATION_KEYS)
                    .filter(|k| (k.get)(p) != (k.get)(r))
                    .map(|k| format!("{} {} → {}", k.key, shown((k.get)(p)), shown((k.get)(r))))
                    .collect();
                if !changed.is_empty() {
                    line(format!(
                        "  ~ relation {} → {}: {} — {}",
                        key.0,
                        key.1,
                        changed.join(", "),
                        r.source
                    ));
                }
            }
        }
    }
}

/// Added shocks.
fn diff_shocks(parent: &Scenario, child: &Scenario, s: &mut String) {
    let mut line = |t: String| {
        s.push_str(&t);
        s.push('\n');
    };
    let shocks = |sc: &Scenario| {
        sc.shocks
            .iter()
            .map(|sh| (shock_at(sc, sh), shock_text(sc, sh), sh.source.clone()))
            .collect::<Vec<_>>()
    };
    let ps = shocks(parent);
    for sh in shocks(child) {
        if !ps.contains(&sh) {
            line(format!("  + shock {}: {} — {}", sh.0, sh.1, sh.2));
        }
    }
}
