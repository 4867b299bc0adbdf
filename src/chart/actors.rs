//! How actors are told apart when there are many: up to [`MAX_KEYED`] actors keep a colour and a
//! label (the article's actors, every member who blocked a vote, then the most extreme final
//! values); the others are drawn as thin grey lines and named by bloc in one legend line.
//! Colours never repeat among the keyed actors. Keyed actors are labelled at the end of their
//! line (labels pushed apart so that lines that end together are all named), not by a legend.

use super::{actor_color, e, font, grey_font, DResult};
use plotters::coord::Shift;
use plotters::prelude::*;

/// At most this many actors get a colour and a label.
pub(crate) const MAX_KEYED: usize = 12;
/// The grey of the actors without a label.
pub(crate) const OTHER: RGBColor = RGBColor(190, 190, 190);

/// Colours not used by [`actor_color`]'s fixed table, given out in order to other keyed actors.
const SPARE: [RGBColor; 8] = [
    RGBColor(188, 189, 34),
    RGBColor(255, 127, 14),
    RGBColor(0, 128, 128),
    RGBColor(128, 0, 0),
    RGBColor(0, 0, 160),
    RGBColor(199, 21, 133),
    RGBColor(77, 175, 74),
    RGBColor(102, 102, 0),
];

/// The article's actors, which keep their colours everywhere.
const FIXED: [&str; 10] = [
    "japan",
    "nato",
    "united_states",
    "china",
    "russia",
    "south_korea",
    "australia",
    "new_zealand",
    "north_korea",
    "france",
];

/// Per actor: its colour if keyed, `None` if drawn grey.
#[derive(Debug, Clone)]
pub(crate) struct Styles {
    pub colour: Vec<Option<RGBColor>>,
    /// "grey: 28 other members of nato, 2 others" (empty if every actor is keyed).
    pub others: String,
}

/// Keyed actors: all if they fit; else the article's actors, then blockers (`blocked[i] > 0`),
/// then by distance of `last[i]` from the median of the rest, up to [`MAX_KEYED`].
pub(crate) fn styles(ids: &[String], blocs: &[String], blocked: &[f64], last: &[f64]) -> Styles {
    let n = ids.len();
    let mut keyed = vec![n <= MAX_KEYED; n];
    if n > MAX_KEYED {
        let mut order: Vec<usize> = (0..n).collect();
        let mut sorted: Vec<f64> = last.iter().cloned().filter(|v| v.is_finite()).collect();
        sorted.sort_by(f64::total_cmp);
        let median = sorted.get(sorted.len() / 2).cloned().unwrap_or(0.0);
        // Blockers first by how often they block, so a member that blocks is never grey when
        // there is a spare colour for it: every blocker is keyed, up to the 8 spare colours.
        let share = |i: usize| blocked.get(i).cloned().unwrap_or(0.0);
        let rank = |i: usize| {
            let fixed = FIXED.contains(&ids[i].as_str());
            let far = (last.get(i).cloned().unwrap_or(median) - median).abs();
            (!fixed, -share(i), -far)
        };
        order.sort_by(|&a, &b| {
            rank(a)
                .partial_cmp(&rank(b))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
        let fixed = (0..n).filter(|&i| FIXED.contains(&ids[i].as_str())).count();
        let blockers = (0..n)
            .filter(|&i| share(i) > 0.0 && !FIXED.contains(&ids[i].as_str()))
            .count();
        let room = MAX_KEYED.max((fixed + blockers).min(fixed + SPARE.len()));
        for &i in order.iter().take(room) {
            keyed[i] = true;
        }
    }
    let mut spare = SPARE.iter().cycle();
    let colour = (0..n)
        .map(|i| {
            keyed[i].then(|| {
                if FIXED.contains(&ids[i].as_str()) || n <= MAX_KEYED {
                    actor_color(&ids[i])
                } else {
                    *spare.next().unwrap_or(&SPARE[0])
                }
            })
        })
        .collect::<Vec<_>>();
    Styles {
        others: others_line(&colour, blocs),
        colour,
    }
}

/// "grey: 28 other members of nato, 2 others", counting unkeyed actors by first bloc.
fn others_line(colour: &[Option<RGBColor>], blocs: &[String]) -> String {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for (i, c) in colour.iter().enumerate() {
        if c.is_none() {
            let b = blocs.get(i).cloned().unwrap_or_default();
            match counts.iter_mut().find(|(k, _)| *k == b) {
                Some((_, n)) => *n += 1,
                None => counts.push((b, 1)),
            }
        }
    }
    if counts.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = counts
        .iter()
        .map(|(b, n)| match b.as_str() {
            "" => format!("{n} others"),
            b => format!("{n} other members of {b}"),
        })
        .collect();
    format!("grey: {}", parts.join(", "))
}

/// One label at the end of a line: colour, text, and the pixel row (in `side`'s coordinates)
/// where its line ends.
pub(crate) struct EndLabel {
    pub colour: RGBColor,
    pub text: String,
    pub y: i32,
}

/// Labels in `side` beside the plot, each as near its line's end as the others allow (at least
/// `gap` pixels apart, within `top..bottom`), joined to it by a thin leader.
pub(crate) fn draw_end_labels<DB: DrawingBackend>(
    side: &DrawingArea<DB, Shift>,
    mut labels: Vec<EndLabel>,
    (top, bottom): (i32, i32),
) -> DResult {
    let gap = 17;
    labels.sort_by_key(|l| l.y);
    let mut ys: Vec<i32> = labels.iter().map(|l| l.y.max(top)).collect();
    for k in 1..ys.len() {
        ys[k] = ys[k].max(ys[k - 1] + gap);
    }
    if let Some(&last) = ys.last() {
        let over = last - bottom;
        if over > 0 {
            for y in ys.iter_mut() {
                *y -= over;
            }
            for k in (0..ys.len().saturating_sub(1)).rev() {
                ys[k] = ys[k].min(ys[k + 1] - gap);
            }
        }
    }
    for (l, y) in labels.iter().zip(ys) {
        side.draw(&PathElement::new(
            vec![(0, l.y), (8, l.y), (18, y)],
            l.colour.stroke_width(1),
        ))
        .map_err(e)?;
        side.draw(&PathElement::new(
            vec![(18, y), (30, y)],
            l.colour.stroke_width(4),
        ))
        .map_err(e)?;
        side.draw(&Text::new(l.text.clone(), (35, y - 8), font(13)))
            .map_err(e)?;
    }
    Ok(())
}

/// Notes (what the markers and shading mean) written in one grey row at `y` of `area`.
pub(crate) fn footer<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    note: &[String],
    y: i32,
) -> DResult {
    area.draw(&Text::new(note.join(" · "), (16, y), grey_font(13)))
        .map_err(e)
}
