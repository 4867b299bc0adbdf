//! What the run charts read: [`ChartInput`], built from a single recorded run or from an
//! ensemble's aggregate (medians with 5–95% bands), so that each chart is drawn once for both.

use crate::engine::record::Recording;
use crate::engine::Outcome;
use crate::ensemble::Aggregate;
use crate::model::{Metric, Status};
use crate::scenario::Scenario;

/// A series over steps: the line (a single run's values, or an ensemble's median) and, for
/// ensembles, the 5–95% band around it.
#[derive(Debug, Clone, Default)]
pub struct Band {
    pub mid: Vec<f64>,
    pub band: Option<(Vec<f64>, Vec<f64>)>,
}

impl Band {
    pub fn line(mid: Vec<f64>) -> Band {
        Band { mid, band: None }
    }
    pub(crate) fn range(&self) -> (f64, f64) {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        let extra = self.band.iter().flat_map(|(l, h)| l.iter().chain(h.iter()));
        for &v in self.mid.iter().chain(extra) {
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        (lo, hi)
    }
}

/// The office panel: a single run's status, or an ensemble's probabilities by step.
#[derive(Debug, Clone)]
pub enum OfficeData {
    Timeline {
        status: Vec<Status>,
        votes: Vec<(usize, bool)>,
    },
    Probability {
        approved: Vec<f64>,
        opened: Vec<f64>,
        /// Share of runs shelved by each step (empty when no run was shelved).
        shelved: Vec<f64>,
        runs: usize,
    },
}

/// Everything the run charts read.
#[derive(Debug, Clone)]
pub struct ChartInput {
    /// Scenario title.
    pub title: String,
    /// "scenario baseline · seed 1 · 1 run".
    pub subtitle: String,
    pub step_unit: String,
    pub steps: usize,
    pub ids: Vec<String>,
    pub names: Vec<String>,
    pub stance: Vec<Band>,
    pub posture: Vec<Band>,
    /// Per-actor cumulative net tone received.
    pub tone: Vec<Band>,
    pub cooperation: Band,
    pub cooperation_ma: Band,
    pub ma_window: usize,
    pub office: OfficeData,
    /// Final affinity, row-major (an ensemble's mean).
    pub affinity: Vec<f64>,
    pub threshold: f64,
    pub escalation: f64,
    /// Steps with shocks, and a short label each.
    pub shocks: Vec<(usize, String)>,
    /// Vote steps.
    pub votes: Vec<usize>,
    /// Each actor's first bloc (`member_of`), or "".
    pub blocs: Vec<String>,
    /// Each actor's share of runs in which it blocked (a single run: 1 if it blocked any vote).
    pub blocked: Vec<f64>,
    /// A single run's coercive events (Goldstein ≤ −7) per step, drawn and injected (empty for
    /// an ensemble): marked apart from the net index, which can hide them.
    pub coercive: Vec<u32>,
}

impl ChartInput {
    /// Chart data of a single recorded run.
    pub fn from_run(sc: &Scenario, rec: &Recording, out: &Outcome) -> ChartInput {
        let n = sc.actors.len();
        let per_actor = |m: Metric| {
            (0..n)
                .map(|i| Band::line(rec.series(m, i)))
                .collect::<Vec<_>>()
        };
        let tone = (0..n)
            .map(|i| {
                let mut acc = 0.0;
                Band::line(
                    rec.series(Metric::ToneReceived, i)
                        .into_iter()
                        .map(|x| {
                            acc += x;
                            acc
                        })
                        .collect(),
                )
            })
            .collect();
        let mut input = ChartInput::frame(
            sc,
            format!("scenario {} · seed {} · 1 run", sc.name, sc.seed),
        );
        input.stance = per_actor(Metric::Stance);
        input.posture = per_actor(Metric::Posture);
        input.tone = tone;
        input.cooperation = Band::line(rec.series(Metric::Cooperation, 0));
        input.cooperation_ma = Band::line(rec.series(Metric::CooperationMa, 0));
        input.office = OfficeData::Timeline {
            status: rec.status(),
            votes: out.votes.iter().map(|v| (v.step, v.approved)).collect(),
        };
        input.affinity = out.final_affinity.clone();
        input.coercive = vec![0; sc.steps + 1];
        for ev in &rec.events {
            if ev.goldstein() <= crate::model::COERCIVE && ev.step <= sc.steps {
                input.coercive[ev.step] += 1;
            }
        }
        input.votes = out.votes.iter().map(|v| v.step).collect();
        for b in out.votes.iter().flat_map(|v| &v.blockers) {
            input.blocked[b.ix()] = 1.0;
        }
        input
    }

