//! The regional cooperation–conflict index (sum of Goldstein weights per step) with its moving
//! average, and below it each actor's cumulative net tone received.

use super::lines::draw_bands;
use super::{
    draw_markers, e, font, header, marker_note, with_area, Area, ChartInput, DResult, Legend,
};
use plotters::coord::Shift;
use plotters::prelude::*;

pub(crate) fn draw(area: &Area, input: &ChartInput) -> DResult {
    with_area!(area, a => draw_on(a, input))
}

fn draw_on<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, input: &ChartInput) -> DResult {
    let body = header(
        root,
        &format!("Cooperation and conflict — {}", input.title),
        &input.subtitle_for(
            "black line: median of the runs' moving average, shading: 5–95%; blue line: mean index",
        ),
    )?;
    let (w, h) = body.dim_in_pixel();
    let (plots, side) = body.split_horizontally(w.saturating_sub(230));
    let (top, bottom) = plots.split_vertically(h / 2);
    // The note explains the top (region-wide) panel beside it; the actor colours belong to the
    // bottom panel and are keyed beside it.
    let (side_top, side_bottom) = side.split_vertically(h / 2);
    draw_index(&top, input)?;
    draw_tone(&bottom, input)?;
    let unit = &input.step_unit;
    let mut note = if input.is_ensemble() {
        vec![
            "top: blue line = mean index".to_string(),
            "per step over the runs;".to_string(),
            format!("black = {}-{unit} average,", input.ma_window),
            "median of the runs, with".to_string(),
            "5–95% of runs shaded".to_string(),
        ]
    } else {
        let mut v = vec![
            "top: bars = index per step".to_string(),
            "(blue cooperative, red hostile);".to_string(),
            format!("black line = {}-{unit} average", input.ma_window),
        ];
        if input.coercive.iter().any(|&c| c > 0) {
            v.push("red ▲ at the foot: a step with".into());
            v.push("coercive events (G ≤ −7), count".into());
            v.push("above it when more than one".into());
        }
        v
    };
    note.extend(marker_note(input));
    if input.tone.iter().any(|b| b.band.is_some()) {
        note.push("lines: median; shading: 5–95%".into());
    }
    Legend {
        entries: Vec::new(),
    }
    .draw(&side_top, &note)?;
    Legend::keyed(input, &input.styles()).draw(&side_bottom, &[])
}

/// Top panel: the regional index (bars) and its moving average (line, with its band).
fn draw_index<DB: DrawingBackend>(top: &DrawingArea<DB, Shift>, input: &ChartInput) -> DResult {
    let x_max = input.steps.max(1) as f64;
    let unit = &input.step_unit;
    let (lo, hi) = {
        let (a, b) = input.cooperation.range();
        let (c, d) = input.cooperation_ma.range();
        (a.min(c).min(-1.0), b.max(d).max(1.0))
    };
    let pad = (hi - lo) * 0.08;
    let y = (lo - pad, hi + pad);
    let mut chart = ChartBuilder::on(top)
        .margin(12)
        .caption("Regional cooperation–conflict index", font(16))
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..x_max, y.0..y.1)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(unit.clone())
        .x_label_formatter(&|x: &f64| format!("{x:.0}"))
        .y_desc(format!("Σ Goldstein per {unit}"))
        .axis_desc_style(font(14))
        .label_style(font(12))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(e)?;
    draw_markers(&mut chart, input, y)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (x_max, 0.0)],
            BLACK.mix(0.5),
        )))
        .map_err(e)?;
    let ma = RGBColor(20, 20, 20);
    if let Some((l, h)) = &input.cooperation_ma.band {
        let mut pts: Vec<(f64, f64)> = l.iter().enumerate().map(|(t, v)| (t as f64, *v)).collect();
        pts.extend(h.iter().enumerate().rev().map(|(t, v)| (t as f64, *v)));
        chart
            .draw_series(std::iter::once(Polygon::new(pts, ma.mix(0.12).filled())))
            .map_err(e)?;
    }
    if input.is_ensemble() {
        // A mean per step varies little from step to step: a line, not a wall of bars.
        chart
            .draw_series(LineSeries::new(
                input
                    .cooperation
                    .mid
                    .iter()
                    .enumerate()
                    .skip(1)
                    .map(|(t, v)| (t as f64, *v)),
                RGBColor(70, 130, 180).stroke_width(2),
            ))
            .map_err(e)?;
    } else {
        draw_bars(&mut chart, input)?;
        draw_coercive(&mut chart, input, y)?;
    }
    chart
        .draw_series(LineSeries::new(
            input
                .cooperation_ma
                .mid
                .iter()
                .enumerate()
                .map(|(t, v)| (t as f64, *v)),
            ma.stroke_width(2),
        ))
        .map_err(e)?;
    Ok(())
}

