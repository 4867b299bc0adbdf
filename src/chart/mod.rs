//! Charts, each written as `.png` and `.svg` with plotters, with a font embedded in the binary so
//! that no system font is needed. One file per chart kind; this module holds what they share:
//! the data a chart reads, actor colours, the legend panel, time markers, and the two backends.
//!
//! Every drawing function returns `Result`; nothing here unwraps a plotters call.

mod actors;
pub mod backtest;
pub mod calibrate;
mod compare;
mod cooperation;
mod input;
mod lines;
mod office;
mod raster;
mod relations;
pub mod sweep;

pub use compare::{render_compare, CompareInput, CompareSeries};
pub use input::{Band, ChartInput, OfficeData};

use crate::error::{Error, Result};
use crate::model::Metric;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::path::Path;
use std::sync::OnceLock;

/// DejaVu Sans (licence in `assets/fonts/LICENSE-DejaVu.txt`).
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// Font family name the charts use.
pub const FAMILY: &str = "sans-serif";

/// Register the embedded font once per process.
pub fn ensure_font() -> Result<()> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE
        .get_or_init(|| plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok {
        Ok(())
    } else {
        Err(Error::Run(
            "the embedded chart font could not be loaded".into(),
        ))
    }
}

/// Render every run chart into `dir`: stance, posture, cooperation, office, relations.
pub fn render_run(dir: &Path, input: &ChartInput) -> Result<()> {
    ensure_font()?;
    save(dir, Metric::Stance.name(), (1200, 700), |a| {
        lines::stance(a, input)
    })?;
    save(dir, Metric::Posture.name(), (1200, 700), |a| {
        lines::posture(a, input)
    })?;
    save(dir, "cooperation", (1200, 900), |a| {
        cooperation::draw(a, input)
    })?;
    save(dir, "office", (1200, 520), |a| office::draw(a, input))?;
    let n = input.ids.len();
    let side = (260 + 62 * n as u32).clamp(700, 2400);
    save(dir, "relations", (side + 140, side), |a| {
        relations::draw(a, input)
    })?;
    Ok(())
}

/// A drawing result inside the chart code; converted to [`Error`] with the file name.
pub(crate) type DResult = std::result::Result<(), String>;

pub(crate) fn e<E: std::fmt::Debug>(err: E) -> String {
    format!("{err:?}")
}

