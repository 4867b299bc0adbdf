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
