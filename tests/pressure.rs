//! The engine's event rules against hand calculations. Rule 7, pressure and persuasion: one event
//! of weight G from i to j moves j's stance by Δs_j = η (1 − ρ_j) (|G|/10) (s_i − s_j)/2 · r, with
//! r = 1 for G > 0, r = compliance_ji for G < 0 and r = 0 for G = 0; drawn and injected events
//! alike. Rule 2: events happen as often as q says, gated codes only with the posture or the
//! leverage their gate needs. Rule 3: reactions to drawn events with relaxation. Rule 6: the moving average.

use crate::util::{run, scenario};
use diplosim::model::{Gate, Metric, CATALOGUE};

/// Two actors that ignore each other (A = 0 both ways, so W is the identity and FJ keeps both at
/// s(0)), events and noise off; one event from `i` to `j` injected at step 1.
fn two(eta: f64, rho_j: f64, compliance: Option<f64>, code: &str) -> String {
    let comp = compliance
        .map(|c| format!("compliance = {c}\n"))
        .unwrap_or_default();
    format!(
        r#"
[scenario]
steps = 1
[model]
rate = 0.0
issue_rate = 0.0
noise = 0.0
eta = {eta}
[issue]
body = "b"
host = "i"
[[actor]]
id = "i"
name = "I"
capability = 0.5
stance = -0.8
salience = 1.0
stubbornness = 0.5
source = "test"
[[actor]]
id = "j"
name = "J"
capability = 0.5
stance = 0.6
salience = 1.0
stubbornness = {rho_j}
source = "test"
[[relation]]
from = "j"
to = "i"
affinity = 0.0
{comp}source = "test"
[[relation]]
from = "i"
to = "j"
affinity = 0.0
source = "test"
[[shock]]
step = 1
kind = "event"
actor = "i"
target = "j"
code = "{code}"
source = "test"
"#
    )
}

fn stance_j_after(eta: f64, rho_j: f64, compliance: Option<f64>, code: &str) -> f64 {
    let sc = scenario(&two(eta, rho_j, compliance, code));
    let (rec, _) = run(&sc, 1);
    rec.value(Metric::Stance, 1, 1)
}

fn close(got: f64, want: f64) {
    assert!((got - want).abs() < 1e-12, "{got} vs {want}");
}

#[test]
fn persuasion_pulls_the_target_toward_the_actor() {
    // Sign formal agreement, G = +8: Δ = 1 · 0.6 · 0.8 · (−0.8 − 0.6)/2 · 1 = −0.336.
    close(stance_j_after(1.0, 0.4, None, "057"), 0.6 - 0.336);
    // Persuasion pulls whatever the compliance.
    close(stance_j_after(1.0, 0.4, Some(-1.0), "057"), 0.6 - 0.336);
}

#[test]
fn pressure_moves_the_target_as_its_compliance_says() {
    // Show of force, G = −7.2: 1 · 0.6 · 0.72 · (−0.7) = −0.3024, times r = compliance.
    close(stance_j_after(1.0, 0.4, Some(1.0), "150"), 0.6 - 0.3024);
    close(stance_j_after(1.0, 0.4, Some(-1.0), "150"), 0.6 + 0.3024);
    close(stance_j_after(1.0, 0.4, Some(0.5), "150"), 0.6 - 0.1512);
    close(stance_j_after(1.0, 0.4, Some(0.0), "150"), 0.6);
    // No compliance given: unmoved.
    close(stance_j_after(1.0, 0.4, None, "150"), 0.6);
}

#[test]
fn a_stubborn_target_and_a_neutral_event_move_nothing() {
    close(stance_j_after(2.0, 1.0, Some(1.0), "150"), 0.6);
    close(stance_j_after(2.0, 1.0, None, "057"), 0.6);
    // A statement, G = 0.
    close(stance_j_after(2.0, 0.4, Some(1.0), "010"), 0.6);
}

#[test]
fn the_stance_stays_in_its_range() {
    // η = 3 and full backlash: 0.6 + 3 · 0.6 · 0.72 · 0.7 = 1.5072, clamped to 1.
    close(stance_j_after(3.0, 0.4, Some(-1.0), "150"), 1.0);
}

