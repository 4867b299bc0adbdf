//! Parquet copies of a folder's CSV tables (`--format parquet|both`), for notebooks: the same
//! values in typed columns. Each table is converted from the CSV the command wrote, at commit,
//! so a Parquet file holds exactly the CSV's values:
//!
//! - counters (`run`, `step`, `round`, `point`, `runs`, `week`, `held_*`, `issue`) as int64;
//! - names (`actor`, `target`, `metric`, `code`, `label`, `scenario`, `verdict`, …) as
//!   dictionary-encoded strings (a CAMEO code keeps its leading zero);
//! - `backtest.csv`'s per-category columns (`model`, `base_rate`, …: space-separated in the CSV)
//!   as lists of float64, `held` (runs in which each of the question's checks held) as a list of
//!   int64, `categories` (`|`-separated) as a list of strings;
//! - every other column as float64; in a numeric column an empty cell or `-` (absent) is null
//!   (names keep their text, empty included).
//!
//! A column declared numeric whose cells do not all parse (a scenario's own text where a number
//! was expected) is written as a string column rather than refused.
//!
//! The file's key-value metadata carries the folder's manifest under `diplosim.manifest`, less
//! what changes between identical runs (`created`, `threads`), so the same command gives the
//! same bytes. Tables are read and written in batches: memory does not grow with the rows.

use crate::error::{Error, Result};
use arrow_array::builder::{
    Float64Builder, Int64Builder, ListBuilder, StringBuilder, StringDictionaryBuilder,
};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;
use std::path::Path;
use std::sync::Arc;

/// Which tables a command writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// CSV only (as before).
    #[default]
    Csv,
    /// Parquet only: each `NAME.csv` becomes `NAME.parquet`.
    Parquet,
    /// Both, side by side.
    Both,
}

/// How a column is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Int,
    Float,
    /// Dictionary-encoded string.
    Name,
    /// Plain string (free text, or a numeric column that did not parse).
    Text,
    IntList,
    FloatList,
    /// `|`-separated names (a backtest question's categories).
    NameList,
}

impl Kind {
    fn data_type(self) -> DataType {
        match self {
            Kind::Int => DataType::Int64,
            Kind::Float => DataType::Float64,
            Kind::Name => DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
            Kind::Text => DataType::Utf8,
            Kind::IntList => DataType::List(Arc::new(Field::new("item", DataType::Int64, true))),
            Kind::FloatList => {
                DataType::List(Arc::new(Field::new("item", DataType::Float64, true)))
            }
            Kind::NameList => DataType::List(Arc::new(Field::new("item", DataType::Utf8, true))),
        }
    }
}

/// Columns that name things, in any table.
const NAMES: &[&str] = &[
    "actor",
    "target",
    "metric",
    "code",
    "label",
    "scenario",
    "origin",
    "office_status",
    "blockers",
    "outcome",
    "verdict",
    "case",
    "question",
    "kind",
    "categories",
    "parameter",
];

/// Counters, in any table.
const INTS: &[&str] = &[
    "run", "step", "round", "point", "runs", "week", "held_all", "issue",
];

/// The declared kind of column `col` of table `table` (its file stem).
pub fn kind_of(table: &str, col: &str) -> Kind {
    if table == "backtest" {
        match col {
            "held" => return Kind::IntList,
            "model" | "base_rate" | "persistence" | "uniform" => return Kind::FloatList,
            "categories" => return Kind::NameList,
            _ => {}
        }
    }
    if NAMES.contains(&col) {
        Kind::Name
    } else if INTS.contains(&col) || (table == "posterior" && col.starts_with("held_")) {
        Kind::Int
    } else {
        Kind::Float
    }
}

/// Whether `cell` fits `kind` (absent cells fit every numeric kind).
fn fits(kind: Kind, cell: &str) -> bool {
    let absent = cell.is_empty() || cell == "-";
    match kind {
        Kind::Int => absent || cell.parse::<i64>().is_ok(),
        Kind::Float => absent || cell.parse::<f64>().is_ok(),
        Kind::IntList => cell.split_whitespace().all(|x| x.parse::<i64>().is_ok()),
        Kind::FloatList => cell.split_whitespace().all(|x| x.parse::<f64>().is_ok()),
        Kind::Name | Kind::Text | Kind::NameList => true,
    }
}

/// Rows per record batch.
const BATCH: usize = 65_536;

fn reader(csv: &Path) -> Result<csv::Reader<std::fs::File>> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(csv)
        .map_err(|e| Error::Run(format!("cannot read {} back: {e}", csv.display())))
}

/// The kinds of `csv`'s columns: declared, then checked against every cell (first pass).
pub fn kinds(table: &str, csv: &Path) -> Result<(Vec<String>, Vec<Kind>)> {
    let mut rd = reader(csv)?;
    let bad = |e: csv::Error| Error::Run(format!("cannot read {} back: {e}", csv.display()));
    let head: Vec<String> = rd
        .headers()
        .map_err(bad)?
        .iter()
        .map(String::from)
        .collect();
    let mut kinds: Vec<Kind> = head.iter().map(|c| kind_of(table, c)).collect();
    for rec in rd.records() {
        let rec = rec.map_err(bad)?;
        for (k, cell) in kinds.iter_mut().zip(rec.iter()) {
            if !fits(*k, cell) {
                *k = Kind::Text;
            }
        }
    }
    Ok((head, kinds))
}

