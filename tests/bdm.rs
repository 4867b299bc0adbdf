//! Bueno de Mesquita's expected-utility model (src/engine/bdm.rs) against the replication's
//! European Community car-emissions example: the inputs of Scholz, Calbert & Smith (2011) Table 1,
//! the first-round risk exponents and expected utilities of an independent implementation
//! (tests/golden/bdm_car_emissions.txt, which says how they were computed) to 1e-6, and the
//! paper's published Table 2 (median and mean position after each of rounds 1–8).

use diplosim::engine::bdm::{OfferKind, Player, Round};

/// Table 1: capability, position (years), salience (/100), in ExampleActors.csv's order.
const ACTORS: [(&str, f64, f64, f64); 10] = [
    ("Netherlands", 0.08, 4.0, 0.8),
    ("Belgium", 0.08, 7.0, 0.4),
    ("Luxembourg", 0.03, 4.0, 0.2),
    ("Germany", 0.16, 4.0, 0.8),
    ("France", 0.16, 10.0, 0.6),
    ("Italy", 0.16, 10.0, 0.6),
    ("UK", 0.16, 10.0, 0.9),
    ("Ireland", 0.05, 7.0, 0.1),
    ("Denmark", 0.05, 4.0, 1.0),
    ("Greece", 0.08, 7.0, 0.7),
];

fn players() -> Vec<Player> {
    ACTORS
        .iter()
        .map(|&(_, c, x, s)| Player { x, c, s })
        .collect()
}

/// The golden file's rows of one kind: (label, numbers).
fn golden(kind: &str) -> Vec<(String, Vec<f64>)> {
    let text = include_str!("golden/bdm_car_emissions.txt");
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            if parts.next()? != kind {
                return None;
            }
            let rest: Vec<&str> = parts.collect();
            // `r` rows have no label; the others name an actor or a round.
            let (label, nums) = if kind == "r" {
                (String::new(), &rest[..])
            } else {
                (rest[0].to_string(), &rest[1..])
            };
            Some((label, nums.iter().map(|v| v.parse().unwrap()).collect()))
        })
        .collect()
}

#[test]
fn first_round_risk_exponents_match_the_replication() {
    let p = players();
    let mut round = Round::new(&p, 10.0 - 4.0);
    let r = round.risk_exponents().to_vec();
    let want = &golden("r")[0].1;
    assert_eq!(want.len(), 10);
    for (i, (got, want)) in r.iter().zip(want).enumerate() {
        assert!(
            (got - want).abs() < 1e-6,
            "{}: r = {got}, the replication has {want}",
            ACTORS[i].0
        );
    }
    // By hand: Ireland is the least secure (R = +1 → r = 0.5) and Denmark the most (R = −1 → 2).
    assert!(
        (r[7] - 0.5).abs() < 1e-12 && (r[8] - 2.0).abs() < 1e-12,
        "{r:?}"
    );
}

#[test]
fn first_round_expected_utilities_match_the_replication() {
    let p = players();
    let mut round = Round::new(&p, 6.0);
    round.risk_exponents();
    for (kind, own) in [("eu", true), ("euj", false)] {
        let rows = golden(kind);
        assert_eq!(rows.len(), 10, "{kind} rows");
        for (i, (name, want)) in rows.iter().enumerate() {
            assert_eq!(name, ACTORS[i].0);
            for (j, w) in want.iter().enumerate() {
                let got = if i == j {
                    0.0
                } else if own {
                    round.eu_challenge(i, i, j)
                } else {
                    round.eu_challenge(i, j, i)
                };
                assert!(
                    (got - w).abs() < 1e-6,
                    "{kind} {name} vs {}: {got}, the replication has {w}",
                    ACTORS[j].0
                );
            }
        }
    }
}

#[test]
fn status_quo_utility_is_zero_at_r_one_and_signs_follow_the_exponent() {
    // U_sq = 2 − 4·½^r: 0 at r = 1, 2 − 4·¼ = 1 at r = 2.
    let p = players();
    let round = Round::new(&p, 6.0);
    let (us, uf, usq) = round.utilities(0, 10.0, 1.0);
    // d = |4 − 10| / 6 = 1: success 2 − 4·0 = 2, failure 2 − 4·1 = −2, status quo 0.
    assert_eq!((us, uf, usq), (2.0, -2.0, 0.0));
    let (_, _, usq2) = round.utilities(0, 10.0, 2.0);
    assert_eq!(usq2, 1.0);
}

#[test]
fn round_one_moves_are_the_replications() {
    // Belgium compromises with France, Luxembourg loses a confrontation to Belgium, Ireland loses
    // one to Luxembourg (Scholz et al.'s round 1 as both code replications report it).
    let p = players();
    let mut round = Round::new(&p, 6.0);
    round.risk_exponents();
    let all = || 0..ACTORS.len();
    let be = round.best_offer(1, all()).unwrap();
    assert_eq!((be.kind, be.from), (OfferKind::Compromise, 4));
    let lu = round.best_offer(2, all()).unwrap();
    assert_eq!(
        (lu.kind, lu.from, lu.position),
        (OfferKind::Confrontation, 1, 7.0)
    );
    let ie = round.best_offer(7, all()).unwrap();
    assert_eq!((ie.kind, ie.position), (OfferKind::Confrontation, 4.0));
    // Nobody offers the UK anything it would take.
    assert!(round.best_offer(6, all()).is_none());
}

#[test]
fn rounds_reproduce_the_published_medians_and_means() {
    // Scholz et al. 2011, Table 2, after rounds 1–8 (one decimal, truncated as the paper prints).
    let median = [8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6];
    let mean = [7.4, 7.5, 7.6, 7.3, 7.3, 7.4, 7.5, 7.6];
    let rounds = golden("round");
    let mut p = players();
    for k in 0..8 {
        let mut round = Round::new(&p, 6.0);
        let next = round.play();
        for (pl, x) in p.iter_mut().zip(&next) {
            pl.x = *x;
        }
        let after = Round::new(&p, 6.0);
        let (m, mu) = (after.median_position(), after.mean_position());
        // The independent replication, position by position.
        let want = &rounds[k].1;
        assert!(
            (m - want[0]).abs() < 1e-6 && (mu - want[1]).abs() < 1e-6,
            "round {}",
            k + 1
        );
        for (i, x) in next.iter().enumerate() {
            assert!(
                (x - want[2 + i]).abs() < 1e-6,
                "round {}, {}",
                k + 1,
                ACTORS[i].0
            );
        }
        // The paper: the mean within 0.07 of its printed decimal (its means are neither all
        // rounded nor all truncated: 7.461 prints 7.4 and 7.590 prints 7.6), and the median
        // truncated to one decimal, except round 2, where every replication has 9.61 and the
        // paper prints 9.9 (a known discrepancy, not reproduced by any published code).
        assert!(
            (mu - mean[k]).abs() < 0.07,
            "round {} mean {mu} vs {}",
            k + 1,
            mean[k]
        );
        if k != 1 {
            assert_eq!(
                (m * 10.0).floor() / 10.0,
                median[k],
                "round {} median {m}",
                k + 1
            );
        }
    }
}
