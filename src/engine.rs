//! The engine: one run of the model, step by step, exactly as DESIGN.md's reference semantics.
//!
//! It never does I/O, prints, reads the clock or the environment. It takes a resolved
//! [`Scenario`] (compiled once into a [`Compiled`] that any number of runs share), a seed and a
//! run index, and reports each step to an [`Observer`]: a recorder for single runs, a streaming
//! aggregator for ensembles. Cost per step: O(N² + events · allies).
//!
//! Order within a step (state t → state t+1), every rule reading state t:
//! 1. stances (Friedkin–Johnsen), 2. events drawn from state t, 3. reactions summed from state t
//! plus relaxation, affinities clipped, 4. posture (Richardson), then shocks of step t+1, the vote
//! if t+1 is a vote step (it reads the stances of t+1), the opening, and the indicators of t+1.

use crate::model::{Params, Status, CATALOGUE, COERCIVE};
use crate::scenario::{ActorId, Scenario, ShockAction};
use rand::{Rng, RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// The generator of run `run` of an ensemble seeded with `seed`: ChaCha8 keyed by
/// `seed_from_u64(seed)` on stream `run`. Run 0 of a seed is the single run of that seed, and a run
/// depends on (seed, run) alone, never on threads or shards.
pub fn run_rng(seed: u64, run: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(run);
    rng
}

/// Largest posture the engine reports: an unstable arms race (m·n < a·b) grows geometrically, and
/// the cap keeps it finite (and every output free of `inf` and NaN) on long runs.
pub const POSTURE_MAX: f64 = 1e9;

/// One coded event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event {
    pub step: usize,
    pub actor: ActorId,
    pub target: ActorId,
    /// Index into [`CATALOGUE`].
    pub code: usize,
}

impl Event {
    pub fn goldstein(&self) -> f64 {
        CATALOGUE[self.code].goldstein
    }
}

/// One vote of the body.
#[derive(Debug, Clone, PartialEq)]
pub struct Vote {
    pub step: usize,
    pub approved: bool,
    /// Members whose stance was below the threshold.
    pub blockers: Vec<ActorId>,
}

/// What an observer sees after each step's indicators (step 0 is the initial state).
pub struct StepView<'a> {
    pub step: usize,
    pub stance: &'a [f64],
    pub posture: &'a [f64],
    /// Sum of Goldstein weights each actor sent this step.
    pub tone_sent: &'a [f64],
    /// Sum of Goldstein weights each actor received this step.
    pub tone_received: &'a [f64],
    /// Compromise forecast F = Σ c σ s / Σ c σ.
    pub forecast: f64,
    /// Capability-weighted standard deviation of stances.
    pub polarization: f64,
    /// Sum of Goldstein weights of this step's events.
    pub cooperation: f64,
    /// Mean of `cooperation` over the last `ma_window` steps (fewer at the start).
    pub cooperation_ma: f64,
    pub status: Status,
}

/// Receives a run as it happens.
pub trait Observer {
    fn step(&mut self, view: &StepView);
    fn event(&mut self, _event: &Event) {}
    fn vote(&mut self, _vote: &Vote) {}
}

/// An observer that ignores everything (benchmarks, outcome-only runs).
pub struct Nothing;
impl Observer for Nothing {
    fn step(&mut self, _view: &StepView) {}
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: Status,
    pub approved_step: Option<usize>,
    pub opened_step: Option<usize>,
    /// Blockers at the last vote that failed, unless a later vote approved.
    pub blockers: Vec<ActorId>,
    pub votes: Vec<Vote>,
    pub final_stance: Vec<f64>,
    pub final_posture: Vec<f64>,
    /// Final affinity matrix, row-major, A[i*n + j] = i's view of j (diagonal 0).
    pub final_affinity: Vec<f64>,
    /// Number of coercive events (Goldstein ≤ −7), drawn or injected.
    pub coercive_events: usize,
}

