//! `POST /v1/sync/push` and `GET /v1/sync/pull`: how phones send what they recorded and fetch what
//! changed in their scope.
//!
//! Vocabulary: a *push* is one batch from one device; each record in it gets a [`RecordResult`].
//! `accepted` and `duplicate` both mean "the server has it": the phone may forget it. `conflict`
//! means the id is taken by different content; `rejected` carries a code and the field at fault.
//! A *pull* returns changes with `seq > cursor`; pass `next_cursor` back until `has_more` is false.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::field::VillageActionDto;
use crate::records::{HouseholdDto, HouseholdEditDto, VisitDto};

/// Most records one push may hold (households + visits + edits + village actions); more is refused with `too_many_records`.
pub const MAX_RECORDS_PER_PUSH: usize = 2_000;
/// Largest push body, after gzip decompression.
pub const MAX_PUSH_BYTES: usize = 8 * 1024 * 1024;
/// Largest page a pull returns.
pub const MAX_PULL_LIMIT: u32 = 1_000;
pub const DEFAULT_PULL_LIMIT: u32 = 500;

/// What the device reports about itself at each push, so dashboards can tell what is still on
/// phones and not yet on the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DeviceReport {
    pub device_id: String,
    pub app_version: String,
    /// Records still in the device's outbox, this push included (the server keeps the count without
    /// this push's records, which it answers).
    pub pending_count: u32,
    /// When the oldest of them was recorded.
    #[serde(default)]
    pub oldest_pending_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PushRequest {
    pub device: DeviceReport,
    #[serde(default)]
    pub households: Vec<HouseholdDto>,
    #[serde(default)]
    pub visits: Vec<VisitDto>,
    /// Edits of household details, applied after the households and visits of the same push.
    #[serde(default)]
    pub household_edits: Vec<HouseholdEditDto>,
    /// Steps of a village's way to ODF recorded on the phone (claims, verifications, decisions),
    /// applied last, in order, each on its own (see [`crate::field`]).
    #[serde(default)]
    pub village_actions: Vec<VillageActionDto>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordKindDto {
    Household,
    Visit,
    HouseholdEdit,
    VillageAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// Stored now.
    Accepted,
    /// Already stored, identical: nothing changed.
    Duplicate,
    /// The id is stored with different content: nothing changed.
    Conflict,
    /// Not stored; see `code`, `message` and `field`.
    Rejected,
    /// A household edit made on an older revision, stored and merged field by field; where another
    /// edit had changed the same field, the later one won and `conflict_id` names the conflict an
    /// admin can review.
    Merged,
}

impl RecordStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::Accepted => "accepted",
            RecordStatus::Duplicate => "duplicate",
            RecordStatus::Conflict => "conflict",
            RecordStatus::Rejected => "rejected",
            RecordStatus::Merged => "merged",
        }
    }

    /// The server holds this record: the phone may drop it from its outbox.
    pub fn is_stored(self) -> bool {
        matches!(self, RecordStatus::Accepted | RecordStatus::Duplicate | RecordStatus::Merged)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecordResult {
    pub kind: RecordKindDto,
    pub id: Uuid,
    pub status: RecordStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Review flags raised by the GPS checks of an accepted visit (`outside_village`,
    /// `far_from_household`): stored, but to be looked at.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<String>,
    /// For household edits: the household's revision now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
    /// For merged household edits that overlapped another edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PushResponse {
    /// One per record: households, then visits, then household edits, then village actions, each in
    /// request order.
    pub results: Vec<RecordResult>,
    /// The server's clock, so a phone can warn when its own clock is far off.
    pub server_time: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullQuery {
    /// The `next_cursor` of the previous page; 0 or absent for the beginning.
    #[serde(default)]
    pub cursor: Option<i64>,
    /// Page size, 1-1000 (default 500).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One change in the caller's scope. `kind` says what `data` holds:
/// `household` (a household, with `revision`), `visit` (a visit), `village_status`
/// (`{village, status, since}`), `boundary` (`{code, geometry, centroid}`: GeoJSON geometry),
/// `verification` ([`crate::VerificationChangeDto`]), `certificate` ([`crate::CertificateChangeDto`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChangeDto {
    pub seq: i64,
    pub kind: String,
    /// The id of the changed entity (a UUID or an area code).
    pub id: String,
    /// The village (or area) the change belongs to.
    pub area: String,
    pub at: DateTime<Utc>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PullResponse {
    pub changes: Vec<ChangeDto>,
    pub next_cursor: i64,
    pub has_more: bool,
    pub server_time: DateTime<Utc>,
}
