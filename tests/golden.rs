//! Golden checksums: every output file (but the manifest, which holds the created time, and the
//! charts, which `tests/charts.rs` checks) of every shipped scenario, a single run of seed 1 and a
//! 100-run ensemble, against `tests/golden/checksums.txt`. Any change to the random stream, a rule
//! or a writer shows up here; when it is deliberate, rewrite the file with `DIPLOSIM_BLESS=1 cargo
//! test golden` and say why in the commit.

use crate::util::{diplosim, root};
use diplosim::output::fnv1a64;
use std::fmt::Write as _;
use std::path::Path;

fn checksums(dir: &Path, label: &str, out: &mut String) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "manifest.json")
        .collect();
    names.sort();
    for name in names {
        let path = dir.join(&name);
        if path.is_file() {
            let _ = writeln!(
                out,
                "{label}/{name} {}",
                fnv1a64(&std::fs::read(path).unwrap())
            );
        }
    }
}

/// The checksums of every shipped scenario's outputs, with the fast paths the CPU allows or, with
/// `portable`, with the portable paths forced (`DIPLOSIM_PORTABLE=1`).
fn all_checksums(portable: bool) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let mut names: Vec<String> = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().to_string_lossy().into_owned();
            n.strip_suffix(".toml").map(str::to_owned)
        })
        .collect();
    names.sort();
    let mut got = String::new();
    for name in &names {
        for (kind, runs) in [("single", "1"), ("ensemble", "100")] {
            let dir = tmp.path().join(format!("{name}-{kind}"));
            let mut cmd = diplosim();
            if portable {
                cmd.env("DIPLOSIM_PORTABLE", "1");
            }
            cmd.args([
                "run",
                name,
                "--quiet",
                "--no-charts",
                "--runs",
                runs,
                "--out",
            ])
            .arg(&dir)
            .assert()
            .success();
            checksums(&dir, &format!("{name}/{kind}"), &mut got);
        }
    }
    got
}

fn compare(got: &str, want: &str, how: &str) {
    if got != want {
        let diff: Vec<String> = got
            .lines()
            .filter(|l| !want.lines().any(|w| w == *l))
            .map(str::to_owned)
            .collect();
        panic!(
            "outputs ({how}) differ from tests/golden/checksums.txt (DIPLOSIM_BLESS=1 rewrites it if \
             the change is deliberate):\n{}",
            diff.join("\n")
        );
    }
}

#[test]
fn every_shipped_scenario_gives_its_golden_bytes() {
    let got = all_checksums(false);
    let path = root().join("tests/golden/checksums.txt");
    if std::env::var_os("DIPLOSIM_BLESS").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    compare(&got, &want, "fast paths this CPU allows");
}

/// The same bytes with every fast path off (AVX2 row sums and relaxation, the AVX-512 ChaCha8
/// stream, the AVX2 fixed-point pass): what a machine without them writes.
#[test]
fn the_portable_paths_give_the_same_golden_bytes() {
    let want = std::fs::read_to_string(root().join("tests/golden/checksums.txt")).unwrap();
    compare(&all_checksums(true), &want, "portable paths forced");
}
