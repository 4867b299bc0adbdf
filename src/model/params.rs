//! The `[model]` coefficients: one table of keys with defaults, valid ranges, meanings and sources.
//!
//! [`for_each_param!`] holds the only list of parameters. From it come the [`Params`] struct, its
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
            beta: f64 = 0.15, closed(0.0, 10.0), "β: weight of stance disagreement in the desired tone τ = A − β σ |s_i − s_j| / 2", "calibrated: with T = 0.5 the baseline's conflict share per dyad is closest to ICEWS 2002–2014 at β = 0 (RMS error 5.9 points, README, The record); 0.15 keeps the office's disagreement in the tone for 6.6";
            rate: f64 = 0.4, closed(0.0, 1.0), "event rate: q = rate · σ · (0.25 + 0.75 |τ|) per ordered pair per step; 0 turns events off", "calibrated: `diplosim calibrate record_2023` (README, Observations and calibration) puts it at a median 0.42, 90% interval 0.21–0.58 with version 0.4.0 (0.50, 0.15–0.57 with 0.3.0; 0.42, 0.32–0.59 when 0.4 was chosen): China's and Russia's ministries criticised NATO within weeks of the plan, which a quieter model rarely does";
            temperature: f64 = 0.5, open_low(0.0, 10.0), "T: code choice ∝ f_k · exp(−(G/10 − τ)² / 2T²) (rules 2 and 8)", "calibrated: the baseline's class mix and per-dyad conflict shares against ICEWS (README, The record); 0.15 gave 37% verbal conflict against the record's 7%";
            kappa: f64 = 0.03, closed(0.0, 1.0), "κ: target's view of the actor moves by κ·G/10", "assumption: one event moves a view a little";
            kappa_third: f64 = 0.01, closed(0.0, 1.0), "κ₃: each ally l of the target moves its view of the actor by κ₃·A_lj·G/10", "assumption: allies react more weakly than the target";
            delta: f64 = 0.05, closed(0.0, 1.0), "δ: affinities relax by δ(A(0) − A) per step", "assumption: a view returns to its baseline over a few months";
            kappa_posture: f64 = 0.05, closed(0.0, 10.0), "κ_p: a coercive event raises the target's posture by κ_p·|G|/10", "assumption: coercion raises posture slowly";
            kappa_open: f64 = 0.2, closed(0.0, 1.0), "κ_o: at the opening, affinity toward host and body moves by κ_o·σ·s", "assumption: the opening is a visible but modest signal";
            ally_threshold: f64 = 0.3, closed(-1.0, 1.0), "affinity A_lj above which l counts as j's ally for third-party reactions", "assumption: close allies sit near +0.4 in the baseline";
            escalation_threshold: f64 = 1.5, closed(0.0, 1000.0), "posture needed for coercive codes (Goldstein ≤ −7)", "assumption: no coercion at peacetime posture 1";
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
                ["assumption: ", "article ¶", "calibrated: "]
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
