//! Final relations: the affinity matrix as a heatmap on a diverging scale (red hostile, white
//! neutral, blue friendly), rows viewing columns, every cell labelled with its value.

use super::{e, font, grey_font, header, with_area, Area, ChartInput, DResult};
use plotters::coord::Shift;
use plotters::prelude::*;

pub(crate) fn draw(area: &Area, input: &ChartInput) -> DResult {
    with_area!(area, a => draw_on(a, input))
}

/// Diverging colour for a value in [-1, 1].
pub fn diverging(v: f64) -> RGBColor {
    let v = v.clamp(-1.0, 1.0);
    let (r, g, b) = if v >= 0.0 {
        (33.0, 102.0, 172.0)
    } else {
        (178.0, 24.0, 43.0)
    };
    let t = v.abs();
    let mix = |c: f64| (255.0 + (c - 255.0) * t).round() as u8;
    RGBColor(mix(r), mix(g), mix(b))
}

fn draw_on<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, input: &ChartInput) -> DResult {
    let body = header(
        root,
        &format!("Relations at the end — {}", input.title),
        &input.subtitle_for("mean over the runs"),
    )?;
    let n = input.ids.len();
    let (w, h) = body.dim_in_pixel();
    let label_w: i32 = 150;
    let top_h: i32 = 130;
    let cell = (((w as i32 - label_w - 170).min(h as i32 - top_h - 40)) / n.max(1) as i32).max(8);
    let x0 = label_w;
    let y0 = top_h;
    let value_font = (cell / 3).clamp(8, 15) as u32;
    for i in 0..n {
        // Row labels: the viewer.
        body.draw(&Text::new(
            input.names[i].clone(),
            (8, y0 + i as i32 * cell + cell / 2 - 8),
            font(14),
        ))
        .map_err(e)?;
        // Column labels, slanted: the viewed.
        let style = font(14).transform(FontTransform::Rotate270);
        body.draw(&Text::new(
            input.names[i].clone(),
            (x0 + i as i32 * cell + cell / 2 - 8, y0 - 8),
            style,
        ))
        .map_err(e)?;
        for j in 0..n {
            let (cx, cy) = (x0 + j as i32 * cell, y0 + i as i32 * cell);
            if i == j {
                body.draw(&Rectangle::new(
                    [(cx, cy), (cx + cell, cy + cell)],
                    RGBColor(235, 235, 235).filled(),
                ))
                .map_err(e)?;
                continue;
            }
            draw_cell(&body, input.affinity[i * n + j], (cx, cy), cell, value_font)?;
        }
    }
    let grid_end = y0 + n as i32 * cell;
    body.draw(&Text::new(
        "rows: the actor who holds the view; columns: the actor viewed",
        (8, grid_end + 12),
        grey_font(13),
    ))
    .map_err(e)?;
    draw_colour_bar(
        &body,
        x0 + n as i32 * cell + 40,
        y0,
        (n as i32 * cell).max(200),
    )
}

/// One cell of the heatmap, `cell` pixels square at `(cx, cy)`, labelled with its value if it
/// is large enough to hold it.
fn draw_cell<DB: DrawingBackend>(
    body: &DrawingArea<DB, Shift>,
    v: f64,
    (cx, cy): (i32, i32),
    cell: i32,
    value_font: u32,
) -> DResult {
    body.draw(&Rectangle::new(
        [(cx, cy), (cx + cell, cy + cell)],
        diverging(v).filled(),
    ))
    .map_err(e)?;
    if cell >= 26 {
        let color = if v.abs() > 0.55 { WHITE } else { BLACK };
        // No "−0.00": values that round to zero print as 0.00.
        let text = if v.abs() < 0.005 {
            "0.00".to_string()
        } else {
            format!("{v:+.2}")
        };
        body.draw(&Text::new(
            text,
            (
                cx + cell / 2 - value_font as i32,
                cy + cell / 2 - value_font as i32 / 2,
            ),
            (super::FAMILY, value_font).into_font().color(&color),
        ))
        .map_err(e)?;
    }
    Ok(())
}

/// The colour scale, `bh` pixels high at `(bx, y0)`, with its three labels.
fn draw_colour_bar<DB: DrawingBackend>(
    body: &DrawingArea<DB, Shift>,
    bx: i32,
    y0: i32,
    bh: i32,
) -> DResult {
    for k in 0..bh {
        let v = 1.0 - 2.0 * k as f64 / (bh - 1) as f64;
        body.draw(&Rectangle::new(
            [(bx, y0 + k), (bx + 24, y0 + k + 1)],
            diverging(v).filled(),
        ))
        .map_err(e)?;
    }
    for (v, label) in [
        (1.0, "+1 friendly"),
        (0.0, "0 neutral"),
        (-1.0, "−1 hostile"),
    ] {
        let y = y0 + ((1.0 - v) / 2.0 * (bh - 1) as f64) as i32;
        body.draw(&Text::new(label, (bx + 30, y - 7), font(13)))
            .map_err(e)?;
    }
    body.draw(&Text::new("affinity", (bx, y0 - 22), font(13)))
        .map_err(e)
}
