//! The `[model]` coefficients: one table of keys with defaults, valid ranges, meanings and sources.
//!
//! `for_each_param!` holds the only list of parameters. From it come the [`Params`] struct, its
//! default, the [`PARAM_SPECS`] table (which drives validation, `show`, `--set`, the JSON Schema and
//! the README table) and, in `scenario::raw`, the serde type that mirrors a `[model]` table.

use std::fmt::Write as _;

/// The `[model]` parameters, one per line: `key: type = default, bounds, meaning, source;`.
///
/// `type` is `f64` or `usize` (an integer parameter: written as a whole number, rounded when
/// sampled); `bounds` is `closed(min, max)` or `open_low(min, max)` (min excluded). Adding a
/// parameter is adding a line here (and using it in the engine).
///
/// The defaults give a diplomatic story of statements, protests and visits where force is rare:
/// see the README's calibration notes. Each default is an assumption of this project.
macro_rules! for_each_param {
    ($then:ident) => {
        $then! {
            beta: f64 = 0.15, closed(0.0, 10.0), "β: weight of stance disagreement in a background event's desired tone τ = A − β σ |s_i − s_j| / 2 (an issue signal carries the whole disagreement, docs/model.md)", "calibrated: in 0.4, with T = 0.5 the baseline's conflict share per dyad is closest to ICEWS 2002–2014 at β = 0 (RMS error 5.9 points, README, The record); 0.15 keeps the office's disagreement in the tone at an RMS error of 6.6 points";
            rate: f64 = 0.17, closed(0.0, 10.0), "background volume (rule 2, volume by partner): i sends j a bilateral event in a step with probability 1 − exp(−rate · c_i^{a} · c_j^{b} · e^{t·tie_ij}), tie_ij = 1 if A_ij(0) ≠ 0 and |A_ij(0)| ≥ ally_threshold; 0 turns background events off", "calibrated: holds the baseline's mean events a run, background and issue signals, at 0.4.0's (about 800; 794 with 0.5.0 over 1,000 runs); 0.4's rate (q = rate · σ · (0.25 + 0.75 |τ|)) was calibrated on `calibrate record_2023`, whose timing facts the issue signals now carry";
            temperature: f64 = 0.5, open_low(0.0, 10.0), "T: within its class, code k is chosen ∝ f_k · exp(−(G_k/10 − τ)² / 2T²) (rules 2 and 8)", "calibrated: 0.4's value (then the whole code choice, fitted to the baseline's class mix against ICEWS, README, The record); within a class it only ranks codes by closeness to the tone";
            gravity_sender: f64 = 1.37, closed(0.0, 5.0), "a: exponent of the sender's capability in the background volume", "fitted: docs/data/fitted.csv (scripts/fit_reactions.py): Poisson fit of ICEWS 2002–2009 events a year over 22,952 directed dyads of 152 states on codebook C1 capabilities, 90% interval 1.23–1.52";
            gravity_target: f64 = 1.29, closed(0.0, 5.0), "b: exponent of the target's capability in the background volume", "fitted: docs/data/fitted.csv (scripts/fit_reactions.py): the same fit, 90% interval 1.22–1.35";
            gravity_tie: f64 = 1.16, closed(0.0, 5.0), "t: log-volume added by a tie (an ally or a rival: A_ij(0) ≠ 0 and |A_ij(0)| ≥ ally_threshold)", "fitted: docs/data/fitted.csv (scripts/fit_reactions.py): the same fit, tie = an ATOP 5.1 defence obligation or a Thompson–Dreyer rivalry, 90% interval 0.86–1.44";
            class_mc_a: f64 = -4.11, closed(-20.0, 20.0), "class link (rule 2, class then code): P(class) ∝ exp(a_c + b_c τ), verbal cooperation the reference (a = b = 0); a for material cooperation", "fitted: docs/data/fitted.csv (scripts/fit_reactions.py): ln(N)-weighted multinomial logit over the 104 ICEWS 2002–2009 directed dyads among the region's 11 states (docs/data/dyads.csv) with ≥ 50 events, τ the dyad's tone on the scale of codebook A1, 90% interval −4.24 to −3.96";
            class_mc_b: f64 = -0.74, closed(-20.0, 20.0), "class link: b for material cooperation", "fitted: docs/data/fitted.csv (scripts/fit_reactions.py): the same fit, 90% interval −1.10 to −0.45";
            class_vf_a: f64 = -2.57, closed(-20.0, 20.0), "class link: a for verbal conflict", "fitted: docs/data/fitted.csv (scripts/fit_reactions.py): the same fit, 90% interval −2.63 to −2.52";
            class_vf_b: f64 = -2.61, closed(-20.0, 20.0), "class link: b for verbal conflict", "fitted: docs/data/fitted.csv (scripts/fit_reactions.py): the same fit, 90% interval −2.81 to −2.46";
            class_mf_a: f64 = -3.29, closed(-20.0, 20.0), "class link: a for material conflict", "fitted: docs/data/fitted.csv (scripts/fit_reactions.py): the same fit, 90% interval −3.41 to −3.17";
            class_mf_b: f64 = -1.99, closed(-20.0, 20.0), "class link: b for material conflict", "fitted: docs/data/fitted.csv (scripts/fit_reactions.py): the same fit, 90% interval −2.33 to −1.62";
            news_public: f64 = 1.0, closed(0.0, 10.0), "visibility of the proposal becoming public at step 0: attention starts at news_public · σ_i (1 is the unit of visibility)", "assumption: a scenario starts at the announcement; set it lower for an issue already public before step 0";
            news_vote: f64 = 0.5, closed(0.0, 10.0), "visibility of a vote of the body (a summit) that is the first or whose blockers changed (a vote that fails as before is not news): attention rises by news_vote · σ_i, plus news_decision · σ_i if it approves", "assumption: a summit that decides the issue is news, less than its announcement";
            news_decision: f64 = 1.0, closed(0.0, 10.0), "visibility of the approval and of the opening: attention rises by news_decision · σ_i at each", "assumption: the decision is as visible as the announcement";
            attention_half_life: f64 = 1.14, open_low(0.0, 520.0), "half-life of attention in steps: h_i(t+1) = 2^(−1/half-life) h_i(t) + news", "fitted: docs/data/fitted.csv (scripts/fit_reactions.py): media coverage of a shock halves every 8 days (Prieto Curiel et al. 2019, Computers, Environment and Urban Systems 75), 8/7 weeks; published range 36 hours to 43 days";
            issue_rate: f64 = 3.98, closed(0.0, 100.0), "issue signals: i sends each issue target (the body, the host) Poisson(issue_rate · h_i) events about the issue a step; 0 turns them off", "fitted: docs/data/fitted.csv (scripts/fit_reactions.py): 17 of 17 first official reactions to 9 episodes (2012–2022) within a week (docs/data/reaction_lags.csv): 1 − exp(−0.9 r) = 17.5/18, 90% interval 2.50–9.99";
            excitation: f64 = 0.0, closed(0.0, 10.0), "self-excitation: each issue signal an actor receives adds excitation · σ_j to its attention", "assumption: 0, no training data identifies the branching ratio; news alone drives attention";
            anchor_rate: f64 = 0.29, closed(0.0, 1.0), "lasting change: part of what pressure (rule 7's Δs of events with G < 0), a stance shock or a hostile injected event does to a stance moves the anchor too, s_i(0) += min(1, anchor_rate · h_i) · Δs_i", "fitted: docs/data/fitted.csv (scripts/fit_reactions.py): Finland's net support for joining NATO after 24 Feb 2022 (Yle polls, docs/data/finland_polls.csv) approached its new level at 0.29 a week, 90% interval 0.21–0.40";
            force_threshold: f64 = 3.0, closed(0.0, 1000.0), "posture needed for the use of force (190, 191)", "assumption: twice the escalation threshold: force is rarer than threats";
            leverage_threshold: f64 = 0.02, closed(0.0, 1.0), "economic leverage over the target needed for economic measures (162, 163)", "assumption: codebook K1, a market taking under about 2–3% of the target's exports is not among its main markets";
            concession: f64 = 1.0, closed(0.0, 1.0), "bargaining (docs/model.md, decisions in time): after a failed vote each blocker b takes the best offer a consenting member's challenge makes it in one round of Bueno de Mesquita's expected-utility model (Scholz et al. 2011) and moves concession · λ_b of the way to it (λ_b = 1 − ρ_b, its susceptibility in rule 1), stance and anchor (a stated concession); 0 turns concessions off", "assumption: Scholz et al. 2011 move an actor that accepts an offer all the way to it (the share 1), here tempered by the member's stubbornness; the EC car-emissions example is reproduced in tests/bdm.rs";
            side_payment: f64 = 0.5, closed(0.0, 1.0), "bargaining: the supporters' budget for linked side payments is side_payment · Σ c_i σ_i (s_i − θ_k) over the members who consent; a blocker b still short of consent is bought off by the consenting member p with the most `linkage` (b's request to p) when the budget left covers its price c_b σ_b (θ_k − s_b) / ((1 − ρ_b) · linkage_bp) (without linkage there is nothing to pay with; a principled holdout, ρ → 1, cannot be bought); 0 turns payments off", "assumption: supporters spend up to half of what the decision is worth to them; anchored on the record of linked deals (Türkiye's ratification linked to F-16s, Hungary's beside a Gripen deal, 2024), not fitted";
            failure_cost: f64 = 0.05, closed(0.0, 10.0), "shelving: the proposer shelves the proposal at a failed vote when failure_cost × failed votes so far exceeds what continuing is worth to it, σ_P (s_P − θ_k) k · P(consent beats the furthest holdout among the members); 0 never shelves", "assumption: a proposer with σ 0.7 and stance 0.7 over a threshold of 0.2 (a stake of 0.35) at even odds drops the proposal at the fourth failed vote (0.05 × 4 = 0.20 > 0.175), about four months of monthly meetings";
            min_scope: f64 = 1.0, closed(0.0, 1.0), "scaling down: after a failed vote the proposer may shrink the proposal to scope k ≥ min_scope; a member consents to scope k when s ≥ θ_k = −1 + k (1 + θ), and the opening's effect scales by k; 1 never scales down", "assumption: a liaison office is not divisible unless a scenario says so";
            reach: f64 = 0.05, closed(0.0, 2.0), "votes when a deal is within reach: while the proposal is postponed the body votes at any step, min_vote_gap after the last vote, at which every member's stance is at least θ_k − reach", "assumption: five weeks of stance noise (0.01 a week), a gap one round of bargaining at the meeting can close";
            min_vote_gap: usize = 1, closed(1.0, 520.0), "votes when a deal is within reach: the fewest steps between two votes", "assumption: a week, as the North Atlantic Council meets at least weekly at the level of permanent representatives (NATO, The North Atlantic Council, https://www.nato.int/cps/en/natohq/topics_49763.htm); Hungary ratified three days after Orbán met Kristersson (23 → 26 Feb 2024)";
            substitute_threshold: f64 = -0.5, closed(-1.0, 1.0), "substitute: when the proposal is shelved and the issue names a `substitute`, it is adopted if every member's stance is at least this", "assumption: a lesser step (a partnership programme) is acceptable to all but members strongly opposed to the whole idea";
            kappa: f64 = 0.03, closed(0.0, 1.0), "κ: target's view of the actor moves by κ·G/10", "assumption: one event moves a view a little";
            kappa_third: f64 = 0.01, closed(0.0, 1.0), "κ₃: each ally l of the target moves its view of the actor by κ₃·A_lj·G/10", "assumption: allies react more weakly than the target";
            delta: f64 = 0.05, closed(0.0, 1.0), "δ: affinities relax by δ(A(0) − A) per step", "assumption: a view returns to its baseline over a few months";
            kappa_posture: f64 = 0.05, closed(0.0, 10.0), "κ_p: a coercive event raises the target's posture by κ_p·|G|/10", "assumption: coercion raises posture slowly";
            kappa_open: f64 = 0.2, closed(0.0, 1.0), "κ_o: at the opening, affinity toward host and body moves by κ_o·σ·s", "assumption: the opening is a visible but modest signal";
            ally_threshold: f64 = 0.3, closed(-1.0, 1.0), "affinity A_lj above which l counts as j's ally for third-party reactions", "assumption: close allies sit near +0.4 in the baseline";
            escalation_threshold: f64 = 1.5, closed(0.0, 1000.0), "posture needed for military threats and shows of force (138, 150)", "assumption: no coercion at peacetime posture 1";
            eta: f64 = 0.5, closed(0.0, 10.0), "η: rule 7, an event of weight G from i moves j's stance by η (1 − ρ_j) (|G|/10) (s_i − s_j)/2 · r (r = 1 for G > 0, compliance_ji for G < 0)", "assumption: the largest single event (|G| 10, stances 2 apart, a target without stubbornness) moves a stance by 0.5; China's show of force on Japan (ρ 0.7, compliance −0.5) by +0.045 in that week, above the weekly noise (0.01), and the FJ anchor takes it back within weeks unless the pressure goes on (README, Rule 7)";
            noise: f64 = 0.01, closed(0.0, 1.0), "standard deviation of the stance noise ε", "assumption: stances drift little week to week";
            ma_window: usize = 4, closed(1.0, 520.0), "steps in the moving average of the cooperation index", "assumption: about a month of weekly steps";
        }
    };
}
pub(crate) use for_each_param;

