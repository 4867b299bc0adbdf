#!/usr/bin/env python3
"""diplosim's model, version 0.6, written in Mesa 3.5.1.

The project's own Mesa implementation of the current model: DESIGN.md's rules 1-8 with the
0.5 mechanisms of docs/model.md (news and attention, issue signals, class then code, gates,
volume by partner, lasting change of anchors, vote news) and 0.6's decisions in time (after a
failed vote a bargaining stage: concessions from one round of Bueno de Mesquita's expected-utility
model among the members, linked side payments, scaling the proposal down, shelving it with its
substitute; votes called when a deal is within reach; elections; shocks conditional on the
office's status; the opening's effect scaled by the proposal's scope; the spec is
src/engine/decision.rs and src/engine/bdm.rs). It is an independent implementation
for two purposes: to check diplosim in distribution (check.py) and to time a Mesa model of the
same rules (scripts/mesa_side_by_side.sh). It does not reproduce diplosim's random stream.

Structure, as a Mesa user would write it:
  * one ``Actor`` (mesa.Agent) per state, alliance or organisation. ``Actor.step`` reads state t
    and proposes: its Friedkin-Johnsen stance (rule 1), its threat (rule 4), and the events it
    sends (rule 2's background events to its partners, the issue signals of its attention);
    ``Actor.advance`` commits state t+1 (stance with rule 7's pushes, posture, the anchor's
    lasting change from pressure, attention).
  * ``DiploModel`` (mesa.Model) holds the relations (numpy matrices), chooses every event's code
    (class, then code) for the whole step at once, sums the reactions (rules 3 and 7), relaxes
    the affinities, and applies news, shocks, elections, the vote (calendar or within reach) with
    its bargaining stage (``BdmRound``), the opening, the shocks conditional on the office's
    status, and the indicators, which a ``mesa.DataCollector`` records each step.

Scenario input: a *resolved* diplosim scenario (``diplosim show NAME --toml`` prints one: every
[model] key explicit, inheritance applied). A path to such a file, or a scenario name, which is
resolved by running the diplosim binary ($DIPLOSIM, else target/release/diplosim of the project).

    python model.py --scenario baseline --runs 200            # prints runs_per_s=...
    python model.py --scenario /tmp/base.toml --runs 200 --procs 2
    python model.py --scenario baseline --runs 1000 --json-out /tmp/mesa.jsonl   # for check.py
"""
from __future__ import annotations

import argparse
import gc
import json
import math
import os
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import mesa

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent.parent

# --------------------------------------------------------------------------------------------
# The catalogue (src/model/catalogue.rs): CAMEO code, label, Goldstein weight, events in the
# record (ICEWS18 interstate slice, 9,188 events). Base rate f_k = max(count, 1) / 9188.
# --------------------------------------------------------------------------------------------
CATALOGUE = [
    ("010", "make statement", 0.0, 378),
    ("012", "pessimistic comment", -0.4, 63),
    ("013", "optimistic comment", 0.4, 97),
    ("019", "express accord", 3.4, 9),
    ("020", "appeal", 3.0, 152),
    ("030", "express intent to cooperate", 4.0, 656),
    ("032", "express intent to cooperate diplomatically", 4.5, 618),
    ("036", "express intent to meet", 4.0, 646),
    ("040", "consult", 1.0, 1082),
    ("042", "make a visit", 1.9, 311),
    ("043", "host a visit", 2.8, 313),
    ("046", "engage in negotiation", 7.0, 286),
    ("050", "diplomatic cooperation", 3.5, 1155),
    ("051", "praise or endorse", 3.4, 370),
    ("057", "sign formal agreement", 8.0, 1073),
    ("061", "cooperate economically", 6.4, 73),
    ("062", "cooperate militarily", 7.4, 26),
    ("072", "provide military aid", 8.3, 20),
    ("080", "yield", 5.0, 7),
    ("081", "ease administrative sanctions", 5.0, 1),
    ("084", "return, release", 7.0, 7),
    ("085", "ease economic sanctions", 7.0, 5),
    ("100", "demand", -5.0, 71),
    ("111", "criticize or denounce", -2.0, 189),
    ("112", "accuse", -2.0, 213),
    ("114", "complain officially", -2.0, 10),
    ("120", "reject", -4.0, 92),
    ("125", "reject proposal to meet", -5.0, 9),
    ("130", "threaten", -4.4, 67),
    ("1312", "threaten sanctions", -5.8, 7),
    ("138", "threaten military force", -7.0, 13),
    ("150", "demonstrate military posture", -7.2, 16),
    ("160", "reduce relations", -4.0, 31),
    ("161", "reduce or break diplomatic relations", -4.0, 67),
    ("162", "reduce or stop material aid", -5.6, 29),
    ("163", "impose embargo or sanctions", -8.0, 65),
    ("166", "expel or withdraw", -7.0, 0),
    ("190", "use conventional military force", -10.0, 127),
    ("191", "blockade", -9.5, 3),
]
RECORD_EVENTS = 9188
CODES = [c[0] for c in CATALOGUE]
LABELS = [c[1] for c in CATALOGUE]
CODE_INDEX = {c: k for k, c in enumerate(CODES)}
K = len(CATALOGUE)
GOLDSTEIN = np.array([c[2] for c in CATALOGUE])
BASE_RATE = np.array([max(c[3], 1) / RECORD_EVENTS for c in CATALOGUE])
LOG_BASE_RATE = np.log(BASE_RATE)
CLASS_NAMES = ("verbal_cooperation", "material_cooperation", "verbal_conflict",
               "material_conflict")


def _class_of(code: str) -> int:
    root = int(code[:2])
    return 0 if root <= 5 else 1 if root <= 8 else 2 if root <= 13 else 3


CLASS = np.array([_class_of(c) for c in CODES])
CLASS_ONEHOT = np.eye(4, dtype=bool)[CLASS]            # K x 4
# Gates (docs/model.md section 4): military 138, 150; force 190, 191; economic 162, 163.
GATE_MILITARY = np.isin(CODES, ["138", "150"])
GATE_FORCE = np.isin(CODES, ["190", "191"])
GATE_ECONOMIC = np.isin(CODES, ["162", "163"])
GATE_NONE = ~(GATE_MILITARY | GATE_FORCE | GATE_ECONOMIC)
# Coercive = Goldstein <= -7: what the outputs count, and what raises the target's posture.
COERCIVE = -7.0
IS_COERCIVE = GOLDSTEIN <= COERCIVE
POSTURE_MAX = 1e9
POISSON_CAP = 1000
STATUSES = ("proposed", "postponed", "approved", "opened", "shelved")
STATUS_VALUE = {"shelved": -1, "proposed": 0, "postponed": 1, "approved": 2, "opened": 3}


