//! Property tests of round 3 (issue 28): mutants of what the tool reads — observations along an
//! `extends` chain, backtest cases and their questions, output folders read back by `compare`,
//! and shards whose checksum was recomputed after the edit — never panic: each loads and runs, or
//! is refused as bad input (exit code 2).

use crate::util::{diplosim, library, root};
use diplosim::backtest::forecast_case;
use diplosim::sweep::Control;
use diplosim::Error;
use proptest::prelude::*;
use std::path::Path;

const TOKENS: [&str; 14] = [
    "nan",
    "-inf",
    "1e308",
    "\"\"",
    "[]",
    "0",
    "-1",
    "99999999999",
    "true",
    "\"china\"",
    "[0, 99999]",
    "[5, 1]",
    "\"\\u001b[2J\"",
    "\"between\"",
];

/// Replace the value of line `at` (if it has one) by a hostile token, or drop or copy the line.
fn mutate(text: &str, op: u8, at: usize, pick: usize) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    if lines.is_empty() {
        return String::new();
    }
    let i = at % lines.len();
    match op % 3 {
        0 => {
            lines.remove(i);
        }
        1 => {
            let l = lines[i].clone();
            lines.insert(i, l);
        }
        _ => {
            if let Some((k, _)) = lines[i].split_once('=') {
                lines[i] = format!("{k}= {}", TOKENS[pick % TOKENS.len()]);
            }
        }
    }
    lines.join("\n") + "\n"
}

fn refused_as_bad_input(e: &Error) -> bool {
    e.exit_code() == 2 && matches!(e, Error::Invalid(_) | Error::Usage(_) | Error::Read { .. })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 60,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20261207),
        ..ProptestConfig::default()
    })]

    /// A child with observations extending a parent with observations, either file mutated.
    #[test]
    fn observations_along_an_extends_chain(child in any::<bool>(), ops in proptest::collection::vec((0u8..3, 0usize..400, 0usize..50), 1..4)) {
        let tmp = tempfile::tempdir().unwrap();
        let parent = std::fs::read_to_string(root().join("scenarios/record_2023.toml")).unwrap();
        let mut kid = String::from("[scenario]\nextends = \"record_2023\"\nsteps = 40\n[[observation]]\nmetric = \"events\"\nactor = \"russia\"\ntarget = \"japan\"\nclass = \"verbal_conflict\"\nsteps = [1, 20]\nstat = \"count\"\nop = \">=\"\nvalue = 1\nsource = \"test\"\n");
        let mut par = parent.replace("steps = 112", "steps = 40").replace("steps = [11, 112]", "steps = [11, 40]");
        for (op, at, pick) in ops {
            if child { kid = mutate(&kid, op, at, pick) } else { par = mutate(&par, op, at, pick) }
        }
        std::fs::write(tmp.path().join("record_2023.toml"), &par).unwrap();
        let path = tmp.path().join("child.toml");
        match library().load_text(&path, &kid, &[]) {
            Ok(sc) => {
                let c = diplosim::engine::Compiled::new(&sc);
                let cancel = std::sync::atomic::AtomicBool::new(false);
                let agg = diplosim::ensemble::run_range_checked(&diplosim::ensemble::Models::One(&c), &sc.observations, 1, 0..4, false, &cancel, &|_| {}, &mut |_, _| {}).unwrap();
                prop_assert!(agg.observed.held.iter().all(|&h| h <= 4));
                prop_assert!(sc.observations.len() <= 64);
            }
            Err(e) => prop_assert!(refused_as_bad_input(&e), "{}", e),
        }
    }

    /// A backtest case mutated: it loads and forecasts with probabilities that sum to 1, or is
    /// refused.
    #[test]
    fn backtest_cases_and_questions(which in 0usize..6, ops in proptest::collection::vec((0u8..3, 0usize..800, 0usize..50), 1..4)) {
        let mut files: Vec<_> = std::fs::read_dir(root().join("cases")).unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        let f = &files[which % files.len()];
        let mut text = std::fs::read_to_string(f).unwrap();
        for (op, at, pick) in ops {
            text = mutate(&text, op, at, pick);
        }
        match library().load_text(f, &text, &[]) {
            Ok(sc) => {
                let fc = forecast_case(&sc, 3, 1, &Control::none()).unwrap();
                for q in &fc.questions {
                    let total: f64 = q.model.iter().sum();
                    prop_assert!((total - 1.0).abs() < 1e-9 && q.model.iter().all(|p| *p > 0.0 && *p < 1.0));
                }
            }
            Err(e) => prop_assert!(refused_as_bad_input(&e), "{}", e),
        }
    }
}

