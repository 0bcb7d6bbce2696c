//! Kemendagri area codes: `PP` → `PP.KK` → `PP.KK.CC` → `PP.KK.CC.DDDD`.
//!
//! A code is stored as its four numeric segments, so it is `Copy`, cheap to compare, and sorts in
//! hierarchy order (a parent sorts right before its first child; absent segments are zero, and real
//! segments are never zero).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The four administrative levels of a Kemendagri code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Provinsi,
    Kabupaten,
    Kecamatan,
    Desa,
}

impl Level {
    /// Every level, from the top down.
    pub const ALL: [Level; 4] = [Level::Provinsi, Level::Kabupaten, Level::Kecamatan, Level::Desa];

    /// The word used in `wilayah.csv` and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Provinsi => "provinsi",
            Level::Kabupaten => "kabupaten",
            Level::Kecamatan => "kecamatan",
            Level::Desa => "desa",
        }
    }

    /// How many dot-separated segments a code of this level has.
    pub fn depth(self) -> usize {
        self as usize + 1
    }

    pub fn parse(s: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.as_str() == s)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of place a code names, finer than its level: a kabupaten or a kota, a desa, kelurahan or
/// desa adat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaKind {
    Provinsi,
    Kabupaten,
    Kota,
    Kecamatan,
    Desa,
    Kelurahan,
    DesaAdat,
}

impl AreaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AreaKind::Provinsi => "provinsi",
            AreaKind::Kabupaten => "kabupaten",
            AreaKind::Kota => "kota",
            AreaKind::Kecamatan => "kecamatan",
            AreaKind::Desa => "desa",
            AreaKind::Kelurahan => "kelurahan",
            AreaKind::DesaAdat => "desa adat",
        }
    }

    pub fn parse(s: &str) -> Option<AreaKind> {
        [
            AreaKind::Provinsi,
            AreaKind::Kabupaten,
            AreaKind::Kota,
            AreaKind::Kecamatan,
            AreaKind::Desa,
            AreaKind::Kelurahan,
            AreaKind::DesaAdat,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    pub fn level(self) -> Level {
        match self {
            AreaKind::Provinsi => Level::Provinsi,
            AreaKind::Kabupaten | AreaKind::Kota => Level::Kabupaten,
            AreaKind::Kecamatan => Level::Kecamatan,
            AreaKind::Desa | AreaKind::Kelurahan | AreaKind::DesaAdat => Level::Desa,
        }
    }
}

/// Why a string is not a valid area code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AreaCodeError {
    #[error("kode wilayah kosong (empty area code)")]
    Empty,
    #[error("kode wilayah {0:?} memiliki lebih dari 4 bagian (more than 4 segments)")]
    TooManySegments(String),
    #[error(
        "bagian ke-{segment} dari kode {code:?} harus {expected} digit angka (segment {segment} must be {expected} digits)"
    )]
    BadSegment { code: String, segment: usize, expected: usize },
    #[error("bagian ke-{segment} dari kode {code:?} tidak boleh nol (segment {segment} must not be zero)")]
    ZeroSegment { code: String, segment: usize },
}

/// A validated Kemendagri area code such as `74.04.11.2002`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AreaCode {
    provinsi: u8,
    kabupaten: u8,
    kecamatan: u8,
    desa: u16,
}

const SEGMENT_WIDTHS: [usize; 4] = [2, 2, 2, 4];

impl AreaCode {
    pub fn parse(s: &str) -> Result<AreaCode, AreaCodeError> {
        if s.is_empty() {
            return Err(AreaCodeError::Empty);
        }
        let mut values = [0u16; 4];
        let mut count = 0;
        for (index, segment) in s.split('.').enumerate() {
            if index >= 4 {
                return Err(AreaCodeError::TooManySegments(s.to_owned()));
            }
            let expected = SEGMENT_WIDTHS[index];
            let bad = || AreaCodeError::BadSegment { code: s.to_owned(), segment: index + 1, expected };
            if segment.len() != expected || !segment.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let value: u16 = segment.parse().map_err(|_| bad())?;
            if value == 0 {
                return Err(AreaCodeError::ZeroSegment { code: s.to_owned(), segment: index + 1 });
            }
            values[index] = value;
            count = index + 1;
        }
        debug_assert!(count >= 1);
        // Two-digit segments are at most 99, so they fit in a u8.
        let narrow = |v: u16| u8::try_from(v).unwrap_or(u8::MAX);
        Ok(AreaCode {
            provinsi: narrow(values[0]),
            kabupaten: narrow(values[1]),
            kecamatan: narrow(values[2]),
            desa: values[3],
        })
    }

    pub fn level(self) -> Level {
        if self.desa != 0 {
            Level::Desa
        } else if self.kecamatan != 0 {
            Level::Kecamatan
        } else if self.kabupaten != 0 {
            Level::Kabupaten
        } else {
            Level::Provinsi
        }
    }

