//! The rules of DESIGN.md, one function each, in the order a step calls them:
//! [`stances`] (rule 1), [`draw_events`] (rules 2 and 8: volume by partner, class then code),
//! [`issue_signals`] (news and attention, docs/model.md), [`reactions`] (rules 3 and 7, with
//! [`event_effects`] shared by drawn and injected events), [`pressure`] (the end of rules 1 and 7),
//! [`posture`] (rule 4), [`relax_affinities`] (end of rule 3), [`attention`] (lasting change and
//! the decay of attention). What follows the rules in a step —
//! shocks, the vote, the opening (rule 5) and the indicators (rule 6) — is in `decision.rs`.
//!
//! Every rule reads state t (`State`) and writes into the step's scratch (`Scratch`), so actor
//! order never matters; `simulate_with` swaps the scratch in as state t+1.

use super::codes::{ECONOMIC, FORCE, MILITARY};
use super::lanes::{relax, row_pass, Rows};
use super::normal::Normal;
use super::pairs::{candidates, GROUP, POSITIONS};
pub(super) use super::state::{Scratch, State};
use super::{Compiled, Event, Observer, POSTURE_MAX};
use crate::model::COERCIVE;
use crate::scenario::ActorId;
use rand::Rng;

/// Rule 1, Friedkin–Johnsen: `λ_i Σ_j W_ij s_j(t) + (1 − λ_i) s_i(0) + ε_i` into `s_next`, with
/// W's row i the explicit influence weights, or `r_ii = c_i`, `r_ij = c_j max(A_ij, 0)` normalised.
/// Draws one normal per actor when `noise > 0`. Rule 7's changes are added, and the sum clamped
/// to [−1, 1], by [`pressure`]. The same pass over A(t) sums rule 4's threat into `threat` (see
/// [`posture`]). O(N²).
pub(super) fn stances<R: Rng>(
    c: &Compiled,
    st: &State,
    s_next: &mut [f64],
    threat: &mut [f64],
    normal: &mut Normal,
    rng: &mut R,
) {
    row_pass(
        c.n,
        &st.a,
        &c.cap,
        &st.s,
        &st.p,
        &mut FjRows {
            c,
            st,
            s_next,
            threat,
        },
    );
    let noise = c.params.noise;
    if noise > 0.0 {
        for x in s_next.iter_mut() {
            *x += noise * normal.draw(rng);
        }
    }
}

/// Rule 1 without its noise, and rule 4's threat, from one row of A(t) and its sums.
struct FjRows<'a> {
    c: &'a Compiled,
    st: &'a State,
    s_next: &'a mut [f64],
    threat: &'a mut [f64],
}

impl Rows for FjRows<'_> {
    #[inline(always)]
    fn row(&mut self, i: usize, [sum, acc, th]: [f64; 3]) {
        let (c, st, n) = (self.c, self.st, self.c.n);
        self.threat[i] = th * c.inv_others[i];
        let ws = if c.explicit[i] {
            let w = &c.w_explicit[i * n..(i + 1) * n];
            w.iter().zip(&st.s).map(|(w, s)| w * s).sum::<f64>()
        } else {
            // The diagonal of A is 0 (relaxation keeps it so, shocks and relations cannot
            // target their own actor), so the sums over all j give r_ij for j ≠ i, and r_ii = c_i
            // is added after.
            (acc + c.cap[i] * st.s[i]) / (sum + c.cap[i])
        };
        self.s_next[i] = c.lambda[i] * ws + (1.0 - c.lambda[i]) * st.anchor[i];
    }
}

/// The end of rules 1 and 7: `s_j(t+1) = clamp(FJ_j + Σ Δs_j, −1, 1)`, the Δs of the step's drawn
/// events (summed by [`reactions`], all read from state t). O(N).
pub(super) fn pressure(x: &mut Scratch) {
    // `ds` back to zero for the next step's sums.
    for (s, d) in x.s_next.iter_mut().zip(&mut x.ds) {
        *s = (*s + std::mem::take(d)).clamp(-1.0, 1.0);
    }
}

