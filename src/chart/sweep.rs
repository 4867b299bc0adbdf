//! Sweep charts: outcomes against one parameter with 95% bands, a heatmap over two parameters,
//! and tornado charts of sensitivity indices. [`GridChart::new`] and [`tornado_charts`] turn the
//! results of [`crate::sweep`] into chart data, so the CLI only hands them over.

use super::relations::diverging;
use super::{actor_color, e, ensure_font, font, grey_font, header, save, with_area, DResult};
use crate::error::Result;
use crate::scenario::Scenario;
use crate::sweep::global::{Analysis, Indices, Method, OutcomeIndices};
use crate::sweep::grid::Grid;
use crate::sweep::outcomes::describe;
use crate::sweep::PointStats;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// Outcomes over a one- or two-parameter grid.
pub struct GridChart {
    pub title: String,
    pub subtitle: String,
    pub axes: Vec<(String, Vec<f64>)>,
    /// Outcome names: p_opened, p_hostile, cooperation_mean, stance_<id>...
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
            |a| with_area!(a, x => line_panels(x, c)),
        )
    } else {
        save(
            dir,
            "sweep",
            (1400, 720),
            |a| with_area!(a, x => heatmaps(x, c)),
        )
    }
}

fn line_panels<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &GridChart) -> DResult {
    let body = header(root, &c.title, &c.subtitle)?;
    let (w, _) = body.dim_in_pixel();
    let (plots, side) = body.split_horizontally(w.saturating_sub(220));
    let panels = plots.split_evenly((2, 2));
    let (key, xs) = &c.axes[0];
    let (x0, x1) = (xs[0].min(xs[xs.len() - 1]), xs[0].max(xs[xs.len() - 1]));
    let x1 = if x1 > x0 { x1 } else { x0 + 1.0 };
    let titles = [
        "P(office opened by the end)",
        "P(any hostile military event)",
        "Mean cooperation index",
        "Final stance",
    ];
    for (pi, panel) in panels.iter().enumerate() {
        let series: Vec<usize> = if pi < 3 {
            vec![pi]
        } else {
            (3..c.outcomes.len()).collect()
        };
        let (mut lo, mut hi) = if pi < 2 {
            (0.0, 1.0)
        } else if pi == 3 {
            (-1.0, 1.0)
        } else {
            (f64::INFINITY, f64::NEG_INFINITY)
        };
        if pi == 2 {
            for v in &c.values {
                lo = lo.min(v[2].1);
                hi = hi.max(v[2].2);
            }
            let pad = ((hi - lo) * 0.1).max(0.1);
            lo -= pad;
            hi += pad;
        }
        let mut chart = ChartBuilder::on(panel)
            .margin(10)
            .caption(titles[pi], font(16))
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(x0..x1, lo..hi)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_desc(key.clone())
            .axis_desc_style(font(13))
            .label_style(font(12))
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(215, 215, 215))
            .draw()
            .map_err(e)?;
        for o in series {
            let color = if o >= 3 {
                actor_color(&c.ids[o - 3])
            } else {
                RGBColor(23, 54, 93)
            };
            let mut band: Vec<(f64, f64)> = xs
                .iter()
                .zip(&c.values)
                .map(|(x, v)| (*x, v[o].1))
                .collect();
            band.extend(xs.iter().zip(&c.values).rev().map(|(x, v)| (*x, v[o].2)));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    band,
                    color.mix(0.18).filled(),
                )))
                .map_err(e)?;
            chart
                .draw_series(LineSeries::new(
                    xs.iter().zip(&c.values).map(|(x, v)| (*x, v[o].0)),
                    color.stroke_width(2),
                ))
                .map_err(e)?;
            chart
                .draw_series(
                    xs.iter()
                        .zip(&c.values)
                        .map(|(x, v)| Circle::new((*x, v[o].0), 3, color.filled())),
                )
                .map_err(e)?;
        }
    }
    let mut y = 14;
    side.draw(&Text::new("final stance:", (10, y), font(14)))
        .map_err(e)?;
    y += 24;
    for (id, name) in c.ids.iter().zip(&c.names) {
        side.draw(&PathElement::new(
            vec![(10, y + 8), (40, y + 8)],
            actor_color(id).stroke_width(3),
        ))
        .map_err(e)?;
        side.draw(&Text::new(name.clone(), (48, y), font(14)))
            .map_err(e)?;
        y += 22;
    }
    side.draw(&Text::new(
        "shading: 95% interval",
        (10, y + 12),
        grey_font(13),
    ))
    .map_err(e)?;
    Ok(())
}

