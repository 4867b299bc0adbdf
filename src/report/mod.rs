//! `report.html`: one self-contained page per output folder that an analyst can send as it is.
//!
//! Every kind of result (a run, an ensemble, a comparison, a sweep, a calibration) builds a
//! [`Report`] — plain data: the question, the headline answer with its uncertainty, key tables,
//! charts, sections of tables, the scenario's numbers with their sources and the command that
//! reproduces the folder — and [`write()`] renders it with one template (minijinja, HTML
//! auto-escaping on for every value, so text from scenario files can never become markup). The
//! charts are the folder's own SVG files, inlined; nothing is fetched, so the page opens from
//! disk and prints. Builders: [`run`] (single runs and ensembles), [`compare`], [`sweep`];
//! [`scenario`] lists a scenario's numbers with their sources.

pub mod backtest;
pub mod calibrate;
pub mod compare;
pub mod ensemble;
pub mod run;
pub mod scenario;
pub mod sweep;

use crate::error::{Error, Result};
use crate::output::Staging;
use serde::Serialize;

/// The article the baseline is seeded from, cited in full.
pub const ARTICLE: &str = "Muhammad Shahzad Akram (Center for International Strategic Studies AJK), \
\u{201c}The Significance of NATO\u{2019}s Office in Tokyo and its Impact on the Asia-Pacific Region\u{201d}, \
Modern Diplomacy, 24 June 2023, https://moderndiplomacy.eu/2023/06/24/the-significance-of-natos-office-in-tokyo-and-its-impact-on-the-asia-pacific-region/";

/// A table: header, rows of text cells, which columns are numbers (right-aligned).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Table {
    pub title: String,
    pub header: Vec<String>,
    pub numeric: Vec<usize>,
    pub rows: Vec<Vec<String>>,
    pub note: String,
}

impl Table {
    /// A table with `header`; columns listed in `numeric` are right-aligned.
    pub fn new(title: &str, header: &[&str], numeric: &[usize]) -> Table {
        Table {
            title: title.to_string(),
            header: header.iter().map(|h| h.to_string()).collect(),
            numeric: numeric.to_vec(),
            rows: Vec::new(),
            note: String::new(),
        }
    }

    /// Add a row (as many cells as the header).
    pub fn row<I: IntoIterator<Item = S>, S: Into<String>>(&mut self, cells: I) {
        self.rows.push(cells.into_iter().map(Into::into).collect());
    }

    /// Set the note printed under the table.
    pub fn with_note(mut self, note: impl Into<String>) -> Table {
        self.note = note.into();
        self
    }
}

/// A section: a heading, paragraphs, tables.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub tables: Vec<Table>,
}

/// What a report says, before rendering.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    /// "single run", "ensemble", "comparison", "sweep", ...
    pub kind: String,
    pub title: String,
    pub subtitle: String,
    pub question: String,
    /// The answer first: the first line is printed large.
    pub headline: Vec<String>,
    pub key_tables: Vec<Table>,
    pub sections: Vec<Section>,
    /// The command that wrote the folder.
    pub command: String,
    /// The same from `scenario.resolved.toml`, where there is one.
    pub resolved_command: String,
}

/// Charts that come first in a report, in this order: the decision, then stances and what moves
/// them (run and ensemble charts), a comparison's office and stance panels, a backtest's scores.
const CHART_ORDER: [&str; 9] = [
    "office",
    "stance",
    "posture",
    "cooperation",
    "relations",
    "compare_office",
    "compare_stance",
    "scores",
    "reliability",
];

/// One chart, inlined.
#[derive(Debug, Serialize)]
struct Chart {
    caption: String,
    svg: minijinja::Value,
}

/// Render `report` with the SVG charts found in the staging folder and write `report.html`.
pub fn write(stage: &Staging, report: &Report) -> Result<()> {
    let charts = charts(&stage.tmp)?;
    let mut files: Vec<String> = std::fs::read_dir(&stage.tmp)
        .map_err(|e| Error::Read {
            path: stage.tmp.clone(),
            source: e,
        })?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.'))
        .collect();
    files.push("report.html".into());
    files.sort();
    files.dedup();
    let html = render(report, &charts, &files.join(", "))?;
    stage.write("report.html", html)
}

fn render(report: &Report, charts: &[Chart], files: &str) -> Result<String> {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    let fail = |e: minijinja::Error| Error::Run(format!("cannot render report.html: {e}"));
    env.add_template("report", include_str!("report.html"))
        .map_err(fail)?;
    env.add_template("table", include_str!("table.html"))
        .map_err(fail)?;
    let tmpl = env.get_template("report").map_err(fail)?;
    #[derive(Serialize)]
    struct Ctx<'a> {
        version: &'a str,
        #[serde(flatten)]
        report: &'a Report,
        charts: &'a [Chart],
        citation: String,
        files: &'a str,
    }
    tmpl.render(minijinja::value::Serde(Ctx {
        version: env!("CARGO_PKG_VERSION"),
        report,
        charts,
        citation: format!("Seed case: {ARTICLE}."),
        files,
    }))
    .map_err(fail)
}

