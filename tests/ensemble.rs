//! Ensembles: identical bytes across thread counts and shard splits, quantiles that agree with
//! exact ones computed from the individual runs, outcome probabilities that add up.

use crate::util::{diplosim, library, root};
use diplosim::engine::{simulate, Compiled};
use diplosim::output::record::Recording;
use std::path::Path;

fn same_files(a: &Path, b: &Path) {
    let mut names: Vec<String> = std::fs::read_dir(a)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut other: Vec<String> = std::fs::read_dir(b)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    other.sort();
    assert_eq!(
        names,
        other,
        "{} and {} hold different files",
        a.display(),
        b.display()
    );
    for n in names {
        let x = std::fs::read(a.join(&n)).unwrap();
        let y = std::fs::read(b.join(&n)).unwrap();
        if n == "manifest.json" {
            // The manifest records how the files were made (time, threads, shard): only those differ.
            let strip = |v: Vec<u8>| {
                String::from_utf8(v)
                    .unwrap()
                    .lines()
                    .filter(|l| !l.contains("\"created\"") && !l.contains("\"threads\""))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            assert_eq!(strip(x), strip(y));
        } else {
            assert!(
                x == y,
                "{n} differs between {} and {}",
                a.display(),
                b.display()
            );
        }
    }
}

#[test]
fn thread_counts_give_identical_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    for t in ["1", "2", "3"] {
        diplosim()
            .args([
                "run",
                "taiwan_crisis",
                "--runs",
                "300",
                "--steps",
                "40",
                "--quiet",
                "--threads",
                t,
                "--out",
            ])
            .arg(tmp.path().join(t))
            .assert()
            .success();
    }
    same_files(&tmp.path().join("1"), &tmp.path().join("2"));
    same_files(&tmp.path().join("1"), &tmp.path().join("3"));
    for f in [
        "ensemble.csv",
        "event_counts.csv",
        "events.csv",
        "summary.json",
        "stance.png",
        "office.svg",
    ] {
        assert!(tmp.path().join("1").join(f).is_file(), "{f}");
    }
}

#[test]
fn merged_shards_equal_one_machine_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    diplosim()
        .args([
            "run",
            "ally_relents",
            "--runs",
            "101",
            "--steps",
            "50",
            "--seed",
            "5",
            "--quiet",
            "--events",
            "all",
            "--out",
        ])
        .arg(&whole)
        .assert()
        .success();
    let mut shard_dirs = Vec::new();
    for k in [3, 1, 2] {
        let d = tmp.path().join(format!("s{k}"));
        diplosim()
            .args([
                "run",
                "ally_relents",
                "--runs",
                "101",
                "--steps",
                "50",
                "--seed",
                "5",
                "--quiet",
                "--events",
                "all",
            ])
            .args(["--shard", &format!("{k}/3"), "--threads", "1", "--out"])
            .arg(&d)
            .assert()
            .success();
        shard_dirs.push(d);
    }
    let merged = tmp.path().join("merged");
    diplosim()
        .arg("merge")
        .args(&shard_dirs)
        .arg("--quiet")
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    same_files(&whole, &merged);
    // --events all: every run's events, in run order.
    let ev = std::fs::read_to_string(whole.join("events.csv")).unwrap();
    let runs: Vec<u64> = ev
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert!(
        runs.windows(2).all(|w| w[0] <= w[1])
            && runs.first() == Some(&0)
            && runs.last() == Some(&100)
    );
}