    pub fn is_village(self) -> bool {
        self.level() == Level::Desa
    }

    /// The area one level up, or `None` for a province.
    pub fn parent(self) -> Option<AreaCode> {
        match self.level() {
            Level::Provinsi => None,
            Level::Kabupaten => Some(AreaCode { kabupaten: 0, ..self }),
            Level::Kecamatan => Some(AreaCode { kecamatan: 0, ..self }),
            Level::Desa => Some(AreaCode { desa: 0, ..self }),
        }
    }

    /// The ancestors from the province down, not including `self`.
    pub fn ancestors(self) -> Vec<AreaCode> {
        let mut chain = Vec::with_capacity(3);
        let mut current = self.parent();
        while let Some(code) = current {
            chain.push(code);
            current = code.parent();
        }
        chain.reverse();
        chain
    }

    /// This code truncated to `level`, or `None` when `level` is below this code's own level.
    pub fn at_level(self, level: Level) -> Option<AreaCode> {
        if level > self.level() {
            return None;
        }
        let mut code = self;
        if level < Level::Desa {
            code.desa = 0;
        }
        if level < Level::Kecamatan {
            code.kecamatan = 0;
        }
        if level < Level::Kabupaten {
            code.kabupaten = 0;
        }
        Some(code)
    }

    /// Whether `other` is this area or lies inside it.
    pub fn contains(self, other: AreaCode) -> bool {
        other.at_level(self.level()) == Some(self)
    }

    /// Hours ahead of UTC of the province's time zone: WITA (+8) for Bali, Nusa Tenggara, South
    /// and East Kalimantan and Sulawesi, WIT (+9) for Maluku and Papua, WIB (+7) elsewhere.
    pub fn utc_offset_hours(self) -> i64 {
        match self.provinsi {
            51..=53 | 63..=65 | 71..=76 => 8,
            81..=82 | 91..=99 => 9,
            _ => 7,
        }
    }

    /// The date at `at` in the area's time zone, so that a certificate issued in the evening in
    /// Papua, or a triggering recorded "today" there, carries the date the village saw.
    pub fn local_date(self, at: DateTime<Utc>) -> NaiveDate {
        (at + Duration::hours(self.utc_offset_hours())).date_naive()
    }

    /// For a kabupaten-level code: KK 71-99 is a kota, 01-69 a kabupaten.
    pub fn is_kota(self) -> Option<bool> {
        (self.level() >= Level::Kabupaten).then_some(self.kabupaten >= 70)
    }

    /// The kind implied by the code alone. A village code starting with 1 is a kelurahan, 2 a desa,
    /// 3 a desa adat (other leading digits are read as desa).
    pub fn implied_kind(self) -> AreaKind {
        match self.level() {
            Level::Provinsi => AreaKind::Provinsi,
            Level::Kabupaten if self.kabupaten >= 70 => AreaKind::Kota,
            Level::Kabupaten => AreaKind::Kabupaten,
            Level::Kecamatan => AreaKind::Kecamatan,
            Level::Desa => match self.desa / 1000 {
                1 => AreaKind::Kelurahan,
                3 => AreaKind::DesaAdat,
                _ => AreaKind::Desa,
            },
        }
    }

    /// The half-open range of codes strings at or under this area, for `code >= lo AND code < hi`
    /// queries on a text column (`74.04` → `74.04` .. `74.04/`, since `/` follows `.`).
    pub fn text_range(self) -> (String, String) {
        let code = self.to_string();
        let upper = format!("{code}/");
        (code, upper)
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.provinsi)?;
        if self.kabupaten != 0 {
            write!(f, ".{:02}", self.kabupaten)?;
        }
        if self.kecamatan != 0 {
            write!(f, ".{:02}", self.kecamatan)?;
        }
        if self.desa != 0 {
            write!(f, ".{:04}", self.desa)?;
        }
        Ok(())
    }
}

impl fmt::Debug for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AreaCode({self})")
    }
}

impl FromStr for AreaCode {
    type Err = AreaCodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AreaCode::parse(s)
    }
}