/// Rule 2 (0.5, docs/model.md), background bilateral events: for each ordered pair one Bernoulli
/// draw with the pair's volume q_ij = 1 − exp(−rate c_i^a c_j^b e^{t·tie_ij}) (fixed for a
/// scenario, see `Volume` in the engine), and for a hit one code for the desired tone
/// `τ_ij = clamp(A_ij − β σ_i |s_i − s_j| / 2)` from [`super::codes::CodeSampler`] (class, then
/// code, with the sender's gates). The draw is thinned ([`super::pairs`]): i's partners come in
/// groups of eight, one 64-bit uniform picks the group's candidates (each with probability
/// u_i = max_j q_ij), and a candidate is kept with probability q_ij / u_i. Events are stamped
/// `step = next`, in order of (i, j).
///
/// Three passes, so that which pairs come up never steers a branch: every group's candidates are
/// written to a list (one row of [`POSITIONS`], advanced over by the group's popcount); every
/// candidate's keep test is computed and the pair written to the list of kept pairs, advanced
/// over by the test's result; then a code is drawn for each kept pair. The generator is read in
/// that order: the groups' 64-bit uniforms (actor by actor), one 32-bit uniform per candidate,
/// then the codes' draws. O(N²) work, O(N²/8 + events) draws.
pub(super) fn draw_events<R: Rng>(
    c: &Compiled,
    st: &State,
    next: usize,
    x: &mut Scratch,
    rng: &mut R,
) {
    let n = c.n;
    let pr = &c.params;
    x.events.clear();
    // Pass 1: candidates, as i << 16 | o, with partner o of i being actor o + (o ≥ i).
    let cand = &mut x.cand[..];
    let mut k = 0;
    for i in 0..n {
        let Some(table) = c.pairs.table(i) else {
            continue;
        };
        // A `while` rather than `step_by`, whose bookkeeping took 12,000 instructions a baseline
        // run (callgrind).
        let mut first = 0;
        while first < n - 1 {
            let mut m = candidates(table, rng.next_u64());
            let left = n - 1 - first;
            if left < GROUP {
                m &= (1 << left) - 1;
            }
            let base = (i as u32) << 16 | first as u32;
            let at = &mut cand[k..k + GROUP];
            for (slot, &b) in at.iter_mut().zip(&POSITIONS[m as usize]) {
                *slot = base + u32::from(b);
            }
            k += m.count_ones() as usize;
            first += GROUP;
        }
    }
    // Pass 2: the keep tests. A 32-bit uniform u (exact in f64) is below 2³² q_ij/u_i with
    // probability ⌈2³² q_ij/u_i⌉/2³², one compare and no `ceil`.
    let kept = &mut x.kept[..];
    let mut e = 0;
    for &pair in &cand[..k] {
        let (i, o) = ((pair >> 16) as usize, (pair & 0xffff) as usize);
        let j = o + usize::from(o >= i);
        kept[e] = (i as u32) << 16 | j as u32;
        let u = f64::from(rng.next_u32());
        e += usize::from(u < c.keep[i * n + j]);
    }
    // Pass 3: the codes.
    for &pair in &kept[..e] {
        let (i, j) = ((pair >> 16) as usize, (pair & 0xffff) as usize);
        let half_bs = pr.beta * c.sal[i] * 0.5;
        let tau = (st.a[i * n + j] - half_bs * (st.s[i] - st.s[j]).abs()).clamp(-1.0, 1.0);
        let code = c.sampler.pick(tau, gates(c, st, i, j), rng);
        x.events.push(Event {
            step: next,
            actor: ActorId(i as u16),
            target: ActorId(j as u16),
            code,
            issue: false,
            injected: false,
        });
    }
}

/// The gates open to i toward j in state t: military codes at posture ≥ the escalation
/// threshold, force at posture ≥ the force threshold, economic measures with leverage over j.
#[inline(always)]
fn gates(c: &Compiled, st: &State, i: usize, j: usize) -> usize {
    let pr = &c.params;
    let p = st.p[i];
    usize::from(p >= pr.escalation_threshold) * MILITARY
        | usize::from(p >= pr.force_threshold) * FORCE
        | usize::from(c.econ_open[i * c.n + j]) * ECONOMIC
}