#[test]
fn merge_refuses_shards_of_different_seeds_and_missing_shards() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, seed, k) in [("a", "1", "1"), ("b", "2", "2"), ("c", "1", "2")] {
        diplosim()
            .args([
                "run",
                "baseline",
                "--runs",
                "10",
                "--steps",
                "5",
                "--quiet",
                "--seed",
                seed,
                "--shard",
                &format!("{k}/2"),
                "--out",
            ])
            .arg(tmp.path().join(name))
            .assert()
            .success();
    }
    diplosim()
        .arg("merge")
        .arg(tmp.path().join("a"))
        .arg(tmp.path().join("b"))
        .args(["--out"])
        .arg(tmp.path().join("m"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("seed 2 (first shard: 1)"));
    diplosim()
        .arg("merge")
        .arg(tmp.path().join("a"))
        .args(["--out"])
        .arg(tmp.path().join("m"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("missing shard(s) 2/2"));
    assert!(!tmp.path().join("m").exists());
    diplosim()
        .arg("merge")
        .arg(tmp.path().join("c"))
        .arg(tmp.path().join("a"))
        .arg("--quiet")
        .arg("--out")
        .arg(tmp.path().join("m"))
        .assert()
        .success();
}

/// Parse ensemble.csv into (step, actor, metric) → [mean, sd, p05, p25, p50, p75, p95].
fn read_ensemble(p: &Path) -> std::collections::HashMap<(usize, String, String), Vec<f64>> {
    let text = std::fs::read_to_string(p).unwrap();
    let mut m = std::collections::HashMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let v: Vec<f64> = f[3..].iter().map(|x| x.parse().unwrap()).collect();
        m.insert(
            (f[0].parse().unwrap(), f[1].to_string(), f[2].to_string()),
            v,
        );
    }
    m
}

