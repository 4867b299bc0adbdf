//! Watching a run for the scenario's observations (the types are in [`crate::observe`]): an
//! engine [`Observer`] that keeps, per observation, only the
//! running sum, minimum, maximum, last value and non-zero count over its window — O(observations)
//! per step and per event, nothing per step stored — so it costs little inside large ensembles.

use crate::engine::record::Recording;
use crate::engine::{Event, Observer, StepView};
use crate::model::{Metric, Reading};
use crate::observe::{Observation, Observed, Stat};

/// One observation's result in one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    /// The statistic over the window (NaN if the run ended before the window: never for a
    /// resolved scenario, whose windows lie inside the run).
    pub value: f64,
    pub held: bool,
}

/// Running statistics of one window.
#[derive(Debug, Clone, Copy)]
struct WindowStats {
    n: usize,
    sum: f64,
    min: f64,
    max: f64,
    last: f64,
    nonzero: usize,
}

impl Default for WindowStats {
    fn default() -> WindowStats {
        WindowStats {
            n: 0,
            sum: 0.0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            last: f64::NAN,
            nonzero: 0,
        }
    }
}

impl WindowStats {
    fn push(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.min = self.min.min(x);
        self.max = self.max.max(x);
        self.last = x;
        self.nonzero += (x != 0.0) as usize;
    }

    fn value(&self, stat: Stat) -> f64 {
        if self.n == 0 {
            return f64::NAN;
        }
        match stat {
            Stat::At => self.last,
            Stat::Mean => self.sum / self.n as f64,
            Stat::Min => self.min,
            Stat::Max => self.max,
            Stat::Sum => self.sum,
            Stat::Count => self.nonzero as f64,
        }
    }
}

/// Checks a scenario's observations as a run goes by.
#[derive(Debug, Clone)]
pub struct Checker<'a> {
    obs: &'a [Observation],
    acc: Vec<WindowStats>,
    /// Matching events seen since the last step, per observation.
    pending: Vec<f64>,
}

impl<'a> Checker<'a> {
    pub fn new(obs: &'a [Observation]) -> Checker<'a> {
        Checker {
            obs,
            acc: vec![WindowStats::default(); obs.len()],
            pending: vec![0.0; obs.len()],
        }
    }

    /// Feed step t, reading each series observation's value with `value(metric, actor)`.
    fn take_step(&mut self, t: usize, value: impl Fn(Metric, usize) -> f64) {
        for (k, o) in self.obs.iter().enumerate() {
            if o.steps.0 <= t && t <= o.steps.1 {
                let x = match o.what {
                    Observed::Series { metric, actor } => {
                        value(metric, actor.map_or(0, |a| a.ix()))
                    }
                    Observed::Events { .. } => self.pending[k],
                };
                self.acc[k].push(x);
            }
            self.pending[k] = 0.0;
        }
    }

    fn take_event(&mut self, e: &Event) {
        for (k, o) in self.obs.iter().enumerate() {
            if let Observed::Events {
                actor,
                target,
                class,
            } = o.what
            {
                if actor.is_none_or(|a| a == e.actor)
                    && target.is_none_or(|t| t == e.target)
                    && class.admits(e.code)
                {
                    self.pending[k] += 1.0;
                }
            }
        }
    }

    /// Each observation's statistic and whether it held.
    pub fn verdicts(&self) -> Vec<Verdict> {
        self.obs
            .iter()
            .zip(&self.acc)
            .map(|(o, a)| {
                let value = a.value(o.stat);
                Verdict {
                    value,
                    held: !value.is_nan() && o.test.holds(value),
                }
            })
            .collect()
    }

    /// Whether every observation held (true when there are none).
    pub fn all_held(&self) -> bool {
        self.obs
            .iter()
            .zip(&self.acc)
            .all(|(o, a)| o.test.holds(a.value(o.stat)))
    }

    /// The verdicts if every series kept the value `value` gives it at every step 0..=`last`
    /// and no event happened (the backtest's persistence reference).
    pub fn frozen(
        obs: &'a [Observation],
        last: usize,
        value: impl Fn(Metric, usize) -> f64,
    ) -> Vec<Verdict> {
        let mut c = Checker::new(obs);
        for t in 0..=last {
            c.take_step(t, &value);
        }
        c.verdicts()
    }

    /// The verdicts of a recorded single run (the same arithmetic as streaming it).
    pub fn of_recording(obs: &'a [Observation], rec: &Recording) -> Vec<Verdict> {
        let mut c = Checker::new(obs);
        let mut next = 0;
        for t in 0..rec.len() {
            while next < rec.events.len() && rec.events[next].step <= t {
                c.take_event(&rec.events[next]);
                next += 1;
            }
            c.take_step(t, |m, i| rec.value(m, t, i));
        }
        c.verdicts()
    }
}

impl Observer for Checker<'_> {
    fn step(&mut self, v: &StepView) {
        self.take_step(v.step, |m, i| match m.read(v) {
            Reading::Actors(xs) => xs[i],
            Reading::Region(x) => x,
        });
    }

