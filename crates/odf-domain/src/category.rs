//! Household sanitation categories: the 2020-2024 ladder rung is what we record; the legacy STBM code
//! (JSP, JSSP, SHARING, BABS) is derived from it for old-style reports, and accepted as input.
//!
//! The mapping, and why:
//!
//! | ladder rung (recorded) | legacy code | access | why |
//! |---|---|---|---|
//! | Aman (safely managed)          | JSP     | yes | own toilet to a septic tank: the JSP definition |
//! | Layak Sendiri (basic, own)     | JSSP    | yes | own improved facility that is not (known to be) safely managed, e.g. a covered pit |
//! | Layak Bersama (limited, shared) | SHARING | yes | numpang: a shared or public latrine counts as access in STBM |
//! | Belum Layak (unimproved)       | JSSP    | yes | a simple latrine the household uses is "semi permanen" in the old scheme, and STBM pillar 1 counts any use of a latrine as no longer open defecation |
//! | BABS Tertutup (drains to open) | BABS    | no  | faeces reach open water or a field: still open defecation |
//! | BABS Terbuka (no facility)     | BABS    | no  | open defecation |
//!
//! A legacy code given as input maps to the rung that best matches it: JSP → Aman, JSSP → Layak
//! Sendiri, SHARING → Layak Bersama, BABS → BABS Terbuka. So legacy → rung → legacy is the identity,
//! and "counts as access" is the same whichever scheme a report uses.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The 2020-2024 sanitation ladder rung, aligned with the WHO/UNICEF JMP ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    Aman,
    LayakSendiri,
    LayakBersama,
    BelumLayak,
    BabsTertutup,
    BabsTerbuka,
}

/// The legacy STBM monitoring code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum LegacyCode {
    Jsp,
    Jssp,
    Sharing,
    Babs,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "kategori sanitasi {0:?} tidak dikenal; pakai JSP, JSSP, SHARING, BABS atau aman, layak_sendiri, layak_bersama, belum_layak, babs_tertutup, babs_terbuka (unknown sanitation category)"
)]
pub struct UnknownCategory(pub String);

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Aman,
        Category::LayakSendiri,
        Category::LayakBersama,
        Category::BelumLayak,
        Category::BabsTertutup,
        Category::BabsTerbuka,
    ];

    /// The stable machine name (also the wire and database value).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Aman => "aman",
            Category::LayakSendiri => "layak_sendiri",
            Category::LayakBersama => "layak_bersama",
            Category::BelumLayak => "belum_layak",
            Category::BabsTertutup => "babs_tertutup",
            Category::BabsTerbuka => "babs_terbuka",
        }
    }

    /// The label in Bahasa Indonesia.
    pub fn label(self) -> &'static str {
        match self {
            Category::Aman => "Akses Aman",
            Category::LayakSendiri => "Akses Layak Sendiri",
            Category::LayakBersama => "Akses Layak Bersama",
            Category::BelumLayak => "Akses Belum Layak",
            Category::BabsTertutup => "BABS Tertutup",
            Category::BabsTerbuka => "BABS Terbuka",
        }
    }

    pub fn legacy(self) -> LegacyCode {
        match self {
            Category::Aman => LegacyCode::Jsp,
            Category::LayakSendiri | Category::BelumLayak => LegacyCode::Jssp,
            Category::LayakBersama => LegacyCode::Sharing,
            Category::BabsTertutup | Category::BabsTerbuka => LegacyCode::Babs,
        }
    }

    /// Whether the household no longer defecates in the open (STBM pillar 1 access).
    pub fn has_access(self) -> bool {
        self.legacy().has_access()
    }

    pub fn is_babs(self) -> bool {
        !self.has_access()
    }

    /// Position in [`Category::ALL`], for per-category counters.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Accepts a rung's machine name (any case, `-` or space for `_`) or a legacy code.
    pub fn parse(text: &str) -> Result<Category, UnknownCategory> {
        let normal = text.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        if let Some(rung) = Category::ALL.into_iter().find(|c| c.as_str() == normal) {
            return Ok(rung);
        }
        LegacyCode::parse(text).map(LegacyCode::rung).ok_or_else(|| UnknownCategory(text.to_owned()))
    }
}

impl LegacyCode {
    pub const ALL: [LegacyCode; 4] =
        [LegacyCode::Jsp, LegacyCode::Jssp, LegacyCode::Sharing, LegacyCode::Babs];

    pub fn as_str(self) -> &'static str {
        match self {
            LegacyCode::Jsp => "JSP",
            LegacyCode::Jssp => "JSSP",
            LegacyCode::Sharing => "SHARING",
            LegacyCode::Babs => "BABS",
        }
    }

    pub fn has_access(self) -> bool {
        self != LegacyCode::Babs
    }

    /// The ladder rung recorded when a legacy code is given.
    pub fn rung(self) -> Category {
        match self {
            LegacyCode::Jsp => Category::Aman,
            LegacyCode::Jssp => Category::LayakSendiri,
            LegacyCode::Sharing => Category::LayakBersama,
            LegacyCode::Babs => Category::BabsTerbuka,
        }
    }

    pub fn parse(text: &str) -> Option<LegacyCode> {
        let upper = text.trim().to_ascii_uppercase();
        LegacyCode::ALL.into_iter().find(|c| c.as_str() == upper)
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for LegacyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Category {
    type Err = UnknownCategory;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Category::parse(s)
    }
}

impl Serialize for Category {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Category {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Category::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_codes_round_trip_through_their_rung() {
        for code in LegacyCode::ALL {
            assert_eq!(code.rung().legacy(), code);
            assert_eq!(code.rung().has_access(), code.has_access());
        }
    }

    #[test]
    fn only_the_two_babs_rungs_lack_access() {
        let without: Vec<_> = Category::ALL.into_iter().filter(|c| !c.has_access()).collect();
        assert_eq!(without, vec![Category::BabsTertutup, Category::BabsTerbuka]);
    }

    #[test]
    fn both_schemes_are_accepted_as_input() {
        assert_eq!(Category::parse("JSP"), Ok(Category::Aman));
        assert_eq!(Category::parse("sharing"), Ok(Category::LayakBersama));
        assert_eq!(Category::parse("Layak Sendiri"), Ok(Category::LayakSendiri));
        assert_eq!(Category::parse("babs-tertutup"), Ok(Category::BabsTertutup));
        assert!(Category::parse("jamban").is_err());
        let json: Category = serde_json::from_str("\"BABS\"").unwrap();
        assert_eq!(json, Category::BabsTerbuka);
        assert_eq!(serde_json::to_string(&Category::BelumLayak).unwrap(), "\"belum_layak\"");
    }
}
