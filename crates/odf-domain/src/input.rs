//! The one rule per kind of field that every record and request is checked by, on the phone, on the
//! server and in the store alike, so that no backend or client can accept what another refuses.
//!
//! - **Text** ([`check_text`], [`check_optional_text`]): no control characters (NUL, escape, line
//!   breaks...) and no bidirectional overrides or marks; not blank and not made of invisible
//!   characters only when required; at most `max` characters. Control characters are refused rather
//!   than stripped because PostgreSQL cannot store NUL at all and a right-to-left override changes
//!   what a printed certificate appears to say.
//! - **Dates** ([`check_date`], [`check_day`]): no earlier than [`EARLIEST_DATE`] (the programme has
//!   no records before it; year 1 or negative years are typing or clock errors that would rewrite
//!   past figures), no later than now plus the allowed clock skew.
//! - **Ids**: UUIDs, checked where each record is (not here).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use thiserror::Error;

/// The earliest date a visit, status change or query may name.
pub const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(date) => date,
    None => panic!("2000-01-01 is a date"),
};
/// The latest day a query may name: far enough ahead for any plan, small enough for every library.
pub const LATEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2100, 12, 31) {
    Some(date) => date,
    None => panic!("2100-12-31 is a date"),
};

/// Longest free text (a reason, a note): long enough for a paragraph, short enough that thirty of
/// them cannot make a response of megabytes.
pub const MAX_FREE_TEXT: usize = 1000;
/// Longest reason of a status change: a free text with a short prefix (such as "piagam N dicabut: ").
pub const MAX_STATUS_REASON: usize = MAX_FREE_TEXT + 100;
/// Longest name or position of a person, as printed on a certificate.
pub const MAX_PERSON_TEXT: usize = 120;

/// Why a field is refused. `code()` is the stable machine code used on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum FieldError {
    #[error("kolom {field} wajib diisi (field is required)")]
    Missing { field: &'static str },
    #[error("kolom {field} terlalu panjang, paling banyak {max} karakter (field too long)")]
    TooLong { field: &'static str, max: usize },
    #[error(
        "kolom {field} berisi karakter kontrol, pengarah teks atau hanya karakter tak terlihat (control, bidi or invisible-only characters)"
    )]
    BadCharacter { field: &'static str },
    #[error("tanggal {field} sebelum {EARLIEST_DATE} (date too early)")]
    TooEarly { field: &'static str },
    #[error("tanggal {field} ada di masa depan (date in the future)")]
    InTheFuture { field: &'static str },
}

impl FieldError {
    pub fn code(&self) -> &'static str {
        match self {
            FieldError::Missing { .. } => "field_missing",
            FieldError::TooLong { .. } => "field_too_long",
            FieldError::BadCharacter { .. } => "field_bad_character",
            FieldError::TooEarly { .. } => "date_too_early",
            FieldError::InTheFuture { .. } => "date_in_future",
        }
    }

    /// The field at fault.
    pub fn field(&self) -> &'static str {
        match self {
            FieldError::Missing { field }
            | FieldError::TooLong { field, .. }
            | FieldError::BadCharacter { field }
            | FieldError::TooEarly { field }
            | FieldError::InTheFuture { field } => field,
        }
    }
}

/// Bidirectional formatting characters: they reorder what is displayed without being seen.
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that take no visible space: a name made of these only looks blank.
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200D}'
                | '\u{2060}'..='\u{2064}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
        )
}

/// True when `text` holds a character no text field may hold (what the door refuses).
pub fn has_forbidden_character(text: &str) -> bool {
    text.chars().any(|c| c.is_control() || is_bidi(c))
}

/// The text rule for a required field.
pub fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), FieldError> {
    if has_forbidden_character(value) {
        return Err(FieldError::BadCharacter { field });
    }
    if value.trim().is_empty() {
        return Err(FieldError::Missing { field });
    }
    if value.chars().all(is_invisible) {
        return Err(FieldError::BadCharacter { field });
    }
    if value.chars().count() > max {
        return Err(FieldError::TooLong { field, max });
    }
    Ok(())
}

/// The text rule for an optional field: absent or blank is fine; anything else as [`check_text`].
pub fn check_optional_text(field: &'static str, value: Option<&str>, max: usize) -> Result<(), FieldError> {
    match value {
        Some(text) if !text.trim().is_empty() || has_forbidden_character(text) => {
            check_text(field, text, max)
        }
        _ => Ok(()),
    }
}

/// The date rule for a moment: from [`EARLIEST_DATE`] to `now + skew`.
pub fn check_date(
    field: &'static str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    skew: Duration,
) -> Result<(), FieldError> {
    if at.date_naive() < EARLIEST_DATE {
        return Err(FieldError::TooEarly { field });
    }
    if at > now + skew {
        return Err(FieldError::InTheFuture { field });
    }
    Ok(())
}

/// The date rule for a day named in a query: from [`EARLIEST_DATE`] to [`LATEST_DATE`].
pub fn check_day(field: &'static str, day: NaiveDate) -> Result<(), FieldError> {
    if day < EARLIEST_DATE {
        return Err(FieldError::TooEarly { field });
    }
    if day > LATEST_DATE {
        return Err(FieldError::InTheFuture { field });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_with_control_bidi_or_only_invisible_characters_is_refused() {
        for bad in ["La\0Ode", "\u{202E}dimaH", "\u{200B}\u{200B}", "\u{1b}[31mMerah", "a\nb", "\u{2066}x"] {
            assert_eq!(
                check_text("head_name", bad, 120).unwrap_err().code(),
                "field_bad_character",
                "{bad:?}"
            );
        }
        assert_eq!(check_text("head_name", "  ", 120).unwrap_err().code(), "field_missing");
        assert_eq!(check_text("head_name", "Wa Ode Sitti", 120), Ok(()));
        assert_eq!(check_text("head_name", "Ñoño Ḥamid", 120), Ok(()));
        assert_eq!(check_text("x", &"a".repeat(121), 120).unwrap_err().code(), "field_too_long");
    }

    #[test]
    fn optional_text_may_be_blank_but_not_hostile() {
        assert_eq!(check_optional_text("rt", None, 60), Ok(()));
        assert_eq!(check_optional_text("rt", Some(""), 60), Ok(()));
        assert_eq!(
            check_optional_text("rt", Some("\0").map(|s| s as &str), 60).unwrap_err().code(),
            "field_bad_character"
        );
        assert_eq!(
            check_optional_text("rt", Some("\u{FEFF}"), 60).unwrap_err().code(),
            "field_bad_character"
        );
    }

    #[test]
    fn dates_must_fall_in_the_plausible_window() {
        let now = Utc::now();
        let skew = Duration::minutes(10);
        let old = DateTime::parse_from_rfc3339("1900-01-01T00:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(check_date("visited_at", old, now, skew).unwrap_err().code(), "date_too_early");
        assert_eq!(
            check_date("visited_at", now + Duration::hours(1), now, skew).unwrap_err().code(),
            "date_in_future"
        );
        assert_eq!(check_date("visited_at", now, now, skew), Ok(()));
        assert!(check_day("to", NaiveDate::from_ymd_opt(1999, 12, 31).unwrap()).is_err());
        assert!(check_day("to", NaiveDate::from_ymd_opt(2101, 1, 1).unwrap()).is_err());
        assert!(check_day("to", NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).is_ok());
    }
}
