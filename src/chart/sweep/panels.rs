//! A one-parameter sweep: four panels of outcomes against the parameter, each a median line
//! with its 95% band (P(opened), P(hostile), mean cooperation, every actor's final stance).

use super::GridChart;
use crate::chart::{actor_color, e, font, grey_font, header, DResult};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Each panel's y axis.
const Y_DESC: [&str; 4] = [
    "share of runs",
    "share of runs",
    "Σ Goldstein per step, mean of runs",
    "final stance (−1 … +1)",
];

const TITLES: [&str; 4] = [
    "P(office opened by the end)",
    "P(any hostile military event)",
    "Mean cooperation index",
    "Final stance",
];

pub(super) fn line_panels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &GridChart,
) -> DResult {
    let body = header(root, &c.title, &c.subtitle)?;
    let (w, _) = body.dim_in_pixel();
    let (plots, side) = body.split_horizontally(w.saturating_sub(220));
    let panels = plots.split_evenly((2, 2));
    let xs = &c.axes[0].1;
    let (x0, x1) = (xs[0].min(xs[xs.len() - 1]), xs[0].max(xs[xs.len() - 1]));
    let x1 = if x1 > x0 { x1 } else { x0 + 1.0 };
    for (pi, panel) in panels.iter().enumerate() {
        panel_plot(panel, c, pi, x0..x1)?;
    }
    stance_key(&side, c)
}

/// The y range of panel `pi`: [0, 1] for probabilities, [−1, 1] for stances, the intervals'
/// span padded by 10% (at least 0.1) for cooperation.
fn y_range(c: &GridChart, pi: usize) -> (f64, f64) {
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
    (lo, hi)
}

/// Panel `pi`: outcome `pi` for the first three, every final stance in the fourth.
fn panel_plot<DB: DrawingBackend>(
    panel: &DrawingArea<DB, Shift>,
    c: &GridChart,
    pi: usize,
    x: std::ops::Range<f64>,
) -> DResult {
    let series: Vec<usize> = if pi < 3 {
        vec![pi]
    } else {
        (3..c.outcomes.len()).collect()
    };
    let (lo, hi) = y_range(c, pi);
    let mut chart = ChartBuilder::on(panel)
        .margin(10)
        .caption(TITLES[pi], font(16))
        .x_label_area_size(40)
        .y_label_area_size(66)
        .build_cartesian_2d(x, lo..hi)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(c.axes[0].0.clone())
        .y_desc(Y_DESC[pi])
        .axis_desc_style(font(13))
        .label_style(font(12))
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(e)?;
    for &o in &series {
        band_line(&mut chart, c, o)?;
    }
    if pi < 2 && c.values.iter().all(|v| v[pi].0 == 0.0) {
        // A line along the axis reads as an empty panel: say what it means.
        let upper = c.values.iter().map(|v| v[pi].2).fold(0.0, f64::max);
        let x_mid = (chart.x_range().start + chart.x_range().end) / 2.0;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("0 at every point (no run had one; 95% upper bound ≤ {upper:.2})"),
                (x_mid, 0.55),
                grey_font(13).pos(Pos::new(HPos::Center, VPos::Center)),
            )))
            .map_err(e)?;
    }
    Ok(())
}

/// Outcome `o` over the axis: its 95% band, its line and a dot at each point.
fn band_line<DB: DrawingBackend>(chart: &mut Plot<DB>, c: &GridChart, o: usize) -> DResult {
    let xs = &c.axes[0].1;
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
    Ok(())
}

/// The key of the stance panel, beside the panels.
fn stance_key<DB: DrawingBackend>(side: &DrawingArea<DB, Shift>, c: &GridChart) -> DResult {
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
