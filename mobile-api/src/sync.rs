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
use crate::kinds::RecordKindDto;
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
    #[serde(with = "odf_domain::timestamp::option", default)]
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

impl PushRequest {
    /// A push from `device` with no records yet.
    pub fn new(device: DeviceReport) -> PushRequest {
        PushRequest {
            device,
            households: Vec::new(),
            visits: Vec::new(),
            household_edits: Vec::new(),
            village_actions: Vec::new(),
        }
    }

    /// Records of all kinds together: what [`MAX_RECORDS_PER_PUSH`] limits.
    pub fn len(&self) -> usize {
        self.households.len() + self.visits.len() + self.household_edits.len() + self.village_actions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Each record's kind and id, in the order of the answers (see [`PushResponse::results`]).
    pub fn records(&self) -> impl Iterator<Item = (RecordKindDto, Uuid)> + '_ {
        let households = self.households.iter().map(|h| (RecordKindDto::Household, h.id));
        let visits = self.visits.iter().map(|v| (RecordKindDto::Visit, v.id));
        let edits = self.household_edits.iter().map(|e| (RecordKindDto::HouseholdEdit, e.edit_id));
        let actions = self.village_actions.iter().map(|a| (RecordKindDto::VillageAction, a.id));
        households.chain(visits).chain(edits).chain(actions)
    }

    /// Adds one record, given as its wire JSON (how a phone keeps it until it is sent), to the list
    /// of its kind.
    pub fn add_json(&mut self, kind: RecordKindDto, json: &str) -> serde_json::Result<()> {
        match kind {
            RecordKindDto::Household => self.households.push(serde_json::from_str(json)?),
            RecordKindDto::Visit => self.visits.push(serde_json::from_str(json)?),
            RecordKindDto::HouseholdEdit => self.household_edits.push(serde_json::from_str(json)?),
            RecordKindDto::VillageAction => self.village_actions.push(serde_json::from_str(json)?),
        }
        Ok(())
    }
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
    #[serde(with = "odf_domain::timestamp")]
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
/// `verification` ([`crate::VerificationChangeDto`]), `certificate` ([`crate::CertificateChangeDto`]),
/// `place` ([`PlaceChangeDto`]: a village's names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ChangeDto {
    pub seq: i64,
    pub kind: String,
    /// The id of the changed entity (a UUID or an area code).
    pub id: String,
    /// The village (or area) the change belongs to.
    pub area: String,
    #[serde(with = "odf_domain::timestamp")]
    pub at: DateTime<Utc>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

/// `data` of a `place` change: a village's name as imported, sent again when it or the name of its
/// kecamatan or kabupaten changes (the latest one wins).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PlaceChangeDto {
    /// The village code, `PP.KK.CC.DDDD`.
    pub code: String,
    pub name: String,
    /// `desa`, `kelurahan` or `desa adat`.
    pub kind: String,
    /// The kecamatan's name, when the server knows it.
    #[serde(default)]
    pub kecamatan: Option<String>,
    /// The kabupaten's (or kota's) name, when the server knows it.
    #[serde(default)]
    pub kabupaten: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PullResponse {
    pub changes: Vec<ChangeDto>,
    pub next_cursor: i64,
    pub has_more: bool,
    #[serde(with = "odf_domain::timestamp")]
    pub server_time: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_push_built_from_payloads_lists_its_records_in_answer_order() {
        let device = DeviceReport {
            device_id: "hp".to_owned(),
            app_version: "1".to_owned(),
            pending_count: 2,
            oldest_pending_at: None,
        };
        let mut push = PushRequest::new(device);
        assert!(push.is_empty());
        let edit = Uuid::now_v7();
        let household = Uuid::now_v7();
        let edit_json = serde_json::json!({
            "edit_id": edit, "household_id": household, "base_revision": 1,
            "edited_at": "2026-01-02T03:04:05Z", "changes": { "kk_count": 2 },
        });
        push.add_json(RecordKindDto::HouseholdEdit, &edit_json.to_string()).unwrap();
        let household_json = serde_json::json!({
            "id": household, "village": "74.04.81.2001", "head_name": "Wa Ode", "kk_count": 1,
        });
        push.add_json(RecordKindDto::Household, &household_json.to_string()).unwrap();
        assert!(push.add_json(RecordKindDto::Visit, &household_json.to_string()).is_err());
        assert_eq!(push.len(), 2);
        let records: Vec<_> = push.records().collect();
        assert_eq!(records, [(RecordKindDto::Household, household), (RecordKindDto::HouseholdEdit, edit)]);
    }
}