/// A scenario prepared for fast runs: flat arrays, explicit influence rows normalised, shocks by step.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub n: usize,
    pub steps: usize,
    params: Params,
    cap: Vec<f64>,
    sal: Vec<f64>,
    lambda: Vec<f64>,
    s0: Vec<f64>,
    p0: Vec<f64>,
    k: Vec<f64>,
    m: Vec<f64>,
    g: Vec<f64>,
    /// 1 / Σ_{j≠i} c_j (0 for a lone actor).
    inv_others: Vec<f64>,
    /// A(0), row-major.
    a0: Vec<f64>,
    /// Normalised explicit rows of W (row-major), for actors with `explicit[i]`.
    w_explicit: Vec<f64>,
    explicit: Vec<bool>,
    shocks: Vec<Vec<ShockAction>>,
    members: Vec<usize>,
    host: usize,
    body_actor: Option<usize>,
    threshold: f64,
    first_vote: usize,
    vote_interval: usize,
    setup_steps: usize,
    sampler: CodeSampler,
}

impl Compiled {
    pub fn new(sc: &Scenario) -> Compiled {
        let n = sc.actors.len();
        let cap: Vec<f64> = sc.actors.iter().map(|a| a.capability).collect();
        let total: f64 = cap.iter().sum();
        let mut a0 = vec![0.0; n * n];
        let mut w_explicit = vec![0.0; n * n];
        let mut explicit: Vec<bool> = sc.actors.iter().map(|a| a.self_weight.is_some()).collect();
        for r in &sc.relations {
            a0[r.from.ix() * n + r.to.ix()] = r.affinity;
            if let Some(w) = r.influence {
                explicit[r.from.ix()] = true;
                w_explicit[r.from.ix() * n + r.to.ix()] = w;
            }
        }
        for i in 0..n {
            if explicit[i] {
                w_explicit[i * n + i] = sc.actors[i].self_weight.unwrap_or(cap[i]);
                let sum: f64 = w_explicit[i * n..(i + 1) * n].iter().sum();
                for w in &mut w_explicit[i * n..(i + 1) * n] {
                    *w /= sum;
                }
            }
        }
        let mut shocks = vec![Vec::new(); sc.steps + 1];
        for s in &sc.shocks {
            if s.step <= sc.steps {
                shocks[s.step].push(s.action.clone());
            }
        }
        Compiled {
            n,
            steps: sc.steps,
            params: sc.params.clone(),
            sal: sc.actors.iter().map(|a| a.salience).collect(),
            lambda: sc.actors.iter().map(|a| 1.0 - a.stubbornness).collect(),
            s0: sc.actors.iter().map(|a| a.stance).collect(),
            p0: sc.actors.iter().map(|a| a.posture).collect(),
            k: sc.actors.iter().map(|a| a.reactivity).collect(),
            m: sc.actors.iter().map(|a| a.fatigue).collect(),
            g: sc.actors.iter().map(|a| a.grievance).collect(),
            inv_others: cap
                .iter()
                .map(|c| {
                    if total - c > 0.0 {
                        1.0 / (total - c)
                    } else {
                        0.0
                    }
                })
                .collect(),
            cap,
            a0,
            w_explicit,
            explicit,
            shocks,
            members: sc.issue.members.iter().map(|m| m.ix()).collect(),
            host: sc.issue.host.ix(),
            body_actor: sc.actor_index(&sc.issue.body).map(|a| a.ix()),
            threshold: sc.issue.threshold,
            first_vote: sc.issue.first_vote,
            vote_interval: sc.issue.vote_interval,
            setup_steps: sc.issue.setup_steps,
            sampler: CodeSampler::new(sc.params.temperature),
        }
    }

    fn is_vote_step(&self, t: usize) -> bool {
        t >= self.first_vote && (t - self.first_vote) % self.vote_interval == 0
    }
}

