//! `diplosim backtest`: forecasts that never read an outcome, scores computed by hand, the same
//! bytes with any thread count, and bad cases refused with exit 2 and nothing written.

use crate::util::{diplosim, root, scenario};
use diplosim::backtest::{forecast_case, score};
use diplosim::observe::Answer;
use diplosim::sweep::Control;
use std::path::Path;

/// A two-actor case whose answers are fixed: A's stance is pinned (stubbornness 1, no noise) at
/// 0.8, and the body (A alone) approves at its first vote, week 3, in every run.
const CASE: &str = r#"
[scenario]
name = "fixed"
title = "A case whose answers are certain"
steps = 20
[model]
noise = 0.0
[issue]
body = "a"
host = "a"
first_vote = 3
vote_interval = 4
setup_steps = 2
source = "test"
[[actor]]
id = "a"
name = "A"
capability = 1.0
stance = 0.8
salience = 0.5
stubbornness = 1.0
source = "test"
[[actor]]
id = "b"
name = "B"
capability = 0.5
stance = -0.5
salience = 0.5
stubbornness = 1.0
source = "test"
[[relation]]
from = "a"
to = "b"
affinity = 0.1
source = "test"
[[relation]]
from = "b"
to = "a"
affinity = 0.1
source = "test"

[[question]]
id = "a_supports"
text = "Is A's stance at least 0.5 in week 10?"
metric = "stance"
actor = "a"
steps = [10, 10]
stat = "at"
op = ">="
value = 0.5
outcome = OUTCOME
outcome_source = "test"
base_rate = 0.3
base_rate_source = "test"

[[question]]
id = "approved_when"
text = "When is it approved?"
metric = "office_status"
steps = [0, 13]
bins = [1, 4, 13]
stat = "max"
op = ">="
value = 2
outcome = 3
outcome_source = "test"
base_rate = [0.1, 0.2, 0.3, 0.4]
base_rate_source = "test"
"#;

fn case(outcome: &str) -> String {
    CASE.replace("OUTCOME", outcome)
}

#[test]
fn forecasts_never_read_the_outcome() {
    let yes = scenario(&case("true"));
    let no = scenario(&case("false"));
    assert_ne!(yes.questions, no.questions);
    let ctl = Control::none();
    let a = forecast_case(&yes, 50, 7, &ctl).unwrap();
    let b = forecast_case(&no, 50, 7, &ctl).unwrap();
    assert_eq!(a, b);
    // The shipped cases too: every outcome changed (yes/no flipped, timing moved) changes no
    // forecast.
    let lib = crate::util::library();
    let files = shipped();
    assert!(files.len() >= 6);
    for f in &files {
        let a = lib.load_path(f, &[]).unwrap();
        let mut b = a.clone();
        for q in &mut b.questions {
            q.outcome = match q.outcome {
                Answer::Binary(x) => Answer::Binary(!x),
                Answer::Timing(Some(_)) => Answer::Timing(None),
                Answer::Timing(None) => Answer::Timing(Some(1)),
            };
        }
        assert_ne!(a.questions, b.questions);
        assert_eq!(
            forecast_case(&a, 20, 1, &ctl).unwrap(),
            forecast_case(&b, 20, 1, &ctl).unwrap(),
            "{}",
            f.display()
        );
    }
}

