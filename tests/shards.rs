//! `merge` verifies, never trusts: shard files with edited counts, huge offsets, impossible run
//! counts or wrong shapes are refused with a clear message and exit code 2, never a panic or an
//! allocation sized by the file's numbers.

use crate::util::diplosim;
use diplosim::ensemble::shard::ShardState;
use serde_json::{json, Value};
use std::path::Path;

/// Write shard `k` of 2 (6 runs × 5 steps of the baseline) into `dir`.
fn shard(dir: &Path, k: u32) {
    diplosim()
        .args([
            "run",
            "baseline",
            "--runs",
            "6",
            "--steps",
            "5",
            "--quiet",
            "--no-charts",
        ])
        .args(["--shard", &format!("{k}/2"), "--out"])
        .arg(dir)
        .assert()
        .success();
}

/// Edit shard.json of `dir` as JSON; with `reseal`, write a checksum that fits the edit (so the
/// check behind the checksum is what must refuse it).
fn edit(dir: &Path, reseal: bool, f: impl FnOnce(&mut Value)) {
    let p = dir.join("shard.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    f(&mut v);
    let text = if reseal {
        match serde_json::from_value::<ShardState>(v.clone()) {
            Ok(s) => serde_json::to_string(&s.sealed()).unwrap(),
            Err(_) => v.to_string(), // refused when parsed, checksum or not
        }
    } else {
        v.to_string()
    };
    std::fs::write(p, text).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn merge_refuses_corrupted_shards_with_exit_2_and_no_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let (one, two) = (tmp.path().join("s1"), tmp.path().join("s2"));
    shard(&one, 1);
    shard(&two, 2);
    type Edit = Box<dyn FnOnce(&mut Value)>;
    let cases: Vec<(&str, bool, Edit, &str)> = vec![
        (
            "edited count",
            false,
            Box::new(|v| v["aggregate"]["events"] = json!(7)),
            "checksum",
        ),
        (
            "aggregate.n",
            true,
            Box::new(|v| v["aggregate"]["n"] = json!(40)),
            "actors",
        ),
        (
            "aggregate.n small",
            true,
            Box::new(|v| v["aggregate"]["n"] = json!(1)),
            "actors",
        ),
        (
            "shard 1e12",
            true,
            Box::new(|v| v["shard"] = json!([2, 1e12])),
            "shard",
        ),
        (
            "shard count",
            true,
            Box::new(|v| v["shard"] = json!([1, 1_000_000_000_000u64])),
            "shard 1/",
        ),
        (
            "runs max",
            true,
            Box::new(|v| v["runs"] = json!(u64::MAX)),
            "runs",
        ),
        (
            "aggregate runs max",
            true,
            Box::new(|v| v["aggregate"]["runs"] = json!(u64::MAX)),
            "runs",
        ),
        (
            "huge offset",
            true,
            Box::new(|v| v["aggregate"]["metrics"][0]["off"][0] = json!(i64::MAX)),
            "out of range",
        ),
        (
            // A tone key far from the other shard's: each shard is fine, their merge is not.
            "far keys",
            true,
            Box::new(|v| v["aggregate"]["metrics"][2]["off"][0] = json!(1_000_000_000)),
            "histograms together would need",
        ),
        (
            "cell count",
            true,
            Box::new(|v| v["aggregate"]["metrics"][2]["counts"][0] = json!(99)),
            "values, expected",
        ),
        (
            "short vector",
            true,
            Box::new(|v| v["aggregate"]["event_counts"] = json!([1, 2])),
            "event_counts",
        ),
        (
            "status sum",
            true,
            Box::new(|v| v["aggregate"]["status_at_end"] = json!([9, 0, 0, 0])),
            "status_at_end",
        ),
        (
            "lengths",
            true,
            Box::new(|v| v["aggregate"]["metrics"][1]["len"] = json!([4000000000u32])),
            "lengths",
        ),
        (
            "steps",
            true,
            Box::new(|v| v["steps"] = json!(999999)),
            "steps",
        ),
    ];
    for (what, reseal, f, says) in cases {
        let bad = tmp.path().join(what.replace(' ', "_"));
        copy_dir(&one, &bad);
        edit(&bad, reseal, f);
        let out = diplosim()
            .arg("merge")
            .arg(&bad)
            .arg(&two)
            .arg("--out")
            .arg(tmp.path().join("m"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        assert!(!err.contains("panicked"), "{what}: {err}");
        assert!(err.contains(says), "{what}: expected '{says}' in: {err}");
    }
    assert!(!tmp.path().join("m").exists());
    diplosim()
        .arg("merge")
        .arg(&one)
        .arg(&two)
        .arg("--out")
        .arg(tmp.path().join("m"))
        .assert()
        .success();
}