/// The folder's `.svg` charts in name order, each made safe to inline: the XML declaration is
/// dropped and nothing but the `<svg>` element is kept.
fn charts(dir: &std::path::Path) -> Result<Vec<Chart>> {
    let mut names: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::Read {
            path: dir.to_path_buf(),
            source: e,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "svg"))
        .collect();
    // The charts that answer a report's question come first (the decision, then stances), the
    // rest by name.
    let rank = |p: &std::path::PathBuf| {
        let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        CHART_ORDER
            .iter()
            .position(|c| *c == stem)
            .unwrap_or(CHART_ORDER.len())
    };
    names.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
    let mut out = Vec::new();
    for p in names {
        let text = std::fs::read_to_string(&p).map_err(|e| Error::Read {
            path: p.clone(),
            source: e,
        })?;
        let Some(start) = text.find("<svg") else {
            continue;
        };
        let body = &text[start..];
        let svg = with_view_box(body);
        let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or("chart");
        out.push(Chart {
            caption: format!("{stem} (also {stem}.png and {stem}.svg in this folder)"),
            svg: minijinja::Value::from_safe_string(svg),
        });
    }
    Ok(out)
}

/// Give a plotters SVG a `viewBox` (from its width and height) so that it scales to the page.
fn with_view_box(svg: &str) -> String {
    if svg.contains("viewBox") {
        return svg.to_string();
    }
    let attr = |name: &str| -> Option<String> {
        let head = &svg[..svg.find('>')?];
        let i = head.find(&format!(" {name}=\""))? + name.len() + 3;
        let j = head[i..].find('"')? + i;
        Some(head[i..j].to_string())
    };
    match (attr("width"), attr("height")) {
        (Some(w), Some(h)) => svg.replacen("<svg", &format!("<svg viewBox=\"0 0 {w} {h}\""), 1),
        _ => svg.to_string(),
    }
}

/// A number with `d` decimals and an explicit sign.
pub(crate) fn signed(x: f64, d: usize) -> String {
    format!("{x:+.d$}")
}

/// A share as a percentage: one decimal from 1% up, two significant digits below (a share above
/// 0 never prints as 0.0%: 0 of 10,000 runs has a 95% interval up to 0.038%), and as many
/// decimals as it takes (up to five) for a share below 1 not to print as 100.0%.
pub(crate) fn pct(x: f64) -> String {
    let p = 100.0 * x;
    let mut d = 1usize;
    while d < 5 && p > 0.0 && p * 10f64.powi(d as i32) < 10.0 {
        d += 1;
    }
    while d < 5 && x < 1.0 && format!("{p:.d$}").parse::<f64>().is_ok_and(|v| v >= 100.0) {
        d += 1;
    }
    format!("{p:.d$}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_never_print_as_zero_or_all_when_they_are_not() {
        assert_eq!(pct(0.0), "0.0%");
        assert_eq!(pct(1.0), "100.0%");
        assert_eq!(pct(0.25), "25.0%");
        assert_eq!(pct(0.00038), "0.038%");
        assert_eq!(pct(0.0000038), "0.00038%");
        assert_eq!(pct(0.99996), "99.996%");
        assert_eq!(pct(0.0005), "0.050%");
        assert_eq!(pct(0.005), "0.50%");
        assert_eq!(pct(0.0123), "1.2%");
    }

    #[test]
    fn text_from_files_is_escaped_and_charts_get_a_view_box() {
        let mut r = Report {
            kind: "single run".into(),
            title: "<script>alert(1)</script> & co".into(),
            ..Default::default()
        };
        let mut t = Table::new("t", &["a"], &[]);
        t.row(["<b>bold</b>"]);
        r.key_tables.push(t);
        let charts = vec![Chart {
            caption: "c<".into(),
            svg: minijinja::Value::from_safe_string(with_view_box(
                "<svg width=\"10\" height=\"20\" xmlns=\"http://www.w3.org/2000/svg\"></svg>",
            )),
        }];
        let html = render(&r, &charts, "x.csv").unwrap();
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; co"));
        assert!(html.contains("&lt;b&gt;bold"));
        assert!(html.contains("<svg viewBox=\"0 0 10 20\" width=\"10\""));
        assert!(html.contains("Modern Diplomacy, 24 June 2023"));
    }
}
