//! Charts, each written as `.png` and `.svg` with plotters, with a font embedded in the binary so
//! that no system font is needed. One file per chart kind; this module holds what they share:
//! the data a chart reads, actor colours, the legend panel, time markers, and the two backends.
//!
//! Every drawing function returns `Result`; nothing here unwraps a plotters call.

mod compare;
mod cooperation;
mod lines;
mod office;
mod relations;
pub mod sweep;

pub use compare::{render_compare, CompareInput, CompareSeries};

use crate::error::{Error, Result};
use crate::model::Status;
use plotters::coord::Shift;
use plotters::prelude::*;
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

/// A series over steps: the line (a single run's values, or an ensemble's median) and, for
/// ensembles, the 5–95% band around it.
#[derive(Debug, Clone, Default)]
pub struct Band {
    pub mid: Vec<f64>,
    pub band: Option<(Vec<f64>, Vec<f64>)>,
}

impl Band {
    pub fn line(mid: Vec<f64>) -> Band {
        Band { mid, band: None }
    }
    fn range(&self) -> (f64, f64) {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        let extra = self.band.iter().flat_map(|(l, h)| l.iter().chain(h.iter()));
        for &v in self.mid.iter().chain(extra) {
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        (lo, hi)
    }
}

/// The office panel: a single run's status, or an ensemble's probabilities by step.
#[derive(Debug, Clone)]
pub enum OfficeData {
    Timeline {
        status: Vec<Status>,
        votes: Vec<(usize, bool)>,
    },
    Probability {
        approved: Vec<f64>,
        opened: Vec<f64>,
        runs: usize,
    },
}

/// Everything the run charts read.
#[derive(Debug, Clone)]
pub struct ChartInput {
    /// Scenario title.
    pub title: String,
    /// "scenario baseline · seed 1 · 1 run".
    pub subtitle: String,
    pub step_unit: String,
    pub steps: usize,
    pub ids: Vec<String>,
    pub names: Vec<String>,
    pub stance: Vec<Band>,
    pub posture: Vec<Band>,
    /// Per-actor cumulative net tone received.
    pub tone: Vec<Band>,
    pub cooperation: Band,
    pub cooperation_ma: Band,
    pub ma_window: usize,
    pub office: OfficeData,
    /// Final affinity, row-major (an ensemble's mean).
    pub affinity: Vec<f64>,
    pub threshold: f64,
    pub escalation: f64,
    /// Steps with shocks, and a short label each.
    pub shocks: Vec<(usize, String)>,
    /// Vote steps.
    pub votes: Vec<usize>,
}

/// Render every run chart into `dir`: stance, posture, cooperation, office, relations.
pub fn render_run(dir: &Path, input: &ChartInput) -> Result<()> {
    ensure_font()?;
    save(dir, "stance", (1200, 700), |a| lines::stance(a, input))?;
    save(dir, "posture", (1200, 700), |a| lines::posture(a, input))?;
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
    Png(DrawingArea<BitMapBackend<'a>, Shift>),
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
        let root = BitMapBackend::new(&png, size).into_drawing_area();
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
    pub fn actors(ids: &[String], names: &[String]) -> Legend {
        Legend {
            entries: ids
                .iter()
                .zip(names)
                .map(|(id, n)| (actor_color(id), n.clone(), false))
                .collect(),
        }
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
    let vote = RGBColor(120, 150, 220);
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
    let shock = RGBColor(235, 120, 20);
    let mut last_x = f64::NEG_INFINITY;
    let mut row = 0;
    for (s, label) in &input.shocks {
        let x = *s as f64;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(x, y.0), (x, y.1)],
                6,
                4,
                shock.stroke_width(2),
            ))
            .map_err(e)?;
        // Stagger labels of nearby shocks so they do not print over each other.
        row = if x - last_x < input.steps as f64 * 0.12 {
            row + 1
        } else {
            0
        };
        last_x = x;
        let yy = y.1 - (y.1 - y.0) * (0.03 + 0.05 * row as f64);
        chart
            .draw_series(std::iter::once(Text::new(
                format!(" {label}"),
                (x, yy),
                grey_font(12),
            )))
            .map_err(e)?;
    }
    Ok(())
}

/// Lines of the legend note explaining the markers.
pub(crate) fn marker_note(input: &ChartInput) -> Vec<String> {
    let mut v = Vec::new();
    if !input.votes.is_empty() {
        v.push("blue dotted: votes".to_string());
    }
    if !input.shocks.is_empty() {
        v.push("orange dashed: shocks".to_string());
    }
    v
}

impl ChartInput {
    /// Chart data of a single recorded run.
    pub fn from_run(
        sc: &crate::scenario::Scenario,
        rec: &crate::output::record::Recording,
        out: &crate::engine::Outcome,
    ) -> ChartInput {
        let n = sc.actors.len();
        let per_actor = |m: usize| {
            (0..n)
                .map(|i| Band::line(rec.actor_series(m, i)))
                .collect::<Vec<_>>()
        };
        let tone = (0..n)
            .map(|i| {
                let mut acc = 0.0;
                Band::line(
                    rec.actor_series(3, i)
                        .into_iter()
                        .map(|x| {
                            acc += x;
                            acc
                        })
                        .collect(),
                )
            })
            .collect();
        let mut input = ChartInput::frame(
            sc,
            format!("scenario {} · seed {} · 1 run", sc.name, sc.seed),
        );
        input.stance = per_actor(0);
        input.posture = per_actor(1);
        input.tone = tone;
        input.cooperation = Band::line(rec.region[2].clone());
        input.cooperation_ma = Band::line(rec.region[3].clone());
        input.office = OfficeData::Timeline {
            status: rec.status(),
            votes: out.votes.iter().map(|v| (v.step, v.approved)).collect(),
        };
        input.affinity = out.final_affinity.clone();
        input.votes = out.votes.iter().map(|v| v.step).collect();
        input
    }

