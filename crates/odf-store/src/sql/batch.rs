//! Writing a pushed batch set-wise: a few `IN (...)` lookups tell the pure planner (`plan.rs`) what
//! is already stored; its decisions are then written with multi-row statements, `ROWS_PER_STATEMENT`
//! rows at a time, in the caller's transaction.

use super::coverage::apply_tally_deltas;
use super::ingest::{HOUSEHOLD_SELECT, VISIT_COLUMNS, household_from_row, visit_from_row};
use super::*;

pub(super) async fn lookup_known(tx: &mut Tx, lookups: &plan::Lookups) -> Result<Known> {
    let mut known = Known::default();
    let villages: Vec<String> = lookups.villages.iter().map(ToString::to_string).collect();
    for row in fetch_in(tx, "SELECT code FROM areas", "code", &villages).await? {
        let code: String = row.try_get("code")?;
        known.villages.insert(code_of(&code)?);
    }
    for row in fetch_in(tx, "SELECT id, content_hash FROM households", "id", &lookups.household_ids).await? {
        known.household_hashes.insert(row.try_get("id")?, hash_of(&row)?);
    }
    // Visits keep no hash (migration 0014): a stored visit found here (a copy sent again, rare) is
    // decoded and hashed as the pushed copy is, which gives the hash it was stored with.
    let stored_visits = format!("SELECT {VISIT_COLUMNS} FROM visits");
    for row in fetch_in(tx, &stored_visits, "id", &lookups.visit_ids).await? {
        let stored = visit_from_row(&row)?;
        known.visit_hashes.insert(stored.visit.id, plan::visit_hash(&stored.visit));
    }
    for row in fetch_in(tx, HOUSEHOLD_SELECT, "h.id", &lookups.visited_household_ids).await? {
        let stored = household_from_row(&row)?;
        known.households.insert(
            stored.household.id,
            HouseholdState {
                village: stored.household.village,
                kk_count: stored.household.kk_count,
                latest: stored.latest_visit,
            },
        );
    }
    Ok(known)
}

fn hash_of(row: &DbRow) -> Result<plan::ContentHash> {
    let bytes: Vec<u8> = row.try_get("content_hash")?;
    bytes.try_into().map_err(|_| StoreError::corrupt("content hash is not 32 bytes"))
}

pub(super) async fn write_plan(tx: &mut Tx, plan: &plan::IngestPlan, now: DateTime<Utc>) -> Result<()> {
    for chunk in plan.new_households.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::new(
            "INSERT INTO households (id, village_code, head_name, kk_count, dusun, rw, rt, lat, lng, revision, \
             content_hash, received_from, received_at) ",
        );
        query.push_values(chunk, |mut row, (h, hash, received_from)| {
            row.push_bind(h.id)
                .push_bind(h.village.to_string())
                .push_bind(h.head_name.clone())
                .push_bind(i64::from(h.kk_count))
                .push_bind(h.dusun.clone())
                .push_bind(h.rw.clone())
                .push_bind(h.rt.clone())
                .push_bind(h.gps.map(GeoPoint::lat))
                .push_bind(h.gps.map(GeoPoint::lng))
                .push_bind(1_i64)
                .push_bind(hash.to_vec())
                .push_bind(received_from.clone())
                .push_bind(now);
        });
        query.build().execute(&mut *tx).await?;
    }
    for chunk in plan.new_visits.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::new(
            "INSERT INTO visits (id, household_id, village_code, sanitarian, visited_at, category, checklist, \
             lat, lng, photo_sha256, device_id, flags, received_at) ",
        );
        query.push_values(chunk, |mut row, (flagged, village)| {
            let v = &flagged.visit;
            row.push_bind(v.id)
                .push_bind(v.household_id)
                .push_bind(village.to_string())
                .push_bind(v.sanitarian.clone())
                .push_bind(micros_of(v.visited_at))
                .push_bind(category_code(v.category))
                .push_bind(checklist_bits(&v.checklist))
                .push_bind(v.gps.map(GeoPoint::lat))
                .push_bind(v.gps.map(GeoPoint::lng))
                .push_bind(v.photo_sha256.as_deref().and_then(photo_bytes))
                .push_bind(v.device_id.clone())
                .push_bind(json_of(&flagged.flags))
                .push_bind(micros_of(now));
        });
        query.build().execute(&mut *tx).await?;
    }
    let latest: Vec<(&Uuid, &LatestVisit)> = plan.latest.iter().collect();
    for chunk in latest.chunks(ROWS_PER_STATEMENT) {
        let mut query =
            QueryBuilder::new("INSERT INTO household_latest (household_id, visit_id, visited_at, category) ");
        query.push_values(chunk, |mut row, (household, latest)| {
            row.push_bind(**household)
                .push_bind(latest.visit_id)
                .push_bind(latest.visited_at)
                .push_bind(latest.category.as_str());
        });
        query.push(
            " ON CONFLICT (household_id) DO UPDATE SET visit_id = excluded.visit_id, \
             visited_at = excluded.visited_at, category = excluded.category",
        );
        query.build().execute(&mut *tx).await?;
    }
    apply_tally_deltas(tx, &plan.tally_deltas, now).await?;

    // The feed names the rows just written; the pull rebuilds their JSON (migration 0011). A
    // visit's change time is its `received_at`: both are `now`.
    let mut changes = Vec::with_capacity(plan.new_households.len() + plan.new_visits.len());
    for (h, _, _) in &plan.new_households {
        changes.push(household_change(h));
    }
    for (flagged, village) in &plan.new_visits {
        changes.push(RowChange { kind: ChangeKind::Visit, id: flagged.visit.id, area: *village });
    }
    insert_row_changes(tx, &changes, now).await
}