    fn event(&mut self, e: &Event) {
        self.take_event(e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Event;
    use crate::model::code_index;
    use crate::model::ActorId;
    use crate::observe::{EventFilter, Test};

    /// Two actors, steps 0..=4: actor 0's stance 0, 0.5, −0.25, 0, 1 (actor 1's is 9 throughout),
    /// forecast 0.1·t; events 0→1 at step 1 (111, verbal conflict), step 3 (111 and 150,
    /// coercive), 1→0 at step 3 (040).
    fn recording() -> Recording {
        let mut r = Recording::new(2, 4);
        let s0 = [0.0, 0.5, -0.25, 0.0, 1.0];
        for (t, x) in s0.iter().enumerate() {
            for m in Metric::per_actor() {
                r.actor[m.position()].extend_from_slice(&[*x, 9.0]);
            }
            for m in Metric::region() {
                r.region[m.position()].push(0.1 * t as f64);
            }
        }
        let ev = |step, a, b, code| Event {
            step,
            actor: ActorId(a),
            target: ActorId(b),
            code: code_index(code).unwrap(),
            issue: false,
            injected: false,
        };
        r.events = vec![
            ev(1, 0, 1, "111"),
            ev(3, 0, 1, "111"),
            ev(3, 0, 1, "150"),
            ev(3, 1, 0, "040"),
        ];
        r
    }

    fn stance(stat: Stat, test: Test) -> Observation {
        Observation {
            what: Observed::Series {
                metric: Metric::Stance,
                actor: Some(ActorId(0)),
            },
            steps: (1, 4),
            stat,
            test,
            source: String::new(),
        }
    }

    fn value(o: Observation) -> Verdict {
        Checker::of_recording(std::slice::from_ref(&o), &recording())[0]
    }

    #[test]
    fn each_stat_over_the_window_by_hand() {
        // Window steps 1..=4: 0.5, −0.25, 0, 1.
        let want = [
            (Stat::At, 1.0),
            (Stat::Mean, 0.3125),
            (Stat::Min, -0.25),
            (Stat::Max, 1.0),
            (Stat::Sum, 1.25),
            (Stat::Count, 3.0),
        ];
        for (stat, x) in want {
            let v = value(stance(stat, Test::Ge(-10.0)));
            assert_eq!(v.value, x, "{stat:?}");
        }
        let mut o = stance(Stat::Mean, Test::Lt(0.0));
        o.what = Observed::Series {
            metric: Metric::Forecast,
            actor: None,
        };
        o.steps = (0, 2);
        assert!((value(o).value - 0.1).abs() < 1e-15);
    }

    #[test]
    fn each_op_decides_held() {
        let at = |t| value(stance(Stat::At, t)).held; // the statistic is 1.0
        assert!(at(Test::Lt(1.5)) && !at(Test::Lt(1.0)));
        assert!(at(Test::Le(1.0)) && !at(Test::Le(0.99)));
        assert!(at(Test::Gt(0.99)) && !at(Test::Gt(1.0)));
        assert!(at(Test::Ge(1.0)) && !at(Test::Ge(1.01)));
        assert!(at(Test::Between(1.0, 1.0)) && !at(Test::Between(0.0, 0.99)));
    }

    #[test]
    fn events_count_by_dyad_and_class() {
        let obs = |actor, target, class, stat| Observation {
            what: Observed::Events {
                actor,
                target,
                class,
            },
            steps: (1, 4),
            stat,
            test: Test::Ge(0.0),
            source: String::new(),
        };
        let (a, b) = (Some(ActorId(0)), Some(ActorId(1)));
        let verbal = EventFilter::Class(crate::model::EventClass::VerbalConflict);
        let cases = [
            (obs(a, b, EventFilter::Any, Stat::Sum), 3.0),
            (obs(a, b, verbal, Stat::Sum), 2.0),
            (obs(a, b, verbal, Stat::Count), 2.0),
            (obs(a, b, EventFilter::Any, Stat::Max), 2.0),
            (obs(a, b, EventFilter::Coercive, Stat::Sum), 1.0),
            (obs(None, None, EventFilter::Any, Stat::Sum), 4.0),
            (obs(b, None, EventFilter::Any, Stat::At), 0.0),
            (obs(a, b, EventFilter::Any, Stat::Mean), 0.75),
        ];
        for (o, want) in cases {
            let v = Checker::of_recording(std::slice::from_ref(&o), &recording())[0];
            assert_eq!(v.value, want, "{o:?}");
        }
    }
}