/// Both backends behind one signature, so each chart is written once.
pub(crate) enum Area<'a> {
    Png(DrawingArea<raster::Raster<'a>, Shift>),
    Svg(DrawingArea<SVGBackend<'a>, Shift>),
}

/// Draw with whichever backend `area` holds.
macro_rules! with_area {
    ($area:expr, $a:ident => $body:expr) => {
        match $area {
            $crate::chart::Area::Png($a) => $body,
            $crate::chart::Area::Svg($a) => $body,
        }
    };
}
pub(crate) use with_area;

/// Write `<dir>/<name>.png` and `<dir>/<name>.svg` with the same drawing function.
pub(crate) fn save(
    dir: &Path,
    name: &str,
    size: (u32, u32),
    draw: impl Fn(&Area) -> DResult,
) -> Result<()> {
    let png = dir.join(format!("{name}.png"));
    let svg = dir.join(format!("{name}.svg"));
    let fail = |p: &Path, msg: String| Error::Run(format!("cannot draw {}: {msg}", p.display()));
    {
        let root = raster::Raster(BitMapBackend::new(&png, size)).into_drawing_area();
        root.fill(&WHITE).map_err(|x| fail(&png, e(x)))?;
        let area = Area::Png(root);
        draw(&area).map_err(|x| fail(&png, x))?;
        if let Area::Png(root) = area {
            root.present().map_err(|x| fail(&png, e(x)))?;
        }
    }
    {
        let root = SVGBackend::new(&svg, size).into_drawing_area();
        root.fill(&WHITE).map_err(|x| fail(&svg, e(x)))?;
        let area = Area::Svg(root);
        draw(&area).map_err(|x| fail(&svg, x))?;
        if let Area::Svg(root) = area {
            root.present().map_err(|x| fail(&svg, e(x)))?;
        }
    }
    Ok(())
}

/// Fixed colours for the article's actors, so each keeps its colour in every chart and scenario;
/// other ids get a colour from their name's hash (also stable).
pub fn actor_color(id: &str) -> RGBColor {
    match id {
        "japan" => RGBColor(214, 39, 40),
        "nato" => RGBColor(23, 54, 93),
        "united_states" => RGBColor(31, 119, 180),
        "china" => RGBColor(230, 161, 0),
        "russia" => RGBColor(140, 86, 75),
        "south_korea" => RGBColor(44, 160, 44),
        "australia" => RGBColor(23, 190, 207),
        "new_zealand" => RGBColor(148, 103, 189),
        "north_korea" => RGBColor(110, 110, 110),
        "france" => RGBColor(227, 119, 194),
        other => {
            const EXTRA: [RGBColor; 10] = [
                RGBColor(188, 189, 34),
                RGBColor(255, 127, 14),
                RGBColor(152, 78, 163),
                RGBColor(77, 175, 74),
                RGBColor(166, 86, 40),
                RGBColor(0, 128, 128),
                RGBColor(128, 0, 0),
                RGBColor(0, 0, 128),
                RGBColor(128, 128, 0),
                RGBColor(199, 21, 133),
            ];
            let h = other.bytes().fold(0xcbf29ce484222325u64, |h, b| {
                (h ^ b as u64).wrapping_mul(0x100000001b3)
            });
            EXTRA[(h % EXTRA.len() as u64) as usize]
        }
    }
}

/// A tick label for an axis spanning `lo..hi`: as many decimals as a tenth of the span needs, and
/// never "-0" (a value that rounds to zero prints as 0).
pub(crate) fn tick(lo: f64, hi: f64) -> impl Fn(&f64) -> String {
    let step = ((hi - lo).abs() / 10.0).max(f64::MIN_POSITIVE);
    let decimals = (-step.log10().floor()).clamp(0.0, 6.0) as usize;
    move |v: &f64| {
        let s = format!("{v:.decimals$}");
        if s.trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.')
        {
            s.trim_start_matches('-').to_string()
        } else {
            s
        }
    }
}

pub(crate) fn font(size: u32) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&BLACK)
}

pub(crate) fn grey_font(size: u32) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&RGBColor(90, 90, 90))
}

/// Draw the title and subtitle at the top of `area`, returning the area below them.
pub(crate) fn header<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
) -> std::result::Result<DrawingArea<DB, Shift>, String> {
    area.draw(&Text::new(title.to_string(), (16, 10), font(22)))
        .map_err(e)?;
    area.draw(&Text::new(subtitle.to_string(), (16, 40), grey_font(15)))
        .map_err(e)?;
    Ok(area.margin(66, 0, 0, 0))
}

/// Legend entries: (colour, label, dashed).
pub(crate) struct Legend {
    pub entries: Vec<(RGBColor, String, bool)>,
}

impl Legend {
    /// The keyed actors in their colours, then one grey entry for the others.
    pub(crate) fn keyed(input: &ChartInput, styles: &actors::Styles) -> Legend {
        let mut entries: Vec<(RGBColor, String, bool)> = styles
            .colour
            .iter()
            .zip(&input.names)
            .filter_map(|(c, n)| c.map(|c| (c, n.clone(), false)))
            .collect();
        if !styles.others.is_empty() {
            let text = styles.others.trim_start_matches("grey: ").to_string();
            entries.push((actors::OTHER, text, false));
        }
        Legend { entries }
    }

