//! `diplosim schema` is the committed schema, and every shipped scenario validates against it
//! (with a small validator for the keywords the schema uses; `pattern` is checked by the loader).

use crate::util::root;
use serde_json::Value;

fn resolve<'a>(root: &'a Value, s: &'a Value) -> &'a Value {
    match s.get("$ref").and_then(|r| r.as_str()) {
        Some(r) => {
            let name = r.trim_start_matches("#/$defs/");
            &root["$defs"][name]
        }
        None => s,
    }
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        _ => false,
    }
}

fn validate(root: &Value, schema: &Value, v: &Value, path: &str, errs: &mut Vec<String>) {
    let s = resolve(root, schema);
    if let Some(any) = s.get("anyOf").and_then(|a| a.as_array()) {
        let results: Vec<Vec<String>> = any
            .iter()
            .map(|alt| {
                let mut e = Vec::new();
                validate(root, alt, v, path, &mut e);
                e
            })
            .collect();
        if !results.iter().any(|e| e.is_empty()) {
            // Report why the first alternative (the table, not `null`) failed.
            errs.extend(results.into_iter().next().unwrap_or_default());
        }
        return;
    }
    match s.get("type") {
        Some(Value::String(t)) if !type_ok(t, v) => errs.push(format!("{path}: not {t}")),
        Some(Value::Array(ts)) if !ts.iter().any(|t| type_ok(t.as_str().unwrap_or(""), v)) => {
            errs.push(format!("{path}: not any of {ts:?}"))
        }
        _ => {}
    }
    if let Some(x) = v.as_f64() {
        if s.get("minimum")
            .and_then(|m| m.as_f64())
            .is_some_and(|m| x < m)
        {
            errs.push(format!("{path}: {x} below minimum"));
        }
        if s.get("maximum")
            .and_then(|m| m.as_f64())
            .is_some_and(|m| x > m)
        {
            errs.push(format!("{path}: {x} above maximum"));
        }
        if s.get("exclusiveMinimum")
            .and_then(|m| m.as_f64())
            .is_some_and(|m| x <= m)
        {
            errs.push(format!("{path}: {x} not above exclusiveMinimum"));
        }
    }
    if let Some(e) = s.get("enum").and_then(|e| e.as_array()) {
        if !v.is_null() && !e.contains(v) {
            errs.push(format!("{path}: {v} not in enum"));
        }
    }
    if let (Some(obj), true) = (
        v.as_object(),
        s.get("properties").is_some() || s.get("additionalProperties").is_some(),
    ) {
        let props = s.get("properties").and_then(|p| p.as_object());
        for (k, val) in obj {
            match props.and_then(|p| p.get(k)) {
                Some(ps) => validate(root, ps, val, &format!("{path}.{k}"), errs),
                None => match s.get("additionalProperties") {
                    Some(Value::Bool(false)) => errs.push(format!("{path}: unknown key {k}")),
                    Some(ap @ Value::Object(_)) => {
                        validate(root, ap, val, &format!("{path}.{k}"), errs)
                    }
                    _ => {}
                },
            }
        }
        for r in s
            .get("required")
            .and_then(|r| r.as_array())
            .into_iter()
            .flatten()
        {
            if !obj.contains_key(r.as_str().unwrap_or("")) {
                errs.push(format!("{path}: missing {r}"));
            }
        }
    }
    if let (Some(items), Some(arr)) = (s.get("items"), v.as_array()) {
        for (i, x) in arr.iter().enumerate() {
            validate(root, items, x, &format!("{path}[{i}]"), errs);
        }
    }
}

fn schema() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/scenario.schema.json")).unwrap(),
    )
    .unwrap()
}

fn check(text: &str) -> Vec<String> {
    let toml_value: toml::Value = toml::from_str(text).unwrap();
    let json = serde_json::to_value(&toml_value).unwrap();
    let s = schema();
    let mut errs = Vec::new();
    validate(&s, &s, &json, "", &mut errs);
    errs
}

#[test]
fn the_schema_command_prints_the_committed_schema() {
    let printed = diplosim::cli::schema::schema_json().unwrap();
    let committed = std::fs::read_to_string(root().join("schema/scenario.schema.json")).unwrap();
    assert!(printed == committed, "schema/scenario.schema.json is stale: run `cargo run -- schema > schema/scenario.schema.json`");
}

#[test]
fn shipped_scenarios_validate_against_the_schema() {
    let mut n = 0;
    let files = std::fs::read_dir(root().join("scenarios"))
        .unwrap()
        .chain(std::fs::read_dir(root().join("cases")).unwrap());
    for e in files {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) != Some("toml") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(
            text.starts_with("#:schema ../schema/scenario.schema.json"),
            "{}",
            p.display()
        );
        let errs = check(&text);
        assert!(errs.is_empty(), "{}: {errs:?}", p.display());
        n += 1;
    }
    assert!(n >= 16, "{n} files: the scenarios and the cases");
}

#[test]
fn the_schema_catches_what_the_loader_catches() {
    // The validator is not vacuous: typos, ranges and bad enums are reported.
    let errs = check("[model]\nnois = 0.1\n[[actor]]\nid = \"x\"\ncapability = 1.5\n[[shock]]\nkind = \"stnace\"\n");
    assert!(
        errs.iter().any(|e| e.contains("unknown key nois")),
        "{errs:?}"
    );
    assert!(
        errs.iter()
            .any(|e| e.contains("actor[0].capability: 1.5 above maximum")),
        "{errs:?}"
    );
    assert!(errs.iter().any(|e| e.contains("shock[0].kind")), "{errs:?}");
    let errs = check("[[actor]]\nid = \"x\"\ncapability = 0.0\n");
    assert!(
        errs.iter().any(|e| e.contains("exclusiveMinimum")),
        "{errs:?}"
    );
}