/// Issue signals (docs/model.md, news and attention): each actor i sends each issue target j (the
/// body, if it is an actor, and the host; never itself) a Poisson(issue_rate · h_i(t)) number of
/// events about the issue, each with the desired tone of its disagreement on the issue,
/// `τ = clamp(A_ij − |s_i − s_j| / 2)`: rule 2's tone with the whole disagreement (a background
/// event mixes every issue between the pair, weighted by this one's salience; an issue signal is
/// about this issue alone, and salience has already set how often i speaks), and a code drawn as
/// for a background event. Read from state t; appended to the step's events after the background ones,
/// in order of (i, target). Draws: one 64-bit uniform per (i, target) with i attentive, then the
/// codes' draws. A count is capped at 1,000 (a mean that large is outside every fitted range).
pub(super) fn issue_signals<R: Rng>(
    c: &Compiled,
    st: &State,
    next: usize,
    x: &mut Scratch,
    rng: &mut R,
) {
    let rate = c.params.issue_rate;
    if rate <= 0.0 {
        return;
    }
    let n = c.n;
    for i in 0..n {
        let mean = rate * st.h[i];
        if !(mean > 0.0) {
            continue;
        }
        let p0 = c.exp_neg.eval(mean);
        for &j in &c.issue_targets {
            if j == i {
                continue;
            }
            let count = poisson(mean, p0, rng);
            if count == 0 {
                continue;
            }
            let tau = (st.a[i * n + j] - 0.5 * (st.s[i] - st.s[j]).abs()).clamp(-1.0, 1.0);
            let mask = gates(c, st, i, j);
            for _ in 0..count {
                let code = c.sampler.pick(tau, mask, rng);
                x.events.push(Event {
                    step: next,
                    actor: ActorId(i as u16),
                    target: ActorId(j as u16),
                    code,
                    issue: true,
                    injected: false,
                });
            }
        }
    }
}

/// A Poisson(mean) count by inversion from one 64-bit uniform (`p0` = e^−mean), capped at 1,000.
#[inline]
pub(super) fn poisson<R: Rng>(mean: f64, p0: f64, rng: &mut R) -> u32 {
    let u = rng.next_u64() as f64 * (1.0 / 18446744073709551616.0);
    let (mut k, mut p, mut cdf) = (0u32, p0, p0);
    while u >= cdf && k < 1000 {
        k += 1;
        p *= mean / f64::from(k);
        cdf += p;
        if p == 0.0 && f64::from(k) > mean {
            // The tail's terms underflowed: what is left of the mass is rounding.
            break;
        }
    }
    k
}

/// Lasting change and attention (docs/model.md), once the stances of t+1 are known: part of the
/// stance change that pressure made this step (rule 7's Δs of the events with G < 0) lasts and moves
/// the anchor, `s_i(0) += min(1, μ h_i(t)) Δs_i` (clamped to [−1, 1]); then
/// `h_i(t+1) = 2^(−1/half-life) h_i(t) + ξ σ_i r_i`, r_i the issue signals i received this step.
/// The news of step t+1 (shocks, votes, the decision) is added after. O(N).
pub(super) fn attention(c: &Compiled, st: &mut State, x: &mut Scratch) {
    let xi = c.params.excitation;
    for i in 0..c.n {
        let d = std::mem::take(&mut x.pushed[i]);
        lasting(c, st, i, d);
        let r = std::mem::take(&mut x.recv[i]);
        st.h[i] = c.decay * st.h[i] + xi * c.sal[i] * r;
    }
}

/// The lasting part of a stance change `d` of actor i (by pressure or a `stance` shock): its anchor
/// moves by `min(1, μ h_i) d`, clamped to [−1, 1].
#[inline(always)]
pub(super) fn lasting(c: &Compiled, st: &mut State, i: usize, d: f64) {
    let w = (c.params.anchor_rate * st.h[i]).min(1.0);
    if w > 0.0 && d != 0.0 {
        st.anchor[i] = (st.anchor[i] + w * d).clamp(-1.0, 1.0);
    }
}

/// The third parties allied with target j in affinities `a`: every l ≠ j with `A_lj > ally_threshold`.
pub(super) fn find_allies(c: &Compiled, a: &[f64], j: usize, out: &mut Vec<usize>) {
    out.clear();
    let n = c.n;
    for l in 0..n {
        if l != j && a[l * n + j] > c.params.ally_threshold {
            out.push(l);
        }
    }
}

/// What one event does to its target besides affinities.
pub(super) struct Effects {
    /// Rule 3: posture a coercive event (G ≤ −7) adds to the target, `κ_p·|G|/10`.
    pub posture: f64,
    /// Rule 7: the target's stance change.
    pub stance: f64,
}