/// How a parameter's Rust type is written in a scenario file.
pub trait ParamType: Copy {
    /// The type serde reads: `f64`, or `i64` for whole numbers (so `4.5` is a type error).
    type Raw: Copy;
    /// Whether the parameter takes whole numbers.
    const INTEGER: bool;
    fn from_raw(r: Self::Raw) -> Self;
    fn to_raw(self) -> Self::Raw;
    fn as_f64(self) -> f64;
    fn raw_value(r: Self::Raw) -> RawValue;
}

impl ParamType for f64 {
    type Raw = f64;
    const INTEGER: bool = false;
    fn from_raw(r: f64) -> f64 {
        r
    }
    fn to_raw(self) -> f64 {
        self
    }
    fn as_f64(self) -> f64 {
        self
    }
    fn raw_value(r: f64) -> RawValue {
        RawValue::Real(r)
    }
}

impl ParamType for usize {
    type Raw = i64;
    const INTEGER: bool = true;
    fn from_raw(r: i64) -> usize {
        r as usize
    }
    fn to_raw(self) -> i64 {
        self as i64
    }
    fn as_f64(self) -> f64 {
        self as f64
    }
    fn raw_value(r: i64) -> RawValue {
        RawValue::Int(r)
    }
}

/// A value as written in a file, before its range is checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RawValue {
    Real(f64),
    Int(i64),
}

