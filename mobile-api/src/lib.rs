//! The `/v1` wire contract between odf-verify phones, dashboards and the server: request and
//! response types (serde, with OpenAPI schemas via utoipa), the one error shape and its stable codes,
//! and checked conversions from wire records to domain records. The server serves the generated
//! OpenAPI document at `/v1/openapi.json`; `mobile-api/openapi.json` is the checked-in copy.

#![forbid(unsafe_code)]

pub mod admin;
pub mod auth;
pub mod certificate;
pub mod error;
pub mod field;
pub mod kinds;
pub mod photos;
pub mod records;
pub mod sync;
pub mod team;
pub mod verification;
pub mod village;

pub use admin::{ConflictDto, ResolveConflictRequest};
pub use auth::{FieldRulesDto, LoginRequest, LoginResponse, UserDto};
pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use field::{
    CertificateChangeDto, CertificateTextDto, CommunityChangeDto, DecisionChangeDto, RecordedDecisionDto,
    RevocationDto, SignedCertificateDto, VerificationChangeDto, VillageActionDto, VillageActionKind,
};
pub use kinds::{ChangeKindDto, RecordKindDto, UnknownKind};
pub use photos::{ContentRange, PhotoUploadDto};
pub use records::{ChecklistDto, GpsDto, HouseholdDto, HouseholdEditDto, RecordProblem, VisitDto};
pub use sync::{
    ChangeDto, DeviceReport, PlaceChangeDto, PullQuery, PullResponse, PushRequest, PushResponse,
    RecordResult, RecordStatus,
};

pub use certificate::{
    CertificateDto, EarlierKeyDto, NotificationDto, NotificationsQuery, NotificationsResponse,
    PublicCertificateCheck, PublicKeyDto, RevokeRequest,
};
pub use verification::{
    BeritaAcaraDto, CommunityCriteriaDto, CriterionDto, DecisionDto, DecisionRequest, FindingDto,
    OpenVerificationRequest, OutcomeDto, PlanKind, SampleDto, SamplingPlanDto, SuggestionDto, TeamMemberDto,
    UnitLevelDto, VerificationDto,
};
pub use village::{
    AuditEntryDto, ClaimRequest, EligibilityDto, StatusChangeDto, TriggerRequest, VillageHistoryDto,
    VillageStatusDto,
};

/// Path of the checked-in OpenAPI document, relative to the workspace root.
pub const OPENAPI_PATH: &str = "mobile-api/openapi.json";
