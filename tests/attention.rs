//! The 0.5 mechanisms of docs/model.md against closed forms worked out here: news and attention
//! (issue signals as Poisson counts whose mean decays with the half-life), the issue tone and the
//! class link, vote news, and the lasting part of a stance change.

use crate::util::{run, scenario};
use diplosim::engine::{simulate, Compiled, Event, Observer, StepView};
use diplosim::model::{EventClass, CATALOGUE};

/// Three actors: `o` (opponent, σ = 0.8) and `s` (supporter, σ = 0.5) send issue signals to the
/// host `h`, which is also the body; no background events, stances and affinities frozen (ρ = 1,
/// κ = κ₃ = δ = 0, η = 0), no votes within the run.
fn three(extra_model: &str, steps: usize) -> String {
    format!(
        r#"
[scenario]
steps = {steps}
[model]
rate = 0.0
noise = 0.0
kappa = 0.0
kappa_third = 0.0
delta = 0.0
eta = 0.0
attention_half_life = 2.0
issue_rate = 1.5
{extra_model}
[issue]
body = "h"
host = "h"
first_vote = 500
[[actor]]
id = "h"
name = "Host"
capability = 1.0
stance = 0.9
salience = 1.0
stubbornness = 1.0
source = "test"
[[actor]]
id = "o"
name = "Opponent"
capability = 0.5
stance = -0.7
salience = 0.8
stubbornness = 1.0
source = "test"
[[actor]]
id = "s"
name = "Supporter"
capability = 0.5
stance = 0.5
salience = 0.5
stubbornness = 1.0
source = "test"
[[relation]]
from = "o"
to = "h"
affinity = -0.2
source = "test"
[[relation]]
from = "s"
to = "h"
affinity = 0.3
source = "test"
"#
    )
}

/// Issue signals per (sender, step) and per (sender, class), over many runs.
struct Counts {
    n_steps: usize,
    by_step: Vec<[u64; 3]>,
    by_class: [[u64; 4]; 3],
    other: u64,
}

impl Observer for Counts {
    fn step(&mut self, _v: &StepView) {}
    fn event(&mut self, e: &Event) {
        if !e.issue || e.target.ix() != 0 {
            self.other += 1;
            return;
        }
        let i = e.actor.ix();
        self.by_step[e.step][i] += 1;
        let c = CATALOGUE[e.code].class();
        let k = EventClass::ALL.iter().position(|&x| x == c).unwrap();
        self.by_class[i][k] += 1;
    }
}

fn counts(text: &str, runs: u64) -> Counts {
    let sc = scenario(text);
    let c = Compiled::new(&sc);
    let mut k = Counts {
        n_steps: sc.steps,
        by_step: vec![[0; 3]; sc.steps + 1],
        by_class: [[0; 4]; 3],
        other: 0,
    };
    for r in 0..runs {
        simulate(&c, 11, r, &mut k);
    }
    k
}

/// The number of issue signals i sends in step t is Poisson with mean r h_i(t−1), and
/// h_i(t) = σ_i · 2^(−t/H) after the announcement (news 1 at step 0): over 4,000 runs, the count
/// of each of the first 8 steps lies within 4.5 standard deviations of 4,000 · 1.5 σ_i 2^(−(t−1)/2),
/// and the host never speaks to itself.
#[test]
fn issue_signals_decay_with_the_half_life() {
    let runs = 4000;
    let k = counts(&three("", 8), runs);
    assert_eq!(k.other, 0, "only o and s speak, and only to h");
    for t in 1..=k.n_steps {
        for (i, sigma) in [(1usize, 0.8f64), (2, 0.5)] {
            let mean = runs as f64 * 1.5 * sigma * 2f64.powf(-((t - 1) as f64) / 2.0);
            let got = k.by_step[t][i] as f64;
            assert!(
                (got - mean).abs() < 4.5 * mean.sqrt(),
                "step {t}, actor {i}: {got} vs {mean}"
            );
        }
        assert_eq!(k.by_step[t][0], 0);
    }
}

/// The tone of an issue signal is τ = clamp(A_ij − |s_i − s_j|/2): the opponent's is
/// −0.2 − 0.8 = −1.0, the supporter's 0.3 − 0.2 = 0.1; the classes follow the link
/// P(c) ∝ exp(a_c + b_c τ) with the defaults (a, b) = (0, 0), (−4.11, −0.74), (−2.57, −2.61),
/// (−3.29, −1.99). χ² with 3 degrees of freedom below 21.1 (p = 10⁻⁴) for each sender.
#[test]
fn issue_signals_take_the_tone_of_the_disagreement() {
    let k = counts(&three("", 30), 1500);
    let link = |tau: f64| {
        let e = [
            0.0f64,
            -4.11 - 0.74 * tau,
            -2.57 - 2.61 * tau,
            -3.29 - 1.99 * tau,
        ]
        .map(f64::exp);
        let s: f64 = e.iter().sum();
        e.map(|x| x / s)
    };
    for (i, tau) in [(1usize, -1.0f64), (2, 0.1)] {
        let n: u64 = k.by_class[i].iter().sum();
        assert!(n > 1000, "{n}");
        let p = link(tau);
        let chi2: f64 = (0..4)
            .map(|c| {
                let want = n as f64 * p[c];
                (k.by_class[i][c] as f64 - want).powi(2) / want
            })
            .sum();
        assert!(
            chi2 < 21.1,
            "actor {i}: χ² {chi2}, {:?} vs {p:?}",
            k.by_class[i]
        );
    }
    // The opponent is mostly in conflict: 44% verbal and 12% material at τ = −1.
    let p = link(-1.0);
    assert!(p[2] + p[3] > 0.5);
}

