//! `compare` charts: one panel per actor (or one for a region-wide metric), the scenarios as line
//! styles (solid, dashed, dotted, …), each actor in its own colour.

use super::{actor_color, e, ensure_font, font, grey_font, header, save, with_area, Area, DResult};
use crate::error::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// One scenario's series: `per_panel[k]` is the series for panel k, if the scenario has it.
#[derive(Debug, Clone)]
pub struct CompareSeries {
    pub label: String,
    pub per_panel: Vec<Option<Vec<f64>>>,
}

/// Everything a comparison chart reads.
#[derive(Debug, Clone)]
pub struct CompareInput {
    pub title: String,
    pub subtitle: String,
    pub y_desc: String,
    pub step_unit: String,
    /// Panels: (colour id, title).
    pub panels: Vec<(String, String)>,
    pub series: Vec<CompareSeries>,
    /// Fixed y range, or None to fit the data.
    pub y_range: Option<(f64, f64)>,
}

/// Write `<dir>/<name>.png` and `.svg`.
pub fn render_compare(dir: &Path, name: &str, input: &CompareInput) -> Result<()> {
    ensure_font()?;
    let k = input.panels.len().max(1);
    // Two panels a row: at three the report (about 1,100 px wide) drew each panel some 300 px
    // wide and its labels at two thirds of their size.
    let cols = if k == 1 { 1 } else { 2 };
    let rows = k.div_ceil(cols);
    let w = if k == 1 { 1200 } else { 1400 };
    let h = 130 + rows as u32 * 340;
    save(dir, name, (w, h), |a| draw(a, input, rows, cols))
}

fn draw(area: &Area, input: &CompareInput, rows: usize, cols: usize) -> DResult {
    with_area!(area, a => draw_on(a, input, rows, cols))
}

/// Line style k: solid, then seven dashes of different rhythm, so up to eight scenarios each
/// have their own (a ninth repeats the first).
fn dash(k: usize) -> Option<(u32, u32)> {
    match k % 8 {
        0 => None,
        1 => Some((12, 6)),
        2 => Some((3, 4)),
        3 => Some((18, 5)),
        4 => Some((7, 3)),
        5 => Some((2, 9)),
        6 => Some((26, 6)),
        _ => Some((5, 11)),
    }
}

/// `text` in lines of at most `width` characters, broken at spaces where it can be (a word
/// longer than a line is cut into pieces).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let pieces: Vec<String> = text
        .split(' ')
        .flat_map(|w| {
            let cs: Vec<char> = w.chars().collect();
            cs.chunks(width)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
        })
        .collect();
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for p in pieces {
        let len = cur.chars().count();
        if len > 0 && len + 1 + p.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(&p);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

fn draw_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    input: &CompareInput,
    rows: usize,
    cols: usize,
) -> DResult {
    let body = header(root, &input.title, &input.subtitle)?;
    let (w, _) = body.dim_in_pixel();
    let (grid, side) = body.split_horizontally(w.saturating_sub(250));
    let cells = grid.split_evenly((rows, cols));
    let steps = input
        .series
        .iter()
        .flat_map(|s| s.per_panel.iter().flatten().map(|v| v.len()))
        .max()
        .unwrap_or(1)
        .saturating_sub(1)
        .max(1);
    for (p, ((id, title), cell)) in input.panels.iter().zip(cells.iter()).enumerate() {
        draw_panel(cell, input, p, (id, title), steps)?;
    }
    draw_legend(&side, input)
}

