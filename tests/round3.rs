//! Hardening, round 3 (issue 28): each test is named after what broke, and fails before its fix.

use crate::util::diplosim;

fn observation(source: &str) -> String {
    format!(
        "[[observation]]\nmetric = \"office_status\"\nstat = \"max\"\nop = \">=\"\nvalue = 0\nsource = \"{source}\"\n"
    )
}

#[test]
fn f01_the_observation_cap_holds_along_an_extends_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let mut parent = String::from("[scenario]\nextends = \"baseline\"\nsteps = 20\n");
    for k in 0..64 {
        parent.push_str(&observation(&format!("p{k}")));
    }
    std::fs::write(tmp.path().join("parent64.toml"), parent).unwrap();
    let child = format!(
        "[scenario]\nextends = \"parent64\"\n{}",
        observation("one more")
    );
    let path = tmp.path().join("child.toml");
    std::fs::write(&path, child).unwrap();
    for cmd in [&["validate"][..], &["run", "--quiet", "--out"][..]] {
        let mut c = diplosim();
        c.args(cmd);
        if cmd[0] == "run" {
            c.arg(tmp.path().join("out"));
        }
        let a = c.arg(&path).assert().code(2);
        let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        assert!(
            err.contains("65 observations along the `extends` chain"),
            "{err}"
        );
        assert!(err.contains("child.toml:3:1"), "{err}");
    }
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn f02_a_window_left_to_default_follows_the_run_length() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("s.toml");
    std::fs::write(
        &path,
        format!(
            "[scenario]\nextends = \"baseline\"\nsteps = 20\n{}",
            observation("x")
        ),
    )
    .unwrap();
    for extra in [&["--steps", "30"][..], &["--set", "scenario.steps=30"][..]] {
        let out = tmp.path().join(format!("out{}", extra[0]));
        diplosim()
            .arg("run")
            .arg(&path)
            .args(extra)
            .args(["--quiet", "--no-charts", "--out"])
            .arg(&out)
            .assert()
            .success();
        let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
        assert!(summary.contains("weeks 0–30"), "{summary}");
        assert!(summary.contains("\"all_held\": true"), "{summary}");
    }
    // A window written in the file still may not run past the file's own steps.
    let bad = format!(
        "[scenario]\nextends = \"baseline\"\nsteps = 20\n{}steps = [0, 30]\n",
        observation("x")
    );
    std::fs::write(&path, bad).unwrap();
    diplosim().arg("validate").arg(&path).assert().code(2);
}

#[test]
fn f10_bidirectional_and_zero_width_characters_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    for (what, ch) in [
        ("RLO", '\u{202E}'),
        ("zero-width space", '\u{200B}'),
        ("BOM", '\u{FEFF}'),
    ] {
        let path = tmp.path().join("s.toml");
        std::fs::write(
            &path,
            format!("[scenario]\nextends = \"baseline\"\ntitle = \"safe{ch}txt.exe\"\n"),
        )
        .unwrap();
        let a = diplosim().arg("validate").arg(&path).assert().code(2);
        let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        assert!(
            err.contains("invisible formatting character"),
            "{what}: {err}"
        );
        assert!(err.contains("s.toml:3:9"), "{what}: {err}");
        // The message escapes it rather than printing it raw.
        assert!(!err.contains(ch), "{what} printed raw: {err}");
    }
    // A character that only looks unusual (an accent) is fine.
    let path = tmp.path().join("ok.toml");
    std::fs::write(
        &path,
        "[scenario]\nextends = \"baseline\"\ntitle = \"Türkiye\"\n",
    )
    .unwrap();
    diplosim().arg("validate").arg(&path).assert().success();
}

