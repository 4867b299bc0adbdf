//! A run's state (`State`: stances, anchors, affinities, postures, the office, the record of the
//! decision) and the per-step working memory the rules write into (`Scratch`), swapped in as
//! state t+1 at the end of a step.

use super::normal::Normal;
use super::pairs::GROUP;
use super::{Compiled, Deal, Event, Outcome, Vote};
use crate::model::Status;
use crate::scenario::ActorId;

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
    /// h(t): each actor's attention to the issue (news × salience, decaying).
    pub h: Vec<f64>,
    pub status: Status,
    pub approved_step: Option<usize>,
    pub opened_step: Option<usize>,
    pub shelved_step: Option<usize>,
    pub substitute_step: Option<usize>,
    /// The proposal's scope k (1 in full; scaled down by bargaining).
    pub scope: f64,
    /// The consent threshold θ_k once the proposal is scaled down (None: the θ).
    pub bar: Option<f64>,
    /// Side payments made so far.
    pub spent: f64,
    /// The lowest member's stance less the consent threshold at the last vote (before its
    /// bargaining stage).
    pub gap_at_vote: f64,
    pub deals: Vec<Deal>,
    pub turnovers: Vec<(usize, ActorId)>,
    /// When each conditional shock is due (None until its status is reached).
    pub due: Vec<Option<usize>>,
    pub blockers: Vec<ActorId>,
    pub votes: Vec<Vote>,
    pub tone_sent: Vec<f64>,
    pub tone_received: Vec<f64>,
    /// Cooperation index of every step so far (step 0 included).
    pub coop: Vec<f64>,
    pub coercive: usize,
    /// Of those, the ones a shock injected (a conditional shock injects in some runs only).
    pub injected_coercive: usize,
    /// Edits of `a` other than relaxation (shocks, injected events, the opening), counted so that
    /// lists derived from A know to be found anew.
    pub a_edits: u64,
}

impl State {
    pub fn new(c: &Compiled) -> State {
        let mut st = State {
            s: Vec::new(),
            anchor: Vec::new(),
            a: Vec::new(),
            a_base: Vec::new(),
            p: Vec::new(),
            h: Vec::new(),
            status: Status::Proposed,
            approved_step: None,
            opened_step: None,
            shelved_step: None,
            substitute_step: None,
            scope: 1.0,
            bar: None,
            spent: 0.0,
            gap_at_vote: f64::INFINITY,
            deals: Vec::new(),
            turnovers: Vec::new(),
            due: Vec::new(),
            blockers: Vec::new(),
            votes: Vec::new(),
            tone_sent: Vec::new(),
            tone_received: Vec::new(),
            coop: Vec::with_capacity(c.steps + 1),
            coercive: 0,
            injected_coercive: 0,
            a_edits: 0,
        };
        st.reset(c);
        st
    }

    /// The initial state of a run of `c`, in the vectors this state already holds.
    pub fn reset(&mut self, c: &Compiled) {
        self.s.clone_from(&c.s0);
        self.anchor.clone_from(&c.s0);
        self.a.clone_from(&c.a0);
        self.a_base.clone_from(&c.a0);
        self.p.clone_from(&c.p0);
        // The proposal becomes public at step 0.
        self.h.clear();
        self.h
            .extend(c.sal.iter().map(|s| c.params.news_public * s));
        self.status = Status::Proposed;
        self.approved_step = None;
        self.opened_step = None;
        self.shelved_step = None;
        self.substitute_step = None;
        self.scope = 1.0;
        self.bar = None;
        self.spent = 0.0;
        self.gap_at_vote = f64::INFINITY;
        self.deals.clear();
        self.turnovers.clear();
        self.due.clear();
        self.due.resize(c.conditional.len(), None);
        self.blockers.clear();
        self.votes.clear();
        for v in [&mut self.tone_sent, &mut self.tone_received] {
            v.clear();
            v.resize(c.n, 0.0);
        }
        self.coop.clear();
        self.coercive = 0;
        self.injected_coercive = 0;
        self.a_edits = 0;
    }

