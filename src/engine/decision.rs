//! What follows the rules in a step: the shocks of step t+1 (an injected event gets the reactions
//! of a drawn one, through [`super::rules::event_effects`]) and its elections, the vote with its
//! bargaining stage, shelving and the opening (rule 5, and docs/model.md, decisions in time), the
//! shocks conditional on the office's status, and the indicators of t+1 (rule 6).

use super::bdm::{OfferKind, Player, Round};
use super::rules::{event_effects, find_allies, lasting, record_event, State};
use super::{Compiled, Deal, DealKind, Event, Observer, StepView, Vote, POSTURE_MAX};
use crate::model::Status;
use crate::scenario::{ActorId, ShockAction};
use rand::Rng;

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
                injected: true,
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
    st.injected_coercive += usize::from(e.goldstein() <= crate::model::COERCIVE);
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
            st.shelved_step = None;
            st.substitute_step = None;
        }
        // Withdrawn, as the proposer's shelving (news, the substitute), whatever came before.
        Status::Shelved => {
            if st.status != Status::Shelved {
                st.approved_step = None;
                st.opened_step = None;
                shelve(c, st, t);
            }
        }
        Status::Approved => {
            st.status = Status::Approved;
            st.approved_step = Some(t);
            st.opened_step = None;
            st.shelved_step = None;
            st.substitute_step = None;
            st.blockers.clear();
        }
        Status::Opened => {
            if st.status != Status::Opened {
                st.approved_step.get_or_insert(t);
                st.shelved_step = None;
                st.substitute_step = None;
                st.blockers.clear();
                open(c, st, t);
            }
        }
    }
}

/// The consent threshold of the proposal at its scope k: θ_k = −1 + k (1 + θ), θ itself at the
/// full scope.
pub(super) fn consent(c: &Compiled, st: &State) -> f64 {
    // Once scaled down, θ_k is the stance of the holdout the scope was cut to, exactly (computing
    // −1 + k(1 + θ) can land a rounding error above it).
    st.bar.unwrap_or(c.issue.threshold)
}

/// Whether the body votes at step t: a calendar vote while the decision is open, or, while it is
/// postponed, a vote called because a deal is within reach: `min_vote_gap` steps or more after
/// the last vote, every member's stance at least θ_k − reach, and the lowest member closer to
/// consent than at the last vote (the holdouts moved, or the proposal was scaled down: a body
/// does not meet again to fail as before).
pub(super) fn votes_at(c: &Compiled, st: &State, t: usize) -> bool {
    if !st.status.undecided() {
        return false;
    }
    if c.issue.is_vote_step(t) {
        return true;
    }
    st.status == Status::Postponed
        && st
            .votes
            .last()
            .is_some_and(|v| t >= v.step + c.params.min_vote_gap)
        && {
            let theta = consent(c, st);
            let low = c.members.iter().fold(f64::INFINITY, |m, &i| m.min(st.s[i]));
            low >= theta - c.params.reach && low - theta > st.gap_at_vote
        }
}

/// Rule 5, the vote at step t, while the office is proposed or postponed: every member with
/// stance ≥ θ_k consents; all consent → approved, otherwise postponed with the blockers recorded,
/// and the bargaining stage follows ([`bargain`]).
pub(super) fn vote<O: Observer>(c: &Compiled, st: &mut State, t: usize, obs: &mut O) {
    if !st.status.undecided() {
        return;
    }
    let theta = consent(c, st);
    st.gap_at_vote = c.members.iter().fold(f64::INFINITY, |m, &i| m.min(st.s[i])) - theta;
    let blockers: Vec<ActorId> = c
        .members
        .iter()
        .filter(|&&m| st.s[m] < theta)
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
    let approved = vote.approved;
    st.votes.push(vote);
    if approved {
        news(c, st, c.params.news_decision);
        st.status = Status::Approved;
        st.approved_step = Some(t);
        st.blockers.clear();
    } else {
        st.status = Status::Postponed;
        st.blockers = blockers;
        bargain(c, st, t, obs);
    }
}

