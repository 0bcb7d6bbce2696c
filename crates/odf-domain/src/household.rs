//! Households (KK) and the visits that record their sanitation.
//!
//! Every record carries a client-made UUID (any RFC 9562 version, v7 recommended), so a phone can
//! create it offline and a retried sync can never store it twice. A visit is a fact: appended, never edited; a correction is a new visit.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

use crate::area::AreaCode;
use crate::category::Category;
use crate::gps::GeoPoint;
use crate::input::{self, FieldError};

/// How far in the future a visit time may be, to allow for phone clocks that run a little fast.
pub const DEFAULT_CLOCK_SKEW: Duration = Duration::minutes(10);
/// Limits that keep one record small.
pub const MAX_NAME_LEN: usize = 120;
pub const MAX_UNIT_LEN: usize = 60;
pub const MAX_DEVICE_LEN: usize = 100;
pub const MAX_KK_PER_HOUSE: u16 = 50;

/// A household (rumah tangga) as registered by a sanitarian.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Household {
    pub id: Uuid,
    pub village: AreaCode,
    /// Name of the head of family (kepala keluarga).
    pub head_name: String,
    /// Number of family units (KK) living in the house.
    pub kk_count: u16,
    #[serde(default)]
    pub dusun: Option<String>,
    #[serde(default)]
    pub rw: Option<String>,
    #[serde(default)]
    pub rt: Option<String>,
    #[serde(default)]
    pub gps: Option<GeoPoint>,
}

/// Answers to the household checklist seen at verification; `None` is "not asked".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checklist {
    /// The toilet has a lid or water seal.
    #[serde(default)]
    pub closed_toilet: Option<bool>,
    /// The pit is more than 10 m from a dug well, or watertight.
    #[serde(default)]
    pub safe_from_well: Option<bool>,
    #[serde(default)]
    pub strong_slab: Option<bool>,
    /// Infant and elderly faeces go into the toilet.
    #[serde(default)]
    pub child_faeces_safe: Option<bool>,
    #[serde(default)]
    pub all_members_use: Option<bool>,
    #[serde(default)]
    pub water_and_soap: Option<bool>,
    /// No faeces around the house, garden or river.
    #[serde(default)]
    pub no_faeces_around: Option<bool>,
}

impl Checklist {
    fn answers(&self) -> [Option<bool>; 7] {
        [
            self.closed_toilet,
            self.safe_from_well,
            self.strong_slab,
            self.child_faeces_safe,
            self.all_members_use,
            self.water_and_soap,
            self.no_faeces_around,
        ]
    }

    /// Every item asked and answered yes.
    pub fn all_pass(&self) -> bool {
        self.answers().iter().all(|a| *a == Some(true))
    }

    /// Items answered no.
    pub fn failures(&self) -> usize {
        self.answers().iter().filter(|a| **a == Some(false)).count()
    }
}

/// One visit to a household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Visit {
    pub id: Uuid,
    pub household_id: Uuid,
    /// Username of the sanitarian (or verifier) who made the visit.
    pub sanitarian: String,
    pub visited_at: DateTime<Utc>,
    pub category: Category,
    #[serde(default)]
    pub checklist: Checklist,
    #[serde(default)]
    pub gps: Option<GeoPoint>,
    /// Lowercase hex SHA-256 of the photo taken, if any (the photo itself travels separately).
    #[serde(default)]
    pub photo_sha256: Option<String>,
    pub device_id: String,
}

/// Why a record is invalid. `code()` is the stable machine code used on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RecordError {
    #[error(
        "{field} {id} bukan UUID yang sah: pakai UUID RFC 9562, sebaiknya versi 7, bukan nil atau max \
         ({field} must be an RFC 9562 UUID, preferably v7, not the nil or max UUID)"
    )]
    InvalidId { field: &'static str, id: Uuid },
    #[error("kode {0} bukan kode desa/kelurahan (not a village code)")]
    NotAVillage(AreaCode),
    #[error("kolom {field} wajib diisi (field is required)")]
    Missing { field: &'static str },
    #[error("kolom {field} terlalu panjang, paling banyak {max} karakter (field too long)")]
    TooLong { field: &'static str, max: usize },
    #[error("jumlah KK harus 1 sampai {MAX_KK_PER_HOUSE} (kk_count out of range)")]
    KkOutOfRange,
    #[error("waktu kunjungan {0} ada di masa depan (visit time is in the future)")]
    InTheFuture(DateTime<Utc>),
    #[error(
        "waktu kunjungan {0} sebelum {earliest} (visit time too early)",
        earliest = input::EARLIEST_DATE
    )]
    TooEarly(DateTime<Utc>),
    #[error(
        "kolom {field} berisi karakter kontrol, pengarah teks atau hanya karakter tak terlihat (control, bidi or invisible-only characters)"
    )]
    BadCharacter { field: &'static str },
    #[error(
        "photo_sha256 harus 64 karakter heksadesimal huruf kecil (photo_sha256 must be 64 lowercase hex chars)"
    )]
    BadPhotoHash,
}

