//! Reading the change feed back for the pull. A `visit` or `household` row of `changes` names its
//! stored row (`row_id`, with `payload` NULL: migration 0011) instead of holding a JSON copy of it;
//! its payload is rebuilt here from that row, the same JSON the copy held. Every other kind, and a
//! household row frozen by an edit (`freeze_household_changes`), carries its payload as before.
//!
//! One statement per page: the named rows come by `LEFT JOIN` on their primary keys, so the page
//! is one consistent read, with no second round trip (on SQLite each statement costs a hand-off
//! to sqlx's worker thread) and no `IN (...)` list to prepare.

use super::*;

/// The key of the `changes_area` index (migration 0014): the area code as one number, its digits
/// padded to ten. Segments have fixed widths (2.2.2.4) and none is zero, so each code has its own
/// number and everything at or under an area is one range of numbers ([`area_key_range`]). A query
/// uses the index only when it names this very expression.
pub(super) const AREA_KEY: &str =
    "CAST(substr(replace(area_code, '.', '') || '0000000000', 1, 10) AS BIGINT)";

/// The [`AREA_KEY`]s of `area` and everything under it: `lo <= key < hi`.
pub(super) fn area_key_range(area: AreaCode) -> (i64, i64) {
    let text = area.to_string();
    let (mut digits, mut count) = (0_i64, 0_u32);
    for digit in text.bytes().filter(u8::is_ascii_digit) {
        digits = digits * 10 + i64::from(digit - b'0');
        count += 1;
    }
    let scale = 10_i64.pow(10_u32.saturating_sub(count));
    (digits * scale, (digits + 1) * scale)
}

/// The page query up to its `WHERE`; the scope and cursor conditions name only `changes`'
/// columns (`seq`, `area_code`), which neither joined table has. Read by position in
/// [`change_from_row`].
pub(super) const FEED_SELECT: &str = "SELECT c.seq, c.kind, c.entity_id, c.row_id, c.area_code, c.at, c.payload, \
     v.household_id, v.sanitarian, v.visited_at, v.category, v.checklist, v.lat, v.lng, v.photo_sha256, \
     v.device_id, v.received_at, \
     h.village_code, h.head_name, h.kk_count, h.dusun, h.rw, h.rt, h.lat, h.lng, h.revision \
     FROM changes c \
     LEFT JOIN visits v ON c.payload IS NULL AND c.kind = 'visit' AND v.id = c.row_id \
     LEFT JOIN households h ON c.payload IS NULL AND c.kind = 'household' AND h.id = c.row_id \
     WHERE ";

/// One row of [`FEED_SELECT`] as the change phones get: its payload read, or rebuilt from the
/// joined visit (columns 7-16) or household (17-25).
pub(super) fn change_from_row(row: &DbRow) -> Result<Change> {
    let seq: i64 = row.try_get(0)?;
    let kind: &str = row.try_get(1)?;
    let kind = ChangeKind::parse(kind).ok_or_else(|| StoreError::corrupt(format!("change kind {kind}")))?;
    let entity_id: Option<String> = row.try_get(2)?;
    let row_id: Option<Uuid> = row.try_get(3)?;
    let area: &str = row.try_get(4)?;
    let at: Option<DateTime<Utc>> = row.try_get(5)?;
    let payload: Option<&str> = row.try_get(6)?;
    let entity_id = match (entity_id, row_id) {
        (Some(id), _) => id,
        (None, Some(id)) => id.to_string(),
        (None, None) => return Err(StoreError::corrupt(format!("change {seq} names nothing"))),
    };
    let (payload, at) = match (payload, kind, row_id) {
        (Some(text), _, _) => (parse_json(text)?, at),
        (None, ChangeKind::Visit, Some(id)) => {
            let (visit, received_at) = joined_visit(row, id).map_err(|err| missing(seq, &err))?;
            (serde_json::to_value(&visit).map_err(StoreError::corrupt)?, at.or(Some(received_at)))
        }
        (None, ChangeKind::Household, Some(id)) => {
            let (household, revision) = joined_household(row, id).map_err(|err| missing(seq, &err))?;
            (household_payload(&household, revision), at)
        }
        (None, kind, _) => {
            return Err(StoreError::corrupt(format!("change {seq} ({}) has no payload", kind.as_str())));
        }
    };
    Ok(Change {
        seq,
        kind,
        entity_id,
        area: code_of(area)?,
        at: at.ok_or_else(|| StoreError::corrupt(format!("change {seq} has no time")))?,
        payload,
    })
}

/// The visit joined to a feed row, decoded as `ingest::visit_from_row` decodes a `visits` row.
fn joined_visit(row: &DbRow, id: Uuid) -> Result<(Visit, DateTime<Utc>)> {
    let Some(household_id) = row.try_get::<Option<Uuid>, _>(7)? else {
        return Err(StoreError::corrupt("the visit is not stored"));
    };
    let visit = Visit {
        id,
        household_id,
        sanitarian: row.try_get(8)?,
        visited_at: time_of_micros(row.try_get(9)?)?,
        category: category_of_code(row.try_get(10)?)?,
        checklist: checklist_of_bits(row.try_get(11)?)?,
        gps: point_of(row.try_get(12)?, row.try_get(13)?)?,
        photo_sha256: photo_hex(row.try_get(14)?)?,
        device_id: row.try_get(15)?,
    };
    Ok((visit, time_of_micros(row.try_get(16)?)?))
}

/// The household joined to a feed row, with its revision.
fn joined_household(row: &DbRow, id: Uuid) -> Result<(Household, i64)> {
    let Some(village) = row.try_get::<Option<&str>, _>(17)? else {
        return Err(StoreError::corrupt("the household is not stored"));
    };
    let kk: i64 = row.try_get(19)?;
    let household = Household {
        id,
        village: code_of(village)?,
        head_name: row.try_get(18)?,
        kk_count: u16::try_from(kk).map_err(StoreError::corrupt)?,
        dusun: row.try_get(20)?,
        rw: row.try_get(21)?,
        rt: row.try_get(22)?,
        gps: point_of(row.try_get(23)?, row.try_get(24)?)?,
    };
    Ok((household, row.try_get(25)?))
}

fn missing(seq: i64, err: &StoreError) -> StoreError {
    StoreError::corrupt(format!("change {seq}: {err}"))
}
