//! Signals stop any command with nothing left behind (issue 13, item 3): real signals sent to a
//! child process; the only timing assumption is a generous bound for the child to start writing.

use crate::util::root;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn spawn(cwd: &Path, args: &[&str]) -> Child {
    Command::new(assert_cmd::cargo::cargo_bin("diplosim"))
        .current_dir(cwd)
        .arg("--scenarios")
        .arg(root().join("scenarios"))
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Wait (at most a minute) until `cond` holds.
fn wait_for(mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < Duration::from_secs(60), "timed out");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn kill(child: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([format!("-{sig}"), child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
}

/// A long ensemble is stopped by each signal while it writes: exit 128 + N, no folder left.
#[test]
fn signals_while_running_leave_nothing_and_exit_128_plus_n() {
    for (sig, code) in [("TERM", 143), ("INT", 130), ("HUP", 129)] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("res").join("deep");
        let args = [
            "run",
            "baseline",
            "--runs",
            "5000000",
            "--threads",
            "1",
            "--no-charts",
            "--quiet",
            "--out",
        ];
        let mut child = spawn(tmp.path(), &[&args[..], &[out.to_str().unwrap()]].concat());
        wait_for(|| {
            names(&tmp.path().join("res"))
                .iter()
                .any(|n| n.contains(".partial-"))
        });
        kill(&child, sig);
        let st = child.wait().unwrap();
        assert_eq!(st.code(), Some(code), "SIG{sig}");
        assert!(
            names(tmp.path()).is_empty(),
            "SIG{sig} left {:?}",
            names(tmp.path())
        );
        let mut err = String::new();
        use std::io::Read as _;
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert!(err.contains(&format!("interrupted by SIG{sig}")), "{err}");
    }
}

/// A staging folder of a process that no longer exists is removed by the next run beside it.
#[test]
fn partial_folders_of_dead_processes_are_cleaned_up() {
    let tmp = tempfile::tempdir().unwrap();
    let mut dead = Command::new("true").spawn().unwrap();
    let pid = dead.id();
    dead.wait().unwrap();
    let stale = tmp.path().join(format!(".old-results.partial-{pid}"));
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("timeseries.csv"), "x").unwrap();
    // One of a live process (this test's) is kept.
    let live = tmp
        .path()
        .join(format!(".other.partial-{}", std::process::id()));
    std::fs::create_dir(&live).unwrap();
    let out = tmp.path().join("r");
    let st = spawn(
        tmp.path(),
        &[
            "run",
            "baseline",
            "--no-charts",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .wait()
    .unwrap();
    assert!(st.success());
    assert!(!stale.exists(), "the dead process's folder is gone");
    assert!(live.exists(), "a live process's folder is kept");
}
