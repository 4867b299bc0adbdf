//! Decisions in time (docs/model.md, section 7): shelving, side payments, concessions, votes
//! when a deal is within reach, elections, recurring and conditional shocks, each against values
//! worked out by hand in a world where nothing else moves (no events, no noise).

use crate::util::{diplosim, library, run, scenario};
use diplosim::engine::bdm::{Player, Round};
use diplosim::engine::{Compiled, DealKind, Nothing};
use diplosim::model::Status;

/// Body `club` (an actor, the proposer) and member `b`; votes from step 1 every 4 steps.
/// `extra_model` and `extra` are appended to `[model]` and to the file.
fn club(b: &str, extra_model: &str, extra: &str) -> String {
    format!(
        r#"
[scenario]
steps = 40
[model]
rate = 0.0
issue_rate = 0.0
noise = 0.0
{extra_model}
[issue]
body = "club"
host = "club"
threshold = 0.0
first_vote = 1
vote_interval = 4
setup_steps = 2
[[actor]]
id = "club"
name = "Club"
capability = 1.0
stance = 0.7
salience = 0.7
stubbornness = 1.0
source = "test"
[[actor]]
id = "b"
name = "B"
member_of = ["club"]
source = "test"
{b}
[[relation]]
from = "b"
to = "club"
affinity = 0.1
source = "test"
{extra}
"#
    )
}

#[test]
fn a_principled_holdout_is_shelved_when_failure_costs_more_than_the_stake() {
    // B (c 0.5, σ 0.6, s −0.9, ρ 1) cannot concede or be bought. The club's stake is
    // σ (s − θ) = 0.7 · 0.7 = 0.49; the head-to-head vote of consent (0) against −0.9:
    // club 1 · 0.7 · (|0.7 + 0.9| − |0.7|)/2 = 0.315, B 0.5 · 0.6 · (0 − 0.9)/2 = −0.135, so
    // π = 0.315 / 0.45 = 0.7 and the worth 0.343. 0.05 f > 0.343 first at f = 7: the seventh
    // failed vote, at step 1 + 6·4 = 25.
    let sc = scenario(&club(
        "capability = 0.5\nstance = -0.9\nsalience = 0.6\nstubbornness = 1.0",
        "failure_cost = 0.05",
        "",
    ));
    let (rec, out) = run(&sc, 1);
    assert_eq!(out.status, Status::Shelved);
    assert_eq!(out.shelved_step, Some(25));
    assert_eq!(out.votes.len(), 7);
    assert!(out.votes.iter().all(|v| !v.approved));
    assert!(out.deals.is_empty(), "{:?}", out.deals);
    // office_status writes −1 from the shelving on, and no vote follows.
    let status = rec.status();
    assert_eq!(status[24], Status::Postponed);
    assert!(status[25..].iter().all(|&s| s == Status::Shelved));
    // With failure_cost 0.049 the seventh vote costs 0.343 (not more than the worth): the eighth.
    let sc = scenario(&club(
        "capability = 0.5\nstance = -0.9\nsalience = 0.6\nstubbornness = 1.0",
        "failure_cost = 0.045",
        "",
    ));
    // 0.045 f > 0.343 first at f = 8 (0.36): step 29.
    assert_eq!(run(&sc, 1).1.shelved_step, Some(29));
    // No cost, no shelving.
    let sc = scenario(&club(
        "capability = 0.5\nstance = -0.9\nsalience = 0.6\nstubbornness = 1.0",
        "failure_cost = 0.0",
        "",
    ));
    let out = run(&sc, 1).1;
    assert_eq!((out.status, out.votes.len()), (Status::Postponed, 10));
}

#[test]
fn the_substitute_is_adopted_at_the_shelving_only_if_every_member_can_accept_it() {
    let file = |thr: f64| {
        club(
            "capability = 0.5\nstance = -0.9\nsalience = 0.6\nstubbornness = 1.0",
            &format!("failure_cost = 0.05\nsubstitute_threshold = {thr}"),
            "",
        )
        .replace(
            "setup_steps = 2",
            "setup_steps = 2\nsubstitute = \"a partnership\"",
        )
    };
    assert_eq!(run(&scenario(&file(-0.95)), 1).1.substitute_step, Some(25));
    assert_eq!(run(&scenario(&file(-0.85)), 1).1.substitute_step, None);
}

