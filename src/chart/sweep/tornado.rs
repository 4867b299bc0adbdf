//! Tornado charts: the parameters of a global analysis ranked by their index for one outcome,
//! largest at the top, with intervals (Sobol') or σ whiskers (Morris).

use super::{TornadoBar, TornadoChart};
use crate::chart::{e, font, grey_font, header, DResult};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

const OUTER: RGBColor = RGBColor(150, 180, 220);
const INNER: RGBColor = RGBColor(23, 54, 93);

pub(super) fn tornado<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    t: &TornadoChart,
) -> DResult {
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
        .map(|b| b.hi.max(b.main).max(b.inner.map_or(0.0, |i| i.2)))
        .fold(0.0f64, f64::max)
        .max(1e-9)
        * 1.08;
    let x_min = bars
        .iter()
        .map(|b| b.inner.map_or(0.0, |i| i.1.min(i.0)).min(b.lo))
        .fold(0.0f64, f64::min)
        .min(0.0);
    let (x_min, x_max) = match t.clip {
        Some((lo, hi)) => (x_min.max(lo), x_max.min(hi)),
        None => (x_min, x_max),
    };
    let foot = 56 + 20 * t.notes.len() as u32;
    let (plot, legend) = body.split_vertically(body.dim_in_pixel().1.saturating_sub(foot));
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
    let clip = |v: f64| v.clamp(x_min, x_max);
    for (k, b) in bars.iter().enumerate() {
        let shown = TornadoBar {
            label: String::new(),
            main: clip(b.main),
            inner: b.inner.map(|(a, l, h)| (clip(a), clip(l), clip(h))),
            lo: clip(b.lo),
            hi: clip(b.hi),
        };
        bar(&mut chart, &shown, (n - 1 - k) as f64, t.faded)?;
    }
    key(&legend, &t.legend)?;
    for (i, line) in t.notes.iter().enumerate() {
        legend
            .draw(&Text::new(
                line.clone(),
                (20, 48 + 20 * i as i32),
                grey_font(13),
            ))
            .map_err(e)?;
    }
    Ok(())
}

/// One bar in row `y`: the outer bar, the inner bar if any, the whisker from lo to hi.
fn bar<DB: DrawingBackend>(chart: &mut Plot<DB>, b: &TornadoBar, y: f64, faded: bool) -> DResult {
    let alpha = if faded { 0.35 } else { 1.0 };
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(0.0, y + 0.18), (b.main, y + 0.82)],
            OUTER.mix(alpha).filled(),
        )))
        .map_err(e)?;
    if let Some((s1, lo, hi)) = b.inner {
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(0.0, y + 0.34), (s1, y + 0.66)],
                INNER.mix(alpha).filled(),
            )))
            .map_err(e)?;
        // S_1's interval: a white whisker with a dark outline, below S_T's.
        chart
            .draw_series([
                PathElement::new(vec![(lo, y + 0.26), (hi, y + 0.26)], INNER.stroke_width(4)),
                PathElement::new(vec![(lo, y + 0.26), (hi, y + 0.26)], WHITE.stroke_width(2)),
            ])
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
    Ok(())
}

/// The legend under the plot: the outer bar's entry first, then the inner bar's.
fn key<DB: DrawingBackend>(legend: &DrawingArea<DB, Shift>, entries: &[String]) -> DResult {
    let mut x = 20;
    for (i, l) in entries.iter().enumerate() {
        let c = if i == 0 { OUTER } else { INNER };
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
