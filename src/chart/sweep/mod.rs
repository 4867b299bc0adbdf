//! Sweep charts: outcomes against one parameter with 95% bands, a heatmap over two parameters,
//! and tornado charts of sensitivity indices. [`GridChart::new`] and [`tornado_charts`] turn the
//! results of [`crate::sweep`] into chart data, so the CLI only hands them over; one file per
//! chart kind does the drawing.

mod heatmap;
mod panels;
mod tornado;

use super::{ensure_font, save, with_area};
use crate::error::Result;
use crate::scenario::Scenario;
use crate::sweep::global::{Analysis, Indices, Method, OutcomeIndices};
use crate::sweep::grid::Grid;
use crate::sweep::outcomes::describe;
use crate::sweep::PointStats;
use std::path::Path;

/// Outcomes over a one- or two-parameter grid.
pub struct GridChart {
    pub title: String,
    pub subtitle: String,
    pub axes: Vec<(String, Vec<f64>)>,
    /// Outcome names: p_opened, p_hostile, cooperation_mean, `stance_<id>`...
    pub outcomes: Vec<String>,
    pub ids: Vec<String>,
    pub names: Vec<String>,
    /// Per point, per outcome: (estimate, lo, hi).
    pub values: Vec<Vec<(f64, f64, f64)>>,
}

impl GridChart {
    /// The chart of a grid sweep of `base`, `runs` runs per point, outcomes `names`.
    pub fn new(
        base: &Scenario,
        runs: usize,
        grid: &Grid,
        names: &[String],
        stats: &[PointStats],
    ) -> GridChart {
        GridChart {
            title: format!("Sweep — {}", base.title),
            subtitle: format!(
                "scenario {} · seed {} · {runs} runs per point · 95% intervals",
                base.name, base.seed
            ),
            axes: grid
                .axes
                .iter()
                .map(|a| (a.key.clone(), a.values.clone()))
                .collect(),
            outcomes: names.to_vec(),
            ids: base.actors.iter().map(|x| x.id.clone()).collect(),
            names: base.actors.iter().map(|x| x.name.clone()).collect(),
            values: stats.iter().map(|s| s.values.clone()).collect(),
        }
    }
}

pub fn render_grid(dir: &Path, c: &GridChart) -> Result<()> {
    ensure_font()?;
    if c.axes.len() == 1 {
        save(
            dir,
            "sweep",
            (1400, 1000),
            |a| with_area!(a, x => panels::line_panels(x, c)),
        )
    } else {
        save(
            dir,
            "sweep",
            (1400, 720),
            |a| with_area!(a, x => heatmap::heatmaps(x, c)),
        )
    }
}

/// One bar of a tornado chart.
pub struct TornadoBar {
    pub label: String,
    /// Bar length (S_T or μ*).
    pub main: f64,
    /// A darker inner bar (S_1) with its interval, if any.
    pub inner: Option<(f64, f64, f64)>,
    /// Whisker.
    pub lo: f64,
    pub hi: f64,
}

/// Parameters ranked by influence on one outcome.
pub struct TornadoChart {
    pub file: String,
    pub title: String,
    pub subtitle: String,
    pub x_desc: String,
    pub legend: Vec<String>,
    pub bars: Vec<TornadoBar>,
    pub note: Option<String>,
    /// Lines under the plot: how much the outcome varies, noise, clipping.
    pub notes: Vec<String>,
    /// Bars drawn faint: the outcome's variation across points is mostly Monte Carlo noise.
    pub faded: bool,
    /// The x axis: values outside are clipped for display (Sobol': −0.1..1.05).
    pub clip: Option<(f64, f64)>,
}

/// Above this share of noise in an outcome's variance, its indices are flagged.
const NOISY: f64 = 0.2;

