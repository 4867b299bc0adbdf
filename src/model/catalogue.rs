//! The CAMEO / Goldstein event catalogue: the coded actions actors send each other, each with its
//! Goldstein weight and its base rate in the real record (rule 8).
//!
//! **Weights**: Goldstein (1992) as adapted to CAMEO by GDELT (`CAMEO.goldsteinscale.txt`).
//! **Base rates**: [`RECORD`], how often each code occurs among country-to-country events of the
//! Integrated Crisis Early Warning System (ICEWS). The catalogue is the original 30 codes plus the codes the
//! record needs: 032 (the fourth most frequent interstate code), 061, 100 and 161 (each about 0.7–0.8%
//! of the record), the 08x "yield" codes, the visible form of giving way to pressure, and (0.5) 162
//! "reduce or stop material aid", the second economic measure of CAMEO's 16x root beside 163.
//!
//! **Gates** ([`Gate`]): military codes need the sender's posture, "use force" a higher posture,
//! and economic measures the sender's economic leverage over the target (docs/model.md).

use serde::Serialize;

/// What the base rates count, for `show`, the README and every output that cites them.
pub const RECORD: &str = "ICEWS18 (Boschee et al., ICEWS Coded Event Data, Harvard Dataverse \
doi:10.7910/DVN/28075; the 29 Aug–31 Oct 2018 slice published with RE-Net, INK-USC/RE-Net \
data/ICEWS18 valid+test): the 9,188 events whose source and target are two different states, \
counted by CAMEO code (4-digit sub-codes in their 3-digit code)";

/// Events in [`RECORD`]: the denominator of every base rate.
pub const RECORD_EVENTS: u32 = 9188;

/// The four classes of the record (ICEWS/GDELT "quad classes", by CAMEO root code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventClass {
    /// Roots 01–05: statements, appeals, intentions, consultations, diplomatic cooperation.
    VerbalCooperation,
    /// Roots 06–08: material cooperation, aid, yielding.
    MaterialCooperation,
    /// Roots 09–13: investigation, demands, disapproval, rejection, threats.
    VerbalConflict,
    /// Roots 14–20: protest, force posture, reduced relations, coercion, assault, fighting.
    MaterialConflict,
}

impl EventClass {
    pub const ALL: [EventClass; 4] = [
        EventClass::VerbalCooperation,
        EventClass::MaterialCooperation,
        EventClass::VerbalConflict,
        EventClass::MaterialConflict,
    ];

    pub fn name(self) -> &'static str {
        match self {
            EventClass::VerbalCooperation => "verbal_cooperation",
            EventClass::MaterialCooperation => "material_cooperation",
            EventClass::VerbalConflict => "verbal_conflict",
            EventClass::MaterialConflict => "material_conflict",
        }
    }
}

/// What a code needs of its sender besides being chosen (0.5, docs/model.md, rule 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Gate {
    /// Open to every sender.
    Open,
    /// Threats and shows of force (138, 150): posture ≥ `escalation_threshold`.
    Military,
    /// Use of force and blockade (190, 191): posture ≥ `force_threshold`.
    Force,
    /// Economic measures (162, 163): leverage over the target ≥ `leverage_threshold`.
    Economic,
}

impl Gate {
    /// The gate of a CAMEO code.
    pub const fn of(code: &str) -> Gate {
        match code.as_bytes() {
            b"138" | b"150" => Gate::Military,
            b"190" | b"191" => Gate::Force,
            b"162" | b"163" => Gate::Economic,
            _ => Gate::Open,
        }
    }
}

/// One coded action of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Code {
    /// CAMEO code, e.g. `"111"`.
    pub code: &'static str,
    /// Short label, e.g. `"criticize or denounce"`.
    pub label: &'static str,
    /// Goldstein conflict–cooperation weight in [-10, 10].
    pub goldstein: f64,
    /// Events with this code in [`RECORD`] (of [`RECORD_EVENTS`]).
    pub record_count: u32,
}

impl Code {
    /// Rule 8's base rate f_k: the code's share of [`RECORD`]. A code the record slice has not
    /// seen (166 "expel or withdraw") counts as one event, so that it stays possible (assumption:
    /// a floor of 1/9,188; expulsions do occur in longer ICEWS spans).
    pub fn base_rate(&self) -> f64 {
        self.record_count.max(1) as f64 / RECORD_EVENTS as f64
    }

    /// What the code needs of its sender.
    pub fn gate(&self) -> Gate {
        Gate::of(self.code)
    }

    /// The record class of the code, from its CAMEO root (the first two digits).
    pub fn class(&self) -> EventClass {
        match self.code[..2].parse::<u8>().unwrap_or(0) {
            0..=5 => EventClass::VerbalCooperation,
            6..=8 => EventClass::MaterialCooperation,
            9..=13 => EventClass::VerbalConflict,
            _ => EventClass::MaterialConflict,
        }
    }
}

/// Goldstein weight at or below which an event is coercive (threats of force, shows of force,
/// sanctions, expulsions, blockades, force): what outputs and observations count as coercive. What
/// a sender needs to send one is its [`Gate`].
pub const COERCIVE: f64 = -7.0;

const fn code(code: &'static str, label: &'static str, goldstein: f64, record_count: u32) -> Code {
    Code {
        code,
        label,
        goldstein,
        record_count,
    }
}

