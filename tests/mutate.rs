//! Property test: valid scenarios mutated at random (lines deleted, duplicated or truncated,
//! values replaced by hostile tokens, junk inserted) never panic; they load and run with every
//! value finite and in range, or are refused as bad input (exit code 2).

use crate::util::{library, root};
use diplosim::engine::{simulate, Compiled};
use diplosim::output::record::Recording;
use diplosim::Error;
use proptest::prelude::*;
use std::path::Path;

const TOKENS: [&str; 20] = [
    "nan",
    "inf",
    "-inf",
    "1e308",
    "-1e308",
    "\"\"",
    "[]",
    "{}",
    "0",
    "-0.0",
    "\"../x\"",
    "\"china\"",
    "99999999999",
    "true",
    "\"\\u0000\"",
    "1.5",
    "-1",
    "0.999999",
    "\"nato\"",
    "[\"nato\", \"nato\"]",
];
const JUNK: [&str; 8] = [
    "[[actor]]",
    "[scenario]",
    "x = 1",
    "]]",
    "\"",
    "id = \"japan\"",
    "[[shock]]\nstep = 1",
    "\u{feff}",
];

fn base_texts() -> Vec<String> {
    ["baseline", "ally_relents", "taiwan_crisis"]
        .iter()
        .map(|n| std::fs::read_to_string(root().join(format!("scenarios/{n}.toml"))).unwrap())
        .collect()
}

fn mutate(text: &str, op: u8, at: usize, pick: usize) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    let i = at % lines.len().max(1);
    match op % 5 {
        // A mutant may already be empty (a truncation at 0): nothing to remove, copy or edit.
        0..=2 if lines.is_empty() => {}
        0 => {
            lines.remove(i);
        }
        1 => {
            let l = lines[i].clone();
            lines.insert(i, l);
        }
        2 => {
            if let Some((k, _)) = lines[i].split_once('=') {
                lines[i] = format!("{k}= {}", TOKENS[pick % TOKENS.len()]);
            }
        }
        3 => lines.insert(i, JUNK[pick % JUNK.len()].to_string()),
        _ => {
            let chars: Vec<char> = text.chars().collect();
            return chars[..(at % chars.len().max(1))].iter().collect();
        }
    }
    lines.join("\n") + "\n"
}

proptest! {
    // A fixed seed: the same 300 mutants on every machine, so CI cannot fail by chance (a new
    // seed explores new mutants: change it deliberately).
    #![proptest_config(ProptestConfig {
        cases: 300,
        rng_seed: proptest::test_runner::RngSeed::Fixed(20261129),
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_scenarios_never_panic(which in 0usize..3, ops in proptest::collection::vec((0u8..5, 0usize..5000, 0usize..100), 1..4)) {
        let mut text = base_texts()[which].clone();
        for (op, at, pick) in ops {
            text = mutate(&text, op, at, pick);
        }
        // Parents resolve from scenarios/ as for a file there.
        let path = root().join("scenarios/mutant.toml");
        match library().load_text(Path::new(&path), &text, &["scenario.steps=30".into()]) {
            Ok(sc) => {
                let c = Compiled::new(&sc);
                let mut rec = Recording::new(sc.actors.len(), sc.steps);
                let out = simulate(&c, 1, 0, &mut rec);
                prop_assert!(rec.actor[0].iter().all(|s| s.is_finite() && (-1.0..=1.0).contains(s)));
                prop_assert!(rec.actor[1].iter().all(|p| p.is_finite() && *p >= 0.0));
                prop_assert!(rec.region.iter().flatten().all(|x| x.is_finite()));
                prop_assert!(out.final_affinity.iter().all(|a| (-1.0..=1.0).contains(a)));
            }
            Err(e) => {
                prop_assert_eq!(e.exit_code(), 2, "{}", e);
                let bad_input = matches!(e, Error::Invalid(_) | Error::Usage(_) | Error::Read { .. });
                prop_assert!(bad_input, "not a bad-input error: {}", e);
            }
        }
    }
}
