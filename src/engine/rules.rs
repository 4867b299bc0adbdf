//! The rules of DESIGN.md, one function each, in the order a step calls them:
//! [`stances`] (rule 1), [`draw_events`] (rules 2 and 8), [`reactions`] (rules 3 and 7, with
//! [`event_effects`] shared by drawn and injected events), [`pressure`] (the end of rules 1 and 7),
//! [`posture`] (rule 4), [`relax_affinities`] (end of rule 3). What follows the rules in a step —
//! shocks, the vote, the opening (rule 5) and the indicators (rule 6) — is in `decision.rs`.
//!
//! Every rule reads state t (`State`) and writes into the step's scratch (`Scratch`), so actor
//! order never matters; `simulate_with` swaps the scratch in as state t+1.

use super::{Compiled, Event, Observer, Outcome, Vote, POSTURE_MAX};
use crate::model::{Status, COERCIVE};
use crate::scenario::ActorId;
use rand::{Rng, RngExt};

/// Mutable state of one run.
pub(super) struct State {
    pub s: Vec<f64>,
    /// s(0), the Friedkin–Johnsen anchor (moved by `position` shocks).
    pub anchor: Vec<f64>,
    /// A(t), row-major: `a[i*n + j]` is i's view of j.
    pub a: Vec<f64>,
    /// A(0), the baseline affinities relax toward (moved by the opening).
    pub a_base: Vec<f64>,
    pub p: Vec<f64>,
    pub status: Status,
    pub approved_step: Option<usize>,
    pub opened_step: Option<usize>,
    pub blockers: Vec<ActorId>,
    pub votes: Vec<Vote>,
    pub tone_sent: Vec<f64>,
    pub tone_received: Vec<f64>,
    /// Cooperation index of every step so far (step 0 included).
    pub coop: Vec<f64>,
    pub coercive: usize,
}

impl State {
    pub fn new(c: &Compiled) -> State {
        State {
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
            tone_sent: vec![0.0; c.n],
            tone_received: vec![0.0; c.n],
            coop: Vec::with_capacity(c.steps + 1),
            coercive: 0,
        }
    }

    pub fn into_outcome(self) -> Outcome {
        Outcome {
            status: self.status,
            approved_step: self.approved_step,
            opened_step: self.opened_step,
            blockers: self.blockers,
            votes: self.votes,
            final_stance: self.s,
            final_posture: self.p,
            final_affinity: self.a,
            coercive_events: self.coercive,
        }
    }
}

/// Per-run working memory, reused every step: the next state and the step's events.
pub(super) struct Scratch {
    pub s_next: Vec<f64>,
    pub p_next: Vec<f64>,
    /// Summed affinity changes of the step's events, row-major like A.
    pub d_a: Vec<f64>,
    /// Posture added to each target of a coercive event this step.
    pub bump: Vec<f64>,
    /// Rule 7: stance change of each target from this step's events.
    pub ds: Vec<f64>,
    /// The stance noise's normal draws.
    pub normal: Normal,
    pub events: Vec<Event>,
    /// Allies of each target in A(t), and the step they were found for.
    allies: Vec<Vec<usize>>,
    ally_stamp: Vec<usize>,
}

impl Scratch {
    pub fn new(n: usize) -> Scratch {
        Scratch {
            s_next: vec![0.0; n],
            p_next: vec![0.0; n],
            d_a: vec![0.0; n * n],
            bump: vec![0.0; n],
            ds: vec![0.0; n],
            normal: Normal::default(),
            events: Vec::new(),
            allies: vec![Vec::new(); n],
            ally_stamp: vec![0; n],
        }
    }
}