/// Rules 3 and 7 for one event of weight G from i to j, reading affinities `a` and stances `s` (the
/// state the event meets): j's view of i moves by `κ·G/10`, each ally l of j other than i
/// (A_lj > ally threshold in `a`) moves its view of i by `A_lj·(κ₃·G/10)`; each change goes to
/// `add(index into A, Δ)`. If i is itself an ally of j, its term goes to the diagonal index
/// i·(n + 1), which the caller discards. The code's factors come from [`CodeFx`], computed once
/// per scenario. Drawn and injected events both use it.
#[inline(always)]
pub(super) fn event_effects(
    c: &Compiled,
    a: &[f64],
    s: &[f64],
    allies: &[usize],
    e: &Event,
    mut add: impl FnMut(usize, f64),
) -> Effects {
    let n = c.n;
    let (i, j) = (e.actor.ix(), e.target.ix());
    let fx = &c.code_fx[e.code];
    add(j * n + i, fx.direct);
    // l = i (the sender allied with its target) adds to the diagonal of ΔA instead of being
    // skipped by a branch: `relax_affinities` zeroes that diagonal before using it. Four at a
    // time, so that a list padded to a multiple of four (see `reactions`) ends the loop where
    // the branch predictor expects it.
    let quads = allies.chunks_exact(4);
    let rest = quads.remainder();
    for q in quads {
        for &l in q {
            add(l * n + i, a[l * n + j] * fx.third);
        }
    }
    for &l in rest {
        add(l * n + i, a[l * n + j] * fx.third);
    }
    Effects {
        posture: fx.posture,
        stance: stance_change(c, s, i, j, fx),
    }
}

/// Rule 7, pressure and persuasion: an event of weight G from i moves j's stance by
/// `Δs_j = η (1 − ρ_j) (|G|/10) (s_i − s_j)/2 · r`, with r = +1 for G > 0 (inducements and
/// persuasion pull toward i), r = compliance_ji for G < 0 (+1 gives way, −1 digs in), 0 for G = 0;
/// computed as `(η(|G|/10)/2 · (1 − ρ_j)) (s_i − s_j) · r`.
#[inline(always)]
pub(super) fn stance_change(c: &Compiled, s: &[f64], i: usize, j: usize, fx: &CodeFx) -> f64 {
    // Selects rather than branches (an event's sign is as unpredictable as its code): r is
    // exactly 1, compliance_ji or 0 (0 · compliance is ±0, and 0 + ±0 is +0), and r = 0 gives
    // exactly +0.0.
    let r = fx.gives + fx.resists * c.compliance[j * c.n + i];
    let d = fx.stance * c.lambda[j] * (s[i] - s[j]) * r;
    if r == 0.0 {
        0.0
    } else {
        d
    }
}

/// What an event of one code does, with the scenario's κ, κ₃, κ_p and η folded in (see
/// [`event_effects`] and [`stance_change`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct CodeFx {
    /// κ·G/10: the target's view of the actor.
    pub direct: f64,
    /// κ₃·G/10: an ally's view of the actor, per unit of its affinity to the target.
    pub third: f64,
    /// Rule 3: κ_p·|G|/10 for a coercive code (G ≤ −7), else 0.
    pub posture: f64,
    /// Rule 7: η·(|G|/10)/2.
    pub stance: f64,
    /// Rule 7's r = gives + resists · compliance: (1, 0) for G > 0, (0, 1) for G < 0, (0, 0)
    /// for G = 0.
    pub gives: f64,
    pub resists: f64,
}

impl CodeFx {
    pub fn new(pr: &crate::model::Params, g: f64) -> CodeFx {
        CodeFx {
            direct: pr.kappa * g / 10.0,
            third: pr.kappa_third * g / 10.0,
            posture: if g <= COERCIVE {
                pr.kappa_posture * g.abs() / 10.0
            } else {
                0.0
            },
            stance: pr.eta * (g.abs() / 10.0) / 2.0,
            gives: if g > 0.0 { 1.0 } else { 0.0 },
            resists: if g < 0.0 { 1.0 } else { 0.0 },
        }
    }
}

