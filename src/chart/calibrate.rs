//! Calibration charts: `posterior` (one panel per parameter: the uniform prior shaded, the
//! posterior as a weighted histogram, its median and 90% interval marked) and `pairwise` (the
//! posterior points of the two most constrained parameters, darker for more weight).

use super::{e, ensure_font, font, grey_font, header, save, with_area, DResult};
use crate::calibrate::{Calibration, Point, Posterior};
use crate::error::Result;
use crate::scenario::Scenario;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

const PRIOR: RGBColor = RGBColor(215, 215, 215);
const POST: RGBColor = RGBColor(31, 119, 180);
const MEDIAN: RGBColor = RGBColor(23, 54, 93);
const BINS: usize = 24;

/// Write `posterior.png/.svg` and `pairwise.png/.svg` into `dir`.
pub fn render(dir: &Path, sc: &Scenario, cal: &Calibration) -> Result<()> {
    ensure_font()?;
    let s = &cal.settings;
    let sub = format!(
        "seed {}, {} points × {} runs, {} refinement rounds; grey: prior (uniform), blue: posterior",
        s.seed, s.samples, s.runs, s.rounds
    );
    let k = cal.priors.len();
    let cols = k.clamp(1, 3);
    let rows = k.div_ceil(cols).max(1);
    let size = (420 * cols as u32 + 40, 300 * rows as u32 + 90);
    let title = format!(
        "{}: each assumption given {} observations",
        sc.name,
        sc.observations.len()
    );
    save(
        dir,
        "posterior",
        size,
        |a| with_area!(a, r => marginals(r, cal, &title, &sub, (rows, cols))),
    )?;
    let title = format!("{}: the two most constrained assumptions", sc.name);
    save(
        dir,
        "pairwise",
        (900, 820),
        |a| with_area!(a, r => pairwise(r, cal, &title, &sub)),
    )
}

/// The posterior's points (round of the posterior) as (theta, weight).
fn population<'a>(cal: &'a Calibration, post: &Posterior) -> Vec<&'a Point> {
    cal.points
        .iter()
        .filter(|p| p.round == post.round && p.weight > 0.0)
        .collect()
}

fn no_posterior<DB: DrawingBackend>(body: &DrawingArea<DB, Shift>) -> DResult {
    body.draw(&Text::new(
        "No posterior: no point made every observation hold in any run (see summary.json).",
        (20, 30),
        font(18),
    ))
    .map_err(e)
}

fn marginals<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    cal: &Calibration,
    title: &str,
    sub: &str,
    grid: (usize, usize),
) -> DResult {
    let body = header(root, title, sub)?;
    let Some(post) = &cal.posterior else {
        return no_posterior(&body);
    };
    let pop = population(cal, post);
    for (d, panel) in body.split_evenly(grid).iter().enumerate() {
        let Some(pr) = cal.priors.get(d) else { break };
        let width = (pr.hi - pr.lo) / BINS as f64;
        let mut h = [0.0; BINS];
        for p in &pop {
            let b = (((p.theta[d] - pr.lo) / width) as usize).min(BINS - 1);
            h[b] += p.weight / width;
        }
        let prior_d = 1.0 / (pr.hi - pr.lo);
        let top = h.iter().copied().fold(prior_d, f64::max) * 1.1;
        let mut chart = ChartBuilder::on(panel)
            .margin(10)
            .caption(&pr.key, font(15))
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d(pr.lo..pr.hi, 0.0..top)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_label_formatter(&super::tick(pr.lo, pr.hi))
            .y_label_formatter(&super::tick(0.0, top))
            .y_desc("density")
            .label_style(grey_font(12))
            .light_line_style(WHITE)
            .draw()
            .map_err(e)?;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(pr.lo, 0.0), (pr.hi, prior_d)],
                PRIOR.mix(0.8).filled(),
            )))
            .map_err(e)?;
        chart
            .draw_series(h.iter().enumerate().map(|(b, &y)| {
                let x0 = pr.lo + b as f64 * width;
                Rectangle::new([(x0, 0.0), (x0 + width, y)], POST.mix(0.75).filled())
            }))
            .map_err(e)?;
        let q = &post.params[d];
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(q.median, 0.0), (q.median, top)],
                MEDIAN.stroke_width(2),
            )))
            .map_err(e)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(q.p05, top * 0.97), (q.p95, top * 0.97)],
                MEDIAN.stroke_width(3),
            )))
            .map_err(e)?;
    }
    Ok(())
}

fn pairwise<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    cal: &Calibration,
    title: &str,
    sub: &str,
) -> DResult {
    let body = header(root, title, sub)?;
    let Some(post) = &cal.posterior else {
        return no_posterior(&body);
    };
    let order = post.by_constraint();
    if order.len() < 2 {
        return body
            .draw(&Text::new(
                "Only one parameter: see the posterior chart.",
                (20, 30),
                font(18),
            ))
            .map_err(e);
    }
    let (a, b) = (order[0], order[1]);
    let (pa, pb) = (&cal.priors[a], &cal.priors[b]);
    let pop = population(cal, post);
    let wmax = pop.iter().map(|p| p.weight).fold(0.0, f64::max).max(1e-300);
    let mut chart = ChartBuilder::on(&body)
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(pa.lo..pa.hi, pb.lo..pb.hi)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_label_formatter(&super::tick(pa.lo, pa.hi))
        .y_label_formatter(&super::tick(pb.lo, pb.hi))
        .x_desc(pa.key.as_str())
        .y_desc(pb.key.as_str())
        .label_style(grey_font(13))
        .light_line_style(WHITE)
        .draw()
        .map_err(e)?;
    chart
        .draw_series(pop.iter().map(|p| {
            let alpha = 0.15 + 0.85 * (p.weight / wmax);
            Circle::new((p.theta[a], p.theta[b]), 4, POST.mix(alpha).filled())
        }))
        .map_err(e)?;
    let (qa, qb) = (&post.params[a], &post.params[b]);
    chart
        .draw_series(std::iter::once(Cross::new(
            (qa.median, qb.median),
            9,
            MEDIAN.stroke_width(3),
        )))
        .map_err(e)?;
    Ok(())
}