/// A range of valid values: closed, or with the lower bound excluded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub min: f64,
    pub max: f64,
    /// The lower bound is excluded.
    pub open_low: bool,
}

impl Bounds {
    /// [min, max]
    pub const fn closed(min: f64, max: f64) -> Self {
        Bounds {
            min,
            max,
            open_low: false,
        }
    }
    /// (min, max]
    pub const fn open_low(min: f64, max: f64) -> Self {
        Bounds {
            min,
            max,
            open_low: true,
        }
    }
    /// Whether `x` lies in the range.
    pub fn holds(self, x: f64) -> bool {
        (if self.open_low {
            x > self.min
        } else {
            x >= self.min
        }) && x <= self.max
    }
    /// `[0, 1]`, `(0, 10]`; `f64::MAX` is written ∞.
    pub fn text(self) -> String {
        let lo = if self.open_low { "(" } else { "[" };
        let fmt = |x: f64| {
            if x == f64::MAX {
                "∞".to_string()
            } else {
                format!("{x}")
            }
        };
        format!("{lo}{}, {}]", fmt(self.min), fmt(self.max))
    }
}

/// One `[model]` key: name, default, valid range, meaning and where the default comes from.
#[derive(Debug)]
pub struct ParamSpec {
    pub key: &'static str,
    pub default: f64,
    pub bounds: Bounds,
    /// Whole numbers only.
    pub integer: bool,
    /// What the parameter does, with its formula.
    pub doc: &'static str,
    /// Where the default comes from: `article ¶N: …` or `assumption: …`.
    pub source: &'static str,
}

