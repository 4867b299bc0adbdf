//! The shipped backtest cases (`cases/`): each loads, asks enough questions, and sources every
//! number by a codebook rule or as a stated assumption.

use crate::util::{library, root};
use diplosim::observe::Answer;
use diplosim::scenario::Scenario;

fn cases() -> Vec<Scenario> {
    let mut files: Vec<_> = std::fs::read_dir(root().join("cases"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| match library().load_path(p, &[]) {
            Ok(s) => s,
            Err(e) => panic!("{}:\n{e}", p.display()),
        })
        .collect()
}

#[test]
fn six_cases_ask_enough_questions_with_yes_and_no_answers() {
    let cs = cases();
    let names: Vec<&str> = cs.iter().map(|c| c.name.as_str()).collect();
    for want in [
        "nordic_accession",
        "thaad",
        "lithuania_office",
        "australia_inquiry",
        "trawler_2010",
        "tokyo_office",
    ] {
        assert!(names.contains(&want), "no case {want} in {names:?}");
    }
    let mut total = 0;
    let (mut yes, mut no, mut timing) = (0, 0, 0);
    for c in &cs {
        assert!(
            c.questions.len() >= 4,
            "{}: {} questions",
            c.name,
            c.questions.len()
        );
        assert!(c.warnings.is_empty(), "{}: {:?}", c.name, c.warnings);
        total += c.questions.len();
        for q in &c.questions {
            match q.outcome {
                Answer::Binary(true) => yes += 1,
                Answer::Binary(false) => no += 1,
                Answer::Timing(_) => timing += 1,
            }
            assert!(q.obs.steps.1 <= c.steps, "{}/{}", c.name, q.id);
        }
    }
    assert!(total >= 24, "{total} questions");
    assert!(
        no >= 8 && yes >= 8 && timing >= 4,
        "{yes} yes, {no} no, {timing} timing"
    );
}

/// Whether a source text names a codebook rule, or says it is an assumption or the record.
fn traced(s: &str) -> bool {
    s.contains("codebook")
        || s.contains("assumption")
        || s.contains("record")
        || s.contains("article ¶")
}

#[test]
fn every_number_of_a_case_names_its_rule_or_assumption() {
    let mut bad = Vec::new();
    for c in cases() {
        for a in &c.actors {
            // Each number by its own source, or by the actor's source when it has none.
            for k in ["capability", "stance", "salience", "stubbornness"] {
                let s = a.sources.get(k).unwrap_or(&a.source);
                if !traced(s) {
                    bad.push(format!("{}: actor {} {k}: {s}", c.name, a.id));
                }
            }
            for (k, v) in &a.sources {
                if !traced(v) {
                    bad.push(format!("{}: actor {} {k}: {v}", c.name, a.id));
                }
            }
        }
        for r in &c.relations {
            if !traced(&r.source) {
                let id = |a: diplosim::scenario::ActorId| c.actors[a.ix()].id.clone();
                bad.push(format!(
                    "{}: relation {}→{}: {}",
                    c.name,
                    id(r.from),
                    id(r.to),
                    r.source
                ));
            }
        }
        for q in &c.questions {
            assert!(!q.outcome_source.trim().is_empty() && !q.base_rate_source.trim().is_empty());
        }
    }
    assert!(
        bad.is_empty(),
        "{} numbers without a codebook rule or a stated assumption:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

/// Codebook K1 and K2 as applied: every compliance and leverage row of `cases/derived_inputs.csv`
/// (written by `scripts/case_inputs.py`) is the value of that relation in the resolved case, and in
/// `tokyo_office` (which extends the baseline) no other pair keeps a leverage.
#[test]
fn compliance_and_leverage_are_the_derived_inputs() {
    let text = std::fs::read_to_string(root().join("cases/derived_inputs.csv")).unwrap();
    let cases = cases();
    let mut checked = 0;
    let mut pairs = std::collections::HashSet::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (case, kind, from, to) = (f[0], f[1], f[2], f[3]);
        if kind != "compliance" && kind != "leverage" {
            continue;
        }
        let want: f64 = f[f.len() - 2].parse().unwrap();
        let sc = cases.iter().find(|s| s.name == case).unwrap();
        let (i, j) = (sc.actor_index(from).unwrap(), sc.actor_index(to).unwrap());
        let got = sc
            .relations
            .iter()
            .find(|r| r.from == i && r.to == j)
            .map_or(0.0, |r| {
                if kind == "leverage" {
                    r.leverage
                } else {
                    r.compliance
                }
            });
        assert_eq!(got, want, "{case}: {kind} {from} → {to}");
        if kind == "leverage" {
            pairs.insert((case.to_string(), from.to_string(), to.to_string()));
        }
        checked += 1;
    }
    assert_eq!(checked, 50);
    for sc in &cases {
        for r in sc.relations.iter().filter(|r| r.leverage != 0.0) {
            let key = (
                sc.name.clone(),
                sc.actors[r.from.ix()].id.clone(),
                sc.actors[r.to.ix()].id.clone(),
            );
            assert!(
                pairs.contains(&key),
                "{key:?} has a leverage no K2 row gives"
            );
        }
    }
}
