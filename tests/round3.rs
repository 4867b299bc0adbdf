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
