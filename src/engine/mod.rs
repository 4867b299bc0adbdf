//! The engine: one run of the model, step by step, exactly as DESIGN.md's reference semantics.
//!
//! It never does I/O, prints, reads the clock or the environment. It takes a resolved
//! [`Scenario`] (compiled once into a [`Compiled`] that any number of runs share), a seed and a
//! run index, and reports each step to an [`Observer`]: a recorder for single runs, a streaming
//! aggregator for ensembles. Cost per step: O(N² + events · allies).
//!
//! Order within a step (state t → state t+1), every rule reading state t: stances
//! (Friedkin–Johnsen, rule 1); background events drawn from state t (volume by partner, class
//! then code, rules 2 and 8 as docs/model.md states them for 0.5), then issue signals from
//! each actor's attention; reactions summed from state t plus relaxation, affinities clipped, and
//! the stance changes of rule 7 (pressure and persuasion) added to rule 1's result before its
//! clamp; posture (Richardson, rule 4); the anchors' lasting change and the attention of t+1;
//! then shocks of step t+1 (and their news), its elections, the vote if t+1 is a calendar vote
//! step or a deal is within reach (it reads the stances of t+1; a vote and an approval are news;
//! a failed vote is followed by its bargaining stage and may be shelved), the opening (news), the
//! shocks conditional on the office's status that fall due, and the indicators of t+1
//! (docs/model.md, section 7).

mod alias;
pub mod bdm;
pub mod chacha;
mod codes;
mod decision;
mod lanes;
mod normal;
mod pairs;
pub mod record;
mod rules;
mod state;

use crate::model::{Params, Status, CATALOGUE};
use crate::scenario::{ActorId, Election, Issue, Scenario, ShockAction};
use codes::CodeSampler;
pub use normal::Normal;
use pairs::PairSampler;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rules::{CodeFx, Scratch, State};

/// The generator of run `run` of an ensemble seeded with `seed`: ChaCha8 keyed by
/// `seed_from_u64(seed)` on stream `run`. Run 0 of a seed is the single run of that seed, and a run
/// depends on (seed, run) alone, never on threads or shards. Ensembles, sweeps and [`simulate`]
/// draw the same words through [`chacha::Avx512Rng`] where the CPU has AVX-512.
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
    /// An issue signal (an event about the issue, sent for attention) rather than a background
    /// bilateral event or an injected one.
    pub issue: bool,
    /// Injected by a shock (written out or conditional), not drawn by the model.
    pub injected: bool,
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

/// What a bargaining stage did (docs/model.md, decisions in time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DealKind {
    /// A blocker moved part of the way to a consenting member's position (a BdM compromise).
    Compromise,
    /// A blocker moved to a consenting member's position (a lost confrontation or a capitulation).
    GivesWay,
    /// A blocker was bought off by a linked side payment from `partner`.
    Payment,
    /// The proposer scaled the proposal down (`before` and `after` are the scope).
    ScaleDown,
}

impl DealKind {
    pub fn name(self) -> &'static str {
        match self {
            DealKind::Compromise => "compromise",
            DealKind::GivesWay => "gives_way",
            DealKind::Payment => "payment",
            DealKind::ScaleDown => "scale_down",
        }
    }
}

/// One move of a bargaining stage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Deal {
    pub step: usize,
    pub kind: DealKind,
    /// The blocker that moved (the proposer for a scale-down).
    pub actor: ActorId,
    /// The member whose offer it took, or who paid.
    pub partner: Option<ActorId>,
    /// Stance before and after (the scope, for a scale-down).
    pub before: f64,
    pub after: f64,
}

/// What an observer sees after each step (defined with the metrics that read it).
pub use crate::model::StepView;

/// Receives a run as it happens.
pub trait Observer {
    fn step(&mut self, view: &StepView);
    fn event(&mut self, _event: &Event) {}
    fn vote(&mut self, _vote: &Vote) {}
    fn deal(&mut self, _deal: &Deal) {}
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
    /// Of those, the ones shocks injected (the model drew the rest).
    pub injected_coercive: usize,
    pub shelved_step: Option<usize>,
    /// When the issue's substitute was adopted (at the shelving).
    pub substitute_step: Option<usize>,
    /// The proposal's scope at the end (1 unless scaled down).
    pub scope: f64,
    pub deals: Vec<Deal>,
    /// Elections that turned a government over: (step, actor).
    pub turnovers: Vec<(usize, ActorId)>,
}

