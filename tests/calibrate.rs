//! Observations in ensembles and `calibrate`: P(holds) exact across threads and shards,
//! calibrate byte-identical across threads, and recovery of known parameters from synthetic
//! observations (90% intervals cover the truth about 90% of the time, and are narrower where
//! the observations are informative).

use crate::util::diplosim;
use diplosim::calibrate::{calibrate, priors_of, Settings};
use diplosim::engine::{simulate, Compiled, Nothing};
use diplosim::scenario::Library;
use diplosim::sweep::{Control, PointLoader};
use rand::{RngExt, SeedableRng};
use std::path::Path;

/// A tiny world: a's stance is pulled toward b's; b's posture matters to nothing a can see.
fn tiny(a_stance: f64, b_posture: f64, obs: &str) -> String {
    format!(
        r#"
[scenario]
name = "tiny"
title = "tiny"
description = "two actors, for calibration tests"
steps = 8
[model]
noise = 0.05
rate = 0.0
[issue]
body = "club"
host = "b"
[[actor]]
id = "a"
name = "A"
capability = 0.5
stance = {a_stance}
salience = 0.5
stubbornness = 0.6
member_of = ["club"]
source = "assumption: test"
[[actor]]
id = "b"
name = "B"
capability = 0.5
stance = 0.2
salience = 0.5
posture = {b_posture}
source = "assumption: test"
[[relation]]
from = "a"
to = "b"
affinity = 0.5
source = "assumption: test"
[[relation]]
from = "b"
to = "a"
affinity = 0.5
source = "assumption: test"
{obs}
[sensitivity.ranges]
"actor.a.stance" = [-1.0, 1.0]
"actor.b.posture" = [0.0, 1.0]
"#
    )
}

fn observation(lo: f64, hi: f64) -> String {
    format!(
        "[[observation]]\nmetric = \"stance\"\nactor = \"a\"\nsteps = [8, 8]\nstat = \"at\"\nop = \"between\"\nvalue = [{lo}, {hi}]\nsource = \"synthetic\"\n"
    )
}

#[test]
fn calibration_recovers_known_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::new(dir.path());
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2024);
    let (mut covered, mut checks) = (0, 0);
    let mut width = [0.0; 2];
    let truths = 24;
    for i in 0..truths {
        let truth = [rng.random::<f64>() * 2.0 - 1.0, rng.random::<f64>()];
        // The observation: the truth's own run (a seed calibration never uses), ± 0.08.
        let path = dir.path().join("tiny.toml");
        std::fs::write(&path, tiny(truth[0], truth[1], "")).unwrap();
        let sc = lib.load_path(&path, &[]).unwrap();
        let out = simulate(&Compiled::new(&sc), 10_000 + i, 0, &mut Nothing);
        let y = out.final_stance[0];
        std::fs::write(&path, tiny(0.0, 0.5, &observation(y - 0.08, y + 0.08))).unwrap();
        let loader = PointLoader::new(&lib, path.to_str().unwrap(), vec![]).unwrap();
        let base = loader.base().unwrap();
        let priors = priors_of(&base.sensitivity.ranges);
        let s = Settings {
            samples: 128,
            runs: 6,
            rounds: 1,
            seed: 1,
        };
        let cal = calibrate(&loader, &priors, &base.observations, s, &Control::none()).unwrap();
        let post = cal.posterior.expect("the truth's own observation can hold");
        for (d, p) in post.params.iter().enumerate() {
            checks += 1;
            covered += (p.p05 <= truth[d] && truth[d] <= p.p95) as usize;
            width[d] += (p.p95 - p.p05) / (p.prior[1] - p.prior[0]) / truths as f64;
        }
    }
    let rate = covered as f64 / checks as f64;
    eprintln!(
        "90% intervals cover the truth in {covered}/{checks}; mean relative widths {width:?}"
    );
    assert!(
        (0.80..=0.98).contains(&rate),
        "coverage {rate} ({covered}/{checks})"
    );
    // a's stance is observed (informative); b's posture changes nothing a shows.
    assert!(width[0] < 0.5 * width[1], "relative widths {width:?}");
}

fn write_tiny(dir: &Path) -> std::path::PathBuf {
    let p = dir.join("tiny.toml");
    std::fs::write(&p, tiny(0.3, 0.5, &observation(0.0, 0.35))).unwrap();
    p
}