/// A single run of the baseline written to `dir`, for `compare` to read back.
fn folder(dir: &std::path::Path) {
    diplosim()
        .args([
            "run",
            "baseline",
            "--steps",
            "10",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(dir)
        .assert()
        .success();
}

/// `compare good bad` must refuse `bad` with exit 2, print nothing raw, write nothing.
fn refused(tmp: &std::path::Path, bad: &std::path::Path, want: &str) {
    let good = tmp.join("good");
    if !good.exists() {
        folder(&good);
    }
    let out = tmp.join("cmp");
    let a = diplosim()
        .arg("compare")
        .arg(&good)
        .arg(bad)
        .args(["--quiet", "--out"])
        .arg(&out)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains(want), "expected `{want}` in: {err}");
    assert!(
        !err.contains('\u{1b}') && !err.contains('\u{7}'),
        "raw control text: {err:?}"
    );
    assert!(err.len() < 2000, "{} bytes of message", err.len());
    assert!(!out.exists(), "a folder was written");
}

fn edit_summary(dir: &std::path::Path, f: impl Fn(&mut serde_json::Value)) {
    let p = dir.join("summary.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    f(&mut v);
    std::fs::write(&p, serde_json::to_string(&v).unwrap()).unwrap();
}

#[test]
fn f05_f06_text_read_back_from_a_folder_is_checked_not_trusted() {
    let tmp = tempfile::tempdir().unwrap();
    // F05: a 70,000-character blocker name.
    let long = tmp.path().join("long");
    folder(&long);
    edit_summary(&long, |v| {
        v["office"]["blockers"] = serde_json::json!(["x".repeat(70_000)])
    });
    refused(tmp.path(), &long, "office.blockers");
    // F06: escape and bell characters in the status and a blocker.
    let esc = tmp.path().join("esc");
    folder(&esc);
    edit_summary(&esc, |v| {
        v["office"]["status"] = serde_json::json!("\u{1b}[2J\u{7}opened")
    });
    refused(tmp.path(), &esc, "office.status");
    edit_summary(&esc, |v| {
        v["office"]["status"] = serde_json::json!("opened");
        v["office"]["blockers"] = serde_json::json!(["\u{1b}]0;owned\u{7}"]);
    });
    refused(tmp.path(), &esc, "office.blockers");
}

#[test]
fn f04_folders_read_back_are_bounded_before_they_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    // Invented actors (a few, within the size bound): refused at the first, not allocated.
    let inv = tmp.path().join("invented");
    folder(&inv);
    let mut csv = std::fs::read_to_string(inv.join("timeseries.csv")).unwrap();
    for k in 0..50 {
        csv.push_str(&format!("0,10,ghost{k},stance,0.5\n"));
    }
    std::fs::write(inv.join("timeseries.csv"), csv).unwrap();
    refused(
        tmp.path(),
        &inv,
        "actor `ghost0` is not in the folder's scenario",
    );
    // A summary far larger than its scenario can hold is not read.
    let big = tmp.path().join("big");
    folder(&big);
    let mut text = std::fs::read_to_string(big.join("summary.json")).unwrap();
    text.push_str(&" ".repeat(4 << 20));
    std::fs::write(big.join("summary.json"), text).unwrap();
    refused(tmp.path(), &big, "larger than a summary of 9 actors can be");
    // A sparse 3 GB time series is refused by its size, before a byte is read.
    let sparse = tmp.path().join("sparse");
    folder(&sparse);
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(sparse.join("timeseries.csv"))
        .unwrap();
    f.set_len(3 << 30).unwrap();
    refused(tmp.path(), &sparse, "larger than the series of 9 actors");
    // A summary that is a device, not a file, is not read.
    let dev = tmp.path().join("dev");
    folder(&dev);
    std::fs::remove_file(dev.join("summary.json")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dev.join("summary.json")).unwrap();
    refused(tmp.path(), &dev, "is not a regular file");
}

#[test]
fn f03_calibrated_toml_always_validates() {
    let tmp = tempfile::tempdir().unwrap();
    let name = "n".repeat(60);
    let long = "s".repeat(3990);
    let text = format!(
        "[scenario]\nname = \"{name}\"\nextends = \"baseline\"\nsteps = 12\n\
         [[relation]]\nfrom = \"china\"\nto = \"japan\"\naffinity = -0.1\nsource = \"{long}\"\n\
         [issue]\nsource = \"{long}\"\n\
         [[observation]]\nmetric = \"office_status\"\nstat = \"max\"\nop = \">=\"\nvalue = 0\nsource = \"always\"\n\
         [sensitivity]\nranges = {{ \"relation.china.japan.affinity\" = [-0.3, 0.0], \"issue.threshold\" = [0.0, 0.2] }}\n"
    );
    let path = tmp.path().join("long.toml");
    std::fs::write(&path, text).unwrap();
    let out = tmp.path().join("cal");
    diplosim()
        .arg("calibrate")
        .arg(&path)
        .args([
            "--samples",
            "8",
            "--runs",
            "2",
            "--rounds",
            "0",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let cal = out.join("calibrated.toml");
    let written = std::fs::read_to_string(&cal).unwrap();
    assert!(
        written.contains("…[cut to fit]"),
        "the long sources were not cut"
    );
    diplosim().arg("validate").arg(&cal).assert().success();
    // And it runs as it is.
    diplosim()
        .arg("run")
        .arg(&cal)
        .args(["--no-charts", "--quiet", "--out"])
        .arg(tmp.path().join("again"))
        .assert()
        .success();
}

#[test]
fn f11_a_calibration_that_stops_early_says_what_ran() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("never.toml");
    std::fs::write(
        &path,
        "[scenario]\nextends = \"baseline\"\nsteps = 8\n\
         [[observation]]\nmetric = \"office_status\"\nstat = \"max\"\nop = \"<\"\nvalue = 0\nsource = \"impossible\"\n\
         [sensitivity]\nranges = { \"issue.threshold\" = [0.0, 0.2] }\n",
    )
    .unwrap();
    let out = tmp.path().join("cal");
    diplosim()
        .arg("calibrate")
        .arg(&path)
        .args([
            "--samples",
            "8",
            "--runs",
            "2",
            "--rounds",
            "2",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(v["simulations"], 16, "{v}");
    assert_eq!(v["rounds_run"], 0);
    assert_eq!(v["rounds"], 2);
}

#[test]
fn f08_a_range_key_is_a_set_key_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    for key in [
        "issue.threshold=0.99 #",
        "issue.threshold ",
        "model..rate",
        "Model.rate",
    ] {
        let path = tmp.path().join("s.toml");
        std::fs::write(
            &path,
            format!(
                "[scenario]\nextends = \"baseline\"\n[sensitivity]\nranges = {{ \"{key}\" = [0.0, 0.2] }}\n"
            ),
        )
        .unwrap();
        let a = diplosim().arg("validate").arg(&path).assert().code(2);
        let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        assert!(err.contains("is not a --set key"), "{key}: {err}");
    }
}

#[test]
fn f07_calibrate_and_sweep_check_their_destination_before_any_work() {
    // A folder that is not diplosim's: refused at once, with a workload that would take minutes
    // if it ran first.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("mine");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let cmds: [&[&str]; 3] = [
        &[
            "calibrate",
            "record_2023",
            "--samples",
            "20000",
            "--runs",
            "400",
        ],
        &[
            "sweep",
            "baseline",
            "--vary",
            "model.noise=0:0.1:1000",
            "--runs",
            "100000",
        ],
        &[
            "sweep",
            "baseline",
            "--method",
            "sobol",
            "--samples",
            "20000",
            "--runs",
            "1000",
        ],
    ];
    for cmd in cmds {
        let a = diplosim()
            .args(cmd)
            .args(["--force", "--quiet", "--out"])
            .arg(&out)
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        assert!(
            err.contains("does not hold a diplosim output"),
            "{cmd:?}: {err}"
        );
        assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
    }
}

#[test]
fn f13_merge_refuses_a_resealed_shard_that_contradicts_itself() {
    use diplosim::ensemble::shard::ShardState;
    let tmp = tempfile::tempdir().unwrap();
    let part = |k: u64| {
        let out = tmp.path().join(format!("s{k}"));
        diplosim()
            .args([
                "run",
                "baseline",
                "--runs",
                "20",
                "--steps",
                "12",
                "--no-charts",
                "--quiet",
            ])
            .args(["--shard", &format!("{k}/2"), "--out"])
            .arg(&out)
            .assert()
            .success();
        out
    };
    let (a, b) = (part(1), part(2));
    // The untouched shards merge.
    diplosim()
        .arg("merge")
        .arg(&a)
        .arg(&b)
        .args(["--no-charts", "--quiet", "--out"])
        .arg(tmp.path().join("ok"))
        .assert()
        .success();
    // Office open at week 3 in a run that never opened, with the checksum recomputed.
    let p = a.join("shard.json");
    let mut st: ShardState = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    assert_eq!(
        st.aggregate.opened_by_step[3], 0,
        "the baseline has not opened by week 3"
    );
    st.aggregate.opened_at[3] = 1;
    std::fs::write(&p, serde_json::to_string(&st.sealed()).unwrap()).unwrap();
    let out = tmp.path().join("forged");
    let r = diplosim()
        .arg("merge")
        .arg(&a)
        .arg(&b)
        .args(["--no-charts", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&r.get_output().stderr).to_string();
    assert!(err.contains("not counted as open"), "{err}");
    assert!(!out.exists());
}

#[test]
fn f13_every_shipped_scenario_s_ensemble_passes_the_consistency_check() {
    // The invariants merge now checks are true of real ensembles: every named scenario and
    // every backtest case, 24 runs each.
    use diplosim::engine::Compiled;
    let lib = crate::util::library();
    let root = crate::util::root();
    let mut files: Vec<_> = ["scenarios", "cases"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).unwrap())
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 16);
    let cancel = std::sync::atomic::AtomicBool::new(false);
    for f in files {
        let sc = lib.load_path(&f, &[]).unwrap();
        let c = Compiled::new(&sc);
        let agg = diplosim::ensemble::run_range_checked(
            &diplosim::ensemble::Models::One(&c),
            &sc.observations,
            5,
            0..24,
            false,
            &cancel,
            &|_| {},
            &mut |_, _| {},
        )
        .unwrap();
        agg.check(
            sc.actors.len(),
            sc.steps,
            c.ma_window(),
            sc.observations.len(),
            24,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
    }
}

#[test]
fn f12_refinement_work_is_bounded_before_it_starts() {
    let tmp = tempfile::tempdir().unwrap();
    let a = diplosim()
        .args([
            "calibrate",
            "record_2023",
            "--samples",
            "100000",
            "--rounds",
            "20",
            "--runs",
            "1",
        ])
        .args(["--quiet", "--out"])
        .arg(tmp.path().join("cal"))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("samples² × rounds"), "{err}");
    assert!(!tmp.path().join("cal").exists());
}

#[test]
fn a_vary_value_beyond_the_integer_range_is_refused_not_clamped() {
    let tmp = tempfile::tempdir().unwrap();
    let a = diplosim()
        .args([
            "sweep",
            "baseline",
            "--vary",
            "scenario.seed=0:9.3e18:2",
            "--runs",
            "2",
        ])
        .args(["--steps", "5", "--no-charts", "--quiet", "--out"])
        .arg(tmp.path().join("s"))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("9300000000000000000"), "{err}");
}

#[test]
fn a_comparison_beyond_the_memory_budget_is_refused_before_it_runs() {
    // Every scenario's per-run records (stances at every step) are kept for pairing: bounded.
    let tmp = tempfile::tempdir().unwrap();
    let a = diplosim()
        .args([
            "compare", "nac", "baseline", "--runs", "1000000", "--steps", "10000", "--quiet",
            "--out",
        ])
        .arg(tmp.path().join("c"))
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("the budget is"));
    assert!(!tmp.path().join("c").exists());
}
