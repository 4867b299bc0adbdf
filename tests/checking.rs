//! Checking large and broken files (issue 13, item 1): every problem of a file is found at once,
//! however many there are, and the number printed is capped. Time is measured by
//! `scripts/checking_time.sh`, not here.

use crate::util::{diplosim, library, root};
use diplosim::error::Error;
use std::path::Path;

fn baseline() -> String {
    std::fs::read_to_string(root().join("scenarios/baseline.toml")).unwrap()
}

fn problems(text: &str) -> Vec<diplosim::error::Diagnostic> {
    match library().load_text(Path::new("big.toml"), text, &[]) {
        Err(Error::Invalid(d)) => d,
        Err(e) => panic!("{e}"),
        Ok(_) => panic!("accepted"),
    }
}

/// A shock with a number out of range and an unknown actor: both are reported, for each of 2,000.
#[test]
fn out_of_range_numbers_and_unknown_actors_are_reported_together_for_2000_shocks() {
    let mut text = baseline();
    for _ in 0..2000 {
        text.push_str("\n[[shock]]\nstep = 3\nkind = \"stance\"\nactor = \"chian\"\nset = 5.0\n");
    }
    let d = problems(&text);
    let range = d
        .iter()
        .filter(|d| d.message.contains("must be in"))
        .count();
    let unknown = d
        .iter()
        .filter(|d| d.message.contains("unknown actor `chian`"))
        .count();
    assert_eq!((range, unknown), (2000, 2000));
    assert!(d
        .iter()
        .any(|d| d.help.as_deref() == Some("did you mean `china`?")));
}

/// One file with both kinds of problem in different tables.
#[test]
fn a_bad_number_and_an_unknown_actor_in_one_file_are_both_reported() {
    let text = baseline()
        .replacen("capability = 0.55", "capability = 1.55", 1)
        .replacen("host = \"japan\"", "host = \"japn\"", 1);
    let d = problems(&text);
    assert!(d.iter().any(|d| d.key == "actor[0].capability"), "{d:?}");
    assert!(d.iter().any(|d| d.key == "issue.host"), "{d:?}");
}

/// The CLI prints the first problems and says how many more there are.
#[test]
fn printed_problems_are_capped_with_a_count_of_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let mut text = baseline();
    for _ in 0..2000 {
        text.push_str("\n[[shock]]\nstep = 3\nkind = \"stance\"\nactor = \"china\"\nset = 5.0\n");
    }
    let p = tmp.path().join("many.toml");
    std::fs::write(&p, text).unwrap();
    let out = diplosim().arg("validate").arg(&p).assert().code(2);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert_eq!(err.matches("error: ").count(), diplosim::error::MAX_SHOWN);
    assert!(err.contains("… and 1950 more problems not shown"), "{err}");
    assert!(err.contains("2000 errors"));
}

/// 1,000 actors with 5,000 relations load; 1,000 actors without relations warn, capped.
#[test]
fn a_thousand_actors_are_checked_and_their_warnings_capped() {
    let mut text = String::from("[scenario]\nsteps = 2\n[issue]\nbody = \"a0\"\nhost = \"a1\"\n");
    for i in 0..1000 {
        text.push_str(&format!(
            "[[actor]]\nid = \"a{i}\"\nname = \"A{i}\"\ncapability = 0.5\nstance = 0.1\nsalience = 0.5\nsource = \"x\"\n"
        ));
    }
    let lone = text.clone();
    for k in 0..5000 {
        let (a, b) = (k % 1000, (k * 7 + 1 + k / 1000) % 1000);
        if a != b {
            text.push_str(&format!(
                "[[relation]]\nfrom = \"a{a}\"\nto = \"a{b}\"\naffinity = 0.1\nsource = \"x\"\n"
            ));
        }
    }
    let sc = library()
        .load_text(Path::new("big.toml"), &text, &[])
        .unwrap();
    assert_eq!(sc.actors.len(), 1000);
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("lone.toml");
    std::fs::write(&p, lone).unwrap();
    let out = diplosim().arg("validate").arg(&p).assert().success();
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert_eq!(err.matches("warning: ").count(), diplosim::error::MAX_SHOWN);
    assert!(err.contains("… and 950 more warnings not shown"), "{err}");
}

/// A conditional shock whose delay puts it past the last step even for a status reached at step
/// 1 (the earliest a run reaches any) is a warning, as a fixed step past the last is; one step
/// less is quiet.
#[test]
fn a_conditional_shock_due_after_the_last_step_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    for (delay, warned) in [(10, true), (9, false)] {
        let file = dir.path().join(format!("late{delay}.toml"));
        std::fs::write(
            &file,
            format!(
                "[scenario]\nextends = \"baseline\"\nname = \"late\"\nsteps = 10\n\n\
                 [[shock]]\nwhen = \"approved\"\nstep = {delay}\nkind = \"stance\"\n\
                 actor = \"china\"\nadd = 0.1\nsource = \"test\"\n"
            ),
        )
        .unwrap();
        let out = diplosim()
            .args([
                "validate",
                "--scenarios",
                root().join("scenarios").to_str().unwrap(),
            ])
            .arg(&file)
            .output()
            .unwrap();
        assert!(out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        let expected = "shock 10 steps after `approved` is due after the last step (10) even in a run that is approved at step 1, and will not happen";
        assert_eq!(err.contains(expected), warned, "delay {delay}: {err}");
    }
}
