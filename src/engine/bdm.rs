//! Bueno de Mesquita's expected-utility model of group decisions, as Scholz, Calbert and Smith
//! (2011, "Unravelling Bueno de Mesquita's group decision model", J. Theoretical Politics 23(4))
//! replicate it: positions x, capabilities c, saliences s; votes, the probability of success,
//! the utilities of success, failure and the status quo, the expected utility of a challenge,
//! each actor's danger and risk exponent, and the offers a challenge leads to.
//!
//! The vote's bargaining stage (`engine::decision`) runs one round of it among the deciding
//! body's members on the stance scale; `tests/bdm.rs` reproduces the replication's European
//! Community car-emissions example. Formulas and their numbering: docs/model.md, decisions in time.

/// x^r, exactly x at r = 1 (every exponent while the risk exponents are found).
fn pow(x: f64, r: f64) -> f64 {
    if r == 1.0 {
        x
    } else {
        libm::pow(x, r)
    }
}

/// One actor of a bargaining round.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Player {
    /// Position x on the issue.
    pub x: f64,
    /// Capability c.
    pub c: f64,
    /// Salience s (also the probability that the challenged actor resists).
    pub s: f64,
}

/// What a challenge between two actors leads to, from the receiving actor's view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferKind {
    /// Both expect to win and the other expects more: the receiver loses the conflict and moves
    /// to the other's position.
    Confrontation,
    /// The other expects to win and the receiver to lose, by less: the receiver moves part way,
    /// by the ratio of the two expected utilities.
    Compromise,
    /// The other expects to win and the receiver to lose, by more: the receiver gives way and
    /// moves to the other's position.
    Capitulation,
}

/// An offer to actor `to` from actor `from`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Offer {
    pub kind: OfferKind,
    pub from: usize,
    pub to: usize,
    /// The receiver's new position if it accepts.
    pub position: f64,
    /// EU_to(to challenges from) and EU_to(from challenges to), both from the receiver's view.
    pub eu_own: f64,
    pub eu_other: f64,
}

/// Q: the probability the challenger gives to the status quo holding if it does not challenge.
/// Scholz et al. set Q = 1, which removes the "better or worse" terms (T, U_b, U_w).
pub const Q: f64 = 1.0;

/// A bargaining round's model: the players and the position range (max − min of the positions
/// in the replication; the engine passes the stance scale's width, 2).
#[derive(Debug, Clone)]
pub struct Round<'a> {
    pub players: &'a [Player],
    pub range: f64,
    /// Risk exponent r of each player (1 until [`Round::risk_exponents`] sets them).
    r: Vec<f64>,
    /// Σ_k Σ_a Σ_b |v_k(x_a, x_b)| (each k with its risk exponent), the denominator of the
    /// probability of success.
    all_votes: f64,
    /// `p[i*n + j]`: (2) for the players' positions, P(x_i beats x_j), with the current exponents
    /// (each vote v_k(x_a, x_b) = c_k s_k (d_kb − d_ka), d_ka = (|x_k − x_a|/R)^{r_k}, tabulated once:
    /// a round then costs n² powers and O(n³) additions rather than O(n³) powers).
    p: Vec<f64>,
}

