//! Certificate numbers: `ODF/<kabupaten code>/<year>/<sequence>`, e.g. `ODF/74.04/2026/0007`.
//!
//! A number is unique per kabupaten/kota and year: the store allocates the sequence (1, 2, 3, ... for
//! each kabupaten and year); this module only formats and parses. The sequence is printed with at
//! least four digits. Each number has exactly one spelling, so the text can be a database key.

use std::fmt;
use std::str::FromStr;

use odf_domain::{AreaCode, Level};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The first segment of every number.
pub const PREFIX: &str = "ODF";

/// Why a certificate number is invalid. `code()` is the stable machine code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NumberError {
    #[error("nomor piagam {0:?} tidak sesuai format ODF/PP.KK/TTTT/NNNN (certificate number is malformed)")]
    Malformed(String),
    #[error("kode {0} bukan kode kabupaten/kota (not a kabupaten/kota code)")]
    NotAKabupaten(AreaCode),
    #[error("tahun {0} di luar rentang 2000-9999 (year out of range)")]
    YearOutOfRange(i32),
    #[error("nomor urut piagam dimulai dari 1 (sequence starts at 1)")]
    ZeroSequence,
}

impl NumberError {
    pub fn code(&self) -> &'static str {
        match self {
            NumberError::Malformed(_) => "certificate_number_malformed",
            NumberError::NotAKabupaten(_) => "certificate_number_not_kabupaten",
            NumberError::YearOutOfRange(_) => "certificate_number_year_out_of_range",
            NumberError::ZeroSequence => "certificate_number_zero_sequence",
        }
    }
}

/// A certificate number: kabupaten/kota, year of issue, sequence within both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CertificateNumber {
    kabupaten: AreaCode,
    year: u16,
    sequence: u32,
}

impl CertificateNumber {
    pub fn new(kabupaten: AreaCode, year: i32, sequence: u32) -> Result<CertificateNumber, NumberError> {
        if kabupaten.level() != Level::Kabupaten {
            return Err(NumberError::NotAKabupaten(kabupaten));
        }
        let year = u16::try_from(year)
            .ok()
            .filter(|y| (2000..=9999).contains(y))
            .ok_or(NumberError::YearOutOfRange(year))?;
        if sequence == 0 {
            return Err(NumberError::ZeroSequence);
        }
        Ok(CertificateNumber { kabupaten, year, sequence })
    }

    /// Parses the canonical spelling only (e.g. `ODF/74.04/2026/0007`, not `ODF/74.04/2026/7`).
    pub fn parse(text: &str) -> Result<CertificateNumber, NumberError> {
        let malformed = || NumberError::Malformed(text.to_owned());
        let parts: Vec<&str> = text.split('/').collect();
        let [prefix, kabupaten, year, sequence] = parts.as_slice() else { return Err(malformed()) };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if *prefix != PREFIX || year.len() != 4 || !digits(year) || !digits(sequence) {
            return Err(malformed());
        }
        let kabupaten = AreaCode::parse(kabupaten).map_err(|_| malformed())?;
        let year: i32 = year.parse().map_err(|_| malformed())?;
        let sequence: u32 = sequence.parse().map_err(|_| malformed())?;
        let number = CertificateNumber::new(kabupaten, year, sequence)?;
        if number.to_string() != text {
            return Err(malformed());
        }
        Ok(number)
    }

    pub fn kabupaten(&self) -> AreaCode {
        self.kabupaten
    }

    pub fn year(&self) -> i32 {
        i32::from(self.year)
    }

    pub fn sequence(&self) -> u32 {
        self.sequence
    }
}

impl fmt::Display for CertificateNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}/{}/{:04}/{:04}", self.kabupaten, self.year, self.sequence)
    }
}

impl FromStr for CertificateNumber {
    type Err = NumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CertificateNumber::parse(s)
    }
}

impl Serialize for CertificateNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CertificateNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        CertificateNumber::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn buton() -> AreaCode {
        AreaCode::parse("74.04").unwrap()
    }

    #[test]
    fn a_number_formats_with_a_four_digit_sequence_and_parses_back() {
        let number = CertificateNumber::new(buton(), 2026, 7).unwrap();
        assert_eq!(number.to_string(), "ODF/74.04/2026/0007");
        assert_eq!(CertificateNumber::parse("ODF/74.04/2026/0007"), Ok(number));
        let big = CertificateNumber::new(buton(), 2026, 12_345).unwrap();
        assert_eq!(big.to_string(), "ODF/74.04/2026/12345");
        assert_eq!(big.to_string().parse(), Ok(big));
        assert_eq!((big.kabupaten(), big.year(), big.sequence()), (buton(), 2026, 12_345));
    }

    #[test]
    fn only_the_canonical_spelling_parses() {
        for text in [
            "ODF/74.04/2026/7",
            "ODF/74.04/2026/00007",
            "odf/74.04/2026/0007",
            "ODF/74.4/2026/0007",
            "ODF/74.04/26/0007",
            "ODF/74.04/2026/0007/1",
            "ODF/74.04/2026/+007",
            "",
        ] {
            assert_eq!(
                CertificateNumber::parse(text).unwrap_err().code(),
                "certificate_number_malformed",
                "{text}"
            );
        }
    }

    #[test]
    fn the_area_must_be_a_kabupaten_and_the_sequence_positive() {
        let village = AreaCode::parse("74.04.11.2002").unwrap();
        assert_eq!(
            CertificateNumber::new(village, 2026, 1).unwrap_err().code(),
            "certificate_number_not_kabupaten"
        );
        assert_eq!(
            CertificateNumber::new(buton(), 2026, 0).unwrap_err().code(),
            "certificate_number_zero_sequence"
        );
        assert_eq!(
            CertificateNumber::new(buton(), 1999, 1).unwrap_err().code(),
            "certificate_number_year_out_of_range"
        );
        assert_eq!(
            CertificateNumber::parse("ODF/74/2026/0001").unwrap_err().code(),
            "certificate_number_not_kabupaten"
        );
    }

    #[test]
    fn numbers_serialise_as_their_text() {
        let number = CertificateNumber::new(buton(), 2026, 7).unwrap();
        assert_eq!(serde_json::to_string(&number).unwrap(), "\"ODF/74.04/2026/0007\"");
        assert_eq!(serde_json::from_str::<CertificateNumber>("\"ODF/74.04/2026/0007\"").unwrap(), number);
    }
}
