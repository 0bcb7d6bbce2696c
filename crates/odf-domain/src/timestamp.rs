//! The one timestamp format of the wire: RFC 3339 in UTC with exactly six fractional digits
//! (microseconds, the precision both databases keep), e.g. `2026-05-04T08:30:00.000000Z`.
//!
//! chrono's default writes as many digits as the value happens to need (none, 3, 6 or 9), so
//! values read back from the database and values fresh from the clock looked different. Use
//! `#[serde(with = "odf_domain::timestamp")]` (or `timestamp::option` for `Option`) on every
//! `DateTime<Utc>` that goes on the wire. Reading accepts any RFC 3339 timestamp.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serializer};

/// `at` in the wire format (digits past the microsecond are dropped, not rounded).
/// Month names as Indonesian dates write them ("4 Mei 2026"): certificates and the dashboard share
/// them, so a date reads the same on paper and on screen.
pub const INDONESIAN_MONTHS: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

pub fn format(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format(*at))
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    DateTime::<Utc>::deserialize(deserializer)
}

/// The same for `Option<DateTime<Utc>>` (`null` when absent).
pub mod option {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => serializer.serialize_str(&super::format(*at)),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<DateTime<Utc>>::deserialize(deserializer)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Row {
        #[serde(with = "crate::timestamp")]
        at: DateTime<Utc>,
        #[serde(with = "crate::timestamp::option", default)]
        maybe: Option<DateTime<Utc>>,
    }

    #[test]
    fn always_six_digits_and_any_rfc_3339_reads_back() {
        let whole = Utc.with_ymd_and_hms(2026, 5, 4, 8, 30, 0).unwrap();
        let nanos = whole + chrono::Duration::nanoseconds(123_456_789);
        let row = Row { at: whole, maybe: Some(nanos) };
        let json = serde_json::to_string(&row).unwrap();
        assert_eq!(json, r#"{"at":"2026-05-04T08:30:00.000000Z","maybe":"2026-05-04T08:30:00.123456Z"}"#);
        let back: Row = serde_json::from_str(r#"{"at":"2026-05-04T16:30:00+08:00","maybe":null}"#).unwrap();
        assert_eq!(back, Row { at: whole, maybe: None });
    }
}
