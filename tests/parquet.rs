//! `--format parquet|both` (issue 29): every table of every command as typed Parquet that holds
//! exactly the CSV's values (read back with the parquet crate's Arrow reader, independently of
//! the writer's code), the manifest in the file metadata, the same bytes on any thread count.

use crate::util::diplosim;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::Path;

/// Cell `row` of column `a`, as the CSV writes it would be read: None for null.
enum Cell {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
    Ints(Vec<i64>),
    Floats(Vec<f64>),
    Names(Vec<String>),
}

fn cell(a: &dyn Array, row: usize) -> Cell {
    if a.is_null(row) {
        return Cell::Null;
    }
    match a.data_type() {
        DataType::Int64 => Cell::Int(a.as_primitive::<Int64Type>().value(row)),
        DataType::Float64 => Cell::Float(a.as_primitive::<Float64Type>().value(row)),
        DataType::Dictionary(_, _) => {
            let d = a.as_dictionary::<Int32Type>();
            let k = d.keys().value(row) as usize;
            Cell::Text(d.values().as_string::<i32>().value(k).to_string())
        }
        DataType::Utf8 => Cell::Text(a.as_string::<i32>().value(row).to_string()),
        DataType::List(f) => {
            let l = a.as_list::<i32>().value(row);
            match f.data_type() {
                DataType::Int64 => Cell::Ints(l.as_primitive::<Int64Type>().values().to_vec()),
                DataType::Utf8 => Cell::Names(
                    l.as_string::<i32>()
                        .iter()
                        .map(|x| x.unwrap_or("").to_string())
                        .collect(),
                ),
                _ => Cell::Floats(l.as_primitive::<Float64Type>().values().to_vec()),
            }
        }
        t => panic!("unexpected column type {t:?}"),
    }
}

fn read_parquet(p: &Path) -> (Vec<RecordBatch>, Option<String>) {
    let f = std::fs::File::open(p).unwrap();
    let b = ParquetRecordBatchReaderBuilder::try_new(f).unwrap();
    let meta = b
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|k| k.key == "diplosim.manifest"))
        .and_then(|k| k.value.clone());
    let batches = b.build().unwrap().map(|r| r.unwrap()).collect();
    (batches, meta)
}

/// Every `.csv` of `dir` against its `.parquet`: the same header, rows and values (floats to
/// the bit), typed as declared (no column fell back to plain text). Returns the tables checked.
fn same_values(dir: &Path) -> usize {
    let mut n = 0;
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    names.sort();
    for csv in names {
        let pq = csv.with_extension("parquet");
        let (batches, meta) = read_parquet(&pq);
        let meta: serde_json::Value = serde_json::from_str(&meta.expect("manifest")).unwrap();
        assert!(meta["command"].as_str().unwrap().starts_with("diplosim "));
        assert!(meta.get("created").is_none() && meta.get("threads").is_none());
        let mut rd = csv::Reader::from_path(&csv).unwrap();
        let head: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
        let schema = batches[0].schema();
        let names: Vec<&String> = schema.fields().iter().map(|f| f.name()).collect();
        assert_eq!(names, head.iter().collect::<Vec<_>>(), "{}", csv.display());
        for f in schema.fields() {
            assert_ne!(
                f.data_type(),
                &DataType::Utf8,
                "{}: column {} fell back to text",
                csv.display(),
                f.name()
            );
        }
        let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
        let mut at = 0;
        for b in &batches {
            for r in 0..b.num_rows() {
                let rec = &rows[at + r];
                for (c, text) in rec.iter().enumerate() {
                    let ok = match cell(b.column(c).as_ref(), r) {
                        Cell::Null => text.is_empty() || text == "-",
                        Cell::Int(x) => text.parse::<i64>() == Ok(x),
                        Cell::Float(x) => text.parse::<f64>().is_ok_and(|y| {
                            y.to_bits() == x.to_bits() || (x.is_nan() && y.is_nan())
                        }),
                        Cell::Text(s) => s == text,
                        Cell::Ints(v) => {
                            text.split_whitespace()
                                .map(|x| x.parse::<i64>().unwrap())
                                .collect::<Vec<_>>()
                                == v
                        }
                        Cell::Names(v) => text.split('|').collect::<Vec<_>>() == v,
                        Cell::Floats(v) => {
                            text.split_whitespace()
                                .map(|x| x.parse::<f64>().unwrap())
                                .collect::<Vec<_>>()
                                == v
                        }
                    };
                    assert!(
                        ok,
                        "{} row {} column {}: {text:?}",
                        csv.display(),
                        at + r,
                        head[c]
                    );
                }
            }
            at += b.num_rows();
        }
        assert_eq!(at, rows.len(), "{}", csv.display());
        n += 1;
    }
    n
}

