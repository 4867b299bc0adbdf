//! Paired comparison of scenarios over an ensemble with common random numbers.
//!
//! Run r of every scenario is driven by the same generator (`engine::run_rng(seed, r)`), so the
//! difference between two scenarios in run r is mostly the difference the scenarios make, not
//! sampling noise. Each outcome's difference from the first scenario is the mean of the per-run
//! differences with a 95% normal interval (mean ± 1.96·sd/√R, sd over runs with R − 1). Each
//! outcome has a smallest difference that matters ([`OutcomeRow::smallest`]: 0.05 of stance, one
//! point of probability, one week, 0.1 coercive events a run, 5% of the first scenario's
//! cooperation index), and three verdicts: "within noise" when the interval includes 0,
//! "differs, negligible" when it excludes 0 but the difference is smaller than that, "differs
//! materially" otherwise. One run of either scenario cannot reverse the conclusion, as a
//! single-seed comparison can.
//!
//! Timing: the weeks of approval and of opening are compared run by run, a run that never got
//! there counted at the horizon + 1 (so a delay past the end still counts, and the mean is a
//! lower bound of the true delay when runs are cut off). Scenarios of different lengths are
//! judged over the weeks they share: the office's probabilities are its status at the shortest
//! horizon H, its weeks the first it reached approval or opening by H (else H + 1).
//!
//! Coercive events are counted as *drawn* by the model: events a scenario injects as shocks are
//! subtracted, so a scenario that injects a show of force does not report P(hostile) = 1 by
//! construction. The cooperation index is given as a regional sum per step and per ordered pair
//! of actors (the sum over N(N − 1) dyads), so scenarios with different actor counts compare.

pub use super::records::{records, records_drawn, CoopObserver, RunRecord};
use crate::error::Result;
use crate::model::Status;
use crate::scenario::Scenario;
use crate::sweep::outcomes::mean_ci;

/// A mean with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
}

impl Estimate {
    pub(super) fn of(xs: &[f64]) -> Estimate {
        let (mean, lo, hi) = mean_ci(xs);
        Estimate { mean, lo, hi }
    }

    /// Whether the interval excludes 0.
    pub fn differs(&self) -> bool {
        self.lo > 0.0 || self.hi < 0.0
    }

    /// "within noise" (the interval includes 0), "differs, negligible" (it excludes 0 but the
    /// difference is smaller than `smallest`), or "differs materially".
    pub fn verdict(&self, smallest: f64) -> &'static str {
        if !self.differs() {
            "within noise"
        } else if self.mean.abs() < smallest {
            "differs, negligible"
        } else {
            "differs materially"
        }
    }

    /// Whether it differs by at least `smallest`, beyond noise.
    pub fn material(&self, smallest: f64) -> bool {
        self.differs() && self.mean.abs() >= smallest
    }
}

/// One outcome across the scenarios: each scenario's estimate and each one's paired difference
/// from the first (`None` for the first, and where the outcome does not exist, e.g. the stance
/// of an actor a scenario lacks).
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeRow {
    /// Machine name (`p_opened`, `stance_china`, ...), the column of `differences.csv`.
    pub name: String,
    /// In words, with its unit.
    pub label: String,
    pub values: Vec<Option<Estimate>>,
    pub diffs: Vec<Option<Estimate>>,
    /// The smallest difference that matters for this outcome, in its unit.
    pub smallest: f64,
}

impl OutcomeRow {
    /// The verdict on scenario k's difference, if it has one.
    pub fn verdict(&self, k: usize) -> Option<&'static str> {
        self.diffs[k].map(|d| d.verdict(self.smallest))
    }
}

/// The week at which a scenario's paired difference in one actor's stance from the first
/// scenario is largest (by |mean|), with that week's estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct Peak {
    pub actor: String,
    pub name: String,
    /// Index of the scenario (≥ 1).
    pub scenario: usize,
    pub week: usize,
    pub diff: Estimate,
}