# --------------------------------------------------------------------------------------------
# Scenario
# --------------------------------------------------------------------------------------------
@dataclass
class Params:
    """The [model] keys with diplosim 0.6's defaults (src/model/params.rs)."""

    beta: float = 0.15
    rate: float = 0.17
    temperature: float = 0.5
    gravity_sender: float = 1.37
    gravity_target: float = 1.29
    gravity_tie: float = 1.16
    class_mc_a: float = -4.11
    class_mc_b: float = -0.74
    class_vf_a: float = -2.57
    class_vf_b: float = -2.61
    class_mf_a: float = -3.29
    class_mf_b: float = -1.99
    news_public: float = 1.0
    news_vote: float = 0.5
    news_decision: float = 1.0
    attention_half_life: float = 1.14
    issue_rate: float = 3.98
    excitation: float = 0.0
    anchor_rate: float = 0.29
    force_threshold: float = 3.0
    leverage_threshold: float = 0.02
    concession: float = 1.0
    side_payment: float = 0.5
    failure_cost: float = 0.05
    min_scope: float = 1.0
    reach: float = 0.05
    min_vote_gap: int = 1
    substitute_threshold: float = -0.5
    kappa: float = 0.03
    kappa_third: float = 0.01
    delta: float = 0.05
    kappa_posture: float = 0.05
    kappa_open: float = 0.2
    ally_threshold: float = 0.3
    escalation_threshold: float = 1.5
    eta: float = 0.5
    noise: float = 0.01
    ma_window: int = 4


@dataclass
class ActorSpec:
    id: str
    name: str = ""
    capability: float = 1.0
    stance: float = 0.0
    salience: float = 0.0
    stubbornness: float = 0.5
    posture: float = 1.0
    reactivity: float = 0.05
    fatigue: float = 0.1
    grievance: float = 0.1
    self_weight: float | None = None
    member_of: tuple = ()


@dataclass
class Relation:
    src: str
    dst: str
    affinity: float = 0.0
    compliance: float = 0.0
    leverage: float = 0.0
    influence: float | None = None
    linkage: float = 0.0      # what `dst` can offer `src` for its consent (0.6, side payments)


@dataclass
class Issue:
    body: str = ""
    host: str = ""
    threshold: float = 0.0
    first_vote: int = 1
    vote_interval: int = 4
    setup_steps: int = 0
    proposer: str | None = None      # default: the body if it is an actor, else the host
    substitute: str | None = None


@dataclass
class Election:
    """An election that turns `actor`'s government over with `probability` (0.6)."""

    step: int
    actor: str
    probability: float
    stance: float = 0.0
    affinity: dict = field(default_factory=dict)   # id -> added to A and A(0)
    news: float = 0.0


@dataclass
class Shock:
    """kind: stance | position | affinity | posture | event | office; op: set | add."""

    step: int
    kind: str
    actor: str | None = None
    target: str | None = None
    op: str | None = None
    value: float = 0.0
    code: str | None = None
    status: str | None = None
    news: float = 0.0
    when: str | None = None   # conditional (0.6): `step` is the delay after the status is reached


@dataclass
class ScenarioSpec:
    actors: list
    relations: list
    issue: Issue
    params: Params = field(default_factory=Params)
    shocks: list = field(default_factory=list)
    elections: list = field(default_factory=list)
    name: str = "scenario"
    steps: int = 104
    seed: int = 1


# Keys of the scenario tables model.py reads (src/scenario/raw.rs, 0.6); `source`, `sources`,
# `what`, `name`, `title`, ... are text and change nothing.
KNOWN_KEYS = {
    "scenario": {"name", "title", "description", "extends", "steps", "step_unit", "seed", "runs"},
    "issue": {"body", "host", "threshold", "first_vote", "vote_interval", "setup_steps",
              "proposer", "substitute", "source"},
    "actor": {"id", "name", "capability", "stance", "salience", "stubbornness", "posture",
              "reactivity", "fatigue", "grievance", "self_weight", "member_of", "source",
              "sources"},
    "relation": {"from", "to", "affinity", "influence", "compliance", "leverage", "linkage",
                 "source"},
    "shock": {"step", "every", "until", "when", "kind", "actor", "target", "set", "add", "code",
              "status", "news", "source"},
    "election": {"step", "actor", "probability", "stance", "affinity", "news", "what", "source"},
}
IGNORED_TABLES = {"model", "observation", "question", "sensitivity"}   # [model] checked above


def diplosim_bin() -> str:
    return os.environ.get("DIPLOSIM", str(PROJECT / "target" / "release" / "diplosim"))


def load_scenario(spec: str | Path) -> ScenarioSpec:
    """Read a resolved diplosim scenario (a .toml path), or resolve a scenario name (or an
    unresolved file that `extends` another) with `diplosim show ... --toml`."""
    p = Path(spec)
    doc = None
    if p.suffix == ".toml" and p.is_file():
        with open(p, "rb") as f:
            doc = tomllib.load(f)
        if "extends" in doc.get("scenario", {}):
            doc = None
    if doc is None:
        out = subprocess.run([diplosim_bin(), "show", str(spec), "--toml"], check=True,
                             capture_output=True, text=True, cwd=PROJECT).stdout
        doc = tomllib.loads(out)
    meta, issue = doc.get("scenario", {}), doc.get("issue", {})
    pkeys = {f.name for f in fields(Params)}
    unknown = set(doc.get("model", {})) - pkeys
    if unknown:
        sys.exit(f"model.py: unknown [model] keys {sorted(unknown)}")
    # The other tables' keys too (src/scenario/raw.rs), so that a key diplosim gains (as 0.6's
    # relation `linkage`) cannot be silently ignored here.
    unknown = set(doc) - set(KNOWN_KEYS) - IGNORED_TABLES
    if unknown:
        sys.exit(f"model.py: unknown tables {sorted(unknown)}")
    for table, known in KNOWN_KEYS.items():
        rows = doc.get(table, [])
        for row in rows if isinstance(rows, list) else [rows]:
            unknown = set(row) - known
            if unknown:
                sys.exit(f"model.py: unknown [{table}] keys {sorted(unknown)}")
    params = Params(**doc.get("model", {}))
    akeys = {f.name for f in fields(ActorSpec)}
    actors = [ActorSpec(**{**{k: v for k, v in a.items() if k in akeys},
                           "member_of": tuple(a.get("member_of", ()))})
              for a in doc.get("actor", [])]
    relations = [Relation(r["from"], r["to"], float(r.get("affinity", 0.0)),
                          float(r.get("compliance", 0.0)), float(r.get("leverage", 0.0)),
                          r.get("influence"), float(r.get("linkage", 0.0)))
                 for r in doc.get("relation", [])]
    steps = int(meta.get("steps", 104))
    shocks = []
    for s in doc.get("shock", []):
        op = "set" if "set" in s else "add" if "add" in s else None
        when = s.get("when")
        if when is not None and when not in STATUSES:
            sys.exit(f"model.py: unknown shock status `when = {when!r}`")
        # `every`/`until` (0.6) are expanded by `diplosim show --toml`; expand them here too,
        # as src/scenario/resolve.rs does, should a file still carry them.
        first = int(s["step"])
        every = s.get("every")
        last = (min(int(s.get("until", steps)), steps) if every is not None else first)
        at = first
        while True:
            shocks.append(Shock(step=at, kind=s["kind"], actor=s.get("actor"),
                                target=s.get("target"), op=op,
                                value=float(s[op]) if op else 0.0, code=s.get("code"),
                                status=s.get("status"), news=float(s.get("news", 0.0)),
                                when=when))
            at += max(1, int(every or 1))
            if at > last:
                break
    elections = [Election(step=int(e["step"]), actor=e["actor"],
                          probability=float(e["probability"]),
                          stance=float(e.get("stance", 0.0)),
                          affinity={k: float(v) for k, v in (e.get("affinity") or {}).items()},
                          news=float(e.get("news", 0.0)))
                 for e in doc.get("election", [])]
    ikeys = {f.name for f in fields(Issue)}
    return ScenarioSpec(actors=actors, relations=relations,
                        issue=Issue(**{k: v for k, v in issue.items() if k in ikeys}),
                        params=params, shocks=shocks, elections=elections,
                        name=meta.get("name", p.stem),
                        steps=steps, seed=int(meta.get("seed", 1)))


