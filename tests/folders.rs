//! Default output folders: one command never silently replaces another's results (issue 12,
//! item 1). Folder names carry the seed, the run count and a tag of the overrides.

use crate::util::root;
use std::path::Path;

/// Run the binary in `cwd` (so that `output/` lands there) and return the folder it reports.
fn results(cwd: &Path, args: &[&str]) -> String {
    let out = assert_cmd::Command::cargo_bin("diplosim")
        .unwrap()
        .current_dir(cwd)
        .arg("--scenarios")
        .arg(root().join("scenarios"))
        .args(args)
        .arg("--no-charts")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let line = text.lines().find(|l| l.contains("results: ")).unwrap();
    let rest = line.split("results: ").nth(1).unwrap();
    rest.split('/')
        .filter(|w| !w.trim().is_empty() && !w.contains(' '))
        .collect::<Vec<_>>()
        .join("/")
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_name() != "manifest.json")
        .map(|e| {
            (
                e.file_name().into_string().unwrap(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn default_folders_name_seed_runs_and_overrides_and_never_collide() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let single = results(cwd, &["run", "baseline"]);
    assert_eq!(single, "output/baseline/seed-1");
    let first = files(&cwd.join(&single));
    assert_eq!(results(cwd, &["run", "baseline"]), single);
    assert_eq!(files(&cwd.join(&single)), first, "same command, same bytes");
    let ens = results(cwd, &["run", "baseline", "--runs", "20"]);
    assert_eq!(ens, "output/baseline/seed-1-runs-20");
    let set = results(
        cwd,
        &["run", "baseline", "--set", "actor.china.stance=-0.5"],
    );
    assert!(set.starts_with("output/baseline/seed-1-set-"), "{set}");
    let set2 = results(
        cwd,
        &["run", "baseline", "--set", "actor.china.stance=-0.4"],
    );
    let steps = results(cwd, &["run", "baseline", "--steps", "20"]);
    let seed = results(cwd, &["run", "baseline", "--seed", "2"]);
    let all = [&single, &ens, &set, &set2, &steps, &seed];
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            assert_ne!(a, b);
        }
    }
    assert_eq!(
        files(&cwd.join(&single)),
        first,
        "the plain run was not replaced"
    );
}

#[test]
fn merged_shards_land_where_one_machine_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let args = ["run", "baseline", "--runs", "6", "--steps", "12"];
    let whole = results(cwd, &args);
    let mut dirs = Vec::new();
    for k in ["1/2", "2/2"] {
        let mut a = args.to_vec();
        a.extend(["--shard", k]);
        dirs.push(results(cwd, &a));
    }
    assert!(
        dirs[0].starts_with(&format!("{whole}-shards/")),
        "{}",
        dirs[0]
    );
    let mut a = vec!["merge"];
    a.extend(dirs.iter().map(|s| s.as_str()));
    assert_eq!(results(cwd, &a), whole);
}
