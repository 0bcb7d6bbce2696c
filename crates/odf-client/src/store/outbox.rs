//! The outbox: records made on this phone that the server has not yet said it holds.
//!
//! States: `pending` (to send; once a push carried it, "sent, not confirmed" until the server's
//! answer arrives), `conflict` (the server holds different content under this id) and
//! `rejected` (the server refused it, with a code, a message and the field at fault). An entry is
//! deleted only when the server answers `accepted` or `duplicate` for its id; conflict and rejected
//! entries are kept for a person to see and are not sent again unless [`requeue`]d.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use odf_mobile_api::{DeviceReport, PushRequest, RecordKindDto, RecordResult, RecordStatus};
use serde::Serialize;
use sqlx::SqlitePool;
use uuid::Uuid;

use crate::error::{ClientError, Result};
use crate::store::Tx;

/// What an outbox entry holds: one of the wire's record kinds, stored under its wire name.
pub type RecordKind = RecordKindDto;

fn parse_kind(text: &str) -> Result<RecordKind> {
    RecordKind::parse(text).ok_or_else(|| ClientError::corrupt(format!("outbox kind {text:?}")))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    Pending,
    Conflict,
    Rejected,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Conflict => "conflict",
            OutboxState::Rejected => "rejected",
        }
    }

    fn parse(text: &str) -> Result<OutboxState> {
        match text {
            "pending" => Ok(OutboxState::Pending),
            "conflict" => Ok(OutboxState::Conflict),
            "rejected" => Ok(OutboxState::Rejected),
            other => Err(ClientError::corrupt(format!("outbox state {other:?}"))),
        }
    }
}

/// One outbox entry, without its payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxEntry {
    pub seq: i64,
    pub kind: RecordKind,
    pub record_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub state: OutboxState,
    /// The server's answer for conflict and rejected entries.
    pub code: Option<String>,
    pub message: Option<String>,
    pub field: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    /// How many pushes carried this entry (more than one means an answer was lost on the way).
    pub attempts: i64,
}

/// Where a record stands between this phone and the server: "not sent" ([`SyncState::Pending`]),
/// "sent, not confirmed" ([`SyncState::SentNotConfirmed`]), "stored" ([`SyncState::Synced`]) or
/// "refused: reason" ([`SyncState::Conflict`], [`SyncState::Rejected`]). A phone app shows these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncState {
    /// Only on this phone so far: no push has carried it.
    Pending,
    /// A push carried it (perhaps as far as the server, which may hold it already) but its answer
    /// never arrived. The next sync sends it again; the server answers `duplicate` if it had it.
    SentNotConfirmed {
        attempts: i64,
    },
    /// The server holds it.
    Synced,
    Conflict {
        code: Option<String>,
        message: Option<String>,
    },
    Rejected {
        code: Option<String>,
        message: Option<String>,
        field: Option<String>,
    },
}

impl SyncState {
    pub(crate) fn of(id: Uuid, states: &HashMap<Uuid, OutboxEntry>) -> SyncState {
        match states.get(&id) {
            None => SyncState::Synced,
            Some(e) => e.sync_state(),
        }
    }

    /// Waiting for the server's word: not sent, or sent and not confirmed.
    pub fn is_waiting(&self) -> bool {
        matches!(self, SyncState::Pending | SyncState::SentNotConfirmed { .. })
    }
}

impl OutboxEntry {
    /// This entry's state as a person reads it (see [`SyncState`]).
    pub fn sync_state(&self) -> SyncState {
        let e = self;
        match e.state {
            OutboxState::Pending if e.attempts > 0 => SyncState::SentNotConfirmed { attempts: e.attempts },
            OutboxState::Pending => SyncState::Pending,
            OutboxState::Conflict => SyncState::Conflict { code: e.code.clone(), message: e.message.clone() },
            OutboxState::Rejected => SyncState::Rejected {
                code: e.code.clone(),
                message: e.message.clone(),
                field: e.field.clone(),
            },
        }
    }
}

type EntryRow = (
    i64,
    String,
    String,
    DateTime<Utc>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<DateTime<Utc>>,
    i64,
);