impl RecordError {
    pub fn code(&self) -> &'static str {
        match self {
            RecordError::InvalidId { .. } => "invalid_id",
            RecordError::NotAVillage(_) => "not_a_village",
            RecordError::Missing { .. } => "field_missing",
            RecordError::TooLong { .. } => "field_too_long",
            RecordError::KkOutOfRange => "kk_out_of_range",
            RecordError::InTheFuture(_) => "visit_in_future",
            RecordError::TooEarly(_) => "visit_too_early",
            RecordError::BadCharacter { .. } => "field_bad_character",
            RecordError::BadPhotoHash => "bad_photo_hash",
        }
    }
}

/// Whether `id` may name a record: any RFC 9562 UUID (variant `10`, versions 1 to 8), so records made
/// by other tools (ODK and KoboToolbox instance ids are v4) are taken as they are, but never the nil
/// or max UUID, which mean "no id". Phones of this project make v7 ids: time-ordered, so they index
/// well; that is a recommendation, not a rule.
pub fn is_record_id(id: Uuid) -> bool {
    !id.is_nil()
        && !id.is_max()
        && id.get_variant() == uuid::Variant::RFC4122
        && (1..=8).contains(&id.get_version_num())
}

/// [`is_record_id`] as a check, naming the field.
pub fn check_record_id(field: &'static str, id: Uuid) -> Result<(), RecordError> {
    if is_record_id(id) { Ok(()) } else { Err(RecordError::InvalidId { field, id }) }
}

/// The shared text rule's answer as a record error (dates are mapped where the time is known).
fn text_error(err: FieldError) -> RecordError {
    match err {
        FieldError::Missing { field } => RecordError::Missing { field },
        FieldError::TooLong { field, max } => RecordError::TooLong { field, max },
        FieldError::BadCharacter { field }
        | FieldError::TooEarly { field }
        | FieldError::InTheFuture { field } => RecordError::BadCharacter { field },
    }
}

pub(crate) fn require_text(field: &'static str, value: &str, max: usize) -> Result<(), RecordError> {
    input::check_text(field, value, max).map_err(text_error)
}

pub(crate) fn optional_text(
    field: &'static str,
    value: Option<&String>,
    max: usize,
) -> Result<(), RecordError> {
    input::check_optional_text(field, value.map(String::as_str), max).map_err(text_error)
}

impl Household {
    /// Checks the rules a household must meet wherever it is created (phone or server).
    pub fn validate(&self) -> Result<(), RecordError> {
        check_record_id("id", self.id)?;
        if !self.village.is_village() {
            return Err(RecordError::NotAVillage(self.village));
        }
        require_text("head_name", &self.head_name, MAX_NAME_LEN)?;
        if self.kk_count == 0 || self.kk_count > MAX_KK_PER_HOUSE {
            return Err(RecordError::KkOutOfRange);
        }
        optional_text("dusun", self.dusun.as_ref(), MAX_UNIT_LEN)?;
        optional_text("rw", self.rw.as_ref(), MAX_UNIT_LEN)?;
        optional_text("rt", self.rt.as_ref(), MAX_UNIT_LEN)?;
        Ok(())
    }
}

