//! The bad-input corpus: every file under `tests/bad/` is refused with exit code 2, a message
//! equal to its reviewed snapshot (`NAME.stderr`), no panic, and no output folder. Set
//! `DIPLOSIM_BLESS=1` to rewrite the snapshots after a deliberate change, then review the diff.

use crate::util::root;
use assert_cmd::Command;
use std::path::PathBuf;

fn corpus() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("tests/bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().and_then(|x| x.to_str()) == Some("toml"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_bad_file_is_refused_with_its_snapshot_message() {
    let files = corpus();
    assert!(
        files.len() >= 40,
        "the corpus should hold at least 40 files, has {}",
        files.len()
    );
    let bless = std::env::var_os("DIPLOSIM_BLESS").is_some();
    let mut mismatches = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(root()).unwrap();
        let out = Command::cargo_bin("diplosim")
            .unwrap()
            .current_dir(root())
            .arg("validate")
            .arg(rel)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{}: exit code {:?}\n{stderr}",
            rel.display(),
            out.status.code()
        );
        assert!(
            !stderr.contains("panicked"),
            "{}: panicked\n{stderr}",
            rel.display()
        );
        assert!(
            stderr.contains("error: "),
            "{}: no error line",
            rel.display()
        );
        let snap = f.with_extension("stderr");
        if bless {
            std::fs::write(&snap, &stderr).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&snap)
            .unwrap_or_else(|_| panic!("missing snapshot {}", snap.display()));
        if want != stderr {
            mismatches.push(format!(
                "--- {}\nwant:\n{want}\ngot:\n{stderr}",
                rel.display()
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn running_a_bad_file_leaves_no_output_behind() {
    let tmp = tempfile::tempdir().unwrap();
    for (i, f) in corpus().iter().enumerate() {
        let out = tmp.path().join(format!("o{i}"));
        Command::cargo_bin("diplosim")
            .unwrap()
            .current_dir(root())
            .arg("run")
            .arg(f)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2);
        assert!(!out.exists(), "{}: output left behind", f.display());
    }
    // Nothing at all was created in the temporary folder (no partial folders either).
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn an_oversized_file_is_refused_with_the_bound() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("big.toml");
    std::fs::write(&p, "# padding\n".repeat(500_000)).unwrap();
    Command::cargo_bin("diplosim")
        .unwrap()
        .current_dir(root())
        .arg("validate")
        .arg(&p)
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "scenario files are limited to 4194304 bytes",
        ));
}

#[test]
fn an_unreadable_path_is_reported_with_the_path() {
    Command::cargo_bin("diplosim")
        .unwrap()
        .current_dir(root())
        .args(["validate", "tests/bad/no-such-file.toml"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "no scenario file at `tests/bad/no-such-file.toml`",
        ));
}