/// Mutable state of one run.
struct State {
    s: Vec<f64>,
    anchor: Vec<f64>,
    a: Vec<f64>,
    a_base: Vec<f64>,
    p: Vec<f64>,
    status: Status,
    approved_step: Option<usize>,
    opened_step: Option<usize>,
    blockers: Vec<ActorId>,
    votes: Vec<Vote>,
    tone_sent: Vec<f64>,
    tone_received: Vec<f64>,
    coop: Vec<f64>,
    coercive: usize,
}

/// Run the model once. `run` selects the random stream (see [`run_rng`]).
pub fn simulate<O: Observer>(c: &Compiled, seed: u64, run: u64, obs: &mut O) -> Outcome {
    let mut rng = run_rng(seed, run);
    simulate_with(c, &mut rng, obs)
}

/// Run the model once with a given generator.
pub fn simulate_with<O: Observer, R: Rng>(c: &Compiled, rng: &mut R, obs: &mut O) -> Outcome {
    let n = c.n;
    let pr = &c.params;
    let mut st = State {
        s: c.s0.clone(),
        anchor: c.s0.clone(),
        a: c.a0.clone(),
        a_base: c.a0.clone(),
        p: c.p0.clone(),
        status: Status::Proposed,
        approved_step: None,
        opened_step: None,
        blockers: Vec::new(),
        votes: Vec::new(),
        tone_sent: vec![0.0; n],
        tone_received: vec![0.0; n],
        coop: Vec::with_capacity(c.steps + 1),
        coercive: 0,
    };
    let mut s_next = vec![0.0; n];
    let mut p_next = vec![0.0; n];
    let mut d_a = vec![0.0; n * n];
    let mut bump = vec![0.0; n];
    let mut threats = vec![0.0; n];
    let mut events: Vec<Event> = Vec::new();
    // Allies of each target, and the step they were found for.
    let mut allies: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut ally_stamp = vec![0usize; n];
    let mut weights = [0.0f64; CATALOGUE.len()];

    st.coop.push(0.0);
    report(c, &st, 0, obs);

    for t in 0..c.steps {
        let next = t + 1;
        // 1. Stances (Friedkin–Johnsen) from state t; in the same pass over row i of A(t), the
        //    perceived threat of rule 4 (the diagonal of A is 0, so it adds nothing to either).
        for i in 0..n {
            let row = &st.a[i * n..(i + 1) * n];
            let mut threat = 0.0;
            for ((&aij, &cj), &pj) in row.iter().zip(&c.cap).zip(&st.p) {
                threat += (-aij).max(0.0) * cj * pj;
            }
            threats[i] = threat * c.inv_others[i];
            let ws = if c.explicit[i] {
                let w = &c.w_explicit[i * n..(i + 1) * n];
                w.iter().zip(&st.s).map(|(w, s)| w * s).sum::<f64>()
            } else {
                let mut sum = 0.0;
                let mut acc = 0.0;
                for (j, ((&aij, &cj), &sj)) in row.iter().zip(&c.cap).zip(&st.s).enumerate() {
                    // r_ij = c_j max(A_ij, 0), r_ii = c_i.
                    let w = if j == i { cj } else { cj * aij.max(0.0) };
                    sum += w;
                    acc += w * sj;
                }
                acc / sum
            };
            s_next[i] = c.lambda[i] * ws + (1.0 - c.lambda[i]) * st.anchor[i];
        }
        if pr.noise > 0.0 {
            for x in s_next.iter_mut() {
                let e: f64 = rng.sample(StandardNormal);
                *x += pr.noise * e;
            }
        }
        for x in s_next.iter_mut() {
            *x = x.clamp(-1.0, 1.0);
        }
        // 2. Events drawn from state t.
        events.clear();
        if pr.rate > 0.0 {
            for i in 0..n {
                let base = pr.rate * c.sal[i];
                if base <= 0.0 {
                    continue;
                }
                let coercive_ok = st.p[i] >= pr.escalation_threshold;
                let half_bs = pr.beta * c.sal[i] * 0.5;
                for j in 0..n {
                    if j == i {
                        continue;
                    }
                    let tau =
                        (st.a[i * n + j] - half_bs * (st.s[i] - st.s[j]).abs()).clamp(-1.0, 1.0);
                    let q = base * (0.25 + 0.75 * tau.abs());
                    // A 32-bit uniform is plenty for a Bernoulli draw and halves the stream used.
                    let u = rng.next_u32() as f64 * (1.0 / 4294967296.0);
                    if u >= q {
                        continue;
                    }
                    let code = c.sampler.pick(tau, coercive_ok, &mut weights, rng);
                    events.push(Event {
                        step: next,
                        actor: ActorId(i as u16),
                        target: ActorId(j as u16),
                        code,
                    });
                }
            }
        }
        // 3. Reactions summed from state t, relaxation, clip.
        st.tone_sent.iter_mut().for_each(|x| *x = 0.0);
        st.tone_received.iter_mut().for_each(|x| *x = 0.0);
        bump.iter_mut().for_each(|x| *x = 0.0);
        let mut coop = 0.0;
        if !events.is_empty() {
            d_a.iter_mut().for_each(|x| *x = 0.0);
            for e in &events {
                let (i, j) = (e.actor.ix(), e.target.ix());
                let g = e.goldstein();
                d_a[j * n + i] += pr.kappa * g / 10.0;
                // The target's allies in A(t), found once per step for each target hit.
                if ally_stamp[j] != next {
                    ally_stamp[j] = next;
                    allies[j].clear();
                    for l in 0..n {
                        if l != j && st.a[l * n + j] > pr.ally_threshold {
                            allies[j].push(l);
                        }
                    }
                }
                for &l in &allies[j] {
                    if l != i {
                        d_a[l * n + i] += pr.kappa_third * st.a[l * n + j] * g / 10.0;
                    }
                }
                if g <= COERCIVE {
                    bump[j] += pr.kappa_posture * g.abs() / 10.0;
                    st.coercive += 1;
                }
                st.tone_sent[i] += g;
                st.tone_received[j] += g;
                coop += g;
                obs.event(e);
            }
        }
        // 4. Posture (Richardson) from state t; the threat (computed above) is a
        //    capability-weighted mean.
        for i in 0..n {
            let p = st.p[i];
            p_next[i] = ((p + c.k[i] * threats[i] - c.m[i] * p + c.g[i]).max(0.0) + bump[i])
                .min(POSTURE_MAX);
        }
        // Affinities of t+1 (after posture, which read A(t)).
        let delta = pr.delta;
        if events.is_empty() {
            for (a, &b) in st.a.iter_mut().zip(&st.a_base) {
                *a = (*a + delta * (b - *a)).clamp(-1.0, 1.0);
            }
        } else {
            for ((a, &b), &d) in st.a.iter_mut().zip(&st.a_base).zip(&d_a) {
                *a = (*a + d + delta * (b - *a)).clamp(-1.0, 1.0);
            }
        }
        for i in 0..n {
            st.a[i * n + i] = 0.0;
        }
        std::mem::swap(&mut st.s, &mut s_next);
        std::mem::swap(&mut st.p, &mut p_next);

        // Shocks of step t+1, in file order.
        for action in &c.shocks[next] {
            coop += apply_shock(c, &mut st, action, next, obs);
        }
        // The vote, reading the stances of t+1.
        if matches!(st.status, Status::Proposed | Status::Postponed) && c.is_vote_step(next) {
            let blockers: Vec<ActorId> = c
                .members
                .iter()
                .filter(|&&m| st.s[m] < c.threshold)
                .map(|&m| ActorId(m as u16))
                .collect();
            let vote = Vote {
                step: next,
                approved: blockers.is_empty(),
                blockers: blockers.clone(),
            };
            obs.vote(&vote);
            if vote.approved {
                st.status = Status::Approved;
                st.approved_step = Some(next);
                st.blockers.clear();
            } else {
                st.status = Status::Postponed;
                st.blockers = blockers;
            }
            st.votes.push(vote);
        }
        // The opening, `setup_steps` after approval.
        if st.status == Status::Approved
            && st.approved_step.is_some_and(|a| next >= a + c.setup_steps)
        {
            open(c, &mut st, next);
        }
        st.coop.push(coop);
        report(c, &st, next, obs);
    }

    Outcome {
        status: st.status,
        approved_step: st.approved_step,
        opened_step: st.opened_step,
        blockers: st.blockers,
        votes: st.votes,
        final_stance: st.s,
        final_posture: st.p,
        final_affinity: st.a,
        coercive_events: st.coercive,
    }
}

