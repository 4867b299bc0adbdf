//! Same scenario, seed and flags → byte-identical files (all but the manifest's created time);
//! another seed → other events.

use crate::util::root;
use assert_cmd::Command;
use std::path::Path;

fn run_into(dir: &Path, args: &[&str]) {
    Command::cargo_bin("diplosim")
        .unwrap()
        .current_dir(root())
        .args(["run", "baseline", "--quiet", "--no-charts", "--out"])
        .arg(dir)
        .args(args)
        .assert()
        .success();
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn strip_created(manifest: &str) -> String {
    manifest
        .lines()
        .filter(|l| !l.contains("\"created\""))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn same_seed_gives_identical_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run_into(&a, &["--seed", "42"]);
    run_into(&b, &["--seed", "42"]);
    let names = files(&a);
    assert_eq!(names, files(&b));
    assert!(
        names.contains(&"events.csv".to_string()) && names.contains(&"timeseries.csv".to_string())
    );
    for name in names {
        let x = std::fs::read(a.join(&name)).unwrap();
        let y = std::fs::read(b.join(&name)).unwrap();
        if name == "manifest.json" {
            assert_eq!(
                strip_created(&String::from_utf8(x).unwrap()),
                strip_created(&String::from_utf8(y).unwrap())
            );
        } else {
            assert!(x == y, "{name} differs between two runs with one seed");
        }
    }
}

#[test]
fn another_seed_gives_other_events() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run_into(&a, &["--seed", "1"]);
    run_into(&b, &["--seed", "2"]);
    let x = std::fs::read_to_string(a.join("events.csv")).unwrap();
    let y = std::fs::read_to_string(b.join("events.csv")).unwrap();
    assert_ne!(x, y);
    assert!(
        x.lines().count() > 50 && y.lines().count() > 50,
        "the baseline should be eventful"
    );
}

#[test]
fn the_resolved_scenario_reproduces_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run_into(
        &a,
        &[
            "--seed",
            "9",
            "--set",
            "model.noise=0.03",
            "--set",
            "actor.china.stubbornness=0.8",
        ],
    );
    let resolved = a.join("scenario.resolved.toml");
    Command::cargo_bin("diplosim")
        .unwrap()
        .current_dir(root())
        .args(["run", "--quiet", "--no-charts", "--out"])
        .arg(&b)
        .arg(&resolved)
        .assert()
        .success();
    for name in [
        "events.csv",
        "timeseries.csv",
        "summary.json",
        "scenario.resolved.toml",
    ] {
        let x = std::fs::read(a.join(name)).unwrap();
        let y = std::fs::read(b.join(name)).unwrap();
        assert!(
            x == y,
            "{name} differs when re-running the resolved scenario"
        );
    }
}
