//! What follows the rules in a step: the shocks of step t+1 (an injected event gets the reactions
//! of a drawn one, through [`super::rules::event_effects`]), the vote and the opening (rule 5), and
//! the indicators of t+1 (rule 6).

use super::rules::{event_effects, find_allies, lasting, record_event, State};
use super::{Compiled, Event, Observer, StepView, Vote, POSTURE_MAX};
use crate::model::Status;
use crate::scenario::{ActorId, ShockAction};

/// Apply one shock at step `t`; returns the Goldstein weight it adds to the step's index.
/// `add` changes a value (then clamped), `set` overrides it; an injected event gets the reactions
/// of a drawn one, reading the state as it stands when it is injected.
pub(super) fn shock<O: Observer>(
    c: &Compiled,
    st: &mut State,
    action: &ShockAction,
    t: usize,
    obs: &mut O,
) -> f64 {
    let n = c.n;
    match *action {
        ShockAction::Stance { actor, op } => {
            let i = actor.ix();
            let before = st.s[i];
            st.s[i] = op.apply(st.s[i]).clamp(-1.0, 1.0);
            lasting(c, st, i, st.s[i] - before);
        }
        ShockAction::Position { actor, op } => {
            let i = actor.ix();
            st.s[i] = op.apply(st.s[i]).clamp(-1.0, 1.0);
            st.anchor[i] = op.apply(st.anchor[i]).clamp(-1.0, 1.0);
        }
        ShockAction::Affinity { actor, target, op } => {
            let idx = actor.ix() * n + target.ix();
            st.a[idx] = op.apply(st.a[idx]).clamp(-1.0, 1.0);
            st.a_edits += 1;
        }
        ShockAction::Posture { actor, op } => {
            let i = actor.ix();
            st.p[i] = op.apply(st.p[i]).clamp(0.0, POSTURE_MAX);
        }
        ShockAction::Event {
            actor,
            target,
            code,
        } => {
            let e = Event {
                step: t,
                actor,
                target,
                code,
                issue: false,
            };
            return inject(c, st, &e, obs);
        }
        ShockAction::Office { status } => force_status(c, st, status, t),
    }
    0.0
}

/// An injected event: [`event_effects`] read from the current state, applied at once (clamped).
/// Rule 7 moves the current stance only: the FJ anchor pulls it back as for a `stance` shock.
fn inject<O: Observer>(c: &Compiled, st: &mut State, e: &Event, obs: &mut O) -> f64 {
    let j = e.target.ix();
    let mut allies = Vec::new();
    find_allies(c, &st.a, j, &mut allies);
    let mut changes: Vec<(usize, f64)> = Vec::with_capacity(allies.len() + 1);
    // The diagonal entry (a sender allied with its target) is not an affinity.
    let diagonal = e.actor.ix() * (c.n + 1);
    let fx = event_effects(c, &st.a, &st.s, &allies, e, |idx, d| {
        if idx != diagonal {
            changes.push((idx, d));
        }
    });
    for (idx, d) in changes {
        st.a[idx] = (st.a[idx] + d).clamp(-1.0, 1.0);
        st.a_edits += 1;
    }
    if fx.posture != 0.0 {
        st.p[j] = (st.p[j] + fx.posture).min(POSTURE_MAX);
    }
    let before = st.s[j];
    st.s[j] = (st.s[j] + fx.stance).clamp(-1.0, 1.0);
    if e.goldstein() < 0.0 {
        lasting(c, st, j, st.s[j] - before);
    }
    record_event(st, e, obs);
    e.goldstein()
}

/// A shock that forces the office status at step t.
fn force_status(c: &Compiled, st: &mut State, status: Status, t: usize) {
    match status {
        Status::Proposed | Status::Postponed => {
            st.status = status;
            st.approved_step = None;
            st.opened_step = None;
        }
        Status::Approved => {
            st.status = Status::Approved;
            st.approved_step = Some(t);
            st.opened_step = None;
            st.blockers.clear();
        }
        Status::Opened => {
            if st.status != Status::Opened {
                st.approved_step.get_or_insert(t);
                st.blockers.clear();
                open(c, st, t);
            }
        }
    }
}

