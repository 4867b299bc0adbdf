//! `diplosim schema`: the JSON Schema of scenario files, for editor completion and checking.

use crate::error::{Error, Result};
use crate::scenario::keys::{Key, ACTOR_KEYS, RELATION_KEYS};
use crate::scenario::raw::RawFile;

/// The schema as pretty JSON with a final newline (also committed as `schema/scenario.schema.json`).
pub fn schema_json() -> Result<String> {
    let mut schema = schemars::schema_for!(RawFile);
    if let Some(defs) = schema.get_mut("$defs").and_then(|d| d.as_object_mut()) {
        numbers(defs, "RawActor", ACTOR_KEYS, "Required for a new actor.");
        numbers(defs, "RawRelation", RELATION_KEYS, "");
    }
    schema.insert("title".into(), "diplosim scenario".into());
    schema.insert(
        "description".into(),
        "A diplosim scenario file: [scenario], [model], [issue], [[actor]], [[relation]], [[shock]]. \
         See the README for the model."
            .into(),
    );
    serde_json::to_string_pretty(&schema)
        .map(|s| s + "\n")
        .map_err(|e| Error::Run(e.to_string()))
}

/// The numbers of an actor or relation as the key table says: meaning, default and range.
fn numbers<R, T>(
    defs: &mut serde_json::Map<String, serde_json::Value>,
    def: &str,
    keys: &[Key<R, T>],
    required: &str,
) {
    let Some(props) = defs
        .get_mut(def)
        .and_then(|d| d.get_mut("properties"))
        .and_then(|p| p.as_object_mut())
    else {
        return;
    };
    for k in keys {
        let low = if k.bounds.open_low {
            "exclusiveMinimum"
        } else {
            "minimum"
        };
        props.insert(
            k.key.into(),
            serde_json::json!({
                "description": k.description(required).trim_end(),
                "type": ["number", "null"],
                "format": "double",
                low: k.bounds.min,
                "maximum": k.bounds.max,
            }),
        );
    }
}

pub fn schema() -> Result<i32> {
    print!("{}", schema_json()?);
    Ok(0)
}