#[test]
fn a_linked_side_payment_buys_a_holdout_and_a_vote_is_called_at_once() {
    // B (c 0.5, σ 0.6, s −0.2, ρ 0.5) blocks the vote at step 1 (its stance moves toward the
    // club's by rule 1 before it, but stays below 0). Concessions off. The budget is
    // 0.5 · 1 · 0.7 · 0.7 = 0.245; the price c σ (0 − s_b) / ((1 − ρ) · linkage).
    let b = "capability = 0.5\nstance = -0.4\nsalience = 0.6\nstubbornness = 0.5";
    let link = "[[relation]]\nfrom = \"club\"\nto = \"b\"\naffinity = 0.1\nsource = \"test\"\n";
    let file = |linkage: &str| {
        // kappa_open 0: the opening leaves views as they are.
        club(
            b,
            "concession = 0.0\nfailure_cost = 0.0\nkappa_open = 0.0",
            link,
        )
        .replace(
            "affinity = 0.1\nsource = \"test\"\n",
            &format!("affinity = 0.1\n{linkage}source = \"test\"\n"),
        )
    };
    // Without linkage nothing is paid and B blocks every vote.
    let out = run(&scenario(&file("")), 1).1;
    assert!(out.deals.is_empty());
    assert_eq!(out.status, Status::Postponed);
    // With linkage 1 the club pays at the first vote.
    let sc = scenario(&file("linkage = 1.0\n"));
    let (_, out) = run(&sc, 1);
    let d = out.deals[0];
    assert_eq!(d.kind, DealKind::Payment);
    assert_eq!(
        (d.step, d.actor.ix(), d.partner.map(|p| p.ix())),
        (1, 1, Some(0))
    );
    assert_eq!(d.after, 0.0);
    assert!(d.before < 0.0);
    let price = 0.5 * 0.6 * (0.0 - d.before) / (0.5 * 1.0);
    assert!(price <= 0.245 && 10.0 * price > 0.245, "price {price}");
    // The linked deal warms B's view of the club by the price, for good (A and A(0)).
    let a_bc = out.final_affinity[2];
    assert!(
        (a_bc - (0.1 + price)).abs() < 1e-12,
        "{a_bc} vs {}",
        0.1 + price
    );
    // B now consents; within reach, the body votes at the next step, not the calendar's 5.
    let steps: Vec<usize> = out.votes.iter().map(|v| v.step).collect();
    assert_eq!(steps, [1, 2]);
    assert_eq!(out.approved_step, Some(2));
    assert_eq!(out.opened_step, Some(4));
    // A partial link costs more: at linkage 0.1 the price is ten times as high, over the budget
    // (B's stance at the vote is the same: nothing before it depends on linkage).
    let out = run(&scenario(&file("linkage = 0.1\n")), 1).1;
    assert!(out.deals.is_empty(), "{:?}", out.deals);
}

#[test]
fn a_concession_moves_the_blocker_lambda_of_the_way_to_the_offer_bdm_makes() {
    // B (c 0.3, σ 0.3, s −0.5, ρ 0.4) against the club (c 1, σ 0.7, s 0.7, ρ 1). Payments off.
    let sc = scenario(&club(
        "capability = 0.3\nstance = -0.5\nsalience = 0.3\nstubbornness = 0.4",
        "side_payment = 0.0\nfailure_cost = 0.0",
        "",
    ));
    let (_, out) = run(&sc, 1);
    let d = out
        .deals
        .first()
        .expect("B concedes at the first failed vote");
    assert_eq!(d.step, 1);
    assert!(matches!(d.kind, DealKind::Compromise | DealKind::GivesWay));
    // The offer, computed independently from the members as they stood at the vote (the club's
    // stance is frozen at 0.7; B's is the deal's `before`).
    let players = [
        Player {
            x: 0.7,
            c: 1.0,
            s: 0.7,
        },
        Player {
            x: d.before,
            c: 0.3,
            s: 0.3,
        },
    ];
    let mut round = Round::new(&players, 2.0);
    round.risk_exponents();
    let o = round.best_offer(1, [0usize].into_iter()).unwrap();
    let want = d.before + 0.6 * (o.position - d.before);
    assert!((d.after - want).abs() < 1e-12, "{} vs {want}", d.after);
    // With concession 0, none.
    let sc = scenario(&club(
        "capability = 0.3\nstance = -0.5\nsalience = 0.3\nstubbornness = 0.4",
        "concession = 0.0\nside_payment = 0.0\nfailure_cost = 0.0",
        "",
    ));
    assert!(run(&sc, 1).1.deals.is_empty());
}