    /// The parts that come from the scenario alone; series left empty. Vote markers are the
    /// scenario's vote steps until a run says which took place.
    pub fn frame(sc: &crate::scenario::Scenario, subtitle: String) -> ChartInput {
        use crate::scenario::ShockAction as S;
        let id = |a: crate::scenario::ActorId| sc.actors[a.ix()].id.clone();
        let mut shocks: Vec<(usize, String)> = Vec::new();
        for s in sc.shocks.iter().filter(|s| s.step <= sc.steps) {
            let label = match &s.action {
                S::Stance { actor, .. } => format!("{} stance", id(*actor)),
                S::Position { actor, .. } => format!("{} position", id(*actor)),
                S::Affinity { actor, target, .. } => {
                    format!("{}→{} affinity", id(*actor), id(*target))
                }
                S::Posture { actor, .. } => format!("{} posture", id(*actor)),
                S::Event {
                    actor,
                    target,
                    code,
                } => {
                    format!(
                        "{}→{} {}",
                        id(*actor),
                        id(*target),
                        crate::model::CATALOGUE[*code].label
                    )
                }
                S::Office { status } => format!("office {}", status.name()),
            };
            match shocks.last_mut() {
                Some((step, l)) if *step == s.step => {
                    if !l.ends_with('…') {
                        l.push_str(" …");
                    }
                }
                _ => shocks.push((s.step, label)),
            }
        }
        let votes = (1..=sc.steps)
            .filter(|&t| sc.issue.is_vote_step(t))
            .collect();
        ChartInput {
            title: sc.title.clone(),
            subtitle,
            step_unit: sc.step_unit.clone(),
            steps: sc.steps,
            ids: sc.actors.iter().map(|a| a.id.clone()).collect(),
            names: sc.actors.iter().map(|a| a.name.clone()).collect(),
            stance: Vec::new(),
            posture: Vec::new(),
            tone: Vec::new(),
            cooperation: Band::default(),
            cooperation_ma: Band::default(),
            ma_window: sc.params.ma_window,
            office: OfficeData::Timeline {
                status: Vec::new(),
                votes: Vec::new(),
            },
            affinity: vec![0.0; sc.actors.len() * sc.actors.len()],
            threshold: sc.issue.threshold,
            escalation: sc.params.escalation_threshold,
            shocks,
            votes,
        }
    }
}

impl ChartInput {
    /// Chart data of an ensemble: medians with 5–95% bands, office probabilities by step.
    pub fn from_aggregate(
        sc: &crate::scenario::Scenario,
        agg: &crate::ensemble::Aggregate,
    ) -> ChartInput {
        let n = sc.actors.len();
        let band = |cells: Vec<usize>| {
            let stats: Vec<_> = cells.into_iter().map(|c| agg.cell(c)).collect();
            Band {
                mid: stats.iter().map(|s| s.q[2]).collect(),
                band: Some((
                    stats.iter().map(|s| s.q[0]).collect(),
                    stats.iter().map(|s| s.q[4]).collect(),
                )),
            }
        };
        let steps = 0..=agg.steps;
        let per_actor = |m: usize| {
            (0..n)
                .map(|i| band(steps.clone().map(|t| agg.actor_cell(t, i, m)).collect()))
                .collect::<Vec<_>>()
        };
        // Cumulative mean tone received: the mean of a sum is the sum of the means.
        let tone = (0..n)
            .map(|i| {
                let mut acc = 0.0;
                Band::line(
                    steps
                        .clone()
                        .map(|t| {
                            acc += agg.cell(agg.actor_cell(t, i, 3)).mean;
                            acc
                        })
                        .collect(),
                )
            })
            .collect();
        let runs = agg.runs;
        let mut input = ChartInput::frame(
            sc,
            format!(
                "scenario {} · seed {} · {runs} runs (median, 5–95% band)",
                sc.name, sc.seed
            ),
        );
        input.stance = per_actor(0);
        input.posture = per_actor(1);
        input.tone = tone;
        input.cooperation = Band::line(
            steps
                .clone()
                .map(|t| agg.cell(agg.region_cell(t, 2)).mean)
                .collect(),
        );
        input.cooperation_ma = band(steps.clone().map(|t| agg.region_cell(t, 3)).collect());
        input.office = OfficeData::Probability {
            approved: agg
                .approved_by_step
                .iter()
                .map(|&c| c as f64 / runs as f64)
                .collect(),
            opened: agg
                .opened_by_step
                .iter()
                .map(|&c| c as f64 / runs as f64)
                .collect(),
            runs: runs as usize,
        };
        input.affinity = agg.mean_affinity();
        // Mark the steps at which a vote took place in at least one run.
        input.votes = agg
            .voted_at
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(|(t, _)| t)
            .collect();
        input
    }
}