/// A household's change-feed entry: the pull sends the household as stored, with its revision.
pub(super) fn household_change(household: &Household) -> RowChange {
    RowChange { kind: ChangeKind::Household, id: household.id, area: household.village }
}

/// Records what the phones of a group said about themselves. A device id belongs to the user who
/// first reported it: a report from anyone else under the same id changes nothing (it would move
/// that phone's freshness).
///
/// One upsert for the whole group: per device its last report, when all the group's reports under
/// that id come from one user (a phone is one user's), which ends exactly where the reports one by
/// one would. An id reported by several users in one group (a shared or spoofed id) has its reports
/// written one by one in queue order instead, so the first reporter still keeps it.
pub(super) async fn upsert_devices<'a>(
    tx: &mut Tx,
    reports: impl Iterator<Item = &'a DeviceRecord>,
) -> Result<()> {
    let mut by_id: Vec<(&str, Vec<&DeviceRecord>)> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for report in reports {
        let slot = *index.entry(report.device_id.as_str()).or_insert_with(|| {
            by_id.push((report.device_id.as_str(), Vec::new()));
            by_id.len() - 1
        });
        by_id[slot].1.push(report);
    }
    let mut last_of_each = Vec::with_capacity(by_id.len());
    let mut one_by_one = Vec::new();
    for (_, list) in &by_id {
        match list.last() {
            Some(last) if list.iter().all(|r| r.username == last.username) => last_of_each.push(*last),
            _ => one_by_one.extend(list.iter().copied()),
        }
    }
    for chunk in last_of_each.chunks(ROWS_PER_STATEMENT) {
        upsert_device_rows(tx, chunk).await?;
    }
    for report in one_by_one {
        upsert_device_rows(tx, &[report]).await?;
    }
    Ok(())
}

/// One upsert of device rows with distinct ids (PostgreSQL refuses to update a row twice in one
/// statement).
async fn upsert_device_rows(tx: &mut Tx, rows: &[&DeviceRecord]) -> Result<()> {
    let mut query = QueryBuilder::new(
        "INSERT INTO devices (device_id, username, app_version, pending_count, oldest_pending_at, last_sync_at) ",
    );
    query.push_values(rows, |mut row, device| {
        row.push_bind(device.device_id.clone())
            .push_bind(device.username.clone())
            .push_bind(device.app_version.clone())
            .push_bind(device.pending_count)
            .push_bind(device.oldest_pending_at.map(plan::normalize_time))
            .push_bind(plan::normalize_time(device.last_sync_at));
    });
    query.push(
        " ON CONFLICT (device_id) DO UPDATE SET username = excluded.username, \
         app_version = excluded.app_version, pending_count = excluded.pending_count, \
         oldest_pending_at = excluded.oldest_pending_at, last_sync_at = excluded.last_sync_at \
         WHERE devices.username = excluded.username",
    );
    query.build().execute(&mut *tx).await?;
    Ok(())
}
