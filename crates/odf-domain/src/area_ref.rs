//! [`AreaRef`]: the whole country (`nasional`) or one area code. Dashboards ask about either, and an
//! account's area is either (a Kemenkes viewer covers the whole country).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::area::{AreaCode, AreaCodeError};

/// The word for the whole country, in URLs, on the command line and in the users table.
pub const NASIONAL: &str = "nasional";

/// An area to ask about, or an account's area: the nation, or one area code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AreaRef {
    Nasional,
    Code(AreaCode),
}

impl From<AreaCode> for AreaRef {
    fn from(code: AreaCode) -> AreaRef {
        AreaRef::Code(code)
    }
}

impl AreaRef {
    /// Whether `other` is this area or lies under it. The nation contains everything; no area code
    /// contains the nation.
    pub fn contains(self, other: AreaRef) -> bool {
        match (self, other) {
            (AreaRef::Nasional, _) => true,
            (AreaRef::Code(_), AreaRef::Nasional) => false,
            (AreaRef::Code(outer), AreaRef::Code(inner)) => outer.contains(inner),
        }
    }

    /// The area code, or `None` for the nation: the "under this prefix, or everywhere" filter the
    /// store's queries take.
    pub fn code(self) -> Option<AreaCode> {
        match self {
            AreaRef::Nasional => None,
            AreaRef::Code(code) => Some(code),
        }
    }

    /// Hours ahead of UTC of the area's time zone (WIB, WITA or WIT, by province); the nation's
    /// day is Jakarta's (WIB).
    pub fn utc_offset_hours(self) -> i64 {
        match self {
            AreaRef::Nasional => 7,
            AreaRef::Code(code) => code.utc_offset_hours(),
        }
    }

    /// The calendar date at `at` in the area's time zone: the one day boundary of every date the
    /// coverage API takes or prints.
    pub fn local_date(self, at: DateTime<Utc>) -> NaiveDate {
        (at + Duration::hours(self.utc_offset_hours())).date_naive()
    }

    /// The last microsecond of `day` in the area's time zone; `None` past chrono's calendar.
    pub fn end_of_day(self, day: NaiveDate) -> Option<DateTime<Utc>> {
        let next = day.succ_opt()?.and_time(NaiveTime::MIN).and_utc();
        next.checked_sub_signed(Duration::hours(self.utc_offset_hours()) + Duration::microseconds(1))
    }
}

/// `nasional` (any case) or an area code such as `74.04`, as a dashboard URL would carry it.
impl FromStr for AreaRef {
    type Err = AreaCodeError;
    fn from_str(text: &str) -> Result<AreaRef, AreaCodeError> {
        if text.trim().eq_ignore_ascii_case(NASIONAL) {
            Ok(AreaRef::Nasional)
        } else {
            AreaCode::parse(text.trim()).map(AreaRef::Code)
        }
    }
}

impl fmt::Display for AreaRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AreaRef::Nasional => f.write_str(NASIONAL),
            AreaRef::Code(code) => code.fmt(f),
        }
    }
}

impl Serialize for AreaRef {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AreaRef {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area(text: &str) -> AreaRef {
        text.parse().unwrap()
    }

    #[test]
    fn the_nation_contains_every_area_and_no_area_contains_the_nation() {
        assert!(area("nasional").contains(area("74.04.11.2002")));
        assert!(area("Nasional").contains(area("nasional")));
        assert!(area("74").contains(area("74.04")));
        assert!(!area("74").contains(area("73.01")));
        assert!(!area("74").contains(area("nasional")));
    }

    #[test]
    fn it_reads_back_what_it_writes() {
        for text in ["nasional", "74", "74.04.11.2002"] {
            assert_eq!(area(text).to_string(), text);
            let json = serde_json::to_string(&area(text)).unwrap();
            assert_eq!(serde_json::from_str::<AreaRef>(&json).unwrap(), area(text));
        }
        assert_eq!(area("nasional").code(), None);
        assert!("indonesia".parse::<AreaRef>().is_err());
    }
}
