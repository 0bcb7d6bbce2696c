//! Households and visits on the wire, and their checked conversion to domain records.
//!
//! Wire records keep loose types where a person can get them wrong (`village` and `category` are
//! strings, `kk_count` any integer), so that one bad record is rejected on its own with a code and a
//! field, instead of failing the whole push at JSON decoding.

use chrono::{DateTime, Duration, Utc};
use odf_domain::{AreaCode, Category, Checklist, GeoPoint, Household, HouseholdChanges, RecordError, Visit};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::ErrorCode;

/// A WGS84 point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct GpsDto {
    pub lat: f64,
    pub lng: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HouseholdDto {
    /// Client-made id: any RFC 9562 UUID except nil and max; v7 recommended.
    pub id: Uuid,
    /// Village (desa/kelurahan) code, e.g. `74.04.11.2002`.
    pub village: String,
    /// Head of family (kepala keluarga).
    pub head_name: String,
    /// Family units (KK) in the house, 1-50.
    pub kk_count: i64,
    #[serde(default)]
    pub dusun: Option<String>,
    #[serde(default)]
    pub rw: Option<String>,
    #[serde(default)]
    pub rt: Option<String>,
    /// The registered point of the house.
    #[serde(default)]
    pub gps: Option<GpsDto>,
}

/// Checklist answers; absent or null means not asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChecklistDto {
    #[serde(default)]
    pub closed_toilet: Option<bool>,
    #[serde(default)]
    pub safe_from_well: Option<bool>,
    #[serde(default)]
    pub strong_slab: Option<bool>,
    #[serde(default)]
    pub child_faeces_safe: Option<bool>,
    #[serde(default)]
    pub all_members_use: Option<bool>,
    #[serde(default)]
    pub water_and_soap: Option<bool>,
    #[serde(default)]
    pub no_faeces_around: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VisitDto {
    /// Client-made id: any RFC 9562 UUID except nil and max; v7 recommended.
    pub id: Uuid,
    pub household_id: Uuid,
    /// Username of the sanitarian or verifier who made the visit.
    pub sanitarian: String,
    #[serde(with = "odf_domain::timestamp")]
    pub visited_at: DateTime<Utc>,
    /// A ladder rung (`aman`, `layak_sendiri`, `layak_bersama`, `belum_layak`, `babs_tertutup`,
    /// `babs_terbuka`) or a legacy code (`JSP`, `JSSP`, `SHARING`, `BABS`).
    pub category: String,
    #[serde(default)]
    pub checklist: ChecklistDto,
    #[serde(default)]
    pub gps: Option<GpsDto>,
    /// Lowercase hex SHA-256 of the photo, if one was taken.
    #[serde(default)]
    pub photo_sha256: Option<String>,
    pub device_id: String,
}

/// An edit of a household's details, made offline on top of the revision the phone had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HouseholdEditDto {
    /// Client-made id of the edit: any RFC 9562 UUID except nil and max (v7 recommended).
    pub edit_id: Uuid,
    pub household_id: Uuid,
    /// The household revision the phone edited (from the pulled `household` change).
    pub base_revision: i64,
    #[serde(with = "odf_domain::timestamp")]
    pub edited_at: DateTime<Utc>,
    /// New values: `head_name`, `kk_count`, `dusun`, `rw`, `rt`, `gps`. Absent: unchanged; `null`
    /// clears an optional field.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
}

impl HouseholdEditDto {
    /// The domain changes, checked like a new household's fields.
    pub fn changes(&self) -> Result<HouseholdChanges, RecordProblem> {
        let changes: HouseholdChanges = serde_json::from_value(self.changes.clone())
            .map_err(|err| RecordProblem::new(ErrorCode::InvalidField, "changes", &err))?;
        if changes.is_empty() {
            return Err(RecordProblem::new(
                ErrorCode::FieldMissing,
                "changes",
                &"tidak ada perubahan (no changes)",
            ));
        }
        changes.validate().map_err(|err| from_record_error(&err))?;
        Ok(changes)
    }
}