/// Rule 5, the vote at step t (a vote step), while the office is proposed or postponed: every
/// member with stance ≥ threshold consents; all consent → approved, otherwise postponed with the
/// blockers recorded.
pub(super) fn vote<O: Observer>(c: &Compiled, st: &mut State, t: usize, obs: &mut O) {
    if !matches!(st.status, Status::Proposed | Status::Postponed) {
        return;
    }
    let blockers: Vec<ActorId> = c
        .members
        .iter()
        .filter(|&&m| st.s[m] < c.issue.threshold)
        .map(|&m| ActorId(m as u16))
        .collect();
    let vote = Vote {
        step: t,
        approved: blockers.is_empty(),
        blockers: blockers.clone(),
    };
    obs.vote(&vote);
    // A vote is news when it is the first or its blockers changed (a vote that fails again as
    // before is not), and an approval is more news (docs/model.md, news and attention).
    if st.votes.last().is_none_or(|v| v.blockers != vote.blockers) {
        news(c, st, c.params.news_vote);
    }
    if vote.approved {
        news(c, st, c.params.news_decision);
        st.status = Status::Approved;
        st.approved_step = Some(t);
        st.blockers.clear();
    } else {
        st.status = Status::Postponed;
        st.blockers = blockers;
    }
    st.votes.push(vote);
}

/// Rule 5, the opening: `setup_steps` after approval the office opens.
pub(super) fn opening(c: &Compiled, st: &mut State, t: usize) {
    if st.status == Status::Approved
        && st
            .approved_step
            .is_some_and(|a| t >= a + c.issue.setup_steps)
    {
        open(c, st, t);
    }
}

/// Open the office at step t: each actor's affinity toward host and body, and its baseline, move
/// by κ_o·σ_i·s_i (a new fact persists).
fn open(c: &Compiled, st: &mut State, t: usize) {
    let n = c.n;
    news(c, st, c.params.news_decision);
    st.status = Status::Opened;
    st.opened_step = Some(t);
    let targets = [Some(c.host), c.body_actor.filter(|&b| b != c.host)];
    for i in 0..n {
        let shift = c.params.kappa_open * c.sal[i] * st.s[i];
        for target in targets.into_iter().flatten() {
            if target != i {
                let idx = i * n + target;
                st.a[idx] = (st.a[idx] + shift).clamp(-1.0, 1.0);
                st.a_edits += 1;
                st.a_base[idx] = (st.a_base[idx] + shift).clamp(-1.0, 1.0);
            }
        }
    }
}

/// News of visibility v: every actor's attention rises by v · σ_i (docs/model.md).
pub(super) fn news(c: &Compiled, st: &mut State, v: f64) {
    if v != 0.0 {
        for (h, s) in st.h.iter_mut().zip(&c.sal) {
            *h += v * s;
        }
    }
}

/// Rule 6, the indicators of step t, to the observer: compromise forecast `F = Σ c σ s / Σ c σ`,
/// polarisation (capability-weighted SD of stances), the cooperation index and its moving average.
pub(super) fn indicators<O: Observer>(c: &Compiled, st: &State, t: usize, obs: &mut O) {
    // Σ c σ and Σ c are the scenario's (summed in `Compiled::new` in the order this loop once
    // summed them, so the same bits).
    let (den, c_sum) = (c.cap_sal_sum, c.cap_sum);
    let (mut num, mut cs) = (0.0, 0.0);
    for i in 0..c.n {
        num += c.cap_sal[i] * st.s[i];
        cs += c.cap[i] * st.s[i];
    }
    let mean = cs / c_sum;
    // With no salience anywhere the forecast falls back to the capability-weighted mean.
    let forecast = if den > 0.0 { num / den } else { mean };
    let var = (0..c.n)
        .map(|i| c.cap[i] * (st.s[i] - mean) * (st.s[i] - mean))
        .sum::<f64>()
        / c_sum;
    // The moving average spans the last `ma_window` steps with events (1..=t): step 0 has none,
    // so it is not averaged in as a zero; at step 0 itself the index and its average are 0.
    let drawn = &st.coop[1.min(st.coop.len())..];
    let w = c.params.ma_window.min(drawn.len());
    let cooperation_ma = if w == 0 {
        0.0
    } else {
        drawn[drawn.len() - w..].iter().sum::<f64>() / w as f64
    };
    obs.step(&StepView {
        step: t,
        stance: &st.s,
        posture: &st.p,
        tone_sent: &st.tone_sent,
        tone_received: &st.tone_received,
        forecast,
        polarization: var.sqrt(),
        cooperation: *st.coop.last().unwrap_or(&0.0),
        cooperation_ma,
        status: st.status,
    });
}
