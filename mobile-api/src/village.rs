//! A village's way through the status machine on the wire: triggering, the SBS claim and whether
//! the village is eligible for it, and the village's history (status changes and audit entries).
//! Statuses are the machine names of `odf_domain::VillageStatus` (`belum_dipicu`, `dipicu`,
//! `klaim_sbs`, `verifikasi`, `sbs`, `slipped`, `revoked`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::certificate::CertificateDto;

/// `POST /v1/villages/{code}/trigger`: the community triggering (pemicuan) was held.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TriggerRequest {
    /// The day of the pemicuan; not in the future.
    pub triggered_on: NaiveDate,
    #[serde(default)]
    pub note: Option<String>,
}

/// `POST /v1/villages/{code}/claim`: the village claims SBS (allowed only when eligible).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClaimRequest {
    #[serde(default)]
    pub note: Option<String>,
}

/// Whether a village may claim SBS, computed from the latest visit of each registered household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EligibilityDto {
    /// `eligible`, `no_households`, `not_all_visited`, `not_all_access` or `stale_visits`.
    pub status: String,
    pub eligible: bool,
    /// Registered family units (KK) of the village.
    pub kk: i64,
    pub kk_visited: i64,
    pub kk_access: i64,
    /// The oldest of the households' latest visits.
    #[serde(with = "odf_domain::timestamp::option", default)]
    pub oldest_latest_visit: Option<DateTime<Utc>>,
    /// Every household must have been visited within this many days.
    pub window_days: i64,
    pub message: String,
}

/// A village's status, with whether it may claim SBS now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VillageStatusDto {
    pub village: String,
    pub name: String,
    pub status: String,
    #[serde(with = "odf_domain::timestamp::option", default)]
    pub since: Option<DateTime<Utc>>,
    pub eligibility: EligibilityDto,
}

/// One change of a village's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatusChangeDto {
    pub from: String,
    pub to: String,
    /// `trigger`, `claim`, `withdraw`, `start_verification`, `pass`, `fail`, `slip_detected` or `revoke`.
    pub event: String,
    pub actor: String,
    /// The day of the change in the village's time zone (WIB/WITA/WIT): for a triggering, the day
    /// the pemicuan was held, as entered.
    pub date: NaiveDate,
    /// The moment of the change, which orders the history; a triggering is dated at the start of
    /// its day in the village's time zone.
    #[serde(with = "odf_domain::timestamp")]
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

/// One audit log entry about the village (hash-chained; `odf-server audit-verify` checks the chain).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditEntryDto {
    pub seq: i64,
    #[serde(with = "odf_domain::timestamp")]
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    pub hash: String,
}

/// `GET /v1/villages/{code}/history`: every status change and every audit entry of the village.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VillageHistoryDto {
    pub village: String,
    pub name: String,
    pub status: String,
    pub changes: Vec<StatusChangeDto>,
    pub audit: Vec<AuditEntryDto>,
    /// The village's verifications, oldest first.
    pub verification_ids: Vec<Uuid>,
    pub certificates: Vec<CertificateDto>,
}
