//! Backtest charts: `reliability` (forecast probability in ten bins against the observed
//! frequency, each bin's count written beside it, the diagonal for perfect calibration) and
//! `scores` (each case's mean score for the model and the three references, lower is better).

use super::{e, ensure_font, font, grey_font, header, save, with_area, DResult};
use crate::backtest::Board;
use crate::error::Result;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;

const MODEL: RGBColor = RGBColor(31, 119, 180);
const BASE: RGBColor = RGBColor(255, 127, 14);
const PERSIST: RGBColor = RGBColor(44, 160, 44);
const UNIFORM: RGBColor = RGBColor(150, 150, 150);
const BINS: usize = 10;

/// One reliability bin: mean forecast, observed frequency, count.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bin {
    pub forecast: f64,
    pub observed: f64,
    pub count: usize,
}

/// The (forecast, outcome) pairs the diagram shows: P(yes) of each yes/no question, and each
/// timing question's cumulative P(by bin k) against whether it had happened by then.
pub fn pairs(b: &Board) -> Vec<(f64, f64)> {
    let mut v = Vec::new();
    for q in &b.questions {
        let mut f = 0.0;
        for (k, p) in q.model[..q.model.len() - 1].iter().enumerate() {
            f += p;
            v.push((f, (q.outcome <= k) as u8 as f64));
        }
    }
    v
}

/// The non-empty bins of width 0.1 (the last includes 1).
pub fn bins(pairs: &[(f64, f64)]) -> Vec<Bin> {
    let mut acc = [(0.0, 0.0, 0usize); BINS];
    for &(f, o) in pairs {
        let k = ((f * BINS as f64) as usize).min(BINS - 1);
        acc[k].0 += f;
        acc[k].1 += o;
        acc[k].2 += 1;
    }
    acc.iter()
        .filter(|a| a.2 > 0)
        .map(|&(f, o, n)| Bin {
            forecast: f / n as f64,
            observed: o / n as f64,
            count: n,
        })
        .collect()
}

/// Write `reliability.png/.svg` and `scores.png/.svg` into `dir`.
pub fn render(dir: &Path, b: &Board) -> Result<()> {
    ensure_font()?;
    let sub = format!(
        "{} questions in {} cases, {} runs each, seed {}",
        b.questions.len(),
        b.cases.len(),
        b.runs,
        b.seed
    );
    save(
        dir,
        "reliability",
        (900, 860),
        |a| with_area!(a, r => reliability(r, b, &sub)),
    )?;
    let w = (260 + 150 * (b.cases.len() as u32 + 1)).max(900);
    save(
        dir,
        "scores",
        (w, 620),
        |a| with_area!(a, r => scores(r, b, &sub)),
    )
}

fn reliability<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, b: &Board, sub: &str) -> DResult {
    let body = header(
        root,
        "Backtest: are the forecasts calibrated?",
        &format!("{sub}; yes/no questions and timing bins (P by then), in tenths; line: perfect"),
    )?;
    let mut chart = ChartBuilder::on(&body)
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.03..1.03, -0.03..1.03)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("forecast probability (mean of the bin)")
        .y_desc("observed frequency")
        .label_style(grey_font(14))
        .draw()
        .map_err(e)?;
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (1.0, 1.0)],
            UNIFORM.stroke_width(2),
        )))
        .map_err(e)?;
    let bs = bins(&pairs(b));
    let most = bs.iter().map(|x| x.count).max().unwrap_or(1) as f64;
    for x in bs {
        let r = (5.0 + 13.0 * (x.count as f64 / most).sqrt()) as i32;
        chart
            .draw_series(std::iter::once(Circle::new(
                (x.forecast, x.observed),
                r,
                MODEL.mix(0.8).filled(),
            )))
            .map_err(e)?;
        // Each label sits level with its dot, just beyond its edge: to the right, or to the left
        // near the right edge (the plot spans about 760 pixels for a probability of 1).
        let gap = 0.012 + f64::from(r) / 760.0;
        let (x_at, pos) = if x.forecast > 0.85 {
            (x.forecast - gap, Pos::new(HPos::Right, VPos::Center))
        } else {
            (x.forecast + gap, Pos::new(HPos::Left, VPos::Center))
        };
        chart
            .draw_series(std::iter::once(Text::new(
                format!("n = {}", x.count),
                (x_at, x.observed),
                font(14).pos(pos),
            )))
            .map_err(e)?;
    }
    Ok(())
}

fn scores<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, b: &Board, sub: &str) -> DResult {
    let body = header(
        root,
        "Backtest: mean score per case (Brier or ranked probability; lower is better)",
        sub,
    )?;
    let (plot, legend) = body.split_vertically(body.dim_in_pixel().1.saturating_sub(40));
    let mut groups: Vec<(String, [f64; 4])> = b
        .cases
        .iter()
        .map(|c| {
            (
                c.name.clone(),
                [
                    c.mean.model,
                    c.mean.base_rate,
                    c.mean.persistence,
                    c.mean.uniform,
                ],
            )
        })
        .collect();
    groups.push((
        "all".into(),
        [
            b.mean.model,
            b.mean.base_rate,
            b.mean.persistence,
            b.mean.uniform,
        ],
    ));
    let top = groups
        .iter()
        .flat_map(|g| g.1)
        .fold(0.05, f64::max)
        .min(1.0)
        * 1.1;
    let n = groups.len();
    let mut chart = ChartBuilder::on(&plot)
        .margin(20)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..n as f64, 0.0..top)
        .map_err(e)?;
    let names: Vec<String> = groups.iter().map(|g| g.0.clone()).collect();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n * 2 + 1)
        .x_label_formatter(&|x| {
            let k = x.floor() as usize;
            let mid = (x - x.floor() - 0.5).abs() < 1e-9;
            if mid && k < names.len() {
                names[k].clone()
            } else {
                String::new()
            }
        })
        .y_desc("mean score")
        .label_style(grey_font(13))
        .draw()
        .map_err(e)?;
    let colours = [MODEL, BASE, PERSIST, UNIFORM];
    for (k, g) in groups.iter().enumerate() {
        for (j, (v, c)) in g.1.iter().zip(colours).enumerate() {
            let x0 = k as f64 + 0.1 + 0.2 * j as f64;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x0, 0.0), (x0 + 0.18, *v)],
                    c.filled(),
                )))
                .map_err(e)?;
        }
    }
    let labels = [
        "model",
        "base rate",
        "persistence",
        "uninformed (0.5, or 1/C)",
    ];
    for (j, (c, l)) in colours.iter().zip(labels).enumerate() {
        let x = 90 + 190 * j as i32;
        legend
            .draw(&Rectangle::new([(x, 8), (x + 18, 24)], c.filled()))
            .map_err(e)?;
        legend
            .draw(&Text::new(l, (x + 26, 8), font(15)))
            .map_err(e)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_average_what_falls_in_them() {
        let b = bins(&[
            (0.05, 0.0),
            (0.15, 1.0),
            (0.11, 0.0),
            (1.0, 1.0),
            (0.95, 1.0),
        ]);
        assert_eq!(b.len(), 3);
        assert!((b[0].forecast - 0.05).abs() < 1e-15 && b[0].observed == 0.0 && b[0].count == 1);
        assert!((b[1].forecast - 0.13).abs() < 1e-12 && b[1].observed == 0.5 && b[1].count == 2);
        assert!((b[2].forecast - 0.975).abs() < 1e-12 && b[2].observed == 1.0 && b[2].count == 2);
    }
}