/// Panel `p` (colour id `id`, caption `title`): every scenario's series in its line style.
fn draw_panel<DB: DrawingBackend>(
    cell: &DrawingArea<DB, Shift>,
    input: &CompareInput,
    p: usize,
    (id, title): (&str, &str),
    steps: usize,
) -> DResult {
    let (lo, hi) = match input.y_range {
        Some(r) => r,
        None => {
            let mut lo = f64::INFINITY;
            let mut hi = f64::NEG_INFINITY;
            for s in &input.series {
                for v in s.per_panel[p].iter().flatten() {
                    lo = lo.min(*v);
                    hi = hi.max(*v);
                }
            }
            if !lo.is_finite() {
                (0.0, 1.0)
            } else {
                let pad = ((hi - lo) * 0.08).max(0.05);
                (lo - pad, hi + pad)
            }
        }
    };
    let mut chart = ChartBuilder::on(cell)
        .margin(8)
        .caption(title, font(15))
        .x_label_area_size(34)
        .y_label_area_size(52)
        .build_cartesian_2d(0.0..steps as f64, lo..hi)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(input.step_unit.clone())
        .x_label_formatter(&|x: &f64| format!("{x:.0}"))
        .y_label_formatter(&super::tick(lo, hi))
        .y_desc(input.y_desc.clone())
        .axis_desc_style(font(12))
        .label_style(font(11))
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(e)?;
    let color = if id == "*" {
        RGBColor(30, 30, 30)
    } else {
        actor_color(id)
    };
    for (k, s) in input.series.iter().enumerate() {
        let Some(values) = &s.per_panel[p] else {
            continue;
        };
        let pts: Vec<(f64, f64)> = values
            .iter()
            .enumerate()
            .map(|(t, v)| (t as f64, *v))
            .collect();
        let style = color.stroke_width(2);
        match dash(k) {
            None => chart.draw_series(LineSeries::new(pts, style)).map_err(e)?,
            Some((a, b)) => chart
                .draw_series(DashedLineSeries::new(pts, a, b, style))
                .map_err(e)?,
        };
    }
    Ok(())
}

/// Legend: the scenarios as line styles, and a note on the colours.
fn draw_legend<DB: DrawingBackend>(side: &DrawingArea<DB, Shift>, input: &CompareInput) -> DResult {
    let mut y = 14;
    side.draw(&Text::new("scenarios", (10, y), font(15)))
        .map_err(e)?;
    y += 26;
    for (k, s) in input.series.iter().enumerate() {
        let style = BLACK.stroke_width(2);
        match dash(k) {
            None => side
                .draw(&PathElement::new(vec![(10, y + 8), (52, y + 8)], style))
                .map_err(e)?,
            Some((a, b)) => {
                let mut x = 10;
                while x < 52 {
                    let end = (x + a as i32).min(52);
                    side.draw(&PathElement::new(vec![(x, y + 8), (end, y + 8)], style))
                        .map_err(e)?;
                    x = end + b as i32;
                }
            }
        }
        // Labels wrap inside the legend panel instead of running off the canvas.
        for (i, l) in wrap(&s.label, 24).into_iter().enumerate() {
            side.draw(&Text::new(l, (60, y + 18 * i as i32), font(14)))
                .map_err(e)?;
            y += if i == 0 { 0 } else { 18 };
        }
        y += 26;
    }
    side.draw(&Text::new(
        "colours: one per actor,",
        (10, y + 10),
        grey_font(13),
    ))
    .map_err(e)?;
    side.draw(&Text::new(
        "as in the run charts",
        (10, y + 28),
        grey_font(13),
    ))
    .map_err(e)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{dash, wrap};

    #[test]
    fn eight_scenarios_have_eight_line_styles() {
        let styles: Vec<_> = (0..8).map(dash).collect();
        for (i, a) in styles.iter().enumerate() {
            for b in &styles[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    #[test]
    fn legend_labels_wrap_within_the_panel() {
        let l = wrap("pressure_backfires (seed 1, 200 runs)", 24);
        assert!(l.iter().all(|x| x.chars().count() <= 24), "{l:?}");
        assert_eq!(l.join(" "), "pressure_backfires (seed 1, 200 runs)");
        let long = wrap(&"x".repeat(60), 24);
        assert_eq!(long.len(), 3);
        assert!(long.iter().all(|x| x.chars().count() <= 24));
    }
}