#[test]
fn scores_match_a_hand_calculation() {
    let sc = scenario(&case("true"));
    let n = 40usize;
    let f = forecast_case(&sc, n, 3, &Control::none()).unwrap();
    // Yes/no: held in every run, so P(yes) = (n + 1/2) / (n + 1); persistence holds too.
    let q = &f.questions[0];
    assert_eq!(q.held, vec![n as u64]);
    let p = (n as f64 + 0.5) / (n as f64 + 1.0);
    assert!((q.model[0] - p).abs() < 1e-15);
    assert_eq!(q.persistence, vec![1.0, 0.0]);
    // Timing: approved at week 3 in every run: checks [0,1], [0,4], [0,13] held 0, n, n times;
    // categories (0, n, 0, 0) + 1/2 each over n + 2; persistence: never ("later").
    let t = &f.questions[1];
    assert_eq!(t.held, vec![0, n as u64, n as u64]);
    let d = n as f64 + 2.0;
    let want = [0.5 / d, (n as f64 + 0.5) / d, 0.5 / d, 0.5 / d];
    for (a, b) in t.model.iter().zip(want) {
        assert!((a - b).abs() < 1e-15);
    }
    assert_eq!(t.persistence, vec![0.0, 0.0, 0.0, 1.0]);

    let board = score(std::slice::from_ref(&sc), &[f], 1);
    let qs = &board.questions;
    // Brier: (p − 1)²; base rate 0.3: 0.49; persistence 0; uniform 0.25.
    assert!((qs[0].score.model - (1.0 - p).powi(2)).abs() < 1e-15);
    assert!((qs[0].score.base_rate - 0.49).abs() < 1e-15);
    assert_eq!(qs[0].score.persistence, 0.0);
    assert_eq!(qs[0].score.uniform, 0.25);
    // RPS / 3, outcome week 3 → category "weeks 2–4" (index 1): O = (0, 1, 1).
    let f1 = want[0];
    let f2 = want[0] + want[1];
    let f3 = f2 + want[2];
    let rps = (f1 * f1 + (f2 - 1.0).powi(2) + (f3 - 1.0).powi(2)) / 3.0;
    assert!((qs[1].score.model - rps).abs() < 1e-15);
    // Base rate cumulative 0.1, 0.3, 0.6: (0.01 + 0.49 + 0.16) / 3 = 0.22.
    assert!((qs[1].score.base_rate - 0.22).abs() < 1e-12);
    // Persistence (later): (0 + 1 + 1) / 3; uniform cumulative 1/4, 1/2, 3/4.
    assert!((qs[1].score.persistence - 2.0 / 3.0).abs() < 1e-15);
    let u = (0.0625 + 0.25 + 0.0625) / 3.0;
    assert!((qs[1].score.uniform - u).abs() < 1e-15);
    // Skill against the base rate: 1 − Σ model / Σ base.
    let skill = 1.0 - ((1.0 - p).powi(2) + rps) / (0.49 + 0.22);
    assert!((board.skill[0].value.unwrap() - skill).abs() < 1e-12);
    // One case: the overall interval resamples questions, and holds the point.
    assert_eq!(board.resampled, "questions");
    let k = board.skill[0];
    assert!(k.lo.unwrap() <= k.value.unwrap() && k.value.unwrap() <= k.hi.unwrap());
    // Log score of the timing question: −ln P(category 1).
    assert!((qs[1].log.model + want[1].ln()).abs() < 1e-12);
}

fn write_case(dir: &Path, name: &str, text: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(format!("{name}.toml")), text).unwrap();
}

#[test]
fn the_same_bytes_with_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = tmp.path().join("cases");
    write_case(&cases, "fixed", &case("true"));
    // A second case with noise, so that runs differ and threads could reorder them.
    write_case(
        &cases,
        "noisy",
        &case("false")
            .replace("name = \"fixed\"", "name = \"noisy\"")
            .replace("noise = 0.0", "noise = 0.2")
            .replace("stubbornness = 1.0", "stubbornness = 0.3"),
    );
    let mut outs = Vec::new();
    for threads in ["1", "2", "3"] {
        let out = tmp.path().join(format!("out{threads}"));
        diplosim()
            .args(["backtest", "--cases"])
            .arg(&cases)
            .args([
                "--runs",
                "60",
                "--threads",
                threads,
                "--no-charts",
                "--quiet",
                "--out",
            ])
            .arg(&out)
            .assert()
            .success();
        outs.push(out);
    }
    for f in ["backtest.csv", "summary.json", "case-noisy.resolved.toml"] {
        let a = std::fs::read(outs[0].join(f)).unwrap();
        for o in &outs[1..] {
            assert_eq!(a, std::fs::read(o.join(f)).unwrap(), "{f}");
        }
    }
    let csv = std::fs::read_to_string(outs[0].join("backtest.csv")).unwrap();
    assert_eq!(
        csv.lines().count(),
        5,
        "a header and four questions:\n{csv}"
    );
}