#[test]
fn calibrate_gives_the_same_bytes_on_any_number_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    let p = write_tiny(dir.path());
    for t in ["1", "2"] {
        diplosim()
            .args([
                "calibrate",
                p.to_str().unwrap(),
                "--samples",
                "32",
                "--runs",
                "4",
            ])
            .args(["--rounds", "2", "--quiet", "--threads", t, "--out"])
            .arg(dir.path().join(format!("t{t}")))
            .assert()
            .success();
    }
    for f in [
        "posterior.csv",
        "summary.json",
        "calibrated.toml",
        "posterior.svg",
        "pairwise.svg",
        "report.html",
    ] {
        let a = std::fs::read(dir.path().join("t1").join(f)).unwrap();
        let b = std::fs::read(dir.path().join("t2").join(f)).unwrap();
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
    // The report leads with the answer and lists every observation with its source.
    let html = std::fs::read_to_string(dir.path().join("t1/report.html")).unwrap();
    assert!(html.contains("All observations hold in") && html.contains("Each assumption"));
    assert!(html.contains("Observations and how well the model follows them"));
    // calibrated.toml runs as it is.
    diplosim()
        .args(["run", "--quiet", "--no-charts", "--out"])
        .arg(dir.path().join("run"))
        .arg(dir.path().join("t1/calibrated.toml"))
        .assert()
        .success();
    posterior_forecasts_are_deterministic_and_reproduce_from_the_manifest(dir.path(), &p);
}

/// `run --posterior DIR` (issue 27): each run draws its parameters from the posterior by (seed,
/// run), so the outputs are the same bytes on 1 and 2 threads, and the manifest's command makes
/// them again; the folder says what the forecast includes.
fn posterior_forecasts_are_deterministic_and_reproduce_from_the_manifest(dir: &Path, tiny: &Path) {
    let cal = dir.join("t1");
    let run = |t: &str, out: &str| {
        diplosim()
            .args(["run", tiny.to_str().unwrap(), "--runs", "60", "--posterior"])
            .arg(&cal)
            .args(["--quiet", "--no-charts", "--threads", t, "--out"])
            .arg(dir.join(out))
            .assert()
            .success();
    };
    run("1", "p1");
    run("2", "p2");
    for f in [
        "summary.json",
        "ensemble.csv",
        "posterior_forecast.json",
        "report.html",
    ] {
        let a = std::fs::read(dir.join("p1").join(f)).unwrap();
        let b = std::fs::read(dir.join("p2").join(f)).unwrap();
        assert!(
            a == b,
            "{f} differs between 1 and 2 threads with --posterior"
        );
    }
    // Each run starts from its own point's initial state, so step 0 is a distribution like the
    // later steps (0.6.0 kept the first run's state, whichever thread ran it first): a's stance
    // is drawn over [−1, 1] by the calibration, b's is not calibrated and stays 0.2 exactly.
    let csv = std::fs::read_to_string(dir.join("p1/ensemble.csv")).unwrap();
    let row = |who: &str| -> Vec<f64> {
        let line = csv
            .lines()
            .find(|l| l.starts_with(&format!("0,{who},stance,")))
            .unwrap();
        line.split(',')
            .skip(3)
            .map(|x| x.parse().unwrap())
            .collect()
    };
    let a = row("a");
    assert!(
        a[1] > 0.05 && a[2] < a[6] && a[2] >= -1.0 && a[6] <= 1.0,
        "{a:?}"
    );
    assert!(a[2] <= a[0] && a[0] <= a[6], "{a:?}");
    assert_eq!(row("b"), vec![0.2, 0.0, 0.2, 0.2, 0.2, 0.2, 0.2]);
    let man: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("p1/manifest.json")).unwrap()).unwrap();
    assert!(man["posterior"]["hash"]
        .as_str()
        .unwrap()
        .starts_with("fnv1a64:"));
    let cmd = man["command"].as_str().unwrap();
    assert!(cmd.contains("--posterior"), "{cmd}");
    let mut words: Vec<String> = cmd.split(' ').skip(1).map(String::from).collect();
    words.extend(["--quiet", "--no-charts", "--out"].map(String::from));
    words.push(dir.join("p3").display().to_string());
    diplosim().args(&words).assert().success();
    assert_eq!(
        std::fs::read(dir.join("p1/summary.json")).unwrap(),
        std::fs::read(dir.join("p3/summary.json")).unwrap(),
        "the manifest's command reproduces the forecast"
    );
    let f: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("p1/posterior_forecast.json")).unwrap())
            .unwrap();
    for k in ["with_uncertainty", "at_medians"] {
        let p = f[k]["p_opened"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p), "{k}: {p}");
    }
    let html = std::fs::read_to_string(dir.join("p1/report.html")).unwrap();
    assert!(html.contains("Parameter uncertainty included") && html.contains("posterior medians"));
    // compare: run r of each scenario draws the same point; the same bytes on 1 and 2 threads.
    for t in ["1", "2"] {
        diplosim()
            .args([
                "compare",
                tiny.to_str().unwrap(),
                tiny.to_str().unwrap(),
                "--runs",
                "40",
                "--posterior",
            ])
            .arg(&cal)
            .args(["--quiet", "--no-charts", "--threads", t, "--out"])
            .arg(dir.join(format!("c{t}")))
            .assert()
            .success();
    }
    for f in [
        "differences.csv",
        "differences_at_medians.csv",
        "comparison.csv",
        "report.html",
    ] {
        let a = std::fs::read(dir.join("c1").join(f)).unwrap();
        let b = std::fs::read(dir.join("c2").join(f)).unwrap();
        assert!(
            a == b,
            "compare {f} differs between 1 and 2 threads with --posterior"
        );
    }
    // A scenario against itself under the same draws: every paired difference is exactly 0.
    let diffs = std::fs::read_to_string(dir.join("c1/differences.csv")).unwrap();
    assert!(
        diffs.contains("within noise") && !diffs.contains("differs"),
        "{diffs}"
    );
    let at = std::fs::read_to_string(dir.join("c1/differences_at_medians.csv")).unwrap();
    assert!(
        at.contains("within noise") && !at.contains("differs"),
        "{at}"
    );
    let html = std::fs::read_to_string(dir.join("c1/report.html")).unwrap();
    assert!(html.contains("Parameter uncertainty included"));
    // Beside it, the same runs at the posterior medians: against itself, 0 materially either way.
    assert!(
        html.contains("At the posterior medians alone")
            && html.contains("0 outcomes differ materially against 0")
            && html.contains("Parameter uncertainty changes no verdict"),
        "the medians' comparison is in the headline"
    );
    // A single run, and a folder without a posterior, are refused with exit 2.
    diplosim()
        .args(["run", tiny.to_str().unwrap(), "--posterior"])
        .arg(&cal)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--runs 2 or more"));
    diplosim()
        .args(["run", tiny.to_str().unwrap(), "--runs", "10", "--posterior"])
        .arg(dir)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("posterior.csv"));
}