/// A paired comparison of scenarios over R runs with common random numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Paired {
    pub runs: usize,
    pub seed: u64,
    pub rows: Vec<OutcomeRow>,
    /// The window final stances were averaged over (`--window`), if any.
    pub window: Option<(usize, usize)>,
    /// Per actor in both the first and a later scenario: the week of the largest paired
    /// difference in stance (searched over every week: the largest of many differences, so its
    /// interval is optimistic; a verdict on it needs the smallest difference that matters).
    pub peaks: Vec<Peak>,
    /// When the scenarios' horizons differ: the shortest, at which the office's outcomes are cut
    /// (a run's approval or opening after it counts as never), so that every scenario is judged
    /// over the same weeks.
    pub cut_at: Option<usize>,
}

type Pick = Box<dyn Fn(&Scenario, &RunRecord) -> Option<f64>>;

/// The smallest differences that matter, by kind of outcome (`compare --matters KIND=VALUE`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Matters {
    /// P(opened), P(approved): 0.01 (one point of probability).
    pub probability: f64,
    /// Approval and opening weeks: 1 step.
    pub weeks: f64,
    /// Coercive events drawn per run: 0.1.
    pub coercive: f64,
    /// The cooperation index: a share of the first scenario's mean, 0.05.
    pub cooperation: f64,
    /// Stances (at the end, or over the window): 0.05.
    pub stance: f64,
}

impl Default for Matters {
    fn default() -> Matters {
        Matters {
            probability: 0.01,
            weeks: 1.0,
            coercive: 0.1,
            cooperation: 0.05,
            stance: 0.05,
        }
    }
}

impl Matters {
    /// The kinds `--matters` takes, with what each sets.
    pub const KINDS: [(&'static str, &'static str); 5] = [
        (
            "probability",
            "P(opened), P(approved), in probability (default 0.01)",
        ),
        ("weeks", "approval and opening weeks, in steps (default 1)"),
        ("coercive", "coercive events per run (default 0.1)"),
        (
            "cooperation",
            "cooperation index, as a share of the first scenario's mean (default 0.05)",
        ),
        ("stance", "stances, in stance units (default 0.05)"),
    ];

