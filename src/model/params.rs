//! The `[model]` coefficients: one table of keys with defaults, valid ranges and meanings.

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
    fn defaults_lie_in_their_ranges() {
        for p in &PARAM_SPECS {
            assert!(p.default >= p.min && p.default <= p.max, "{}", p.key);
        }
    }
}
