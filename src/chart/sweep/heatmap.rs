//! A two-parameter sweep: heatmaps of P(opened) and of the mean cooperation index over the grid,
//! each cell labelled with its value.

use super::GridChart;
use crate::chart::relations::diverging;
use crate::chart::{e, font, header, DResult, FAMILY};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

pub(super) fn heatmaps<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &GridChart,
) -> DResult {
    let body = header(root, &c.title, &c.subtitle)?;
    let halves = body.split_evenly((1, 2));
    for (h, (o, title)) in halves.iter().zip([
        (0usize, "P(office opened by the end)"),
        (2, "Mean cooperation index"),
    ]) {
        heatmap(h, c, o, title)?;
    }
    Ok(())
}

/// Outcome `o` (0: P(opened), 2: cooperation) over the grid, first axis across.
fn heatmap<DB: DrawingBackend>(
    h: &DrawingArea<DB, Shift>,
    c: &GridChart,
    o: usize,
    title: &str,
) -> DResult {
    let (kx, xs) = &c.axes[0];
    let (ky, ys) = &c.axes[1];
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
    ticks(h, &chart, xs, ys)?;
    let vals: Vec<f64> = c.values.iter().map(|v| v[o].0).collect();
    // Cooperation is coloured on a diverging scale up to the largest magnitude seen.
    let hi = if o == 0 {
        1.0
    } else {
        vals.iter().fold(0.0f64, |m, v| m.max(v.abs())).max(1e-9)
    };
    for i in 0..xs.len() {
        for j in 0..ys.len() {
            let v = vals[i * ys.len() + j];
            // P(opened): white (0) to blue (1); cooperation: diverging around 0.
            let scaled = if o == 0 { v } else { v / hi };
            let text = if o == 0 {
                format!("{v:.2}")
            } else {
                format!("{v:+.2}")
            };
            cell(&mut chart, (i as f64, j as f64), scaled, text)?;
        }
    }
    Ok(())
}

/// Tick labels at cell centres, drawn by hand (the mesh puts ticks at round numbers).
fn ticks<DB: DrawingBackend>(
    h: &DrawingArea<DB, Shift>,
    chart: &Plot<DB>,
    xs: &[f64],
    ys: &[f64],
) -> DResult {
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
    Ok(())
}

/// One cell at (x, y), coloured by `scaled` ∈ [−1, 1], with its value in white on dark colours.
fn cell<DB: DrawingBackend>(
    chart: &mut Plot<DB>,
    (x, y): (f64, f64),
    scaled: f64,
    text: String,
) -> DResult {
    chart
        .draw_series(std::iter::once(Rectangle::new(
            [(x, y), (x + 1.0, y + 1.0)],
            diverging(scaled).filled(),
        )))
        .map_err(e)?;
    let tc = if scaled.abs() > 0.55 { WHITE } else { BLACK };
    chart
        .draw_series(std::iter::once(Text::new(
            text,
            (x + 0.3, y + 0.6),
            (FAMILY, 13).into_font().color(&tc),
        )))
        .map_err(e)?;
    Ok(())
}
