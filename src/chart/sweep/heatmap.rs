//! A two-parameter sweep: heatmaps of P(opened) and of the mean cooperation index over the grid,
//! each cell labelled with its estimate and its 95% interval, each panel with its colour scale.

use super::GridChart;
use crate::chart::relations::diverging;
use crate::chart::{e, font, grey_font, header, DResult, FAMILY};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// How an outcome's values map to colours: P(opened) on 0..1 (white to blue), cooperation on
/// the range seen (diverging around 0 when it crosses 0, else white to the sign's colour).
#[derive(Clone, Copy)]
struct Scale {
    lo: f64,
    hi: f64,
}

impl Scale {
    fn of(o: usize, vals: &[f64]) -> Scale {
        if o == 0 {
            return Scale { lo: 0.0, hi: 1.0 };
        }
        let lo = vals.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = vals.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        if lo < 0.0 && hi > 0.0 {
            let m = lo.abs().max(hi);
            Scale { lo: -m, hi: m }
        } else if hi - lo < 1e-9 {
            Scale {
                lo: lo - 0.5,
                hi: hi + 0.5,
            }
        } else {
            Scale { lo, hi }
        }
    }
    /// A value in [−1, 1] for [`diverging`].
    fn t(&self, v: f64) -> f64 {
        if self.lo < 0.0 && self.hi > 0.0 {
            v / self.hi
        } else {
            // Sequential: the faintest colour at the low end, the sign's full colour at the high.
            let f = 0.08 + 0.92 * (v - self.lo) / (self.hi - self.lo);
            if self.hi <= 0.0 {
                -(1.08 - f)
            } else {
                f
            }
        }
    }
}

pub(super) fn heatmaps<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &GridChart,
) -> DResult {
    let body = header(root, &c.title, &c.subtitle)?;
    let body = body.margin(0, 0, 0, 16);
    let halves = body.split_evenly((1, 2));
    for (h, (o, title)) in halves.iter().zip([
        (0usize, "P(office opened by the end)"),
        (2, "Mean cooperation index over the steps"),
    ]) {
        heatmap(h, c, o, title)?;
    }
    Ok(())
}

/// Outcome `o` (0: P(opened), 2: cooperation) over the grid, first axis across, its colour
/// scale on the right.
fn heatmap<DB: DrawingBackend>(
    h: &DrawingArea<DB, Shift>,
    c: &GridChart,
    o: usize,
    title: &str,
) -> DResult {
    let (kx, xs) = &c.axes[0];
    let (ky, ys) = &c.axes[1];
    let (w, _) = h.dim_in_pixel();
    let (plot, bar) = h.split_horizontally(w.saturating_sub(110));
    let vals: Vec<f64> = c.values.iter().map(|v| v[o].0).collect();
    let scale = Scale::of(o, &vals);
    // The colour scale spans what the grid holds: say how wide that is, so that a small spread
    // is not read as the full range.
    let (lo, hi) = vals
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(*v), b.max(*v))
        });
    let title = if lo.is_finite() {
        let two = |v: f64| {
            let s = format!("{v:.2}");
            if s == "-0.00" {
                "0.00".to_string()
            } else {
                s
            }
        };
        format!("{title} — {} to {} across the grid", two(lo), two(hi))
    } else {
        title.to_string()
    };
    let mut chart = ChartBuilder::on(&plot)
        .margin(16)
        .caption(&title, font(16))
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
    ticks(&plot, &chart, xs, ys)?;
    let digits = 2;
    for i in 0..xs.len() {
        for j in 0..ys.len() {
            let (v, lo, hi) = c.values[i * ys.len() + j][o];
            let text = format!("{v:.digits$}");
            let ci = format!("{lo:.digits$} to {hi:.digits$}");
            cell(&mut chart, (i as f64, j as f64), scale.t(v), (text, ci))?;
        }
    }
    let (_, top) = chart.backend_coord(&(0.0, ys.len() as f64));
    let (_, bottom) = chart.backend_coord(&(0.0, 0.0));
    let base = bar.get_base_pixel().1;
    colour_bar(&bar, scale, (top - base, bottom - base))
}

/// The colour scale between `y0` and `y1` (pixels of `bar`), labelled at both ends and the middle.
fn colour_bar<DB: DrawingBackend>(
    bar: &DrawingArea<DB, Shift>,
    s: Scale,
    (y0, y1): (i32, i32),
) -> DResult {
    let bh = (y1 - y0).max(2);
    for k in 0..bh {
        let v = s.hi - (s.hi - s.lo) * k as f64 / (bh - 1) as f64;
        bar.draw(&Rectangle::new(
            [(8, y0 + k), (30, y0 + k + 1)],
            diverging(s.t(v)).filled(),
        ))
        .map_err(e)?;
    }
    bar.draw(&Rectangle::new([(8, y0), (30, y0 + bh)], BLACK.mix(0.4)))
        .map_err(e)?;
    for (f, v) in [(0.0, s.hi), (0.5, (s.lo + s.hi) / 2.0), (1.0, s.lo)] {
        let y = y0 + (f * (bh - 1) as f64) as i32;
        bar.draw(&Text::new(format!("{v:.2}"), (36, y - 7), font(12)))
            .map_err(e)?;
    }
    bar.draw(&Text::new("colour scale", (4, y0 - 20), grey_font(12)))
        .map_err(e)
}

/// Tick labels at cell centres, drawn by hand (the mesh puts ticks at round numbers).
fn ticks<DB: DrawingBackend>(
    h: &DrawingArea<DB, Shift>,
    chart: &Plot<DB>,
    xs: &[f64],
    ys: &[f64],
) -> DResult {
    let base = h.get_base_pixel();
    let centre = font(12).pos(Pos::new(HPos::Center, VPos::Top));
    for (i, x) in xs.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(i as f64 + 0.5, 0.0));
        h.draw(&Text::new(
            format!("{x}"),
            (px - base.0, py - base.1 + 8),
            centre.clone(),
        ))
        .map_err(e)?;
    }
    let right = font(12).pos(Pos::new(HPos::Right, VPos::Center));
    for (j, y) in ys.iter().enumerate() {
        let (px, py) = chart.backend_coord(&(0.0, j as f64 + 0.5));
        h.draw(&Text::new(
            format!("{y}"),
            (px - base.0 - 8, py - base.1),
            right.clone(),
        ))
        .map_err(e)?;
    }
    Ok(())
}

/// One cell at (x, y), coloured by `t` ∈ [−1, 1], with its estimate and, smaller, its 95%
/// interval; white text on dark colours.
fn cell<DB: DrawingBackend>(
    chart: &mut Plot<DB>,
    (x, y): (f64, f64),
    t: f64,
    (text, ci): (String, String),
) -> DResult {
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(x, y), (x + 1.0, y + 1.0)],
            diverging(t).filled(),
        )))
        .map_err(e)?;
    let tc = if t.abs() > 0.55 { WHITE } else { BLACK };
    let centre = Pos::new(HPos::Center, VPos::Center);
    chart
        .draw_series([
            Text::new(
                text,
                (x + 0.5, y + 0.56),
                (FAMILY, 15).into_font().color(&tc).pos(centre),
            ),
            Text::new(
                ci,
                (x + 0.5, y + 0.40),
                (FAMILY, 11).into_font().color(&tc).pos(centre),
            ),
        ])
        .map_err(e)?;
    Ok(())
}