class Compiled:
    """What every run of a scenario shares: matrices, the volumes q_ij, the class link."""

    def __init__(self, sc: ScenarioSpec):
        prm = sc.params
        n = len(sc.actors)
        self.sc, self.params, self.n, self.steps = sc, prm, n, sc.steps
        self.index = {a.id: i for i, a in enumerate(sc.actors)}
        self.ids = [a.id for a in sc.actors]
        self.c = np.array([a.capability for a in sc.actors], dtype=float)
        self.sigma = np.array([a.salience for a in sc.actors], dtype=float)
        self.lam = 1.0 - np.array([a.stubbornness for a in sc.actors], dtype=float)
        self.s0 = np.array([a.stance for a in sc.actors], dtype=float)
        self.p0 = np.array([a.posture for a in sc.actors], dtype=float)
        self.a0 = np.zeros((n, n))
        self.compliance = np.zeros((n, n))   # compliance[j, i]: j's answer to i's pressure
        self.leverage = np.zeros((n, n))     # leverage[i, j]: i's leverage over j
        self.linkage = np.zeros((n, n))      # linkage[b, p]: what p can offer b for consent
        explicit = [a.self_weight is not None for a in sc.actors]
        w = np.zeros((n, n))
        for r in sc.relations:
            i, j = self.index[r.src], self.index[r.dst]
            self.a0[i, j] = r.affinity
            self.compliance[i, j] = r.compliance
            self.leverage[i, j] = r.leverage
            self.linkage[i, j] = r.linkage
            if r.influence is not None:
                explicit[i] = True
                w[i, j] = r.influence
        np.fill_diagonal(self.a0, 0.0)
        self.w_explicit = []
        for i, a in enumerate(sc.actors):
            if explicit[i]:
                w[i, i] = a.self_weight if a.self_weight is not None else a.capability
                self.w_explicit.append(w[i] / w[i].sum())
            else:
                self.w_explicit.append(None)
        total = self.c.sum()
        self.inv_others = np.array([1.0 / (total - ci) if total - ci > 0 else 0.0
                                    for ci in self.c])
        # Volume by partner (docs/model.md section 5): fixed for the scenario.
        tie = ((np.abs(self.a0) >= prm.ally_threshold) & (self.a0 != 0.0)).astype(float)
        lam = (prm.rate * np.outer(self.c ** prm.gravity_sender, self.c ** prm.gravity_target)
               * np.exp(prm.gravity_tie * tie))
        self.q = -np.expm1(-lam)
        np.fill_diagonal(self.q, 0.0)
        # Economic gate: leverage > 0 and >= the threshold.
        self.econ_open = (self.leverage > 0.0) & (self.leverage >= prm.leverage_threshold)
        # Class link: verbal cooperation the reference class.
        self.class_a = np.array([0.0, prm.class_mc_a, prm.class_vf_a, prm.class_mf_a])
        self.class_b = np.array([0.0, prm.class_mc_b, prm.class_vf_b, prm.class_mf_b])
        self.inv_2t2 = 1.0 / (2.0 * prm.temperature ** 2)
        iss = sc.issue
        self.host = self.index[iss.host]
        self.body = self.index.get(iss.body)
        self.members = [i for i, a in enumerate(sc.actors)
                        if iss.body in a.member_of or a.id == iss.body]
        targets = [] if self.body is None else [self.body]
        if self.host not in targets:
            targets.append(self.host)
        self.issue_targets = np.array(targets, dtype=int)
        self.decay = 0.5 ** (1.0 / prm.attention_half_life)
        if iss.proposer is not None:
            self.proposer = self.index[iss.proposer]
        else:
            self.proposer = self.body if self.body is not None else self.host
        self.shocks_at = {}
        self.news_at = {}
        self.conditional = []        # shocks with `when`, in file order (step = the delay)
        for s in sc.shocks:
            if s.when is not None:
                self.conditional.append(s)
            elif s.step <= sc.steps:
                self.shocks_at.setdefault(s.step, []).append(s)
                self.news_at[s.step] = self.news_at.get(s.step, 0.0) + s.news
        self.elections_at = {}
        for e in sc.elections:
            if e.step <= sc.steps:
                self.elections_at.setdefault(e.step, []).append(e)
        self.cap_sal = self.c * self.sigma