#[test]
fn bad_cases_exit_2_and_write_nothing() {
    let bad: [(&str, &str, &str); 11] = [
        (
            "metric = \"office_status\"\nsteps = [0, 13]\nbins = [1, 4, 13]\nstat = \"max\"",
            "metric = \"stance\"\nactor = \"a\"\nsteps = [0, 13]\nbins = [1, 4, 13]\nstat = \"sum\"",
            "stays true once true",
        ),
        (
            "stubbornness = 1.0\nsource = \"test\"\n[[actor]]",
            "stubbornness = 1.0\n[[actor]]",
            "missing required key `source`",
        ),
        (
            "actor = \"a\"\nsteps = [10, 10]",
            "actor = \"c\"\nsteps = [10, 10]",
            "unknown actor `c`",
        ),
        (
            "metric = \"stance\"",
            "metric = \"stnce\"",
            "unknown metric `stnce`",
        ),
        (
            "value = 2\n",
            "value = 2\nclass = \"verbal_conflct\"\n",
            "`class` is for metric = \"events\" only",
        ),
        (
            "steps = [10, 10]",
            "steps = [10, 30]",
            "lies outside the run",
        ),
        ("outcome = true\n", "", "needs `outcome`"),
        ("base_rate = 0.3\n", "", "needs `base_rate`"),
        (
            "base_rate = 0.3",
            "base_rate = 1.2",
            "probability in [0, 1]",
        ),
        (
            "outcome_source = \"test\"\nbase_rate = 0.3",
            "base_rate = 0.3",
            "needs `outcome_source`",
        ),
        (
            "base_rate = [0.1, 0.2, 0.3, 0.4]",
            "base_rate = [0.1, 0.2, 0.3, 0.5]",
            "sum to 1",
        ),
    ];
    for (from, to, msg) in bad {
        let tmp = tempfile::tempdir().unwrap();
        let cases = tmp.path().join("cases");
        let text = case("true");
        assert!(text.contains(from), "{from}");
        write_case(&cases, "bad", &text.replacen(from, to, 1));
        let out = tmp.path().join("out");
        let a = diplosim()
            .args(["backtest", "--cases"])
            .arg(&cases)
            .args(["--runs", "5", "--quiet", "--out"])
            .arg(&out)
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        assert!(err.contains(msg), "expected `{msg}` in:\n{err}");
        assert!(err.contains("bad.toml:"), "no file:line:column in:\n{err}");
        assert!(!out.exists(), "a folder was written for {msg}");
    }
    // A class only events take, an unknown class for events, and a case without questions.
    let tmp = tempfile::tempdir().unwrap();
    let cases = tmp.path().join("cases");
    let text = case("true").replacen(
        "metric = \"stance\"\nactor = \"a\"",
        "metric = \"events\"\nactor = \"a\"\ntarget = \"b\"\nclass = \"verbal_conflct\"",
        1,
    );
    write_case(&cases, "bad", &text);
    let a = diplosim()
        .args(["backtest", "--cases"])
        .arg(&cases)
        .args(["--runs", "5", "--quiet"])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("unknown event class"));
    let cut = case("true");
    let cut = &cut[..cut.find("[[question]]").unwrap()];
    write_case(&cases, "bad", cut);
    let a = diplosim()
        .args(["backtest", "--cases"])
        .arg(&cases)
        .args(["--runs", "5", "--quiet"])
        .assert()
        .code(2);
    assert!(
        String::from_utf8_lossy(&a.get_output().stderr).contains("needs at least one [[question]]")
    );
}

/// Every shipped case file, in name order.
fn shipped() -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(root().join("cases"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v
}

#[test]
fn leave_one_out_never_calibrates_a_case_on_itself() {
    use diplosim::backtest::loo::{forecast_loo, Settings};
    let lib = crate::util::library();
    let files = shipped();
    let load = |text: &str, p: &Path| lib.load_text(p, text, &[]).unwrap();
    let texts: Vec<String> = files
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect();
    let cases: Vec<_> = files.iter().zip(&texts).map(|(p, t)| load(t, p)).collect();
    let s = Settings {
        samples: 8,
        point_runs: 4,
        seed: 3,
    };
    let ctl = Control::none();
    let (a, la) = forecast_loo(&lib, &files, &cases, 30, s, &ctl).unwrap();
    // Drop the first case's observations: its own forecast must not move (it never saw them),
    // while the folds calibrated on it lose them.
    let stripped = {
        let t = &texts[0];
        let cut = t
            .find("\n[[observation]]")
            .expect("the first case states observations");
        let end = t[cut..].find("\n[[question]]").map_or(t.len(), |e| cut + e);
        format!("{}{}", &t[..cut], &t[end..])
    };
    let dir = tempfile::tempdir().unwrap();
    let mut files2 = files.clone();
    files2[0] = dir.path().join(files[0].file_name().unwrap());
    std::fs::write(&files2[0], &stripped).unwrap();
    // Extends finds `baseline` in scenarios/ either way.
    let mut cases2 = cases.clone();
    cases2[0] = load(&stripped, &files2[0]);
    assert!(cases2[0].observations.is_empty());
    let (b, lb) = forecast_loo(&lib, &files2, &cases2, 30, s, &ctl).unwrap();
    assert_eq!(
        a[0], b[0],
        "the held-out case's forecast moved with its own observations"
    );
    assert_eq!(la.folds[0], lb.folds[0]);
    assert!(lb.folds[1..]
        .iter()
        .all(|f| !f.training.contains(&cases[0].name)));
    assert!(la.folds[1..]
        .iter()
        .all(|f| f.training.contains(&cases[0].name)));
}

#[test]
fn leave_one_out_gives_the_same_bytes_with_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let out = tmp.path().join(format!("out{threads}"));
        diplosim()
            .args([
                "backtest",
                "--loo",
                "--samples",
                "8",
                "--point-runs",
                "4",
                "--runs",
                "40",
            ])
            .args(["--threads", threads, "--no-charts", "--quiet", "--out"])
            .arg(&out)
            .assert()
            .success();
        outs.push(out);
    }
    for f in ["backtest.csv", "summary.json"] {
        assert_eq!(
            std::fs::read(outs[0].join(f)).unwrap(),
            std::fs::read(outs[1].join(f)).unwrap(),
            "{f}"
        );
    }
    let summary = std::fs::read_to_string(outs[0].join("summary.json")).unwrap();
    assert!(summary.contains("\"calibrated_on\""), "{summary}");
}