/// One single-run folder and one two-shard ensemble, written once for the folder mutants.
fn fixtures() -> &'static (
    tempfile::TempDir,
    std::path::PathBuf,
    [std::path::PathBuf; 2],
) {
    static F: std::sync::OnceLock<(
        tempfile::TempDir,
        std::path::PathBuf,
        [std::path::PathBuf; 2],
    )> = std::sync::OnceLock::new();
    F.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let run = tmp.path().join("run");
        diplosim()
            .args([
                "run",
                "baseline",
                "--steps",
                "8",
                "--no-charts",
                "--quiet",
                "--out",
            ])
            .arg(&run)
            .assert()
            .success();
        let shard = |k: u64| {
            let out = tmp.path().join(format!("s{k}"));
            diplosim()
                .args([
                    "run",
                    "baseline",
                    "--runs",
                    "6",
                    "--steps",
                    "8",
                    "--no-charts",
                    "--quiet",
                ])
                .args(["--shard", &format!("{k}/2"), "--out"])
                .arg(&out)
                .assert()
                .success();
            out
        };
        let s = [shard(1), shard(2)];
        (tmp, run, s)
    })
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// How many scalars (numbers, strings, booleans, nulls) a JSON value holds.
fn scalars(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Object(m) => m.values().map(scalars).sum(),
        serde_json::Value::Array(a) => a.iter().map(scalars).sum(),
        _ => 1,
    }
}

/// Mutate the numbers and strings of a JSON text: the `pick`-th scalar becomes a hostile value.
fn mutate_json(v: &mut serde_json::Value, pick: &mut usize, to: &serde_json::Value) -> bool {
    match v {
        serde_json::Value::Object(m) => m.values_mut().any(|x| mutate_json(x, pick, to)),
        serde_json::Value::Array(a) => a.iter_mut().any(|x| mutate_json(x, pick, to)),
        _ => {
            if *pick == 0 {
                *v = to.clone();
                true
            } else {
                *pick -= 1;
                false
            }
        }
    }
}

fn hostile(k: usize) -> serde_json::Value {
    let vals = [
        serde_json::json!(1e300),
        serde_json::json!(-1),
        serde_json::json!(u64::MAX),
        serde_json::json!("\u{1b}]0;x\u{7}"),
        serde_json::json!("x".repeat(70_000)),
        serde_json::json!(null),
        serde_json::json!([1, 2, 3]),
        serde_json::json!(0),
    ];
    vals[k % vals.len()].clone()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 40,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20261208),
        ..ProptestConfig::default()
    })]

    /// A folder `compare` reads back, its summary or time series mutated: read, or refused.
    #[test]
    fn output_folders_read_back(summary in any::<bool>(), pick in 0usize..4000, k in 0usize..8, line in 0usize..400) {
        let (_, run, _) = fixtures();
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("f");
        copy_dir(run, &dir);
        if summary {
            let p = dir.join("summary.json");
            let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            let mut at = pick % scalars(&v).max(1);
            assert!(mutate_json(&mut v, &mut at, &hostile(k)), "every mutant changes a value");
            std::fs::write(&p, serde_json::to_string(&v).unwrap()).unwrap();
        } else {
            let p = dir.join("timeseries.csv");
            let text = std::fs::read_to_string(&p).unwrap();
            let mut lines: Vec<String> = text.lines().map(String::from).collect();
            let i = 1 + line % (lines.len() - 1);
            let mut cells: Vec<String> = lines[i].split(',').map(String::from).collect();
            let c = pick % cells.len();
            cells[c] = match hostile(k) { serde_json::Value::String(s) => s, other => other.to_string() };
            lines[i] = cells.join(",");
            std::fs::write(&p, lines.join("\n") + "\n").unwrap();
        }
        match diplosim::compare::Item::from_folder(&library(), &dir) {
            Ok(item) => prop_assert!(item.blockers.iter().all(|b| item.sc.actor_index(b).is_some())),
            Err(e) => prop_assert!(refused_as_bad_input(&e), "{}", e),
        }
    }

    /// A shard edited and resealed (its checksum recomputed): merge merges it or refuses it with
    /// exit 2, never panics.
    #[test]
    fn shards_with_recomputed_checksums(pick in 0usize..3000, k in 0usize..8) {
        use diplosim::ensemble::shard::ShardState;
        let (_, _, shards) = fixtures();
        let tmp = tempfile::tempdir().unwrap();
        let a = tmp.path().join("a");
        copy_dir(&shards[0], &a);
        let p = a.join("shard.json");
        let st: ShardState = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
        let mut agg = serde_json::to_value(&st.aggregate).unwrap();
        let mut at = pick % scalars(&agg).max(1);
        // Counts an aggregate can hold (so that the mutant reaches merge's checks): none, one,
        // many, the largest; and once in a while a value of the wrong type.
        let counts = [
            serde_json::json!(0),
            serde_json::json!(1),
            serde_json::json!(1_000_000),
            serde_json::json!(u64::MAX),
            serde_json::json!(7),
            serde_json::json!(-1),
        ];
        mutate_json(&mut agg, &mut at, &counts[k % counts.len()]);
        let Ok(aggregate) = serde_json::from_value(agg) else {
            return Ok(()); // not an aggregate at all: merge refuses it at parsing (tested elsewhere)
        };
        let forged = ShardState { aggregate, ..st }.sealed();
        std::fs::write(&p, serde_json::to_string(&forged).unwrap()).unwrap();
        let out = diplosim()
            .arg("merge")
            .arg(&a)
            .arg(&shards[1])
            .args(["--no-charts", "--quiet", "--out"])
            .arg(tmp.path().join("m"))
            .output()
            .unwrap();
        let code = out.status.code();
        prop_assert!(matches!(code, Some(0) | Some(2)), "exit {:?}: {}", code, String::from_utf8_lossy(&out.stderr));
    }
}