fn run_both(dir: &Path, name: &str, args: &[&str]) -> std::path::PathBuf {
    let out = dir.join(name);
    diplosim()
        .args(args)
        .args(["--format", "both", "--quiet", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    out
}

#[test]
fn every_table_of_every_command_holds_the_csv_s_values() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let checked: usize = [
        run_both(d, "single", &["run", "baseline"]),
        run_both(d, "ens", &["run", "nac", "--runs", "30"]),
        run_both(
            d,
            "cmp",
            &["compare", "baseline", "ally_objects", "--runs", "20"],
        ),
        run_both(
            d,
            "grid",
            &[
                "sweep",
                "baseline",
                "--vary",
                "model.noise=0:0.1:2",
                "--runs",
                "4",
            ],
        ),
        run_both(
            d,
            "sobol",
            &[
                "sweep",
                "baseline",
                "--method",
                "sobol",
                "--samples",
                "8",
                "--runs",
                "2",
            ],
        ),
        run_both(
            d,
            "cal",
            &[
                "calibrate",
                "record_2023",
                "--samples",
                "16",
                "--runs",
                "2",
                "--rounds",
                "1",
            ],
        ),
        run_both(d, "bt", &["backtest", "--runs", "20"]),
    ]
    .iter()
    .map(|dir| same_values(dir))
    .sum();
    // timeseries, events; ensemble, event_counts, events; comparison, differences, peaks; sweep;
    // points, sensitivity; posterior; backtest.
    assert_eq!(checked, 13);
    // Types: counters as integers, names dictionary-encoded, a CAMEO code keeps its zero.
    let (b, _) = read_parquet(&d.join("single/events.parquet"));
    let s = b[0].schema();
    assert_eq!(
        s.field_with_name("run").unwrap().data_type(),
        &DataType::Int64
    );
    assert!(matches!(
        s.field_with_name("code").unwrap().data_type(),
        DataType::Dictionary(_, _)
    ));
    match cell(b[0].column(4).as_ref(), 0) {
        Cell::Text(code) => assert_eq!(code.len(), 3, "{code}"),
        _ => panic!("code is not text"),
    }
    let (b, _) = read_parquet(&d.join("bt/backtest.parquet"));
    assert!(matches!(
        b[0].schema().field_with_name("model").unwrap().data_type(),
        DataType::List(_)
    ));
}

#[test]
fn parquet_alone_replaces_the_csv_and_gives_the_same_bytes_on_any_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    for t in ["1", "2"] {
        diplosim()
            .args([
                "run",
                "baseline",
                "--runs",
                "40",
                "--format",
                "parquet",
                "--threads",
                t,
            ])
            .args(["--quiet", "--no-charts", "--out"])
            .arg(tmp.path().join(t))
            .assert()
            .success();
    }
    let files = |t: &str| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(tmp.path().join(t))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let names = files("1");
    assert!(names.iter().all(|n| !n.ends_with(".csv")), "{names:?}");
    for f in ["ensemble.parquet", "event_counts.parquet", "events.parquet"] {
        assert!(names.contains(&f.to_string()), "{names:?}");
        assert_eq!(
            std::fs::read(tmp.path().join("1").join(f)).unwrap(),
            std::fs::read(tmp.path().join("2").join(f)).unwrap(),
            "{f}"
        );
    }
    // --format with --shard is refused before anything is written.
    diplosim()
        .args([
            "run", "baseline", "--runs", "40", "--shard", "1/2", "--format", "both", "--out",
        ])
        .arg(tmp.path().join("s"))
        .assert()
        .code(2);
    assert!(!tmp.path().join("s").exists());
}

/// `compare` reads folders written with `--format parquet` (no CSV tables) and finds what it
/// finds in the same runs' CSV folders; a damaged Parquet table is refused with exit 2 and its
/// path, never a panic.
#[test]
fn compare_reads_parquet_only_folders_as_it_reads_csv_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let t = |s: &str| tmp.path().join(s).to_str().unwrap().to_string();
    for (name, format) in [
        ("baseline", "csv"),
        ("pressure", "csv"),
        ("baseline", "parquet"),
        ("pressure", "parquet"),
    ] {
        diplosim()
            .args([
                "run",
                name,
                "--runs",
                "12",
                "--quiet",
                "--no-charts",
                "--format",
                format,
            ])
            .args(["--out", &t(&format!("{name}-{format}"))])
            .assert()
            .success();
    }
    assert!(!Path::new(&t("baseline-parquet"))
        .join("ensemble.csv")
        .exists());
    for format in ["csv", "parquet"] {
        diplosim()
            .args([
                "compare",
                &t(&format!("baseline-{format}")),
                &t(&format!("pressure-{format}")),
            ])
            .args([
                "--quiet",
                "--no-charts",
                "--out",
                &t(&format!("cmp-{format}")),
            ])
            .assert()
            .success();
    }
    // The same table but for the folders' names in its label column.
    let read = |format: &str| {
        std::fs::read_to_string(Path::new(&t(&format!("cmp-{format}"))).join("comparison.csv"))
            .unwrap()
            .replace(&format!("-{format}"), "-FORMAT")
    };
    assert_eq!(read("csv"), read("parquet"));
    // A damaged table: its first half only.
    let table = Path::new(&t("pressure-parquet")).join("ensemble.parquet");
    let bytes = std::fs::read(&table).unwrap();
    std::fs::write(&table, &bytes[..bytes.len() / 2]).unwrap();
    let out = diplosim()
        .args([
            "compare",
            &t("baseline-parquet"),
            &t("pressure-parquet"),
            "--quiet",
            "--no-charts",
        ])
        .args(["--out", &t("cmp-bad")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ensemble.parquet") && !err.contains("panicked"),
        "{err}"
    );
    assert!(!Path::new(&t("cmp-bad")).exists());
}