#[test]
fn ensemble_statistics_match_exact_values_from_the_individual_runs() {
    let runs = 57u64;
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("e");
    diplosim()
        .args([
            "run",
            "korean_tension",
            "--runs",
            &runs.to_string(),
            "--steps",
            "30",
            "--seed",
            "11",
            "--quiet",
            "--no-charts",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let ens = read_ensemble(&out.join("ensemble.csv"));
    // Re-run each run r from (seed, r) alone and keep every value.
    let sc = library()
        .load(
            "korean_tension",
            &["scenario.steps=30".into(), "scenario.seed=11".into()],
        )
        .unwrap();
    let c = Compiled::new(&sc);
    let recs: Vec<Recording> = (0..runs)
        .map(|r| {
            let mut rec = Recording::new(sc.actors.len(), sc.steps);
            simulate(&c, 11, r, &mut rec);
            rec
        })
        .collect();
    let mut checked = 0;
    for t in [0usize, 1, 15, 16, 30] {
        for (i, a) in sc.actors.iter().enumerate() {
            for (m, name) in ["stance", "posture", "tone_sent", "tone_received"]
                .iter()
                .enumerate()
            {
                let mut xs: Vec<f64> = recs.iter().map(|r| r.actor[m][t * r.n + i]).collect();
                let got = &ens[&(t, a.id.clone(), name.to_string())];
                let mean = xs.iter().sum::<f64>() / xs.len() as f64;
                let sd = (xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>()
                    / (xs.len() - 1) as f64)
                    .sqrt();
                assert!(
                    (got[0] - mean).abs() <= 1e-8 * mean.abs().max(1.0),
                    "{t} {} {name} mean {} vs {mean}",
                    a.id,
                    got[0]
                );
                assert!(
                    (got[1] - sd).abs() <= 1e-6 * sd.max(1.0),
                    "{t} {} {name} sd {} vs {sd}",
                    a.id,
                    got[1]
                );
                xs.sort_by(f64::total_cmp);
                for (k, q) in [0.05, 0.25, 0.5, 0.75, 0.95].iter().enumerate() {
                    let exact = xs[(q * (xs.len() - 1) as f64).floor() as usize];
                    let est = got[2 + k];
                    assert!(
                        (est - exact).abs() <= exact.abs() / 128.0 + 1e-9,
                        "{t} {} {name} q{q}: sketch {est} vs exact {exact}",
                        a.id
                    );
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 5 * 9 * 4);
    // The region's exact metrics: the cooperation index (tenths) and its moving average (a
    // window's sum of tenths, over 1 to 4 steps) give the runs' order statistics themselves,
    // up to the float noise of the engine's sums (< 1e-12).
    for (m, name) in [(6usize, "cooperation"), (7, "cooperation_ma")] {
        assert_eq!(diplosim::model::Metric::ALL[m].name(), name);
        let r = m - diplosim::model::Metric::PER_ACTOR;
        for t in [1usize, 2, 3, 4, 5, 17, 30] {
            let mut xs: Vec<f64> = recs.iter().map(|rec| rec.region[r][t]).collect();
            xs.sort_by(f64::total_cmp);
            let got = &ens[&(t, "*".to_string(), name.to_string())];
            for (k, q) in [0.05, 0.25, 0.5, 0.75, 0.95].iter().enumerate() {
                let exact = xs[(q * (xs.len() - 1) as f64).floor() as usize];
                assert!(
                    (got[2 + k] - exact).abs() < 1e-12,
                    "{t} {name} q{q}: {} vs {exact}",
                    got[2 + k]
                );
            }
            let mean = xs.iter().sum::<f64>() / xs.len() as f64;
            assert!((got[0] - mean).abs() < 1e-12, "{t} {name} mean");
        }
    }
    // Outcome probabilities from the runs themselves.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    // `p_any` counts coercive events the model drew: the scenario's injected ones happen in
    // every run and are not counted.
    let injected = sc.injected_coercive();
    let hostile_runs = recs
        .iter()
        .filter(|r| r.events.iter().filter(|e| e.goldstein() <= -7.0).count() > injected)
        .count();
    assert_eq!(
        summary["hostile"]["p_any"].as_f64().unwrap(),
        diplosim::output::round_sig(hostile_runs as f64 / runs as f64, 6)
    );
    assert_eq!(summary["hostile"]["injected_per_run"], injected);
    assert_eq!(summary["runs"], runs);
    // korean_tension injects a show of force at week 15 in every run: counted apart.
    assert!(injected >= 1);
    assert_eq!(summary["hostile"]["p_any_including_injected"], 1.0);
    assert_eq!(summary["hostile"]["by_actor"]["north_korea"]["runs"], runs);
    // The office: counts by final status add up to the runs; p_opened lies in its interval.
    let office = &summary["office"];
    let total: u64 = office["status_counts"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(total, runs);
    let opened_runs = recs
        .iter()
        .filter(|r| *r.status().last().unwrap() == diplosim::model::Status::Opened)
        .count();
    let p = office["p_opened"].as_f64().unwrap();
    assert_eq!(p, opened_runs as f64 / runs as f64);
    let ci = office["p_opened_ci95"].as_array().unwrap();
    assert!(ci[0].as_f64().unwrap() <= p && p <= ci[1].as_f64().unwrap());
}

#[test]
fn ctrl_c_stops_an_ensemble_and_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("big");
    let bin = assert_cmd::cargo::cargo_bin("diplosim");
    let mut child = std::process::Command::new(bin)
        .current_dir(root())
        .args([
            "run",
            "baseline",
            "--runs",
            "5000000",
            "--quiet",
            "--no-charts",
            "--out",
        ])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(!out.exists(), "no output folder after Ctrl-C");
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "no partial folder either"
    );
}

#[test]
fn claims_cover_every_run_once_and_report_it() {
    // Threads claim up to CLAIM runs at a time: on 2 and 3 threads, an odd range whose claims
    // run past its end must still run each run once (the aggregate counts them) and report each
    // to the progress once, in reports of at most CLAIM.
    use diplosim::ensemble::{run_range, CLAIM};
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    let sc = library()
        .load("baseline", &["scenario.steps=3".into()])
        .unwrap();
    let c = Compiled::new(&sc);
    let cancel = AtomicBool::new(false);
    for threads in [2, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let (reported, largest) = (AtomicU64::new(0), AtomicU64::new(0));
        let on_runs = |k: u64| {
            reported.fetch_add(k, Ordering::Relaxed);
            largest.fetch_max(k, Ordering::Relaxed);
        };
        let agg = pool
            .install(|| {
                run_range(
                    &c,
                    9,
                    5_000..7_013,
                    false,
                    &cancel,
                    &on_runs,
                    &mut |_, _| {},
                )
            })
            .unwrap();
        assert_eq!(agg.runs, 2_013);
        assert_eq!(reported.load(Ordering::Relaxed), 2_013);
        let most = largest.load(Ordering::Relaxed);
        assert!((2..=CLAIM).contains(&most), "{most}");
    }
}