/// Largest gap between consecutive n_k = 10·G_k of the catalogue (from 40 to 70; checked in the
/// tests).
const MAX_GAP: usize = 30;

/// Draws event codes: code k with probability ∝ exp(−(g_k − τ)² / 2T²), g_k = G_k/10, among the
/// codes open to the actor.
///
/// Expanding the square, the weight is exp(−g_k²/2T²) · exp(g_k τ/T²) · exp(−τ²/2T²); the last
/// factor is common to all codes and drops out. Every G_k has one decimal, so g_k = n_k/100 with
/// an integer n_k, and exp(g_k τ/T²) = z^{n_k} with z = exp(τ/(100T²)): one `exp` per draw and a
/// product per code (codes visited in order of n_k, multiplying by z^{gap}), instead of one `exp`
/// per code. For T below 0.05 the powers could overflow, and the weights are computed directly.
#[derive(Debug, Clone)]
struct CodeSampler {
    g: [f64; CATALOGUE.len()],
    open_low: [bool; CATALOGUE.len()],
    inv_2t2: f64,
    factored: bool,
    /// exp(−g_k²/2T²)
    a: [f64; CATALOGUE.len()],
    /// Catalogue indices in increasing n_k, and n_k − n_{k−1} along that order.
    order: [usize; CATALOGUE.len()],
    gap: [i32; CATALOGUE.len()],
    n_first: i32,
    u: f64,
}