/// Rule 1, Friedkin–Johnsen: `λ_i Σ_j W_ij s_j(t) + (1 − λ_i) s_i(0) + ε_i` into `s_next`, with
/// W's row i the explicit influence weights, or `r_ii = c_i`, `r_ij = c_j max(A_ij, 0)` normalised.
/// Draws one normal per actor when `noise > 0`. Rule 7's changes are added, and the sum clamped
/// to [−1, 1], by [`pressure`]. O(N²).
pub(super) fn stances<R: Rng>(
    c: &Compiled,
    st: &State,
    s_next: &mut [f64],
    normal: &mut Normal,
    rng: &mut R,
) {
    let n = c.n;
    for (i, out) in s_next.iter_mut().enumerate().take(n) {
        let ws = if c.explicit[i] {
            let w = &c.w_explicit[i * n..(i + 1) * n];
            w.iter().zip(&st.s).map(|(w, s)| w * s).sum::<f64>()
        } else {
            // The diagonal of A is 0 (relaxation keeps it so, shocks and relations cannot
            // target their own actor), so the sums over all j give r_ij for j ≠ i, and r_ii = c_i
            // is added after.
            let row = &st.a[i * n..(i + 1) * n];
            let (sum, acc) = sum4(row, &c.cap, &st.s, |aij, cj, sj| {
                let w = cj * aij.max(0.0);
                (w, w * sj)
            });
            (acc + c.cap[i] * st.s[i]) / (sum + c.cap[i])
        };
        *out = c.lambda[i] * ws + (1.0 - c.lambda[i]) * st.anchor[i];
    }
    let noise = c.params.noise;
    if noise > 0.0 {
        for x in s_next.iter_mut() {
            *x += noise * normal.draw(rng);
        }
    }
}

/// Standard normal draws by Marsaglia's polar method, with the pure-Rust `libm` logarithm and
/// IEEE square root, so that a seed gives the same stances on any platform (the C library's `exp`
/// and `log`, which `rand_distr`'s ziggurat falls back on, may differ by CPU). Each accepted pair
/// of uniforms (probability π/4) gives two independent normals; the second is kept for the next
/// draw. One per run, so a run's draws depend on its own stream alone.
#[derive(Debug, Default)]
pub struct Normal {
    spare: Option<f64>,
}

impl Normal {
    pub fn draw<R: Rng>(&mut self, rng: &mut R) -> f64 {
        if let Some(x) = self.spare.take() {
            return x;
        }
        loop {
            let u = 2.0 * rng.random::<f64>() - 1.0;
            let v = 2.0 * rng.random::<f64>() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                let f = (-2.0 * libm::log(s) / s).sqrt();
                self.spare = Some(v * f);
                return u * f;
            }
        }
    }
}

/// The end of rules 1 and 7: `s_j(t+1) = clamp(FJ_j + Σ Δs_j, −1, 1)`, the Δs of the step's drawn
/// events (summed by [`reactions`], all read from state t). O(N).
pub(super) fn pressure(x: &mut Scratch) {
    for (s, &d) in x.s_next.iter_mut().zip(&x.ds) {
        *s = (*s + d).clamp(-1.0, 1.0);
    }
}

