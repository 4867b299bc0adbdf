//! The command line as a user meets it: output, exit codes, messages that point at the fix.

use crate::util::{diplosim, root};
use predicates::prelude::*;
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn run_prints_the_outcome_and_where_results_are() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    diplosim()
        .args(["run", "baseline", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "office OPENED in week 32 (approved in week 6)",
        ))
        .stdout(predicate::str::contains(format!(
            "results: {}/",
            out.display()
        )));
    for f in [
        "scenario.resolved.toml",
        "manifest.json",
        "timeseries.csv",
        "events.csv",
        "summary.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let ts = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    let mut lines = ts.lines();
    assert_eq!(lines.next(), Some("run,step,actor,metric,value"));
    assert_eq!(lines.next(), Some("0,0,japan,stance,0.8"));
    assert!(ts.contains("\n0,104,*,cooperation,"));
    // 105 steps × (9 actors × 4 metrics + 5 region metrics) + header
    assert_eq!(ts.lines().count(), 105 * 41 + 1);
    let ev = std::fs::read_to_string(out.join("events.csv")).unwrap();
    assert!(ev.starts_with("run,step,actor,target,code,label,goldstein,issue\n"));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["office"]["status"], "opened");
    assert_eq!(summary["office"]["opened_step"], 32);
    assert!(summary["final"]["china"]["stance"].as_f64().unwrap() < -0.5);
}

#[test]
fn list_and_show_name_scenarios_and_sources() {
    diplosim()
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("baseline"))
        .stdout(predicate::str::contains("ally_objects"));
    diplosim()
        .args(["show", "baseline"])
        .assert()
        .success()
        .stdout(predicate::str::contains("article ¶5"))
        .stdout(predicate::str::contains("assumption:"))
        .stdout(predicate::str::contains("members: nato, united_states"));
    diplosim()
        .args(["show", "ally_objects"])
        .assert()
        .success()
        .stdout(predicate::str::contains("extends: baseline"))
        .stdout(predicate::str::contains("france"));
}

#[test]
fn a_typo_in_a_key_is_refused_with_file_line_column_and_a_hint() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("scenarios/baseline.toml"))
        .unwrap()
        .replacen("capability = 0.55", "capabilty = 0.55", 1);
    let line = text
        .lines()
        .position(|l| l.starts_with("capabilty"))
        .unwrap()
        + 1;
    let p = write(tmp.path(), "typo.toml", &text);
    let out = tmp.path().join("out");
    diplosim()
        .args(["run"])
        .arg(&p)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("typo.toml:{line}:1:")))
        .stderr(predicate::str::contains("unknown [actor] key `capabilty`"))
        .stderr(predicate::str::contains("did you mean `capability`?"));
    assert!(!out.exists(), "no output after bad input");
}

#[test]
fn an_unknown_actor_id_is_refused_with_the_line_to_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "[scenario]\nextends = \"baseline\"\n\n[[relation]]\nfrom = \"chian\"\nto = \"japan\"\naffinity = -0.5\nsource = \"assumption: test\"\n";
    let p = write(tmp.path(), "bad.toml", text);
    diplosim()
        .args(["validate"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "bad.toml:5:8: key `relation[0].from`: unknown actor `chian`",
        ))
        .stderr(predicate::str::contains("5 | from = \"chian\""))
        .stderr(predicate::str::contains("did you mean `china`?"));
}

#[test]
fn out_of_range_and_non_finite_values_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let base = std::fs::read_to_string(root().join("scenarios/baseline.toml")).unwrap();
    let p = write(
        tmp.path(),
        "range.toml",
        &base
            .replacen("capability = 0.55", "capability = 1.5", 1)
            .replacen("stance = -0.9", "stance = nan", 1),
    );
    diplosim()
        .args(["validate"])
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "key `actor[0].capability`: capability must be in (0, 1], got 1.5",
        ))
        .stderr(predicate::str::contains(
            "key `actor[3].stance`: must be a finite number, got NaN",
        ))
        .stderr(predicate::str::contains("2 errors"));
}

#[test]
fn set_overrides_are_checked_like_the_file() {
    diplosim()
        .args([
            "run",
            "baseline",
            "--no-charts",
            "--set",
            "actor.china.stubbornness=1.5",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--set:1:26: key `actor.china.stubbornness`: stubbornness must be in [0, 1], got 1.5",
        ));
    diplosim()
        .args([
            "run",
            "baseline",
            "--no-charts",
            "--set",
            "actor.chian.stubbornness=0.5",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown actor `chian` — did you mean `china`?",
        ));
    diplosim()
        .args(["run", "baseline", "--no-charts", "--set", "model.nois=0.1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `noise`?"));
}

