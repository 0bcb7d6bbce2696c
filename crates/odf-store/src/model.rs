//! What goes into the store and what comes out of it.

use chrono::{DateTime, Utc};
use odf_domain::{
    AreaCode, AreaKind, AreaRef, GeoPoint, GpsFlag, Household, HouseholdChanges, HouseholdField, Role, Tally,
    VillageStatus, Visit,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// One place as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AreaRecord {
    pub code: AreaCode,
    pub name: String,
    pub kind: AreaKind,
    pub parent: Option<AreaCode>,
    /// GeoJSON geometry (Polygon or MultiPolygon), when a boundary was imported.
    pub boundary: Option<serde_json::Value>,
    pub centroid: Option<GeoPoint>,
}

/// A boundary to import for an existing area.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaBoundary {
    pub code: AreaCode,
    /// GeoJSON geometry, checked to be a Polygon or MultiPolygon.
    pub geometry: serde_json::Value,
    pub centroid: Option<GeoPoint>,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Codes that could not be imported because the area (or its parent) is unknown.
    pub unknown: Vec<AreaCode>,
}

/// What an areas import would do, without doing it: its report, and the places it would add and
/// rename (with the name they have now), in code order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AreasPreview {
    pub report: ImportReport,
    pub added: Vec<odf_domain::Place>,
    pub renamed: Vec<(odf_domain::Place, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    /// An argon2 PHC string; the store never sees a password.
    pub password_hash: String,
    pub role: Role,
    /// The area the user works in (a code prefix), or the whole country (`nasional`).
    pub area: AreaRef,
    /// For sanitarians: the villages assigned to them (empty means every village in `area`).
    pub villages: Vec<AreaCode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRecord {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: Role,
    pub area: AreaRef,
    pub villages: Vec<AreaCode>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// A login from a phone or browser.
    Login,
    /// A long-lived read-only token for a dashboard.
    Viewer,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Login => "login",
            SessionKind::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Option<SessionKind> {
        [SessionKind::Login, SessionKind::Viewer].into_iter().find(|k| k.as_str() == text)
    }
}

/// A bearer token, known to the store only by its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token_hash: [u8; 32],
    pub user_id: Uuid,
    pub kind: SessionKind,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub user_id: Uuid,
    pub kind: SessionKind,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl SessionRecord {
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

/// The idempotency key of a login ([`crate::Accounts::create_keyed_session`]): a login sent again
/// with the same key (its answer was lost) finds the session the first one opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginKey {
    /// SHA-256 of the key the phone sent; the key itself is not stored.
    pub key_hash: [u8; 32],
    /// Random bytes the token of a new session was derived from (with the key).
    pub token_salt: [u8; 32],
    /// A session under the same key opened before this is not answered again (the key is retired
    /// and a new session opened): the window in which a lost answer is retried.
    pub not_before: DateTime<Utc>,
}

/// The session a keyed login ends with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedSession {
    /// `false` when an earlier login with the same key had opened it.
    pub created: bool,
    pub token_hash: [u8; 32],
    /// The salt its token was derived from: the caller derives the same token again from it.
    pub token_salt: [u8; 32],
    pub expires_at: DateTime<Utc>,
}

/// A batch of records pushed from one device, stored in one transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IngestBatch {
    /// Username of whoever pushed the batch.
    pub received_from: String,
    pub households: Vec<Household>,
    pub visits: Vec<FlaggedVisit>,
    /// Edits to households (stored ones, or ones of this batch), applied after the records.
    pub edits: Vec<HouseholdEdit>,
    /// What the pushing device said about itself, stored in the same transaction.
    pub device: Option<DeviceRecord>,
}

/// An edit of a household's details made on a phone, on top of `base_revision`.
#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdEdit {
    /// Client-made UUID v7: a retried push stores the edit once.
    pub edit_id: Uuid,
    pub household_id: Uuid,
    pub base_revision: i64,
    pub edited_at: DateTime<Utc>,
    pub edited_by: String,
    pub changes: HouseholdChanges,
}

/// Two edits that changed the same field: the stored value and the one that lost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HouseholdConflict {
    pub id: Uuid,
    pub household_id: Uuid,
    pub village: AreaCode,
    /// The edit whose arrival found the overlap.
    pub edit_id: Uuid,
    pub fields: Vec<HouseholdField>,
    /// The values now stored.
    pub kept: HouseholdChanges,
    /// The values that lost; an admin may still choose them.
    pub other: HouseholdChanges,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<String>,
    /// `kept` or `other`.
    pub resolution: Option<String>,
}

/// The latest report of one device: how much it still holds unsent, and when it last synced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceRecord {
    pub device_id: String,
    pub username: String,
    pub app_version: String,
    pub pending_count: i64,
    pub oldest_pending_at: Option<DateTime<Utc>>,
    pub last_sync_at: DateTime<Utc>,
}

/// A visit with the review flags the server's GPS checks raised.
#[derive(Debug, Clone, PartialEq)]
pub struct FlaggedVisit {
    pub visit: Visit,
    pub flags: Vec<GpsFlag>,
}

