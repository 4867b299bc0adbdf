//! The per-actor and per-relation numbers a scenario sets, each defined once.
//!
//! `for_each_actor_key!` and `for_each_relation_key!` hold the only lists. A line is
//! `key: presence, bounds, "symbol", "meaning";`, where presence is `required` (a new actor must
//! give it), `default(x)` (x when left out, always written back), `sparse(x)` (x when left out,
//! written only when it differs: most pairs leave it out) or `optional` (absent unless given).
//! From a line come the field of the raw serde type (`scenario::raw`), the field of the resolved
//! type (`scenario::types`, `f64`, or `Option<f64>` for an optional key), and an entry of
//! [`ACTOR_KEYS`] or [`RELATION_KEYS`], which drives the range checks, the defaults of resolution,
//! `to_toml`, the merge of files and `--set`, `show` and `show --diff`, `report.html`'s scenario
//! tables and the JSON Schema. A test checks the README's rows against it. Adding a per-actor key
//! is adding a line here (and using it in the engine).

use super::raw::{RawActor, RawRelation};
use super::types::{Actor, Relation};
use crate::model::params::Bounds;

/// The per-actor numbers, in the order files, tables and `show` give them (a change of order
/// would change `scenario.resolved.toml` and so the scenario hash).
macro_rules! for_each_actor_key {
    ($then:ident) => {
        $then! {
            capability: required, open_low(0.0, 1.0), "c",
                "capability in (0, 1]: weight in others' influence and in threat";
            stance: required, closed(-1.0, 1.0), "s(0)",
                "initial stance on the issue in [-1, 1] (+1 supports), also the FJ anchor";
            salience: required, closed(0.0, 1.0), "σ",
                "salience in [0, 1]: how much the issue matters to the actor";
            stubbornness: default(0.5), closed(0.0, 1.0), "ρ",
                "stubbornness in [0, 1]: pull of the anchor (λ = 1 − ρ)";
            posture: default(1.0), closed(0.0, 1000.0), "p(0)",
                "initial military posture ≥ 0";
            reactivity: default(0.05), closed(0.0, 10.0), "k",
                "Richardson reactivity to perceived threat";
            fatigue: default(0.1), closed(0.0, 1.0), "m",
                "Richardson fatigue (decay of posture)";
            grievance: default(0.1), closed(0.0, 100.0), "g",
                "Richardson grievance (standing growth of posture)";
            self_weight: optional, closed(0.0, 1000.0), "w_ii",
                "explicit self weight of the actor's influence row (absent: the row is built from affinities)";
        }
    };
}
pub(crate) use for_each_actor_key;

/// The per-relation numbers (`from`'s view of `to`), in the order files give them (a change of
/// order would change `scenario.resolved.toml` and so the scenario hash of a file that sets
/// `influence`); tables show the optional ones last.
macro_rules! for_each_relation_key {
    ($then:ident) => {
        $then! {
            affinity: default(0.0), closed(-1.0, 1.0), "A(0)",
                "from's view of to in [-1, 1]";
            influence: optional, closed(0.0, 1000.0), "w_ij",
                "explicit influence weight ≥ 0 (absent: from affinity and capability)";
            compliance: sparse(0.0), closed(-1.0, 1.0), "compliance",
                "rule 7: how from answers to's pressure, in [-1, 1] (+1 gives way, −1 digs in)";
            leverage: sparse(0.0), closed(0.0, 1.0), "leverage",
                "economic leverage of from over to in [0, 1]: share of to's exports bought by from; economic measures need ≥ leverage_threshold";
            linkage: sparse(0.0), closed(0.0, 1.0), "linkage",
                "what to can offer from for its consent, in [0, 1] (codebook K3): to may buy off blocker from with a linked side payment only when it is > 0";
        }
    };
}
pub(crate) use for_each_relation_key;

/// The Rust type of a key's resolved value: `Option<f64>` for an optional key, else `f64`.
macro_rules! key_type {
    (optional) => { Option<f64> };
    ($presence:ident) => { f64 };
}
pub(crate) use key_type;

/// Whether a file must give a key, and what it is when left out.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Presence {
    /// A new actor must give it.
    Required,
    /// The value when left out; written back to files.
    Default(f64),
    /// The value when left out, which most entries keep: written back only when it differs.
    Sparse(f64),
    /// Absent unless given.
    Optional,
}

impl Presence {
    /// The value when a file leaves the key out.
    pub fn default(self) -> Option<f64> {
        match self {
            Presence::Default(x) | Presence::Sparse(x) => Some(x),
            Presence::Required | Presence::Optional => None,
        }
    }

    /// What a file written from a resolved value says (`to_toml`, `show`): a sparse key at its
    /// default is left out.
    pub fn written(self, v: Option<f64>) -> Option<f64> {
        match self {
            Presence::Sparse(d) => v.filter(|x| *x != d),
            _ => v,
        }
    }
}

