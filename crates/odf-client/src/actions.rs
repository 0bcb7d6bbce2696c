//! This phone's own village actions (trigger, claim, open_verification, community, decision): saved
//! with their outbox entry in one transaction, and read back with where each stands.
//!
//! An action *counts on the phone* while it is pending, and after the server took it until a pull
//! has completed since: until then the pulled status and verifications cannot show it yet. Refused
//! (rejected or conflicting) actions never count; they stay in the outbox with the server's answer.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use odf_domain::{AreaCode, EventKind, VillageStatus};
use odf_mobile_api::{RecordKindDto, VillageActionDto, VillageActionKind};
use serde::Serialize;
use sqlx::SqlitePool;
use uuid::Uuid;

use crate::error::{ClientError, Result};
use crate::store::outbox::{self, OutboxEntry, SyncState};
use crate::store::{self, Key};

/// Saves an action and queues it for the server, atomically.
pub(crate) async fn save(
    pool: &SqlitePool,
    action: &VillageActionDto,
    village: AreaCode,
    verification_id: Option<Uuid>,
) -> Result<()> {
    let payload = serde_json::to_string(action).map_err(ClientError::corrupt)?;
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO village_actions (id, kind, village, verification_id, recorded_at, data) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(action.id.to_string())
    .bind(action.action.name())
    .bind(village.to_string())
    .bind(verification_id.map(|id| id.to_string()))
    .bind(action.recorded_at)
    .bind(&payload)
    .execute(&mut *tx)
    .await?;
    outbox::enqueue(&mut tx, RecordKindDto::VillageAction, action.id, &payload, action.recorded_at).await?;
    tx.commit().await?;
    Ok(())
}

/// One own action as stored, with its outbox state.
#[derive(Debug, Clone)]
pub(crate) struct OwnAction {
    pub action: VillageActionDto,
    pub village: String,
    pub verification_id: Option<Uuid>,
    pub synced_at: Option<DateTime<Utc>>,
    pub sync: SyncState,
}

impl OwnAction {
    /// Whether the phone should show this action's effect itself (see the module docs).
    pub fn counts(&self, last_pull: Option<DateTime<Utc>>) -> bool {
        match self.sync {
            SyncState::Pending | SyncState::SentNotConfirmed { .. } => true,
            SyncState::Synced => {
                self.synced_at.is_some_and(|synced| last_pull.is_none_or(|pulled| synced > pulled))
            }
            SyncState::Conflict { .. } | SyncState::Rejected { .. } => false,
        }
    }

    pub fn is_refused(&self) -> bool {
        matches!(self.sync, SyncState::Conflict { .. } | SyncState::Rejected { .. })
    }

    /// The village status event the action brings, if any.
    pub fn event(&self) -> Option<EventKind> {
        match &self.action.action {
            VillageActionKind::Trigger { .. } => Some(EventKind::Trigger),
            VillageActionKind::Claim { .. } => Some(EventKind::Claim),
            VillageActionKind::OpenVerification { .. } => Some(EventKind::StartVerification),
            VillageActionKind::Community { .. } => None,
            VillageActionKind::Decision { decision, .. } => {
                Some(odf_domain::Outcome::from(decision.outcome).event_kind())
            }
        }
    }

    pub fn view(&self) -> ActionView {
        ActionView {
            id: self.action.id,
            kind: self.action.action.name(),
            village: self.village.clone(),
            verification_id: self.verification_id,
            recorded_at: self.action.recorded_at,
            sync: self.sync.clone(),
        }
    }
}

/// An action made on this phone, as the views list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionView {
    pub id: Uuid,
    /// `trigger`, `claim`, `open_verification`, `community` or `decision`.
    pub kind: &'static str,
    pub village: String,
    pub verification_id: Option<Uuid>,
    pub recorded_at: DateTime<Utc>,
    /// `pending` (waiting to sync), `synced`, or the server's `rejected`/`conflict` answer.
    pub sync: SyncState,
}

type ActionRow = (String, String, Option<String>, Option<DateTime<Utc>>);

fn own_action(row: ActionRow, states: &HashMap<Uuid, OutboxEntry>) -> Result<OwnAction> {
    let (data, village, verification_id, synced_at) = row;
    let action: VillageActionDto =
        serde_json::from_str(&data).map_err(|err| ClientError::corrupt(format!("village action: {err}")))?;
    let verification_id =
        verification_id.map(|id| Uuid::parse_str(&id).map_err(ClientError::corrupt)).transpose()?;
    let sync = SyncState::of(action.id, states);
    Ok(OwnAction { action, village, verification_id, synced_at, sync })
}

const ACTION_COLUMNS: &str = "data, village, verification_id, synced_at";

/// Own actions, all or of one village, oldest first.
pub(crate) async fn list(pool: &SqlitePool, village: Option<AreaCode>) -> Result<Vec<OwnAction>> {
    let rows: Vec<ActionRow> = sqlx::query_as(&format!(
        "SELECT {ACTION_COLUMNS} FROM village_actions WHERE $1 IS NULL OR village = $1 \
         ORDER BY recorded_at, id"
    ))
    .bind(village.map(|v| v.to_string()))
    .fetch_all(pool)
    .await?;
    let states = outbox::states(pool).await?;
    rows.into_iter().map(|row| own_action(row, &states)).collect()
}