#[test]
fn scaling_down_lowers_the_bar_to_the_holdouts_stance() {
    // B frozen at −0.3 (ρ 1): k* = (1 − 0.3)/(1 + 0) = 0.7 ≥ min_scope 0.6, so the proposal
    // shrinks to 0.7, θ_k = −1 + 0.7 = −0.3 and B consents at the next step (within reach).
    let sc = scenario(&club(
        "capability = 0.5\nstance = -0.3\nsalience = 0.6\nstubbornness = 1.0",
        "min_scope = 0.6\nfailure_cost = 0.0",
        "",
    ));
    let out = run(&sc, 1).1;
    assert_eq!(out.deals[0].kind, DealKind::ScaleDown);
    assert!((out.scope - 0.7).abs() < 1e-12);
    assert_eq!(out.approved_step, Some(2));
    // min_scope 0.8: too small a proposal to be worth making; B keeps blocking.
    let sc = scenario(&club(
        "capability = 0.5\nstance = -0.3\nsalience = 0.6\nstubbornness = 1.0",
        "min_scope = 0.8\nfailure_cost = 0.0",
        "",
    ));
    let out = run(&sc, 1).1;
    assert_eq!((out.scope, out.status), (1.0, Status::Postponed));
}

#[test]
fn elections_turn_governments_over_with_their_probability() {
    let el = |p: f64| {
        format!(
            "[[election]]\nstep = 3\nactor = \"b\"\nprobability = {p}\nstance = 0.4\naffinity = {{ club = 0.2 }}\nsource = \"test\"\n"
        )
    };
    let b = "capability = 0.5\nstance = 0.2\nsalience = 0.6\nstubbornness = 1.0";
    // Certain: stance and view move by the stated amounts at step 3.
    let sc = scenario(&club(b, "", &el(1.0)));
    let (rec, out) = run(&sc, 1);
    assert_eq!(out.turnovers, [(3, diplosim::scenario::ActorId(1))]);
    let s = rec.series(diplosim::model::Metric::Stance, 1);
    assert_eq!((s[2], s[3]), (0.2, 0.2 + 0.4));
    // The office opens at step 3 too (approved at 1, set up in 2), after the election, and moves
    // B's view of the host by κ_o σ s = 0.2 · 0.6 · 0.6.
    assert_eq!(out.opened_step, Some(3));
    let want = 0.1 + 0.2 + 0.2 * 0.6 * 0.6;
    assert!(
        (out.final_affinity[2] - want).abs() < 1e-12,
        "{}",
        out.final_affinity[2]
    );
    // Never: nothing moves.
    assert!(run(&scenario(&club(b, "", &el(0.0))), 1)
        .1
        .turnovers
        .is_empty());
    // 0.3 over 4,000 runs: the share within 4 standard errors (0.029) of 0.3.
    let sc = scenario(&club(b, "", &el(0.3)));
    let c = Compiled::new(&sc);
    let n = 4000;
    let turned = (0..n)
        .filter(|&r| {
            !diplosim::engine::simulate(&c, 7, r, &mut Nothing)
                .turnovers
                .is_empty()
        })
        .count();
    let share = turned as f64 / n as f64;
    assert!((share - 0.3).abs() < 0.029, "share {share}");
}

