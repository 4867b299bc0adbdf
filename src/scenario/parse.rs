//! Parsing one file into raw types. serde's messages are turned into located diagnostics with the
//! key written at the error and a hint: an example of the expected form, or the nearest known key.

use super::raw::RawFile;
use super::source::SourceText;
use crate::error::{suggest, Diagnostic};
use std::collections::BTreeMap;

/// Parse one file into raw types; a syntax or type error becomes a located diagnostic.
// One diagnostic per failed parse, off the hot path: boxing it would buy nothing.
#[allow(clippy::result_large_err)]
pub fn parse_file(src: &SourceText) -> std::result::Result<RawFile, Diagnostic> {
    toml::from_str::<RawFile>(&src.text).map_err(|e| {
        let msg = e.message().trim().to_string();
        let span = e.span().unwrap_or(0..0);
        let key = if src.cli {
            src.text.split('=').next().unwrap_or("").to_string()
        } else {
            String::new()
        };
        let mut d = src.at_span(span.clone(), &key, msg.clone());
        if d.key.is_empty() && !src.cli {
            d.key = key_at(&src.text, span.start);
        }
        d.help = unknown_field_hint(&msg);
        d
    })
}

/// The dotted table path and key written at a byte offset, best effort (for type errors).
fn key_at(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let mut table = String::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let end = line_start + line.len();
        let t = line.trim();
        if t.starts_with("[[") {
            let name = t
                .trim_start_matches("[[")
                .split("]]")
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            let c = counts.entry(name.clone()).or_insert(0);
            table = format!("{name}[{c}]");
            *c += 1;
        } else if t.starts_with('[') {
            table = t
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
        }
        if offset < end || end == text.len() {
            let key = t.split('=').next().unwrap_or("").trim();
            if t.contains('=') && !key.is_empty() && !t.starts_with('[') {
                return if table.is_empty() {
                    key.to_string()
                } else {
                    format!("{table}.{key}")
                };
            }
            return table;
        }
        line_start = end;
    }
    table
}

/// "unknown field `capabilty`, expected one of `id`, ..." → "did you mean `capability`?"; type
/// errors get an example of the expected form.
pub(crate) fn unknown_field_hint(msg: &str) -> Option<String> {
    for (needle, help) in [
        ("expected f64", "write a number, such as 0.5"),
        (
            "expected i64",
            "write a whole number, such as 52 (at most 9223372036854775807)",
        ),
        (
            "expected a string",
            "write text in quotes, such as \"nato\"",
        ),
        (
            "expected a sequence",
            "write a list in brackets, such as [\"nato\"] (or [[actor]] for a table array)",
        ),
    ] {
        if msg.contains(needle) {
            return Some(help.to_string());
        }
    }
    let rest = msg.strip_prefix("unknown field `")?;
    let (word, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    suggest(word, expected.iter().copied()).map(|s| format!("did you mean `{s}`?"))
}
