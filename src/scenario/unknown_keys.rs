//! Every unknown key of a file at once, each located, with a "did you mean" hint (serde stops at the
//! first).

use super::raw::{
    RawActor, RawFile, RawIssue, RawMeta, RawModel, RawObservation, RawQuestion, RawRelation,
    RawSensitivity, RawShock,
};
use super::source::SourceText;
use crate::error::{suggest, Diagnostic};
use serde::de::{DeserializeOwned, Deserializer, Visitor};

/// Keys each table accepts, in the order serde lists them, for reporting every unknown key of a
/// file at once (serde stops at the first). Read from the raw types themselves, so a key added
/// there is known here.
fn known_keys(table: &str) -> Option<&'static [&'static str]> {
    Some(match table {
        "" => fields_of::<RawFile>(),
        "sensitivity" => fields_of::<RawSensitivity>(),
        "scenario" => fields_of::<RawMeta>(),
        "model" => fields_of::<RawModel>(),
        "issue" => fields_of::<RawIssue>(),
        "actor" => fields_of::<RawActor>(),
        "relation" => fields_of::<RawRelation>(),
        "shock" => fields_of::<RawShock>(),
        "observation" => fields_of::<RawObservation>(),
        "question" => fields_of::<RawQuestion>(),
        _ => return None,
    })
}

/// The keys a raw struct accepts, in declaration order: the `fields` serde's derive passes to
/// `deserialize_struct`, caught by a deserializer that reads nothing (as `serde_aux` does).
pub(crate) fn fields_of<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Fields(&'static [&'static str]);
    impl<'de> Deserializer<'de> for &mut Fields {
        type Error = serde::de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(serde::de::Error::custom("only structs are introspected"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0 = fields;
            Err(serde::de::Error::custom("fields read"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
            ignored_any
        }
    }
    let mut f = Fields(&[]);
    let _ = T::deserialize(&mut f);
    f.0
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_keys_come_from_the_raw_types_in_file_order() {
        assert_eq!(
            known_keys("").unwrap(),
            [
                "scenario",
                "model",
                "issue",
                "actor",
                "relation",
                "shock",
                "election",
                "observation",
                "question",
                "sensitivity"
            ]
        );
        assert_eq!(
            known_keys("relation").unwrap(),
            [
                "from",
                "to",
                "affinity",
                "influence",
                "compliance",
                "leverage",
                "linkage",
                "source"
            ]
        );
        let model: Vec<&str> = crate::model::PARAM_SPECS.iter().map(|p| p.key).collect();
        assert_eq!(known_keys("model").unwrap(), model.as_slice());
        assert!(known_keys("nope").is_none());
    }
}
