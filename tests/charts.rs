//! Charts: every scenario renders every chart as PNG and SVG; PNGs decode to the expected size and
//! carry drawn text (the embedded font, no system fonts); SVGs hold the title and every actor's
//! name; a drawing failure is an error, not a panic.

use crate::util::{library, run};
use diplosim::chart::{render_run, ChartInput};
use std::path::Path;

const CHARTS: [&str; 5] = ["stance", "posture", "cooperation", "office", "relations"];

/// Decode a PNG fully: (width, height, RGB(A) pixels, bytes per pixel).
fn decode(p: &Path) -> (u32, u32, Vec<u8>, usize) {
    let decoder = png::Decoder::new(std::fs::File::open(p).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let bpp = info.color_type.samples();
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf, bpp)
}

#[test]
fn every_scenario_renders_every_chart() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, _) in library().list() {
        let sc = library()
            .load(&name, &["scenario.steps=30".into()])
            .unwrap();
        let (rec, out) = run(&sc, 1);
        let dir = tmp.path().join(&name);
        std::fs::create_dir(&dir).unwrap();
        render_run(&dir, &ChartInput::from_run(&sc, &rec, &out)).unwrap();
        for c in CHARTS {
            let (w, h, px, bpp) = decode(&dir.join(format!("{c}.png")));
            let want = match c {
                "cooperation" => (1200, 900),
                "office" => (1200, 520),
                "relations" => {
                    let side = (260 + 62 * sc.actors.len() as u32).clamp(700, 2400);
                    (side + 140, side)
                }
                _ => (1200, 700),
            };
            assert_eq!((w, h), want, "{name}/{c}.png");
            // The title is drawn: dark pixels in the top band (the font is embedded).
            let dark = (0..40 * w as usize)
                .filter(|&i| px[i * bpp..i * bpp + 3].iter().all(|&v| v < 80))
                .count();
            assert!(
                dark > 200,
                "{name}/{c}.png has no title text ({dark} dark pixels)"
            );
            let svg = std::fs::read_to_string(dir.join(format!("{c}.svg"))).unwrap();
            assert!(
                svg.contains(&sc.title.replace('&', "&amp;").replace('\'', "&apos;"))
                    || svg.contains(&sc.title),
                "{name}/{c}.svg lacks the title"
            );
            // Up to 12 actors are each named; beyond, the others are grey and counted by bloc.
            if c != "office" && (sc.actors.len() <= 12 || c == "relations") {
                for a in &sc.actors {
                    assert!(svg.contains(&a.name), "{name}/{c}.svg lacks {}", a.name);
                }
            } else if c != "office" {
                assert!(
                    svg.contains("other members of"),
                    "{name}/{c}.svg: no grey group"
                );
            }
        }
    }
}

#[test]
fn an_ensemble_draws_bands_and_probabilities() {
    let sc = library()
        .load("ally_relents", &["scenario.steps=40".into()])
        .unwrap();
    let c = diplosim::engine::Compiled::new(&sc);
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let agg = diplosim::ensemble::run_range(&c, 1, 0..50, false, &cancel, &|_| {}, &mut |_, _| {})
        .unwrap();
    let input = ChartInput::from_aggregate(&sc, &agg);
    assert!(input.stance.iter().all(|b| b.band.is_some()));
    let tmp = tempfile::tempdir().unwrap();
    render_run(tmp.path(), &input).unwrap();
    let svg = std::fs::read_to_string(tmp.path().join("office.svg")).unwrap();
    assert!(svg.contains("share of 50 runs"));
    assert!(std::fs::read_to_string(tmp.path().join("stance.svg"))
        .unwrap()
        .contains("median of the runs, shading: 5–95% of runs"));
}

#[test]
fn a_drawing_failure_is_an_error_not_a_panic() {
    let sc = library()
        .load("baseline", &["scenario.steps=5".into()])
        .unwrap();
    let (rec, out) = run(&sc, 1);
    let missing = Path::new("/nonexistent-diplosim-dir/charts");
    let err = render_run(missing, &ChartInput::from_run(&sc, &rec, &out)).unwrap_err();
    assert!(err.to_string().contains("stance.png"), "{err}");
}