macro_rules! define_params {
    ($($key:ident : $ty:ident = $default:literal, $kind:ident($lo:expr, $hi:expr), $doc:literal, $source:literal;)*) => {
        /// Resolved `[model]` coefficients.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Params {
            $(#[doc = $doc] pub $key: $ty,)*
        }

        impl Default for Params {
            fn default() -> Self {
                Params { $($key: $default,)* }
            }
        }

        impl Params {
            /// The value of a key as a number, in [`PARAM_SPECS`] order.
            pub fn values(&self) -> [f64; PARAM_COUNT] {
                [$(ParamType::as_f64(self.$key),)*]
            }
        }

        /// Every `[model]` key, in file order.
        pub const PARAM_SPECS: [ParamSpec; PARAM_COUNT] = [$(ParamSpec {
            key: stringify!($key),
            default: $default as f64,
            bounds: Bounds::$kind($lo, $hi),
            integer: <$ty as ParamType>::INTEGER,
            doc: $doc,
            source: $source,
        },)*];

        /// Number of `[model]` keys.
        pub const PARAM_COUNT: usize = [$(stringify!($key),)*].len();
    };
}
for_each_param!(define_params);

/// Spec of a `[model]` key.
pub fn param_spec(key: &str) -> Option<&'static ParamSpec> {
    PARAM_SPECS.iter().find(|p| p.key == key)
}

