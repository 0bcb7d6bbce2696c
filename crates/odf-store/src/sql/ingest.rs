//! Pushed batches and what phones read back ([`Ingest`]): households, visits, household edits with
//! their conflicts, device reports, and the change feed. Writing a batch is in `batch.rs`, household
//! edits in `edits.rs`, slips in `status.rs`; all in the one transaction of [`Ingest::ingest`].

use super::batch::{lookup_known, upsert_devices, write_plan};
use super::feed;
use super::*;
use crate::group::Job;
use tokio::sync::oneshot::error::TryRecvError;

pub(super) const HOUSEHOLD_SELECT: &str = "SELECT h.id, h.village_code, h.head_name, h.kk_count, h.dusun, \
     h.rw, h.rt, h.lat, h.lng, h.revision, l.visit_id, l.visited_at, l.category \
     FROM households h LEFT JOIN household_latest l ON l.household_id = h.id";

pub(super) const VISIT_COLUMNS: &str = "id, household_id, village_code, sanitarian, visited_at, category, \
     checklist, lat, lng, photo_sha256, device_id, flags, received_at";

pub(super) fn household_from_row(row: &DbRow) -> Result<StoredHousehold> {
    let village: String = row.try_get("village_code")?;
    let kk: i64 = row.try_get("kk_count")?;
    let latest = match row.try_get::<Option<Uuid>, _>("visit_id")? {
        Some(visit_id) => {
            let category: String = row.try_get("category")?;
            Some(LatestVisit {
                visit_id,
                visited_at: row.try_get("visited_at")?,
                category: category_of(&category)?,
            })
        }
        None => None,
    };
    Ok(StoredHousehold {
        household: Household {
            id: row.try_get("id")?,
            village: code_of(&village)?,
            head_name: row.try_get("head_name")?,
            kk_count: u16::try_from(kk).map_err(StoreError::corrupt)?,
            dusun: row.try_get("dusun")?,
            rw: row.try_get("rw")?,
            rt: row.try_get("rt")?,
            gps: point_of(row.try_get("lat")?, row.try_get("lng")?)?,
        },
        revision: row.try_get("revision")?,
        latest_visit: latest,
    })
}

/// A `visits` row (columns [`VISIT_COLUMNS`]), decoded from its compact types (migration 0010).
pub(super) fn visit_from_row(row: &DbRow) -> Result<StoredVisit> {
    let village: &str = row.try_get("village_code")?;
    let flags: &str = row.try_get("flags")?;
    Ok(StoredVisit {
        visit: Visit {
            id: row.try_get("id")?,
            household_id: row.try_get("household_id")?,
            sanitarian: row.try_get("sanitarian")?,
            visited_at: time_of_micros(row.try_get("visited_at")?)?,
            category: category_of_code(row.try_get("category")?)?,
            checklist: checklist_of_bits(row.try_get("checklist")?)?,
            gps: point_of(row.try_get("lat")?, row.try_get("lng")?)?,
            photo_sha256: photo_hex(row.try_get("photo_sha256")?)?,
            device_id: row.try_get("device_id")?,
        },
        village: code_of(village)?,
        // Nearly every visit has no flag: skip the parser for the empty list.
        flags: if flags == "[]" { Vec::new() } else { parse_json::<Vec<GpsFlag>>(flags)? },
        received_at: time_of_micros(row.try_get("received_at")?)?,
    })
}

impl ThisStore {
    /// Writes queued batches as one plan in one transaction and answers each after the commit; if
    /// that fails, each batch again in its own transaction, so one bad batch cannot fail its
    /// neighbours (see `crate::group`).
    async fn write_group(&self, jobs: Vec<Job>) {
        if jobs.len() > 1 {
            let batches: Vec<&IngestBatch> = jobs.iter().map(|job| &job.batch).collect();
            let shared = self.write(async |tx| ingest_in(tx, &batches).await).await;
            match shared {
                Ok(all) => {
                    for (job, outcomes) in jobs.into_iter().zip(all) {
                        let _ = job.answer.send(Ok(outcomes));
                    }
                    return;
                }
                Err(error) => {
                    tracing::warn!(%error, batches = jobs.len(), "group commit failed; writing each batch alone");
                }
            }
        }
        for job in jobs {
            let alone = self.write(async |tx| ingest_in(tx, &[&job.batch]).await).await;
            let _ = job.answer.send(alone.map(|mut all| all.pop().unwrap_or_default()));
        }
    }
}

impl ThisStore {
    /// The rows of `select` whose `column` is one of `ids` (each once), as of one snapshot. One
    /// statement sees one snapshot by itself: a push's lookup (the common case, every push) is then
    /// one plain read rather than a transaction's three or four round trips.
    async fn rows_by_id(&self, select: &str, column: &str, ids: &[Uuid]) -> Result<Vec<DbRow>> {
        let mut unique = ids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        if unique.is_empty() {
            Ok(Vec::new())
        } else if unique.len() <= ROWS_PER_STATEMENT {
            let mut reader = self.reader().acquire().await?;
            fetch_in(&mut reader, select, column, &unique).await
        } else {
            self.snapshot(async |tx| fetch_in(tx, select, column, &unique).await).await
        }
    }
}

