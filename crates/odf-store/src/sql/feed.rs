//! Reading the change feed back for the pull. A `visit` or `household` row of `changes` names its
//! stored row (`row_id`, with `payload` NULL: migration 0011) instead of holding a JSON copy of it;
//! its payload is rebuilt here from that row, the same JSON the copy held. Every other kind, and a
//! household row frozen by an edit (`freeze_household_changes`), carries its payload as before.

use super::ingest::{HOUSEHOLD_SELECT, VISIT_COLUMNS, household_from_row, visit_from_row};
use super::*;

/// One `changes` row as read, before its payload is rebuilt.
pub(super) struct FeedRow {
    seq: i64,
    kind: ChangeKind,
    entity_id: Option<String>,
    row_id: Option<Uuid>,
    area: AreaCode,
    at: Option<DateTime<Utc>>,
    payload: Option<String>,
}

/// Decodes a row of `SELECT seq, kind, entity_id, row_id, area_code, at, payload FROM changes`.
pub(super) fn feed_row(row: &DbRow) -> Result<FeedRow> {
    let kind: &str = row.try_get("kind")?;
    let area: &str = row.try_get("area_code")?;
    Ok(FeedRow {
        seq: row.try_get("seq")?,
        kind: ChangeKind::parse(kind).ok_or_else(|| StoreError::corrupt(format!("change kind {kind}")))?,
        entity_id: row.try_get("entity_id")?,
        row_id: row.try_get("row_id")?,
        area: code_of(area)?,
        at: row.try_get("at")?,
        payload: row.try_get("payload")?,
    })
}

/// The changes of `rows`, in their order, each with its payload: read from the row, or rebuilt
/// from the visit or household it names (two `IN (...)` reads for the whole page).
pub(super) async fn rebuild(tx: &mut Tx, rows: Vec<FeedRow>) -> Result<Vec<Change>> {
    let named = |kind: ChangeKind| -> Vec<Uuid> {
        rows.iter().filter(|r| r.kind == kind && r.payload.is_none()).filter_map(|r| r.row_id).collect()
    };
    let (visit_ids, household_ids) = (named(ChangeKind::Visit), named(ChangeKind::Household));
    let mut visits = HashMap::with_capacity(visit_ids.len());
    if !visit_ids.is_empty() {
        for row in fetch_in(tx, &format!("SELECT {VISIT_COLUMNS} FROM visits"), "id", &visit_ids).await? {
            let stored = visit_from_row(&row)?;
            visits.insert(stored.visit.id, stored);
        }
    }
    let mut households = HashMap::with_capacity(household_ids.len());
    if !household_ids.is_empty() {
        for row in fetch_in(tx, HOUSEHOLD_SELECT, "h.id", &household_ids).await? {
            let stored = household_from_row(&row)?;
            households.insert(stored.household.id, stored);
        }
    }
    rows.into_iter()
        .map(|row| {
            let entity_id = match (&row.entity_id, row.row_id) {
                (Some(id), _) => id.clone(),
                (None, Some(id)) => id.to_string(),
                (None, None) => return Err(StoreError::corrupt(format!("change {} names nothing", row.seq))),
            };
            let (payload, at) = match (row.payload, row.kind) {
                (Some(text), _) => (parse_json(&text)?, row.at),
                (None, ChangeKind::Visit) => {
                    let stored = row.row_id.and_then(|id| visits.get(&id)).ok_or_else(|| missing(row.seq))?;
                    let payload = serde_json::to_value(&stored.visit).map_err(StoreError::corrupt)?;
                    (payload, row.at.or(Some(stored.received_at)))
                }
                (None, ChangeKind::Household) => {
                    let stored =
                        row.row_id.and_then(|id| households.get(&id)).ok_or_else(|| missing(row.seq))?;
                    (household_payload(&stored.household, stored.revision), row.at)
                }
                (None, kind) => {
                    return Err(StoreError::corrupt(format!(
                        "change {} ({}) has no payload",
                        row.seq,
                        kind.as_str()
                    )));
                }
            };
            Ok(Change {
                seq: row.seq,
                kind: row.kind,
                entity_id,
                area: row.area,
                at: at.ok_or_else(|| StoreError::corrupt(format!("change {} has no time", row.seq)))?,
                payload,
            })
        })
        .collect()
}

fn missing(seq: i64) -> StoreError {
    StoreError::corrupt(format!("change {seq} names a row that is not stored"))
}
