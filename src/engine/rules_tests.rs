//! Tests of `crate::engine::rules` (kept beside it to keep that file to its code).

use super::*;
use crate::engine::run_rng;
use crate::scenario::Library;

/// Rule 2 from a scenario's initial state, 20,000 times: the background events of each
/// ordered pair against q_ij = 1 − exp(−rate c_i^a c_j^b e^{t·tie_ij}), tie_ij = 1 when
/// |A_ij(0)| ≥ ally_threshold, computed here from the scenario. Pearson's χ² over the pairs
/// with 0 < q < 1 (each a sends / does not send count) against its critical value at
/// p = 10⁻⁶ (Wilson–Hilferty); pairs with q = 0 never send. Fixed seed. Returns (χ², critical
/// value).
fn pair_frequencies(name: &str) -> (f64, f64) {
    let lib = Library::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios"));
    let sc = lib.load(name, &[]).unwrap();
    let c = Compiled::new(&sc);
    let n = c.n;
    let st = State::new(&c);
    let mut x = Scratch::new(n);
    let mut rng = run_rng(17, 0);
    let m = 20_000;
    let mut count = vec![0u64; n * n];
    for _ in 0..m {
        draw_events(&c, &st, 1, &mut x, &mut rng);
        for e in &x.events {
            assert!(!e.issue);
            count[e.actor.ix() * n + e.target.ix()] += 1;
        }
        let order = |e: &Event| (e.actor, e.target);
        assert!(x.events.windows(2).all(|w| order(&w[0]) < order(&w[1])));
    }
    let pr = &sc.params;
    let (mut chi2, mut df) = (0.0f64, 0.0f64);
    for i in 0..n {
        for j in (0..n).filter(|&j| j != i) {
            let a = sc
                .relations
                .iter()
                .find(|r| r.from.ix() == i && r.to.ix() == j)
                .map_or(0.0, |r| r.affinity);
            let tie = if a != 0.0 && a.abs() >= pr.ally_threshold {
                1.0
            } else {
                0.0
            };
            let lambda = pr.rate
                * sc.actors[i].capability.powf(pr.gravity_sender)
                * sc.actors[j].capability.powf(pr.gravity_target)
                * (pr.gravity_tie * tie).exp();
            let q = 1.0 - (-lambda).exp();
            if q == 0.0 {
                assert_eq!(count[i * n + j], 0, "{name}: {i} → {j} has q = 0");
                continue;
            }
            let want = m as f64 * q;
            chi2 += (count[i * n + j] as f64 - want).powi(2) / (want * (1.0 - q));
            df += 1.0;
        }
    }
    let h = 2.0 / (9.0 * df);
    (chi2, df * (1.0 - h + 4.753 * h.sqrt()).powi(3))
}

#[test]
fn each_pair_sends_with_probability_q() {
    // The baseline: 9 actors, each with one full group of eight partners (72 pairs).
    let (chi2, crit) = pair_frequencies("baseline");
    assert!(chi2 < crit, "baseline: χ² = {chi2} ≥ {crit}");
    // The North Atlantic Council and the Indo-Pacific: 40 actors, 39 partners in four full
    // groups and a last group of seven (its eighth bit masked); up to 1,560 pairs.
    let (chi2, crit) = pair_frequencies("nac");
    assert!(chi2 < crit, "nac: χ² = {chi2} ≥ {crit}");
}