/// The batches of a group, in queue order, inside the caller's transaction; one list of outcomes
/// per batch, each exactly what writing the batches one after the other would answer.
///
/// The group is one plan: its records are looked up together (one set of `IN` queries), planned
/// in queue order against what is stored plus what the batches before accepted
/// ([`plan::IngestPlan::add`]), and written with one set of multi-row statements. Household edits
/// read and write the stored household, so a batch with edits ends a segment: the records up to it
/// are written, its edits applied, and the batches after it are planned afresh on top. Edits are
/// rare; device reports come with every push and are written together at the end.
async fn ingest_in(tx: &mut Tx, batches: &[&IngestBatch]) -> Result<Vec<Vec<RecordOutcome>>> {
    let mut answers = Vec::with_capacity(batches.len());
    let mut start = 0;
    while start < batches.len() {
        let end = batches[start..]
            .iter()
            .position(|b| !b.edits.is_empty())
            .map_or(batches.len(), |i| start + i + 1);
        let segment = &batches[start..end];
        let mut outcomes = write_records(tx, segment).await?;
        if let (Some(last), Some(answer)) = (segment.last(), outcomes.last_mut()) {
            let now = stored_now();
            for edit in &last.edits {
                answer.push(edits::apply_edit(tx, edit.clone(), now).await?);
            }
        }
        answers.extend(outcomes);
        start = end;
    }
    upsert_devices(tx, batches.iter().filter_map(|b| b.device.as_ref())).await?;
    Ok(answers)
}

/// The households and visits of `batches` as one plan: lookups, the pure plan, set-wise writes,
/// slips.
async fn write_records(tx: &mut Tx, batches: &[&IngestBatch]) -> Result<Vec<Vec<RecordOutcome>>> {
    let lookups = plan::lookups(batches.iter().copied());
    let mut known = lookup_known(tx, &lookups).await?;
    let mut plan = plan::IngestPlan::default();
    let mut outcomes = Vec::with_capacity(batches.len());
    let mut slips = Vec::with_capacity(batches.len());
    for batch in batches {
        let decided = plan.add(batch, &mut known);
        outcomes.push(decided.outcomes);
        slips.push(decided.slip_candidates);
    }
    plan.finish();
    if !plan.is_empty() {
        let now = stored_now();
        write_plan(tx, &plan, now).await?;
        status::detect_slips(tx, &slips, now).await?;
    }
    Ok(outcomes)
}

#[async_trait]
impl Ingest for ThisStore {
    async fn ingest(&self, batch: IngestBatch) -> Result<Vec<RecordOutcome>> {
        let mut answer = self.group().enqueue(batch);
        loop {
            let leader = self.group().lead().await;
            // A writer answers before it lets go of the lead, so holding it, our job is either
            // answered or still queued. Looping (rather than leading once) matters when a group was
            // full and the callers behind us went away: nobody else would take our job.
            match answer.try_recv() {
                Ok(outcomes) => return outcomes,
                Err(TryRecvError::Closed) => return Err(StoreError::Database(sqlx::Error::WorkerCrashed)),
                Err(TryRecvError::Empty) => {}
            }
            let jobs = self.group().take();
            let store = self.clone();
            // Spawned: dropping this call (a client gone) must not abort the others' transaction.
            let writing = tokio::spawn(async move {
                store.write_group(jobs).await;
                drop(leader);
            });
            let _ = writing.await;
        }
    }