# --------------------------------------------------------------------------------------------
# Bueno de Mesquita's expected-utility round (Scholz, Calbert and Smith 2011), for the vote's
# bargaining stage (docs/model.md, decisions in time). Positions x, capabilities c, saliences s.
# --------------------------------------------------------------------------------------------
class BdmRound:
    Q = 1.0   # the status quo holds for sure if nobody challenges (Scholz et al.)

    def __init__(self, x, c, s, span: float = 2.0):
        self.x, self.c, self.s = list(x), list(c), list(s)
        self.span = span
        self.n = len(self.x)
        self.r = [1.0] * self.n
        self._count()

    def _count(self):
        """Denominator of (2): every k's |vote| over every ordered pair of positions."""
        self.all_votes = sum(abs(self.vote(k, xa, xb, self.r[k]))
                             for k in range(self.n) for xa in self.x for xb in self.x)

    def vote(self, k, xa, xb, r):
        """(1) k's vote for xa over xb: c_k s_k ((|x_k - xb|/R)^r - (|x_k - xa|/R)^r)."""
        xk = self.x[k]
        return self.c[k] * self.s[k] * ((abs(xk - xb) / self.span) ** r
                                        - (abs(xk - xa) / self.span) ** r)

    def probability(self, xi, xj):
        """(2) P(xi beats xj), each k voting with its own risk exponent."""
        if xi == xj or self.all_votes == 0.0:
            return 0.0
        return sum(max(0.0, self.vote(k, xi, xj, self.r[k])) for k in range(self.n)) \
            / self.all_votes

    def eu_challenge(self, viewer, i, j):
        """(3), (4) EU of i challenging j, with the viewer's risk exponent."""
        r = self.r[viewer]
        xj = self.x[j]
        p = self.probability(self.x[i], xj)
        d = abs(self.x[i] - xj) / self.span
        us = 2.0 - 4.0 * (0.5 - 0.5 * d) ** r
        uf = 2.0 - 4.0 * (0.5 + 0.5 * d) ** r
        usq = 2.0 - 4.0 * 0.5 ** r
        sj = self.s[j]
        return sj * (p * us + (1.0 - p) * uf) + (1.0 - sj) * us - self.Q * usq

    def risk_exponents(self):
        """(5), (6) dangers at r = 1, then r_i = (1 - R_i/3) / (1 + R_i/3)."""
        self.r = [1.0] * self.n
        self._count()
        d = [sum(self.eu_challenge(i, k, i) for k in range(self.n) if k != i)
             for i in range(self.n)]
        hi, lo = max(d), min(d)
        big = [(2.0 * di - hi - lo) / (hi - lo) if hi > lo else 0.0 for di in d]
        self.r = [(1.0 - b / 3.0) / (1.0 + b / 3.0) for b in big]
        self._count()

    def offer(self, frm, to):
        """(7) What frm's challenge offers `to`: (kind, position, eu_own, eu_other) or None."""
        xf, xt = self.x[frm], self.x[to]
        if xf == xt:
            return None
        own = self.eu_challenge(to, to, frm)
        other = self.eu_challenge(to, frm, to)
        if other > own > 0.0:
            return ("confrontation", xf, own, other)
        if other > 0.0 and own < 0.0 and other > -own:
            return ("compromise", xt + (xf - xt) * abs(own / other), own, other)
        if other > 0.0 and own < 0.0:
            return ("capitulation", xf, own, other)
        return None

    def best_offer(self, to, candidates):
        """(8) A lost confrontation (least move), then a compromise (lowest |e|-weighted mean of
        the two positions), then a capitulation (least move); ties to the first candidate."""
        xt = self.x[to]
        best = None
        for frm in candidates:
            if frm == to:
                continue
            o = self.offer(frm, to)
            if o is None:
                continue
            kind, pos, own, other = o
            if kind == "confrontation":
                key = (0, abs(pos - xt))
            elif kind == "compromise":
                a, b = abs(own), abs(other)
                key = (1, (a * xt + b * self.x[frm]) / (a + b))
            else:
                key = (2, abs(pos - xt))
            if best is None or key < best[0]:
                best = (key, frm, kind, pos)
        return None if best is None else best[1:]

    def head_to_head(self, xa, xb):
        """P(xa beats xb) counting each vote once (r = 1); 1/2 when nobody cares."""
        pro = tot = 0.0
        for k in range(self.n):
            v = self.vote(k, xa, xb, 1.0)
            pro += max(0.0, v)
            tot += abs(v)
        return pro / tot if tot > 0.0 else 0.5


# --------------------------------------------------------------------------------------------
# Agents
# --------------------------------------------------------------------------------------------
class Actor(mesa.Agent):
    """A state, alliance or organisation. ``step`` reads state t and proposes; ``advance``
    commits state t+1."""

    def __init__(self, model: "DiploModel", idx: int, spec: ActorSpec):
        super().__init__(model)
        cm = model.cm
        self.idx = idx
        self.key = spec.id
        self.capability = spec.capability
        self.salience = spec.salience
        self.lam = 1.0 - spec.stubbornness
        self.k, self.m, self.g = spec.reactivity, spec.fatigue, spec.grievance
        self.stance = spec.stance
        self.anchor = spec.stance
        self.posture = spec.posture
        self.attention = cm.params.news_public * spec.salience   # h_i(0): the proposal is public
        self.tone_sent = 0.0
        self.tone_received = 0.0
        self.q_row = cm.q[idx]
        self.partners = np.flatnonzero(self.q_row > 0.0)
        self.q_partners = self.q_row[self.partners]
        self.issue_targets = cm.issue_targets[cm.issue_targets != idx]
        self.w_row = cm.w_explicit[idx]
        self.inv_others = cm.inv_others[idx]
        self.fj = self.stance
        self.threat = 0.0

    def step(self):
        """Rules 1, 2 (sending) and the issue signals, all from state t."""
        model = self.model
        cm, prm, rng = model.cm, model.cm.params, model.rng
        i = self.idx
        s, a_row = model.s_t, model.A[i]
        # Rule 1: Friedkin-Johnsen, W row from capability x positive affinity (or explicit).
        if self.w_row is None:
            r = cm.c * np.maximum(a_row, 0.0)
            r[i] = self.capability
            ws = float(r @ s) / float(r.sum())
        else:
            ws = float(self.w_row @ s)
        self.fj = self.lam * ws + (1.0 - self.lam) * self.anchor
        if prm.noise > 0.0:
            self.fj += prm.noise * rng.standard_normal()
        # Rule 4's threat, read from A(t) and p(t).
        self.threat = float(np.maximum(-a_row, 0.0) @ (cm.c * model.p_t)) * self.inv_others
        # Rule 2, background events: one Bernoulli(q_ij) per partner.
        if self.partners.size:
            hit = self.partners[rng.random(self.partners.size) < self.q_partners]
            if hit.size:
                tau = a_row[hit] - (0.5 * prm.beta * self.salience) * np.abs(self.stance - s[hit])
                model.send(i, hit, tau, False)
        # Issue signals: Poisson(issue_rate h_i) to each issue target, tone from the whole
        # disagreement.
        mean = prm.issue_rate * self.attention
        if mean > 0.0 and self.issue_targets.size:
            counts = np.minimum(rng.poisson(mean, self.issue_targets.size), POISSON_CAP)
            if counts.any():
                to = np.repeat(self.issue_targets, counts)
                tau = a_row[to] - 0.5 * np.abs(self.stance - s[to])
                model.send(i, to, tau, True)

    def advance(self):
        """State t+1: stance with rule 7's push, posture, lasting change, attention."""
        model = self.model
        prm = model.cm.params
        i = self.idx
        self.stance = min(1.0, max(-1.0, self.fj + model.ds[i]))
        self.posture = min(max(0.0, self.posture + self.k * self.threat - self.m * self.posture
                               + self.g) + model.bump[i], POSTURE_MAX)
        self.lasting(model.pushed[i])
        self.attention = (model.cm.decay * self.attention
                          + prm.excitation * self.salience * model.recv[i])

    def lasting(self, d: float):
        """Lasting change (docs/model.md section 6): the anchor absorbs min(1, mu h) of d, the
        stance change made by pressure (rule 7's events with G < 0), a `stance` shock or a
        hostile injected event. Persuasion (G > 0) stays transient."""
        w = min(1.0, self.model.cm.params.anchor_rate * self.attention)
        if w > 0.0 and d != 0.0:
            self.anchor = min(1.0, max(-1.0, self.anchor + w * d))