/// Drawn events: i always acts on j and j (almost) never on i: q_ij = 1 − exp(−10 · 1⁵ · e^{1.16})
/// = 1 − 10⁻¹³·⁹ (a tie: A_ij = 1), q_ji = 1 − exp(−10 · 0.01⁵) ≈ 10⁻⁹; no issue signals and no
/// lasting change (issue_rate = anchor_rate = 0); affinities fixed (κ = κ₃ = δ = 0). Each step, by
/// hand from the recorded codes: s_j(t+1) = clamp(λ_j s_j(t) + ρ_j s_j(0) + Δ(G_t, s(t))),
/// s_i(t+1) = λ_i W_i·s(t) + ρ_i s_i(0).
#[test]
fn drawn_events_move_stances_by_rule_7_summed_from_state_t() {
    let text = r#"
[scenario]
steps = 30
[model]
rate = 10.0
gravity_sender = 5.0
gravity_target = 0.0
gravity_tie = 1.16
issue_rate = 0.0
anchor_rate = 0.0
beta = 0.0
noise = 0.0
kappa = 0.0
kappa_third = 0.0
delta = 0.0
eta = 0.5
[issue]
body = "b"
host = "i"
[[actor]]
id = "i"
name = "I"
capability = 1.0
stance = -0.8
salience = 1.0
stubbornness = 0.5
source = "test"
[[actor]]
id = "j"
name = "J"
capability = 0.01
stance = 0.6
salience = 0.0
stubbornness = 0.4
source = "test"
[[relation]]
from = "i"
to = "j"
affinity = 1.0
source = "test"
[[relation]]
from = "j"
to = "i"
affinity = 0.0
compliance = -0.5
source = "test"
"#;
    let sc = scenario(text);
    let (rec, _) = run(&sc, 7);
    assert_eq!(rec.events.len(), 30, "one event from i to j every step");
    let (mut si, mut sj) = (-0.8f64, 0.6f64);
    for t in 0..30 {
        let e = rec.events[t];
        assert_eq!((e.step, e.actor.ix(), e.target.ix()), (t + 1, 0, 1));
        let g = CATALOGUE[e.code].goldstein;
        let r = if g > 0.0 {
            1.0
        } else if g < 0.0 {
            -0.5
        } else {
            0.0
        };
        let d = 0.5 * 0.6 * (g.abs() / 10.0) * (si - sj) / 2.0 * r;
        // i's row: W_ii = c_i = 1, W_ij = c_j · 1 = 0.01, normalised.
        let si_next = 0.5 * ((si + 0.01 * sj) / 1.01) + 0.5 * -0.8;
        let sj_next = (0.6 * sj + 0.4 * 0.6 + d).clamp(-1.0, 1.0);
        si = si_next;
        sj = sj_next;
        assert!(
            (rec.value(Metric::Stance, t + 1, 0) - si).abs() < 1e-12,
            "step {}",
            t + 1
        );
        assert!(
            (rec.value(Metric::Stance, t + 1, 1) - sj).abs() < 1e-12,
            "step {}",
            t + 1
        );
    }
    // The events moved j: without them it would stay at 0.6.
    assert!((sj - 0.6).abs() > 0.05, "{sj}");
}

/// Rule 6's moving average spans the steps with events (1..=t), never step 0's empty index:
/// one injected agreement (G = +8) at step 1 and nothing else, `ma_window` 4.
#[test]
fn cooperation_moving_average_leaves_out_step_zero() {
    let mut text = two(0.0, 0.4, None, "057");
    text = text
        .replace("steps = 1", "steps = 6")
        .replace("[model]", "[model]\nma_window = 4");
    let sc = scenario(&text);
    let (rec, _) = run(&sc, 1);
    let ma: Vec<f64> = (0..=6)
        .map(|t| rec.value(Metric::CooperationMa, t, 0))
        .collect();
    // Step 0: no events, 0. Step 1: 8/1. Step 2: 8/2. Step 3: 8/3. Step 4: 8/4. Step 5: 0/4.
    let want = [0.0, 8.0, 4.0, 8.0 / 3.0, 2.0, 0.0, 0.0];
    for (t, (g, w)) in ma.iter().zip(want).enumerate() {
        assert!((g - w).abs() < 1e-12, "step {t}: {g} vs {w}");
    }
}

/// Two actors, i → j only (j's background volume toward i is rate · 0.01⁵ ≈ 5 · 10⁻¹¹ a step, and
/// no issue signals), stances equal so τ = A_ij exactly, β irrelevant; affinities frozen
/// (κ = κ₃ = δ = 0), noise off. i's volume toward j: q = 1 − exp(−0.5 e^{1.16·tie}), tie when
/// |A_ij| ≥ 0.3 (gravity_target = 0, c_i = 1).
fn rule2(affinity: f64, posture: f64, steps: usize) -> String {
    format!(
        r#"
[scenario]
steps = {steps}
[model]
rate = 0.5
gravity_sender = 5.0
gravity_target = 0.0
gravity_tie = 1.16
issue_rate = 0.0
noise = 0.0
kappa = 0.0
kappa_third = 0.0
delta = 0.0
kappa_posture = 0.0
escalation_threshold = 1.5
[issue]
body = "b"
host = "i"
[[actor]]
id = "i"
name = "I"
capability = 1.0
stance = 0.3
salience = 0.8
stubbornness = 1.0
posture = {posture}
fatigue = 0.0
grievance = 0.0
reactivity = 0.0
source = "test"
[[actor]]
id = "j"
name = "J"
capability = 0.01
stance = 0.3
salience = 0.0
stubbornness = 1.0
fatigue = 0.0
grievance = 0.0
reactivity = 0.0
source = "test"
[[relation]]
from = "i"
to = "j"
affinity = {affinity}
source = "test"
[[relation]]
from = "j"
to = "i"
affinity = 0.0
source = "test"
"#
    )
}

