//! Sweeps from the command line: a grid whose breakpoint is known from the stances, identical
//! bytes with any thread count, sensitivity indices that rank the parameter that matters first.

use crate::util::diplosim;
use std::path::Path;

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn a_threshold_grid_flips_where_the_members_stances_lie() {
    // Members are nato (≈ +0.67) and the united_states (≈ +0.60 at week 6): a threshold of 0.5
    // approves, 0.7 blocks, so P(opened) goes from 1 to 0 between them.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("g");
    diplosim()
        .args([
            "sweep",
            "baseline",
            "--vary",
            "issue.threshold=0.5:0.7:2",
            "--runs",
            "30",
            "--steps",
            "60",
            "--quiet",
            "--no-charts",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let csv = read(&out.join("sweep.csv"));
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    assert!(csv.starts_with("issue.threshold,runs,p_opened,p_opened_lo,p_opened_hi,p_hostile,"));
    assert_eq!(rows.len(), 2);
    assert_eq!((rows[0][0], rows[0][1], rows[0][2]), ("0.5", "30", "1"));
    assert_eq!((rows[1][0], rows[1][2]), ("0.7", "0"));
    // Wilson bounds at 30 of 30: [0.8865, 1].
    let lo: f64 = rows[0][3].parse().unwrap();
    assert!((lo - 0.8865).abs() < 1e-4, "{lo}");
}

#[test]
fn sweeps_are_identical_with_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    for t in ["1", "2"] {
        diplosim()
            .args([
                "sweep",
                "ally_objects",
                "--vary",
                "actor.france.stubbornness=0.3:0.9:3",
                "--vary",
                "model.noise=0:0.1:2",
            ])
            .args([
                "--runs",
                "20",
                "--steps",
                "40",
                "--quiet",
                "--threads",
                t,
                "--out",
            ])
            .arg(tmp.path().join(format!("g{t}")))
            .assert()
            .success();
        diplosim()
            .args([
                "sweep",
                "baseline",
                "--method",
                "sobol",
                "--samples",
                "16",
                "--runs",
                "4",
                "--steps",
                "30",
                "--quiet",
                "--threads",
                t,
                "--out",
            ])
            .arg(tmp.path().join(format!("s{t}")))
            .assert()
            .success();
    }
    for f in ["sweep.csv", "sweep.png", "sweep.svg"] {
        assert!(
            std::fs::read(tmp.path().join("g1").join(f)).unwrap()
                == std::fs::read(tmp.path().join("g2").join(f)).unwrap(),
            "{f}"
        );
    }
    for f in [
        "sensitivity.csv",
        "tornado_p_opened.png",
        "tornado_stance_china.svg",
    ] {
        assert!(
            std::fs::read(tmp.path().join("s1").join(f)).unwrap()
                == std::fs::read(tmp.path().join("s2").join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn morris_ranks_the_vote_threshold_and_the_us_stance_first_for_the_office() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("m");
    diplosim()
        // All 104 weeks: with fewer, a long setup would keep an approved office from opening.
        .args([
            "sweep",
            "baseline",
            "--method",
            "morris",
            "--samples",
            "80",
            "--runs",
            "4",
            "--quiet",
            "--no-charts",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    // The folder says how it was made and what every design point gave.
    let manifest = read(&out.join("manifest.json"));
    assert!(manifest.contains("\"command\": \"diplosim sweep baseline --method morris"));
    let points = read(&out.join("points.csv"));
    assert!(points.starts_with("actor.china.stubbornness,"), "{points}");
    assert!(points.lines().count() > 10);
    let csv = read(&out.join("sensitivity.csv"));
    let mut rows: Vec<(String, f64)> = csv
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("p_opened,"))
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1].to_string(), f[4].parse().unwrap())
        })
        .collect();
    assert_eq!(rows.len(), 7);
    rows.sort_by(|a, b| b.1.total_cmp(&a.1));
    let top: Vec<&str> = rows.iter().take(2).map(|r| r.0.as_str()).collect();
    assert!(
        top.contains(&"issue.threshold") && top.contains(&"actor.united_states.stance"),
        "{rows:?}"
    );
    // China's stubbornness cannot change a vote that China does not take part in.
    let mu = |k: &str| rows.iter().find(|r| r.0 == k).unwrap().1;
    assert_eq!(mu("actor.china.stubbornness"), 0.0);
    // The setup time matters only when an approval comes late (a high threshold with a lukewarm
    // US, whose stance now also moves under rule 7): far less than the two that decide the vote.
    assert!(mu("issue.setup_steps") < 0.5 * rows[1].1, "{rows:?}");
}

#[test]
fn bad_sweep_input_is_refused() {
    diplosim()
        .args(["sweep", "baseline"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--vary"));
    diplosim()
        .args(["sweep", "baseline", "--vary", "model.noise=0:1"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("KEY=FROM:TO:COUNT"));
    diplosim()
        .args([
            "sweep",
            "baseline",
            "--vary",
            "model.noise=0:2:3",
            "--no-charts",
            "--quiet",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("noise must be in [0, 1], got 2"));
    diplosim()
        .args([
            "sweep",
            "ally_objects",
            "--method",
            "sobol",
            "--param",
            "actor.chian.stance=0:1",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("did you mean `china`?"));
}
