//! The metrics a run reports, step by step, defined once.
//!
//! Every place that names a metric — the columns and row order of `timeseries.csv` and
//! `ensemble.csv`, the cells of an ensemble aggregate, the recorder, the charts, `compare --metric`
//! and the summaries — derives it from the one table in `metrics!` below, so adding a metric or
//! changing its order is one edit. A metric is either per actor (one value per actor and step,
//! written with the actor's id) or region-wide (one value per step, written with actor `*`).

/// Whether a metric has one value per actor or one for the whole region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// One value per actor and step (`timeseries.csv` writes the actor's id).
    Actor,
    /// One value per step (`timeseries.csv` writes actor `*`).
    Region,
}

/// Whether a metric takes any real value or a few coded ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Continuous,
    /// Integer codes (e.g. the office status 0–3).
    Discrete,
    /// Multiples of 0.1: sums of Goldstein weights, each with one decimal.
    Tenths,
    /// The mean of the last w values of a `Tenths` metric (w = `ma_window`, fewer in the first
    /// steps): w times it is a multiple of 0.1, which ensembles count exactly.
    Average,
}

impl Kind {
    /// For a metric whose values are multiples of 1/q, that q (ensembles count them exactly as
    /// integers); `None` for a continuous metric.
    pub const fn per_unit(self) -> Option<u32> {
        match self {
            Kind::Continuous | Kind::Average => None,
            Kind::Discrete => Some(1),
            Kind::Tenths => Some(10),
        }
    }
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
    pub status: super::Status,
}

/// A metric's value(s) at one step, read from a [`StepView`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reading<'a> {
    /// One value per actor, in actor order.
    Actors(&'a [f64]),
    Region(f64),
}

/// Defines [`Metric`], [`Metric::ALL`] and every property from one table. The order of the table
/// is the order of the rows of `timeseries.csv` and `ensemble.csv` (per-actor metrics first).
macro_rules! metrics {
    ($($variant:ident {
        name: $name:literal,
        unit: $unit:literal,
        axis: $axis:literal,
        range: $range:expr,
        scope: $scope:ident,
        kind: $kind:ident,
        doc: $doc:literal,
        read: |$v:ident| $read:expr,
    })*) => {
        /// One metric of the model's output. See the module doc.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Metric {
            $(#[doc = $doc] $variant,)*
        }

        impl Metric {
            /// Every metric, in output order.
            pub const ALL: &'static [Metric] = &[$(Metric::$variant),*];

            /// Name in files and on the command line (`stance`, `office_status`).
            pub const fn name(self) -> &'static str {
                match self { $(Metric::$variant => $name,)* }
            }

            /// Unit of the values.
            pub const fn unit(self) -> &'static str {
                match self { $(Metric::$variant => $unit,)* }
            }

            /// Label of a chart's value axis.
            pub const fn axis(self) -> &'static str {
                match self { $(Metric::$variant => $axis,)* }
            }

            /// Fixed range of a chart's value axis, if the metric is bounded.
            pub const fn range(self) -> Option<(f64, f64)> {
                match self { $(Metric::$variant => $range,)* }
            }

            pub const fn scope(self) -> Scope {
                match self { $(Metric::$variant => Scope::$scope,)* }
            }

            pub const fn kind(self) -> Kind {
                match self { $(Metric::$variant => Kind::$kind,)* }
            }

            /// One line saying what the metric measures.
            pub const fn doc(self) -> &'static str {
                match self { $(Metric::$variant => $doc,)* }
            }

            /// The metric's value(s) at the step `view` shows.
            #[inline(always)]
            pub fn read<'a>(self, view: &StepView<'a>) -> Reading<'a> {
                match self { $(Metric::$variant => { let $v = view; $read },)* }
            }
        }
    };
}