/// A resolved value of a key: `f64`, or `Option<f64>` for an optional one.
pub trait KeyValue: Copy {
    /// The value of a checked raw entry: as given, else the default.
    fn resolve(raw: Option<f64>, p: Presence) -> Self;
    fn value(self) -> Option<f64>;
}

impl KeyValue for f64 {
    fn resolve(raw: Option<f64>, p: Presence) -> f64 {
        // A missing required key has been reported before resolution gets here.
        raw.or(p.default()).unwrap_or(0.0)
    }
    fn value(self) -> Option<f64> {
        Some(self)
    }
}

impl KeyValue for Option<f64> {
    fn resolve(raw: Option<f64>, _: Presence) -> Option<f64> {
        raw
    }
    fn value(self) -> Option<f64> {
        self
    }
}

/// One number of a vocabulary: its raw type `R` (a file's entry) and resolved type `T`.
pub struct Key<R: 'static, T: 'static> {
    pub key: &'static str,
    /// As in DESIGN.md's equations (`c`, `s(0)`, `σ`, …).
    pub symbol: &'static str,
    pub presence: Presence,
    pub bounds: Bounds,
    pub meaning: &'static str,
    /// The value a file's entry gives.
    pub raw: fn(&R) -> Option<f64>,
    /// The file entry's field.
    pub raw_mut: fn(&mut R) -> &mut Option<f64>,
    /// The resolved value (None: an optional key left out).
    pub get: fn(&T) -> Option<f64>,
    /// Resolve a file's value (None: left out) into the resolved entry.
    pub set: fn(&mut T, Option<f64>),
}

/// One per-actor number.
pub type ActorKey = Key<RawActor, Actor>;
/// One per-relation number.
pub type RelationKey = Key<RawRelation, Relation>;

impl<R, T> Key<R, T> {
    /// A value as tables print it: signed (`+0.4`) when the key's range has negative values.
    pub fn text(&self, v: f64) -> String {
        if self.bounds.min < 0.0 {
            format!("{v:+}")
        } else {
            v.to_string()
        }
    }

    /// The resolved value as a file written from it says it (None: left out).
    pub fn written(&self, entry: &T) -> Option<f64> {
        self.presence.written((self.get)(entry))
    }

    /// Take `over`'s value when it gives one (a later file, or `--set`).
    pub fn patch(&self, dst: &mut R, over: &R) {
        if let Some(v) = (self.raw)(over) {
            *(self.raw_mut)(dst) = Some(v);
        }
    }

    /// The sentence a schema or a help text gives: symbol, meaning, and what a missing key is.
    pub fn description(&self, required: &str) -> String {
        let presence = match self.presence {
            Presence::Required => required.to_string(),
            Presence::Default(x) | Presence::Sparse(x) => format!("Default {x}."),
            Presence::Optional => "Absent unless given.".to_string(),
        };
        if self.symbol == self.key {
            let mut chars = self.meaning.chars();
            let first: String = chars
                .next()
                .into_iter()
                .flat_map(char::to_uppercase)
                .collect();
            format!("{first}{}. {presence}", chars.as_str())
        } else {
            format!("{}: {}. {presence}", self.symbol, self.meaning)
        }
    }
}

macro_rules! presence {
    (required) => {
        Presence::Required
    };
    (optional) => {
        Presence::Optional
    };
    (default($x:expr)) => {
        Presence::Default($x)
    };
    (sparse($x:expr)) => {
        Presence::Sparse($x)
    };
}

macro_rules! key_table {
    ($name:ident: $raw:ty, $resolved:ty; $($key:ident: $p:ident $(($d:expr))?, $bounds:ident($lo:expr, $hi:expr), $symbol:literal, $meaning:literal;)*) => {
        pub const $name: &[Key<$raw, $resolved>] = &[$(
            Key {
                key: stringify!($key),
                symbol: $symbol,
                presence: presence!($p $(($d))?),
                bounds: Bounds::$bounds($lo, $hi),
                meaning: $meaning,
                raw: |r| r.$key,
                raw_mut: |r| &mut r.$key,
                get: |a| KeyValue::value(a.$key),
                set: |a, v| a.$key = KeyValue::resolve(v, presence!($p $(($d))?)),
            },
        )*];
    };
}

macro_rules! actor_table {
    ($($line:tt)*) => { key_table!(ACTOR_KEYS: RawActor, Actor; $($line)*); };
}
macro_rules! relation_table {
    ($($line:tt)*) => { key_table!(RELATION_KEYS: RawRelation, Relation; $($line)*); };
}

for_each_actor_key!(actor_table);
for_each_relation_key!(relation_table);

