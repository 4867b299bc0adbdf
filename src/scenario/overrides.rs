//! `--set KEY=VALUE`: each override becomes a one-key raw file that is checked and merged like any
//! other file; `[sensitivity.ranges]` keys are checked by trying both ends as overrides.

use super::check::check_file;
use super::keys::ACTOR_KEYS;
use super::merge::Merged;
use super::parse::unknown_field_hint;
use super::raw::{RawActor, RawFile};
use super::source::{KeyPath, SourceText};
use crate::error::{suggest, Error, Result};

/// Turn `KEY=VALUE` into a one-key raw file.
pub(crate) fn override_file(spec: &str, merged: &Merged) -> Result<(SourceText, RawFile)> {
    let src = SourceText::new("--set", spec, true);
    let usage = |msg: String| Error::Usage(format!("--set {spec}: {msg}"));
    let Some((key, value)) = spec.split_once('=') else {
        return Err(usage("expected KEY=VALUE, e.g. model.noise=0.05".into()));
    };
    let value_str = value.trim();
    let parsed: toml::Value = match toml::from_str::<toml::Table>(&format!("v = {value_str}")) {
        Ok(mut t) if t.len() == 1 => t
            .remove("v")
            .unwrap_or(toml::Value::String(value_str.into())),
        // A number TOML cannot hold (1e309, 2^63) is not text: say what is wrong with it.
        Err(e) if looks_numeric(value_str) => {
            let mut d = src.at_span(0..0, key, e.message().trim().to_string());
            d.help = Some(
                "numbers must be finite; whole numbers are at most 9223372036854775807".into(),
            );
            return Err(Error::Invalid(vec![d]));
        }
        _ => toml::Value::String(value_str.to_string()),
    };
    let parts: Vec<&str> = key.trim().split('.').collect();
    if parts.as_slice() == ["scenario", "extends"] {
        return Err(usage("`extends` cannot be overridden: run the other scenario, or write a file that extends it".into()));
    }
    let mut root = toml::Table::new();
    match parts.as_slice() {
        [table @ ("scenario" | "model" | "issue"), field] => {
            let mut t = toml::Table::new();
            t.insert(field.to_string(), parsed);
            root.insert(table.to_string(), toml::Value::Table(t));
        }
        ["actor", id, field] => {
            if !merged.actors.iter().any(|(a, _)| a.id.as_deref() == Some(*id)) {
                let ids: Vec<&str> = merged.actors.iter().filter_map(|(a, _)| a.id.as_deref()).collect();
                let hint = suggest(id, ids.iter().copied()).map(|s| format!(" — did you mean `{s}`?")).unwrap_or_default();
                return Err(usage(format!("unknown actor `{id}`{hint}")));
            }
            let mut t = toml::Table::new();
            t.insert("id".into(), toml::Value::String(id.to_string()));
            t.insert(field.to_string(), parsed);
            root.insert("actor".into(), toml::Value::Array(vec![toml::Value::Table(t)]));
        }
        ["relation", from, to, field] => {
            let mut t = toml::Table::new();
            t.insert("from".into(), toml::Value::String(from.to_string()));
            t.insert("to".into(), toml::Value::String(to.to_string()));
            t.insert(field.to_string(), parsed);
            let exists = merged
                .relations
                .iter()
                .any(|(r, _)| r.from.as_deref() == Some(*from) && r.to.as_deref() == Some(*to));
            if !exists {
                t.insert("source".into(), toml::Value::String(format!("override: --set {spec}")));
            }
            root.insert("relation".into(), toml::Value::Array(vec![toml::Value::Table(t)]));
        }
        _ => {
            return Err(usage(
                "KEY must be scenario.FIELD, model.FIELD, issue.FIELD, actor.ID.FIELD or relation.FROM.TO.FIELD"
                    .into(),
            ))
        }
    }
    use serde::Deserialize;
    let raw = RawFile::deserialize(toml::Value::Table(root)).map_err(|e| {
        let msg = e.message().trim().to_string();
        let mut d = src.at_span(0..0, key, msg.clone());
        d.help = unknown_field_hint(&msg);
        Error::Invalid(vec![d])
    })?;
    Ok((src, raw))
}

/// Whether `v` is written like a number (digits, sign, point, exponent, `_`).
fn looks_numeric(v: &str) -> bool {
    v.trim_start_matches(['+', '-'])
        .starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && v.chars()
            .all(|c| c.is_ascii_digit() || "+-._eE".contains(c))
}

/// `--set` keys outside `[model]` whose values are whole numbers; `[model]` keys say so in
/// [`crate::model::PARAM_SPECS`].
const INTEGER_KEYS: [&str; 6] = [
    "scenario.steps",
    "scenario.seed",
    "scenario.runs",
    "issue.first_vote",
    "issue.vote_interval",
    "issue.setup_steps",
];

/// Whether a `--set` key takes whole numbers (sampled values are rounded for these).
pub fn is_integer_key(key: &str) -> bool {
    INTEGER_KEYS.contains(&key)
        || key
            .strip_prefix("model.")
            .and_then(crate::model::param_spec)
            .is_some_and(|p| p.integer)
}

/// A value as `--set` text: whole numbers for [`is_integer_key`] keys.
pub fn set_value(key: &str, v: f64) -> String {
    // An integer beyond i64 is written as it is (and refused as `--set` refuses it), never
    // clamped to i64::MAX by the cast.
    if is_integer_key(key) && v.round().abs() < 9.2e18 {
        format!("{}", v.round() as i64)
    } else if is_integer_key(key) {
        format!("{}", v.round())
    } else {
        format!("{v}")
    }
}

/// Every `[sensitivity.ranges]` key must be a `--set` key that takes both ends of its range, so
/// `validate` catches a typo before a long sweep does.
pub(crate) fn check_sensitivity_keys(merged: &Merged, files: &[SourceText]) -> Result<()> {
    let mut diags = Vec::new();
    for (key, v) in merged.sensitivity.ranges.iter().flatten() {
        let path = KeyPath::root("sensitivity").key("ranges").key(key);
        let file = files.iter().find(|f| f.locate(&path)).unwrap_or(&files[0]);
        for x in v.iter().take(2) {
            let spec = format!("{key}={}", set_value(key, *x));
            let problem = match override_file(&spec, merged) {
                Err(e) => Some(e.to_string()),
                Ok((src, raw)) => {
                    let mut ds = Vec::new();
                    check_file(&src, &raw, &mut ds);
                    ds.iter().find(|d| !d.warning).map(|d| d.message.clone())
                }
            };
            if let Some(p) = problem {
                let msg = p
                    .lines()
                    .next()
                    .unwrap_or("")
                    .trim_start_matches("error: ")
                    .to_string();
                diags.push(file.at(
                    &path,
                    format!("range end {x} is not a valid override: {msg}"),
                ));
                break;
            }
        }
    }
    if diags.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(diags))
    }
}

/// The keys a raw actor names (for provenance of overrides).
pub(crate) fn named_keys(a: &RawActor) -> Vec<&'static str> {
    let numbers = ACTOR_KEYS
        .iter()
        .filter(|k| (k.raw)(a).is_some())
        .map(|k| k.key);
    let name = a.name.is_some().then_some("name");
    let member_of = a.member_of.is_some().then_some("member_of");
    name.into_iter().chain(numbers).chain(member_of).collect()
}
