//! Every file in `scenarios/` loads, has sources for every actor and relation, and runs.

use crate::util::{library, root, run};

#[test]
fn every_named_scenario_validates_and_runs() {
    let lib = library();
    let names = lib.list();
    assert!(names.len() >= 4, "at least four named scenarios");
    for (name, title) in names {
        assert!(!title.is_empty(), "{name} has no title");
        let sc = lib
            .load(&name, &[])
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            sc.description.len() > 40,
            "{name} needs a description of its question"
        );
        assert!(
            sc.warnings.is_empty(),
            "{name} has warnings: {:?}",
            sc.warnings
        );
        for a in &sc.actors {
            assert!(sourced(&a.source), "{name}/{}: {}", a.id, a.source);
        }
        for r in &sc.relations {
            assert!(sourced(&r.source), "{name}: {}", r.source);
        }
        let short = lib.load(&name, &["scenario.steps=20".into()]).unwrap();
        let (rec, out) = run(&short, 1);
        assert_eq!(rec.len(), 21);
        assert!(out
            .final_stance
            .iter()
            .all(|s| s.is_finite() && (-1.0..=1.0).contains(s)));
    }
}

#[test]
fn baseline_is_seeded_from_the_article() {
    let sc = library().load("baseline", &[]).unwrap();
    let ids: Vec<&str> = sc.actors.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "japan",
            "nato",
            "united_states",
            "china",
            "russia",
            "south_korea",
            "australia",
            "new_zealand",
            "north_korea"
        ]
    );
    assert_eq!(sc.issue.body, "nato");
    assert_eq!(sc.actors[sc.issue.host.ix()].id, "japan");
    let members: Vec<&str> = sc
        .issue
        .members
        .iter()
        .map(|&m| sc.actors[m.ix()].id.as_str())
        .collect();
    assert_eq!(members, ["nato", "united_states"]);
    // The article's stated positions: China opposes (¶5), Japan and NATO support (¶1, ¶10).
    let s = |id: &str| sc.actors[sc.actor_index(id).unwrap().ix()].stance;
    assert!(s("china") < -0.5 && s("russia") < 0.0 && s("japan") > 0.5 && s("nato") > 0.5);
    // The shipped file names a schema for editors.
    let text = std::fs::read_to_string(root().join("scenarios/baseline.toml")).unwrap();
    assert!(text.starts_with("#:schema"));
}

#[test]
fn ally_objects_blocks_the_first_vote_then_concedes_or_holds_without_bargaining() {
    let sc = library().load("ally_objects", &[]).unwrap();
    let france = sc.actor_index("france").unwrap();
    let (_, out) = run(&sc, 1);
    // France blocks the first vote (week 6) and concedes in its bargaining stage (0.6).
    assert_eq!(out.votes[0].step, 6);
    assert_eq!(out.votes[0].blockers, [france]);
    assert!(out.deals.iter().any(|d| d.step == 6 && d.actor == france));
    assert!(out.approved_step.is_some_and(|a| a > 6));
    // Without bargaining it blocks every vote.
    let sc = library()
        .load(
            "ally_objects",
            &["model.concession=0".into(), "model.failure_cost=0".into()],
        )
        .unwrap();
    let (_, out) = run(&sc, 1);
    assert_eq!(out.status, diplosim::model::Status::Postponed);
    assert_eq!(out.blockers, [france]);
}

/// A source names the article's paragraph, the public record, or says it is an assumption.
fn sourced(s: &str) -> bool {
    ["article ¶", "assumption:", "record:"]
        .iter()
        .any(|p| s.starts_with(p))
}
