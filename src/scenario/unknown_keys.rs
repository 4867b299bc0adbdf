//! Every unknown key of a file at once, each located, with a "did you mean" hint (serde stops at the
//! first).

use super::source::SourceText;
use super::ACTOR_KEYS;
use crate::error::{suggest, Diagnostic};
use crate::model::PARAM_SPECS;

/// Keys each table accepts, for reporting every unknown key of a file at once (serde stops at
/// the first).
fn known_keys(table: &str) -> Option<Vec<&'static str>> {
    Some(match table {
        "" => vec![
            "scenario",
            "model",
            "issue",
            "actor",
            "relation",
            "shock",
            "sensitivity",
        ],
        "sensitivity" => vec!["samples", "runs", "ranges", "source"],
        "scenario" => vec![
            "name",
            "title",
            "description",
            "extends",
            "steps",
            "step_unit",
            "seed",
            "runs",
        ],
        "model" => PARAM_SPECS.iter().map(|p| p.key).collect(),
        "issue" => vec![
            "body",
            "host",
            "threshold",
            "first_vote",
            "vote_interval",
            "setup_steps",
            "source",
        ],
        "actor" => ACTOR_KEYS.to_vec(),
        "relation" => vec!["from", "to", "affinity", "influence", "source"],
        "shock" => vec![
            "step", "kind", "actor", "target", "set", "add", "code", "status", "source",
        ],
        _ => return None,
    })
}

/// Every unknown key in the file, each located, with a suggestion.
pub fn unknown_keys(src: &SourceText) -> Vec<Diagnostic> {
    use toml::de::{DeTable, DeValue};
    let mut out = Vec::new();
    let Ok(root) = DeTable::parse(&src.text) else {
        return out;
    };
    let mut check = |table: &str, path: &str, t: &DeTable| {
        let Some(known) = known_keys(table) else {
            return;
        };
        for (k, _) in t.iter() {
            let key = k.get_ref().as_ref();
            if !known.contains(&key) {
                let full = if path.is_empty() {
                    key.to_string()
                } else {
                    format!("{path}.{key}")
                };
                let what = if table.is_empty() {
                    "top-level table".to_string()
                } else {
                    format!("[{table}] key")
                };
                let mut d = src.at_span(
                    k.span(),
                    &full,
                    format!(
                        "unknown {what} `{key}`; expected one of {}",
                        known.join(", ")
                    ),
                );
                d.help =
                    suggest(key, known.iter().copied()).map(|s| format!("did you mean `{s}`?"));
                out.push(d);
            }
        }
    };
    check("", "", root.get_ref());
    for (k, v) in root.get_ref().iter() {
        let name = k.get_ref().as_ref();
        match v.get_ref() {
            DeValue::Table(t) => check(name, name, t),
            DeValue::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    if let DeValue::Table(t) = item.get_ref() {
                        check(name, &format!("{name}[{i}]"), t);
                    }
                }
            }
            _ => {}
        }
    }
    out
}
