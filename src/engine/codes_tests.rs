//! Tests of `crate::engine::codes` (kept beside it to keep that file to its code).

use super::*;
use crate::engine::run_rng;

#[test]
fn class_probabilities_are_the_fitted_logit() {
    let s = CodeSampler::new(&Params::default());
    // By hand at τ = −1 with the defaults: exponents 0, −4.11 + 0.74 = −3.37,
    // −2.57 + 2.61 = 0.04, −3.29 + 1.99 = −1.30.
    let e = [0.0f64, -3.37, 0.04, -1.30].map(f64::exp);
    let sum: f64 = e.iter().sum();
    let p = s.class_probs(-1.0);
    for c in 0..4 {
        assert!((p[c] - e[c] / sum).abs() < 1e-12, "{c}: {p:?}");
    }
    // Tone 0: verbal cooperation 1 / (1 + e^−4.11 + e^−2.57 + e^−3.29).
    let p0 = s.class_probs(0.0)[0];
    let want = 1.0 / (1.0 + (-4.11f64).exp() + (-2.57f64).exp() + (-3.29f64).exp());
    assert!((p0 - want).abs() < 1e-12);
}

/// 200,000 draws at τ = −0.8, gates closed and all open: the class shares against the link
/// (χ², 3 degrees of freedom, critical value 27.9 at p = 10⁻⁵) and, within material conflict,
/// the code shares against rule 8's weights of its open codes (χ², codes expected ≥ 5 times);
/// at T = 0.5 (envelopes) and T = 0.3 (weights computed per draw).
#[test]
fn draws_follow_class_then_code() {
    // T = 0.5 draws from the envelopes, T = 0.3 (too steep for them) from the weights.
    for t in [0.5, 0.3] {
        let pr = Params {
            temperature: t,
            ..Params::default()
        };
        draws_at(&CodeSampler::new(&pr), t);
    }
}

fn draws_at(s: &CodeSampler, t: f64) {
    assert_eq!(s.envelopes.is_some(), t == 0.5);
    let mut rng = run_rng(5, 0);
    for mask in [0, MILITARY | FORCE | ECONOMIC] {
        let n = 200_000;
        let mut count = [0u64; K];
        for _ in 0..n {
            count[s.pick(-0.8, mask, &mut rng)] += 1;
        }
        let p = s.class_probs(-0.8);
        let mut chi2 = 0.0;
        for (c, class) in EventClass::ALL.iter().enumerate() {
            let got: u64 = (0..K)
                .filter(|&k| CATALOGUE[k].class() == *class)
                .map(|k| count[k])
                .sum();
            let want = n as f64 * p[c];
            chi2 += (got as f64 - want).powi(2) / want;
        }
        assert!(chi2 < 27.9, "mask {mask}: class χ² {chi2}");
        // Closed codes never come up; open codes of material conflict in proportion to
        // f_k exp(−(g_k − τ)²/2T²), computed here directly (T = 0.5).
        let mf: Vec<usize> = (0..K)
            .filter(|&k| CATALOGUE[k].class() == EventClass::MaterialConflict)
            .collect();
        let wt = |k: usize| {
            let d = CATALOGUE[k].goldstein / 10.0 + 0.8;
            CATALOGUE[k].base_rate() * (-d * d / (2.0 * t * t)).exp()
        };
        let open_w: f64 = mf.iter().filter(|&&k| open(k, mask)).map(|&k| wt(k)).sum();
        let total: u64 = mf.iter().map(|&k| count[k]).sum();
        let (mut chi2, mut df) = (0.0f64, 0.0f64);
        for &k in &mf {
            if !open(k, mask) {
                assert_eq!(count[k], 0, "{} is closed", CATALOGUE[k].code);
                continue;
            }
            let want = total as f64 * wt(k) / open_w;
            if want < 5.0 {
                continue;
            }
            chi2 += (count[k] as f64 - want).powi(2) / want;
            df += 1.0;
        }
        // Wilson–Hilferty critical value at p = 10⁻⁵.
        let h = 2.0 / (9.0 * df);
        let crit = df * (1.0 - h + 4.265 * h.sqrt()).powi(3);
        assert!(chi2 < crit, "mask {mask}: code χ² {chi2} ≥ {crit}");
    }
}

/// The tabulated exponentials against `libm::exp` at 100,001 tones, for the defaults' class
/// coefficients and the extremes of their range (±20): relative error below 10⁻¹⁴.
#[test]
fn tabulated_exponentials_are_exact_to_rounding() {
    let t = ExpTable::new(&[0.0, -4.11, 0.0], &[-2.61, -0.74, 20.0]);
    let t2 = ExpTable::new(&[0.0], &[-20.0]);
    for i in 0..=100_000 {
        let tau = -1.0 + 2.0 * i as f64 / 100_000.0;
        let (b, d) = ExpTable::locate(tau);
        for (j, (off, c)) in [(0.0, -2.61), (-4.11, -0.74), (0.0, 20.0)]
            .iter()
            .enumerate()
        {
            let want = libm::exp(off + c * tau);
            assert!((t.eval(j, b, d) / want - 1.0).abs() < 1e-14, "{tau} {c}");
        }
        let want = libm::exp(-20.0 * tau);
        assert!((t2.eval(0, b, d) / want - 1.0).abs() < 1e-14, "{tau}");
    }
}

/// e^{−m} from the table against `libm::exp` over [0, 70]: relative error below 10⁻¹⁴.
#[test]
fn the_exp_neg_table_is_exact_to_rounding() {
    let t = ExpNeg::new();
    for i in 0..=700_000 {
        let m = i as f64 / 10_000.0;
        let want = libm::exp(-m);
        assert!((t.eval(m) / want - 1.0).abs() < 1e-14, "{m}");
    }
}

#[test]
fn gates_close_exactly_their_codes() {
    let gated = |g: Gate| -> Vec<&str> {
        CATALOGUE
            .iter()
            .filter(|c| c.gate() == g)
            .map(|c| c.code)
            .collect()
    };
    assert_eq!(gated(Gate::Military), ["138", "150"]);
    assert_eq!(gated(Gate::Force), ["190", "191"]);
    assert_eq!(gated(Gate::Economic), ["162", "163"]);
    // Every class keeps open codes with every gate closed.
    for class in EventClass::ALL {
        assert!(CATALOGUE
            .iter()
            .enumerate()
            .any(|(k, c)| c.class() == class && open(k, 0)));
    }
}