/// A shock waiting for the office's status (resolved `when`).
#[derive(Debug, Clone)]
struct Conditional {
    when: Status,
    delay: usize,
    action: ShockAction,
    news: f64,
}

/// A scenario prepared for fast runs: flat arrays, explicit influence rows normalised, shocks by step.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub n: usize,
    pub steps: usize,
    params: Params,
    cap: Vec<f64>,
    sal: Vec<f64>,
    /// c_i σ_i, Σ c_i σ_i and Σ c_i (rule 6's forecast and polarization).
    cap_sal: Vec<f64>,
    cap_sal_sum: f64,
    cap_sum: f64,
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
    /// Rule 7: `compliance[j*n + i]` is j's answer to i's pressure (relation from j to i).
    compliance: Vec<f64>,
    /// Normalised explicit rows of W (row-major), for actors with `explicit[i]`.
    w_explicit: Vec<f64>,
    explicit: Vec<bool>,
    shocks: Vec<Vec<ShockAction>>,
    members: Vec<usize>,
    proposer: usize,
    /// Elections by step.
    elections: Vec<Vec<Election>>,
    /// Shocks conditional on the office's status, in file order.
    conditional: Vec<Conditional>,
    host: usize,
    body_actor: Option<usize>,
    issue: Issue,
    sampler: CodeSampler,
    /// Rule 2's candidate tables: actor i's candidate probability u_i = max_j q_ij.
    pairs: PairSampler,
    /// Rule 2's keep thresholds, row-major: a candidate pair (i, j) is kept when a 32-bit
    /// uniform is below `keep[i*n + j]` = 2³² q_ij / u_i.
    keep: Vec<f64>,
    /// Whether i's economic leverage over j opens economic measures (row-major).
    econ_open: Vec<bool>,
    /// `linkage[b*n + p]`: what p can offer b for its consent (side payments need it > 0).
    linkage: Vec<f64>,
    /// The targets of issue signals: the body (if an actor) and the host.
    issue_targets: Vec<usize>,
    /// Attention kept from one step to the next, 2^(−1/half-life).
    decay: f64,
    /// Visibility of the news among each step's shocks (Σ of their `news`).
    news_at: Vec<f64>,
    /// e^{−m} for the issue signals' Poisson draws.
    exp_neg: codes::ExpNeg,
    /// Rules 3 and 7: each catalogue code's factors.
    code_fx: Vec<CodeFx>,
}

impl Compiled {
    /// Bytes a compiled `sc` holds (its matrices and the code sampler's tables), without compiling
    /// it: what a sweep counts to decide how many points to hold at once.
    pub fn bytes_of(sc: &Scenario) -> usize {
        let n = sc.actors.len();
        std::mem::size_of::<Compiled>()
            + 8 * (6 * n * n + 14 * n)
            + n * n
            + CodeSampler::table_bytes()
            + codes::ExpNeg::bytes()
            + PairSampler::bytes_of(&Volume::new(sc).u)
    }

    /// Steps of the cooperation index's moving average.
    pub fn ma_window(&self) -> usize {
        self.params.ma_window
    }