/// A vote is news: with the first vote at step 3 (visibility 0.5), the opponent's expected
/// signals in step 4 are 1.5 (0.8 · 2^(−3/2) + 0.5 · 0.8) instead of 1.5 · 0.8 · 2^(−3/2); a second
/// vote with the same blockers is not news.
#[test]
fn a_vote_is_news_when_it_changes_something() {
    let text = three("", 10)
        .replace(
            "first_vote = 500",
            "first_vote = 3\nvote_interval = 5\nthreshold = 0.0",
        )
        .replace("name = \"Host\"", "name = \"Host\"\nmember_of = [\"h\"]");
    let text = text.replace(
        "id = \"o\"\nname = \"Opponent\"",
        "id = \"o\"\nname = \"Opponent\"\nmember_of = [\"h\"]",
    );
    let runs = 4000;
    let k = counts(&text, runs);
    let h = |t: f64| 0.8 * 2f64.powf(-t / 2.0);
    // Step 4 reads h(3) = 0.8·2^(−3/2) + 0.5·0.8 (the failed first vote at step 3 is news).
    let want4 = runs as f64 * 1.5 * (h(3.0) + 0.4);
    let got4 = k.by_step[4][1] as f64;
    assert!(
        (got4 - want4).abs() < 4.5 * want4.sqrt(),
        "{got4} vs {want4}"
    );
    // Step 9 reads h(8): the vote at step 8 failed with the same blocker, so no news.
    let want9 = runs as f64 * 1.5 * (h(8.0) + 0.4 * 2f64.powf(-5.0 / 2.0));
    let got9 = k.by_step[9][1] as f64;
    assert!(
        (got9 - want9).abs() < 4.5 * want9.sqrt(),
        "{got9} vs {want9}"
    );
}

/// Lasting change: a `stance` shock of Δ moves the anchor by min(1, μ h) Δ. The opponent (ρ = 0.5,
/// alone: W its own row) is set from −0.7 to 0.3 at step 2 with h(2) = 0.8 · 2^(−1) = 0.4 and
/// μ = 0.5: the anchor moves by 0.2 · 1.0 to −0.5, and FJ then pulls the stance toward −0.5, not
/// back to −0.7: s(t+1) = 0.5 s(t) + 0.5 · (−0.5).
#[test]
fn a_stance_shock_leaves_a_lasting_part_while_attention_is_high() {
    let text = three("anchor_rate = 0.5", 12)
        .replace("issue_rate = 1.5", "issue_rate = 0.0")
        .replace(
            "stance = -0.7\nsalience = 0.8\nstubbornness = 1.0",
            "stance = -0.7\nsalience = 0.8\nstubbornness = 0.5",
        )
        + "[[shock]]\nstep = 2\nkind = \"stance\"\nactor = \"o\"\nset = 0.3\nsource = \"t\"\n";
    let sc = scenario(&text);
    let (rec, _) = run(&sc, 1);
    let s = rec.actor_series(0, 1);
    assert_eq!(s[2], 0.3);
    let mut want = 0.3f64;
    for (t, got) in s.iter().enumerate().skip(3) {
        want = 0.5 * want + 0.5 * -0.5;
        assert!((got - want).abs() < 1e-12, "step {t}: {got} vs {want}");
    }
    // Without attention (news_public 0) nothing lasts: the stance returns to −0.7.
    let quiet =
        scenario(&text.replace("anchor_rate = 0.5", "anchor_rate = 0.5\nnews_public = 0.0"));
    let (rec, _) = run(&quiet, 1);
    let last = *rec.actor_series(0, 1).last().unwrap();
    assert!((last + 0.7).abs() < 1e-3, "{last}");
}

/// Fit, then freeze: every fitted `[model]` default is the value `scripts/fit_reactions.py` wrote to
/// `docs/data/fitted.csv`, rounded to two decimals, and lies inside its 90% interval.
#[test]
fn fitted_defaults_are_the_fitted_values() {
    let text = std::fs::read_to_string(crate::util::root().join("docs/data/fitted.csv")).unwrap();
    let pairs = [
        ("class_mc_a", "class_material_cooperation_a"),
        ("class_mc_b", "class_material_cooperation_b"),
        ("class_vf_a", "class_verbal_conflict_a"),
        ("class_vf_b", "class_verbal_conflict_b"),
        ("class_mf_a", "class_material_conflict_a"),
        ("class_mf_b", "class_material_conflict_b"),
        ("gravity_sender", "gravity_sender"),
        ("gravity_target", "gravity_target"),
        ("gravity_tie", "gravity_tie"),
        ("issue_rate", "issue_rate"),
        ("attention_half_life", "attention_half_life"),
        ("anchor_rate", "anchor_rate"),
    ];
    for (key, row) in pairs {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("{row},")))
            .unwrap_or_else(|| panic!("{row} not in fitted.csv"));
        let f: Vec<f64> = line
            .split(',')
            .skip(1)
            .take(3)
            .map(|x| x.parse().unwrap())
            .collect();
        let spec = diplosim::model::param_spec(key).unwrap();
        assert!(
            (spec.default - f[0]).abs() <= 0.005 + 1e-9,
            "{key}: default {} vs fitted {}",
            spec.default,
            f[0]
        );
        assert!(
            f[1] <= spec.default && spec.default <= f[2],
            "{key} outside its interval"
        );
        assert!(spec.source.starts_with("fitted: "), "{key}");
    }
}