impl<'a> Round<'a> {
    /// A round with every risk exponent 1.
    pub fn new(players: &'a [Player], range: f64) -> Round<'a> {
        let mut round = Round {
            players,
            range,
            r: vec![1.0; players.len()],
            all_votes: 0.0,
            p: Vec::new(),
        };
        round.refresh();
        round
    }

    /// The denominator of (2) and the table of P with the current risk exponents.
    fn refresh(&mut self) {
        let n = self.players.len();
        let mut d = vec![0.0; n * n];
        for (k, pk) in self.players.iter().enumerate() {
            for (a, pa) in self.players.iter().enumerate() {
                d[k * n + a] = pow((pk.x - pa.x).abs() / self.range, self.r[k]);
            }
        }
        // Σ_a Σ_b |e_a − e_b| = 2 Σ_i e_(i) (2i − n + 1) over the sorted e.
        let mut sum = 0.0;
        let mut e = vec![0.0; n];
        for (k, pk) in self.players.iter().enumerate() {
            e.copy_from_slice(&d[k * n..(k + 1) * n]);
            e.sort_by(f64::total_cmp);
            let spread: f64 = e
                .iter()
                .enumerate()
                .map(|(i, &v)| v * (2.0 * i as f64 - (n as f64 - 1.0)))
                .sum();
            sum += pk.c * pk.s * 2.0 * spread;
        }
        self.all_votes = sum;
        self.p = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                if self.players[i].x == self.players[j].x || sum == 0.0 {
                    continue;
                }
                let num: f64 = self
                    .players
                    .iter()
                    .enumerate()
                    .map(|(k, pk)| (pk.c * pk.s * (d[k * n + j] - d[k * n + i])).max(0.0))
                    .sum();
                self.p[i * n + j] = num / sum;
            }
        }
    }

    /// (1) v_k(x_a, x_b) = c_k s_k ((|x_k − x_b| / R)^r − (|x_k − x_a| / R)^r): k's vote for x_a
    /// over x_b, with risk exponent r.
    pub fn vote(&self, k: usize, xa: f64, xb: f64, r: f64) -> f64 {
        let p = &self.players[k];
        let d = |x: f64| pow((p.x - x).abs() / self.range, r);
        p.c * p.s * (d(xb) - d(xa))
    }

    /// (2) P(x_i beats x_j) = Σ_k max(0, v_k(x_i, x_j)) / Σ_k Σ_a Σ_b |v_k(x_a, x_b)|, each k
    /// voting with its own risk exponent (the replication's denominator: every vote over every
    /// pair of positions); 0 when the positions are equal.
    pub fn probability(&self, xi: f64, xj: f64) -> f64 {
        if xi == xj || self.all_votes == 0.0 {
            return 0.0;
        }
        let num: f64 = (0..self.players.len())
            .map(|k| self.vote(k, xi, xj, self.r[k]).max(0.0))
            .sum();
        num / self.all_votes
    }

    /// (3) The utilities to i of a challenge on x_j, with the viewer's risk exponent r:
    /// success 2 − 4(½ − ½|x_i − x_j|/R)^r, failure 2 − 4(½ + ½|x_i − x_j|/R)^r, status quo
    /// 2 − 4·½^r.
    pub fn utilities(&self, i: usize, xj: f64, r: f64) -> (f64, f64, f64) {
        let d = (self.players[i].x - xj).abs() / self.range;
        (
            2.0 - 4.0 * pow(0.5 - 0.5 * d, r),
            2.0 - 4.0 * pow(0.5 + 0.5 * d, r),
            2.0 - 4.0 * pow(0.5, r),
        )
    }

    /// (4) The expected utility of i challenging j, as `viewer` sees it (the viewer's risk
    /// exponent throughout): s_j (P U_s + (1 − P) U_f) + (1 − s_j) U_s − Q U_sq.
    pub fn eu_challenge(&self, viewer: usize, i: usize, j: usize) -> f64 {
        let r = self.r[viewer];
        let xj = self.players[j].x;
        let p = self.p[i * self.players.len() + j];
        let (us, uf, usq) = self.utilities(i, xj, r);
        let sj = self.players[j].s;
        sj * (p * us + (1.0 - p) * uf) + (1.0 - sj) * us - Q * usq
    }

    /// (5) i's danger: Σ_{k ≠ i} EU_i(k challenges i), the challenges it expects.
    pub fn danger(&self, i: usize) -> f64 {
        (0..self.players.len())
            .filter(|&k| k != i)
            .map(|k| self.eu_challenge(i, k, i))
            .sum()
    }

    /// (6) Risk: R_i = (2 D_i − D_max − D_min) / (D_max − D_min) from every danger at r = 1, and the
    /// exponent r_i = (1 − R_i/3) / (1 + R_i/3), in [0.5, 2]. Sets [`Round::r`] and returns it.
    /// With every danger equal (one actor, or all alike) each R_i is 0 and r_i is 1.
    pub fn risk_exponents(&mut self) -> &[f64] {
        if self.r.iter().any(|&r| r != 1.0) {
            self.r.iter_mut().for_each(|r| *r = 1.0);
            self.refresh();
        }
        let d: Vec<f64> = (0..self.players.len()).map(|i| self.danger(i)).collect();
        let max = d.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x));
        let min = d.iter().fold(f64::INFINITY, |m, &x| m.min(x));
        let r: Vec<f64> = d
            .iter()
            .map(|&di| {
                let big_r = if max > min {
                    (2.0 * di - max - min) / (max - min)
                } else {
                    0.0
                };
                (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
            })
            .collect();
        self.r = r;
        self.refresh();
        &self.r
    }

    /// The risk exponents in force.
    pub fn r(&self) -> &[f64] {
        &self.r
    }

    /// (7) The offer `from`'s challenge makes to `to`, from `to`'s view (its risk exponent), or
    /// `None` when `to` expects nothing from it: with e_o = EU_to(to challenges from) and
    /// e_f = EU_to(from challenges to),
    /// confrontation when e_f > e_o > 0 (to moves to x_from); compromise when e_f > 0 > e_o and
    /// e_f > |e_o| (to moves by (x_from − x_to)·|e_o / e_f|); capitulation when e_f > 0 > e_o and
    /// e_f ≤ |e_o| (to moves to x_from).
    pub fn offer(&self, from: usize, to: usize) -> Option<Offer> {
        let (xf, xt) = (self.players[from].x, self.players[to].x);
        if xf == xt {
            return None;
        }
        let eu_own = self.eu_challenge(to, to, from);
        let eu_other = self.eu_challenge(to, from, to);
        let (kind, position) = if eu_other > eu_own && eu_own > 0.0 {
            (OfferKind::Confrontation, xf)
        } else if eu_other > 0.0 && eu_own < 0.0 && eu_other > -eu_own {
            (
                OfferKind::Compromise,
                xt + (xf - xt) * (eu_own / eu_other).abs(),
            )
        } else if eu_other > 0.0 && eu_own < 0.0 {
            (OfferKind::Capitulation, xf)
        } else {
            return None;
        };
        Some(Offer {
            kind,
            from,
            to,
            position,
            eu_own,
            eu_other,
        })
    }

    /// (8) The offer `to` accepts among those from `candidates`: a lost confrontation first (the
    /// one that moves it least), then a compromise, then a capitulation (the one that moves it
    /// least). Among compromises the replication's code takes the one with the lowest
    /// |e_o|-and-|e_f|-weighted mean of the two positions, (|e_o| x_to + |e_f| x_from) / (|e_o| + |e_f|)
    /// (the paper says the least move; this is what reproduces its published rounds). Ties go to
    /// the first candidate.
    pub fn best_offer(&self, to: usize, candidates: impl Iterator<Item = usize>) -> Option<Offer> {
        let xt = self.players[to].x;
        let key = |o: &Offer| match o.kind {
            OfferKind::Confrontation => (0, (o.position - xt).abs()),
            OfferKind::Compromise => {
                let (a, b) = (o.eu_own.abs(), o.eu_other.abs());
                (1, (a * xt + b * self.players[o.from].x) / (a + b))
            }
            OfferKind::Capitulation => (2, (o.position - xt).abs()),
        };
        let mut best: Option<(Offer, (u8, f64))> = None;
        for from in candidates.filter(|&f| f != to) {
            if let Some(o) = self.offer(from, to) {
                let k = key(&o);
                if best.as_ref().is_none_or(|(_, bk)| k < *bk) {
                    best = Some((o, k));
                }
            }
        }
        best.map(|(o, _)| o)
    }

    /// One full round among all players: risk exponents, then every player's best offer from
    /// every other, applied together. Returns the new positions.
    pub fn play(&mut self) -> Vec<f64> {
        self.risk_exponents();
        let n = self.players.len();
        (0..n)
            .map(|to| match self.best_offer(to, 0..n) {
                Some(o) => o.position,
                None => self.players[to].x,
            })
            .collect()
    }

    /// The median voter position: the Condorcet winner among the players' positions under (1)
    /// with r = 1, found by challenging the incumbent with each position in increasing order.
    pub fn median_position(&self) -> f64 {
        let mut xs: Vec<f64> = self.players.iter().map(|p| p.x).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        let Some(&first) = xs.first() else { return 0.0 };
        let mut median = first;
        for &x in &xs[1..] {
            let votes: f64 = (0..self.players.len())
                .map(|k| self.vote(k, x, median, 1.0))
                .sum();
            if votes > 0.0 {
                median = x;
            }
        }
        median
    }

    /// The capability- and salience-weighted mean position Σ c s x / Σ c s (BdM's forecast).
    pub fn mean_position(&self) -> f64 {
        let (num, den) = self
            .players
            .iter()
            .fold((0.0, 0.0), |(n, d), p| (n + p.c * p.s * p.x, d + p.c * p.s));
        if den > 0.0 {
            num / den
        } else {
            0.0
        }
    }

    /// The probability that x_a beats x_b among `players`, counting every vote once (with r = 1):
    /// Σ_k max(0, v_k(x_a, x_b)) / Σ_k |v_k(x_a, x_b)|, ½ when nobody cares.
    pub fn head_to_head(players: &[Player], range: f64, xa: f64, xb: f64) -> f64 {
        let (mut pro, mut all) = (0.0, 0.0);
        for p in players {
            let v = p.c * p.s * (((p.x - xb).abs() - (p.x - xa).abs()) / range);
            pro += v.max(0.0);
            all += v.abs();
        }
        if all > 0.0 {
            pro / all
        } else {
            0.5
        }
    }
}