#[test]
fn calibrate_says_plainly_when_no_point_reproduces_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("never.toml");
    std::fs::write(&p, tiny(0.3, 0.5, &observation(5.0, 6.0))).unwrap();
    diplosim()
        .args([
            "calibrate",
            p.to_str().unwrap(),
            "--samples",
            "16",
            "--runs",
            "2",
        ])
        .args(["--rounds", "1", "--no-charts", "--out"])
        .arg(dir.path().join("out"))
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "NO point made every observation hold",
        ))
        .stdout(predicates::str::contains("closest points"));
    assert!(!dir.path().join("out/calibrated.toml").exists());
}

fn summary_observations(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("summary.json")).unwrap();
    serde_json::from_str::<serde_json::Value>(&text).unwrap()["observations"].clone()
}

#[test]
fn p_holds_is_exact_across_threads_and_shards() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = ["--runs", "30", "--steps", "12", "--quiet", "--no-charts"];
    let run = |extra: &[&str], out: &str| {
        diplosim()
            .args(["run", "record_2023"])
            .args(args)
            .args(extra)
            .arg("--out")
            .arg(d.join(out))
            .assert()
            .success();
    };
    run(&["--threads", "1"], "one");
    run(&["--threads", "2"], "two");
    run(&["--shard", "1/2"], "s1");
    run(&["--shard", "2/2"], "s2");
    diplosim()
        .args(["merge", "--quiet", "--no-charts", "--out"])
        .arg(d.join("merged"))
        .arg(d.join("s1"))
        .arg(d.join("s2"))
        .assert()
        .success();
    let one = summary_observations(&d.join("one"));
    assert!(one["p_all"]["runs"] == 30, "{one}");
    assert_eq!(one, summary_observations(&d.join("two")));
    assert_eq!(one, summary_observations(&d.join("merged")));
}