/// A single run's coercive events, one red triangle at the foot of the panel per step that has
/// any (with the count when more than one): a week whose net index is positive can hold one.
fn draw_coercive<DB: DrawingBackend>(
    chart: &mut ChartContext<
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    input: &ChartInput,
    y: (f64, f64),
) -> DResult {
    let red = RGBColor(190, 30, 30);
    let foot = y.0 + (y.1 - y.0) * 0.025;
    let hits: Vec<(usize, u32)> = input
        .coercive
        .iter()
        .enumerate()
        .filter(|(_, &c)| c > 0)
        .map(|(t, &c)| (t, c))
        .collect();
    chart
        .draw_series(
            hits.iter()
                .map(|&(t, _)| TriangleMarker::new((t as f64, foot), 5, red.filled())),
        )
        .map_err(e)?;
    chart
        .draw_series(hits.iter().filter(|(_, c)| *c > 1).map(|&(t, c)| {
            Text::new(
                c.to_string(),
                (t as f64 - 0.5, foot + (y.1 - y.0) * 0.06),
                font(10).color(&red),
            )
        }))
        .map_err(e)?;
    Ok(())
}

/// A single run's index, one bar per step (blue cooperative, red hostile).
fn draw_bars<DB: DrawingBackend>(
    chart: &mut ChartContext<
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    input: &ChartInput,
) -> DResult {
    chart
        .draw_series(
            input
                .cooperation
                .mid
                .iter()
                .enumerate()
                .skip(1)
                .map(|(t, v)| {
                    let x = t as f64;
                    let c = if *v >= 0.0 {
                        RGBColor(70, 130, 180)
                    } else {
                        RGBColor(200, 80, 60)
                    };
                    Rectangle::new([(x - 0.4, 0.0), (x + 0.4, *v)], c.mix(0.55).filled())
                }),
        )
        .map_err(e)?;
    Ok(())
}

/// Bottom panel: cumulative net tone received per actor.
fn draw_tone<DB: DrawingBackend>(bottom: &DrawingArea<DB, Shift>, input: &ChartInput) -> DResult {
    let x_max = input.steps.max(1) as f64;
    let unit = &input.step_unit;
    let (mut lo, mut hi) = (0.0f64, 0.0f64);
    for b in &input.tone {
        let (a, c) = b.range();
        lo = lo.min(a);
        hi = hi.max(c);
    }
    let pad = ((hi - lo) * 0.06).max(1.0);
    let mut chart = ChartBuilder::on(bottom)
        .margin(12)
        .caption("Net tone received by each actor, cumulative", font(16))
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(0.0..x_max, (lo - pad)..(hi + pad))
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc(unit.clone())
        .x_label_formatter(&|x: &f64| format!("{x:.0}"))
        .y_desc("Σ Goldstein received")
        .axis_desc_style(font(14))
        .label_style(font(12))
        .light_line_style(RGBColor(235, 235, 235))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
        .map_err(e)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (x_max, 0.0)],
            BLACK.mix(0.5),
        )))
        .map_err(e)?;
    draw_bands(&mut chart, &input.styles(), &input.tone)
}
