//! Household edits from phones and the conflicts stale edits leave. The merge decisions are the
//! domain's (`odf_domain::merge_edit`); this module loads what they need and writes what they decide,
//! in the caller's transaction.

use odf_domain::{HouseholdChanges, HouseholdField, merge_edit};

use super::audit::append_audit_in;
use super::batch::household_change;
use super::coverage::apply_tally_deltas;
use super::ingest::{HOUSEHOLD_SELECT, household_from_row};
use super::*;

pub(super) const CONFLICT_COLUMNS: &str = "id, household_id, village_code, edit_id, fields, kept, other, created_at, resolved_at, resolved_by, resolution";

pub(super) fn conflict_from_row(row: &DbRow) -> Result<HouseholdConflict> {
    let village: String = row.try_get("village_code")?;
    let fields: String = row.try_get("fields")?;
    let kept: String = row.try_get("kept")?;
    let other: String = row.try_get("other")?;
    Ok(HouseholdConflict {
        id: row.try_get("id")?,
        household_id: row.try_get("household_id")?,
        village: code_of(&village)?,
        edit_id: row.try_get("edit_id")?,
        fields: parse_json(&fields)?,
        kept: parse_json(&kept)?,
        other: parse_json(&other)?,
        created_at: row.try_get("created_at")?,
        resolved_at: row.try_get("resolved_at")?,
        resolved_by: row.try_get("resolved_by")?,
        resolution: row.try_get("resolution")?,
    })
}

fn edit_hash(edit: &HouseholdEdit) -> Vec<u8> {
    let text = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        edit.edit_id,
        edit.household_id,
        edit.base_revision,
        edit.edited_at.to_rfc3339_opts(SecondsFormat::Micros, true),
        edit.edited_by,
        json_of(&edit.changes)
    );
    Sha256::digest(text.as_bytes()).to_vec()
}

fn edit_outcome(edit: &HouseholdEdit, outcome: Outcome) -> RecordOutcome {
    RecordOutcome::new(RecordKind::HouseholdEdit, edit.edit_id, outcome)
}

fn edit_rejected(edit: &HouseholdEdit, code: &str, message: String) -> RecordOutcome {
    edit_outcome(edit, Outcome::Rejected { code: code.to_owned(), message })
}

/// The stored household with its revision, for update.
async fn load(tx: &mut Tx, id: Uuid) -> Result<Option<StoredHousehold>> {
    let row =
        sqlx::query(&format!("{HOUSEHOLD_SELECT} WHERE h.id = $1")).bind(id).fetch_optional(&mut *tx).await?;
    row.map(|row| household_from_row(&row)).transpose()
}

/// Writes a new revision of a household, keeps its village tally right when the KK count changed,
/// and announces it on the change feed.
async fn write_revision(
    tx: &mut Tx,
    before: &StoredHousehold,
    after: &Household,
    revision: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    freeze_household_changes(tx, before).await?;
    sqlx::query(
        "UPDATE households SET head_name = $1, kk_count = $2, dusun = $3, rw = $4, rt = $5, lat = $6, lng = $7, \
         revision = $8 WHERE id = $9",
    )
    .bind(&after.head_name)
    .bind(i64::from(after.kk_count))
    .bind(&after.dusun)
    .bind(&after.rw)
    .bind(&after.rt)
    .bind(after.gps.map(GeoPoint::lat))
    .bind(after.gps.map(GeoPoint::lng))
    .bind(revision)
    .bind(after.id)
    .execute(&mut *tx)
    .await?;
    if after.kk_count != before.household.kk_count {
        let latest = before.latest_visit.map(|l| l.category);
        let delta =
            Tally::household(after.kk_count, latest) - Tally::household(before.household.kk_count, latest);
        apply_tally_deltas(tx, &BTreeMap::from([(after.village, delta)]), now).await?;
    }
    insert_row_changes(tx, &[household_change(after)], now).await
}