/// The keys in the order tables show them: the file's order, optional keys last.
pub fn shown_order<R, T>(keys: &'static [Key<R, T>]) -> impl Iterator<Item = &'static Key<R, T>> {
    let optional = |k: &&Key<R, T>| k.presence == Presence::Optional;
    keys.iter()
        .filter(move |k| !optional(k))
        .chain(keys.iter().filter(optional))
}

/// A number as tables and `show` print it: the value, or `-` when absent.
pub fn shown(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |x| x.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::unknown_keys::fields_of;

    /// The raw types' fields that are not numbers of the table.
    const ACTOR_OTHER: [&str; 5] = ["id", "name", "member_of", "source", "sources"];
    const RELATION_OTHER: [&str; 3] = ["from", "to", "source"];

    #[test]
    fn the_raw_types_hold_the_tables_numbers_in_table_order() {
        let numbers = |fields: &[&'static str], other: &[&str]| -> Vec<&'static str> {
            fields
                .iter()
                .copied()
                .filter(|f| !other.contains(f))
                .collect()
        };
        let listed: Vec<&str> = ACTOR_KEYS.iter().map(|k| k.key).collect();
        assert_eq!(numbers(fields_of::<RawActor>(), &ACTOR_OTHER), listed);
        let listed: Vec<&str> = RELATION_KEYS.iter().map(|k| k.key).collect();
        assert_eq!(numbers(fields_of::<RawRelation>(), &RELATION_OTHER), listed);
    }

    #[test]
    fn resolution_puts_in_the_documented_defaults() {
        // An actor giving only the required numbers gets the README's defaults (written out by hand).
        let raw = RawActor {
            capability: Some(0.3),
            stance: Some(-0.2),
            salience: Some(0.6),
            ..RawActor::default()
        };
        let mut a = Actor::default();
        for k in ACTOR_KEYS {
            (k.set)(&mut a, (k.raw)(&raw));
        }
        assert_eq!((a.capability, a.stance, a.salience), (0.3, -0.2, 0.6));
        assert_eq!(
            (
                a.stubbornness,
                a.posture,
                a.reactivity,
                a.fatigue,
                a.grievance
            ),
            (0.5, 1.0, 0.05, 0.1, 0.1)
        );
        assert_eq!(a.self_weight, None);
        // A relation giving only leverage: affinity and compliance 0, no explicit influence.
        let raw = RawRelation {
            leverage: Some(0.25),
            ..RawRelation::default()
        };
        let mut r = Relation::default();
        for k in RELATION_KEYS {
            (k.set)(&mut r, (k.raw)(&raw));
        }
        assert_eq!(
            (r.affinity, r.compliance, r.leverage, r.linkage),
            (0.0, 0.0, 0.25, 0.0)
        );
        assert_eq!(r.influence, None);
        // Written back (affinity, influence, compliance, leverage, linkage): affinity always, a
        // sparse key only off its default, an absent optional one never.
        let written: Vec<Option<f64>> = RELATION_KEYS.iter().map(|k| k.written(&r)).collect();
        assert_eq!(written, [Some(0.0), None, None, Some(0.25), None]);
    }

    #[test]
    fn patch_takes_only_what_the_later_file_gives() {
        let mut dst = RawActor {
            stance: Some(0.4),
            fatigue: Some(0.2),
            ..RawActor::default()
        };
        let over = RawActor {
            stance: Some(-0.1),
            ..RawActor::default()
        };
        for k in ACTOR_KEYS {
            k.patch(&mut dst, &over);
        }
        assert_eq!(
            (dst.stance, dst.fatigue, dst.capability),
            (Some(-0.1), Some(0.2), None)
        );
    }

    /// The README's `[[actor]]` and `[[relation]]` rows name every key; an actor key's entry
    /// gives its symbol, is bold when required and shows its default.
    #[test]
    fn the_readme_rows_list_every_key() {
        let readme = include_str!("../../README.md");
        let row = |table: &str| -> &str {
            let start = readme
                .find(&format!("| `[[{table}]]` |"))
                .unwrap_or_else(|| panic!("README has no [[{table}]] row"));
            &readme[start..start + readme[start..].find('\n').unwrap_or(0)]
        };
        let actor = row("actor");
        for k in ACTOR_KEYS {
            let name = format!("`{}`", k.key);
            let at = actor
                .find(&name)
                .unwrap_or_else(|| panic!("README's [[actor]] row lacks {name}"));
            let entry = &actor[at + name.len()..];
            let entry = &entry[..entry.find(", `").unwrap_or(entry.len())];
            assert!(
                entry.contains(k.symbol),
                "README: {name} without its symbol {}",
                k.symbol
            );
            match k.presence {
                Presence::Required => assert!(
                    actor[..at].ends_with("**"),
                    "README: required {name} not in bold"
                ),
                Presence::Default(d) | Presence::Sparse(d) => assert!(
                    entry.contains(&format!("({d:?}")),
                    "README: {name} without its default ({d:?})"
                ),
                Presence::Optional => assert!(
                    entry.contains("absent unless given"),
                    "README: optional {name} does not say it is absent unless given"
                ),
            }
        }
        let relation = row("relation");
        for k in RELATION_KEYS {
            assert!(
                relation.contains(&format!("`{}`", k.key)),
                "README's [[relation]] row lacks `{}`",
                k.key
            );
        }
    }
}