/// One column's builder.
enum Builder {
    Int(Int64Builder),
    Float(Float64Builder),
    Name(StringDictionaryBuilder<Int32Type>),
    Text(StringBuilder),
    IntList(ListBuilder<Int64Builder>),
    FloatList(ListBuilder<Float64Builder>),
    NameList(ListBuilder<StringBuilder>),
}

impl Builder {
    fn new(k: Kind) -> Builder {
        match k {
            Kind::Int => Builder::Int(Int64Builder::new()),
            Kind::Float => Builder::Float(Float64Builder::new()),
            Kind::Name => Builder::Name(StringDictionaryBuilder::new()),
            Kind::Text => Builder::Text(StringBuilder::new()),
            Kind::IntList => Builder::IntList(ListBuilder::new(Int64Builder::new())),
            Kind::FloatList => Builder::FloatList(ListBuilder::new(Float64Builder::new())),
            Kind::NameList => Builder::NameList(ListBuilder::new(StringBuilder::new())),
        }
    }

    /// Append a cell (it fits: [`kinds`] checked it).
    fn push(&mut self, cell: &str) {
        let absent = cell.is_empty() || cell == "-";
        match self {
            Builder::Int(b) => b.append_option(if absent { None } else { cell.parse().ok() }),
            Builder::Float(b) => b.append_option(if absent { None } else { cell.parse().ok() }),
            Builder::Name(b) => {
                b.append_value(cell);
            }
            Builder::Text(b) => b.append_value(cell),
            Builder::IntList(b) => {
                for x in cell.split_whitespace() {
                    b.values().append_option(x.parse().ok());
                }
                b.append(true);
            }
            Builder::FloatList(b) => {
                for x in cell.split_whitespace() {
                    b.values().append_option(x.parse().ok());
                }
                b.append(true);
            }
            Builder::NameList(b) => {
                for x in cell.split('|') {
                    b.values().append_value(x);
                }
                b.append(true);
            }
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Int(b) => Arc::new(b.finish()),
            Builder::Float(b) => Arc::new(b.finish()),
            Builder::Name(b) => Arc::new(b.finish()),
            Builder::Text(b) => Arc::new(b.finish()),
            Builder::IntList(b) => Arc::new(b.finish()),
            Builder::FloatList(b) => Arc::new(b.finish()),
            Builder::NameList(b) => Arc::new(b.finish()),
        }
    }
}

/// Write `csv` (table `table`) as the Parquet file `out`, with `metadata` in its key-value
/// metadata.
pub fn convert(table: &str, csv: &Path, out: &Path, metadata: &[(String, String)]) -> Result<()> {
    let (head, kinds) = kinds(table, csv)?;
    // The metadata goes in the file's key-value metadata (`pyarrow.parquet.read_metadata`,
    // polars' `read_parquet_metadata`) and in the Arrow schema stored with it (a table's
    // `schema.metadata` in pyarrow).
    let schema = Arc::new(Schema::new_with_metadata(
        head.iter()
            .zip(&kinds)
            .map(|(h, k)| Field::new(h, k.data_type(), true))
            .collect::<Vec<_>>(),
        metadata
            .iter()
            .cloned()
            .collect::<std::collections::HashMap<_, _>>(),
    ));
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_key_value_metadata(Some(
            metadata
                .iter()
                .map(|(k, v)| KeyValue::new(k.clone(), v.clone()))
                .collect(),
        ))
        .build();
    let werr = |e: parquet::errors::ParquetError| {
        Error::Run(format!("cannot write {}: {e}", out.display()))
    };
    let file = std::fs::File::create(out).map_err(|e| Error::Write {
        path: out.to_path_buf(),
        source: e,
    })?;
    let mut w = ArrowWriter::try_new(file, schema.clone(), Some(props)).map_err(werr)?;
    let mut rd = reader(csv)?;
    let mut cols: Vec<Builder> = kinds.iter().map(|&k| Builder::new(k)).collect();
    let mut rows = 0;
    let flush = |cols: &mut Vec<Builder>, w: &mut ArrowWriter<std::fs::File>| -> Result<()> {
        let arrays: Vec<ArrayRef> = cols.iter_mut().map(Builder::finish).collect();
        let batch = RecordBatch::try_new(schema.clone(), arrays)
            .map_err(|e| Error::Run(format!("cannot write {}: {e}", out.display())))?;
        w.write(&batch).map_err(werr)
    };
    for rec in rd.records() {
        let rec =
            rec.map_err(|e| Error::Run(format!("cannot read {} back: {e}", csv.display())))?;
        for (b, cell) in cols.iter_mut().zip(rec.iter()) {
            b.push(cell);
        }
        rows += 1;
        if rows == BATCH {
            flush(&mut cols, &mut w)?;
            rows = 0;
        }
    }
    if rows > 0 {
        flush(&mut cols, &mut w)?;
    }
    w.close().map_err(werr)?;
    Ok(())
}

