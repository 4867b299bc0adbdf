//! The per-actor and per-relation numbers a scenario sets, each defined once: its key, the
//! symbol the model's equations use, its default (None: required, or absent unless given), how to
//! read it from a resolved actor or relation, and what it means. `report.html`'s scenario tables,
//! `show` and `show --diff`, and the defaults of resolution read this table; a test checks that
//! it lists every number the raw file types accept, so a key added there cannot be left out of
//! the report again.

use super::types::{Actor, Relation};

/// One per-actor number.
pub struct ActorKey {
    pub key: &'static str,
    /// As in DESIGN.md's equations (`c`, `s(0)`, `σ`, …).
    pub symbol: &'static str,
    /// The value when a file leaves it out; None for a required key or one absent unless given.
    pub default: Option<f64>,
    pub get: fn(&Actor) -> Option<f64>,
    pub meaning: &'static str,
}

/// One per-relation number.
pub struct RelationKey {
    pub key: &'static str,
    pub symbol: &'static str,
    pub default: Option<f64>,
    pub get: fn(&Relation) -> Option<f64>,
    pub meaning: &'static str,
}

/// Every per-actor number, in the order tables show them.
pub const ACTOR_KEYS: [ActorKey; 9] = [
    ActorKey {
        key: "capability",
        symbol: "c",
        default: None,
        get: |a| Some(a.capability),
        meaning: "capability in (0, 1]: weight in others' influence and in threat",
    },
    ActorKey {
        key: "stance",
        symbol: "s(0)",
        default: None,
        get: |a| Some(a.stance),
        meaning: "initial stance on the issue in [-1, 1] (+1 supports), also the FJ anchor",
    },
    ActorKey {
        key: "salience",
        symbol: "σ",
        default: None,
        get: |a| Some(a.salience),
        meaning: "salience in [0, 1]: how much the issue matters to the actor",
    },
    ActorKey {
        key: "stubbornness",
        symbol: "ρ",
        default: Some(0.5),
        get: |a| Some(a.stubbornness),
        meaning: "stubbornness in [0, 1]: pull of the anchor (λ = 1 − ρ)",
    },
    ActorKey {
        key: "posture",
        symbol: "p(0)",
        default: Some(1.0),
        get: |a| Some(a.posture),
        meaning: "initial military posture ≥ 0",
    },
    ActorKey {
        key: "reactivity",
        symbol: "k",
        default: Some(0.05),
        get: |a| Some(a.reactivity),
        meaning: "Richardson reactivity to perceived threat",
    },
    ActorKey {
        key: "fatigue",
        symbol: "m",
        default: Some(0.1),
        get: |a| Some(a.fatigue),
        meaning: "Richardson fatigue (decay of posture)",
    },
    ActorKey {
        key: "grievance",
        symbol: "g",
        default: Some(0.1),
        get: |a| Some(a.grievance),
        meaning: "Richardson grievance (standing growth of posture)",
    },
    ActorKey {
        key: "self_weight",
        symbol: "w_ii",
        default: None,
        get: |a| a.self_weight,
        meaning: "explicit self weight of the actor's influence row (absent: the row is built from affinities)",
    },
];

/// Every per-relation number, in the order tables show them.
pub const RELATION_KEYS: [RelationKey; 5] = [
    RelationKey {
        key: "affinity",
        symbol: "A(0)",
        default: None,
        get: |r| Some(r.affinity),
        meaning: "from's view of to in [-1, 1]",
    },
    RelationKey {
        key: "compliance",
        symbol: "compliance",
        default: Some(0.0),
        get: |r| Some(r.compliance),
        meaning: "rule 7: how from answers to's pressure, in [-1, 1] (+1 gives way, −1 digs in)",
    },
    RelationKey {
        key: "leverage",
        symbol: "leverage",
        default: Some(0.0),
        get: |r| Some(r.leverage),
        meaning: "economic leverage of from over to in [0, 1]: share of to's exports bought by from; economic measures need ≥ leverage_threshold",
    },
    RelationKey {
        key: "linkage",
        symbol: "linkage",
        default: Some(0.0),
        get: |r| Some(r.linkage),
        meaning: "what to can offer from for its consent, in [0, 1] (codebook K3): to may buy off blocker from with a linked side payment only when it is > 0",
    },
    RelationKey {
        key: "influence",
        symbol: "w_ij",
        default: None,
        get: |r| r.influence,
        meaning: "explicit influence weight ≥ 0 (absent: from affinity and capability)",
    },
];

/// The default of an optional actor key (0 for one without a default).
pub(crate) fn actor_default(key: &str) -> f64 {
    ACTOR_KEYS
        .iter()
        .find(|k| k.key == key)
        .and_then(|k| k.default)
        .unwrap_or(0.0)
}

/// A number as tables and `show` print it: the value, or `-` when absent.
pub fn shown(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |x| x.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::raw::{RawActor, RawRelation};
    use crate::scenario::unknown_keys::fields_of;

    /// The raw types' fields that are not numbers of the table.
    const ACTOR_OTHER: [&str; 5] = ["id", "name", "member_of", "source", "sources"];
    const RELATION_OTHER: [&str; 3] = ["from", "to", "source"];

    #[test]
    fn the_tables_list_every_number_a_file_may_set() {
        let actor: Vec<&str> = fields_of::<RawActor>()
            .iter()
            .copied()
            .filter(|f| !ACTOR_OTHER.contains(f))
            .collect();
        let listed: Vec<&str> = ACTOR_KEYS.iter().map(|k| k.key).collect();
        // The same keys, and the report shows them in the file's order.
        assert_eq!(actor, listed, "RawActor's numbers and ACTOR_KEYS differ");
        // The same keys (the table keeps the report's column order).
        let mut rel: Vec<&str> = fields_of::<RawRelation>()
            .iter()
            .copied()
            .filter(|f| !RELATION_OTHER.contains(f))
            .collect();
        let mut listed: Vec<&str> = RELATION_KEYS.iter().map(|k| k.key).collect();
        rel.sort_unstable();
        listed.sort_unstable();
        assert_eq!(
            rel, listed,
            "RawRelation's numbers and RELATION_KEYS differ"
        );
    }
}
