//! Stance and posture: one line per actor (an ensemble's median with its 5–95% band), votes and
//! shocks marked on the time axis, the legend in its own panel.

use super::actors::{draw_end_labels, footer, EndLabel, Styles, OTHER};
use super::{
    draw_markers, e, font, header, marker_note, with_area, Area, Band, ChartInput, DResult,
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
        "median",
    )
}

fn posture_on<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, input: &ChartInput) -> DResult {
    // From the lowest posture (or peacetime) to the highest (or the threshold): postures of
    // 1.00 to 1.07 must not be squeezed into a line at the bottom of a 0..2 axis.
    let (lo, hi) = input
        .posture
        .iter()
        .map(Band::range)
        .fold((1.0f64, input.escalation), |(l, h), (a, b)| {
            (l.min(a), h.max(b))
        });
    let pad = (hi - lo) * 0.04;
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
        (lo - pad, hi + pad),
        Some(guide),
        // An ensemble's posture medians would step where the stored histogram's buckets change
        // (0.4% apart); postures move by less than that in a week, so the exact mean is drawn.
        "mean",
    )
}

/// A horizontal reference line.
pub(crate) struct Guide {
    pub y: f64,
    pub label: String,
}

/// One line (and band) per actor over steps, each keyed actor named at the end of its line,
/// the notes in a row below.
pub(crate) fn series_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    input: &ChartInput,
    what: &str,
    y_desc: &str,
    series: &[Band],
    y: (f64, f64),
    guide: Option<Guide>,
    mid: &str,
) -> DResult {
    let sub = input.subtitle_for(&format!("lines: {mid} of the runs, shading: 5–95% of runs"));
    let body = header(root, &format!("{what} — {}", input.title), &sub)?;
    let (w, h) = body.dim_in_pixel();
    let (main, foot) = body.split_vertically(h.saturating_sub(28));
    let (plot, side) = main.split_horizontally(w.saturating_sub(230));
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
    let styles = input.styles();
    draw_bands(&mut chart, &styles, series)?;
    let base = side.get_base_pixel().1;
    let py = |v: f64| chart.backend_coord(&(x_max, v)).1 - base;
    let labels = (0..series.len())
        .filter_map(|i| {
            let c = styles.colour[i]?;
            let v = *series[i].mid.last()?;
            Some(EndLabel {
                colour: c,
                text: format!("{} {v:.2}", input.names[i]),
                y: py(v),
            })
        })
        .collect();
    draw_end_labels(&side, labels, (py(y.1), py(y.0)))?;
    let mut note = marker_note(input);
    if let Some(g) = guide {
        note.push(format!("grey dashed line: {}", g.label));
    }
    if !styles.others.is_empty() {
        note.push(styles.others.clone());
    }
    note.push("labels: value at the end".into());
    footer(&foot, &note, 4)
}

/// Unkeyed actors first, thin and grey; then bands (so lines sit on top), then keyed lines.
pub(crate) fn draw_bands<DB: DrawingBackend>(
    chart: &mut ChartContext<
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    styles: &Styles,
    series: &[Band],
) -> DResult {
    let pts = |v: &[f64]| -> Vec<(f64, f64)> {
        v.iter().enumerate().map(|(t, v)| (t as f64, *v)).collect()
    };
    for (c, b) in styles.colour.iter().zip(series) {
        if c.is_none() {
            chart
                .draw_series(LineSeries::new(pts(&b.mid), OTHER.stroke_width(1)))
                .map_err(e)?;
        }
    }
    for (c, b) in styles.colour.iter().zip(series) {
        if let (Some(c), Some((lo, hi))) = (c, &b.band) {
            let mut poly = pts(lo);
            poly.extend(pts(hi).into_iter().rev());
            chart
                .draw_series(std::iter::once(Polygon::new(poly, c.mix(0.16).filled())))
                .map_err(e)?;
        }
    }
    for (c, b) in styles.colour.iter().zip(series) {
        if let Some(c) = c {
            chart
                .draw_series(LineSeries::new(pts(&b.mid), c.stroke_width(2)))
                .map_err(e)?;
        }
    }
    Ok(())
}