/// The folder's manifest as Parquet metadata: `manifest.json` less `created` and `threads`
/// (which differ between runs that give the same results); nothing without a manifest.
fn metadata(dir: &Path) -> Vec<(String, String)> {
    let Ok(text) = std::fs::read_to_string(dir.join("manifest.json")) else {
        return Vec::new();
    };
    let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&text) else {
        return Vec::new();
    };
    if let Some(o) = v.as_object_mut() {
        o.remove("created");
        o.remove("threads");
    }
    vec![("diplosim.manifest".into(), v.to_string())]
}

/// Convert every `*.csv` of `dir` (name order) as `format` asks: add a `.parquet` beside each,
/// and with [`Format::Parquet`] remove the CSV.
pub fn convert_folder(dir: &Path, format: Format) -> Result<()> {
    if format == Format::Csv {
        return Ok(());
    }
    let meta = metadata(dir);
    let mut tables: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::Write {
            path: dir.to_path_buf(),
            source: e,
        })?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    tables.sort();
    for csv in tables {
        let stem = csv
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("table")
            .to_string();
        convert(&stem, &csv, &csv.with_extension("parquet"), &meta)?;
        if format == Format::Parquet {
            std::fs::remove_file(&csv).map_err(|e| Error::Write {
                path: csv.clone(),
                source: e,
            })?;
        }
    }
    Ok(())
}

/// The rows of a Parquet table this version wrote, as the CSV's text (whole numbers bare, floats
/// in their shortest exact form, names as written, null as an empty cell), after its header.
/// At most `max_rows` rows are read: a file that says it holds more is refused before its data
/// is decoded. A file the Parquet reader cannot decode is refused, never a panic.
pub fn read_rows(path: &Path, max_rows: u64) -> Result<(Vec<String>, Vec<csv::StringRecord>)> {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, Int64Type};
    use arrow_array::Array;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let bad = |what: String| Error::Usage(format!("{}: {what}", path.display()));
    let file = std::fs::File::open(path).map_err(|e| Error::Read {
        path: path.to_path_buf(),
        source: e,
    })?;
    let decode = move || -> Result<(Vec<String>, Vec<csv::StringRecord>)> {
        let builder =
            ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| bad(e.to_string()))?;
        let rows = builder.metadata().file_metadata().num_rows();
        if rows < 0 || rows as u64 > max_rows {
            return Err(bad(format!(
                "{rows} rows, more than its scenario can give ({max_rows})"
            )));
        }
        let header: Vec<String> = builder
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let mut out = Vec::new();
        // The footer's count may understate what the row groups hold: read one row past the
        // bound at most, and refuse if it is there.
        let limit = usize::try_from(max_rows)
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        for batch in builder
            .with_limit(limit)
            .build()
            .map_err(|e| bad(e.to_string()))?
        {
            let batch = batch.map_err(|e| bad(e.to_string()))?;
            let mut cols: Vec<Vec<String>> = Vec::with_capacity(batch.num_columns());
            for col in batch.columns() {
                let cell = |i: usize, text: &dyn Fn(usize) -> String| {
                    if col.is_null(i) {
                        String::new()
                    } else {
                        text(i)
                    }
                };
                let n = col.len();
                let texts: Vec<String> = match col.data_type() {
                    DataType::Int64 => {
                        let a = col.as_primitive::<Int64Type>();
                        (0..n)
                            .map(|i| cell(i, &|i| a.value(i).to_string()))
                            .collect()
                    }
                    DataType::Float64 => {
                        let a = col.as_primitive::<Float64Type>();
                        (0..n)
                            .map(|i| cell(i, &|i| a.value(i).to_string()))
                            .collect()
                    }
                    DataType::Utf8 => {
                        let a = col.as_string::<i32>();
                        (0..n)
                            .map(|i| cell(i, &|i| a.value(i).to_string()))
                            .collect()
                    }
                    DataType::Dictionary(k, v)
                        if **k == DataType::Int32 && **v == DataType::Utf8 =>
                    {
                        let d = col.as_dictionary::<Int32Type>();
                        let values = d.values().as_string::<i32>();
                        let keys = d.keys();
                        let name = |i: usize| {
                            let k = keys.value(i);
                            usize::try_from(k)
                                .ok()
                                .filter(|&k| k < values.len())
                                .map_or_else(String::new, |k| values.value(k).to_string())
                        };
                        (0..n).map(|i| cell(i, &name)).collect()
                    }
                    t => {
                        return Err(bad(format!(
                            "a column of type {t}, not one this version writes"
                        )))
                    }
                };
                cols.push(texts);
            }
            for i in 0..batch.num_rows() {
                out.push(csv::StringRecord::from(
                    cols.iter().map(|c| c[i].as_str()).collect::<Vec<&str>>(),
                ));
            }
        }
        if out.len() as u64 > max_rows {
            return Err(bad(format!(
                "more rows than its scenario can give ({max_rows})"
            )));
        }
        Ok((header, out))
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(decode))
        .unwrap_or_else(|_| Err(bad("not a Parquet table this version can read".into())))
}