    /// The parts that come from the scenario alone; series left empty. Vote markers are the
    /// scenario's vote steps until a run says which took place.
    pub fn frame(sc: &Scenario, subtitle: String) -> ChartInput {
        use crate::scenario::ShockAction as S;
        let id = |a: crate::scenario::ActorId| sc.actors[a.ix()].id.clone();
        let mut shocks: Vec<(usize, Vec<String>)> = Vec::new();
        for s in sc
            .shocks
            .iter()
            .filter(|s| s.when.is_none() && s.step <= sc.steps)
        {
            let label = match &s.action {
                S::Stance { actor, .. } => format!("{} stance", id(*actor)),
                S::Position { actor, .. } => format!("{} position", id(*actor)),
                S::Affinity { actor, target, .. } => {
                    format!("{}→{} affinity", id(*actor), id(*target))
                }
                S::Posture { actor, .. } => format!("{} posture", id(*actor)),
                S::Event {
                    actor,
                    target,
                    code,
                } => {
                    format!(
                        "{}→{} {}",
                        id(*actor),
                        id(*target),
                        crate::model::CATALOGUE[*code].label
                    )
                }
                S::Office { status } => format!("office {}", status.name()),
            };
            match shocks.last_mut() {
                Some((step, l)) if *step == s.step => l.push(label),
                _ => shocks.push((s.step, vec![label])),
            }
        }
        let shocks = shocks
            .into_iter()
            .map(|(t, ls)| (t, join_labels(&ls)))
            .collect();
        let votes = (1..=sc.steps)
            .filter(|&t| sc.issue.is_vote_step(t))
            .collect();
        ChartInput {
            title: sc.title.clone(),
            subtitle,
            step_unit: sc.step_unit.clone(),
            steps: sc.steps,
            ids: sc.actors.iter().map(|a| a.id.clone()).collect(),
            names: sc.actors.iter().map(|a| a.name.clone()).collect(),
            stance: Vec::new(),
            posture: Vec::new(),
            tone: Vec::new(),
            cooperation: Band::default(),
            cooperation_ma: Band::default(),
            ma_window: sc.params.ma_window,
            office: OfficeData::Timeline {
                status: Vec::new(),
                votes: Vec::new(),
            },
            affinity: vec![0.0; sc.actors.len() * sc.actors.len()],
            threshold: sc.issue.threshold,
            escalation: sc.params.escalation_threshold,
            shocks,
            votes,
            blocs: sc
                .actors
                .iter()
                .map(|a| a.member_of.first().cloned().unwrap_or_default())
                .collect(),
            blocked: vec![0.0; sc.actors.len()],
            coercive: Vec::new(),
        }
    }
}

/// The shocks of one step as one label: "france position", "france position + france stance",
/// "france position + 2 more" (the same text twice is said once).
fn join_labels(ls: &[String]) -> String {
    let mut u: Vec<&String> = Vec::new();
    for l in ls {
        if !u.contains(&l) {
            u.push(l);
        }
    }
    match u.len() {
        0 => String::new(),
        1 => u[0].clone(),
        2 => format!("{} + {}", u[0], u[1]),
        n => format!("{} + {} more", u[0], n - 1),
    }
}

impl ChartInput {
    /// Whether this is an ensemble's aggregate (medians, bands, probabilities).
    pub fn is_ensemble(&self) -> bool {
        matches!(self.office, OfficeData::Probability { .. })
    }