const ENTRY_COLUMNS: &str =
    "seq, kind, record_id, created_at, state, code, message, field, answered_at, attempts";

fn entry(row: EntryRow) -> Result<OutboxEntry> {
    let (seq, kind, id, created_at, state, code, message, field, answered_at, attempts) = row;
    Ok(OutboxEntry {
        seq,
        kind: parse_kind(&kind)?,
        record_id: Uuid::parse_str(&id).map_err(ClientError::corrupt)?,
        created_at,
        state: OutboxState::parse(&state)?,
        code,
        message,
        field,
        answered_at,
        attempts,
    })
}

pub(crate) async fn enqueue(
    tx: &mut Tx<'_>,
    kind: RecordKind,
    id: Uuid,
    payload: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("INSERT INTO outbox (kind, record_id, payload, created_at) VALUES ($1, $2, $3, $4)")
        .bind(kind.as_str())
        .bind(id.to_string())
        .bind(payload)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Entries in one state (or all), oldest first.
pub async fn list(pool: &SqlitePool, state: Option<OutboxState>) -> Result<Vec<OutboxEntry>> {
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM outbox WHERE $1 IS NULL OR state = $1 ORDER BY seq");
    let rows: Vec<EntryRow> =
        sqlx::query_as(&sql).bind(state.map(OutboxState::as_str)).fetch_all(pool).await?;
    rows.into_iter().map(entry).collect()
}

/// Pending entries never carried by a push, and those sent but not confirmed.
pub async fn waiting_counts(pool: &SqlitePool) -> Result<(u32, u32)> {
    let (not_sent, sent): (i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(attempts = 0), 0), COALESCE(SUM(attempts > 0), 0) FROM outbox WHERE state = 'pending'",
    )
    .fetch_one(pool)
    .await?;
    Ok((u32::try_from(not_sent).unwrap_or(u32::MAX), u32::try_from(sent).unwrap_or(u32::MAX)))
}

/// Pending entries and when the oldest of them was recorded: the device report of a push.
pub async fn pending_stats(pool: &SqlitePool) -> Result<(u32, Option<DateTime<Utc>>)> {
    let (count, oldest): (i64, Option<DateTime<Utc>>) =
        sqlx::query_as("SELECT COUNT(*), MIN(created_at) FROM outbox WHERE state = 'pending'")
            .fetch_one(pool)
            .await?;
    Ok((u32::try_from(count).unwrap_or(u32::MAX), oldest))
}

/// The next push: the oldest pending entries (at most `limit`), so a household always travels in
/// the same push as its first visits or an earlier one (the server needs it first), with this
/// device's report. `None` when nothing is pending.
pub async fn next_push(
    pool: &SqlitePool,
    limit: usize,
    device_id: &str,
    app_version: &str,
) -> Result<Option<PushRequest>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, payload FROM outbox WHERE state = 'pending' ORDER BY seq LIMIT $1")
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(pool)
            .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let (pending_count, oldest_pending_at) = pending_stats(pool).await?;
    let device = DeviceReport {
        device_id: device_id.to_owned(),
        app_version: app_version.to_owned(),
        pending_count,
        oldest_pending_at,
    };
    let mut push = PushRequest::new(device);
    for (kind, payload) in rows {
        let kind = parse_kind(&kind)?;
        // The server applies a push's village actions after its other records, so a record made
        // after an action waits for the next push: a claim or decision never meets visits recorded
        // after it.
        if kind != RecordKind::VillageAction && !push.village_actions.is_empty() {
            break;
        }
        push.add_json(kind, &payload).map_err(|err| ClientError::corrupt(format!("outbox: {err}")))?;
    }
    Ok(Some(push))
}