/// The bargaining stage after a failed vote at step t (docs/model.md, decisions in time), in order:
/// concessions (one round of Bueno de Mesquita's model among the members: each blocker takes the
/// best offer a consenting member's challenge makes it), linked side payments to blockers still
/// short of consent, scaling the proposal down, and shelving it (with its substitute).
fn bargain<O: Observer>(c: &Compiled, st: &mut State, t: usize, obs: &mut O) {
    let n = c.n;
    let theta = consent(c, st);
    let members = &c.members;
    let pr = &c.params;
    let mut deal = |st: &mut State, d: Deal| {
        obs.deal(&d);
        st.deals.push(d);
    };
    // 1. Concessions: one BdM round on the stance scale (range 2) among the members.
    if pr.concession > 0.0 {
        let players = players(c, st);
        let mut round = Round::new(&players, 2.0);
        round.risk_exponents();
        let supporters: Vec<usize> = (0..members.len())
            .filter(|&k| players[k].x >= theta)
            .collect();
        let mut moves = Vec::new();
        for b in (0..members.len()).filter(|&k| players[k].x < theta) {
            if let Some(o) = round.best_offer(b, supporters.iter().copied()) {
                if o.position > players[b].x {
                    moves.push(o);
                }
            }
        }
        for o in moves {
            let i = members[o.to];
            let before = st.s[i];
            // A member concedes as it listens in rule 1: in proportion to its susceptibility
            // λ = 1 − ρ (a principled position, ρ → 1, hardly moves).
            let share = pr.concession * c.lambda[i];
            let after = (before + share * (o.position - before)).clamp(-1.0, 1.0);
            if after == before {
                continue;
            }
            st.s[i] = after;
            st.anchor[i] = st.anchor[i].max(after);
            let kind = match o.kind {
                OfferKind::Compromise => DealKind::Compromise,
                OfferKind::Capitulation | OfferKind::Confrontation => DealKind::GivesWay,
            };
            deal(
                st,
                Deal {
                    step: t,
                    kind,
                    actor: ActorId(i as u16),
                    partner: Some(ActorId(members[o.from] as u16)),
                    before,
                    after,
                },
            );
        }
    }
    // 2. Linked side payments out of the consenting members' budget, each paid by the consenting
    // member with the most to offer the blocker (`linkage`; none, no payment).
    if pr.side_payment > 0.0 {
        let stake = |st: &State, m: usize| c.cap[m] * c.sal[m] * (st.s[m] - theta);
        let supporters: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&m| st.s[m] >= theta)
            .collect();
        let total: f64 = supporters.iter().map(|&m| stake(st, m)).sum();
        let mut budget = pr.side_payment * total - st.spent;
        for &b in members {
            let rho = 1.0 - c.lambda[b];
            if st.s[b] >= theta || rho >= 1.0 {
                continue;
            }
            let link = |p: usize| c.linkage[b * n + p];
            let payer = supporters.iter().copied().filter(|&p| link(p) > 0.0).fold(
                None::<usize>,
                |best, p| match best {
                    Some(q) if link(q) >= link(p) => Some(q),
                    _ => Some(p),
                },
            );
            let Some(payer) = payer else { continue };
            // A partial link (what the payer can offer covers part of what b wants) costs more.
            let price = c.cap[b] * c.sal[b] * (theta - st.s[b]) / ((1.0 - rho) * link(payer));
            if price > budget {
                continue;
            }
            budget -= price;
            st.spent += price;
            let before = st.s[b];
            st.s[b] = theta;
            st.anchor[b] = st.anchor[b].max(theta);
            // The linked deal (arms, trade) warms the blocker's view of the payer for good.
            let idx = b * n + payer;
            st.a[idx] = (st.a[idx] + price).min(1.0);
            st.a_base[idx] = (st.a_base[idx] + price).min(1.0);
            st.a_edits += 1;
            deal(
                st,
                Deal {
                    step: t,
                    kind: DealKind::Payment,
                    actor: ActorId(b as u16),
                    partner: Some(ActorId(payer as u16)),
                    before,
                    after: theta,
                },
            );
        }
    }
    let holdouts: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&m| st.s[m] < theta)
        .collect();
    if holdouts.is_empty() {
        return;
    }
    // 3. Scaling down to the scope every holdout accepts, if that is still worth proposing.
    if pr.min_scope < 1.0 {
        let base = c.issue.threshold;
        let k = holdouts
            .iter()
            .map(|&b| (1.0 + st.s[b]) / (1.0 + base))
            .fold(st.scope, f64::min);
        if k < st.scope && k >= pr.min_scope {
            let before = st.scope;
            st.scope = k;
            st.bar = Some(
                holdouts
                    .iter()
                    .map(|&b| st.s[b])
                    .fold(f64::INFINITY, f64::min),
            );
            deal(
                st,
                Deal {
                    step: t,
                    kind: DealKind::ScaleDown,
                    actor: ActorId(c.proposer as u16),
                    partner: None,
                    before,
                    after: k,
                },
            );
            return;
        }
    }
    // 4. Shelving: continuing is worth σ_P (s_P − θ_k) k times the chance that consent beats the
    // furthest holdout among the members; each failed vote so far cost failure_cost.
    if pr.failure_cost > 0.0 {
        let failed = st.votes.iter().filter(|v| !v.approved).count() as f64;
        let p = c.proposer;
        let worth = c.sal[p] * (st.s[p] - theta).max(0.0) * st.scope;
        let players = players(c, st);
        let furthest = holdouts
            .iter()
            .map(|&b| st.s[b])
            .fold(f64::INFINITY, f64::min);
        let odds = Round::head_to_head(&players, 2.0, theta, furthest);
        if pr.failure_cost * failed > worth * odds {
            shelve(c, st, t);
        }
    }
}

