//! The office: a single run's status over time with each vote marked (passed or blocked), or an
//! ensemble's probability that the office is approved / opened by each step.

use super::{
    draw_markers, e, font, grey_font, header, marker_note, with_area, Area, ChartInput, DResult,
    OfficeData,
};
use crate::model::Status;
use plotters::coord::Shift;
use plotters::prelude::*;

/// A step function: each value holds until the next step.
fn steps(v: &[f64]) -> Vec<(f64, f64)> {
    let mut pts = Vec::with_capacity(v.len() * 2);
    for (t, &y) in v.iter().enumerate() {
        if let Some(&(_, prev)) = pts.last() {
            pts.push((t as f64, prev));
        }
        pts.push((t as f64, y));
    }
    pts
}

pub(crate) fn draw(area: &Area, input: &ChartInput) -> DResult {
    with_area!(area, a => draw_on(a, input))
}

fn draw_on<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, input: &ChartInput) -> DResult {
    let body = header(
        root,
        &format!("The office — {}", input.title),
        &input.subtitle_for("share of runs by step"),
    )?;
    let (w, _) = body.dim_in_pixel();
    let (plot, side) = body.split_horizontally(w.saturating_sub(230));
    let mut note = marker_note(input);
    // The legend notes start below whatever the branch drew in the side panel.
    let note_y = match &input.office {
        OfficeData::Timeline { status, votes } => {
            draw_timeline(&plot, input, status, votes, &mut note)?
        }
        OfficeData::Probability {
            approved,
            opened,
            shelved,
            runs,
        } => draw_probability(&plot, &side, input, (approved, opened, shelved), *runs)?,
    };
    let mut y = note_y;
    for line in &note {
        side.draw(&Text::new(line.clone(), (10, y), grey_font(13)))
            .map_err(e)?;
        y += 18;
    }
    Ok(())
}

/// A single run: the status as a step line, each vote a green (passed) or red (blocked) dot.
/// Returns where the legend notes start in the side panel.
fn draw_timeline<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    input: &ChartInput,
    status: &[Status],
    votes: &[(usize, bool)],
    note: &mut Vec<String>,
) -> Result<i32, String> {
    let x_max = input.steps.max(1) as f64;
    let unit = input.step_unit.clone();
    let y = (-1.4, 3.6);
    let mut chart = ChartBuilder::on(plot)
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(96)
        .build_cartesian_2d(0.0..x_max, y.0..y.1)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(unit)
        .x_label_formatter(&|x: &f64| format!("{x:.0}"))
        .y_desc("status")
        .y_labels(6)
        .y_label_formatter(&|v: &f64| {
            let v = *v;
            let k = v.round();
            match Status::from_value(k) {
                Some(s) if (v - k).abs() < 1e-6 => s.name().to_string(),
                _ => String::new(),
            }
        })
        .axis_desc_style(font(15))
        .label_style(font(14))
        .light_line_style(RGBColor(240, 240, 240))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(e)?;
    draw_markers(&mut chart, input, y)?;
    let values: Vec<f64> = status.iter().map(|s| s.value()).collect();
    chart
        .draw_series(LineSeries::new(
            steps(&values),
            RGBColor(23, 54, 93).stroke_width(3),
        ))
        .map_err(e)?;
    for &(t, ok) in votes {
        let v = status.get(t).map(|s| s.value()).unwrap_or(0.0);
        let c = if ok {
            RGBColor(44, 160, 44)
        } else {
            RGBColor(214, 39, 40)
        };
        chart
            .draw_series(std::iter::once(Circle::new((t as f64, v), 6, c.filled())))
            .map_err(e)?;
    }
    note.insert(0, "green dot: vote approved".into());
    note.insert(1, "red dot: vote blocked".into());
    Ok(14)
}

/// An ensemble: the share of runs approved (or open) and open by each step, with its legend.
/// Returns where the legend notes start in the side panel.
fn draw_probability<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    side: &DrawingArea<DB, Shift>,
    input: &ChartInput,
    (approved, opened, shelved): (&[f64], &[f64], &[f64]),
    runs: usize,
) -> Result<i32, String> {
    let x_max = input.steps.max(1) as f64;
    let unit = input.step_unit.clone();
    let y = (0.0, 1.02);
    let mut chart = ChartBuilder::on(plot)
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..x_max, y.0..y.1)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(unit)
        .x_label_formatter(&|x: &f64| format!("{x:.0}"))
        .y_desc(format!("share of {runs} runs"))
        .axis_desc_style(font(15))
        .label_style(font(14))
        .light_line_style(RGBColor(240, 240, 240))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(e)?;
    draw_markers(&mut chart, input, y)?;
    let pa = RGBColor(120, 150, 220);
    let po = RGBColor(23, 54, 93);
    chart
        .draw_series(LineSeries::new(steps(approved), pa.stroke_width(3)))
        .map_err(e)?;
    chart
        .draw_series(LineSeries::new(steps(opened), po.stroke_width(3)))
        .map_err(e)?;
    side.draw(&PathElement::new(
        vec![(10, 22), (42, 22)],
        pa.stroke_width(3),
    ))
    .map_err(e)?;
    side.draw(&Text::new("approved or open", (50, 14), font(15)))
        .map_err(e)?;
    side.draw(&PathElement::new(
        vec![(10, 46), (42, 46)],
        po.stroke_width(3),
    ))
    .map_err(e)?;
    side.draw(&Text::new("open", (50, 38), font(15)))
        .map_err(e)?;
    if shelved.is_empty() {
        return Ok(80);
    }
    // Shelved by each step (cumulative: a shelved proposal stays shelved unless a shock revives it).
    let ps = RGBColor(214, 39, 40);
    chart
        .draw_series(LineSeries::new(
            steps(shelved),
            ShapeStyle::from(&ps).stroke_width(3),
        ))
        .map_err(e)?;
    side.draw(&PathElement::new(
        vec![(10, 70), (42, 70)],
        ps.stroke_width(3),
    ))
    .map_err(e)?;
    side.draw(&Text::new("shelved", (50, 62), font(15)))
        .map_err(e)?;
    Ok(104)
}