metrics! {
    Stance {
        name: "stance",
        unit: "stance, −1 (opposes the office) … +1 (supports it)",
        axis: "stance (−1 … +1)",
        range: Some((-1.0, 1.0)),
        scope: Actor,
        kind: Continuous,
        doc: "The actor's stance on the issue (rule 1).",
        read: |v| Reading::Actors(v.stance),
    }
    Posture {
        name: "posture",
        unit: "military posture, ≥ 0",
        axis: "posture",
        range: None,
        scope: Actor,
        kind: Continuous,
        doc: "The actor's military posture (rule 4, Richardson).",
        read: |v| Reading::Actors(v.posture),
    }
    ToneSent {
        name: "tone_sent",
        unit: "Goldstein weight per step",
        axis: "tone sent",
        range: None,
        scope: Actor,
        kind: Tenths,
        doc: "Sum of the Goldstein weights of the events the actor sent this step.",
        read: |v| Reading::Actors(v.tone_sent),
    }
    ToneReceived {
        name: "tone_received",
        unit: "Goldstein weight per step",
        axis: "tone received",
        range: None,
        scope: Actor,
        kind: Tenths,
        doc: "Sum of the Goldstein weights of the events the actor received this step.",
        read: |v| Reading::Actors(v.tone_received),
    }
    Forecast {
        name: "forecast",
        unit: "stance, −1 … +1",
        axis: "forecast",
        range: None,
        scope: Region,
        kind: Continuous,
        doc: "Compromise forecast F = Σ c σ s / Σ c σ.",
        read: |v| Reading::Region(v.forecast),
    }
    Polarization {
        name: "polarization",
        unit: "stance, ≥ 0",
        axis: "polarization",
        range: None,
        scope: Region,
        kind: Continuous,
        doc: "Capability-weighted standard deviation of the stances.",
        read: |v| Reading::Region(v.polarization),
    }
    Cooperation {
        name: "cooperation",
        unit: "Goldstein weight per step",
        axis: "cooperation",
        range: None,
        scope: Region,
        kind: Tenths,
        doc: "Cooperation–conflict index: sum of the Goldstein weights of this step's events.",
        read: |v| Reading::Region(v.cooperation),
    }
    CooperationMa {
        name: "cooperation_ma",
        unit: "Goldstein weight per step",
        axis: "cooperation ma",
        range: None,
        scope: Region,
        kind: Average,
        doc: "Moving average of the cooperation index over `model.ma_window` steps.",
        read: |v| Reading::Region(v.cooperation_ma),
    }
    OfficeStatus {
        name: "office_status",
        unit: "status code",
        axis: "−1 shelved · 0 proposed · 1 postponed · 2 approved · 3 opened",
        range: Some((-1.2, 3.2)),
        scope: Region,
        kind: Discrete,
        doc: "Office status: −1 shelved, 0 proposed, 1 postponed, 2 approved, 3 opened.",
        read: |v| Reading::Region(v.status.value()),
    }
}

/// Number of metrics with `scope`.
const fn count(scope: Scope) -> usize {
    let mut k = 0;
    let mut c = 0;
    while k < Metric::ALL.len() {
        if Metric::ALL[k].scope() as u8 == scope as u8 {
            c += 1;
        }
        k += 1;
    }
    c
}

impl Metric {
    /// Number of per-actor metrics.
    pub const PER_ACTOR: usize = count(Scope::Actor);
    /// Number of region-wide metrics.
    pub const REGION: usize = count(Scope::Region);

    /// The per-actor metrics, in output order.
    pub fn per_actor() -> impl Iterator<Item = Metric> + Clone {
        Self::ALL
            .iter()
            .copied()
            .filter(|m| m.scope() == Scope::Actor)
    }

    /// The region-wide metrics, in output order.
    pub fn region() -> impl Iterator<Item = Metric> + Clone {
        Self::ALL
            .iter()
            .copied()
            .filter(|m| m.scope() == Scope::Region)
    }

    /// Position among the metrics of the same scope (0-based), the index recordings and
    /// aggregates store it under.
    pub const fn position(self) -> usize {
        let mut k = 0;
        let mut p = 0;
        while k < Self::ALL.len() {
            let m = Self::ALL[k];
            if m as u8 == self as u8 {
                break;
            }
            if m.scope() as u8 == self.scope() as u8 {
                p += 1;
            }
            k += 1;
        }
        p
    }

    /// The metric called `name`.
    pub fn parse(name: &str) -> Option<Metric> {
        Self::ALL.iter().copied().find(|m| m.name() == name)
    }