    pub fn new(sc: &Scenario) -> Compiled {
        let n = sc.actors.len();
        let cap: Vec<f64> = sc.actors.iter().map(|a| a.capability).collect();
        let total: f64 = cap.iter().sum();
        let mut a0 = vec![0.0; n * n];
        let mut compliance = vec![0.0; n * n];
        let mut w_explicit = vec![0.0; n * n];
        let mut explicit: Vec<bool> = sc.actors.iter().map(|a| a.self_weight.is_some()).collect();
        for r in &sc.relations {
            a0[r.from.ix() * n + r.to.ix()] = r.affinity;
            compliance[r.from.ix() * n + r.to.ix()] = r.compliance;
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
        let mut news_at = vec![0.0; sc.steps + 1];
        let mut conditional = Vec::new();
        for s in &sc.shocks {
            if let Some(when) = s.when {
                conditional.push(Conditional {
                    when,
                    delay: s.step,
                    action: s.action.clone(),
                    news: s.news,
                });
            } else if s.step <= sc.steps {
                shocks[s.step].push(s.action.clone());
                news_at[s.step] += s.news;
            }
        }
        let mut elections = vec![Vec::new(); sc.steps + 1];
        for e in &sc.elections {
            if e.step <= sc.steps {
                elections[e.step].push(e.clone());
            }
        }
        let lev_t = sc.params.leverage_threshold;
        let mut econ_open = vec![false; n * n];
        for r in &sc.relations {
            econ_open[r.from.ix() * n + r.to.ix()] = r.leverage > 0.0 && r.leverage >= lev_t;
        }
        let mut linkage = vec![0.0; n * n];
        for r in &sc.relations {
            linkage[r.from.ix() * n + r.to.ix()] = r.linkage;
        }
        let volume = Volume::new(sc);
        let body_actor = sc.actor_index(&sc.issue.body).map(|a| a.ix());
        let mut issue_targets: Vec<usize> = body_actor.into_iter().collect();
        if !issue_targets.contains(&sc.issue.host.ix()) {
            issue_targets.push(sc.issue.host.ix());
        }
        Compiled {
            n,
            steps: sc.steps,
            params: sc.params.clone(),
            sal: sc.actors.iter().map(|a| a.salience).collect(),
            cap_sal: sc
                .actors
                .iter()
                .map(|a| a.capability * a.salience)
                .collect(),
            cap_sal_sum: sc
                .actors
                .iter()
                .fold(0.0, |sum, a| sum + a.capability * a.salience),
            cap_sum: cap.iter().fold(0.0, |sum, c| sum + c),
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
            compliance,
            w_explicit,
            explicit,
            shocks,
            members: sc.issue.members.iter().map(|m| m.ix()).collect(),
            proposer: sc.issue.proposer.ix(),
            elections,
            conditional,
            host: sc.issue.host.ix(),
            body_actor,
            issue: sc.issue.clone(),
            sampler: CodeSampler::new(&sc.params),
            pairs: PairSampler::new(&volume.u),
            keep: volume.keep,
            econ_open,
            linkage,
            issue_targets,
            decay: libm::pow(0.5, 1.0 / sc.params.attention_half_life),
            news_at,
            exp_neg: codes::ExpNeg::new(),
            code_fx: CATALOGUE
                .iter()
                .map(|k| CodeFx::new(&sc.params, k.goldstein))
                .collect(),
        }
    }
}

/// Rule 2's background volume (docs/model.md, volume by partner): i sends j a bilateral event in a
/// step with probability q_ij = 1 − exp(−rate · c_i^a · c_j^b · e^{t·tie_ij}), tie_ij = 1 when
/// A_ij(0) ≠ 0 and |A_ij(0)| ≥ ally_threshold. The draw is thinned: j is a candidate of i with probability
/// u_i = max_j q_ij, and a candidate is kept with probability q_ij / u_i.
struct Volume {
    /// u_i, each actor's candidate probability (0 when i sends nothing).
    u: Vec<f64>,
    /// 2³² q_ij / u_i, row-major (0 on the diagonal).
    keep: Vec<f64>,
}

impl Volume {
    fn new(sc: &Scenario) -> Volume {
        let n = sc.actors.len();
        let pr = &sc.params;
        let mut q = vec![0.0; n * n];
        for r in &sc.relations {
            if r.affinity.abs() >= pr.ally_threshold && r.affinity != 0.0 {
                q[r.from.ix() * n + r.to.ix()] = 1.0;
            }
        }
        for i in 0..n {
            let ci = libm::pow(sc.actors[i].capability, pr.gravity_sender);
            for j in 0..n {
                let tie = q[i * n + j];
                q[i * n + j] = if i == j {
                    0.0
                } else {
                    let lambda = pr.rate
                        * ci
                        * libm::pow(sc.actors[j].capability, pr.gravity_target)
                        * libm::exp(pr.gravity_tie * tie);
                    -libm::expm1(-lambda)
                };
            }
        }
        let u: Vec<f64> = (0..n)
            .map(|i| q[i * n..(i + 1) * n].iter().fold(0.0f64, |m, &x| m.max(x)))
            .collect();
        let keep = (0..n * n)
            .map(|k| {
                let ui = u[k / n];
                if ui > 0.0 {
                    4294967296.0 * (q[k] / ui)
                } else {
                    0.0
                }
            })
            .collect();
        Volume { u, keep }
    }
}

/// Rule 2's background probability q_ij of every ordered pair at the start of a run, row-major
/// (what the thinned draw realises; for tests and documentation).
pub fn background_q(sc: &Scenario) -> Vec<f64> {
    let v = Volume::new(sc);
    let n = sc.actors.len();
    (0..n * n)
        .map(|k| v.u[k / n] * v.keep[k] / 4294967296.0)
        .collect()
}

/// Run the model once. `run` selects the random stream (see [`run_rng`]).
pub fn simulate<O: Observer>(c: &Compiled, seed: u64, run: u64, obs: &mut O) -> Outcome {
    simulate_seeded(c, seed, run, obs, &mut Workspace::default())
}

/// Run `run` of `seed` in the vectors of `ws`: the one entry point of seeded runs (single runs,
/// ensembles, sweeps and calibrations). It draws from [`run_rng`]'s stream, sixteen blocks a
/// refill where the CPU has AVX-512 ([`chacha::Avx512Rng`], the same numbers).
pub fn simulate_seeded<O: Observer>(
    c: &Compiled,
    seed: u64,
    run: u64,
    obs: &mut O,
    ws: &mut Workspace,
) -> Outcome {
    let mut rng = run_rng(seed, run);
    match chacha::Avx512Rng::new(&rng) {
        Some(mut fast) => simulate_in(c, &mut fast, obs, ws),
        None => simulate_in(c, &mut rng, obs, ws),
    }
}

/// Run the model once with a given generator. Each step calls the rules of DESIGN.md in the
/// settled order; every rule reads state t and writes state t+1 (see the `rules` module).
pub fn simulate_with<O: Observer, R: Rng>(c: &Compiled, rng: &mut R, obs: &mut O) -> Outcome {
    simulate_in(c, rng, obs, &mut Workspace::default())
}

/// The vectors a run works in, kept between the runs of one thread so that a run allocates
/// only its outcome: at 200 actors the matrices are 320 KB each, and fresh ones cost the
/// kernel's zeroing of their pages on every run.
#[derive(Default)]
pub struct Workspace {
    held: Option<(State, Scratch)>,
}

/// As [`simulate_with`], in the vectors of `ws` (the same bits: every run starts from the
/// scenario's initial state).
pub fn simulate_in<O: Observer, R: Rng>(
    c: &Compiled,
    rng: &mut R,
    obs: &mut O,
    ws: &mut Workspace,
) -> Outcome {
    let (st, x) = match &mut ws.held {
        Some((st, x)) => {
            st.reset(c);
            x.reset(c.n);
            (st, x)
        }
        held @ None => {
            let (st, x) = held.insert((State::new(c), Scratch::new(c.n)));
            (st, x)
        }
    };
    st.coop.push(0.0);
    decision::indicators(c, st, 0, obs);
    for t in 0..c.steps {
        let next = t + 1;
        rules::stances(c, st, &mut x.s_next, &mut x.threat, &mut x.normal, rng);
        rules::draw_events(c, st, next, x, rng);
        rules::issue_signals(c, st, next, x, rng);
        let mut coop = rules::reactions(c, st, x, obs);
        rules::pressure(x);
        rules::posture(c, st, &x.threat, &mut x.bump, &mut x.p_next);
        rules::relax_affinities(c, st, x);
        std::mem::swap(&mut st.s, &mut x.s_next);
        std::mem::swap(&mut st.p, &mut x.p_next);
        rules::attention(c, st, x);
        // The shocks' news first, so that a large event meets the attention it brings.
        decision::news(c, st, c.news_at[next]);
        for action in &c.shocks[next] {
            coop += decision::shock(c, st, action, next, obs);
        }
        decision::elections(c, st, next, rng);
        if decision::votes_at(c, st, next) {
            decision::vote(c, st, next, obs);
        }
        decision::opening(c, st, next);
        coop += decision::conditional(c, st, next, obs);
        st.coop.push(coop);
        decision::indicators(c, st, next, obs);
    }
    st.outcome()
}