#[test]
fn every_and_until_write_out_the_same_shocks() {
    let lib = library();
    let sc = lib.load("pressure", &[]).unwrap();
    // (The baseline's four shocks conditional on the opening come first, at delay 0.)
    let steps: Vec<usize> = sc
        .shocks
        .iter()
        .filter(|s| s.when.is_none())
        .map(|s| s.step)
        .collect();
    let want: Vec<usize> = (6..=50).step_by(4).chain((6..=50).step_by(4)).collect();
    assert_eq!(steps, want);
    assert_eq!(sc.shocks.len(), 4 + 24);
    // `until` omitted: through the last step.
    let sc = scenario(&club(
        "capability = 0.5\nstance = 0.2\nsalience = 0.6",
        "",
        "[[shock]]\nstep = 30\nevery = 4\nkind = \"posture\"\nactor = \"b\"\nadd = 0.1\nsource = \"test\"\n",
    ));
    let steps: Vec<usize> = sc.shocks.iter().map(|s| s.step).collect();
    assert_eq!(steps, [30, 34, 38]);
}

#[test]
fn a_conditional_shock_happens_when_and_only_when_its_status_is_reached() {
    // The baseline's answers to an opening: China and Russia criticise NATO and Japan (CAMEO 111)
    // in the step the office opens, injected (not issue signals).
    let sc = library().load("baseline", &[]).unwrap();
    let (rec, out) = run(&sc, 3);
    let opened = out.opened_step.expect("the baseline opens");
    let id = |k: usize| sc.actors[k].id.as_str();
    let mut at_opening: Vec<(&str, &str)> = rec
        .events
        .iter()
        .filter(|e| {
            e.step == opened && !e.issue && diplosim::model::CATALOGUE[e.code].code == "111"
        })
        .map(|e| (id(e.actor.ix()), id(e.target.ix())))
        .collect();
    at_opening.sort();
    for pair in [
        ("china", "japan"),
        ("china", "nato"),
        ("russia", "japan"),
        ("russia", "nato"),
    ] {
        assert!(
            at_opening.contains(&pair),
            "{pair:?} missing at week {opened}: {at_opening:?}"
        );
    }
    // With a delay, k steps after; a status never reached, never.
    let file = |when: &str, step: usize| {
        club(
            "capability = 0.5\nstance = 0.2\nsalience = 0.6\nstubbornness = 1.0",
            "",
            &format!("[[shock]]\nwhen = \"{when}\"\nstep = {step}\nkind = \"posture\"\nactor = \"b\"\nadd = 1.0\nsource = \"test\"\n"),
        )
    };
    let (rec, out) = run(&scenario(&file("approved", 2)), 1);
    assert_eq!(out.approved_step, Some(1));
    let p = rec.series(diplosim::model::Metric::Posture, 1);
    assert!(
        p[3] - p[2] > 0.9,
        "the posture jump is at step 3: {:?}",
        &p[..5]
    );
    let (rec, _) = run(&scenario(&file("shelved", 0)), 1);
    let p = rec.series(diplosim::model::Metric::Posture, 1);
    assert!(p.windows(2).all(|w| (w[1] - w[0]).abs() < 0.5));
}

#[test]
fn bad_decision_keys_name_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("[[shock]]\nstep = 0\nwhen = \"aproved\"\nkind = \"posture\"\nactor = \"japan\"\nadd = 1.0\nsource = \"x\"\n", "did you mean `approved`?"),
        ("[[shock]]\nstep = 5\nuntil = 9\nkind = \"posture\"\nactor = \"japan\"\nadd = 1.0\nsource = \"x\"\n", "`until` needs `every`"),
        ("[[election]]\nstep = 5\nactor = \"japan\"\nsource = \"x\"\n", "an election needs `probability`"),
        ("[[election]]\nstep = 5\nactor = \"japn\"\nprobability = 0.5\nsource = \"x\"\n", "unknown actor `japn`"),
        ("[[relation]]\nfrom = \"china\"\nto = \"japan\"\nlinkage = 1.5\nsource = \"x\"\n", "linkage must be in [0, 1]"),
        ("[issue]\nproposer = \"natoo\"\n", "unknown actor `natoo`"),
        // `every` may not multiply the shocks past the limit a resolved file must load back under.
        ("steps = 6000\n[[shock]]\nstep = 1\nevery = 1\nkind = \"posture\"\nactor = \"japan\"\nadd = 0.0\nsource = \"x\"\n[[shock]]\nstep = 1\nevery = 1\nkind = \"posture\"\nactor = \"china\"\nadd = 0.0\nsource = \"x\"\n", "at most 10000"),
    ];
    for (k, (text, want)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("bad{k}.toml"));
        std::fs::write(&path, format!("[scenario]\nextends = \"baseline\"\n{text}")).unwrap();
        let out = diplosim()
            .args(["show", path.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "case {k}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "case {k}: {err}");
        assert!(
            err.contains(&format!("bad{k}.toml:")),
            "case {k} names the file: {err}"
        );
    }
}