/// Rule 2: for each ordered pair, the desired tone `τ_ij = clamp(A_ij − β σ_i |s_i − s_j| / 2)`,
/// one Bernoulli draw with `q_ij = rate σ_i (0.25 + 0.75 |τ_ij|)`, and for a hit one code from
/// [`super::codes::CodeSampler`] (coercive codes only at posture ≥ the escalation threshold).
/// Events are stamped `step = next`. O(N²) draws.
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
    if pr.rate <= 0.0 {
        return;
    }
    for i in 0..n {
        let base = pr.rate * c.sal[i];
        if base <= 0.0 {
            continue;
        }
        let coercive_ok = st.p[i] >= pr.escalation_threshold;
        let half_bs = pr.beta * c.sal[i] * 0.5;
        // q·2³², exactly (a power of two): a 32-bit uniform x is below q·2³² with probability q
        // (x is exact in f64; for an integer x that is x < ⌈q·2³²⌉), one compare and no `ceil`,
        // and half the stream a 64-bit uniform would use.
        let base32 = base * 4294967296.0;
        let si = st.s[i];
        let row = &st.a[i * n..(i + 1) * n];
        for (j, (&aij, &sj)) in row.iter().zip(&st.s).enumerate() {
            if j == i {
                continue;
            }
            let tau = (aij - half_bs * (si - sj).abs()).clamp(-1.0, 1.0);
            if f64::from(rng.next_u32()) >= base32 * (0.25 + 0.75 * tau.abs()) {
                continue;
            }
            let code = c.sampler.pick(tau, coercive_ok, rng);
            x.events.push(Event {
                step: next,
                actor: ActorId(i as u16),
                target: ActorId(j as u16),
                code,
            });
        }
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
/// (`allies`, found in `a`) moves its view of i by `κ₃·A_lj·G/10`; each change goes to
/// `add(index into A, Δ)`. Drawn and injected events both use it.
pub(super) fn event_effects(
    c: &Compiled,
    a: &[f64],
    s: &[f64],
    allies: &[usize],
    e: &Event,
    mut add: impl FnMut(usize, f64),
) -> Effects {
    let n = c.n;
    let pr = &c.params;
    let (i, j) = (e.actor.ix(), e.target.ix());
    let g = e.goldstein();
    add(j * n + i, pr.kappa * g / 10.0);
    for &l in allies {
        if l != i {
            add(l * n + i, pr.kappa_third * a[l * n + j] * g / 10.0);
        }
    }
    Effects {
        posture: if g <= COERCIVE {
            pr.kappa_posture * g.abs() / 10.0
        } else {
            0.0
        },
        stance: stance_change(c, s, i, j, g),
    }
}

/// Rule 7, pressure and persuasion: an event of weight G from i moves j's stance by
/// `Δs_j = η (1 − ρ_j) (|G|/10) (s_i − s_j)/2 · r`, with r = +1 for G > 0 (inducements and
/// persuasion pull toward i), r = compliance_ji for G < 0 (+1 gives way, −1 digs in), 0 for G = 0.
pub(super) fn stance_change(c: &Compiled, s: &[f64], i: usize, j: usize, g: f64) -> f64 {
    let r = if g > 0.0 {
        1.0
    } else if g < 0.0 {
        c.compliance[j * c.n + i]
    } else {
        0.0
    };
    if r == 0.0 {
        return 0.0;
    }
    c.params.eta * c.lambda[j] * (g.abs() / 10.0) * (s[i] - s[j]) / 2.0 * r
}

/// Bookkeeping every event gets, drawn or injected: tones, the coercive count, the observer.
pub(super) fn record_event<O: Observer>(st: &mut State, e: &Event, obs: &mut O) {
    let g = e.goldstein();
    if g <= COERCIVE {
        st.coercive += 1;
    }
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
    st.tone_sent.iter_mut().for_each(|v| *v = 0.0);
    st.tone_received.iter_mut().for_each(|v| *v = 0.0);
    x.bump.iter_mut().for_each(|v| *v = 0.0);
    x.ds.iter_mut().for_each(|v| *v = 0.0);
    let mut coop = 0.0;
    if x.events.is_empty() {
        return coop;
    }
    x.d_a.iter_mut().for_each(|v| *v = 0.0);
    for e in &x.events {
        let j = e.target.ix();
        // The target's allies in A(t), found once per step for each target hit.
        let stamp = e.step;
        if x.ally_stamp[j] != stamp {
            x.ally_stamp[j] = stamp;
            find_allies(c, &st.a, j, &mut x.allies[j]);
        }
        let d_a = &mut x.d_a;
        let fx = event_effects(c, &st.a, &st.s, &x.allies[j], e, |idx, d| d_a[idx] += d);
        x.bump[j] += fx.posture;
        x.ds[j] += fx.stance;
        record_event(st, e, obs);
        coop += e.goldstein();
    }
    coop
}

/// Rule 4, Richardson: `p_i(t+1) = max(0, p_i + k_i·threat_i − m_i·p_i + g_i)` plus this step's
/// coercive bumps, with `threat_i = Σ_j max(−A_ij, 0) c_j p_j / Σ_{j≠i} c_j` read from A(t). O(N²).
pub(super) fn posture(c: &Compiled, st: &State, bump: &[f64], p_next: &mut [f64]) {
    let n = c.n;
    for i in 0..n {
        let row = &st.a[i * n..(i + 1) * n];
        let (threat, _) = sum4(row, &c.cap, &st.p, |aij, cj, pj| {
            ((-aij).max(0.0) * cj * pj, 0.0)
        });
        let threat = threat * c.inv_others[i];
        let p = st.p[i];
        p_next[i] =
            ((p + c.k[i] * threat - c.m[i] * p + c.g[i]).max(0.0) + bump[i]).min(POSTURE_MAX);
    }
}

/// Σ_j f(a_j, b_j, c_j) of a pair of values, over three slices of one length, in four
/// interleaved partial sums added in a fixed order: the same bits on every platform, and a loop
/// the compiler can keep in vector registers (a single running sum must be added in order).
#[inline(always)]
fn sum4(a: &[f64], b: &[f64], c: &[f64], f: impl Fn(f64, f64, f64) -> (f64, f64)) -> (f64, f64) {
    let (mut x, mut y) = ([0.0f64; 4], [0.0f64; 4]);
    let (ac, bc, cc) = (a.chunks_exact(4), b.chunks_exact(4), c.chunks_exact(4));
    let tail = ac
        .remainder()
        .iter()
        .zip(bc.remainder())
        .zip(cc.remainder());
    for ((a, b), c) in ac.zip(bc).zip(cc) {
        for l in 0..4 {
            let (u, v) = f(a[l], b[l], c[l]);
            x[l] += u;
            y[l] += v;
        }
    }
    for (l, ((&a, &b), &c)) in tail.enumerate() {
        let (u, v) = f(a, b, c);
        x[l] += u;
        y[l] += v;
    }
    ((x[0] + x[1]) + (x[2] + x[3]), (y[0] + y[1]) + (y[2] + y[3]))
}

/// End of rule 3: `A(t+1) = clip(A(t) + ΔA + δ(A(0) − A(t)), −1, 1)`, diagonal kept at 0. O(N²).
pub(super) fn relax_affinities(c: &Compiled, st: &mut State, x: &Scratch) {
    let delta = c.params.delta;
    if x.events.is_empty() {
        for (a, &b) in st.a.iter_mut().zip(&st.a_base) {
            *a = (*a + delta * (b - *a)).clamp(-1.0, 1.0);
        }
    } else {
        for ((a, &b), &d) in st.a.iter_mut().zip(&st.a_base).zip(&x.d_a) {
            *a = (*a + d + delta * (b - *a)).clamp(-1.0, 1.0);
        }
    }
    for i in 0..c.n {
        st.a[i * c.n + i] = 0.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::run_rng;

    #[test]
    fn libm_gives_the_reference_values() {
        // The same bits on every platform; each within one unit in the last place of the true
        // value (e = 2.718281828459045235…, ln 2 = 0.693147180559945309…, e^−½ = 0.606530659712633423…).
        assert_eq!(libm::exp(1.0).to_bits(), 2.7182818284590455f64.to_bits());
        assert_eq!(libm::log(2.0).to_bits(), std::f64::consts::LN_2.to_bits());
        assert_eq!(libm::exp(-0.5).to_bits(), 0.6065306597126334f64.to_bits());
        assert!((libm::exp(1.0) - std::f64::consts::E).abs() <= f64::EPSILON * 4.0);
    }

    #[test]
    fn the_polar_normal_has_mean_zero_and_variance_one() {
        let mut rng = run_rng(11, 0);
        let mut normal = Normal::default();
        let n = 200_000;
        let (mut s, mut s2, mut s4, mut lag) = (0.0, 0.0, 0.0, 0.0);
        let mut prev = 0.0;
        for _ in 0..n {
            let x = normal.draw(&mut rng);
            s += x;
            s2 += x * x;
            s4 += x * x * x * x;
            lag += x * prev;
            prev = x;
        }
        let n = n as f64;
        // The two normals of a pair are independent: the lag-1 correlation is 0 (s.e. 1/√n).
        assert!((lag / n).abs() < 4.0 / n.sqrt(), "lag-1 {}", lag / n);
        // Standard errors: mean 1/√n, variance √(2/n), fourth moment (3) √(96/n).
        assert!((s / n).abs() < 4.0 / n.sqrt(), "mean {}", s / n);
        assert!(
            (s2 / n - 1.0).abs() < 4.0 * (2.0 / n).sqrt(),
            "var {}",
            s2 / n
        );
        assert!(
            (s4 / n - 3.0).abs() < 4.0 * (96.0 / n).sqrt(),
            "m4 {}",
            s4 / n
        );
    }
}
