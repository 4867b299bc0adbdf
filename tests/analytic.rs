//! The model with noise and events off must reproduce closed forms: the Friedkin–Johnsen
//! equilibrium, Richardson's two-actor equilibrium and its stability condition, the compromise
//! forecast. Expected values are computed here, independently of the crate.

use crate::util::{run, scenario, solve};

/// Four actors, events and noise off, so W is static and the run is pure FJ.
const FJ: &str = r#"
[scenario]
steps = 3000
[model]
rate = 0.0
issue_rate = 0.0
noise = 0.0
[issue]
body = "b"
host = "a"
[[actor]]
id = "a"
name = "A"
capability = 0.9
stance = 0.8
salience = 0.9
stubbornness = 0.3
source = "test"
[[actor]]
id = "b"
name = "B"
capability = 0.5
stance = -0.6
salience = 0.4
stubbornness = 0.7
source = "test"
[[actor]]
id = "c"
name = "C"
capability = 0.3
stance = 0.1
salience = 0.6
stubbornness = 0.1
source = "test"
[[actor]]
id = "d"
name = "D"
capability = 0.7
stance = -0.2
salience = 0.2
stubbornness = 0.5
source = "test"
[[relation]]
from = "a"
to = "b"
affinity = 0.5
source = "test"
[[relation]]
from = "b"
to = "a"
affinity = 0.2
source = "test"
[[relation]]
from = "b"
to = "c"
affinity = -0.4
source = "test"
[[relation]]
from = "c"
to = "a"
affinity = 0.9
source = "test"
[[relation]]
from = "c"
to = "d"
affinity = 0.3
source = "test"
[[relation]]
from = "d"
to = "b"
affinity = 0.6
source = "test"
[[relation]]
from = "d"
to = "c"
affinity = 0.1
source = "test"
"#;

/// The FJ equilibrium: solve (I − ΛW) s* = (I − Λ) s0 with Λ = diag(1 − ρ).
fn fj_closed_form(w: &[[f64; 4]; 4], rho: &[f64; 4], s0: &[f64; 4]) -> Vec<f64> {
    let m: Vec<Vec<f64>> = (0..4)
        .map(|i| {
            (0..4)
                .map(|j| f64::from(u8::from(i == j)) - (1.0 - rho[i]) * w[i][j])
                .collect()
        })
        .collect();
    let b: Vec<f64> = (0..4).map(|i| rho[i] * s0[i]).collect();
    solve(m, b)
}

#[test]
fn friedkin_johnsen_reaches_the_closed_form_equilibrium() {
    let sc = scenario(FJ);
    let c = [0.9, 0.5, 0.3, 0.7];
    let rho = [0.3, 0.7, 0.1, 0.5];
    let s0 = [0.8, -0.6, 0.1, -0.2];
    // Raw weights r_ii = c_i, r_ij = c_j max(A_ij, 0), rows normalised.
    let mut a = [[0.0f64; 4]; 4];
    a[0][1] = 0.5;
    a[1][0] = 0.2;
    a[1][2] = -0.4;
    a[2][0] = 0.9;
    a[2][3] = 0.3;
    a[3][1] = 0.6;
    a[3][2] = 0.1;
    let mut w = [[0.0f64; 4]; 4];
    for i in 0..4 {
        for j in 0..4 {
            w[i][j] = if i == j {
                c[i]
            } else {
                c[j] * a[i][j].max(0.0)
            };
        }
        let s: f64 = w[i].iter().sum();
        w[i].iter_mut().for_each(|x| *x /= s);
    }
    let expected = fj_closed_form(&w, &rho, &s0);
    let (_, out) = run(&sc, 7);
    for i in 0..4 {
        assert!(
            (out.final_stance[i] - expected[i]).abs() < 1e-12,
            "actor {i}: {} vs closed form {}",
            out.final_stance[i],
            expected[i]
        );
    }
    // Spot check one value by hand: B's row is (0.9·0.2, 0.5, 0) / 0.68 over (a, b, c).
    assert!((w[1][0] - 0.18 / 0.68).abs() < 1e-15);
}

#[test]
fn explicit_influence_rows_replace_affinity_weights() {
    // Give `a` an explicit row: self 1, influence 3 on d. Rows of others stay affinity-based.
    let text = FJ.replace(
        "stubbornness = 0.3\nsource = \"test\"",
        "stubbornness = 0.3\nself_weight = 1.0\nsource = \"test\"",
    ) + "[[relation]]\nfrom = \"a\"\nto = \"d\"\ninfluence = 3.0\nsource = \"test\"\n";
    let sc = scenario(&text);
    let rho = [0.3, 0.7, 0.1, 0.5];
    let s0 = [0.8, -0.6, 0.1, -0.2];
    let mut w = [[0.0f64; 4]; 4];
    w[0] = [0.25, 0.0, 0.0, 0.75]; // explicit: (1, 0, 0, 3) / 4 — a→b's affinity no longer counts
    let raw = [
        [0.0; 4],
        [0.9 * 0.2, 0.5, 0.0, 0.0],
        [0.9 * 0.9, 0.0, 0.3, 0.7 * 0.3],
        [0.0, 0.5 * 0.6, 0.3 * 0.1, 0.7],
    ];
    for i in 1..4 {
        let s: f64 = raw[i].iter().sum();
        for j in 0..4 {
            w[i][j] = raw[i][j] / s;
        }
    }
    let expected = fj_closed_form(&w, &rho, &s0);
    let (_, out) = run(&sc, 1);
    for i in 0..4 {
        assert!(
            (out.final_stance[i] - expected[i]).abs() < 1e-12,
            "actor {i}"
        );
    }
}