    /// Draw in its own panel (never over the data).
    pub fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        note: &[String],
    ) -> DResult {
        let mut y = 14;
        for (c, label, dashed) in &self.entries {
            let style = c.stroke_width(3);
            if *dashed {
                for k in 0..3 {
                    let x0 = 10 + k * 12;
                    area.draw(&PathElement::new(vec![(x0, y + 8), (x0 + 7, y + 8)], style))
                        .map_err(e)?;
                }
            } else {
                area.draw(&PathElement::new(vec![(10, y + 8), (42, y + 8)], style))
                    .map_err(e)?;
            }
            area.draw(&Text::new(label.clone(), (50, y), font(15)))
                .map_err(e)?;
            y += 24;
        }
        y += 10;
        for line in note {
            area.draw(&Text::new(line.clone(), (10, y), grey_font(13)))
                .map_err(e)?;
            y += 18;
        }
        Ok(())
    }
}

/// Vertical markers for votes (dotted blue) and shocks (dashed orange), with the shock labels
/// written along the top of the plot.
pub(crate) fn draw_markers<DB: DrawingBackend>(
    chart: &mut ChartContext<
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
    input: &ChartInput,
    y: (f64, f64),
) -> DResult {
    // Shocks first, votes on top of them (a vote in a shock's week stays visible). Each shock
    // step is numbered in a strip at the top of the plot; the key is in the legend note
    // ([`marker_note`]), so that no label runs over the curves.
    let shock = RGBColor(235, 120, 20);
    let mut last_x = f64::NEG_INFINITY;
    let mut row = 0;
    for (n, (s, _)) in input.shocks.iter().enumerate() {
        let x = *s as f64;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x, y.0), (x, y.1)],
                6,
                4,
                shock.stroke_width(2),
            ))
            .map_err(e)?;
        // Numbers of nearby shocks go on a second (third, …) row of the strip.
        row = if x - last_x < input.steps as f64 * 0.025 {
            row + 1
        } else {
            0
        };
        last_x = x;
        let yy = y.1 - (y.1 - y.0) * (0.01 + 0.045 * row as f64);
        // Beside its line, not on it (the dashes would strike it through).
        let beside = Pos::new(HPos::Left, VPos::Top);
        chart
            .draw_series(std::iter::once(Text::new(
                format!(" {}", n + 1),
                (x, yy),
                font(13).color(&RGBColor(170, 70, 0)).pos(beside),
            )))
            .map_err(e)?;
    }
    let vote = RGBColor(90, 120, 210);
    for &v in &input.votes {
        let x = v as f64;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x, y.0), (x, y.1)],
                2,
                5,
                vote.stroke_width(1),
            ))
            .map_err(e)?;
    }
    Ok(())
}

/// `text` cut to `max` characters with an ellipsis (the report's shock table has it in full).
fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Shock keys the legend notes show at most; the rest are counted (the report's shock table
/// lists them all).
const SHOCK_KEYS: usize = 6;

/// Lines of the legend note explaining the markers.
pub(crate) fn marker_note(input: &ChartInput) -> Vec<String> {
    let mut v = Vec::new();
    if !input.votes.is_empty() {
        v.push("blue dotted: votes".to_string());
    }
    if !input.shocks.is_empty() {
        v.push("orange dashed: shocks, as numbered".to_string());
        for (n, (step, label)) in input.shocks.iter().enumerate().take(SHOCK_KEYS) {
            v.push(format!(
                "{} = {} {step}: {}",
                n + 1,
                input.step_unit,
                short(label, 24)
            ));
        }
        if input.shocks.len() > SHOCK_KEYS {
            v.push(format!(
                "… and {} more (the report lists all)",
                input.shocks.len() - SHOCK_KEYS
            ));
        }
    }
    v
}

#[cfg(test)]
mod tick_tests {
    #[test]
    fn ticks_never_print_minus_zero() {
        let t = super::tick(-0.5, 0.5);
        assert_eq!(t(&-0.0), "0.0");
        assert_eq!(t(&-0.01), "0.0");
        assert_eq!(t(&-0.2), "-0.2");
        let t = super::tick(-0.01, 0.01);
        assert_eq!(t(&-0.0004), "0.000");
        assert_eq!(t(&0.004), "0.004");
        let t = super::tick(0.0, 100.0);
        assert_eq!(t(&40.0), "40");
    }
}
