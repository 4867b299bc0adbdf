//! `diplosim schema`: the JSON Schema of scenario files, for editor completion and checking.

use crate::error::{Error, Result};
use crate::scenario::raw::RawFile;

/// The schema as pretty JSON with a final newline (also committed as `schema/scenario.schema.json`).
pub fn schema_json() -> Result<String> {
    let mut schema = schemars::schema_for!(RawFile);
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

pub fn schema() -> Result<i32> {
    print!("{}", schema_json()?);
    Ok(0)
}
