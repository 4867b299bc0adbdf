//! `diplosim show NAME|PATH`: the resolved scenario, every number with its source.

use crate::error::Result;
use crate::model::{CATALOGUE, COERCIVE, PARAM_SPECS};
use crate::scenario::{to_toml, Library, Op, Scenario, ShockAction};
use clap::Args;
use std::fmt::Write as _;

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Scenario name or path.
    pub scenario: String,
    /// Overrides, as for `run`.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Print the resolved TOML instead (what `run` writes as scenario.resolved.toml).
    #[arg(long)]
    pub toml: bool,
}

pub fn show(lib: &Library, a: &ShowArgs) -> Result<i32> {
    let sc = lib.load(&a.scenario, &a.set)?;
    for w in &sc.warnings {
        eprint!("{w}");
    }
    if a.toml {
        print!("{}", to_toml(&sc)?);
    } else {
        print!("{}", describe(&sc));
    }
    Ok(0)
}

fn sign(x: f64) -> String {
    format!("{x:+.2}")
}

/// Human-readable description of a resolved scenario with sources.
pub fn describe(sc: &Scenario) -> String {
    let mut s = String::new();
    let id = |a: crate::scenario::ActorId| sc.actors[a.ix()].id.as_str();
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

    let _ = writeln!(s, "\n[model]");
    let p = &sc.params;
    let vals = [
        p.beta,
        p.rate,
        p.temperature,
        p.kappa,
        p.kappa_third,
        p.delta,
        p.kappa_posture,
        p.kappa_open,
        p.ally_threshold,
        p.escalation_threshold,
        p.noise,
        p.ma_window as f64,
    ];
    for (spec, v) in PARAM_SPECS.iter().zip(vals) {
        let tag = if v == spec.default { "default" } else { "set" };
        let _ = writeln!(s, "  {:<21} {:<8} ({tag}) {}", spec.key, v, spec.doc);
    }

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
    if !i.source.is_empty() {
        let _ = writeln!(s, "  source: {}", i.source);
    }

    let _ = writeln!(s, "\nactors (c capability, s0 stance, σ salience, ρ stubbornness, p0 posture, k/m/g Richardson)");
    for a in &sc.actors {
        let _ = writeln!(
            s,
            "  {:<14} {:<16} c={:.2} s0={} σ={:.2} ρ={:.2} p0={:.2} k={} m={} g={}{}{}",
            a.id,
            a.name,
            a.capability,
            sign(a.stance),
            a.salience,
            a.stubbornness,
            a.posture,
            a.reactivity,
            a.fatigue,
            a.grievance,
            a.self_weight
                .map(|w| format!(" self_weight={w}"))
                .unwrap_or_default(),
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

    let _ = writeln!(s, "\nrelations (A: from's view of to; unlisted pairs 0)");
    for r in &sc.relations {
        let _ = writeln!(
            s,
            "  {:<14} → {:<14} A={}{}  {}",
            id(r.from),
            id(r.to),
            sign(r.affinity),
            r.influence
                .map(|w| format!(" influence={w}"))
                .unwrap_or_default(),
            r.source
        );
    }

    if !sc.shocks.is_empty() {
        let _ = writeln!(s, "\nshocks");
        for sh in &sc.shocks {
            let op = |o: Op| match o {
                Op::Set(v) => format!("set {v}"),
                Op::Add(v) => format!("add {v:+}"),
            };
            let what = match &sh.action {
                ShockAction::Stance { actor, op: o } => {
                    format!("stance of {} {}", id(*actor), op(*o))
                }
                ShockAction::Position { actor, op: o } => {
                    format!("position of {} {}", id(*actor), op(*o))
                }
                ShockAction::Affinity {
                    actor,
                    target,
                    op: o,
                } => {
                    format!("affinity {} → {} {}", id(*actor), id(*target), op(*o))
                }
                ShockAction::Posture { actor, op: o } => {
                    format!("posture of {} {}", id(*actor), op(*o))
                }
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
                ShockAction::Office { status } => {
                    format!("office status forced to {}", status.name())
                }
            };
            let _ = writeln!(s, "  {} {:<4} {what}", sc.step_unit, sh.step);
            if !sh.source.is_empty() {
                let _ = writeln!(s, "           source: {}", sh.source);
            }
        }
    }
    let _ = writeln!(
        s,
        "\nevent catalogue (CAMEO code, Goldstein weight; * needs posture ≥ {})",
        p.escalation_threshold
    );
    for c in &CATALOGUE {
        let star = if c.goldstein <= COERCIVE { "*" } else { " " };
        let _ = writeln!(s, "  {star}{:<5} {:+5.1}  {}", c.code, c.goldstein, c.label);
    }
    s
}