/// The lines under a tornado chart of outcome `r`.
fn tornado_notes(r: &OutcomeIndices, runs: usize, method: Method) -> Vec<String> {
    let mut v = vec![format!(
        "The outcome's estimate varies across the design's points with SD {:.3}; Monte Carlo noise is {:.0}% of that variance.",
        r.spread,
        r.noise_share * 100.0
    )];
    if r.noise_share > NOISY {
        v.push(format!(
            "Dominated by noise: these indices partly apportion the noise of {runs} runs per point; raise --runs (4× runs halve the noise SD)."
        ));
    }
    if method == Method::Sobol {
        v.push("S_1 below 0 or above S_T, and bounds outside 0..1, are estimation error; the axis clips them at −0.1 and 1.05 (sensitivity.csv has the values).".into());
    }
    v
}

/// What a tornado chart says when an outcome does not vary.
const FLAT: &str = "the outcome does not vary over these ranges";

/// One tornado chart per outcome of a global analysis of `base` with `runs` runs per point.
pub fn tornado_charts(
    base: &Scenario,
    runs: usize,
    an: &Analysis,
    results: &[OutcomeIndices],
) -> Vec<TornadoChart> {
    let subtitle = format!(
        "scenario {} · seed {} · {} points × {runs} runs · {}",
        base.name,
        base.seed,
        an.len(),
        match an.method {
            Method::Sobol => format!(
                "Saltelli N = {}, Jansen estimators, 95% bootstrap",
                an.samples
            ),
            Method::Morris => format!("{} trajectories, 4 levels", an.trajectories()),
        }
    );
    results
        .iter()
        .map(|r| {
            let (x_desc, legend) = match an.method {
                Method::Sobol => (
                    "Sobol' index (share of the outcome's variance)",
                    vec![
                        "total effect S_T (black: 95% interval)".to_string(),
                        "first order S_1 (white: 95% interval)".to_string(),
                    ],
                ),
                Method::Morris => (
                    "Morris μ* (mean |elementary effect| over the whole range)",
                    vec!["μ* (bar); whisker to μ* + σ".to_string()],
                ),
            };
            TornadoChart {
                file: format!("tornado_{}", r.outcome),
                title: format!(
                    "What drives {} — {}",
                    describe(base, &r.outcome),
                    base.title
                ),
                subtitle: subtitle.clone(),
                x_desc: x_desc.into(),
                legend,
                bars: tornado_bars(an, r),
                note: r.flat().then(|| FLAT.to_string()),
                notes: tornado_notes(r, runs, an.method),
                faded: r.noise_share > 0.5,
                clip: (an.method == Method::Sobol).then_some((-0.1, 1.05)),
            }
        })
        .collect()
}

/// Sobol': S_T with its interval and S_1 inside (no bars without indices); Morris: μ* with a
/// whisker to μ* + σ.
fn tornado_bars(an: &Analysis, r: &OutcomeIndices) -> Vec<TornadoBar> {
    let keys = an.ranges.iter().map(|(k, _, _)| k.clone());
    match &r.indices {
        Indices::Sobol(ix) => keys
            .zip(ix.iter().flatten())
            .map(|(label, s)| TornadoBar {
                label,
                main: s.st,
                inner: Some((s.s1, s.s1_lo, s.s1_hi)),
                lo: s.st_lo,
                hi: s.st_hi,
            })
            .collect(),
        Indices::Morris(ix) => keys
            .zip(ix)
            .map(|(label, m)| TornadoBar {
                label,
                main: m.mu_star,
                inner: None,
                lo: m.mu_star,
                hi: m.mu_star + m.sigma,
            })
            .collect(),
    }
}

pub fn render_tornado(dir: &Path, t: &TornadoChart) -> Result<()> {
    ensure_font()?;
    let h = 200 + 46 * t.bars.len() as u32 + 20 * t.notes.len() as u32;
    save(
        dir,
        &t.file,
        (1200, h.max(420)),
        |a| with_area!(a, x => tornado::tornado(x, t)),
    )
}
