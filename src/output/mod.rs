//! Writing results: one file per format, all into a temporary folder that is moved into place
//! only when complete, so a failure never leaves a partial output folder. Every CSV goes through
//! [`csv_writer`], so any text a scenario carries is quoted correctly.

pub mod ensemble;
pub mod observations;
pub mod parquet;
/// The recorder of a single run lives with the engine; kept here under its old path.
pub mod record {
    pub use crate::engine::record::Recording;
}
pub mod run;
pub mod shards;
mod staging;

pub use staging::{abandon_all, Staging};

use crate::error::{Error, Result};
use crate::scenario::Scenario;
use std::path::PathBuf;

/// A CSV writer with the settings of every file: `\n` line ends, fields quoted only when needed.
/// Numbers are written as strings formatted by the caller (Rust's shortest round-trip `{}`).
pub fn csv_writer<W: std::io::Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(w)
}

/// An in-memory CSV: the header, then rows added with [`CsvText::row`].
pub struct CsvText {
    w: csv::Writer<Vec<u8>>,
    err: Option<csv::Error>,
}

impl CsvText {
    pub fn new<I: IntoIterator<Item = T>, T: AsRef<[u8]>>(header: I) -> CsvText {
        let mut t = CsvText {
            w: csv_writer(Vec::new()),
            err: None,
        };
        t.row(header);
        t
    }

    /// Add one row (it must have as many fields as the header).
    pub fn row<I: IntoIterator<Item = T>, T: AsRef<[u8]>>(&mut self, fields: I) {
        if self.err.is_none() {
            if let Err(e) = self.w.write_record(fields) {
                self.err = Some(e);
            }
        }
    }

    /// The bytes written, or the first error.
    pub fn finish(self) -> Result<Vec<u8>> {
        if let Some(e) = self.err {
            return Err(Error::Run(format!("cannot write CSV: {e}")));
        }
        self.w
            .into_inner()
            .map_err(|e| Error::Run(format!("cannot write CSV: {e}")))
    }
}

/// `x` rounded to `digits` significant digits, so that float noise (27.599999999999998) does not
/// reach a file: the value printed with `{}` is then the shortest form of the rounded number.
pub fn round_sig(x: f64, digits: i32) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    let mag = x.abs().log10().floor() as i32;
    let p = digits - 1 - mag;
    if p > 15 {
        return x;
    }
    let s = format!("{x:.prec$e}", prec = (digits - 1).max(0) as usize);
    s.parse().unwrap_or(x)
}

/// `x` rounded to `decimals` decimal places (for statistics whose precision is absolute, such as
/// a mean of integer counts over R runs, known to 1/R).
pub fn round_dp(x: f64, decimals: i32) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let s = format!("{x:.prec$}", prec = decimals.max(0) as usize);
    s.parse().unwrap_or(x)
}

/// A short tag of the overrides a command applied (`--steps`, `--set`, in order): the first 6 hex
/// digits of their FNV-1a hash, or `None` when there are none. Two commands with different
/// overrides get different tags (up to a 1 in 16 million collision).
pub fn overrides_tag(overrides: &[String]) -> Option<String> {
    if overrides.is_empty() {
        return None;
    }
    Some(fnv1a64(overrides.join("\n").as_bytes())[..6].to_string())
}

/// The name of a result folder: what makes results differ — `seed-<seed>`, then `-runs-<runs>`
/// for an ensemble, then `-set-<tag>` when overrides were applied ([`overrides_tag`]). The same
/// command always gets the same name; a different seed, run count or override never does.
pub fn folder_name(seed: u64, runs: usize, overrides: &[String]) -> String {
    let mut name = format!("seed-{seed}");
    if runs > 1 {
        name.push_str(&format!("-runs-{runs}"));
    }
    if let Some(tag) = overrides_tag(overrides) {
        name.push_str(&format!("-set-{tag}"));
    }
    name
}

/// `output/<scenario>/<folder_name>` (e.g. `output/baseline/seed-1-runs-1000/`), where `run` and
/// `merge` write unless `--out` is given; the scenario name is restricted so that it cannot
/// leave `output/`. `overrides` are those not in the name already (not seed or runs).
pub fn default_dir(sc: &Scenario, overrides: &[String]) -> PathBuf {
    PathBuf::from("output")
        .join(&sc.name)
        .join(folder_name(sc.seed, sc.runs, overrides))
}

