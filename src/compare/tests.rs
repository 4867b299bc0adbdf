//! Tests of `crate::compare` (kept beside it to keep mod.rs to its code).

use super::*;
use crate::output::run::{write_single, Manifest};
use crate::output::Staging;
use crate::scenario::to_toml;

fn scenario(name: &str) -> Scenario {
    Library::new(Path::new("scenarios"))
        .load(name, &["scenario.steps=12".to_string()])
        .unwrap()
}

#[test]
fn repeated_labels_are_told_apart_and_rows_cover_every_actor() {
    let c = Comparison::new(vec![
        Item::run(scenario("baseline")),
        Item::run(scenario("baseline")),
        Item::run(scenario("ally_objects")),
    ]);
    let labels: Vec<&str> = c.items.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(labels[0], "baseline (seed 1)");
    assert_eq!(labels[1], "baseline (seed 1) (2)");
    let rows = c.rows(Metric::Stance);
    assert!(rows.iter().all(|(_, v)| v.len() == 3));
    assert!(!rows.iter().any(|(k, _)| k == "P(opened)"));
    assert_eq!(rows.last().unwrap().0, "final stance france");
    let france = &rows.last().unwrap().1;
    assert_eq!((france[0].as_str(), france[1].as_str()), ("-", "-"));
    assert_eq!(c.items[0].coop_mean, c.items[1].coop_mean);
}

#[test]
fn comparison_csv_quotes_text_and_leaves_missing_values_empty() {
    let mut a = Item::run(scenario("baseline"));
    a.label = "baseline, \"as stated\"".into();
    let c = Comparison::new(vec![a, Item::run(scenario("ally_objects"))]);
    let text = String::from_utf8(c.csv().unwrap()).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header = rdr.headers().unwrap().clone();
    assert_eq!(&header[1], "origin");
    assert_eq!(header.iter().next_back(), Some("final_stance_france"));
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(&rows[0][1], "baseline, \"as stated\"");
    assert_eq!(rows[0].iter().next_back(), Some(""));
    assert_eq!(&rows[1][0], "ally_objects");
}

#[test]
fn chart_input_follows_the_metric() {
    let c = Comparison::new(vec![
        Item::run(scenario("baseline")),
        Item::run(scenario("ally_objects")),
    ]);
    let stance = c.chart_input(Metric::Stance);
    assert_eq!(stance.panels.len(), c.actors().len());
    assert_eq!(stance.y_range, None);
    let office = c.chart_input(Metric::OfficeStatus);
    assert_eq!(
        office.panels,
        vec![("*".to_string(), "office status".to_string())]
    );
    assert_eq!(
        office.title,
        "Compare office status: baseline vs ally_objects"
    );
    assert_eq!(office.series[0].per_panel[0].as_ref().unwrap().len(), 13);
}

#[test]
fn a_folder_reads_back_as_the_run_that_wrote_it() {
    let sc = scenario("baseline");
    let run = Item::run(sc.clone());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("single");
    let stage = Staging::new(&dir, false).unwrap();
    let resolved = to_toml(&sc).unwrap();
    let mut rec = Recording::new(sc.actors.len(), sc.steps);
    let out = simulate(&Compiled::new(&sc), sc.seed, 0, &mut rec);
    let man = Manifest::new(&sc, &resolved, 1);
    write_single(&stage, &sc, &resolved, &rec, &out, &man).unwrap();
    stage.commit().unwrap();
    let lib = Library::new(Path::new("scenarios"));
    let back = Item::from_folder(&lib, &dir).unwrap();
    assert_eq!(back.office, run.office);
    assert_eq!(back.coop_mean, run.coop_mean);
    assert_eq!(back.series, run.series);
    let csv = dir.join("timeseries.csv");
    let text = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(&csv, format!("{text}0,99999999999999,china,stance,0.5\n")).unwrap();
    let err = Item::from_folder(&lib, &dir).unwrap_err();
    assert!(
        matches!(&err, Error::Usage(m) if m.contains("step 99999999999999 is past")),
        "{err:?}"
    );
    let err = Item::from_folder(&lib, tmp.path()).unwrap_err();
    assert!(matches!(err, Error::Usage(m) if m.contains("not a diplosim output folder")));
}
