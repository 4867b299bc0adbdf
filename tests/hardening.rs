//! Issue 13: bounded total work, safe output folders, text that cannot reach a terminal raw,
//! exit codes and messages, and arbitrary bytes as a scenario file.

use crate::util::{diplosim, library, root};
use predicates::prelude::*;
use proptest::prelude::*;
use std::path::Path;

fn stderr_of(a: assert_cmd::assert::Assert) -> String {
    String::from_utf8(a.get_output().stderr.clone()).unwrap()
}

/// `n` actors in a ring, `steps` steps, `runs` runs.
fn world(n: usize, steps: usize, runs: usize) -> String {
    let mut t = format!(
        "[scenario]\nsteps = {steps}\nruns = {runs}\n[issue]\nbody = \"a0\"\nhost = \"a1\"\n"
    );
    for i in 0..n {
        t.push_str(&format!("[[actor]]\nid = \"a{i}\"\nname = \"A{i}\"\ncapability = 0.5\nstance = 0.1\nsalience = 0.5\nsource = \"x\"\n"));
    }
    for i in 0..n {
        t.push_str(&format!(
            "[[relation]]\nfrom = \"a{i}\"\nto = \"a{}\"\naffinity = 0.1\nsource = \"x\"\n",
            (i + 1) % n
        ));
    }
    t
}

// ---- item 2: total work ----

#[test]
fn work_beyond_the_budget_is_refused_before_anything_is_allocated() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("huge.toml");
    std::fs::write(&p, world(1000, 10000, 2)).unwrap();
    let out = tmp.path().join("o");
    let err = stderr_of(
        diplosim()
            .arg("run")
            .arg(&p)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2),
    );
    assert!(
        err.contains("would need about") && err.contains("the budget is 4.0 GiB"),
        "{err}"
    );
    assert!(!out.exists() && !tmp.path().join(".o.lock").exists());
    let err = stderr_of(
        diplosim()
            .args([
                "sweep",
                "baseline",
                "--vary",
                "model.noise=0:0.1:1000",
                "--vary",
                "model.rate=0:1:1000",
            ])
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2),
    );
    assert!(
        err.contains("this sweep (1000000 points) would need about"),
        "{err}"
    );
    let err = stderr_of(
        diplosim()
            .args([
                "run", "baseline", "--runs", "100000", "--events", "all", "--out",
            ])
            .arg(&out)
            .assert()
            .code(2),
    );
    assert!(err.contains("of output; the budget is 2.0 GiB"), "{err}");
}

#[test]
fn estimates_follow_the_scenario() {
    let sc = library().load("baseline", &[]).unwrap();
    let one = diplosim::budget::single(&sc);
    assert!(one.memory < 10 << 20 && one.output < 10 << 20, "{one:?}");
    // Baseline runs record some 800 events; the estimate is of that order, not far above.
    let ev = diplosim::budget::max_events_per_run(&sc);
    assert!((400..4000).contains(&ev), "{ev}");
    let e1 = diplosim::budget::ensemble(&sc, 1000, 1, false);
    let e2 = diplosim::budget::ensemble(&sc, 1000, 4, true);
    assert!(e2.memory > e1.memory && e2.output > e1.output);
}

// ---- item 5: output folders ----

#[test]
fn out_paths_that_cannot_be_folders_exit_2_with_what_is_wrong() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let link = tmp.path().join("dangling");
    std::os::unix::fs::symlink(tmp.path().join("nowhere"), &link).unwrap();
    let run = |out: &Path, force: bool| {
        let mut c = diplosim();
        c.args([
            "run",
            "baseline",
            "--quiet",
            "--no-charts",
            "--steps",
            "3",
            "--out",
        ])
        .arg(out);
        if force {
            c.arg("--force");
        }
        stderr_of(c.assert().code(2))
    };
    assert!(run(&file, false).contains("is a file, not a folder"));
    assert!(run(&file, true).contains("is a file, not a folder"));
    assert!(
        std::fs::read_to_string(&file).unwrap() == "x",
        "the file is untouched"
    );
    assert!(run(&file.join("sub"), false).contains("cannot create output folder"));
    assert!(run(&link, false).contains("symbolic link to nothing"));
    assert!(run(&link.join("sub"), false).contains("cannot create output folder"));
    let err = stderr_of(
        diplosim()
            .current_dir(tmp.path())
            .arg("--scenarios")
            .arg(root().join("scenarios"))
            .args([
                "run",
                "baseline",
                "--quiet",
                "--no-charts",
                "--out",
                ".",
                "--force",
            ])
            .assert()
            .code(2),
    );
    assert!(err.contains("is the current folder"), "{err}");
    let mut left: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    left.sort();
    assert_eq!(left, ["dangling", "file"], "nothing left behind");
}

#[test]
fn a_failed_run_leaves_no_empty_parent_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("a").join("b").join("c");
    diplosim()
        .args(["run", "baseline", "--set", "model.noise=7", "--out"])
        .arg(&out)
        .assert()
        .code(2);
    let mut c = diplosim();
    c.current_dir(tmp.path())
        .arg("--scenarios")
        .arg(root().join("scenarios"))
        .args([
            "run",
            "baseline",
            "--quiet",
            "--no-charts",
            "--set",
            "model.noise=7",
        ]);
    c.assert().code(2);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn a_folder_being_written_is_locked() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let _held = diplosim::output::Staging::new(&out, true).unwrap();
    let err = stderr_of(
        diplosim()
            .args([
                "run",
                "baseline",
                "--quiet",
                "--no-charts",
                "--force",
                "--out",
            ])
            .arg(&out)
            .assert()
            .code(1),
    );
    assert!(
        err.contains("is being written by another diplosim command"),
        "{err}"
    );
}