/// The README's `[model]` table, as Markdown (a test keeps the README in step).
pub fn readme_table() -> String {
    let mut s =
        String::from("| key | default | range | meaning | source |\n|---|---|---|---|---|\n");
    let minus = |t: String| t.replace('-', "−");
    for p in &PARAM_SPECS {
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} | {} |",
            p.key,
            minus(format!("{}", p.default)),
            minus(p.bounds.text()),
            p.doc.replace('|', "\\|"),
            p.source.replace('|', "\\|")
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_lie_in_their_ranges() {
        for p in &PARAM_SPECS {
            assert!(p.bounds.holds(p.default), "{}", p.key);
            assert!(!p.integer || p.default.fract() == 0.0, "{}", p.key);
        }
    }

    #[test]
    fn the_default_params_are_the_spec_defaults() {
        let d = Params::default().values();
        for (p, v) in PARAM_SPECS.iter().zip(d) {
            assert_eq!(p.default, v, "{}", p.key);
        }
    }

    #[test]
    fn every_default_names_its_source() {
        for p in &PARAM_SPECS {
            assert!(
                ["assumption: ", "article ¶", "calibrated: ", "fitted: "]
                    .iter()
                    .any(|s| p.source.starts_with(s)),
                "{}",
                p.key
            );
        }
    }

    #[test]
    fn the_readme_model_table_matches_the_specs() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("| key | default | range | meaning")
            .expect("README has a [model] table");
        let end = readme[start..]
            .find("\n\n")
            .map_or(readme.len(), |e| start + e + 1);
        let table = &readme[start..end];
        let want = readme_table();
        assert!(
            table == want,
            "the README's [model] table is stale; replace it with:\n{want}"
        );
    }
}