/// The catalogue in CAMEO order: code, label, Goldstein weight, events in [`RECORD`].
pub const CATALOGUE: [Code; 39] = [
    code("010", "make statement", 0.0, 378),
    code("012", "pessimistic comment", -0.4, 63),
    code("013", "optimistic comment", 0.4, 97),
    code("019", "express accord", 3.4, 9),
    code("020", "appeal", 3.0, 152),
    code("030", "express intent to cooperate", 4.0, 656),
    code(
        "032",
        "express intent to cooperate diplomatically",
        4.5,
        618,
    ),
    code("036", "express intent to meet", 4.0, 646),
    code("040", "consult", 1.0, 1082),
    code("042", "make a visit", 1.9, 311),
    code("043", "host a visit", 2.8, 313),
    code("046", "engage in negotiation", 7.0, 286),
    code("050", "diplomatic cooperation", 3.5, 1155),
    code("051", "praise or endorse", 3.4, 370),
    code("057", "sign formal agreement", 8.0, 1073),
    code("061", "cooperate economically", 6.4, 73),
    code("062", "cooperate militarily", 7.4, 26),
    code("072", "provide military aid", 8.3, 20),
    code("080", "yield", 5.0, 7),
    code("081", "ease administrative sanctions", 5.0, 1),
    code("084", "return, release", 7.0, 7),
    code("085", "ease economic sanctions", 7.0, 5),
    code("100", "demand", -5.0, 71),
    code("111", "criticize or denounce", -2.0, 189),
    code("112", "accuse", -2.0, 213),
    code("114", "complain officially", -2.0, 10),
    code("120", "reject", -4.0, 92),
    code("125", "reject proposal to meet", -5.0, 9),
    code("130", "threaten", -4.4, 67),
    code("1312", "threaten sanctions", -5.8, 7),
    code("138", "threaten military force", -7.0, 13),
    code("150", "demonstrate military posture", -7.2, 16),
    code("160", "reduce relations", -4.0, 31),
    code("161", "reduce or break diplomatic relations", -4.0, 67),
    // 29 = 162 (6) + 1621 economic (11) + 1622 military (9) + 1623 humanitarian (3) assistance.
    code("162", "reduce or stop material aid", -5.6, 29),
    code("163", "impose embargo or sanctions", -8.0, 65),
    code("166", "expel or withdraw", -7.0, 0),
    code("190", "use conventional military force", -10.0, 127),
    code("191", "blockade", -9.5, 3),
];

/// Index of a CAMEO code in [`CATALOGUE`].
pub fn code_index(code: &str) -> Option<usize> {
    CATALOGUE.iter().position(|c| c.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_codes_are_unique_and_weights_in_range() {
        for (i, a) in CATALOGUE.iter().enumerate() {
            assert!((-10.0..=10.0).contains(&a.goldstein));
            for b in &CATALOGUE[i + 1..] {
                assert_ne!(a.code, b.code);
            }
        }
        // Coercive codes are exactly the six DESIGN.md names as needing escalation.
        let coercive: Vec<&str> = CATALOGUE
            .iter()
            .filter(|c| c.goldstein <= COERCIVE)
            .map(|c| c.code)
            .collect();
        assert_eq!(coercive, ["138", "150", "163", "166", "190", "191"]);
    }

    #[test]
    fn base_rates_are_the_record_shares() {
        // Consult: 1,082 of the record's 9,188 interstate events.
        let consult = &CATALOGUE[code_index("040").unwrap()];
        assert_eq!(consult.base_rate(), 1082.0 / 9188.0);
        // 166 was not seen: it counts as one event.
        assert_eq!(
            CATALOGUE[code_index("166").unwrap()].base_rate(),
            1.0 / 9188.0
        );
        // The catalogue covers 8,357 of the 9,188 events (91.0%).
        let covered: u32 = CATALOGUE.iter().map(|c| c.record_count).sum();
        assert_eq!(covered, 8357);
    }

    #[test]
    fn classes_follow_the_cameo_root() {
        let class = |c: &str| CATALOGUE[code_index(c).unwrap()].class();
        assert_eq!(class("057"), EventClass::VerbalCooperation);
        assert_eq!(class("085"), EventClass::MaterialCooperation);
        assert_eq!(class("100"), EventClass::VerbalConflict);
        assert_eq!(class("1312"), EventClass::VerbalConflict);
        assert_eq!(class("160"), EventClass::MaterialConflict);
        // The catalogue's base rates by class, by hand from the counts (8,358 with 166's floor of
        // one): 7,209 / 139 / 671 / 339, i.e. 86.25 / 1.66 / 8.03 / 4.06 %
        // (the record for the eight states of the baseline, ICEWS 2002–2014: 87.6 / 1.2 / 8.1 / 3.0).
        let total: f64 = CATALOGUE.iter().map(|c| c.base_rate()).sum();
        let share = |k: EventClass| {
            100.0
                * CATALOGUE
                    .iter()
                    .filter(|c| c.class() == k)
                    .map(|c| c.base_rate())
                    .sum::<f64>()
                / total
        };
        assert!((share(EventClass::VerbalCooperation) - 86.25).abs() < 0.01);
        assert!((share(EventClass::MaterialCooperation) - 1.66).abs() < 0.01);
        assert!((share(EventClass::VerbalConflict) - 8.03).abs() < 0.01);
        assert!((share(EventClass::MaterialConflict) - 4.06).abs() < 0.01);
    }
}