/// Where shard K of N is written by default: beside, not inside, the merged folder (merging
/// replaces that folder): `output/<scenario>/<folder_name>-shards/<K>-of-<N>`.
pub fn default_shard_dir(sc: &Scenario, overrides: &[String], k: u64, n: u64) -> PathBuf {
    let base = default_dir(sc, overrides);
    let name = base
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or("seed")
        .to_string();
    base.with_file_name(format!("{name}-shards"))
        .join(format!("{k}-of-{n}"))
}

pub use crate::hash::fnv1a64;

/// UTC time as RFC 3339 from seconds since the Unix epoch (civil-from-days, Hinnant).
pub fn rfc3339(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_matches_known_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        // 2000-02-29 12:34:56 UTC (a leap day) = 951827696
        assert_eq!(rfc3339(951_827_696), "2000-02-29T12:34:56Z");
        // 2026-11-28 00:00:00 UTC = 1795824000
        assert_eq!(rfc3339(1_795_824_000), "2026-11-28T00:00:00Z");
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        let mut t = CsvText::new(["a", "b", "c"]);
        t.row(["plain text", "with, comma", "say \"hi\""]);
        t.row(["1", "-0.5", ""]);
        let text = String::from_utf8(t.finish().unwrap()).unwrap();
        assert_eq!(
            text,
            "a,b,c\nplain text,\"with, comma\",\"say \"\"hi\"\"\"\n1,-0.5,\n"
        );
    }

    #[test]
    fn csv_rows_of_the_wrong_width_are_an_error() {
        let mut t = CsvText::new(["a", "b"]);
        t.row(["1"]);
        assert!(t.finish().is_err());
    }

    #[test]
    fn folder_names_carry_seed_runs_and_overrides() {
        assert_eq!(folder_name(1, 1, &[]), "seed-1");
        assert_eq!(folder_name(1, 1000, &[]), "seed-1-runs-1000");
        let a = folder_name(1, 1, &["actor.china.stance=-0.5".to_string()]);
        let b = folder_name(1, 1, &["actor.china.stance=-0.4".to_string()]);
        assert!(
            a.starts_with("seed-1-set-") && a.len() == "seed-1-set-".len() + 6,
            "{a}"
        );
        assert_ne!(a, b);
        assert_eq!(
            a,
            folder_name(1, 1, &["actor.china.stance=-0.5".to_string()])
        );
    }

    #[test]
    fn rounding_removes_float_noise() {
        assert_eq!(round_sig(27.599999999999998, 6).to_string(), "27.6");
        assert_eq!(round_sig(-0.000123456789, 3).to_string(), "-0.000123");
        assert_eq!(round_dp(15.853999999999996, 3).to_string(), "15.854");
        assert_eq!(round_sig(0.0, 4), 0.0);
    }

    #[test]
    fn fnv_reference_values() {
        assert_eq!(fnv1a64(b""), "cbf29ce484222325");
        assert_eq!(fnv1a64(b"a"), "af63dc4c8601ec8c");
    }
}

/// `manifest.json` of a command whose folder holds several scenarios or no single run
/// (`compare`, `calibrate`): tool, version, kind, each scenario's name and resolved hash, seed,
/// runs, the command that makes the folder again, threads and when it was made.
pub fn command_manifest(
    kind: &str,
    scenarios: &[&Scenario],
    seed: u64,
    runs: usize,
    command: &str,
    threads: usize,
) -> Result<String> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let scs = scenarios
        .iter()
        .map(|sc| {
            Ok(serde_json::json!({
                "scenario": sc.name,
                "scenario_hash": format!("fnv1a64:{}", fnv1a64(crate::scenario::to_toml(sc)?.as_bytes())),
            }))
        })
        .collect::<Result<Vec<_>>>()?;
    let v = serde_json::json!({
        "tool": "diplosim",
        "version": env!("CARGO_PKG_VERSION"),
        "kind": kind,
        "scenarios": scs,
        "seed": seed,
        "runs": runs,
        "command": command,
        "threads": threads,
        "created": rfc3339(secs),
    });
    serde_json::to_string_pretty(&v)
        .map(|s| s + "\n")
        .map_err(|e| Error::Run(format!("cannot write manifest.json: {e}")))
}