/// A conditional coercive event (China uses force on Japan when the office opens) happens in the
/// runs that reach the status and in no other, and the outputs count it as injected, not drawn:
/// each run's drawn coercive events are counted here from its recorded events, independently of
/// the engine's counters, and the ensemble's summary is held against them.
#[test]
fn a_conditional_coercive_event_is_counted_as_injected_in_the_runs_that_reach_its_status() {
    let text = |steps: usize| {
        format!(
            "[scenario]\nextends = \"baseline\"\nname = \"force_on_opening\"\nsteps = {steps}\n\
             [[shock]]\nwhen = \"opened\"\nstep = 0\nkind = \"event\"\nactor = \"china\"\n\
             target = \"japan\"\ncode = \"190\"\nsource = \"test\"\n"
        )
    };
    let drawn = |rec: &diplosim::engine::record::Recording| {
        rec.events
            .iter()
            .filter(|e| !e.injected && e.goldstein() <= diplosim::model::COERCIVE)
            .count()
    };
    // The baseline opens the office in week 32: the event is injected once, that week.
    let (rec, out) = run(&scenario(&text(104)), 1);
    assert_eq!(out.opened_step, Some(32));
    assert_eq!(out.injected_coercive, 1);
    assert_eq!(out.coercive_events - out.injected_coercive, drawn(&rec));
    // (The baseline's own shocks inject criticisms at the opening too: not coercive.)
    let force: Vec<_> = rec
        .events
        .iter()
        .filter(|e| e.injected && e.goldstein() <= diplosim::model::COERCIVE)
        .collect();
    assert_eq!((force.len(), force[0].step), (1, 32));
    // Cut at 20 weeks the office never opens: nothing is injected.
    let (rec, out) = run(&scenario(&text(20)), 1);
    assert_eq!((out.opened_step, out.injected_coercive), (None, 0));
    assert_eq!(out.coercive_events, drawn(&rec));
    // An ensemble of 12 runs: its summary's drawn counts are those of the runs' own events.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("force_on_opening.toml");
    std::fs::write(&file, text(104)).unwrap();
    let out_dir = dir.path().join("out");
    diplosim()
        .args([
            "run",
            file.to_str().unwrap(),
            "--runs",
            "12",
            "--quiet",
            "--no-charts",
        ])
        .args(["--out", out_dir.to_str().unwrap()])
        .assert()
        .success();
    let sc = scenario(&text(104));
    let c = diplosim::engine::Compiled::new(&sc);
    let (mut total, mut any) = (0usize, 0u64);
    for r in 0..12 {
        let mut rec = diplosim::engine::record::Recording::new(sc.actors.len(), sc.steps);
        diplosim::engine::simulate(&c, sc.seed, r, &mut rec);
        total += drawn(&rec);
        any += u64::from(drawn(&rec) > 0);
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("summary.json")).unwrap()).unwrap();
    let h = &summary["hostile"];
    assert_eq!(h["injected_per_run"], 1);
    // The summary rounds to six significant digits.
    let mean = h["mean_per_run"].as_f64().unwrap();
    assert!(
        (mean - total as f64 / 12.0).abs() < 1e-5,
        "{mean} vs {total}/12"
    );
    let p_any = h["p_any"].as_f64().unwrap();
    assert!(
        (p_any - any as f64 / 12.0).abs() < 1e-5,
        "{p_any} vs {any}/12"
    );
}