impl CodeSampler {
    fn new(temperature: f64) -> CodeSampler {
        let t2 = temperature * temperature;
        let mut g = [0.0; CATALOGUE.len()];
        let mut n = [0i32; CATALOGUE.len()];
        let mut a = [0.0; CATALOGUE.len()];
        let mut open_low = [false; CATALOGUE.len()];
        for (k, c) in CATALOGUE.iter().enumerate() {
            g[k] = c.goldstein / 10.0;
            n[k] = (c.goldstein * 10.0).round() as i32;
            a[k] = (-g[k] * g[k] / (2.0 * t2)).exp();
            open_low[k] = c.goldstein <= COERCIVE;
        }
        let mut order: [usize; CATALOGUE.len()] = std::array::from_fn(|k| k);
        order.sort_by_key(|&k| (n[k], k));
        let mut gap = [0i32; CATALOGUE.len()];
        for w in 1..order.len() {
            gap[w] = n[order[w]] - n[order[w - 1]];
        }
        CodeSampler {
            g,
            open_low,
            inv_2t2: 1.0 / (2.0 * t2),
            factored: temperature >= 0.05,
            a,
            order,
            gap,
            n_first: n[order[0]],
            u: 1.0 / (100.0 * t2),
        }
    }

    /// Unnormalised weights into `w` (catalogue order); returns their sum.
    #[inline]
    fn weights(&self, tau: f64, coercive_ok: bool, w: &mut [f64; CATALOGUE.len()]) -> f64 {
        if self.factored {
            let z = (tau * self.u).exp();
            // z^0 … z^MAX_GAP by repeated multiplication.
            let mut zp = [1.0f64; MAX_GAP + 1];
            for d in 1..=MAX_GAP {
                zp[d] = zp[d - 1] * z;
            }
            let mut zn = z.powi(self.n_first);
            for (pos, &k) in self.order.iter().enumerate() {
                zn *= zp[self.gap[pos] as usize];
                w[k] = if coercive_ok || !self.open_low[k] {
                    self.a[k] * zn
                } else {
                    0.0
                };
            }
        } else {
            for k in 0..CATALOGUE.len() {
                let d = self.g[k] - tau;
                w[k] = if coercive_ok || !self.open_low[k] {
                    (-d * d * self.inv_2t2).exp()
                } else {
                    0.0
                };
            }
        }
        let mut total = 0.0;
        for x in w.iter_mut() {
            total += *x;
            *x = total;
        }
        total
    }