impl Serialize for AreaCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AreaCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        AreaCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_taken_in_the_provinces_time_zone() {
        let at = DateTime::parse_from_rfc3339("2026-05-04T16:30:00Z").unwrap().with_timezone(&Utc);
        let day = |code: &str| AreaCode::parse(code).unwrap().local_date(at).to_string();
        assert_eq!(day("31.71.01.1001"), "2026-05-04"); // Jakarta, WIB: 23:30
        assert_eq!(day("74.04.11.2002"), "2026-05-05"); // Buton, WITA: 00:30
        assert_eq!(day("94.01.01.2001"), "2026-05-05"); // Papua, WIT: 01:30
    }
    use proptest::prelude::*;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap()
    }

    #[test]
    fn a_village_code_knows_its_level_parent_and_ancestors() {
        let village = code("74.04.11.2002");
        assert_eq!(village.level(), Level::Desa);
        assert_eq!(village.parent(), Some(code("74.04.11")));
        assert_eq!(village.ancestors(), vec![code("74"), code("74.04"), code("74.04.11")]);
        assert_eq!(village.implied_kind(), AreaKind::Desa);
        assert_eq!(code("74.04.11.1005").implied_kind(), AreaKind::Kelurahan);
        assert_eq!(code("74").parent(), None);
    }

    #[test]
    fn kota_and_kabupaten_are_told_apart_by_their_number() {
        assert_eq!(code("74.71").is_kota(), Some(true));
        assert_eq!(code("74.04").is_kota(), Some(false));
        assert_eq!(code("74.71.01.1001").is_kota(), Some(true));
        assert_eq!(code("74").is_kota(), None);
        assert_eq!(code("74.72").implied_kind(), AreaKind::Kota);
    }

    #[test]
    fn bad_codes_are_errors_with_reasons() {
        assert_eq!(AreaCode::parse(""), Err(AreaCodeError::Empty));
        assert!(matches!(AreaCode::parse("7"), Err(AreaCodeError::BadSegment { segment: 1, .. })));
        assert!(matches!(AreaCode::parse("74.4"), Err(AreaCodeError::BadSegment { segment: 2, .. })));
        assert!(matches!(AreaCode::parse("74.04.11.202"), Err(AreaCodeError::BadSegment { segment: 4, .. })));
        assert!(matches!(AreaCode::parse("74.00"), Err(AreaCodeError::ZeroSegment { segment: 2, .. })));
        assert!(matches!(AreaCode::parse("74.04.11.2002.1"), Err(AreaCodeError::TooManySegments(_))));
        assert!(matches!(AreaCode::parse("74.0a"), Err(AreaCodeError::BadSegment { .. })));
        assert!(matches!(AreaCode::parse("74..01"), Err(AreaCodeError::BadSegment { .. })));
        assert!(matches!(AreaCode::parse("+7"), Err(AreaCodeError::BadSegment { .. })));
    }

    #[test]
    fn containment_follows_the_hierarchy() {
        assert!(code("74.04").contains(code("74.04.11.2002")));
        assert!(code("74.04").contains(code("74.04")));
        assert!(!code("74.04").contains(code("74.40.11.2002")));
        assert!(!code("74.04.11.2002").contains(code("74.04")));
    }

    #[test]
    fn the_text_range_brackets_exactly_the_descendants() {
        let (lo, hi) = code("74.04").text_range();
        for inside in ["74.04", "74.04.11", "74.04.11.2002", "74.04.99.3999"] {
            assert!(lo.as_str() <= inside && inside < hi.as_str(), "{inside}");
        }
        for outside in ["74.03.11", "74.05", "74.041", "75"] {
            assert!(!(lo.as_str() <= outside && outside < hi.as_str()), "{outside}");
        }
    }

    fn any_code() -> impl Strategy<Value = String> {
        (1u16..=99, 0u16..=99, 0u16..=99, 0u16..=9999, 1usize..=4).prop_map(|(p, k, c, d, depth)| {
            let k = k.max(1);
            let c = c.max(1);
            let d = d.max(1);
            let parts = [format!("{p:02}"), format!("{k:02}"), format!("{c:02}"), format!("{d:04}")];
            parts[..depth].join(".")
        })
    }

    proptest! {
        #[test]
        fn parsing_then_printing_gives_the_same_code(text in any_code()) {
            let parsed = AreaCode::parse(&text).unwrap();
            prop_assert_eq!(&parsed.to_string(), &text);
            prop_assert_eq!(parsed.level().depth(), text.split('.').count());
        }

        #[test]
        fn every_ancestor_contains_the_code_and_sorts_before_it(text in any_code()) {
            let parsed = AreaCode::parse(&text).unwrap();
            for ancestor in parsed.ancestors() {
                prop_assert!(ancestor.contains(parsed));
                prop_assert!(ancestor < parsed);
                prop_assert!(ancestor.level() < parsed.level());
            }
        }

        #[test]
        fn code_order_matches_text_order(a in any_code(), b in any_code()) {
            let (ca, cb) = (AreaCode::parse(&a).unwrap(), AreaCode::parse(&b).unwrap());
            prop_assert_eq!(ca.cmp(&cb), a.cmp(&b));
        }

        #[test]
        fn arbitrary_text_never_panics(text in ".{0,20}") {
            let _ = AreaCode::parse(&text);
        }
    }
}