# --------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------
class DiploModel(mesa.Model):
    def __init__(self, cm: Compiled, rng=None, collect: bool = True):
        super().__init__(rng=rng)
        self.cm = cm
        n = cm.n
        self.A = cm.a0.copy()
        self.A_base = cm.a0.copy()
        self.actors = [Actor(self, i, a) for i, a in enumerate(cm.sc.actors)]
        self.status = "proposed"
        self.approved_step = None
        self.opened_step = None
        self.blockers = []
        self.votes = []             # (step, approved, blockers)
        # 0.6, decisions in time.
        self.shelved_step = None
        self.substitute_step = None
        self.scope = 1.0            # the proposal's scope k
        self.bar = None             # theta_k once scaled down: the holdout's stance, exactly
        self.spent = 0.0            # side payments made so far
        self.gap_at_vote = float("inf")  # lowest member's stance - theta_k at the last vote
        self.deals = []             # dicts: step, kind, actor, partner, before, after
        self.turnovers = []         # (step, actor id)
        self.due = [None] * len(cm.conditional)
        self.coercive_events = 0
        self.cooperation = 0.0
        self.coop_history = []      # steps 1.. (the index of drawn steps)
        self.cooperation_ma = 0.0
        self.ds = np.zeros(n)
        self.pushed = np.zeros(n)
        self.bump = np.zeros(n)
        self.recv = np.zeros(n)
        self.log = []               # per step: arrays (step, actor, target, code, issue)
        self._out = []
        self.collect = collect
        if collect:
            self.datacollector = mesa.DataCollector(
                model_reporters={"forecast": "forecast", "polarization": "polarization",
                                 "cooperation": "cooperation",
                                 "cooperation_ma": "cooperation_ma", "status": "status"},
                agent_reporters={"stance": "stance", "posture": "posture",
                                 "tone_sent": "tone_sent", "tone_received": "tone_received"},
            )
            self.datacollector.collect(self)

    # ---- indicators (rule 6) ----------------------------------------------------------------
    def stances(self) -> np.ndarray:
        return np.array([a.stance for a in self.actors])

    @property
    def forecast(self) -> float:
        cm, s = self.cm, self.stances()
        den = cm.cap_sal.sum()
        return float(cm.cap_sal @ s / den) if den > 0 else float(cm.c @ s / cm.c.sum())

    @property
    def polarization(self) -> float:
        c, s = self.cm.c, self.stances()
        mean = c @ s / c.sum()
        return float(math.sqrt(c @ (s - mean) ** 2 / c.sum()))

    # ---- events -----------------------------------------------------------------------------
    def send(self, i: int, targets: np.ndarray, tau: np.ndarray, issue: bool):
        """An actor's events of this step (codes are chosen for the whole step at once)."""
        self._out.append((i, targets, tau, issue))

    def choose_codes(self, tau: np.ndarray, senders: np.ndarray, targets: np.ndarray):
        """Class, then code (docs/model.md section 3), for a batch of events."""
        cm, prm = self.cm, self.cm.params
        tau = np.clip(tau, -1.0, 1.0)
        e = len(tau)
        logit = cm.class_a[None, :] + cm.class_b[None, :] * tau[:, None]
        pc = np.exp(logit - logit.max(axis=1, keepdims=True))
        cum = np.cumsum(pc, axis=1)
        u = self.rng.random(e) * cum[:, -1]
        cls = np.minimum((cum <= u[:, None]).sum(axis=1), 3)
        # Open codes of the sender toward the target (gates, section 4), within the class.
        p_send = self.p_t[senders]
        open_ = (GATE_NONE[None, :]
                 | (GATE_MILITARY[None, :] & (p_send >= prm.escalation_threshold)[:, None])
                 | (GATE_FORCE[None, :] & (p_send >= prm.force_threshold)[:, None])
                 | (GATE_ECONOMIC[None, :] & cm.econ_open[senders, targets][:, None]))
        open_ &= CLASS_ONEHOT[:, cls].T
        logw = LOG_BASE_RATE[None, :] - (GOLDSTEIN[None, :] / 10.0 - tau[:, None]) ** 2 * cm.inv_2t2
        logw = np.where(open_, logw, -np.inf)
        w = np.exp(logw - logw.max(axis=1, keepdims=True))
        cw = np.cumsum(w, axis=1)
        v = self.rng.random(e) * cw[:, -1]
        return np.minimum((cw <= v[:, None]).sum(axis=1), K - 1)

    def reactions(self, snd, tgt, code, issue):
        """Rules 3 and 7 for the step's events, all read from state t."""
        cm, prm, n = self.cm, self.cm.params, self.cm.n
        g = GOLDSTEIN[code]
        A = self.A
        dA = np.zeros((n, n))
        # Target's view of the sender.
        np.add.at(dA, (tgt, snd), prm.kappa * g / 10.0)
        # Allies l of the target (A_lj > ally threshold in A(t)), l != j, l != i.
        cols = A[:, tgt]                                       # n x E, A_lj
        allied = cols > prm.ally_threshold
        e_idx = np.arange(len(tgt))
        allied[tgt, e_idx] = False
        allied[snd, e_idx] = False
        third = np.where(allied, cols, 0.0) * (prm.kappa_third * g / 10.0)[None, :]
        onehot = np.zeros((len(snd), n))
        onehot[e_idx, snd] = 1.0
        dA += third @ onehot
        # Rule 3: coercive events raise the target's posture.
        self.bump = np.bincount(tgt, weights=np.where(IS_COERCIVE[code],
                                                       prm.kappa_posture * np.abs(g) / 10.0, 0.0),
                                minlength=n)
        # Rule 7: each event moves the target's stance toward (G > 0) or, by compliance,
        # against (G < 0) the sender.
        s = self.s_t
        r = np.where(g > 0, 1.0, np.where(g < 0, cm.compliance[tgt, snd], 0.0))
        d = prm.eta * (np.abs(g) / 10.0) / 2.0 * cm.lam[tgt] * (s[snd] - s[tgt]) * r
        self.ds = np.bincount(tgt, weights=d, minlength=n)
        # Lasting change takes pressure only: the part of Δs from events with G < 0.
        self.pushed = np.bincount(tgt, weights=np.where(g < 0, d, 0.0), minlength=n)
        self.recv = np.bincount(tgt, weights=issue.astype(float), minlength=n)
        sent = np.bincount(snd, weights=g, minlength=n)
        received = np.bincount(tgt, weights=g, minlength=n)
        for a in self.actors:
            a.tone_sent = float(sent[a.idx])
            a.tone_received = float(received[a.idx])
        self.coercive_events += int(IS_COERCIVE[code].sum())
        return dA, float(g.sum())

    # ---- news, shocks, decision --------------------------------------------------------------
    def news(self, v: float):
        if v != 0.0:
            for a in self.actors:
                a.attention += v * a.salience

    def apply_shock(self, sh: Shock, t: int) -> float:
        cm = self.cm

        def op(x):
            return sh.value if sh.op == "set" else x + sh.value

        if sh.kind == "stance":
            a = self.actors[cm.index[sh.actor]]
            before = a.stance
            a.stance = min(1.0, max(-1.0, op(a.stance)))
            a.lasting(a.stance - before)
        elif sh.kind == "position":
            a = self.actors[cm.index[sh.actor]]
            a.stance = min(1.0, max(-1.0, op(a.stance)))
            a.anchor = min(1.0, max(-1.0, op(a.anchor)))
        elif sh.kind == "affinity":
            i, j = cm.index[sh.actor], cm.index[sh.target]
            self.A[i, j] = min(1.0, max(-1.0, op(self.A[i, j])))
        elif sh.kind == "posture":
            a = self.actors[cm.index[sh.actor]]
            a.posture = min(POSTURE_MAX, max(0.0, op(a.posture)))
        elif sh.kind == "event":
            return self.inject(cm.index[sh.actor], cm.index[sh.target], CODE_INDEX[sh.code], t)
        elif sh.kind == "office":
            if sh.status in ("proposed", "postponed"):
                self.status = sh.status
                self.approved_step = self.opened_step = self.shelved_step = None
                self.substitute_step = None
            elif sh.status == "shelved":
                # Withdrawn, as the proposer's shelving (news, substitute), whatever came before.
                if self.status != "shelved":
                    self.approved_step = self.opened_step = None
                    self.shelve(t)
            elif sh.status == "approved":
                self.status, self.approved_step, self.opened_step = "approved", t, None
                self.shelved_step = self.substitute_step = None
                self.blockers = []
            elif sh.status == "opened" and self.status != "opened":
                if self.approved_step is None:
                    self.approved_step = t
                self.shelved_step = self.substitute_step = None
                self.blockers = []
                self.open(t)
        else:
            raise ValueError(f"unknown shock kind {sh.kind!r}")
        return 0.0

    def inject(self, i: int, j: int, k: int, t: int) -> float:
        """An `event` shock: the reactions of a drawn event, read from and applied to the
        state as it stands."""
        prm, cm = self.cm.params, self.cm
        g = float(GOLDSTEIN[k])
        A = self.A
        col = A[:, j].copy()
        changes = [(j, i, prm.kappa * g / 10.0)]
        changes += [(l, i, col[l] * prm.kappa_third * g / 10.0) for l in range(cm.n)
                    if l != j and l != i and col[l] > prm.ally_threshold]
        for a_, b_, d in changes:
            A[a_, b_] = min(1.0, max(-1.0, A[a_, b_] + d))
        tgt, src = self.actors[j], self.actors[i]
        if g <= COERCIVE:
            tgt.posture = min(tgt.posture + prm.kappa_posture * abs(g) / 10.0, POSTURE_MAX)
            self.coercive_events += 1
        r = 1.0 if g > 0 else (cm.compliance[j, i] if g < 0 else 0.0)
        d = prm.eta * (abs(g) / 10.0) / 2.0 * tgt.lam * (src.stance - tgt.stance) * r
        before = tgt.stance
        tgt.stance = min(1.0, max(-1.0, tgt.stance + d))
        if g < 0:   # pressure lasts, persuasion does not
            tgt.lasting(tgt.stance - before)
        src.tone_sent += g
        tgt.tone_received += g
        self.log.append((np.full(1, t), np.array([i]), np.array([j]), np.array([k]),
                         np.zeros(1, dtype=bool)))
        return g

    def consent(self) -> float:
        """The consent threshold at scope k: theta_k = -1 + k (1 + theta)."""
        th = self.cm.sc.issue.threshold
        return th if self.bar is None else self.bar

    def votes_at(self, t: int) -> bool:
        """A calendar vote while undecided, or, while postponed, a vote called because a deal is
        within reach: min_vote_gap or more after the last vote, every member >= theta_k - reach,
        and the lowest member closer to consent than at the last vote (before its bargaining)."""
        if self.status not in ("proposed", "postponed"):
            return False
        iss, prm = self.cm.sc.issue, self.cm.params
        if t >= iss.first_vote and (t - iss.first_vote) % iss.vote_interval == 0:
            return True
        if self.status != "postponed" or not self.votes or t < self.votes[-1][0] + prm.min_vote_gap:
            return False
        theta = self.consent()
        low = min(self.actors[m].stance for m in self.cm.members)
        return low >= theta - prm.reach and low - theta > self.gap_at_vote

    def vote(self, t: int):
        """Rule 5: every member with stance >= theta_k consents; a vote is news when it is
        the first or its blockers changed; an approval is news too. A failed vote is followed by
        the bargaining stage."""
        if self.status not in ("proposed", "postponed"):
            return
        theta = self.consent()
        self.gap_at_vote = min(self.actors[m].stance for m in self.cm.members) - theta
        blockers = [self.actors[m].key for m in self.cm.members
                    if self.actors[m].stance < theta]
        if not self.votes or self.votes[-1][2] != blockers:
            self.news(self.cm.params.news_vote)
        self.votes.append((t, not blockers, blockers))
        if not blockers:
            self.news(self.cm.params.news_decision)
            self.status, self.approved_step, self.blockers = "approved", t, []
        else:
            self.status, self.blockers = "postponed", blockers
            self.bargain(t)

    def _deal(self, t, kind, actor, partner, before, after):
        self.deals.append({"step": t, "kind": kind, "actor": self.cm.ids[actor],
                           "partner": None if partner is None else self.cm.ids[partner],
                           "before": before, "after": after})

    def bargain(self, t: int):
        """After a failed vote: concessions (one BdM round among the members), side payments,
        scaling down, shelving (docs/model.md, decisions in time)."""
        cm, prm = self.cm, self.cm.params
        mem = cm.members
        act = self.actors
        theta = self.consent()
        # 1. Concessions: each blocker takes the best offer a consenting member's challenge makes
        # it, and moves concession * lambda of the way (stance; the anchor rises to it).
        if prm.concession > 0.0:
            x = [act[m].stance for m in mem]
            rnd = BdmRound(x, cm.c[mem], cm.sigma[mem], 2.0)
            rnd.risk_exponents()
            sup = [k for k in range(len(mem)) if x[k] >= theta]
            moves = []
            for b in range(len(mem)):
                if x[b] < theta:
                    o = rnd.best_offer(b, sup)
                    if o is not None and o[2] > x[b]:
                        moves.append((b, *o))
            for b, frm, kind, pos in moves:
                a = act[mem[b]]
                before = a.stance
                after = min(1.0, max(-1.0, before + prm.concession * a.lam * (pos - before)))
                if after == before:     # a zero concession (stubbornness 1) is no deal
                    continue
                a.stance = after
                a.anchor = max(a.anchor, after)
                self._deal(t, "compromise" if kind == "compromise" else "gives_way",
                           mem[b], mem[frm], before, after)
        # 2. Linked side payments out of the consenting members' budget, each paid by the
        # consenting member with the most to offer the blocker (linkage; none, no payment).
        if prm.side_payment > 0.0:
            sup = [m for m in mem if act[m].stance >= theta]
            budget = prm.side_payment * sum(cm.c[m] * cm.sigma[m] * (act[m].stance - theta)
                                            for m in sup) - self.spent
            for b in mem:
                a = act[b]
                rho = 1.0 - a.lam
                if a.stance >= theta or rho >= 1.0:
                    continue
                payer = None
                for p in sup:      # the largest link, the first among equals
                    if cm.linkage[b, p] > 0.0 and (payer is None
                                                   or cm.linkage[b, p] > cm.linkage[b, payer]):
                        payer = p
                if payer is None:
                    continue
                price = (cm.c[b] * cm.sigma[b] * (theta - a.stance)
                         / ((1.0 - rho) * cm.linkage[b, payer]))
                if price > budget:
                    continue
                budget -= price
                self.spent += price
                before = a.stance
                a.stance = theta
                a.anchor = max(a.anchor, theta)
                self.A[b, payer] = min(1.0, self.A[b, payer] + price)
                self.A_base[b, payer] = min(1.0, self.A_base[b, payer] + price)
                self._deal(t, "payment", b, payer, before, theta)
        holdouts = [m for m in mem if act[m].stance < theta]
        if not holdouts:
            return
        # 3. Scale down to the scope every holdout accepts, if it is at least min_scope.
        if prm.min_scope < 1.0:
            base = cm.sc.issue.threshold
            k = min([self.scope] + [(1.0 + act[b].stance) / (1.0 + base) for b in holdouts])
            if k < self.scope and k >= prm.min_scope:
                before, self.scope = self.scope, k
                self.bar = min(act[b].stance for b in holdouts)
                self._deal(t, "scale_down", cm.proposer, None, before, k)
                return
        # 4. Shelve when the failed votes cost more than continuing is worth to the proposer.
        if prm.failure_cost > 0.0:
            failed = sum(1 for v in self.votes if not v[1])
            p = cm.proposer
            worth = cm.sigma[p] * max(0.0, act[p].stance - theta) * self.scope
            rnd = BdmRound([act[m].stance for m in mem], cm.c[mem], cm.sigma[mem], 2.0)
            furthest = min(act[b].stance for b in holdouts)
            if prm.failure_cost * failed > worth * rnd.head_to_head(theta, furthest):
                self.shelve(t)

    def shelve(self, t: int):
        """Shelve (news as a decision); the substitute is adopted if the issue names one and
        every member's stance is at least substitute_threshold."""
        cm = self.cm
        self.status, self.shelved_step = "shelved", t
        self.news(cm.params.news_decision)
        if cm.sc.issue.substitute is not None and all(
                self.actors[m].stance >= cm.params.substitute_threshold for m in cm.members):
            self.substitute_step = t

    def elections(self, t: int):
        """Each election of step t turns its actor's government over with its probability (one
        uniform draw each, in file order): stance and anchor move, views (and baselines) too."""
        cm = self.cm
        for e in cm.elections_at.get(t, ()):
            if self.rng.random() >= e.probability:
                continue
            i = cm.index[e.actor]
            a = self.actors[i]
            a.stance = min(1.0, max(-1.0, a.stance + e.stance))
            a.anchor = min(1.0, max(-1.0, a.anchor + e.stance))
            for tid, d in e.affinity.items():
                j = cm.index[tid]
                self.A[i, j] = min(1.0, max(-1.0, self.A[i, j] + d))
                self.A_base[i, j] = min(1.0, max(-1.0, self.A_base[i, j] + d))
            self.news(e.news)
            self.turnovers.append((t, e.actor))

    def conditional(self, t: int) -> float:
        """Shocks waiting for a status: due `step` steps after the run first reaches it."""
        cm = self.cm
        if not cm.conditional:
            return 0.0
        reached = {"approved": self.approved_step is not None,
                   "opened": self.opened_step is not None,
                   "shelved": self.shelved_step is not None,
                   "postponed": any(not v[1] for v in self.votes),
                   "proposed": True}
        for k, sh in enumerate(cm.conditional):
            if self.due[k] is None and reached[sh.when]:
                self.due[k] = t + sh.step
        coop = 0.0
        for k, sh in enumerate(cm.conditional):
            if self.due[k] == t:
                self.news(sh.news)
                coop += self.apply_shock(sh, t)
        return coop

    def open(self, t: int):
        """The opening: news; affinities toward host and body, and their baselines, move by
        kappa_o sigma_i s_i."""
        cm = self.cm
        self.news(cm.params.news_decision)
        self.status, self.opened_step = "opened", t
        targets = [cm.host] + ([cm.body] if cm.body is not None and cm.body != cm.host else [])
        for a in self.actors:
            shift = cm.params.kappa_open * self.scope * a.salience * a.stance
            for j in targets:
                if j != a.idx:
                    self.A[a.idx, j] = min(1.0, max(-1.0, self.A[a.idx, j] + shift))
                    self.A_base[a.idx, j] = min(1.0, max(-1.0, self.A_base[a.idx, j] + shift))

    # ---- one step, state t -> t+1 -----------------------------------------------------------
    def step(self):
        cm, prm = self.cm, self.cm.params
        t1 = self.steps                      # Mesa has counted this step: we make state t+1
        self.s_t = self.stances()
        self.p_t = np.array([a.posture for a in self.actors])
        self._out = []
        # Rules 1, 2 and the issue signals, each actor from state t (background events are
        # sent before issue signals: order within a step does not change the distribution).
        self.agents.do("step")
        coop = 0.0
        if self._out:
            snd = np.concatenate([np.full(len(o[1]), o[0]) for o in self._out])
            tgt = np.concatenate([o[1] for o in self._out])
            tau = np.concatenate([o[2] for o in self._out])
            iss = np.concatenate([np.full(len(o[1]), o[3]) for o in self._out])
            code = self.choose_codes(tau, snd, tgt)
            dA, coop = self.reactions(snd, tgt, code, iss)
            self.log.append((np.full(len(snd), t1), snd, tgt, code, iss))
        else:
            dA = np.zeros((cm.n, cm.n))
            self.ds = np.zeros(cm.n)
            self.pushed = np.zeros(cm.n)
            self.bump = np.zeros(cm.n)
            self.recv = np.zeros(cm.n)
            for a in self.actors:
                a.tone_sent = a.tone_received = 0.0
        # Commit stances, postures, anchors and attention (rules 1, 4, 7; lasting change).
        self.agents.do("advance")
        # Rule 3's end: relaxation toward the baseline, clip, diagonal 0.
        A = self.A + dA + prm.delta * (self.A_base - self.A)
        np.clip(A, -1.0, 1.0, out=A)
        np.fill_diagonal(A, 0.0)
        self.A = A
        # News of the step's shocks, then the shocks, the elections, the vote (calendar or within
        # reach) with its bargaining stage, the opening, and the shocks waiting for a status.
        self.news(cm.news_at.get(t1, 0.0))
        for sh in cm.shocks_at.get(t1, ()):
            coop += self.apply_shock(sh, t1)
        self.elections(t1)
        if self.votes_at(t1):
            self.vote(t1)
        if self.status == "approved" and t1 >= self.approved_step + cm.sc.issue.setup_steps:
            self.open(t1)
        coop += self.conditional(t1)
        # Rule 6: indicators.
        self.cooperation = coop
        self.coop_history.append(coop)
        w = self.coop_history[-prm.ma_window:]
        self.cooperation_ma = sum(w) / len(w)
        if self.collect:
            self.datacollector.collect(self)

    # ---- what a run reports -----------------------------------------------------------------
    def summary(self, events: bool = False) -> dict:
        cm = self.cm
        if self.log:
            step, snd, tgt, code, iss = (np.concatenate(x) for x in zip(*self.log))
        else:
            step = snd = tgt = code = np.zeros(0, dtype=int)
            iss = np.zeros(0, dtype=bool)
        out = {
            "status": self.status,
            "approved_step": self.approved_step,
            "opened_step": self.opened_step,
            "shelved_step": self.shelved_step,
            "substitute_step": self.substitute_step,
            "scope": self.scope,
            "blockers": self.blockers,
            "votes": [{"step": v[0], "approved": v[1], "blockers": v[2]} for v in self.votes],
            "deals": self.deals,
            "turnovers": [{"step": st, "actor": a} for st, a in self.turnovers],
            "stance": {a.key: a.stance for a in self.actors},
            "posture": {a.key: a.posture for a in self.actors},
            "anchor": {a.key: a.anchor for a in self.actors},
            "events": int(len(code)),
            "issue_signals": int(iss.sum()),
            "coercive": self.coercive_events,
        }
        if events:
            out["log"] = {"step": step.tolist(), "actor": snd.tolist(), "target": tgt.tolist(),
                          "code": code.tolist(), "issue": iss.astype(int).tolist()}
        return out