/// Why one record was refused: a stable code, a message and the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordProblem {
    pub code: ErrorCode,
    pub field: &'static str,
    pub message: String,
}

impl RecordProblem {
    pub(crate) fn new(code: ErrorCode, field: &'static str, message: &impl ToString) -> RecordProblem {
        RecordProblem { code, field, message: message.to_string() }
    }
}

fn from_record_error(err: &RecordError) -> RecordProblem {
    let (code, field) = match err {
        RecordError::InvalidId { field, .. } => (ErrorCode::InvalidId, *field),
        RecordError::NotAVillage(_) => (ErrorCode::NotAVillage, "village"),
        RecordError::Missing { field } => (ErrorCode::FieldMissing, *field),
        RecordError::TooLong { field, .. } => (ErrorCode::FieldTooLong, *field),
        RecordError::KkOutOfRange => (ErrorCode::KkOutOfRange, "kk_count"),
        RecordError::InTheFuture(_) => (ErrorCode::VisitInFuture, "visited_at"),
        RecordError::BadPhotoHash => (ErrorCode::BadPhotoHash, "photo_sha256"),
        RecordError::TooEarly(_) => (ErrorCode::VisitTooEarly, "visited_at"),
        RecordError::BadCharacter { field } => (ErrorCode::FieldBadCharacter, *field),
    };
    RecordProblem::new(code, field, err)
}

fn point(gps: Option<GpsDto>) -> Result<Option<GeoPoint>, RecordProblem> {
    gps.map(|p| GeoPoint::new(p.lat, p.lng))
        .transpose()
        .map_err(|err| RecordProblem::new(ErrorCode::InvalidGps, "gps", &err))
}

impl From<GeoPoint> for GpsDto {
    fn from(point: GeoPoint) -> Self {
        GpsDto { lat: point.lat(), lng: point.lng() }
    }
}

impl From<ChecklistDto> for Checklist {
    fn from(c: ChecklistDto) -> Self {
        Checklist {
            closed_toilet: c.closed_toilet,
            safe_from_well: c.safe_from_well,
            strong_slab: c.strong_slab,
            child_faeces_safe: c.child_faeces_safe,
            all_members_use: c.all_members_use,
            water_and_soap: c.water_and_soap,
            no_faeces_around: c.no_faeces_around,
        }
    }
}

impl From<Checklist> for ChecklistDto {
    fn from(c: Checklist) -> Self {
        ChecklistDto {
            closed_toilet: c.closed_toilet,
            safe_from_well: c.safe_from_well,
            strong_slab: c.strong_slab,
            child_faeces_safe: c.child_faeces_safe,
            all_members_use: c.all_members_use,
            water_and_soap: c.water_and_soap,
            no_faeces_around: c.no_faeces_around,
        }
    }
}

impl HouseholdDto {
    /// The domain household, checked by the same rules the phone uses.
    pub fn to_domain(&self) -> Result<Household, RecordProblem> {
        let village = AreaCode::parse(&self.village)
            .map_err(|err| RecordProblem::new(ErrorCode::InvalidAreaCode, "village", &err))?;
        let kk_count =
            u16::try_from(self.kk_count).map_err(|_| from_record_error(&RecordError::KkOutOfRange))?;
        let household = Household {
            id: self.id,
            village,
            head_name: self.head_name.clone(),
            kk_count,
            dusun: self.dusun.clone(),
            rw: self.rw.clone(),
            rt: self.rt.clone(),
            gps: point(self.gps)?,
        };
        household.validate().map_err(|err| from_record_error(&err))?;
        Ok(household)
    }

    pub fn from_domain(h: &Household) -> HouseholdDto {
        HouseholdDto {
            id: h.id,
            village: h.village.to_string(),
            head_name: h.head_name.clone(),
            kk_count: i64::from(h.kk_count),
            dusun: h.dusun.clone(),
            rw: h.rw.clone(),
            rt: h.rt.clone(),
            gps: h.gps.map(GpsDto::from),
        }
    }
}