/// The members as players of a BdM round: position = stance, capability, salience.
fn players(c: &Compiled, st: &State) -> Vec<Player> {
    c.members
        .iter()
        .map(|&m| Player {
            x: st.s[m],
            c: c.cap[m],
            s: c.sal[m],
        })
        .collect()
}

/// Shelve the proposal at step t (news as a decision), and adopt the substitute if the issue
/// names one and every member's stance is at least `substitute_threshold`.
fn shelve(c: &Compiled, st: &mut State, t: usize) {
    st.status = Status::Shelved;
    st.shelved_step = Some(t);
    news(c, st, c.params.news_decision);
    if c.issue.substitute.is_some()
        && c.members
            .iter()
            .all(|&m| st.s[m] >= c.params.substitute_threshold)
    {
        st.substitute_step = Some(t);
    }
}

/// The elections of step t: each turns its actor's government over with its probability (one
/// uniform draw each, in file order); a new government moves stance, anchor and views.
pub(super) fn elections<R: Rng>(c: &Compiled, st: &mut State, t: usize, rng: &mut R) {
    let n = c.n;
    for e in &c.elections[t] {
        let u = (rng.next_u64() >> 11) as f64 * (1.0 / 9007199254740992.0);
        if u >= e.probability {
            continue;
        }
        let i = e.actor.ix();
        st.s[i] = (st.s[i] + e.stance).clamp(-1.0, 1.0);
        st.anchor[i] = (st.anchor[i] + e.stance).clamp(-1.0, 1.0);
        for &(j, d) in &e.affinity {
            let idx = i * n + j.ix();
            st.a[idx] = (st.a[idx] + d).clamp(-1.0, 1.0);
            st.a_base[idx] = (st.a_base[idx] + d).clamp(-1.0, 1.0);
            st.a_edits += 1;
        }
        news(c, st, e.news);
        st.turnovers.push((t, e.actor));
    }
}

/// Shocks conditional on the office's status: when the run first reaches a status a conditional
/// shock waits for, the shock is due `delay` steps later; those due at t apply now. Returns the
/// Goldstein weight they add to the step's index.
pub(super) fn conditional<O: Observer>(c: &Compiled, st: &mut State, t: usize, obs: &mut O) -> f64 {
    if c.conditional.is_empty() {
        return 0.0;
    }
    let reached = |st: &State, s: Status| match s {
        Status::Approved => st.approved_step.is_some(),
        Status::Opened => st.opened_step.is_some(),
        Status::Shelved => st.shelved_step.is_some(),
        Status::Postponed => st.votes.iter().any(|v| !v.approved),
        Status::Proposed => true,
    };
    for (k, cs) in c.conditional.iter().enumerate() {
        if st.due[k].is_none() && reached(st, cs.when) {
            st.due[k] = Some(t + cs.delay);
        }
    }
    let mut coop = 0.0;
    for k in 0..c.conditional.len() {
        if st.due[k] == Some(t) {
            let cs = &c.conditional[k];
            news(c, st, cs.news);
            coop += shock(c, st, &cs.action, t, obs);
        }
    }
    coop
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
        let shift = c.params.kappa_open * st.scope * c.sal[i] * st.s[i];
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