#[test]
fn first_fj_step_matches_a_hand_calculation() {
    // s_b(1) = λ_b (W_ba s_a + W_bb s_b) + ρ_b s_b(0), W_b = (0.18, 0.5)/0.68, λ_b = 0.3.
    let sc = scenario(&FJ.replace("steps = 3000", "steps = 1"));
    let (rec, _) = run(&sc, 1);
    let expected = 0.3 * ((0.18 * 0.8 + 0.5 * -0.6) / 0.68) + 0.7 * -0.6;
    let got = rec.actor_series(0, 1)[1];
    assert!((got - expected).abs() < 1e-15, "{got} vs {expected}");
}

fn richardson(
    k1: f64,
    k2: f64,
    a12: f64,
    a21: f64,
    m: f64,
    n: f64,
    g: f64,
    h: f64,
    steps: usize,
) -> String {
    format!(
        r#"
[scenario]
steps = {steps}
[model]
rate = 0.0
issue_rate = 0.0
noise = 0.0
[issue]
body = "x"
host = "x"
[[actor]]
id = "x"
name = "X"
capability = 0.4
stance = 0.0
salience = 0.5
posture = 0.0
reactivity = {k1}
fatigue = {m}
grievance = {g}
source = "test"
[[actor]]
id = "y"
name = "Y"
capability = 0.9
stance = 0.0
salience = 0.5
posture = 0.0
reactivity = {k2}
fatigue = {n}
grievance = {h}
source = "test"
[[relation]]
from = "x"
to = "y"
affinity = {a12}
source = "test"
[[relation]]
from = "y"
to = "x"
affinity = {a21}
source = "test"
"#
    )
}

#[test]
fn richardson_two_actors_converge_to_the_closed_form_when_mn_exceeds_ab() {
    let (k1, k2, a12, a21, m, n, g, h) = (0.2, 0.3, -0.5, -0.4, 0.3, 0.25, 0.1, 0.05);
    let sc = scenario(&richardson(k1, k2, a12, a21, m, n, g, h, 2000));
    let a = k1 * 0.5;
    let b = k2 * 0.4;
    assert!(m * n > a * b);
    let x_star = (n * g + a * h) / (m * n - a * b);
    let y_star = (m * h + b * g) / (m * n - a * b);
    let (_, out) = run(&sc, 3);
    assert!(
        (out.final_posture[0] - x_star).abs() < 1e-12,
        "{} vs {x_star}",
        out.final_posture[0]
    );
    assert!(
        (out.final_posture[1] - y_star).abs() < 1e-12,
        "{} vs {y_star}",
        out.final_posture[1]
    );
    // Capabilities differ (0.4, 0.9) but with two actors the weighting cancels, as DESIGN says.
    assert!((x_star - 0.47619047619047616).abs() < 1e-12);
}

#[test]
fn richardson_arms_race_diverges_when_ab_exceeds_mn() {
    // a = b = 0.5, m = n = 0.1: m n = 0.01 < a b = 0.25. With m = n the growth factor per step
    // tends to the dominant eigenvalue 1 − m + √(ab) = 1.4.
    let sc = scenario(&richardson(0.5, 0.5, -1.0, -1.0, 0.1, 0.1, 0.1, 0.1, 60));
    let (rec, _) = run(&sc, 3);
    let x = rec.actor_series(1, 0);
    assert!(x[60] > 1e6, "posture should explode, got {}", x[60]);
    let ratio = x[60] / x[59];
    assert!((ratio - 1.4).abs() < 1e-9, "growth factor {ratio}");
}

#[test]
fn compromise_forecast_and_polarization_match_hand_values() {
    let sc = scenario(FJ);
    let (rec, _) = run(&sc, 1);
    let c = [0.9, 0.5, 0.3, 0.7];
    let sal = [0.9, 0.4, 0.6, 0.2];
    let s0 = [0.8, -0.6, 0.1, -0.2];
    let num: f64 = (0..4).map(|i| c[i] * sal[i] * s0[i]).sum();
    let den: f64 = (0..4).map(|i| c[i] * sal[i]).sum();
    // 0.9·0.9·0.8 − 0.5·0.4·0.6 + 0.3·0.6·0.1 − 0.7·0.2·0.2 = 0.648 − 0.12 + 0.018 − 0.028 = 0.518;
    // den = 0.81 + 0.2 + 0.18 + 0.14 = 1.33.
    assert!((num - 0.518).abs() < 1e-12 && (den - 1.33).abs() < 1e-12);
    assert!((rec.region[0][0] - 0.518 / 1.33).abs() < 1e-15);
    let mean: f64 = (0..4).map(|i| c[i] * s0[i]).sum::<f64>() / 2.4;
    let var: f64 = (0..4).map(|i| c[i] * (s0[i] - mean).powi(2)).sum::<f64>() / 2.4;
    assert!((rec.region[1][0] - var.sqrt()).abs() < 1e-15);
}