    /// Every metric name, in output order.
    pub fn names() -> impl Iterator<Item = &'static str> {
        Self::ALL.iter().map(|m| m.name())
    }

    /// The name with spaces for underscores, as chart titles print it.
    pub fn label(self) -> String {
        self.name().replace('_', " ")
    }
}

/// The mean cooperation index of one run, Σ_{t=1..T} cooperation(t) / T (T ≥ 1 steps; step 0
/// has no events). Each index is a sum of one-decimal Goldstein weights, so the sum is kept in
/// exact tenths and the mean is one correctly rounded division: a run in memory, its
/// `timeseries.csv` read back and a streamed ensemble all give the same bits.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CooperationMean {
    tenths: i64,
    steps: usize,
}

impl CooperationMean {
    /// Add the cooperation index of step `step` (step 0 is skipped).
    #[inline(always)]
    pub fn add(&mut self, step: usize, cooperation: f64) {
        if step > 0 {
            self.tenths += (cooperation * 10.0).round() as i64;
            self.steps = self.steps.max(step);
        }
    }

    /// The mean over the steps added (over 1 if there were none).
    pub fn mean(&self) -> f64 {
        self.tenths as f64 / (10 * self.steps.max(1)) as f64
    }

    /// The mean of a whole series of the cooperation index, step 0 first.
    pub fn of(series: &[f64]) -> f64 {
        let mut m = CooperationMean::default();
        for (t, &x) in series.iter().enumerate() {
            m.add(t, x);
        }
        m.mean()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    fn view<'a>(actors: &'a [f64; 2]) -> StepView<'a> {
        StepView {
            step: 1,
            stance: actors,
            posture: actors,
            tone_sent: actors,
            tone_received: actors,
            forecast: 0.5,
            polarization: 0.5,
            cooperation: 0.5,
            cooperation_ma: 0.5,
            status: Status::Approved,
        }
    }

    #[test]
    fn scope_matches_what_is_read() {
        let a = [0.1, 0.2];
        let v = view(&a);
        for &m in Metric::ALL {
            match (m.scope(), m.read(&v)) {
                (Scope::Actor, Reading::Actors(s)) => assert_eq!(s.len(), 2, "{m:?}"),
                (Scope::Region, Reading::Region(_)) => {}
                _ => panic!("{} reads the wrong scope", m.name()),
            }
        }
        assert_eq!(Metric::OfficeStatus.read(&v), Reading::Region(2.0));
    }

    #[test]
    fn per_actor_metrics_come_first_and_positions_count_within_scope() {
        assert_eq!(Metric::PER_ACTOR + Metric::REGION, Metric::ALL.len());
        let actor: Vec<Metric> = Metric::per_actor().collect();
        assert_eq!(&Metric::ALL[..Metric::PER_ACTOR], &actor[..]);
        for (k, m) in Metric::per_actor().enumerate() {
            assert_eq!(m.position(), k);
        }
        for (k, m) in Metric::region().enumerate() {
            assert_eq!(m.position(), k);
        }
    }

    #[test]
    fn names_are_unique_and_parse_back() {
        for &m in Metric::ALL {
            assert_eq!(Metric::parse(m.name()), Some(m));
            assert_eq!(Metric::names().filter(|n| *n == m.name()).count(), 1);
        }
        assert_eq!(Metric::parse("stanse"), None);
        assert_eq!(Metric::OfficeStatus.kind(), Kind::Discrete);
    }

    #[test]
    fn cooperation_mean_skips_step_zero() {
        assert_eq!(CooperationMean::of(&[100.0, 1.0, 2.0, 6.0]), 3.0);
        assert_eq!(CooperationMean::of(&[5.0]), 0.0);
        // Float noise of summed weights does not reach the mean: (0.3 + 0.3)/2 is 6/20.
        assert_eq!(0.1 + 0.2, 0.30000000000000004);
        assert_eq!(CooperationMean::of(&[0.0, 0.1 + 0.2, 0.3]), 0.3);
        assert_eq!(CooperationMean::of(&[0.0, 0.7, 0.0, 0.0]), 7.0 / 30.0);
        let mut m = CooperationMean::default();
        for (t, x) in [0.0, 1.0, 2.0, 6.0].into_iter().enumerate() {
            m.add(t, x);
        }
        assert_eq!(m.mean(), 3.0);
    }
}
