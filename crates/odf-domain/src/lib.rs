//! Pure Stop BABS rules: no IO, no async, no database.
//!
//! Vocabulary: a *village* is a desa or kelurahan (the fourth level of a Kemendagri [`AreaCode`]);
//! a *household* is a house with one or more family units (*KK*); a *visit* records the household's
//! sanitation [`Category`]; a village's [`Tally`] counts KK by the latest visit of each household;
//! its [`VillageStatus`] moves from open defecation to verified ODF (*SBS*) and back.

#![forbid(unsafe_code)]

pub mod access;
pub mod area;
pub mod area_ref;
pub mod category;
pub mod coverage;
pub mod edit;
pub mod gps;
pub mod household;
pub mod input;
pub mod photo;
pub mod status;
pub mod timestamp;
pub mod verification;
pub mod wilayah;

pub use access::{Role, Scope};
pub use area::{AreaCode, AreaCodeError, AreaKind, Level};
pub use area_ref::{AreaRef, NASIONAL};
pub use category::{Category, LegacyCode, UnknownCategory};
pub use coverage::{Eligibility, Ratio, Tally, VillageCoverage};
pub use edit::{EditMerge, HouseholdChanges, HouseholdField, merge_edit};
pub use gps::{Boundary, GeoPoint, GpsError, GpsFlag};
pub use household::{Checklist, Household, RecordError, Visit, check_record_id, is_record_id};
pub use input::{FieldError, check_date, check_day, check_optional_text, check_text};
pub use photo::{PhotoError, PhotoKind, check_photo, is_photo_hash, photo_hash};
pub use status::{EventKind, StatusChange, StatusEvent, TransitionError, VillageState, VillageStatus};
pub use verification::{
    BeritaAcara, ChecklistItem, CommunityCriteria, Criterion, Decision, FailReason, HouseholdFinding,
    HouseholdUnits, Outcome, Sample, SamplingPlan, Suggestion, TeamMember, TeamRules, UnitLevel,
    VerificationError, certified_data_hash, draw_sample, suggest_decision,
};
pub use wilayah::{LevelCounts, Place, RowError, RowProblem, Wilayah, WilayahLoad};
