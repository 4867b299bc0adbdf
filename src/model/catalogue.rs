//! The CAMEO / Goldstein event catalogue: the coded actions actors send each other.

use serde::Serialize;

/// One coded action of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Code {
    /// CAMEO code, e.g. `"111"`.
    pub code: &'static str,
    /// Short label, e.g. `"criticize or denounce"`.
    pub label: &'static str,
    /// Goldstein conflict–cooperation weight in [-10, 10].
    pub goldstein: f64,
}

/// Goldstein weight at or below which an event is coercive (threats of force, shows of force,
/// sanctions, expulsions, blockades, force). Coercive codes need posture ≥ `escalation_threshold`.
pub const COERCIVE: f64 = -7.0;

/// The catalogue of DESIGN.md (Goldstein 1992, CAMEO adaptation as used by GDELT), in CAMEO order.
pub const CATALOGUE: [Code; 30] = [
    Code {
        code: "010",
        label: "make statement",
        goldstein: 0.0,
    },
    Code {
        code: "012",
        label: "pessimistic comment",
        goldstein: -0.4,
    },
    Code {
        code: "013",
        label: "optimistic comment",
        goldstein: 0.4,
    },
    Code {
        code: "019",
        label: "express accord",
        goldstein: 3.4,
    },
    Code {
        code: "020",
        label: "appeal",
        goldstein: 3.0,
    },
    Code {
        code: "030",
        label: "express intent to cooperate",
        goldstein: 4.0,
    },
    Code {
        code: "036",
        label: "express intent to meet",
        goldstein: 4.0,
    },
    Code {
        code: "040",
        label: "consult",
        goldstein: 1.0,
    },
    Code {
        code: "042",
        label: "make a visit",
        goldstein: 1.9,
    },
    Code {
        code: "043",
        label: "host a visit",
        goldstein: 2.8,
    },
    Code {
        code: "046",
        label: "engage in negotiation",
        goldstein: 7.0,
    },
    Code {
        code: "050",
        label: "diplomatic cooperation",
        goldstein: 3.5,
    },
    Code {
        code: "051",
        label: "praise or endorse",
        goldstein: 3.4,
    },
    Code {
        code: "057",
        label: "sign formal agreement",
        goldstein: 8.0,
    },
    Code {
        code: "062",
        label: "cooperate militarily",
        goldstein: 7.4,
    },
    Code {
        code: "072",
        label: "provide military aid",
        goldstein: 8.3,
    },
    Code {
        code: "111",
        label: "criticize or denounce",
        goldstein: -2.0,
    },
    Code {
        code: "112",
        label: "accuse",
        goldstein: -2.0,
    },
    Code {
        code: "114",
        label: "complain officially",
        goldstein: -2.0,
    },
    Code {
        code: "120",
        label: "reject",
        goldstein: -4.0,
    },
    Code {
        code: "125",
        label: "reject proposal to meet",
        goldstein: -5.0,
    },
    Code {
        code: "130",
        label: "threaten",
        goldstein: -4.4,
    },
    Code {
        code: "1312",
        label: "threaten sanctions",
        goldstein: -5.8,
    },
    Code {
        code: "138",
        label: "threaten military force",
        goldstein: -7.0,
    },
    Code {
        code: "150",
        label: "demonstrate military posture",
        goldstein: -7.2,
    },
    Code {
        code: "160",
        label: "reduce relations",
        goldstein: -4.0,
    },
    Code {
        code: "163",
        label: "impose embargo or sanctions",
        goldstein: -8.0,
    },
    Code {
        code: "166",
        label: "expel or withdraw",
        goldstein: -7.0,
    },
    Code {
        code: "191",
        label: "blockade",
        goldstein: -9.5,
    },
    Code {
        code: "190",
        label: "use conventional military force",
        goldstein: -10.0,
    },
];

/// Index of a CAMEO code in [`CATALOGUE`].
pub fn code_index(code: &str) -> Option<usize> {
    CATALOGUE.iter().position(|c| c.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_codes_are_unique_and_weights_in_range() {
        for (i, a) in CATALOGUE.iter().enumerate() {
            assert!((-10.0..=10.0).contains(&a.goldstein));
            for b in &CATALOGUE[i + 1..] {
                assert_ne!(a.code, b.code);
            }
        }
        // Coercive codes are exactly the six DESIGN.md names as needing escalation.
        let coercive: Vec<&str> = CATALOGUE
            .iter()
            .filter(|c| c.goldstein <= COERCIVE)
            .map(|c| c.code)
            .collect();
        assert_eq!(coercive, ["138", "150", "163", "166", "191", "190"]);
    }
}