impl Visit {
    /// Checks the rules a visit must meet; `now` and `skew` bound how far ahead its time may be.
    pub fn validate(&self, now: DateTime<Utc>, skew: Duration) -> Result<(), RecordError> {
        check_record_id("id", self.id)?;
        check_record_id("household_id", self.household_id)?;
        require_text("sanitarian", &self.sanitarian, MAX_NAME_LEN)?;
        require_text("device_id", &self.device_id, MAX_DEVICE_LEN)?;
        match input::check_date("visited_at", self.visited_at, now, skew) {
            Err(FieldError::TooEarly { .. }) => return Err(RecordError::TooEarly(self.visited_at)),
            Err(_) => return Err(RecordError::InTheFuture(self.visited_at)),
            Ok(()) => {}
        }
        if let Some(hash) = &self.photo_sha256
            && !crate::photo::is_photo_hash(hash)
        {
            return Err(RecordError::BadPhotoHash);
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn household(village: &str) -> Household {
        Household {
            id: Uuid::now_v7(),
            village: AreaCode::parse(village).unwrap(),
            head_name: "La Ode Hamid".to_owned(),
            kk_count: 1,
            dusun: Some("Dusun I".to_owned()),
            rw: None,
            rt: None,
            gps: None,
        }
    }

    pub(crate) fn visit(household: &Household, category: Category, at: DateTime<Utc>) -> Visit {
        Visit {
            id: Uuid::now_v7(),
            household_id: household.id,
            sanitarian: "sanitarian1".to_owned(),
            visited_at: at,
            category,
            checklist: Checklist::default(),
            gps: None,
            photo_sha256: None,
            device_id: "device-1".to_owned(),
        }
    }

    #[test]
    fn a_good_household_and_visit_validate() {
        let h = household("74.04.11.2002");
        assert_eq!(h.validate(), Ok(()));
        let v = visit(&h, Category::Aman, Utc::now());
        assert_eq!(v.validate(Utc::now(), DEFAULT_CLOCK_SKEW), Ok(()));
    }

    #[test]
    fn any_rfc_9562_uuid_names_a_record_but_nil_and_max_do_not() {
        let v4 = Uuid::from_u128(0x1234_5678_9abc_4def_8123_4567_89ab_cdef);
        let v1 = Uuid::from_u128(0x1234_5678_9abc_1def_8123_4567_89ab_cdef);
        for good in [v4, v1, Uuid::now_v7()] {
            assert!(is_record_id(good), "{good}");
        }
        // Nil, max, an NCS-variant id and a version 0 id are refused.
        let ncs = Uuid::from_u128(0x1234_5678_9abc_4def_0123_4567_89ab_cdef);
        let v0 = Uuid::from_u128(0x1234_5678_9abc_0def_8123_4567_89ab_cdef);
        for bad in [Uuid::nil(), Uuid::max(), ncs, v0] {
            assert!(!is_record_id(bad), "{bad}");
        }
        let mut h = household("74.04.11.2002");
        h.id = v4;
        assert_eq!(h.validate(), Ok(()));
        let mut v = visit(&h, Category::Aman, Utc::now());
        v.household_id = Uuid::max();
        let err = v.validate(Utc::now(), DEFAULT_CLOCK_SKEW).unwrap_err();
        assert_eq!(err, RecordError::InvalidId { field: "household_id", id: Uuid::max() });
        assert!(err.to_string().contains("RFC 9562"));
    }

    #[test]
    fn household_rules_have_stable_codes() {
        let mut h = household("74.04.11");
        assert_eq!(h.validate().unwrap_err().code(), "not_a_village");
        h = household("74.04.11.2002");
        h.id = Uuid::nil();
        assert_eq!(h.validate().unwrap_err().code(), "invalid_id");
        h = household("74.04.11.2002");
        h.head_name = "  ".to_owned();
        assert_eq!(h.validate().unwrap_err().code(), "field_missing");
        h = household("74.04.11.2002");
        h.kk_count = 0;
        assert_eq!(h.validate().unwrap_err().code(), "kk_out_of_range");
        h = household("74.04.11.2002");
        h.rt = Some("x".repeat(MAX_UNIT_LEN + 1));
        assert_eq!(h.validate().unwrap_err().code(), "field_too_long");
    }

    #[test]
    fn a_visit_from_the_future_or_with_a_bad_photo_hash_is_refused() {
        let h = household("74.04.11.2002");
        let now = Utc::now();
        let v = visit(&h, Category::Aman, now + Duration::hours(1));
        assert_eq!(v.validate(now, DEFAULT_CLOCK_SKEW).unwrap_err().code(), "visit_in_future");
        let v = visit(&h, Category::Aman, now + Duration::minutes(5));
        assert!(v.validate(now, DEFAULT_CLOCK_SKEW).is_ok());
        let mut v = visit(&h, Category::Aman, now);
        v.photo_sha256 = Some("ABC".to_owned());
        assert_eq!(v.validate(now, DEFAULT_CLOCK_SKEW).unwrap_err().code(), "bad_photo_hash");
        v.photo_sha256 = Some("a".repeat(64));
        assert!(v.validate(now, DEFAULT_CLOCK_SKEW).is_ok());
    }

    #[test]
    fn hostile_names_and_implausible_dates_are_refused() {
        for name in ["La\0Ode", "\u{202E}dimaH", "\u{200B}", "\u{1b}[31m"] {
            let mut h = household("74.04.11.2002");
            h.head_name = name.to_owned();
            assert_eq!(h.validate().unwrap_err().code(), "field_bad_character", "{name:?}");
        }
        let h = household("74.04.11.2002");
        let now = Utc::now();
        for text in ["0001-01-01T00:00:00Z", "1900-01-01T00:00:00Z", "1999-12-31T23:59:59Z"] {
            let at = DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc);
            let v = visit(&h, Category::Aman, at);
            assert_eq!(v.validate(now, DEFAULT_CLOCK_SKEW).unwrap_err().code(), "visit_too_early", "{text}");
        }
    }

    #[test]
    fn the_checklist_passes_only_when_every_item_is_yes() {
        let mut c = Checklist::default();
        assert!(!c.all_pass());
        c = Checklist {
            closed_toilet: Some(true),
            safe_from_well: Some(true),
            strong_slab: Some(true),
            child_faeces_safe: Some(true),
            all_members_use: Some(true),
            water_and_soap: Some(true),
            no_faeces_around: Some(true),
        };
        assert!(c.all_pass());
        c.strong_slab = Some(false);
        assert!(!c.all_pass());
        assert_eq!(c.failures(), 1);
    }
}