#[test]
fn the_destination_is_checked_before_any_run() {
    // A folder that is not diplosim's: refused at once (with a million runs a case, a check made
    // after the work would keep this test busy for minutes), and left as it was.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("mine");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let a = diplosim()
        .args([
            "backtest", "--runs", "1000000", "--force", "--quiet", "--out",
        ])
        .arg(&out)
        .assert()
        .code(2);
    assert!(
        String::from_utf8_lossy(&a.get_output().stderr).contains("does not hold a diplosim output")
    );
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
    // Work beyond the budget is refused before anything is written.
    let a = diplosim()
        .args([
            "backtest",
            "--runs",
            "1000000",
            "--loo",
            "--samples",
            "100000",
        ])
        .args(["--point-runs", "100000", "--quiet", "--out"])
        .arg(tmp.path().join("new"))
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("a backtest may run at most"));
    assert!(!tmp.path().join("new").exists());
}

/// `text` with every question's outcome changed: yes/no flipped; a timing question's step
/// made `false`, and `false` made its first bin.
fn flip_outcomes(text: &str) -> String {
    let mut out = String::new();
    for (k, block) in text.split("[[question]]").enumerate() {
        if k > 0 {
            out.push_str("[[question]]");
        }
        let first_bin = block
            .lines()
            .find_map(|l| l.strip_prefix("bins = ["))
            .and_then(|r| r.split([',', ']']).next())
            .map(|b| b.trim().to_string());
        let lines: Vec<String> = block
            .split_inclusive('\n')
            .map(
                |l| match (l.trim_end().strip_prefix("outcome = "), &first_bin) {
                    (Some("true"), None) => "outcome = false\n".to_string(),
                    (Some("false"), None) => "outcome = true\n".to_string(),
                    (Some("false"), Some(b)) => format!("outcome = {b}\n"),
                    (Some(_), Some(_)) => "outcome = false\n".to_string(),
                    _ => l.to_string(),
                },
            )
            .collect();
        out.push_str(&lines.concat());
    }
    out
}

/// The `held` and `model` columns of a backtest.csv.
fn forecast_columns(csv: &Path) -> Vec<String> {
    std::fs::read_to_string(csv)
        .unwrap()
        .lines()
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            format!("{},{},{}", c[1], c[6], c[7])
        })
        .collect()
}

#[test]
fn outcomes_written_differently_in_the_files_change_no_forecast_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let (same, flipped) = (tmp.path().join("same"), tmp.path().join("flipped"));
    for d in [&same, &flipped] {
        std::fs::create_dir_all(d).unwrap();
    }
    let mut changed = 0;
    for f in shipped() {
        let text = std::fs::read_to_string(&f).unwrap();
        let name = f.file_name().unwrap();
        let other = flip_outcomes(&text);
        changed += (other != text) as usize;
        std::fs::write(same.join(name), &text).unwrap();
        std::fs::write(flipped.join(name), other).unwrap();
    }
    assert_eq!(changed, shipped().len());
    for loo in [false, true] {
        let mut csvs = Vec::new();
        for (k, dir) in [&same, &flipped].into_iter().enumerate() {
            let out = tmp.path().join(format!("out-{loo}-{k}"));
            let mut c = diplosim();
            c.args([
                "backtest",
                "--runs",
                "40",
                "--no-charts",
                "--quiet",
                "--cases",
            ])
            .arg(dir);
            if loo {
                c.args(["--loo", "--samples", "8", "--point-runs", "4"]);
            }
            c.arg("--out").arg(&out).assert().success();
            csvs.push(out.join("backtest.csv"));
        }
        assert_eq!(
            forecast_columns(&csvs[0]),
            forecast_columns(&csvs[1]),
            "loo {loo}"
        );
        // The scores did change: the outcomes were read where they belong.
        assert_ne!(
            std::fs::read(&csvs[0]).unwrap(),
            std::fs::read(&csvs[1]).unwrap()
        );
    }
}