    /// Set the smallest difference of one kind from `KIND=VALUE`; the message says what is wrong.
    pub fn set(&mut self, spec: &str) -> std::result::Result<(), String> {
        let kinds = || {
            Self::KINDS
                .iter()
                .map(|(k, _)| *k)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (kind, value) = spec
            .split_once('=')
            .ok_or_else(|| format!("expected KIND=VALUE, KIND one of {}", kinds()))?;
        let v: f64 = value
            .trim()
            .parse()
            .map_err(|_| format!("`{}` is not a number", value.trim()))?;
        if !(v.is_finite() && v >= 0.0) {
            return Err(format!("{kind} must be a finite number ≥ 0, got {value}"));
        }
        let slot = match kind.trim() {
            "probability" => &mut self.probability,
            "weeks" => &mut self.weeks,
            "coercive" => &mut self.coercive,
            "cooperation" => &mut self.cooperation,
            "stance" => &mut self.stance,
            other => {
                return Err(format!(
                    "unknown kind `{other}`; expected one of {}",
                    kinds()
                ))
            }
        };
        *slot = v;
        Ok(())
    }
}

/// The smallest difference that matters: a fixed amount, or a share of the first scenario's mean.
enum Smallest {
    Fixed(f64),
    Share(f64),
}

impl Paired {
    /// Compare `scenarios` (the first is the reference) from their run records, in run order;
    /// stances at the end, or averaged over the steps of `window` (inclusive).
    pub fn new(
        scenarios: &[&Scenario],
        recs: &[Vec<RunRecord>],
        seed: u64,
        window: Option<(usize, usize)>,
        matters: Matters,
    ) -> Paired {
        let runs = recs.first().map(|r| r.len()).unwrap_or(0);
        // Scenarios of different lengths are judged over the weeks they share: the office's
        // outcomes are cut at the shortest horizon (a later approval or opening counts as never).
        let shortest = scenarios.iter().map(|s| s.steps).min().unwrap_or(0);
        let cut_at = scenarios
            .iter()
            .any(|s| s.steps != shortest)
            .then_some(shortest);
        // Cut: the status at week h, and the first week it reached a status by then.
        let approved = |s: &Status| matches!(s, Status::Approved | Status::Opened);
        let opened = |s: &Status| *s == Status::Opened;
        let first = move |r: &RunRecord, h: usize, reached: &dyn Fn(&Status) -> bool| {
            r.status_path
                .iter()
                .take(h + 1)
                .position(reached)
                .unwrap_or(h + 1) as f64
        };
        let at_cut = move |r: &RunRecord, h: usize, reached: &dyn Fn(&Status) -> bool| {
            f64::from(u8::from(r.status_path.get(h).is_some_and(reached)))
        };
        let (end, never) = match cut_at {
            Some(h) => (
                format!("by week {h}, the shortest horizon"),
                format!("never by week {h}: {}", h + 1),
            ),
            None => (
                "at the end".to_string(),
                "never: the horizon + 1".to_string(),
            ),
        };
        let mut outcomes: Vec<(String, String, Pick, Smallest)> = vec![
            (
                "p_opened".into(),
                format!("P(office open {end})"),
                Box::new(move |_, r| {
                    Some(cut_at.map_or(f64::from(u8::from(r.opened)), |h| at_cut(r, h, &opened)))
                }),
                Smallest::Fixed(matters.probability),
            ),
            (
                "p_approved".into(),
                format!("P(approved or open {end})"),
                Box::new(move |_, r| {
                    Some(
                        cut_at.map_or(f64::from(u8::from(r.approved)), |h| at_cut(r, h, &approved)),
                    )
                }),
                Smallest::Fixed(matters.probability),
            ),
            (
                "approval_week".into(),
                format!("week of approval ({never})"),
                Box::new(move |_, r| {
                    Some(
                        cut_at.map_or(r.approved_step.unwrap_or(r.steps + 1) as f64, |h| {
                            first(r, h, &approved)
                        }),
                    )
                }),
                Smallest::Fixed(matters.weeks),
            ),
            (
                "opening_week".into(),
                format!("week of opening ({never})"),
                Box::new(move |_, r| {
                    Some(
                        cut_at.map_or(r.opened_step.unwrap_or(r.steps + 1) as f64, |h| {
                            first(r, h, &opened)
                        }),
                    )
                }),
                Smallest::Fixed(matters.weeks),
            ),
            (
                "hostile_drawn".into(),
                "coercive events drawn per run (Goldstein ≤ −7; injected ones not counted)".into(),
                Box::new(|_, r| Some(r.drawn_coercive)),
                Smallest::Fixed(matters.coercive),
            ),
            (
                "cooperation_per_dyad".into(),
                "cooperation index per step and ordered pair".into(),
                Box::new(|sc, r| {
                    let n = sc.actors.len() as f64;
                    (n > 1.0).then(|| r.coop_mean / (n * (n - 1.0)))
                }),
                Smallest::Share(matters.cooperation),
            ),
        ];
        // The regional sum only where every scenario has the same actors: otherwise it moves
        // with the number of pairs, not with how they behave.
        let same_actors = scenarios.windows(2).all(|w| {
            w[0].actors
                .iter()
                .map(|a| &a.id)
                .eq(w[1].actors.iter().map(|a| &a.id))
        });
        if same_actors {
            outcomes.push((
                "cooperation_mean".into(),
                "cooperation index per step (regional sum)".into(),
                Box::new(|_, r| Some(r.coop_mean)),
                Smallest::Share(matters.cooperation),
            ));
        }
        for (id, name) in actor_union(scenarios) {
            let key = id.clone();
            let unit = &scenarios[0].step_unit;
            let label = match window {
                None => format!("final stance of {name}"),
                Some((a, b)) => format!("mean stance of {name}, {unit}s {a}–{b}"),
            };
            outcomes.push((
                format!("stance_{id}"),
                label,
                Box::new(move |sc, r| {
                    let i = sc.actors.iter().position(|a| a.id == key)?;
                    Some(match window {
                        None => r.stance[i],
                        Some((a, b)) => {
                            let n = sc.actors.len();
                            (a..=b)
                                .map(|t| r.stance_path[t * n + i] as f64)
                                .sum::<f64>()
                                / (b - a + 1) as f64
                        }
                    })
                }),
                Smallest::Fixed(matters.stance),
            ));
        }
        let rows = outcomes
            .into_iter()
            .map(|(name, label, pick, smallest)| row(name, label, &pick, smallest, scenarios, recs))
            .collect();
        let peaks = super::peaks::peaks(scenarios, recs);
        Paired {
            runs,
            seed,
            rows,
            window,
            peaks,
            cut_at,
        }
    }
}

impl Paired {
    /// `differences.csv`: one row per outcome and scenario — its mean with a 95% interval, and
    /// its paired difference from the first scenario with a 95% interval and the verdict.
    pub fn csv(&self, scenarios: &[String]) -> Result<Vec<u8>> {
        let mut csv = crate::output::CsvText::new([
            "outcome",
            "scenario",
            "mean",
            "lo95",
            "hi95",
            "diff",
            "diff_lo95",
            "diff_hi95",
            "smallest_that_matters",
            "verdict",
        ]);
        let f = |x: f64| format!("{}", crate::output::round_sig(x, 6));
        for row in &self.rows {
            for (k, name) in scenarios.iter().enumerate() {
                let mut cells = vec![row.name.clone(), name.clone()];
                match row.values[k] {
                    Some(e) => cells.extend([f(e.mean), f(e.lo), f(e.hi)]),
                    None => cells.extend([String::new(), String::new(), String::new()]),
                }
                match row.diffs[k] {
                    Some(d) => cells.extend([
                        f(d.mean),
                        f(d.lo),
                        f(d.hi),
                        f(row.smallest),
                        d.verdict(row.smallest).to_string(),
                    ]),
                    None => cells.extend([
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                        String::new(),
                    ]),
                }
                csv.row(&cells);
            }
        }
        csv.finish()
    }
}

/// Actors (id, name) of all scenarios, in first-seen order.
fn actor_union(scenarios: &[&Scenario]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = Vec::new();
    for sc in scenarios {
        for a in &sc.actors {
            if !v.iter().any(|(id, _)| *id == a.id) {
                v.push((a.id.clone(), a.name.clone()));
            }
        }
    }
    v
}

fn row(
    name: String,
    label: String,
    pick: &Pick,
    smallest: Smallest,
    scenarios: &[&Scenario],
    recs: &[Vec<RunRecord>],
) -> OutcomeRow {
    let series: Vec<Option<Vec<f64>>> = scenarios
        .iter()
        .zip(recs)
        .map(|(sc, rs)| rs.iter().map(|r| pick(sc, r)).collect())
        .collect();
    // A series of 0s and 1s is a proportion: its interval is Wilson's (inside [0, 1], as `run`
    // reports it), and a paired difference of two stays inside [−1, 1].
    let binary = |xs: &[f64]| xs.iter().all(|&x| x == 0.0 || x == 1.0);
    let values: Vec<Option<Estimate>> = series
        .iter()
        .map(|s| {
            s.as_deref().map(|xs| {
                if binary(xs) && !xs.is_empty() {
                    let k = xs.iter().filter(|&&x| x == 1.0).count() as u64;
                    let w = crate::ensemble::stats::wilson(k, xs.len() as u64);
                    Estimate {
                        mean: w.estimate,
                        lo: w.lo,
                        hi: w.hi,
                    }
                } else {
                    Estimate::of(xs)
                }
            })
        })
        .collect();
    let diffs = series
        .iter()
        .enumerate()
        .map(|(k, s)| match (k, &series[0], s) {
            (0, _, _) | (_, None, _) | (_, _, None) => None,
            (_, Some(a), Some(b)) => {
                let d: Vec<f64> = b.iter().zip(a).map(|(x, y)| x - y).collect();
                let mut e = Estimate::of(&d);
                if binary(a) && binary(b) {
                    e.lo = e.lo.max(-1.0);
                    e.hi = e.hi.min(1.0);
                }
                Some(e)
            }
        })
        .collect();
    let smallest = match smallest {
        Smallest::Fixed(x) => x,
        Smallest::Share(f) => values
            .first()
            .copied()
            .flatten()
            .map_or(0.0, |e: Estimate| f * e.mean.abs()),
    };
    OutcomeRow {
        name,
        label,
        values,
        diffs,
        smallest,
    }
}

#[cfg(test)]
#[path = "paired_tests.rs"]
mod tests;
