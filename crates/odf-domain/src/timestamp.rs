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

/// [`format`] appended to `out` without allocating: exports write millions of these. Years
/// outside 0000–9999 and leap seconds, which the fixed layout cannot hold, go through [`format`].
pub fn push(at: DateTime<Utc>, out: &mut Vec<u8>) {
    use chrono::{Datelike, Timelike};
    let (year, nanos) = (at.year(), at.nanosecond());
    let Ok(year) = u32::try_from(year) else {
        return out.extend_from_slice(format(at).as_bytes());
    };
    if year > 9999 || nanos >= 1_000_000_000 {
        return out.extend_from_slice(format(at).as_bytes());
    }
    let mut buf = *b"0000-00-00T00:00:00.000000Z";
    let mut put = |at: usize, width: usize, mut value: u32| {
        for i in (at..at + width).rev() {
            // `value % 10` is a single digit: the cast cannot truncate.
            buf[i] = b'0' + (value % 10) as u8;
            value /= 10;
        }
    };
    put(0, 4, year);
    put(5, 2, at.month());
    put(8, 2, at.day());
    put(11, 2, at.hour());
    put(14, 2, at.minute());
    put(17, 2, at.second());
    put(20, 6, nanos / 1_000);
    out.extend_from_slice(&buf);
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
    fn push_writes_what_format_writes() {
        let cases = [
            Utc.with_ymd_and_hms(2026, 5, 4, 8, 30, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 59).unwrap()
                + chrono::Duration::nanoseconds(123_456_789),
            Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::microseconds(7),
            Utc.with_ymd_and_hms(12_345, 6, 7, 8, 9, 10).unwrap(),
            Utc.with_ymd_and_hms(-44, 3, 15, 12, 0, 0).unwrap(),
            DateTime::from_timestamp(1_483_228_799, 1_500_000_000).unwrap(),
        ];
        for at in cases {
            let mut out = b"x".to_vec();
            push(at, &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), format!("x{}", format(at)));
        }
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