    /// How the run ended (the final vectors copied, so that the state can be reset for the next).
    pub fn outcome(&mut self) -> Outcome {
        Outcome {
            status: self.status,
            approved_step: self.approved_step,
            opened_step: self.opened_step,
            blockers: std::mem::take(&mut self.blockers),
            votes: std::mem::take(&mut self.votes),
            final_stance: self.s.clone(),
            final_posture: self.p.clone(),
            final_affinity: self.a.clone(),
            coercive_events: self.coercive,
            injected_coercive: self.injected_coercive,
            shelved_step: self.shelved_step,
            substitute_step: self.substitute_step,
            scope: self.scope,
            deals: std::mem::take(&mut self.deals),
            turnovers: std::mem::take(&mut self.turnovers),
        }
    }
}

/// Per-run working memory, reused every step: the next state and the step's events.
pub(super) struct Scratch {
    pub s_next: Vec<f64>,
    pub p_next: Vec<f64>,
    /// Summed affinity changes of the step's events, row-major like A. It, `bump` and `ds` are
    /// zero between steps: [`reactions`] adds into them, and the rules that read them clear them.
    pub d_a: Vec<f64>,
    /// Posture added to each target of a coercive event this step.
    pub bump: Vec<f64>,
    /// Rule 4's threat to each actor in A(t).
    pub threat: Vec<f64>,
    /// Rule 7: stance change of each target from this step's events.
    pub ds: Vec<f64>,
    /// Issue signals each actor received this step (self-excitation of attention).
    pub recv: Vec<f64>,
    /// The part of rule 7's stance change of each actor this step that pressure (events with
    /// G < 0) made, for the anchors' lasting change.
    pub pushed: Vec<f64>,
    /// The stance noise's normal draws.
    pub normal: Normal,
    pub events: Vec<Event>,
    /// Rule 2's lists ([`draw_events`]): the step's candidate pairs, then the kept pairs,
    /// each with room for every ordered pair and a group's spare writes.
    pub(super) cand: Vec<u32>,
    pub(super) kept: Vec<u32>,
    /// Allies of each target in A(t), kept while they hold: `allies_ok[j]` is cleared when an
    /// affinity toward j crosses the ally threshold in relaxation, and every list is found anew
    /// after A is edited otherwise (`State::a_edits` moved past `allies_edits`).
    pub(super) allies: Vec<Vec<usize>>,
    pub(super) allies_ok: Vec<bool>,
    pub(super) allies_edits: u64,
}

impl Scratch {
    pub fn new(n: usize) -> Scratch {
        let mut x = Scratch {
            s_next: Vec::new(),
            p_next: Vec::new(),
            d_a: Vec::new(),
            bump: Vec::new(),
            threat: Vec::new(),
            ds: Vec::new(),
            recv: Vec::new(),
            pushed: Vec::new(),
            normal: Normal::default(),
            events: Vec::new(),
            cand: Vec::new(),
            kept: Vec::new(),
            allies: Vec::new(),
            allies_ok: Vec::new(),
            allies_edits: 0,
        };
        x.reset(n);
        x
    }

    /// Working memory for a run of n actors, in the vectors this scratch already holds (every
    /// rule writes what it reads later in the step; the ally lists are marked stale).
    pub fn reset(&mut self, n: usize) {
        for v in [
            &mut self.s_next,
            &mut self.p_next,
            &mut self.bump,
            &mut self.threat,
            &mut self.ds,
            &mut self.recv,
            &mut self.pushed,
        ] {
            v.clear();
            v.resize(n, 0.0);
        }
        self.d_a.clear();
        self.d_a.resize(n * n, 0.0);
        self.events.clear();
        let room = n * n.saturating_sub(1) + GROUP;
        for v in [&mut self.cand, &mut self.kept] {
            v.clear();
            v.resize(room, 0);
        }
        self.allies.resize_with(n, Vec::new);
        self.allies_ok.clear();
        self.allies_ok.resize(n, false);
        self.allies_edits = 0;
    }
}