/// `backtest --posterior DIR` (issue 27): a posterior of one point is that point's forecast, its
/// runs seeded by (seed + 1, r) as the allocation says, so it equals the plain backtest of the
/// case written at that point with seed 2; the medians' score beside it is the plain backtest's
/// with seed 1. The same bytes on 1 and 2 threads; a posterior over an actor's key is refused.
#[test]
fn a_posterior_backtest_is_the_mixture_of_its_points() {
    let tmp = tempfile::tempdir().unwrap();
    let noisy = case("false")
        .replace("name = \"fixed\"", "name = \"noisy\"")
        .replace("stubbornness = 1.0", "stubbornness = 0.3");
    // The case as shipped (noise 0.05) and the case at the posterior's point (noise 0.2).
    write_case(
        &tmp.path().join("cases"),
        "noisy",
        &noisy.replace("noise = 0.0", "noise = 0.05"),
    );
    write_case(
        &tmp.path().join("at_point"),
        "noisy",
        &noisy.replace("noise = 0.0", "noise = 0.2"),
    );
    let post = tmp.path().join("post");
    std::fs::create_dir_all(&post).unwrap();
    std::fs::write(
        post.join("posterior.csv"),
        "round,point,model.noise,runs,held_all,likelihood,weight\n0,0,0.5,4,0,0,0\n1,0,0.2,4,1,0.25,1\n",
    )
    .unwrap();
    let bt = |cases: &str, extra: &[&str], out: &str| {
        diplosim()
            .args(["backtest", "--cases"])
            .arg(tmp.path().join(cases))
            .args(["--runs", "60", "--no-charts", "--quiet"])
            .args(extra)
            .arg("--out")
            .arg(tmp.path().join(out))
            .assert()
    };
    let p = post.to_str().unwrap();
    bt("cases", &["--posterior", p, "--threads", "1"], "p1").success();
    bt("cases", &["--posterior", p, "--threads", "2"], "p2").success();
    bt("at_point", &["--seed", "2"], "s2").success();
    bt("at_point", &["--seed", "1"], "s1").success();
    let read = |d: &str, f: &str| std::fs::read(tmp.path().join(d).join(f)).unwrap();
    for f in ["backtest.csv", "summary.json"] {
        assert_eq!(read("p1", f), read("p2", f), "{f}");
    }
    assert_eq!(
        forecast_columns(&tmp.path().join("p1/backtest.csv")),
        forecast_columns(&tmp.path().join("s2/backtest.csv"))
    );
    let json = |d: &str| -> serde_json::Value {
        serde_json::from_slice(&read(d, "summary.json")).unwrap()
    };
    let (p1, s1) = (json("p1"), json("s1"));
    assert_eq!(p1["posterior"]["round"], 1, "the last round with weight");
    assert_eq!(p1["posterior"]["medians"][0]["median"], 0.2);
    assert_eq!(
        p1["posterior"]["at_medians"]["mean_score"],
        s1["mean_score"]
    );
    assert_ne!(p1["mean_score"], s1["mean_score"], "seeds 2 and 1 differ");
    let man: serde_json::Value = serde_json::from_slice(&read("p1", "manifest.json")).unwrap();
    assert!(man["command"].as_str().unwrap().contains("--posterior"));
    assert!(man["posterior"]["hash"]
        .as_str()
        .unwrap()
        .starts_with("fnv1a64:"));
    // A posterior over an actor's key does not apply across cases: exit 2, nothing written.
    std::fs::write(
        post.join("posterior.csv"),
        "round,point,actor.a.stance,runs,held_all,likelihood,weight\n0,0,0.2,4,1,0.25,1\n",
    )
    .unwrap();
    bt("cases", &["--posterior", p], "bad")
        .code(2)
        .stderr(predicates::str::contains("actor.a.stance"));
    assert!(!tmp.path().join("bad").exists());
}