    async fn household(&self, id: Uuid) -> Result<Option<StoredHousehold>> {
        let row = sqlx::query(&format!("{HOUSEHOLD_SELECT} WHERE h.id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.map(|row| household_from_row(&row)).transpose()
    }

    async fn conflicts(&self, under: Option<AreaCode>, open_only: bool) -> Result<Vec<HouseholdConflict>> {
        let mut query = QueryBuilder::new(format!(
            "SELECT {} FROM household_conflicts WHERE 1 = 1",
            edits::CONFLICT_COLUMNS
        ));
        push_area_range(&mut query, "village_code", under);
        if open_only {
            query.push(" AND resolved_at IS NULL");
        }
        query.push(" ORDER BY created_at, id");
        let rows = query.build().fetch_all(self.reader()).await?;
        rows.iter().map(edits::conflict_from_row).collect()
    }

    async fn resolve_conflict(&self, id: Uuid, choose_other: bool, actor: &str) -> Result<HouseholdConflict> {
        self.write(async |tx| edits::resolve(tx, id, choose_other, actor, stored_now()).await).await
    }

    async fn households_by_id(&self, ids: &[Uuid]) -> Result<Vec<StoredHousehold>> {
        let rows = self.rows_by_id(HOUSEHOLD_SELECT, "h.id", ids).await?;
        rows.iter().map(household_from_row).collect()
    }

    async fn household_places(&self, ids: &[Uuid]) -> Result<Vec<HouseholdPlace>> {
        let rows = self.rows_by_id("SELECT id, village_code, lat, lng FROM households", "id", ids).await?;
        rows.iter()
            .map(|row| {
                let village: String = row.try_get("village_code")?;
                Ok(HouseholdPlace {
                    id: row.try_get("id")?,
                    village: code_of(&village)?,
                    gps: point_of(row.try_get("lat")?, row.try_get("lng")?)?,
                })
            })
            .collect()
    }

    async fn households_in(&self, village: AreaCode) -> Result<Vec<StoredHousehold>> {
        let rows = sqlx::query(&format!("{HOUSEHOLD_SELECT} WHERE h.village_code = $1 ORDER BY h.id"))
            .bind(village.to_string())
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(household_from_row).collect()
    }

    async fn visits_of(&self, household: Uuid) -> Result<Vec<StoredVisit>> {
        // No index on household_id (migration 0014; this is the only reader that would use it):
        // the household's visits are found among its village's, through `(village_code, id)`. A
        // household never changes village.
        let rows = sqlx::query(&format!(
            "SELECT {VISIT_COLUMNS} FROM visits \
             WHERE village_code = (SELECT village_code FROM households WHERE id = $1) AND household_id = $1"
        ))
        .bind(household)
        .fetch_all(self.reader())
        .await?;
        let mut visits = rows.iter().map(visit_from_row).collect::<Result<Vec<_>>>()?;
        visits.sort_by_key(|v| (v.visit.visited_at, v.visit.id));
        Ok(visits)
    }

    async fn visit_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM visits").fetch_one(self.reader()).await?)
    }

    async fn photo_villages(&self, sha256: &str) -> Result<Vec<AreaCode>> {
        // Hashes are stored as bytes; text that is not hex names no stored photo.
        let Some(bytes) = photo_bytes(sha256) else { return Ok(Vec::new()) };
        // The index holds the hash's first 4 bytes (migration 0010): the prefix finds the rows,
        // the whole hash picks them.
        let codes: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT village_code FROM visits \
             WHERE substr(photo_sha256, 1, 4) = substr($1, 1, 4) AND photo_sha256 = $1 ORDER BY village_code",
        )
        .bind(bytes)
        .fetch_all(self.reader())
        .await?;
        codes.iter().map(|code| code_of(code)).collect()
    }

    async fn devices(&self) -> Result<Vec<DeviceRecord>> {
        let rows = sqlx::query(
            "SELECT device_id, username, app_version, pending_count, oldest_pending_at, last_sync_at \
             FROM devices ORDER BY last_sync_at DESC, device_id",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DeviceRecord {
                    device_id: row.try_get("device_id")?,
                    username: row.try_get("username")?,
                    app_version: row.try_get("app_version")?,
                    pending_count: row.try_get("pending_count")?,
                    oldest_pending_at: row.try_get("oldest_pending_at")?,
                    last_sync_at: row.try_get("last_sync_at")?,
                })
            })
            .collect()
    }

    async fn changes_since(&self, scope: &Scope, cursor: i64, limit: u32) -> Result<ChangePage> {
        let limit = limit.clamp(1, MAX_PAGE);
        let mut query = QueryBuilder::new(format!("{} seq > ", feed::FEED_SELECT));
        query.push_bind(cursor);
        match scope {
            Scope::All => {}
            Scope::Areas(areas) if areas.is_empty() => {
                return Ok(ChangePage { changes: Vec::new(), next_cursor: cursor, has_more: false });
            }
            Scope::Areas(areas) => {
                query.push(" AND (");
                for (i, area) in areas.iter().enumerate() {
                    let (lo, hi) = feed::area_key_range(*area);
                    if i > 0 {
                        query.push(" OR ");
                    }
                    query
                        .push(format!("({} >= ", feed::AREA_KEY))
                        .push_bind(lo)
                        .push(format!(" AND {} < ", feed::AREA_KEY))
                        .push_bind(hi)
                        .push(")");
                }
                query.push(")");
            }
        }
        query.push(" ORDER BY seq LIMIT ").push_bind(i64::from(limit) + 1);
        let rows = query.build().fetch_all(self.reader()).await?;
        let has_more = rows.len() > limit as usize;
        let changes =
            rows.iter().take(limit as usize).map(feed::change_from_row).collect::<Result<Vec<Change>>>()?;
        let next_cursor = changes.last().map_or(cursor, |c| c.seq);
        Ok(ChangePage { changes, next_cursor, has_more })
    }
}