// ---- item 6: text ----

#[test]
fn control_characters_in_text_are_refused_and_never_echoed_raw() {
    let base = std::fs::read_to_string(root().join("scenarios/baseline.toml")).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("esc.toml");
    let bad = base.replacen(
        "title = \"NATO liaison office",
        "title = \"\\u001b[31mRED\\u0007 NATO liaison office",
        1,
    );
    std::fs::write(&p, bad).unwrap();
    let a = diplosim().arg("validate").arg(&p).assert().code(2);
    let err = stderr_of(a);
    assert!(err.contains("control character \\u{1b}"), "{err}");
    // A raw escape byte in the file itself is echoed escaped.
    let raw = base.replacen("capability = 0.55", "capability = \u{1b}[2J", 1);
    std::fs::write(&p, raw).unwrap();
    let err = stderr_of(diplosim().arg("validate").arg(&p).assert().code(2));
    assert!(!err.contains('\u{1b}') && err.contains("\\u{1b}"), "{err}");
    diplosim()
        .args(["show", "baseline", "--set", "actor.china.name=Chi\u{7}na"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("control character")
                .and(predicate::str::contains("\u{7}").not()),
        );
}

#[test]
fn a_long_bad_line_gives_a_short_message() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("long.toml");
    let junk = "x".repeat(3_000_000);
    std::fs::write(&p, format!("[scenario]\ntitle = {junk}\n")).unwrap();
    let err = stderr_of(diplosim().arg("validate").arg(&p).assert().code(2));
    assert!(err.len() < 5_000, "{} bytes of error", err.len());
}

// ---- item 7: exit codes and messages ----

#[test]
fn messages_name_the_flag_the_user_typed() {
    diplosim()
        .args(["run", "baseline", "--seed", "9223372036854775808"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("--seed").and(predicate::str::contains("invalid type").not()),
        );
    diplosim()
        .args(["run", "baseline", "--steps", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--steps").and(predicate::str::contains("--set").not()));
    diplosim()
        .args(["show", "baseline", "--set", "actor.china.stance=1e309"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("overflowed")
                .and(predicate::str::contains("invalid type").not()),
        );
    diplosim()
        .args(["show", "baseline", "--set", "actor.china.self_weight=0"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("error: --set:1:"));
    diplosim()
        .args(["show", "baseline", "--set", "issue.body=natto"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `nato`?"));
    diplosim()
        .args([
            "show",
            "baseline",
            "--set",
            "actor.china.stance=-0.2",
            "--diff",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("actor china.stance: -0.9 → -0.2"));
    // What a scenario adds to the decision: its substitute, its elections (the record's US
    // election of week 79 with its turnover probability and changes).
    diplosim()
        .args(["show", "record_2023", "--diff"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains(
                "~ issue.substitute: none → Individually Tailored Partnership Programme",
            )
            .and(predicate::str::contains(
                "+ election week 79   united_states (US presidential election (5 Nov 2024)): P(turnover) 0.5, stance -0.2, view of nato -0.3",
            )),
        );
    diplosim().arg("run").assert().code(2).stderr(
        predicate::str::contains("baseline").and(predicate::str::contains("taiwan_crisis")),
    );
    diplosim()
        .args(["run", "Baseline"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `baseline`?"));
}

#[test]
fn compare_of_many_names_fails_or_succeeds_before_running() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("f");
    std::fs::write(&file, "x").unwrap();
    let mut c = diplosim();
    c.arg("compare");
    for _ in 0..20 {
        c.arg("baseline");
    }
    // The output folder is refused at once, before 20 scenarios run.
    c.args(["--quiet", "--no-charts", "--out"]).arg(&file);
    c.assert()
        .code(2)
        .stderr(predicate::str::contains("is a file"));
    let names: Vec<&str> = vec!["pressure_backfires"; 20];
    let dir = diplosim::compare::default_dir(&names, 1, 1, &[]);
    let leaf = dir.parent().unwrap().file_name().unwrap().len();
    assert!(leaf < 120, "{}", dir.display());
}

// ---- item 8: arbitrary bytes ----

proptest! {
    // A fixed seed, so that CI runs the same cases everywhere.
    #![proptest_config(ProptestConfig {
        cases: 64,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20261129),
        ..ProptestConfig::default()
    })]
    /// Loading never panics, whatever the bytes: a scenario or located problems.
    #[test]
    fn any_bytes_load_or_fail_cleanly(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = library().load_text(Path::new("fuzz.toml"), &text, &[]);
    }

    /// Mutations of a real scenario: a byte changed, inserted or dropped.
    #[test]
    fn mutated_baseline_loads_or_fails_cleanly(at in 0usize..20_000, byte in any::<u8>(), op in 0u8..3) {
        let base = std::fs::read(root().join("scenarios/baseline.toml")).unwrap();
        let mut b = base.clone();
        let i = at % b.len();
        match op {
            0 => b[i] = byte,
            1 => b.insert(i, byte),
            _ => { b.remove(i); }
        }
        let text = String::from_utf8_lossy(&b);
        if let Err(e) = library().load_text(Path::new("fuzz.toml"), &text, &[]) {
            let msg = e.to_string();
            prop_assert!(!msg.contains(char::from(27)), "raw escape in {}", msg);
        }
    }
}