/// Rule 2 (0.5): i acts on j in a step with probability q = 1 − exp(−rate c_i^a c_j^b e^{t·tie});
/// here 1 − exp(−0.5 e^{1.16}) = 0.797 with a tie (|A| ≥ 0.3) and 1 − exp(−0.5) = 0.393 without,
/// whatever the tone; over 4,000 steps the count lies within 4 standard deviations of 4,000 q.
#[test]
fn events_happen_as_often_as_q_says() {
    for (affinity, tie) in [(-0.6, 1.0), (0.0, 0.0), (0.2, 0.0), (0.4, 1.0)] {
        let sc = scenario(&rule2(affinity, 1.0, 4000));
        let (rec, _) = run(&sc, 5);
        let q: f64 = 1.0 - (-0.5 * f64::exp(1.16 * tie)).exp();
        let n = 4000.0;
        let got = rec.events.len() as f64;
        let sd = (n * q * (1.0 - q)).sqrt();
        assert!(
            (got - n * q).abs() < 4.0 * sd,
            "A={affinity}: {got} vs {}",
            n * q
        );
        assert!(rec
            .events
            .iter()
            .all(|e| e.actor.ix() == 0 && e.target.ix() == 1));
    }
}

/// The gates (0.5): at τ = −0.9 military codes (138, 150) are drawn only at posture ≥ the
/// escalation threshold (1.5), force (190, 191) only at posture ≥ the force threshold (3), and
/// economic measures (162, 163) never without leverage over the target. The coercive count is the
/// count of codes with G ≤ −7 (166, "expel or withdraw", is open to all).
#[test]
fn gated_codes_need_posture_or_leverage() {
    let gated = |rec: &diplosim::output::record::Recording, g: Gate| {
        rec.events
            .iter()
            .filter(|e| CATALOGUE[e.code].gate() == g)
            .count()
    };
    let below = scenario(&rule2(-0.9, 1.0, 3000));
    let (rec, out) = run(&below, 3);
    assert!(rec.events.len() > 1000);
    for g in [Gate::Military, Gate::Force, Gate::Economic] {
        assert_eq!(gated(&rec, g), 0, "{g:?} at posture 1");
    }
    let coercive = |rec: &diplosim::output::record::Recording| {
        rec.events
            .iter()
            .filter(|e| CATALOGUE[e.code].goldstein <= -7.0)
            .count()
    };
    assert_eq!(out.coercive_events, coercive(&rec));
    let military = scenario(&rule2(-0.9, 2.0, 3000));
    let (rec, out) = run(&military, 3);
    assert!(
        gated(&rec, Gate::Military) > 20,
        "{}",
        gated(&rec, Gate::Military)
    );
    assert_eq!(gated(&rec, Gate::Force), 0);
    assert_eq!(out.coercive_events, coercive(&rec));
    let force = scenario(&rule2(-0.9, 4.0, 3000));
    let (rec, _) = run(&force, 3);
    assert!(
        gated(&rec, Gate::Force) > 20,
        "{}",
        gated(&rec, Gate::Force)
    );
    assert_eq!(gated(&rec, Gate::Economic), 0);
    // Leverage opens economic measures (and only toward the target it is over).
    let text = rule2(-0.9, 1.0, 3000).replace(
        "from = \"i\"\nto = \"j\"\naffinity = -0.9",
        "from = \"i\"\nto = \"j\"\naffinity = -0.9\nleverage = 0.3",
    );
    assert!(text.contains("leverage = 0.3"));
    let (rec, _) = run(&scenario(&text), 3);
    assert!(
        gated(&rec, Gate::Economic) > 20,
        "{}",
        gated(&rec, Gate::Economic)
    );
    assert_eq!(gated(&rec, Gate::Military), 0);
}

/// Rule 3 with relaxation, replayed by hand from the recorded events: j's view of i moves by
/// κ·G/10 per event and relaxes by δ(A(0) − A) every step, clipped to [−1, 1].
#[test]
fn reactions_to_drawn_events_relax_toward_the_baseline() {
    let text = rule2(0.4, 1.0, 200)
        .replace("kappa = 0.0", "kappa = 0.05")
        .replace("delta = 0.0", "delta = 0.1")
        .replace(
            "from = \"j\"\nto = \"i\"\naffinity = 0.0",
            "from = \"j\"\nto = \"i\"\naffinity = 0.2",
        );
    let sc = scenario(&text);
    let (rec, out) = run(&sc, 9);
    assert!(rec.events.len() > 20);
    let mut a_ji = 0.2f64;
    let mut k = 0;
    for t in 1..=200 {
        let mut d = 0.0;
        while k < rec.events.len() && rec.events[k].step == t {
            d += 0.05 * CATALOGUE[rec.events[k].code].goldstein / 10.0;
            k += 1;
        }
        a_ji = (a_ji + d + 0.1 * (0.2 - a_ji)).clamp(-1.0, 1.0);
    }
    // final_affinity is row-major: A[j*n + i] with n = 2 is index 2.
    assert!(
        (out.final_affinity[2] - a_ji).abs() < 1e-12,
        "{} vs {a_ji}",
        out.final_affinity[2]
    );
    // i's view of j has no events to react to (j never acts) and stays at its baseline.
    assert!((out.final_affinity[1] - 0.4).abs() < 1e-12);
}