fn heatmaps<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, c: &GridChart) -> DResult {
    let body = header(root, &c.title, &c.subtitle)?;
    let halves = body.split_evenly((1, 2));
    let (kx, xs) = &c.axes[0];
    let (ky, ys) = &c.axes[1];
    for (h, (o, title)) in halves.iter().zip([
        (0usize, "P(office opened by the end)"),
        (2, "Mean cooperation index"),
    ]) {
        let vals: Vec<f64> = c.values.iter().map(|v| v[o].0).collect();
        // Cooperation is coloured on a diverging scale up to the largest magnitude seen.
        let hi = if o == 0 {
            1.0
        } else {
            vals.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-9)
        };
        let mut chart = ChartBuilder::on(h)
            .margin(16)
            .caption(title, font(16))
            .x_label_area_size(46)
            .y_label_area_size(70)
            .build_cartesian_2d(0.0..xs.len() as f64, 0.0..ys.len() as f64)
            .map_err(e)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(kx.clone())
            .y_desc(ky.clone())
            .x_labels(0)
            .y_labels(0)
            .axis_desc_style(font(13))
            .draw()
            .map_err(e)?;
        // Tick labels at cell centres, drawn by hand (the mesh puts ticks at round numbers).
        let base = h.get_base_pixel();
        for (i, x) in xs.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
            h.draw(&Text::new(
                format!("{x}"),
                (px - base.0 - 12, py - base.1 + 8),
                font(12),
            ))
            .map_err(e)?;
        }
        for (j, y) in ys.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(0.0, j as f64 + 0.5));
            h.draw(&Text::new(
                format!("{y}"),
                (px - base.0 - 52, py - base.1 - 6),
                font(12),
            ))
            .map_err(e)?;
        }
        for (i, _) in xs.iter().enumerate() {
            for (j, _) in ys.iter().enumerate() {
                let v = vals[i * ys.len() + j];
                // P(opened): white (0) to blue (1); cooperation: diverging around 0.
                let color = if o == 0 {
                    diverging(v)
                } else {
                    diverging(v / hi)
                };
                let (x, y) = (i as f64, j as f64);
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x, y), (x + 1.0, y + 1.0)],
                        color.filled(),
                    )))
                    .map_err(e)?;
                let tc = if (if o == 0 { v } else { v / hi }).abs() > 0.55 {
                    WHITE
                } else {
                    BLACK
                };
                chart
                    .draw_series(std::iter::once(Text::new(
                        if o == 0 {
                            format!("{v:.2}")
                        } else {
                            format!("{v:+.2}")
                        },
                        (x + 0.3, y + 0.6),
                        (super::FAMILY, 13).into_font().color(&tc),
                    )))
                    .map_err(e)?;
            }
        }
    }
    Ok(())
}

/// One bar of a tornado chart.
pub struct TornadoBar {
    pub label: String,
    /// Bar length (S_T or μ*).
    pub main: f64,
    /// A darker inner bar (S_1), if any.
    pub inner: Option<f64>,
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
                        "total effect S_T (with 95% interval)".to_string(),
                        "first order S_1".to_string(),
                    ],
                ),
                Method::Morris => (
                    "Morris μ* (mean |elementary effect| over the whole range)",
                    vec!["μ* (bar); whisker to μ* + σ".to_string()],
                ),
            };
            TornadoChart {
                file: format!("tornado_{}", r.outcome),
                title: format!("What drives {} — {}", describe(&r.outcome), base.title),
                subtitle: subtitle.clone(),
                x_desc: x_desc.into(),
                legend,
                bars: tornado_bars(an, r),
                note: r.flat().then(|| FLAT.to_string()),
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
                inner: Some(s.s1),
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
    let h = 200 + 46 * t.bars.len() as u32;
    save(
        dir,
        &t.file,
        (1200, h.max(420)),
        |a| with_area!(a, x => tornado(x, t)),
    )
}

fn tornado<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, t: &TornadoChart) -> DResult {
    let body = header(root, &t.title, &t.subtitle)?;
    if let Some(note) = &t.note {
        body.draw(&Text::new(
            format!("No indices: {note}."),
            (20, 30),
            font(18),
        ))
        .map_err(e)?;
        return Ok(());
    }
    let mut bars: Vec<&TornadoBar> = t.bars.iter().collect();
    bars.sort_by(|a, b| b.main.total_cmp(&a.main).then(a.label.cmp(&b.label)));
    let n = bars.len();
    let x_max = bars
        .iter()
        .map(|b| b.hi.max(b.main))
        .fold(0.0f64, f64::max)
        .max(1e-9)
        * 1.08;
    let x_min = bars
        .iter()
        .map(|b| b.inner.unwrap_or(0.0).min(b.lo))
        .fold(0.0f64, f64::min)
        .min(0.0);
    let (plot, legend) = body.split_vertically(body.dim_in_pixel().1.saturating_sub(56));
    let mut chart = ChartBuilder::on(&plot)
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(250)
        .build_cartesian_2d(x_min..x_max, 0.0..n as f64)
        .map_err(e)?;
    let labels: Vec<String> = bars.iter().map(|b| b.label.clone()).collect();
    let yl = move |v: &f64| {
        let k = v.floor() as usize;
        // Largest at the top.
        if (v - v.floor() - 0.5).abs() < 1e-6 && k < labels.len() {
            labels[labels.len() - 1 - k].clone()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_desc(t.x_desc.clone())
        .y_labels(2 * n + 1)
        .y_label_formatter(&yl)
        .axis_desc_style(font(14))
        .label_style(font(13))
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(e)?;
    let outer = RGBColor(150, 180, 220);
    let inner = RGBColor(23, 54, 93);
    for (k, b) in bars.iter().enumerate() {
        let y = (n - 1 - k) as f64;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(0.0, y + 0.18), (b.main, y + 0.82)],
                outer.filled(),
            )))
            .map_err(e)?;
        if let Some(s1) = b.inner {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + 0.34), (s1, y + 0.66)],
                    inner.filled(),
                )))
                .map_err(e)?;
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(b.lo, y + 0.5), (b.hi, y + 0.5)],
                BLACK.stroke_width(2),
            )))
            .map_err(e)?;
        for x in [b.lo, b.hi] {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x, y + 0.38), (x, y + 0.62)],
                    BLACK.stroke_width(2),
                )))
                .map_err(e)?;
        }
    }
    let mut x = 20;
    for (i, l) in t.legend.iter().enumerate() {
        let c = if i == 0 { outer } else { inner };
        legend
            .draw(&Rectangle::new([(x, 16), (x + 26, 32)], c.filled()))
            .map_err(e)?;
        legend
            .draw(&Text::new(l.clone(), (x + 34, 16), font(14)))
            .map_err(e)?;
        x += 60 + 8 * l.chars().count() as i32;
    }
    Ok(())
}