    /// Which actors get a colour and a label (see [`super::actors`]), chosen by final stance.
    pub(crate) fn styles(&self) -> super::actors::Styles {
        let last: Vec<f64> = self
            .stance
            .iter()
            .map(|b| b.mid.last().cloned().unwrap_or(0.0))
            .collect();
        super::actors::styles(&self.ids, &self.blocs, &self.blocked, &last)
    }

    /// The subtitle, with what an ensemble chart draws appended.
    pub(crate) fn subtitle_for(&self, what: &str) -> String {
        if self.is_ensemble() {
            format!("{} · {what}", self.subtitle)
        } else {
            self.subtitle.clone()
        }
    }
}

impl ChartInput {
    /// Chart data of an ensemble: medians with 5–95% bands, office probabilities by step.
    pub fn from_aggregate(sc: &Scenario, agg: &Aggregate) -> ChartInput {
        let n = sc.actors.len();
        let steps = 0..=agg.steps;
        // Median and 5–95% band of metric m of actor i (ignored for a region-wide metric).
        let band = |m: Metric, i: usize| {
            let stats: Vec<_> = steps.clone().map(|t| agg.stats(t, m, i)).collect();
            Band {
                mid: stats.iter().map(|s| s.q[2]).collect(),
                band: Some((
                    stats.iter().map(|s| s.q[0]).collect(),
                    stats.iter().map(|s| s.q[4]).collect(),
                )),
            }
        };
        let per_actor = |m: Metric| (0..n).map(|i| band(m, i)).collect::<Vec<_>>();
        // Cumulative mean tone received: the mean of a sum is the sum of the means.
        let tone = (0..n)
            .map(|i| {
                let mut acc = 0.0;
                Band::line(
                    steps
                        .clone()
                        .map(|t| {
                            acc += agg.stats(t, Metric::ToneReceived, i).mean;
                            acc
                        })
                        .collect(),
                )
            })
            .collect();
        let runs = agg.runs;
        let mut input = ChartInput::frame(
            sc,
            format!("scenario {} · seed {} · {runs} runs", sc.name, sc.seed),
        );
        input.stance = per_actor(Metric::Stance);
        // Postures: the exact mean of the runs as the line (the chart says so), whose medians
        // would step with the histogram's buckets.
        input.posture = (0..n)
            .map(|i| {
                let mut b = band(Metric::Posture, i);
                b.mid = steps
                    .clone()
                    .map(|t| agg.stats(t, Metric::Posture, i).mean)
                    .collect();
                b
            })
            .collect();
        input.tone = tone;
        input.cooperation = Band::line(
            steps
                .clone()
                .map(|t| agg.stats(t, Metric::Cooperation, 0).mean)
                .collect(),
        );
        input.cooperation_ma = band(Metric::CooperationMa, 0);
        input.office = OfficeData::Probability {
            approved: agg
                .approved_by_step
                .iter()
                .map(|&c| c as f64 / runs as f64)
                .collect(),
            opened: agg
                .opened_by_step
                .iter()
                .map(|&c| c as f64 / runs as f64)
                .collect(),
            shelved: if agg.shelved_at.iter().any(|&c| c > 0) {
                agg.shelved_at
                    .iter()
                    .scan(0u64, |acc, &c| {
                        *acc += c;
                        Some(*acc as f64 / runs as f64)
                    })
                    .collect()
            } else {
                Vec::new()
            },
            runs: runs as usize,
        };
        input.affinity = agg.mean_affinity();
        input.blocked = agg
            .blocked_at_end
            .iter()
            .map(|&c| c as f64 / runs as f64)
            .collect();
        // Mark the steps at which a vote took place in at least one run.
        input.votes = agg
            .voted_at
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(|(t, _)| t)
            .collect();
        input
    }
}