/// Applies one edit: whole when made on the current revision, merged field by field when stale.
pub(super) async fn apply_edit(
    tx: &mut Tx,
    mut edit: HouseholdEdit,
    now: DateTime<Utc>,
) -> Result<RecordOutcome> {
    edit.edited_at = plan::normalize_time(edit.edited_at);
    let hash = edit_hash(&edit);
    let seen: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT content_hash FROM household_edits WHERE edit_id = $1")
            .bind(edit.edit_id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some(seen) = seen {
        let outcome = if seen == hash { Outcome::Duplicate } else { Outcome::Conflict };
        return Ok(edit_outcome(&edit, outcome));
    }
    if let Err(err) = edit.changes.validate() {
        return Ok(edit_rejected(&edit, err.code(), err.to_string()));
    }
    let Some(before) = load(tx, edit.household_id).await? else {
        return Ok(edit_rejected(
            &edit,
            "unknown_household",
            format!("rumah tangga {} belum terdaftar (household not registered)", edit.household_id),
        ));
    };
    if edit.base_revision < 1 || edit.base_revision > before.revision {
        return Ok(edit_rejected(
            &edit,
            "bad_revision",
            format!(
                "revisi dasar {} tidak ada; revisi sekarang {} (no such base revision)",
                edit.base_revision, before.revision
            ),
        ));
    }
    // A phone that edits twice before syncing bases both edits on the same revision; its own earlier
    // edit is not a clash with its later one.
    let rows = sqlx::query(
        "SELECT fields, edited_at FROM household_edits WHERE household_id = $1 AND revision > $2 AND edited_by <> $3",
    )
    .bind(edit.household_id)
    .bind(edit.base_revision)
    .bind(&edit.edited_by)
    .fetch_all(&mut *tx)
    .await?;
    let mut changed_since: Vec<(HouseholdField, DateTime<Utc>)> = Vec::new();
    for row in &rows {
        let fields: String = row.try_get("fields")?;
        let at: DateTime<Utc> = row.try_get("edited_at")?;
        for field in parse_json::<Vec<HouseholdField>>(&fields)? {
            changed_since.push((field, at));
        }
    }
    let merge = merge_edit(&before.household, &edit.changes, edit.edited_at, &changed_since);
    let mut after = before.household.clone();
    merge.apply.apply_to(&mut after);
    let revision = if merge.apply.is_empty() { before.revision } else { before.revision + 1 };
    if revision != before.revision {
        write_revision(tx, &before, &after, revision, now).await?;
    }
    sqlx::query(
        "INSERT INTO household_edits (edit_id, household_id, base_revision, revision, fields, changes, edited_by, \
         edited_at, received_at, content_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(edit.edit_id)
    .bind(edit.household_id)
    .bind(edit.base_revision)
    .bind(revision)
    .bind(json_of(&merge.apply.fields()))
    .bind(json_of(&edit.changes))
    .bind(&edit.edited_by)
    .bind(edit.edited_at)
    .bind(now)
    .bind(hash)
    .execute(&mut *tx)
    .await?;

    let stale = edit.base_revision < before.revision;
    let mut outcome = edit_outcome(&edit, if stale { Outcome::Merged } else { Outcome::Accepted });
    outcome.revision = Some(revision);
    if merge.has_conflict() {
        let id = Uuid::now_v7();
        sqlx::query(&format!(
            "INSERT INTO household_conflicts ({CONFLICT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL, NULL)"
        ))
        .bind(id)
        .bind(edit.household_id)
        .bind(after.village.to_string())
        .bind(edit.edit_id)
        .bind(json_of(&merge.overlapping))
        .bind(json_of(&HouseholdChanges::current(&after, &merge.overlapping)))
        .bind(json_of(&merge.losing_values))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        outcome.conflict_id = Some(id);
    }
    Ok(outcome)
}

/// Closes a conflict, applying the values that lost when `choose_other`.
pub(super) async fn resolve(
    tx: &mut Tx,
    id: Uuid,
    choose_other: bool,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<HouseholdConflict> {
    let row = sqlx::query(&format!("SELECT {CONFLICT_COLUMNS} FROM household_conflicts WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let not_found = || StoreError::NotFound { what: "konflik (conflict)", key: id.to_string() };
    let mut conflict = row.map(|row| conflict_from_row(&row)).transpose()?.ok_or_else(not_found)?;
    if conflict.resolved_at.is_some() {
        return Err(StoreError::AlreadyResolved(id));
    }
    if choose_other {
        let before = load(tx, conflict.household_id).await?.ok_or_else(not_found)?;
        let mut after = before.household.clone();
        conflict.other.apply_to(&mut after);
        let revision = before.revision + 1;
        write_revision(tx, &before, &after, revision, now).await?;
        // Recorded as an edit too, so later stale edits see these fields as changed.
        sqlx::query(
            "INSERT INTO household_edits (edit_id, household_id, base_revision, revision, fields, changes, \
             edited_by, edited_at, received_at, content_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(Uuid::now_v7())
        .bind(conflict.household_id)
        .bind(before.revision)
        .bind(revision)
        .bind(json_of(&conflict.fields))
        .bind(json_of(&conflict.other))
        .bind(actor)
        .bind(now)
        .bind(now)
        .bind(Sha256::digest(id.as_bytes()).to_vec())
        .execute(&mut *tx)
        .await?;
    }
    let resolution = if choose_other { "other" } else { "kept" };
    sqlx::query(
        "UPDATE household_conflicts SET resolved_at = $1, resolved_by = $2, resolution = $3 WHERE id = $4",
    )
    .bind(now)
    .bind(actor)
    .bind(resolution)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let details =
        serde_json::json!({ "conflict": id, "household": conflict.household_id, "resolution": resolution });
    let entry = NewAuditEntry {
        actor: actor.to_owned(),
        action: "household.conflict_resolve".to_owned(),
        area: Some(conflict.village),
        details,
    };
    append_audit_in(tx, entry, now).await?;
    conflict.resolved_at = Some(now);
    conflict.resolved_by = Some(actor.to_owned());
    conflict.resolution = Some(resolution.to_owned());
    Ok(conflict)
}
