//! Small statistics for ensemble outcomes.

use serde::Serialize;

/// A proportion with its 95% Wilson score interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Proportion {
    pub estimate: f64,
    pub lo: f64,
    pub hi: f64,
    pub count: u64,
    pub runs: u64,
}

/// Wilson score interval for k successes in n trials at z = 1.959963984540054 (95%):
/// centre (p + z²/2n) / (1 + z²/n), half-width z √(p(1−p)/n + z²/4n²) / (1 + z²/n).
pub fn wilson(k: u64, n: u64) -> Proportion {
    if n == 0 {
        return Proportion {
            estimate: f64::NAN,
            lo: 0.0,
            hi: 1.0,
            count: 0,
            runs: 0,
        };
    }
    let z = 1.959963984540054;
    let nf = n as f64;
    let p = k as f64 / nf;
    let d = 1.0 + z * z / nf;
    let centre = (p + z * z / (2.0 * nf)) / d;
    let half = z * (p * (1.0 - p) / nf + z * z / (4.0 * nf * nf)).sqrt() / d;
    Proportion {
        estimate: p,
        // At k = 0 and k = n the bounds are exactly 0 and 1 (rounding would leave 1e-18).
        lo: if k == 0 {
            0.0
        } else {
            (centre - half).max(0.0)
        },
        hi: if k == n {
            1.0
        } else {
            (centre + half).min(1.0)
        },
        count: k,
        runs: n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_matches_published_values() {
        // Newcombe (1998), Table I: 81/263 → 0.2553–0.3662 (Wilson, no continuity correction).
        let p = wilson(81, 263);
        assert!(
            (p.lo - 0.2553).abs() < 5e-5 && (p.hi - 0.3662).abs() < 5e-5,
            "{p:?}"
        );
        // 0/10 → 0–0.2775; 10/10 → 0.7225–1.
        let p = wilson(0, 10);
        assert!(p.lo == 0.0 && (p.hi - 0.2775).abs() < 5e-5, "{p:?}");
        let p = wilson(10, 10);
        assert!(
            (p.lo - 0.7225).abs() < 5e-5 && (p.hi - 1.0).abs() < 1e-12,
            "{p:?}"
        );
    }
}