    #[inline]
    fn pick<R: Rng>(
        &self,
        tau: f64,
        coercive_ok: bool,
        w: &mut [f64; CATALOGUE.len()],
        rng: &mut R,
    ) -> usize {
        let total = self.weights(tau, coercive_ok, w);
        if !(total > 0.0 && total.is_finite()) {
            // Every open code underflowed (a tiny T): take the nearest open code.
            return self.nearest(tau, coercive_ok);
        }
        let u: f64 = rng.random::<f64>() * total;
        w.iter()
            .position(|&cum| u < cum)
            .unwrap_or_else(|| self.nearest(tau, coercive_ok))
    }

    fn nearest(&self, tau: f64, coercive_ok: bool) -> usize {
        let mut best = 0;
        let mut best_d = f64::INFINITY;
        for (k, g) in self.g.iter().enumerate() {
            if (coercive_ok || !self.open_low[k]) && (g - tau).abs() < best_d {
                best_d = (g - tau).abs();
                best = k;
            }
        }
        best
    }
}

/// Apply one shock at step `t`; returns the Goldstein weight it adds to the step's index.
fn apply_shock<O: Observer>(
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
            st.s[i] = op.apply(st.s[i]).clamp(-1.0, 1.0);
        }
        ShockAction::Position { actor, op } => {
            let i = actor.ix();
            st.s[i] = op.apply(st.s[i]).clamp(-1.0, 1.0);
            st.anchor[i] = op.apply(st.anchor[i]).clamp(-1.0, 1.0);
        }
        ShockAction::Affinity { actor, target, op } => {
            let idx = actor.ix() * n + target.ix();
            st.a[idx] = op.apply(st.a[idx]).clamp(-1.0, 1.0);
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
            };
            let (i, j) = (actor.ix(), target.ix());
            let g = e.goldstein();
            let pr = &c.params;
            // Reactions read the state as it stands when the event is injected.
            let allies: Vec<(usize, f64)> = (0..n)
                .filter(|&l| l != i && l != j && st.a[l * n + j] > pr.ally_threshold)
                .map(|l| (l, st.a[l * n + j]))
                .collect();
            st.a[j * n + i] = (st.a[j * n + i] + pr.kappa * g / 10.0).clamp(-1.0, 1.0);
            for (l, alj) in allies {
                st.a[l * n + i] =
                    (st.a[l * n + i] + pr.kappa_third * alj * g / 10.0).clamp(-1.0, 1.0);
            }
            if g <= COERCIVE {
                st.p[j] = (st.p[j] + pr.kappa_posture * g.abs() / 10.0).min(POSTURE_MAX);
                st.coercive += 1;
            }
            st.tone_sent[i] += g;
            st.tone_received[j] += g;
            obs.event(&e);
            return g;
        }
        ShockAction::Office { status } => match status {
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
        },
    }
    0.0
}

/// Open the office at step t: each actor's affinity toward host and body, and its baseline, move
/// by κ_o·σ_i·s_i.
fn open(c: &Compiled, st: &mut State, t: usize) {
    let n = c.n;
    st.status = Status::Opened;
    st.opened_step = Some(t);
    let targets = [Some(c.host), c.body_actor.filter(|&b| b != c.host)];
    for i in 0..n {
        let shift = c.params.kappa_open * c.sal[i] * st.s[i];
        for target in targets.into_iter().flatten() {
            if target != i {
                let idx = i * n + target;
                st.a[idx] = (st.a[idx] + shift).clamp(-1.0, 1.0);
                st.a_base[idx] = (st.a_base[idx] + shift).clamp(-1.0, 1.0);
            }
        }
    }
}