# --------------------------------------------------------------------------------------------
# Ensemble
# --------------------------------------------------------------------------------------------
_CM = None


def run_one(cm: Compiled, seed: int, run: int, collect: bool = True) -> DiploModel:
    """Run r of an ensemble is seeded from (seed, r) alone."""
    model = DiploModel(cm, rng=np.random.SeedSequence([seed, run]), collect=collect)
    for _ in range(cm.steps):
        model.step()
    return model


def _job(args):
    seed, run, events, collect = args
    s = run_one(_CM, seed, run, collect).summary(events)
    gc.collect()   # a finished Mesa model is a reference cycle; keep memory flat
    return s


def _init(cm):
    global _CM
    _CM = cm


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="baseline",
                    help="resolved scenario .toml, or a scenario name (resolved by diplosim)")
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=None, help="default: the scenario's seed")
    ap.add_argument("--steps", type=int, default=None, help="default: the scenario's steps")
    ap.add_argument("--procs", type=int, default=1, help="worker processes")
    ap.add_argument("--no-collect", action="store_true",
                    help="no DataCollector (indicators and per-agent series are not recorded)")
    ap.add_argument("--json-out", type=Path, default=None,
                    help="one JSON line per run: its summary")
    ap.add_argument("--events", action="store_true", help="with --json-out: each run's events")
    args = ap.parse_args(argv)

    sc = load_scenario(args.scenario)
    if args.steps is not None:
        sc.steps = args.steps
    seed = sc.seed if args.seed is None else args.seed
    cm = Compiled(sc)
    jobs = [(seed, r, args.events, not args.no_collect) for r in range(args.runs)]
    t0 = time.perf_counter()
    if args.procs > 1:
        import multiprocessing as mp
        with mp.Pool(args.procs, initializer=_init, initargs=(cm,)) as pool:
            summaries = pool.map(_job, jobs, chunksize=max(1, args.runs // (4 * args.procs)))
    else:
        _init(cm)
        summaries = [_job(j) for j in jobs]
    seconds = time.perf_counter() - t0
    print(f"scenario={sc.name} runs={args.runs} steps={sc.steps} actors={cm.n} "
          f"seconds={seconds:.3f} runs_per_s={args.runs / seconds:.2f}", flush=True)
    if args.json_out is not None:
        with open(args.json_out, "w") as f:
            for r, s in enumerate(summaries):
                f.write(json.dumps({"run": r, **s}) + "\n")


if __name__ == "__main__":
    main()
