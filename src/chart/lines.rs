//! Stance and posture: one line per actor (an ensemble's median with its 5–95% band), votes and
//! shocks marked on the time axis, the legend in its own panel.

use super::{
    actor_color, draw_markers, e, font, header, marker_note, with_area, Area, Band, ChartInput,
    DResult, Legend,
};
use plotters::coord::Shift;
use plotters::prelude::*;

pub(crate) fn stance(area: &Area, input: &ChartInput) -> DResult {
    with_area!(area, a => stance_on(a, input))
}

pub(crate) fn posture(area: &Area, input: &ChartInput) -> DResult {
    with_area!(area, a => posture_on(a, input))
}

fn stance_on<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, input: &ChartInput) -> DResult {
    let y_desc = "stance on the office (−1 opposes … +1 supports)";
    let guide = Guide {
        y: input.threshold,
        label: format!("vote threshold {}", input.threshold),
    };
    series_chart(
        root,
        input,
        "Stance",
        y_desc,
        &input.stance,
        (-1.0, 1.0),
        Some(guide),
    )
}

fn posture_on<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, input: &ChartInput) -> DResult {
    let hi = input
        .posture
        .iter()
        .map(|b| b.range().1)
        .fold(input.escalation * 1.15, f64::max);
    let guide = Guide {
        y: input.escalation,
        label: format!("escalation threshold {}", input.escalation),
    };
    let y_desc = "military posture (1 = peacetime)";
    series_chart(
        root,
        input,
        "Military posture",
        y_desc,
        &input.posture,
        (0.0, hi * 1.05),
        Some(guide),
    )
}

/// A horizontal reference line.
pub(crate) struct Guide {
    pub y: f64,
    pub label: String,
}

/// One line (and band) per actor over steps.
pub(crate) fn series_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    input: &ChartInput,
    what: &str,
    y_desc: &str,
    series: &[Band],
    y: (f64, f64),
    guide: Option<Guide>,
) -> DResult {
    let body = header(root, &format!("{what} — {}", input.title), &input.subtitle)?;
    let (w, _) = body.dim_in_pixel();
    let (plot, side) = body.split_horizontally(w.saturating_sub(230));
    let x_max = input.steps.max(1) as f64;
    let mut chart = ChartBuilder::on(&plot)
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..x_max, y.0..y.1)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(input.step_unit.clone())
        .x_label_formatter(&|x: &f64| format!("{x:.0}"))
        .y_desc(y_desc)
        .axis_desc_style(font(15))
        .label_style(font(13))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(e)?;
    draw_markers(&mut chart, input, y)?;
    if let Some(g) = &guide {
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.0, g.y), (x_max, g.y)],
                8,
                6,
                BLACK.mix(0.45).stroke_width(1),
            ))
            .map_err(e)?;
    }
    draw_bands(&mut chart, &input.ids, series)?;
    let mut note = marker_note(input);
    if let Some(g) = guide {
        note.push("grey dashed line:".into());
        note.push(g.label);
    }
    if series.iter().any(|b| b.band.is_some()) {
        note.push("lines: median; shading: 5–95%".into());
    }
    Legend::actors(&input.ids, &input.names).draw(&side, &note)
}

/// Bands first (so lines sit on top), then lines.
pub(crate) fn draw_bands<DB: DrawingBackend>(
    chart: &mut ChartContext<
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    ids: &[String],
    series: &[Band],
) -> DResult {
    for (id, b) in ids.iter().zip(series) {
        if let Some((lo, hi)) = &b.band {
            let c = actor_color(id);
            let mut pts: Vec<(f64, f64)> =
                lo.iter().enumerate().map(|(t, v)| (t as f64, *v)).collect();
            pts.extend(hi.iter().enumerate().rev().map(|(t, v)| (t as f64, *v)));
            chart
                .draw_series(std::iter::once(Polygon::new(pts, c.mix(0.16).filled())))
                .map_err(e)?;
        }
    }
    for (id, b) in ids.iter().zip(series) {
        let c = actor_color(id);
        chart
            .draw_series(LineSeries::new(
                b.mid.iter().enumerate().map(|(t, v)| (t as f64, *v)),
                c.stroke_width(2),
            ))
            .map_err(e)?;
    }
    Ok(())
}