impl From<Visit> for FlaggedVisit {
    fn from(visit: Visit) -> Self {
        FlaggedVisit { visit, flags: Vec::new() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Household,
    Visit,
    HouseholdEdit,
}

/// What happened to one record of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Stored now.
    Accepted,
    /// Already stored with the same content; nothing changed.
    Duplicate,
    /// Already stored with different content; nothing changed.
    Conflict,
    /// A household edit made on an older revision, merged field by field; overlapping fields went
    /// to the later edit and left a conflict for an admin (`conflict_id`).
    Merged,
    /// Not stored, with a stable code and a message.
    Rejected { code: String, message: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordOutcome {
    pub kind: RecordKind,
    pub id: Uuid,
    #[serde(flatten)]
    pub outcome: Outcome,
    /// For household edits: the household's revision after the edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
    /// For merged household edits that overlapped another edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict_id: Option<Uuid>,
}

impl RecordOutcome {
    pub fn new(kind: RecordKind, id: Uuid, outcome: Outcome) -> RecordOutcome {
        RecordOutcome { kind, id, outcome, revision: None, conflict_id: None }
    }
}

/// Where a stored household lies ([`crate::Ingest::household_places`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HouseholdPlace {
    pub id: Uuid,
    pub village: AreaCode,
    pub gps: Option<GeoPoint>,
}

/// A household as stored, with what its latest visit found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredHousehold {
    pub household: Household,
    pub revision: i64,
    pub latest_visit: Option<LatestVisit>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LatestVisit {
    pub visit_id: Uuid,
    pub visited_at: DateTime<Utc>,
    pub category: odf_domain::Category,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredVisit {
    pub visit: Visit,
    pub village: AreaCode,
    pub flags: Vec<GpsFlag>,
    pub received_at: DateTime<Utc>,
}

/// One village whose stored tally disagrees with a recount from raw visits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TallyDifference {
    pub village: AreaCode,
    pub stored: Tally,
    pub recounted: Tally,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecountReport {
    pub villages_checked: usize,
    pub households: usize,
    pub visits: usize,
    pub differences: Vec<TallyDifference>,
    /// Per-level tallies (kecamatan, kabupaten/kota, province, nation) that disagree with the sum
    /// of the recounted village tallies under them.
    pub area_differences: Vec<AreaSumDifference>,
}

/// The pre-summed figures of one area above the village (`area_tallies`): the sum of its village
/// tallies, and how many of those villages have data (`kk > 0`) and full access
/// ([`Tally::is_full_access`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AreaSum {
    pub tally: Tally,
    pub villages_with_data: i64,
    pub villages_full_access: i64,
}

impl AreaSum {
    /// What one village with this tally adds to every area above it.
    pub fn of_village(tally: Tally) -> AreaSum {
        AreaSum {
            tally,
            villages_with_data: i64::from(tally.kk > 0),
            villages_full_access: i64::from(tally.is_full_access()),
        }
    }
}

impl std::ops::AddAssign for AreaSum {
    fn add_assign(&mut self, other: AreaSum) {
        self.tally += other.tally;
        self.villages_with_data += other.villages_with_data;
        self.villages_full_access += other.villages_full_access;
    }
}

/// One per-level row whose stored sums disagree with a recount (`area`: `None` is the nation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AreaSumDifference {
    pub area: Option<AreaCode>,
    pub stored: AreaSum,
    pub recounted: AreaSum,
}

/// What a roll-up of one area and its children reads instead of every village under it: the
/// area's own per-level sums and its children's (`None`: the nation), and how many villages of
/// each child have each recorded status (villages without a status row are not counted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AreaSums {
    pub sums: Vec<(Option<AreaCode>, AreaSum)>,
    pub statuses: Vec<(AreaCode, VillageStatus, i64)>,
}

/// One entry of the change feed that clients pull by cursor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub seq: i64,
    pub kind: ChangeKind,
    pub entity_id: String,
    pub area: AreaCode,
    pub at: DateTime<Utc>,
    pub payload: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Household,
    Visit,
    VillageStatus,
    Boundary,
    Certificate,
    /// A verification opened, its community criteria recorded, or decided: phones of the team pull
    /// the sample from it.
    Verification,
    /// A village's name, kind and its kecamatan's and kabupaten's names, when imported or renamed:
    /// phones show names, not only codes.
    Place,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Household => "household",
            ChangeKind::Visit => "visit",
            ChangeKind::VillageStatus => "village_status",
            ChangeKind::Boundary => "boundary",
            ChangeKind::Certificate => "certificate",
            ChangeKind::Verification => "verification",
            ChangeKind::Place => "place",
        }
    }

    pub fn parse(text: &str) -> Option<ChangeKind> {
        [
            ChangeKind::Household,
            ChangeKind::Visit,
            ChangeKind::VillageStatus,
            ChangeKind::Boundary,
            ChangeKind::Certificate,
            ChangeKind::Verification,
            ChangeKind::Place,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// A page of the change feed. Pass `next_cursor` back to get the next page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangePage {
    pub changes: Vec<Change>,
    pub next_cursor: i64,
    pub has_more: bool,
}

/// A village's status row as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct VillageStatusRecord {
    pub village: AreaCode,
    pub status: VillageStatus,
    pub since: Option<DateTime<Utc>>,
}

/// An entry to append to the audit log.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry {
    pub actor: String,
    pub action: String,
    pub area: Option<AreaCode>,
    pub details: serde_json::Value,
}

/// An audit log entry; `hash` covers the entry and the previous entry's hash.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub area: Option<AreaCode>,
    pub details: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// The result of walking the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditCheck {
    pub entries: usize,
    /// The first entry whose hash does not match its content or its predecessor.
    pub first_broken: Option<i64>,
}

/// The facts a coverage history is rebuilt from, for the villages of one area.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFacts {
    pub households: Vec<HouseholdRow>,
    pub visits: Vec<VisitRow>,
    /// Every status change, oldest first.
    pub statuses: Vec<StatusRow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HouseholdRow {
    pub id: Uuid,
    pub village: AreaCode,
    pub kk_count: u16,
    pub received_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VisitRow {
    pub id: Uuid,
    pub household_id: Uuid,
    pub visited_at: DateTime<Utc>,
    pub category: odf_domain::Category,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusRow {
    pub village: AreaCode,
    pub status: VillageStatus,
    pub at: DateTime<Utc>,
}
