//! Questions: dated yes/no or binned timing questions about a historical case
//! (`[[question]]`), each with what happened and a reference-class base rate.
//!
//! A question asks about the same things an observation states (a metric's statistic over a
//! window, compared with a value), so a forecast is the share of runs in which its observation
//! held. A timing question with bins `b_1 < … < b_K` becomes K observations with windows
//! `[first, b_k]`; its test is one that stays true once true as the window grows (checked when
//! the file is read), so the share for `b_k` is P(first held by `b_k`), a cumulative
//! distribution over the K + 1 categories (the last is "later").
//!
//! Nothing that forecasts reads [`Question::outcome`]: [`Question::checks`] is all the runs see.

use super::Observation;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// A yes/no question's outcome.
    Binary(bool),
    /// A timing question: the step at which it first held, or None if not by the last bin.
    Timing(Option<usize>),
}

/// A resolved `[[question]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub id: String,
    pub text: String,
    /// What is asked, over the whole window `[first, last]` (`source` holds `outcome_source`).
    pub obs: Observation,
    /// Ends of the timing categories (empty for a yes/no question).
    pub bins: Vec<usize>,
    pub outcome: Answer,
    pub outcome_source: String,
    /// Yes/no: `[P(yes)]`; timing: one probability per category (each bin, then "later").
    pub base_rate: Vec<f64>,
    pub base_rate_source: String,
}

impl Question {
    pub fn is_timing(&self) -> bool {
        !self.bins.is_empty()
    }

    /// The observations a run checks: the question's own, or one per bin for a timing question.
    pub fn checks(&self) -> Vec<Observation> {
        if self.bins.is_empty() {
            return vec![self.obs.clone()];
        }
        self.bins
            .iter()
            .map(|&b| Observation {
                steps: (self.obs.steps.0, b),
                ..self.obs.clone()
            })
            .collect()
    }

    /// Category names: `yes`/`no`, or the steps each category covers — `≤ 1 week`,
    /// `weeks 2–4`, …, `later` (each category is its own span, not "by then").
    pub fn categories(&self, unit: &str) -> Vec<String> {
        if self.bins.is_empty() {
            return vec!["yes".into(), "no".into()];
        }
        let plural = |b: usize| if b == 1 { "" } else { "s" };
        let mut v = Vec::with_capacity(self.bins.len() + 1);
        for (k, &b) in self.bins.iter().enumerate() {
            let from = if k == 0 { 0 } else { self.bins[k - 1] + 1 };
            v.push(match k {
                0 => format!("≤ {b} {unit}{}", plural(b)),
                _ if from == b => format!("{unit} {b}"),
                _ => format!("{unit}s {from}–{b}"),
            });
        }
        v.push("later".into());
        v
    }

    /// The outcome in words: `yes`, `no`, `week 36 (weeks 14–52)` or `later`.
    pub fn outcome_text(&self, unit: &str) -> String {
        match self.outcome {
            Answer::Binary(true) => "yes".into(),
            Answer::Binary(false) => "no".into(),
            Answer::Timing(None) => "not by the last bin (later)".into(),
            Answer::Timing(Some(s)) => {
                let cats = self.categories(unit);
                let k = self
                    .bins
                    .iter()
                    .position(|&b| s <= b)
                    .unwrap_or(self.bins.len());
                format!("{unit} {s} ({})", cats[k])
            }
        }
    }
}
