//! `report.html` in a real browser: headless Chromium loads each kind of report from disk and
//! takes a screenshot at 1,200 px; the test fails on a blank page, on a resource that is fetched or
//! missing (a broken image: reports must be self-contained), on a console message, or on a page
//! wider than the window (one that scrolls sideways at 1,200 px). Chromium must be
//! installed (`apt-get install chromium`; `.ci/run` does it): without it the test fails and says
//! so rather than skipping. The screenshots stay in `target/report-screenshots/` to look at.

use crate::util::root;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The Chromium binary: `$CHROMIUM`, else `chromium` or `chromium-browser` on the PATH.
fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return PathBuf::from(p);
    }
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
            let p = dir.join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!(
        "headless Chromium is needed to test report.html and was not found: install it \
         (Debian: `apt-get install -y chromium`, as .ci/run does) or set CHROMIUM=/path/to/chrome"
    );
}

/// Write a result folder with the binary, from a temporary working folder.
fn make(cwd: &Path, args: &[&str]) {
    assert_cmd::Command::cargo_bin("diplosim")
        .unwrap()
        .current_dir(cwd)
        .arg("--scenarios")
        .arg(root().join("scenarios"))
        .args(args)
        .arg("--quiet")
        .assert()
        .success();
}

/// Headless Chromium in a 1,200 px window with the fresh profile `profile`, without the
/// background connections a closed network refuses.
fn headless(profile: &Path) -> Command {
    let mut c = Command::new(chromium());
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--window-size=1200,3000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// Load `html` in headless Chromium, screenshot it to `png`, and return Chromium's log.
fn load(html: &Path, png: &Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = headless(profile.path())
        .args(["--enable-logging=stderr", "--v=1"])
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", html.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start Chromium");
    let start = Instant::now();
    let log = std::thread::spawn({
        let mut err = child.stderr.take().unwrap();
        move || {
            let mut s = String::new();
            let _ = std::io::Read::read_to_string(&mut err, &mut s);
            s
        }
    });
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!(
                "Chromium did not finish loading {} within 60 s",
                html.display()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    log.join().unwrap()
}

/// The page's width against the window's at 1,200 px: a copy of the page with a script that
/// writes `document.documentElement.scrollWidth` and `clientWidth` into the title, read back from
/// Chromium's `--dump-dom`. Returns (scroll width, client width).
fn widths(html: &Path) -> (u32, u32) {
    let probe = html.with_file_name("width-probe.html");
    let mut text = std::fs::read_to_string(html).unwrap();
    text.push_str(
        "<script>document.title = 'W=' + document.documentElement.scrollWidth + ',' + \
         document.documentElement.clientWidth + '=W';</script>",
    );
    std::fs::write(&probe, text).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = headless(profile.path())
        .arg("--dump-dom")
        .arg(format!("file://{}", probe.display()))
        .stderr(Stdio::null())
        .output()
        .expect("cannot start Chromium");
    let _ = std::fs::remove_file(&probe);
    let dom = String::from_utf8_lossy(&out.stdout);
    let inner = dom
        .split("W=")
        .nth(1)
        .and_then(|s| s.split("=W").next())
        .unwrap_or_else(|| panic!("no width in the dumped page of {}", html.display()));
    let mut it = inner.split(',').map(|v| v.trim().parse::<u32>().unwrap());
    (it.next().unwrap(), it.next().unwrap())
}

/// Share of pixels in the screenshot's top 1,500 rows that are not near-white.
fn ink(png: &Path) -> f64 {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let ch = info.color_type.samples();
    let rows = (info.height as usize).min(1500);
    let w = info.width as usize;
    let mut dark = 0usize;
    for y in 0..rows {
        for x in 0..w {
            let p = &buf[(y * w + x) * ch..(y * w + x) * ch + 3];
            if p.iter().any(|&c| c < 200) {
                dark += 1;
            }
        }
    }
    dark as f64 / (rows * w) as f64
}

/// Everything wrong with one report: console messages, files loaded besides the page itself
/// (a report fetches nothing) and those missing (broken images), and a blank page.
fn problems(html: &Path, png: &Path, log: &str) -> Vec<String> {
    let mut found = Vec::new();
    let page = format!("file://{}", html.display());
    for line in log.lines() {
        if line.contains(":CONSOLE") {
            found.push(format!("console: {line}"));
        }
        if let Some(url) = line.split("FileURLLoader::Start: ").nth(1) {
            let url = url.trim();
            if url != page {
                let path = url.trim_start_matches("file://");
                let state = if Path::new(path).exists() {
                    "fetched"
                } else {
                    "broken (missing)"
                };
                found.push(format!("{state} resource: {url}"));
            }
        }
    }
    let (scroll, client) = widths(html);
    if scroll > client {
        found.push(format!(
            "the page scrolls sideways at 1,200 px: {scroll} px wide in a {client} px window"
        ));
    }
    if !png.is_file() {
        found.push("no screenshot was written".into());
    } else if ink(png) < 0.01 {
        found.push(format!(
            "blank page: {:.3}% of the top of the page is drawn",
            100.0 * ink(png)
        ));
    }
    let text = std::fs::read_to_string(html).unwrap();
    for bad in ["http://", "<img", "<script", "<link"] {
        if text.contains(bad) && !(bad == "http://" && only_namespaces(&text)) {
            found.push(format!(
                "the page contains `{bad}`: reports are self-contained"
            ));
        }
    }
    found
}

/// Whether every `http://` in the page is an XML namespace of an inline SVG.
fn only_namespaces(text: &str) -> bool {
    text.matches("http://").count() == text.matches("xmlns=\"http://www.w3.org/2000/svg\"").count()
}

#[test]
fn every_kind_of_report_renders_in_a_browser() {
    let tmp = tempfile::tempdir().unwrap();
    let cwd = tmp.path();
    let kinds: [(&'static str, &'static str); 7] = [
        // Every shipped case, few runs: the backtest's tables, charts and case sections.
        ("backtest", "backtest --cases CASES --runs 20"),
        ("run", "run korean_tension --steps 40"),
        ("ensemble", "run ally_relents --steps 40 --runs 30"),
        (
            "compare",
            "compare baseline ally_objects --steps 40 --runs 30",
        ),
        (
            "grid",
            "sweep baseline --steps 20 --vary issue.threshold=0:0.8:3 --runs 10",
        ),
        // The calibrate report (its closest-points table was 1,579 px wide once), small.
        (
            "calibrate",
            "calibrate record_2023 --samples 16 --runs 4 --rounds 1 --no-charts",
        ),
        // Without charts: a dozen tornado charts take seconds in a debug build; the page must
        // still render (the grid's charts test inlined sweep charts).
        (
            "sobol",
            "sweep baseline --steps 20 --method sobol --samples 8 --runs 4 --no-charts",
        ),
    ];
    let shots = root().join("target").join("report-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    // Folders are written and loaded in parallel: Chromium mostly waits.
    let jobs: Vec<_> = kinds
        .into_iter()
        .map(|(kind, args)| {
            let dir = cwd.join(kind);
            let png = shots.join(format!("{kind}.png"));
            let cwd = cwd.to_path_buf();
            std::thread::spawn(move || {
                let cases = root().join("cases");
                let mut a: Vec<&str> = args
                    .split(' ')
                    .map(|w| {
                        if w == "CASES" {
                            cases.to_str().unwrap()
                        } else {
                            w
                        }
                    })
                    .collect();
                a.extend(["--out", dir.to_str().unwrap()]);
                make(&cwd, &a);
                let html = dir.join("report.html");
                let _ = std::fs::remove_file(&png);
                let log = load(&html, &png);
                problems(&html, &png, &log)
                    .into_iter()
                    .map(|p| format!("{kind}: {p}"))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let failures: Vec<String> = jobs.into_iter().flat_map(|j| j.join().unwrap()).collect();
    assert!(
        failures.is_empty(),
        "report.html problems:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_check_catches_a_broken_page() {
    let tmp = tempfile::tempdir().unwrap();
    let html = tmp.path().join("bad.html");
    std::fs::write(
        &html,
        "<html><body><img src=\"missing.png\"><script>console.error('boom')</script>\
         <div style=\"width:1600px\">wide</div></body></html>",
    )
    .unwrap();
    let png = tmp.path().join("bad.png");
    let log = load(&html, &png);
    let found = problems(&html, &png, &log).join("\n");
    for want in [
        "console:",
        "broken (missing) resource",
        "blank page",
        "`<img`",
        "`<script`",
        "scrolls sideways at 1,200 px",
    ] {
        assert!(found.contains(want), "{want} not caught in:\n{found}");
    }
}
