//! Tests of `crate::compare::paired` (kept beside it to keep that file to its code).

use super::*;
use crate::scenario::Library;
use crate::sweep::Control;
use std::path::Path;

fn load(name: &str, steps: u32) -> Scenario {
    Library::new(Path::new("scenarios"))
        .load(name, &[format!("scenario.steps={steps}")])
        .unwrap()
}

/// `ally_objects` without bargaining: France holds out, and the office never opens.
fn holdout(steps: u32) -> Scenario {
    Library::new(Path::new("scenarios"))
        .load(
            "ally_objects",
            &[
                format!("scenario.steps={steps}"),
                "model.concession=0".into(),
            ],
        )
        .unwrap()
}

/// `--matters`: each kind sets its outcomes' smallest difference, and the verdict follows it.
#[test]
fn the_smallest_differences_that_matter_are_configurable() {
    let mut m = Matters::default();
    m.set("stance=0.2").unwrap();
    m.set("weeks = 3").unwrap();
    assert_eq!((m.stance, m.weeks, m.probability), (0.2, 3.0, 0.01));
    assert!(m
        .set("stanse=0.2")
        .unwrap_err()
        .contains("unknown kind `stanse`"));
    assert!(m.set("stance").unwrap_err().contains("KIND=VALUE"));
    assert!(m.set("stance=-1").unwrap_err().contains("≥ 0"));
    assert!(m.set("stance=nan").unwrap_err().contains("finite"));
    let a = load("baseline", 40);
    let b = holdout(40);
    let ra = records(&a, 40, 1, &Control::none()).unwrap();
    let rb = records(&b, 40, 1, &Control::none()).unwrap();
    let strict = Paired::new(
        &[&a, &b],
        &[ra.clone(), rb.clone()],
        1,
        None,
        Matters::default(),
    );
    let loose = Matters {
        probability: 2.0,
        ..Matters::default()
    };
    let lax = Paired::new(&[&a, &b], &[ra, rb], 1, None, loose);
    let row = |p: &Paired| {
        p.rows
            .iter()
            .find(|r| r.name == "p_opened")
            .unwrap()
            .verdict(1)
    };
    // An objecting ally that does not bargain closes the office in every run: a difference of 1 in probability,
    // material at 0.01, negligible if only a difference of 2 mattered.
    assert_eq!(row(&strict), Some("differs materially"));
    assert_eq!(row(&lax), Some("differs, negligible"));
}

#[test]
fn a_scenario_against_itself_is_within_noise_with_a_zero_interval() {
    let a = load("baseline", 30);
    let r = records(&a, 20, 1, &Control::none()).unwrap();
    let p = Paired::new(&[&a, &a], &[r.clone(), r], 1, None, Matters::default());
    for row in &p.rows {
        let d = row.diffs[1].unwrap();
        assert_eq!((d.mean, d.lo, d.hi), (0.0, 0.0, 0.0), "{}", row.name);
        assert_eq!(row.verdict(1), Some("within noise"));
    }
}

#[test]
fn an_ally_objecting_differs_and_absent_actors_have_no_difference() {
    let a = load("baseline", 40);
    let b = holdout(40);
    let ra = records(&a, 40, 1, &Control::none()).unwrap();
    let rb = records(&b, 40, 1, &Control::none()).unwrap();
    let p = Paired::new(&[&a, &b], &[ra, rb], 1, None, Matters::default());
    let opened = &p.rows[0];
    assert_eq!(opened.name, "p_opened");
    assert!(opened.diffs[1].unwrap().differs(), "{opened:?}");
    let france = p.rows.iter().find(|r| r.name == "stance_france").unwrap();
    assert!(france.values[0].is_none() && france.diffs[1].is_none());
    assert!(france.values[1].is_some());
    let dyad = p
        .rows
        .iter()
        .find(|r| r.name == "cooperation_per_dyad")
        .unwrap();
    // Different actors: no regional sum, which would move with the number of pairs.
    assert!(p.rows.iter().all(|r| r.name != "cooperation_mean"));
    let n = a.actors.len() as f64;
    let per = dyad.values[0].unwrap().mean * n * (n - 1.0);
    let sum = ra_mean(&a);
    assert!((per - sum).abs() < 1e-9, "{per} vs {sum}");
    // The same actors: the regional sum is there.
    let r1 = records(&a, 10, 1, &Control::none()).unwrap();
    let q = Paired::new(&[&a, &a], &[r1.clone(), r1], 1, None, Matters::default());
    assert!(q.rows.iter().any(|r| r.name == "cooperation_mean"));
}

/// The mean over 40 runs (seed 1) of the cooperation index per step of `sc`.
fn ra_mean(sc: &Scenario) -> f64 {
    let r = records(sc, 40, 1, &Control::none()).unwrap();
    r.iter().map(|x| x.coop_mean).sum::<f64>() / r.len() as f64
}

#[test]
fn injected_coercive_events_are_counted_from_the_shocks() {
    let k = load("korean_tension", 104);
    assert!(k.injected_coercive() > 0);
    assert_eq!(load("baseline", 104).injected_coercive(), 0);
    let r = records(&k, 10, 1, &Control::none()).unwrap();
    assert!(r.iter().all(|x| x.drawn_coercive >= 0.0));
}

/// Scenarios of different lengths are judged over the weeks they share. The baseline approves
/// the office in week 6 and opens it in week 32 in every run; cut at 20 weeks it is approved in
/// both and open in neither, so the office's differences are exactly 0 (not −1 in probability and
/// 32 − 21 weeks, as counting each run to its own end would give).
#[test]
fn scenarios_of_different_lengths_are_cut_at_the_shortest() {
    let (long, short) = (load("baseline", 104), load("baseline", 20));
    let (rl, rs) = (
        records(&long, 20, 1, &Control::none()).unwrap(),
        records(&short, 20, 1, &Control::none()).unwrap(),
    );
    assert!(rl
        .iter()
        .all(|r| r.approved_step == Some(6) && r.opened_step == Some(32)));
    let p = Paired::new(&[&long, &short], &[rl, rs], 1, None, Matters::default());
    assert_eq!(p.cut_at, Some(20));
    let row = |name: &str| p.rows.iter().find(|r| r.name == name).unwrap();
    let value = |name: &str, k: usize| row(name).values[k].unwrap().mean;
    assert_eq!((value("p_opened", 0), value("p_approved", 0)), (0.0, 1.0));
    assert_eq!(
        (value("approval_week", 0), value("opening_week", 0)),
        (6.0, 21.0)
    );
    for name in ["p_opened", "p_approved", "approval_week", "opening_week"] {
        let d = row(name).diffs[1].unwrap();
        assert_eq!((d.mean, d.lo, d.hi), (0.0, 0.0, 0.0), "{name}");
    }
    assert_eq!(
        row("opening_week").label,
        "week of opening (never by week 20: 21)"
    );
    // The same lengths: nothing is cut, and a run counts to its own end.
    let a = load("baseline", 104);
    let r = records(&a, 5, 1, &Control::none()).unwrap();
    let same = Paired::new(&[&a, &a], &[r.clone(), r], 1, None, Matters::default());
    assert_eq!(same.cut_at, None);
    let opening = same.rows.iter().find(|r| r.name == "opening_week").unwrap();
    assert_eq!(opening.values[0].unwrap().mean, 32.0);
    assert_eq!(opening.label, "week of opening (never: the horizon + 1)");
}