/// Counts each record of the push as sent once more (before the request goes out, so a phone
/// killed mid-request still says "sent, not confirmed"); `-1` takes it back when the connection
/// could not even be opened (nothing reached the server).
pub async fn note_attempt(pool: &SqlitePool, push: &PushRequest, delta: i64) -> Result<()> {
    let mut tx = pool.begin().await?;
    for (_, id) in push.records() {
        sqlx::query("UPDATE outbox SET attempts = MAX(attempts + $1, 0) WHERE record_id = $2")
            .bind(delta)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// What the server's answers did to the outbox.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Applied {
    /// Accepted or duplicate: removed from the outbox.
    pub stored: usize,
    pub conflicts: usize,
    pub rejected: usize,
}

impl Applied {
    pub fn answered(&self) -> usize {
        self.stored + self.conflicts + self.rejected
    }
}

/// Applies a push's per-record answers in one transaction. Answers for ids that are not pending in
/// the outbox (a second answer for the same record, or a server mix-up) change nothing.
pub async fn apply_results(
    pool: &SqlitePool,
    results: &[RecordResult],
    now: DateTime<Utc>,
) -> Result<Applied> {
    let mut tx = pool.begin().await?;
    let mut applied = Applied::default();
    let mut seen = HashSet::new();
    for result in results {
        if !seen.insert(result.id) {
            continue;
        }
        let id = result.id.to_string();
        let kind = result.kind.as_str();
        if result.status.is_stored() {
            let gone =
                sqlx::query("DELETE FROM outbox WHERE record_id = $1 AND kind = $2 AND state = 'pending'")
                    .bind(&id)
                    .bind(kind)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
            if gone == 0 {
                continue;
            }
            applied.stored += 1;
            let flags =
                (!result.flags.is_empty()).then(|| serde_json::Value::from(result.flags.clone()).to_string());
            match result.kind {
                RecordKind::Household => {
                    sqlx::query("UPDATE households SET synced_at = $1 WHERE id = $2")
                        .bind(now)
                        .bind(&id)
                        .execute(&mut *tx)
                        .await?;
                }
                RecordKind::Visit => {
                    sqlx::query("UPDATE visits SET synced_at = $1, server_flags = $2 WHERE id = $3")
                        .bind(now)
                        .bind(flags)
                        .bind(&id)
                        .execute(&mut *tx)
                        .await?;
                }
                // What an action changed arrives by pull; until then the views keep showing the
                // action itself, and need to know when the server took it.
                RecordKind::VillageAction => {
                    sqlx::query("UPDATE village_actions SET synced_at = $1 WHERE id = $2")
                        .bind(now)
                        .bind(&id)
                        .execute(&mut *tx)
                        .await?;
                }
                // The edited household arrives by pull, with its new revision.
                RecordKind::HouseholdEdit => {}
            }
        } else {
            let state = if result.status == RecordStatus::Conflict { "conflict" } else { "rejected" };
            let changed = sqlx::query(
                "UPDATE outbox SET state = $1, code = $2, message = $3, field = $4, answered_at = $5 \
                 WHERE record_id = $6 AND kind = $7 AND state = 'pending'",
            )
            .bind(state)
            .bind(result.code.as_deref().or(Some(state)))
            .bind(&result.message)
            .bind(&result.field)
            .bind(now)
            .bind(&id)
            .bind(kind)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if changed == 0 {
                continue;
            }
            if result.status == RecordStatus::Conflict {
                applied.conflicts += 1;
            } else {
                applied.rejected += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(applied)
}

/// Puts a conflict or rejected entry back to pending, for when the cause was fixed elsewhere (an
/// admin widened the user's scope, a village was registered).
pub async fn requeue(pool: &SqlitePool, id: Uuid) -> Result<()> {
    let changed = sqlx::query(
        "UPDATE outbox SET state = 'pending', code = NULL, message = NULL, field = NULL, answered_at = NULL \
         WHERE record_id = $1",
    )
    .bind(id.to_string())
    .execute(pool)
    .await?
    .rows_affected();
    if changed == 0 { Err(ClientError::NotInOutbox(id)) } else { Ok(()) }
}

/// Outbox state per record id, for the views.
pub async fn states(pool: &SqlitePool) -> Result<HashMap<Uuid, OutboxEntry>> {
    Ok(list(pool, None).await?.into_iter().map(|e| (e.record_id, e)).collect())
}