/// Indicators of step t, to the observer.
fn report<O: Observer>(c: &Compiled, st: &State, t: usize, obs: &mut O) {
    let (mut num, mut den, mut cs, mut c_sum) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..c.n {
        num += c.cap[i] * c.sal[i] * st.s[i];
        den += c.cap[i] * c.sal[i];
        cs += c.cap[i] * st.s[i];
        c_sum += c.cap[i];
    }
    let mean = cs / c_sum;
    // With no salience anywhere the forecast falls back to the capability-weighted mean.
    let forecast = if den > 0.0 { num / den } else { mean };
    let var = (0..c.n)
        .map(|i| c.cap[i] * (st.s[i] - mean).powi(2))
        .sum::<f64>()
        / c_sum;
    let w = c.params.ma_window.min(st.coop.len());
    let cooperation_ma = st.coop[st.coop.len() - w..].iter().sum::<f64>() / w as f64;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Normalised probabilities straight from the formula of DESIGN.md.
    fn direct(tau: f64, t: f64, coercive_ok: bool) -> Vec<f64> {
        let w: Vec<f64> = CATALOGUE
            .iter()
            .map(|c| {
                let g = c.goldstein / 10.0;
                if coercive_ok || c.goldstein > COERCIVE {
                    (-(g - tau).powi(2) / (2.0 * t * t)).exp()
                } else {
                    0.0
                }
            })
            .collect();
        let s: f64 = w.iter().sum();
        w.iter().map(|x| x / s).collect()
    }

    #[test]
    fn factored_code_weights_equal_the_direct_formula() {
        for &t in &[0.05, 0.1, 0.15, 0.3, 1.0, 0.02] {
            let sampler = CodeSampler::new(t);
            for k in 0..=40 {
                let tau = -1.0 + k as f64 * 0.05;
                for ok in [false, true] {
                    let mut w = [0.0; CATALOGUE.len()];
                    let total = sampler.weights(tau, ok, &mut w);
                    let want = direct(tau, t, ok);
                    let mut prev = 0.0;
                    for (k, p) in want.iter().enumerate() {
                        let got = (w[k] - prev) / total;
                        prev = w[k];
                        assert!(
                            (got - p).abs() < 1e-12,
                            "T={t} τ={tau} code {k}: {got} vs {p}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn catalogue_gaps_fit_the_power_table() {
        let s = CodeSampler::new(0.15);
        assert!(s.gap.iter().all(|&g| (0..=MAX_GAP as i32).contains(&g)));
        assert_eq!(*s.gap.iter().max().unwrap(), MAX_GAP as i32);
    }

    #[test]
    fn coercive_codes_are_closed_below_the_escalation_threshold() {
        let s = CodeSampler::new(0.15);
        let mut rng = run_rng(3, 0);
        let mut w = [0.0; CATALOGUE.len()];
        for _ in 0..2000 {
            let k = s.pick(-1.0, false, &mut w, &mut rng);
            assert!(CATALOGUE[k].goldstein > COERCIVE);
        }
        // With posture high enough, τ = −1 draws force or blockade with the formula's probability
        // (≈ 0.688); 2000 draws lie within 4 standard deviations of it.
        let p: f64 = direct(-1.0, 0.15, true)
            .iter()
            .zip(CATALOGUE.iter())
            .filter(|(_, c)| c.goldstein <= -9.5)
            .map(|(p, _)| p)
            .sum();
        let hostile = (0..2000)
            .filter(|_| CATALOGUE[s.pick(-1.0, true, &mut w, &mut rng)].goldstein <= -9.5)
            .count();
        let sd = (2000.0 * p * (1.0 - p)).sqrt();
        assert!(
            (hostile as f64 - 2000.0 * p).abs() < 4.0 * sd,
            "{hostile} vs {}",
            2000.0 * p
        );
    }
}
