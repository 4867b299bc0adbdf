//! One table of per-actor and per-relation keys (`scenario::keys`) drives the report's scenario
//! tables: every number a shipped scenario or case sets appears in its `report.html` with its
//! source.

use crate::util::{diplosim, library, root};
use diplosim::scenario::keys::{shown, ACTOR_KEYS, RELATION_KEYS};

/// What the report writes for text (minijinja's HTML escaping of the characters sources use).
fn escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#x27;")
        .replace('/', "&#x2f;")
}

#[test]
fn every_key_a_shipped_scenario_sets_is_in_its_report_with_its_source() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files: Vec<_> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .chain(std::fs::read_dir(root().join("cases")).unwrap())
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    for f in files {
        let sc = library().load_path(&f, &[]).unwrap();
        let out = tmp.path().join(&sc.name);
        diplosim()
            .arg("run")
            .arg(&f)
            .args(["--steps", "3", "--no-charts", "--quiet", "--out"])
            .arg(&out)
            .assert()
            .success();
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        let table = |title: &str| {
            let at = html
                .find(title)
                .unwrap_or_else(|| panic!("{}: no table {title}", sc.name));
            let end = html[at..].find("</table>").map_or(html.len(), |e| at + e);
            html[at..end].to_string()
        };
        let actors = table(">Actors<");
        for k in ACTOR_KEYS {
            assert!(
                actors.contains(&escaped(k.key)),
                "{}: no column {}",
                sc.name,
                k.key
            );
        }
        for a in &sc.actors {
            // The actor's row holds every number and every per-key source.
            let at = actors
                .find(&format!("<td>{}</td>", escaped(&a.name)))
                .unwrap_or_else(|| panic!("{}: no row for {}", sc.name, a.id));
            let row = &actors[at..actors[at..].find("</tr>").map_or(actors.len(), |e| at + e)];
            for k in ACTOR_KEYS {
                let v = match (k.key, (k.get)(a)) {
                    ("stance", Some(x)) => format!("{x:+}"),
                    (_, v) => shown(v),
                };
                assert!(
                    row.contains(&format!(">{}<", escaped(&v))),
                    "{}: {}.{} = {v} missing",
                    sc.name,
                    a.id,
                    k.key
                );
            }
            for (k, v) in &a.sources {
                assert!(
                    row.contains(&escaped(v)),
                    "{}: source of {}.{k} missing",
                    sc.name,
                    a.id
                );
            }
        }
        let relations = table("Relations");
        for k in RELATION_KEYS {
            assert!(
                relations.contains(k.key),
                "{}: no column {}",
                sc.name,
                k.key
            );
        }
        for r in &sc.relations {
            assert!(
                relations.contains(&escaped(&r.source)),
                "{}: a relation's source is missing",
                sc.name
            );
        }
    }
}