#[test]
fn unknown_scenario_names_get_a_suggestion() {
    diplosim()
        .args(["run", "baselin"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no scenario named `baselin`"))
        .stderr(predicate::str::contains("did you mean `baseline`?"));
}

#[test]
fn out_on_a_non_empty_folder_is_refused_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "keep.txt", "mine");
    diplosim()
        .args([
            "run",
            "baseline",
            "--quiet",
            "--no-charts",
            "--steps",
            "5",
            "--out",
        ])
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
    assert!(tmp.path().join("keep.txt").exists());
    diplosim()
        .args([
            "run",
            "baseline",
            "--quiet",
            "--no-charts",
            "--steps",
            "5",
            "--force",
            "--out",
        ])
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("does not hold a diplosim output"));
    assert!(
        tmp.path().join("keep.txt").exists(),
        "--force replaces only diplosim outputs"
    );
    let out = tmp.path().join("r");
    for _ in 0..2 {
        diplosim()
            .args([
                "run",
                "baseline",
                "--quiet",
                "--no-charts",
                "--steps",
                "5",
                "--force",
                "--out",
            ])
            .arg(&out)
            .assert()
            .success();
    }
    assert!(out.join("summary.json").exists());
}

#[test]
fn extends_cycles_are_reported_with_the_chain() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "a.toml", "[scenario]\nextends = \"b\"\n");
    let b = write(tmp.path(), "b.toml", "[scenario]\nextends = \"a\"\n");
    diplosim()
        .args(["validate"])
        .arg(&b)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("`extends` makes a cycle"))
        .stderr(predicate::str::contains("b.toml → ").and(predicate::str::contains("a.toml")));
}

/// `ally_holds.toml` in `dir`: `ally_objects` without bargaining (model 0.6's concessions off), so
/// that France holds out and blocks every vote, as `ally_objects` did before 0.6.
fn ally_holds(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("ally_holds.toml");
    std::fs::write(
        &p,
        "[scenario]\nextends = \"ally_objects\"\n[model]\nconcession = 0.0\nfailure_cost = 0.0\n",
    )
    .unwrap();
    p
}

#[test]
fn compare_writes_a_table_a_csv_and_the_overlay_chart() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let holds = ally_holds(tmp.path());
    diplosim()
        .args(["compare", "baseline"])
        .arg(&holds)
        .args(["--steps", "40", "--runs", "1", "--out"])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains("blockers").and(predicate::str::contains("france")))
        .stdout(predicate::str::contains("final stance france"));
    let csv = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("scenario,origin,office_status,approved_step,opened_step,p_opened,blockers,"));
    let base = lines.next().unwrap();
    let objects = lines.next().unwrap();
    assert!(base.starts_with("baseline,") && base.contains(",opened,6,32,"));
    assert!(objects.starts_with("ally_holds,") && objects.contains(",postponed,,,,france,"));
    assert!(out.join("compare_stance.png").is_file() && out.join("compare_stance.svg").is_file());
    let svg = std::fs::read_to_string(out.join("compare_stance.svg")).unwrap();
    assert!(svg.contains("France") && svg.contains("Japan"));
    diplosim()
        .args(["compare", "baseline", "ally_objects", "--metric", "stanse"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `stance`?"));
}

#[test]
fn compare_runs_an_ensemble_and_says_which_differences_are_real() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let holds = ally_holds(tmp.path());
    diplosim()
        .args(["compare", "baseline"])
        .arg(&holds)
        .args([
            "--steps", "40", "--runs", "60", "--metric", "posture", "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "difference from baseline (95% interval, paired over 60 runs",
        ))
        .stdout(predicate::str::is_match(r"p_opened +ally_holds: -1\.000 .* differs").unwrap())
        .stdout(predicate::str::contains("final posture china"))
        .stdout(predicate::str::contains("cooperation_per_dyad"));
    let diffs = std::fs::read_to_string(out.join("differences.csv")).unwrap();
    assert!(diffs.starts_with(
        "outcome,scenario,mean,lo95,hi95,diff,diff_lo95,diff_hi95,smallest_that_matters,verdict\n"
    ));
    // A proportion's interval is Wilson's: for 60 of 60, [n/(n + z²), 1] = [60/63.8415, 1] =
    // [0.939828, 1]; for 0 of 60, [0, z²/(n + z²)] = [0, 0.0601719] (z = 1.95996).
    assert!(
        diffs.contains("\np_opened,baseline,1,0.939828,1,,,,,\n"),
        "{diffs}"
    );
    assert!(diffs.contains("\nstance_france,baseline,,,,,,,,\n"));
    // France blocks every vote: P(open) falls by one whole probability, materially.
    assert!(
        diffs.contains("\np_opened,ally_holds,0,0,0.0601719,-1,-1,-1,0.01,differs materially\n"),
        "{diffs}"
    );
    let cmp = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    assert!(cmp.contains(",postponed,,,0,france,"), "{cmp}");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let bin = assert_cmd::cargo::cargo_bin("diplosim");
    for args in [
        &["show", "nac"][..],
        &["run", "baseline", "--runs", "3", "--out"][..],
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let mut c = Command::new(&bin);
        c.current_dir(crate::util::root()).args(args);
        if args[0] == "run" {
            c.arg(tmp.path().join("out"));
        }
        let mut child = c
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read one byte, then close the pipe as `head -c1` does.
        let mut one = [0u8; 1];
        let mut out = child.stdout.take().unwrap();
        let _ = out.read(&mut one);
        drop(out);
        let mut err = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(
            matches!(status.code(), Some(0) | Some(141)),
            "{args:?}: {status:?}, stderr: {err}"
        );
        assert!(
            !err.contains("panicked") && !err.contains("Broken pipe"),
            "{args:?}: {err}"
        );
    }
}
