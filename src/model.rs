//! The model's vocabulary: the CAMEO / Goldstein event catalogue, the `[model]` coefficients with
//! their defaults and valid ranges, and the office statuses.
//!
//! Keeping defaults and ranges in one table lets validation, `show`, the README and the engine
//! agree on them.

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

/// Status of the office. The numeric value is what `timeseries.csv` writes as `office_status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Proposed = 0,
    Postponed = 1,
    Approved = 2,
    Opened = 3,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Proposed,
        Status::Postponed,
        Status::Approved,
        Status::Opened,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Status::Proposed => "proposed",
            Status::Postponed => "postponed",
            Status::Approved => "approved",
            Status::Opened => "opened",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.name() == s)
    }
}

/// Resolved `[model]` coefficients.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// β: how much stance disagreement sours the desired tone.
    pub beta: f64,
    /// Base probability scale of an event per ordered pair per step.
    pub rate: f64,
    /// T: softmax temperature of the code choice (in Goldstein/10 units).
    pub temperature: f64,
    /// κ: how much an event moves the target's view of the actor.
    pub kappa: f64,
    /// κ₃: how much an event moves the views of the target's allies.
    pub kappa_third: f64,
    /// δ: relaxation of affinities toward their baseline per step.
    pub delta: f64,
    /// κ_p: posture raised on the target of a coercive event, per |G|/10.
    pub kappa_posture: f64,
    /// κ_o: affinity shift toward host and body at the opening, per σ·s.
    pub kappa_open: f64,
    /// Affinity above which a third party counts as the target's ally.
    pub ally_threshold: f64,
    /// Posture needed to use coercive codes (G ≤ −7).
    pub escalation_threshold: f64,
    /// Standard deviation of the stance noise ε.
    pub noise: f64,
    /// Steps spanned by the cooperation index's moving average.
    pub ma_window: usize,
}

/// One `[model]` key: name, default, valid range, meaning. The range is closed unless
/// `open_low` is set (then the lower bound is excluded).
pub struct ParamSpec {
    pub key: &'static str,
    pub default: f64,
    pub min: f64,
    pub max: f64,
    pub open_low: bool,
    pub integer: bool,
    pub doc: &'static str,
}

/// Defaults give a diplomatic story of statements, protests and visits where force is rare:
/// see the README's calibration notes. Each default is an assumption of this project.
pub const PARAM_SPECS: [ParamSpec; 12] = [
    ParamSpec { key: "beta", default: 0.3, min: 0.0, max: 10.0, open_low: false, integer: false,
        doc: "β: weight of stance disagreement in the desired tone τ = A − β σ |s_i − s_j| / 2" },
    ParamSpec { key: "rate", default: 0.12, min: 0.0, max: 1.0, open_low: false, integer: false,
        doc: "event rate: q = rate · σ · (0.25 + 0.75 |τ|) per ordered pair per step; 0 turns events off" },
    ParamSpec { key: "temperature", default: 0.15, min: 0.0, max: 10.0, open_low: true, integer: false,
        doc: "T: code choice ∝ exp(−(G/10 − τ)² / 2T²)" },
    ParamSpec { key: "kappa", default: 0.03, min: 0.0, max: 1.0, open_low: false, integer: false,
        doc: "κ: target's view of the actor moves by κ·G/10" },
    ParamSpec { key: "kappa_third", default: 0.01, min: 0.0, max: 1.0, open_low: false, integer: false,
        doc: "κ₃: each ally l of the target moves its view of the actor by κ₃·A_lj·G/10" },
    ParamSpec { key: "delta", default: 0.05, min: 0.0, max: 1.0, open_low: false, integer: false,
        doc: "δ: affinities relax by δ(A(0) − A) per step" },
    ParamSpec { key: "kappa_posture", default: 0.05, min: 0.0, max: 10.0, open_low: false, integer: false,
        doc: "κ_p: a coercive event raises the target's posture by κ_p·|G|/10" },
    ParamSpec { key: "kappa_open", default: 0.2, min: 0.0, max: 1.0, open_low: false, integer: false,
        doc: "κ_o: at the opening, affinity toward host and body moves by κ_o·σ·s" },
    ParamSpec { key: "ally_threshold", default: 0.3, min: -1.0, max: 1.0, open_low: false, integer: false,
        doc: "affinity A_lj above which l counts as j's ally for third-party reactions" },
    ParamSpec { key: "escalation_threshold", default: 1.5, min: 0.0, max: 1000.0, open_low: false, integer: false,
        doc: "posture needed for coercive codes (Goldstein ≤ −7)" },
    ParamSpec { key: "noise", default: 0.01, min: 0.0, max: 1.0, open_low: false, integer: false,
        doc: "standard deviation of the stance noise ε" },
    ParamSpec { key: "ma_window", default: 4.0, min: 1.0, max: 520.0, open_low: false, integer: true,
        doc: "steps in the moving average of the cooperation index" },
];

/// Spec of a `[model]` key.
pub fn param_spec(key: &str) -> Option<&'static ParamSpec> {
    PARAM_SPECS.iter().find(|p| p.key == key)
}

impl Default for Params {
    fn default() -> Self {
        let d = |k: &str| param_spec(k).map(|p| p.default).unwrap_or(0.0);
        Params {
            beta: d("beta"),
            rate: d("rate"),
            temperature: d("temperature"),
            kappa: d("kappa"),
            kappa_third: d("kappa_third"),
            delta: d("delta"),
            kappa_posture: d("kappa_posture"),
            kappa_open: d("kappa_open"),
            ally_threshold: d("ally_threshold"),
            escalation_threshold: d("escalation_threshold"),
            noise: d("noise"),
            ma_window: d("ma_window") as usize,
        }
    }
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

    #[test]
    fn defaults_lie_in_their_ranges() {
        for p in &PARAM_SPECS {
            assert!(p.default >= p.min && p.default <= p.max, "{}", p.key);
        }
    }
}