/// Own actions on one verification (its opening, community criteria, decision), oldest first.
pub(crate) async fn of_verification(pool: &SqlitePool, id: Uuid) -> Result<Vec<OwnAction>> {
    let rows: Vec<ActionRow> = sqlx::query_as(&format!(
        "SELECT {ACTION_COLUMNS} FROM village_actions WHERE verification_id = $1 ORDER BY recorded_at, id"
    ))
    .bind(id.to_string())
    .fetch_all(pool)
    .await?;
    let states = outbox::states(pool).await?;
    rows.into_iter().map(|row| own_action(row, &states)).collect()
}

/// When the last pull completed: accepted actions older than this are in the pulled data.
pub(crate) async fn last_pull(pool: &SqlitePool) -> Result<Option<DateTime<Utc>>> {
    store::get_parsed(pool, Key::LastPullAt).await
}

/// A village's status as the phone shows it: the server's, moved on by the own actions that count.
#[derive(Debug, Clone)]
pub(crate) struct LocalStatus {
    /// What the last pull said; `None` when no status was ever pulled (the server's default,
    /// belum_dipicu, is assumed).
    pub server: Option<VillageStatus>,
    pub local: VillageStatus,
    /// The own actions that count (pending, or taken by the server but not pulled back yet).
    pub unconfirmed: Vec<OwnAction>,
}

/// Applies the events of `actions` in order. An event the status does not allow is passed over: the
/// server will refuse it, or the pulled status already includes it.
pub(crate) fn fold(server: Option<VillageStatus>, actions: &[OwnAction]) -> VillageStatus {
    let mut status = server.unwrap_or_default();
    for event in actions.iter().filter_map(OwnAction::event) {
        if let Some(next) = status.next(event) {
            status = next;
        }
    }
    status
}

pub(crate) async fn server_status(pool: &SqlitePool, village: AreaCode) -> Result<Option<VillageStatus>> {
    let status: Option<Option<String>> = sqlx::query_scalar("SELECT status FROM villages WHERE code = $1")
        .bind(village.to_string())
        .fetch_optional(pool)
        .await?;
    Ok(status.flatten().and_then(|s| VillageStatus::parse(&s)))
}

pub(crate) async fn local_status(pool: &SqlitePool, village: AreaCode) -> Result<LocalStatus> {
    let server = server_status(pool, village).await?;
    let last_pull = last_pull(pool).await?;
    let unconfirmed: Vec<OwnAction> =
        list(pool, Some(village)).await?.into_iter().filter(|a| a.counts(last_pull)).collect();
    let local = fold(server, &unconfirmed);
    Ok(LocalStatus { server, local, unconfirmed })
}

#[cfg(test)]
mod tests {
    use super::*;
    use odf_mobile_api::{DecisionRequest, OutcomeDto};

    fn action(kind: VillageActionKind, sync: SyncState) -> OwnAction {
        OwnAction {
            action: VillageActionDto { id: Uuid::now_v7(), recorded_at: Utc::now(), action: kind },
            village: "74.04.81.2001".to_owned(),
            verification_id: None,
            synced_at: None,
            sync,
        }
    }

    #[test]
    fn own_actions_move_the_status_only_where_the_machine_allows() {
        let claim =
            action(VillageActionKind::Claim { village: String::new(), note: None }, SyncState::Pending);
        assert_eq!(fold(Some(VillageStatus::Dipicu), std::slice::from_ref(&claim)), VillageStatus::KlaimSbs);
        // Already claimed as far as the server knows: the pending claim changes nothing.
        assert_eq!(
            fold(Some(VillageStatus::KlaimSbs), std::slice::from_ref(&claim)),
            VillageStatus::KlaimSbs
        );
        let gagal = DecisionRequest {
            outcome: OutcomeDto::Gagal,
            reasons: vec![],
            issuer_name: None,
            issuer_role: None,
        };
        let decide = action(
            VillageActionKind::Decision { verification_id: Uuid::nil(), decision: gagal },
            SyncState::Pending,
        );
        assert_eq!(decide.event(), Some(EventKind::Fail));
        assert_eq!(fold(Some(VillageStatus::Verifikasi), &[decide]), VillageStatus::Dipicu);
    }

    #[test]
    fn an_accepted_action_counts_until_a_pull_completes_after_it_and_a_refused_one_never() {
        let now = Utc::now();
        let mut claim =
            action(VillageActionKind::Claim { village: String::new(), note: None }, SyncState::Synced);
        claim.synced_at = Some(now);
        assert!(claim.counts(None));
        assert!(claim.counts(Some(now - chrono::Duration::minutes(1))));
        assert!(!claim.counts(Some(now + chrono::Duration::seconds(1))));
        claim.sync =
            SyncState::Rejected { code: Some("not_eligible".to_owned()), message: None, field: None };
        assert!(!claim.counts(None));
        assert!(claim.is_refused());
    }
}