impl VisitDto {
    /// The domain visit, checked against `now` with `skew` allowed for phone clocks.
    pub fn to_domain(&self, now: DateTime<Utc>, skew: Duration) -> Result<Visit, RecordProblem> {
        let category = Category::parse(&self.category)
            .map_err(|err| RecordProblem::new(ErrorCode::UnknownCategory, "category", &err))?;
        let visit = Visit {
            id: self.id,
            household_id: self.household_id,
            sanitarian: self.sanitarian.clone(),
            visited_at: self.visited_at,
            category,
            checklist: self.checklist.into(),
            gps: point(self.gps)?,
            photo_sha256: self.photo_sha256.clone(),
            device_id: self.device_id.clone(),
        };
        visit.validate(now, skew).map_err(|err| from_record_error(&err))?;
        Ok(visit)
    }

    pub fn from_domain(v: &Visit) -> VisitDto {
        VisitDto {
            id: v.id,
            household_id: v.household_id,
            sanitarian: v.sanitarian.clone(),
            visited_at: v.visited_at,
            category: v.category.as_str().to_owned(),
            checklist: v.checklist.into(),
            gps: v.gps.map(GpsDto::from),
            photo_sha256: v.photo_sha256.clone(),
            device_id: v.device_id.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use odf_domain::household::DEFAULT_CLOCK_SKEW;

    fn household() -> HouseholdDto {
        HouseholdDto {
            id: Uuid::now_v7(),
            village: "74.04.81.2001".to_owned(),
            head_name: "Wa Ode".to_owned(),
            kk_count: 2,
            dusun: None,
            rw: None,
            rt: None,
            gps: Some(GpsDto { lat: -5.59, lng: 122.71 }),
        }
    }

    #[test]
    fn a_household_converts_both_ways_and_matches_the_domain_json() {
        let dto = household();
        let domain = dto.to_domain().unwrap();
        assert_eq!(HouseholdDto::from_domain(&domain), dto);
        // The change feed carries the domain's JSON: it must read as the wire type.
        let via_json: HouseholdDto = serde_json::from_value(serde_json::to_value(&domain).unwrap()).unwrap();
        assert_eq!(via_json, dto);
    }

    #[test]
    fn bad_households_name_their_code_and_field() {
        let mut dto = household();
        dto.village = "74.04".to_owned();
        assert_eq!(dto.to_domain().unwrap_err().code, ErrorCode::NotAVillage);
        dto.village = "74.4".to_owned();
        let problem = dto.to_domain().unwrap_err();
        assert_eq!((problem.code, problem.field), (ErrorCode::InvalidAreaCode, "village"));
        dto = household();
        dto.kk_count = -1;
        assert_eq!(dto.to_domain().unwrap_err().code, ErrorCode::KkOutOfRange);
        dto = household();
        dto.gps = Some(GpsDto { lat: 51.5, lng: -0.1 });
        assert_eq!(dto.to_domain().unwrap_err().code, ErrorCode::InvalidGps);
    }

    #[test]
    fn a_visit_accepts_legacy_codes_and_refuses_unknown_ones() {
        let h = household();
        let now = Utc::now();
        let mut dto = VisitDto {
            id: Uuid::now_v7(),
            household_id: h.id,
            sanitarian: "san".to_owned(),
            visited_at: now,
            category: "JSSP".to_owned(),
            checklist: ChecklistDto::default(),
            gps: None,
            photo_sha256: None,
            device_id: "hp".to_owned(),
        };
        let visit = dto.to_domain(now, DEFAULT_CLOCK_SKEW).unwrap();
        assert_eq!(visit.category, Category::LayakSendiri);
        assert_eq!(VisitDto::from_domain(&visit).category, "layak_sendiri");
        dto.category = "kakus".to_owned();
        assert_eq!(dto.to_domain(now, DEFAULT_CLOCK_SKEW).unwrap_err().code, ErrorCode::UnknownCategory);
        dto.category = "BABS".to_owned();
        dto.visited_at = now + Duration::hours(2);
        assert_eq!(dto.to_domain(now, DEFAULT_CLOCK_SKEW).unwrap_err().code, ErrorCode::VisitInFuture);
    }
}