/// Bookkeeping every event gets, drawn or injected: tones, the coercive count, the observer.
#[inline(always)]
pub(super) fn record_event<O: Observer>(st: &mut State, e: &Event, obs: &mut O) {
    let g = e.goldstein();
    st.coercive += usize::from(g <= COERCIVE);
    st.tone_sent[e.actor.ix()] += g;
    st.tone_received[e.target.ix()] += g;
    obs.event(e);
}

/// Rules 3 and 7 for the step's drawn events, all reading state t: affinity changes summed into
/// `x.d_a`, posture bumps into `x.bump`, stance changes into `x.ds`. Returns the step's
/// cooperation index (Σ G). O(events · allies).
pub(super) fn reactions<O: Observer>(
    c: &Compiled,
    st: &mut State,
    x: &mut Scratch,
    obs: &mut O,
) -> f64 {
    // One loop for both (two short `memset` calls cost more). `bump`, `ds` and `d_a` are
    // already zero: [`posture`], [`pressure`] and [`relax_affinities`] clear what they read.
    for (sent, received) in st.tone_sent.iter_mut().zip(&mut st.tone_received) {
        *sent = 0.0;
        *received = 0.0;
    }
    if x.allies_edits != st.a_edits {
        x.allies_edits = st.a_edits;
        x.allies_ok.iter_mut().for_each(|ok| *ok = false);
    }
    let mut coop = 0.0;
    for e in &x.events {
        let j = e.target.ix();
        // The target's allies in A(t), found again only when they may have changed.
        if !x.allies_ok[j] {
            x.allies_ok[j] = true;
            let allies = &mut x.allies[j];
            find_allies(c, &st.a, j, allies);
            // Padded with j to a multiple of four (at least four): A_jj = 0 (the diagonal is
            // kept 0), so j's term adds ±0 to ΔA_ji, which leaves it as it is (ΔA starts at +0,
            // and x + ±0 = x for x ≠ 0, +0 + ±0 = +0).
            debug_assert_eq!(st.a[j * c.n + j].to_bits(), 0, "A_jj is +0");
            let padded = allies.len().next_multiple_of(4).max(4);
            allies.resize(padded, j);
        }
        let d_a = &mut x.d_a;
        let fx = event_effects(c, &st.a, &st.s, &x.allies[j], e, |idx, d| d_a[idx] += d);
        x.bump[j] += fx.posture;
        x.ds[j] += fx.stance;
        x.pushed[j] += fx.stance * c.code_fx[e.code].resists;
        x.recv[j] += f64::from(u8::from(e.issue));
        record_event(st, e, obs);
        coop += e.goldstein();
    }
    coop
}

/// Rule 4, Richardson: `p_i(t+1) = max(0, p_i + k_i·threat_i − m_i·p_i + g_i)` plus this step's
/// coercive bumps, with `threat_i = Σ_j max(−A_ij, 0) c_j p_j / Σ_{j≠i} c_j` read from A(t) (summed
/// by [`stances`] in its pass over A(t)). O(N).
pub(super) fn posture(
    c: &Compiled,
    st: &State,
    threat: &[f64],
    bump: &mut [f64],
    p_next: &mut [f64],
) {
    for i in 0..c.n {
        let p = st.p[i];
        // `bump` back to zero for the next step's sums.
        let b = std::mem::take(&mut bump[i]);
        p_next[i] = ((p + c.k[i] * threat[i] - c.m[i] * p + c.g[i]).max(0.0) + b).min(POSTURE_MAX);
    }
}

/// End of rule 3: `A(t+1) = clip(A(t) + ΔA + δ(A(0) − A(t)), −1, 1)`, diagonal kept at 0. O(N²).
/// Clears `allies_ok` of every target toward which an affinity crossed the ally threshold.
pub(super) fn relax_affinities(c: &Compiled, st: &mut State, x: &mut Scratch) {
    let (n, ok) = (c.n, &mut x.allies_ok);
    // The diagonal of ΔA holds what `event_effects` sent there instead of skipping it.
    for i in 0..n {
        x.d_a[i * n + i] = 0.0;
    }
    relax(
        &mut st.a,
        &st.a_base,
        &mut x.d_a,
        c.params.delta,
        c.params.ally_threshold,
        |k| ok[k % n] = false,
    );
    for i in 0..c.n {
        st.a[i * c.n + i] = 0.0;
    }
}

#[cfg(test)]
#[path = "rules_tests.rs"]
mod tests;
