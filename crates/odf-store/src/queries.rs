// The SQL of the store, written once and compiled for each backend: `sqlite.rs` and `postgres.rs`
// each `include!` this file inside a module that defines `Db` (the sqlx database) and `ThisStore`
// (the backend's store type, with `reader()`, `begin_write()` and `begin_snapshot()`). SQLite accepts
// PostgreSQL's `$1` placeholders, and every statement here is valid in both dialects, so one text
// serves both while each backend is still type-checked on its own (no `sqlx::Any`).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, SecondsFormat, Utc};
use odf_domain::coverage::is_later;
use odf_domain::{
    AreaCode, AreaKind, Category, EventKind, GeoPoint, GpsFlag, Household, Place, Role, Scope, StatusChange,
    StatusEvent, Tally, VillageState, VillageStatus, Visit,
};
use sha2::{Digest, Sha256};
use sqlx::{QueryBuilder, Row};
use uuid::Uuid;

use crate::certification::*;
use crate::error::StoreError;
use crate::model::*;
use crate::plan::{self, HouseholdState, Known};

/// Household edits and their conflicts (a second shared file, compiled the same way).
mod edits {
    use super::*;
    include!("edits.rs");
}
/// The facts coverage histories are rebuilt from.
mod history {
    use super::*;
    include!("history.rs");
}
/// Village status changes inside a transaction, slip detection and notifications.
mod status {
    use super::*;
    include!("status.rs");
}
/// ODF verifications: open, community criteria, decision with its certified data.
mod verify {
    use super::*;
    include!("verify.rs");
}
/// Certificates: issue on Lulus, read, revoke.
mod certs {
    use super::*;
    include!("certs.rs");
}

mod actions {
    use super::*;
    include!("actions.rs");
}
use crate::{Result, Store};

type Tx = sqlx::Transaction<'static, Db>;
type DbRow = <Db as sqlx::Database>::Row;

/// Rows per multi-row statement: well under both backends' bind-parameter limits (SQLite 32,766,
/// PostgreSQL 65,535) for our widest row (14 columns).
const ROWS_PER_STATEMENT: usize = 500;
const MAX_PAGE: u32 = 1000;
const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn code_of(text: &str) -> Result<AreaCode> {
    AreaCode::parse(text).map_err(StoreError::corrupt)
}

fn json_of<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".to_owned())
}

fn parse_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(StoreError::corrupt)
}

fn point_of(lat: Option<f64>, lng: Option<f64>) -> Result<Option<GeoPoint>> {
    match (lat, lng) {
        (Some(lat), Some(lng)) => GeoPoint::new(lat, lng).map(Some).map_err(StoreError::corrupt),
        _ => Ok(None),
    }
}

fn category_of(text: &str) -> Result<Category> {
    Category::parse(text).map_err(StoreError::corrupt)
}

/// Binds `code >= lo AND code < hi` for everything at or under `area` (nothing added for `None`).
fn push_area_range(query: &mut QueryBuilder<'static, Db>, column: &str, area: Option<AreaCode>) {
    if let Some(area) = area {
        let (lo, hi) = area.text_range();
        query
            .push(format!(" AND {column} >= "))
            .push_bind(lo)
            .push(format!(" AND {column} < "))
            .push_bind(hi);
    }
}

fn tally_from_row(row: &DbRow) -> Result<Tally> {
    Ok(Tally {
        houses: row.try_get("houses")?,
        kk: row.try_get("kk")?,
        kk_visited: row.try_get("kk_visited")?,
        kk_access: row.try_get("kk_access")?,
        kk_by_category: [
            row.try_get("kk_aman")?,
            row.try_get("kk_layak_sendiri")?,
            row.try_get("kk_layak_bersama")?,
            row.try_get("kk_belum_layak")?,
            row.try_get("kk_babs_tertutup")?,
            row.try_get("kk_babs_terbuka")?,
        ],
    })
}

const TALLY_COLUMNS: &str = "houses, kk, kk_visited, kk_access, kk_aman, kk_layak_sendiri, kk_layak_bersama, \
     kk_belum_layak, kk_babs_tertutup, kk_babs_terbuka";

fn user_from_row(row: &DbRow) -> Result<UserRecord> {
    let role: String = row.try_get("role")?;
    let area: String = row.try_get("area")?;
    let villages: String = row.try_get("villages")?;
    let villages: Vec<String> = parse_json(&villages)?;
    Ok(UserRecord {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        password_hash: row.try_get("password_hash")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::corrupt(format!("role {role}")))?,
        area: code_of(&area)?,
        villages: villages.iter().map(|v| code_of(v)).collect::<Result<_>>()?,
        disabled: row.try_get("disabled")?,
        created_at: row.try_get("created_at")?,
    })
}

const USER_COLUMNS: &str =
    "id, username, display_name, password_hash, role, area, villages, disabled, created_at";

const HOUSEHOLD_SELECT: &str = "SELECT h.id, h.village_code, h.head_name, h.kk_count, h.dusun, h.rw, h.rt, \
     h.lat, h.lng, h.revision, l.visit_id, l.visited_at, l.category \
     FROM households h LEFT JOIN household_latest l ON l.household_id = h.id";

fn household_from_row(row: &DbRow) -> Result<StoredHousehold> {
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

fn visit_from_row(row: &DbRow) -> Result<StoredVisit> {
    let village: String = row.try_get("village_code")?;
    let category: String = row.try_get("category")?;
    let checklist: String = row.try_get("checklist")?;
    let flags: String = row.try_get("flags")?;
    Ok(StoredVisit {
        visit: Visit {
            id: row.try_get("id")?,
            household_id: row.try_get("household_id")?,
            sanitarian: row.try_get("sanitarian")?,
            visited_at: row.try_get("visited_at")?,
            category: category_of(&category)?,
            checklist: parse_json(&checklist)?,
            gps: point_of(row.try_get("lat")?, row.try_get("lng")?)?,
            photo_sha256: row.try_get("photo_sha256")?,
            device_id: row.try_get("device_id")?,
        },
        village: code_of(&village)?,
        flags: parse_json::<Vec<GpsFlag>>(&flags)?,
        received_at: row.try_get("received_at")?,
    })
}

fn area_from_row(row: &DbRow, with_boundary: bool) -> Result<AreaRecord> {
    let code: String = row.try_get("code")?;
    let kind: String = row.try_get("kind")?;
    let parent: Option<String> = row.try_get("parent")?;
    let boundary = if with_boundary {
        row.try_get::<Option<String>, _>("boundary")?.map(|text| parse_json(&text)).transpose()?
    } else {
        None
    };
    Ok(AreaRecord {
        code: code_of(&code)?,
        name: row.try_get("name")?,
        kind: AreaKind::parse(&kind).ok_or_else(|| StoreError::corrupt(format!("area kind {kind}")))?,
        parent: parent.as_deref().map(code_of).transpose()?,
        boundary,
        centroid: point_of(row.try_get("centroid_lat")?, row.try_get("centroid_lng")?)?,
    })
}

/// A change-feed row waiting to be written.
struct PendingChange {
    kind: ChangeKind,
    entity_id: String,
    area: AreaCode,
    payload: String,
}

async fn insert_changes(tx: &mut Tx, changes: &[PendingChange], at: DateTime<Utc>) -> Result<()> {
    for chunk in changes.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::new("INSERT INTO changes (kind, entity_id, area_code, at, payload) ");
        query.push_values(chunk, |mut row, change| {
            row.push_bind(change.kind.as_str())
                .push_bind(change.entity_id.clone())
                .push_bind(change.area.to_string())
                .push_bind(at)
                .push_bind(change.payload.clone());
        });
        query.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// `SELECT <columns> FROM <table> WHERE <column> IN (...)` over `ids` in chunks.
async fn fetch_in<T>(tx: &mut Tx, select: &str, column: &str, ids: &[T]) -> Result<Vec<DbRow>>
where
    T: Clone + Send + for<'q> sqlx::Encode<'q, Db> + sqlx::Type<Db> + 'static,
{
    let mut rows = Vec::new();
    for chunk in ids.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::new(format!("{select} WHERE {column} IN ("));
        let mut list = query.separated(", ");
        for id in chunk {
            list.push_bind(id.clone());
        }
        query.push(")");
        rows.extend(query.build().fetch_all(&mut **tx).await?);
    }
    Ok(rows)
}

async fn lookup_known(tx: &mut Tx, lookups: &plan::Lookups) -> Result<Known> {
    let mut known = Known::default();
    let villages: Vec<String> = lookups.villages.iter().map(ToString::to_string).collect();
    for row in fetch_in(tx, "SELECT code FROM areas", "code", &villages).await? {
        let code: String = row.try_get("code")?;
        known.villages.insert(code_of(&code)?);
    }
    for row in fetch_in(tx, "SELECT id, content_hash FROM households", "id", &lookups.household_ids).await? {
        known.household_hashes.insert(row.try_get("id")?, hash_of(&row)?);
    }
    for row in fetch_in(tx, "SELECT id, content_hash FROM visits", "id", &lookups.visit_ids).await? {
        known.visit_hashes.insert(row.try_get("id")?, hash_of(&row)?);
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

async fn write_plan(
    tx: &mut Tx,
    plan: &plan::IngestPlan,
    received_from: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    for chunk in plan.new_households.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::new(
            "INSERT INTO households (id, village_code, head_name, kk_count, dusun, rw, rt, lat, lng, revision, \
             content_hash, received_from, received_at) ",
        );
        query.push_values(chunk, |mut row, (h, hash)| {
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
                .push_bind(received_from.to_owned())
                .push_bind(now);
        });
        query.build().execute(&mut **tx).await?;
    }
    for chunk in plan.new_visits.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::new(
            "INSERT INTO visits (id, household_id, village_code, sanitarian, visited_at, category, checklist, \
             lat, lng, photo_sha256, device_id, flags, content_hash, received_at) ",
        );
        query.push_values(chunk, |mut row, (flagged, village, hash)| {
            let v = &flagged.visit;
            row.push_bind(v.id)
                .push_bind(v.household_id)
                .push_bind(village.to_string())
                .push_bind(v.sanitarian.clone())
                .push_bind(v.visited_at)
                .push_bind(v.category.as_str())
                .push_bind(json_of(&v.checklist))
                .push_bind(v.gps.map(GeoPoint::lat))
                .push_bind(v.gps.map(GeoPoint::lng))
                .push_bind(v.photo_sha256.clone())
                .push_bind(v.device_id.clone())
                .push_bind(json_of(&flagged.flags))
                .push_bind(hash.to_vec())
                .push_bind(now);
        });
        query.build().execute(&mut **tx).await?;
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
        query.build().execute(&mut **tx).await?;
    }
    apply_tally_deltas(tx, &plan.tally_deltas, now).await?;

    let mut changes = Vec::with_capacity(plan.new_households.len() + plan.new_visits.len());
    for (h, _) in &plan.new_households {
        changes.push(household_change(h, 1));
    }
    for (flagged, village, _) in &plan.new_visits {
        changes.push(PendingChange {
            kind: ChangeKind::Visit,
            entity_id: flagged.visit.id.to_string(),
            area: *village,
            payload: json_of(&flagged.visit),
        });
    }
    insert_changes(tx, &changes, now).await
}

/// A household's change-feed entry: the household with its revision, so phones can base edits on it.
fn household_change(household: &Household, revision: i64) -> PendingChange {
    let mut payload = serde_json::to_value(household).unwrap_or_default();
    payload["revision"] = revision.into();
    PendingChange {
        kind: ChangeKind::Household,
        entity_id: household.id.to_string(),
        area: household.village,
        payload: payload.to_string(),
    }
}

/// Adds each village's summed delta to its tally row in one upsert per chunk of villages.
async fn apply_tally_deltas(
    tx: &mut Tx,
    deltas: &BTreeMap<AreaCode, Tally>,
    now: DateTime<Utc>,
) -> Result<()> {
    let rows: Vec<(&AreaCode, &Tally)> = deltas.iter().collect();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::new(format!(
            "INSERT INTO village_tallies (village_code, {TALLY_COLUMNS}, updated_at) "
        ));
        query.push_values(chunk, |mut row, (village, t)| {
            row.push_bind(village.to_string())
                .push_bind(t.houses)
                .push_bind(t.kk)
                .push_bind(t.kk_visited)
                .push_bind(t.kk_access);
            for count in t.kk_by_category {
                row.push_bind(count);
            }
            row.push_bind(now);
        });
        let sums: Vec<String> =
            TALLY_COLUMNS.split(", ").map(|c| format!("{c} = village_tallies.{c} + excluded.{c}")).collect();
        query.push(format!(
            " ON CONFLICT (village_code) DO UPDATE SET {}, updated_at = excluded.updated_at",
            sums.join(", ")
        ));
        query.build().execute(&mut **tx).await?;
    }
    Ok(())
}

async fn upsert_device(tx: &mut Tx, device: &DeviceRecord) -> Result<()> {
    sqlx::query(
        "INSERT INTO devices (device_id, username, app_version, pending_count, oldest_pending_at, last_sync_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (device_id) DO UPDATE SET username = excluded.username, \
         app_version = excluded.app_version, pending_count = excluded.pending_count, \
         oldest_pending_at = excluded.oldest_pending_at, last_sync_at = excluded.last_sync_at",
    )
    .bind(&device.device_id)
    .bind(&device.username)
    .bind(&device.app_version)
    .bind(device.pending_count)
    .bind(device.oldest_pending_at.map(plan::normalize_time))
    .bind(plan::normalize_time(device.last_sync_at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The hash of an audit entry: SHA-256 over the previous hash and the entry's fields, one per line.
fn audit_hash(
    prev_hash: &str,
    at: DateTime<Utc>,
    actor: &str,
    action: &str,
    area: Option<AreaCode>,
    details: &str,
) -> String {
    let area = area.map(|a| a.to_string()).unwrap_or_default();
    let at = at.to_rfc3339_opts(SecondsFormat::Micros, true);
    let text = format!("{prev_hash}\n{at}\n{actor}\n{action}\n{area}\n{details}");
    hex::encode(Sha256::digest(text.as_bytes()))
}

async fn append_audit_in(tx: &mut Tx, entry: NewAuditEntry, now: DateTime<Utc>) -> Result<AuditEntry> {
    let at = plan::normalize_time(now);
    let prev: Option<String> = sqlx::query_scalar("SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?;
    let prev_hash = prev.unwrap_or_else(|| GENESIS_HASH.to_owned());
    let details = json_of(&entry.details);
    let hash = audit_hash(&prev_hash, at, &entry.actor, &entry.action, entry.area, &details);
    let seq: i64 = sqlx::query_scalar(
        "INSERT INTO audit_log (at, actor, action, area_code, details, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING seq",
    )
    .bind(at)
    .bind(&entry.actor)
    .bind(&entry.action)
    .bind(entry.area.map(|a| a.to_string()))
    .bind(&details)
    .bind(&prev_hash)
    .bind(&hash)
    .fetch_one(&mut **tx)
    .await?;
    Ok(AuditEntry {
        seq,
        at,
        actor: entry.actor,
        action: entry.action,
        area: entry.area,
        details: entry.details,
        prev_hash,
        hash,
    })
}

fn audit_from_row(row: &DbRow) -> Result<(AuditEntry, String)> {
    let area: Option<String> = row.try_get("area_code")?;
    let details: String = row.try_get("details")?;
    let entry = AuditEntry {
        seq: row.try_get("seq")?,
        at: row.try_get("at")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        area: area.as_deref().map(code_of).transpose()?,
        details: parse_json(&details)?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    };
    Ok((entry, details))
}

/// Recomputes every village tally from raw rows, inside one consistent snapshot.
async fn recount_in(tx: &mut Tx) -> Result<(BTreeMap<AreaCode, Tally>, usize, usize)> {
    let mut households: HashMap<Uuid, (AreaCode, u16)> = HashMap::new();
    for row in sqlx::query("SELECT id, village_code, kk_count FROM households").fetch_all(&mut **tx).await? {
        let village: String = row.try_get("village_code")?;
        let kk: i64 = row.try_get("kk_count")?;
        households.insert(
            row.try_get("id")?,
            (code_of(&village)?, u16::try_from(kk).map_err(StoreError::corrupt)?),
        );
    }
    let mut latest: HashMap<Uuid, (DateTime<Utc>, Uuid, Category)> = HashMap::new();
    let rows =
        sqlx::query("SELECT id, household_id, visited_at, category FROM visits").fetch_all(&mut **tx).await?;
    let visits = rows.len();
    for row in rows {
        let id: Uuid = row.try_get("id")?;
        let household: Uuid = row.try_get("household_id")?;
        let at: DateTime<Utc> = row.try_get("visited_at")?;
        let category: String = row.try_get("category")?;
        let category = category_of(&category)?;
        let newer =
            latest.get(&household).is_none_or(|(cur_at, cur_id, _)| is_later(at, id, *cur_at, *cur_id));
        if newer {
            latest.insert(household, (at, id, category));
        }
    }
    let mut tallies: BTreeMap<AreaCode, Tally> = BTreeMap::new();
    for (id, (village, kk)) in &households {
        *tallies.entry(*village).or_default() += Tally::household(*kk, latest.get(id).map(|(_, _, c)| *c));
    }
    Ok((tallies, households.len(), visits))
}

impl Store for ThisStore {
    fn backend_name(&self) -> &'static str {
        BACKEND_NAME
    }

    async fn migrate(&self) -> Result<()> {
        self.run_migrations().await
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(self.reader()).await?;
        Ok(())
    }

    async fn import_areas(&self, places: &[Place]) -> Result<ImportReport> {
        let mut sorted: Vec<&Place> = places.iter().collect();
        sorted.sort_by_key(|p| p.code);
        sorted.dedup_by_key(|p| p.code);
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        let mut existing: HashMap<String, (String, String)> = HashMap::new();
        for row in sqlx::query("SELECT code, name, kind FROM areas").fetch_all(&mut *tx).await? {
            existing.insert(row.try_get("code")?, (row.try_get("name")?, row.try_get("kind")?));
        }
        let mut report = ImportReport::default();
        let mut upserts: Vec<&Place> = Vec::new();
        for place in sorted {
            let code = place.code.to_string();
            match existing.get(&code) {
                Some((name, kind)) if *name == place.name && kind == place.kind.as_str() => {
                    report.unchanged += 1;
                }
                Some(_) => {
                    report.updated += 1;
                    upserts.push(place);
                }
                None => {
                    let parent_known =
                        place.code.parent().is_none_or(|p| existing.contains_key(&p.to_string()));
                    if parent_known {
                        report.inserted += 1;
                        existing.insert(code, (place.name.clone(), place.kind.as_str().to_owned()));
                        upserts.push(place);
                    } else {
                        report.unknown.push(place.code);
                    }
                }
            }
        }
        for chunk in upserts.chunks(ROWS_PER_STATEMENT) {
            let mut query =
                QueryBuilder::new("INSERT INTO areas (code, name, level, kind, parent, updated_at) ");
            query.push_values(chunk, |mut row, place| {
                row.push_bind(place.code.to_string())
                    .push_bind(place.name.clone())
                    .push_bind(place.level().as_str())
                    .push_bind(place.kind.as_str())
                    .push_bind(place.code.parent().map(|p| p.to_string()))
                    .push_bind(now);
            });
            query.push(
                " ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, \
                 updated_at = excluded.updated_at",
            );
            query.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(report)
    }

    async fn import_boundaries(&self, boundaries: &[AreaBoundary]) -> Result<ImportReport> {
        let now = Utc::now();
        let mut tx = self.begin_write().await?;
        let codes: Vec<String> = boundaries.iter().map(|b| b.code.to_string()).collect();
        let mut existing: HashMap<String, Option<String>> = HashMap::new();
        for row in fetch_in(&mut tx, "SELECT code, boundary FROM areas", "code", &codes).await? {
            existing.insert(row.try_get("code")?, row.try_get("boundary")?);
        }
        let mut report = ImportReport::default();
        let mut changes = Vec::new();
        for boundary in boundaries {
            let code = boundary.code.to_string();
            let geometry = json_of(&boundary.geometry);
            match existing.get(&code) {
                None => report.unknown.push(boundary.code),
                Some(Some(stored)) if *stored == geometry => report.unchanged += 1,
                Some(stored) => {
                    if stored.is_some() {
                        report.updated += 1;
                    } else {
                        report.inserted += 1;
                    }
                    sqlx::query(
                        "UPDATE areas SET boundary = $1, centroid_lat = $2, centroid_lng = $3, updated_at = $4 \
                         WHERE code = $5",
                    )
                    .bind(&geometry)
                    .bind(boundary.centroid.map(GeoPoint::lat))
                    .bind(boundary.centroid.map(GeoPoint::lng))
                    .bind(now)
                    .bind(&code)
                    .execute(&mut *tx)
                    .await?;
                    existing.insert(code.clone(), Some(geometry));
                    if boundary.code.is_village() {
                        let payload = serde_json::json!({
                            "code": code,
                            "geometry": boundary.geometry,
                            "centroid": boundary.centroid,
                        });
                        changes.push(PendingChange {
                            kind: ChangeKind::Boundary,
                            entity_id: code,
                            area: boundary.code,
                            payload: json_of(&payload),
                        });
                    }
                }
            }
        }
        insert_changes(&mut tx, &changes, now).await?;
        tx.commit().await?;
        Ok(report)
    }

    async fn area(&self, code: AreaCode) -> Result<Option<AreaRecord>> {
        let row = sqlx::query(
            "SELECT code, name, kind, parent, boundary, centroid_lat, centroid_lng FROM areas WHERE code = $1",
        )
        .bind(code.to_string())
        .fetch_optional(self.reader())
        .await?;
        row.map(|row| area_from_row(&row, true)).transpose()
    }

    async fn areas(&self, under: Option<AreaCode>) -> Result<Vec<AreaRecord>> {
        let mut query = QueryBuilder::new(
            "SELECT code, name, kind, parent, centroid_lat, centroid_lng FROM areas WHERE 1 = 1",
        );
        push_area_range(&mut query, "code", under);
        query.push(" ORDER BY code");
        let rows = query.build().fetch_all(self.reader()).await?;
        rows.iter().map(|row| area_from_row(row, false)).collect()
    }

    async fn boundaries_of(&self, codes: &[AreaCode]) -> Result<Vec<(AreaCode, serde_json::Value)>> {
        let mut texts: Vec<String> = codes.iter().map(ToString::to_string).collect();
        texts.sort_unstable();
        texts.dedup();
        let mut tx = self.begin_snapshot().await?;
        let rows = fetch_in(&mut tx, "SELECT code, boundary FROM areas", "code", &texts).await?;
        tx.commit().await?;
        let mut found = Vec::with_capacity(rows.len());
        for row in rows {
            let code: String = row.try_get("code")?;
            if let Some(text) = row.try_get::<Option<String>, _>("boundary")? {
                found.push((code_of(&code)?, parse_json(&text)?));
            }
        }
        found.sort_by_key(|(code, _)| *code);
        Ok(found)
    }

    async fn create_user(&self, user: NewUser) -> Result<UserRecord> {
        let record = UserRecord {
            id: Uuid::now_v7(),
            username: user.username,
            display_name: user.display_name,
            password_hash: user.password_hash,
            role: user.role,
            area: user.area,
            villages: user.villages,
            disabled: false,
            created_at: plan::normalize_time(Utc::now()),
        };
        let villages: Vec<String> = record.villages.iter().map(ToString::to_string).collect();
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(&format!(
            "INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(record.id)
        .bind(&record.username)
        .bind(&record.display_name)
        .bind(&record.password_hash)
        .bind(record.role.as_str())
        .bind(record.area.to_string())
        .bind(json_of(&villages))
        .bind(record.disabled)
        .bind(record.created_at)
        .execute(&mut *tx)
        .await;
        match inserted {
            Err(sqlx::Error::Database(err)) if err.is_unique_violation() => {
                return Err(StoreError::UsernameTaken(record.username));
            }
            other => other?,
        };
        tx.commit().await?;
        Ok(record)
    }

    async fn user(&self, id: Uuid) -> Result<Option<UserRecord>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.map(|row| user_from_row(&row)).transpose()
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1"))
            .bind(username)
            .fetch_optional(self.reader())
            .await?;
        row.map(|row| user_from_row(&row)).transpose()
    }

    async fn list_users(&self) -> Result<Vec<UserRecord>> {
        let rows = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY username"))
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(user_from_row).collect()
    }

    async fn set_user_disabled(&self, username: &str, disabled: bool) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE users SET disabled = $1 WHERE username = $2")
            .bind(disabled)
            .bind(username)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound { what: "pengguna (user)", key: username.to_owned() });
        }
        tx.commit().await?;
        Ok(())
    }

    async fn create_session(&self, session: NewSession) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, kind, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(session.token_hash.to_vec())
        .bind(session.user_id)
        .bind(session.kind.as_str())
        .bind(plan::normalize_time(Utc::now()))
        .bind(plan::normalize_time(session.expires_at))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session(&self, token_hash: [u8; 32]) -> Result<Option<SessionRecord>> {
        let row = sqlx::query(
            "SELECT user_id, kind, created_at, expires_at, revoked_at FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash.to_vec())
        .fetch_optional(self.reader())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let kind: String = row.try_get("kind")?;
        Ok(Some(SessionRecord {
            user_id: row.try_get("user_id")?,
            kind: SessionKind::parse(&kind)
                .ok_or_else(|| StoreError::corrupt(format!("session kind {kind}")))?,
            created_at: row.try_get("created_at")?,
            expires_at: row.try_get("expires_at")?,
            revoked_at: row.try_get("revoked_at")?,
        }))
    }

    async fn revoke_session(&self, token_hash: [u8; 32]) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let done =
            sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL")
                .bind(plan::normalize_time(Utc::now()))
                .bind(token_hash.to_vec())
                .execute(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
    }

    async fn ingest(&self, mut batch: IngestBatch) -> Result<Vec<RecordOutcome>> {
        let lookups = plan::lookups(&batch);
        let received_from = batch.received_from.clone();
        let mut tx = self.begin_write().await?;
        let known = lookup_known(&mut tx, &lookups).await?;
        let device = batch.device.clone();
        let edits = std::mem::take(&mut batch.edits);
        let plan = plan::plan_ingest(batch, known);
        if !plan.is_empty() {
            let now = plan::normalize_time(Utc::now());
            write_plan(&mut tx, &plan, &received_from, now).await?;
            status::detect_slips(&mut tx, &plan, now).await?;
        }
        let mut outcomes = plan.outcomes;
        let now = plan::normalize_time(Utc::now());
        for edit in edits {
            outcomes.push(edits::apply_edit(&mut tx, edit, now).await?);
        }
        if let Some(device) = device {
            upsert_device(&mut tx, &device).await?;
        }
        tx.commit().await?;
        Ok(outcomes)
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
        let mut tx = self.begin_write().await?;
        let resolved =
            edits::resolve(&mut tx, id, choose_other, actor, plan::normalize_time(Utc::now())).await?;
        tx.commit().await?;
        Ok(resolved)
    }

    async fn household(&self, id: Uuid) -> Result<Option<StoredHousehold>> {
        let row = sqlx::query(&format!("{HOUSEHOLD_SELECT} WHERE h.id = $1"))
            .bind(id)
            .fetch_optional(self.reader())
            .await?;
        row.map(|row| household_from_row(&row)).transpose()
    }

    async fn households_by_id(&self, ids: &[Uuid]) -> Result<Vec<StoredHousehold>> {
        let mut unique = ids.to_vec();
        unique.sort_unstable();
        unique.dedup();
        let mut tx = self.begin_snapshot().await?;
        let rows = fetch_in(&mut tx, HOUSEHOLD_SELECT, "h.id", &unique).await?;
        tx.commit().await?;
        rows.iter().map(household_from_row).collect()
    }

    async fn households_in(&self, village: AreaCode) -> Result<Vec<StoredHousehold>> {
        let rows = sqlx::query(&format!("{HOUSEHOLD_SELECT} WHERE h.village_code = $1 ORDER BY h.id"))
            .bind(village.to_string())
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(household_from_row).collect()
    }

    async fn visits_of(&self, household: Uuid) -> Result<Vec<StoredVisit>> {
        let rows = sqlx::query(
            "SELECT id, household_id, village_code, sanitarian, visited_at, category, checklist, lat, lng, \
             photo_sha256, device_id, flags, received_at FROM visits WHERE household_id = $1",
        )
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

    async fn village_tally(&self, village: AreaCode) -> Result<Tally> {
        let row =
            sqlx::query(&format!("SELECT {TALLY_COLUMNS} FROM village_tallies WHERE village_code = $1"))
                .bind(village.to_string())
                .fetch_optional(self.reader())
                .await?;
        row.map_or(Ok(Tally::default()), |row| tally_from_row(&row))
    }

    async fn tallies(&self, under: Option<AreaCode>) -> Result<Vec<(AreaCode, Tally)>> {
        let mut query = QueryBuilder::new(format!(
            "SELECT village_code, {TALLY_COLUMNS} FROM village_tallies WHERE 1 = 1"
        ));
        push_area_range(&mut query, "village_code", under);
        query.push(" ORDER BY village_code");
        let rows = query.build().fetch_all(self.reader()).await?;
        rows.iter()
            .map(|row| {
                let village: String = row.try_get("village_code")?;
                Ok((code_of(&village)?, tally_from_row(row)?))
            })
            .collect()
    }

    async fn recount(&self) -> Result<RecountReport> {
        let mut tx = self.begin_snapshot().await?;
        let (recounted, households, visits) = recount_in(&mut tx).await?;
        let mut stored: BTreeMap<AreaCode, Tally> = BTreeMap::new();
        for row in sqlx::query(&format!("SELECT village_code, {TALLY_COLUMNS} FROM village_tallies"))
            .fetch_all(&mut *tx)
            .await?
        {
            let village: String = row.try_get("village_code")?;
            stored.insert(code_of(&village)?, tally_from_row(&row)?);
        }
        tx.commit().await?;
        let mut villages: Vec<AreaCode> = stored.keys().chain(recounted.keys()).copied().collect();
        villages.sort_unstable();
        villages.dedup();
        let differences = villages
            .iter()
            .filter_map(|village| {
                let stored = stored.get(village).copied().unwrap_or_default();
                let recounted = recounted.get(village).copied().unwrap_or_default();
                (stored != recounted).then_some(TallyDifference { village: *village, stored, recounted })
            })
            .collect();
        Ok(RecountReport { villages_checked: villages.len(), households, visits, differences })
    }

    async fn village_state(&self, village: AreaCode) -> Result<VillageState> {
        let rows = sqlx::query(
            "SELECT from_status, to_status, event, actor, at, reason FROM status_history \
             WHERE village_code = $1 ORDER BY id",
        )
        .bind(village.to_string())
        .fetch_all(self.reader())
        .await?;
        let history = rows.iter().map(status_change_from_row).collect::<Result<Vec<_>>>()?;
        let status = history.last().map_or(VillageStatus::default(), |c| c.to);
        Ok(VillageState { status, history })
    }

    async fn apply_status_event(&self, village: AreaCode, event: StatusEvent) -> Result<StatusChange> {
        let mut tx = self.begin_write().await?;
        let change = status::apply_in(&mut tx, village, event).await?;
        tx.commit().await?;
        Ok(change)
    }

    async fn open_verification(&self, new: NewVerification) -> Result<VerificationRecord> {
        let mut tx = self.begin_write().await?;
        let record = verify::open(&mut tx, new, plan::normalize_time(Utc::now())).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn verification(&self, id: Uuid) -> Result<Option<VerificationRecord>> {
        let mut tx = self.begin_snapshot().await?;
        let record = verify::load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn verifications_of(&self, village: AreaCode) -> Result<Vec<VerificationRecord>> {
        let mut tx = self.begin_snapshot().await?;
        let records = verify::of_village(&mut tx, village).await?;
        tx.commit().await?;
        Ok(records)
    }

    async fn record_community(
        &self,
        id: Uuid,
        criteria: odf_domain::CommunityCriteria,
        actor: &str,
    ) -> Result<VerificationRecord> {
        let mut tx = self.begin_write().await?;
        let now = plan::normalize_time(Utc::now());
        let record = verify::record_community(&mut tx, id, criteria, actor, now, now).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn verification_visits(&self, id: Uuid) -> Result<Vec<Visit>> {
        let mut tx = self.begin_snapshot().await?;
        let visits = verify::verification_visits(&mut tx, id).await?;
        tx.commit().await?;
        Ok(visits)
    }

    async fn decide_verification(&self, input: DecisionInput) -> Result<DecisionOutcome> {
        let mut tx = self.begin_write().await?;
        let outcome = verify::decide(&mut tx, input, plan::normalize_time(Utc::now())).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn village_action_hash(&self, id: Uuid) -> Result<Option<String>> {
        let mut tx = self.begin_snapshot().await?;
        let hash = actions::receipt_hash(&mut tx, id).await?;
        tx.commit().await?;
        Ok(hash)
    }

    async fn apply_village_action(
        &self,
        receipt: VillageActionReceipt,
        effect: VillageEffect,
    ) -> Result<VillageActionOutcome> {
        let mut tx = self.begin_write().await?;
        let outcome = actions::apply(&mut tx, receipt, effect, plan::normalize_time(Utc::now())).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    async fn certificate(&self, id: Uuid) -> Result<Option<CertificateRecord>> {
        let mut tx = self.begin_snapshot().await?;
        let record = certs::load(&mut tx, id).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn certificates(&self, under: Option<AreaCode>) -> Result<Vec<CertificateRecord>> {
        let mut tx = self.begin_snapshot().await?;
        let records = certs::list(&mut tx, under).await?;
        tx.commit().await?;
        Ok(records)
    }

    async fn certified_data(&self, verification_id: Uuid) -> Result<CertifiedData> {
        let mut tx = self.begin_snapshot().await?;
        let data = verify::certified_data(&mut tx, verification_id).await?;
        tx.commit().await?;
        Ok(data)
    }

    async fn revoke_certificate(&self, id: Uuid, actor: &str, reason: &str) -> Result<CertificateRecord> {
        let mut tx = self.begin_write().await?;
        let record = certs::revoke(&mut tx, id, actor, reason, plan::normalize_time(Utc::now())).await?;
        tx.commit().await?;
        Ok(record)
    }

    async fn notifications(
        &self,
        under: Option<AreaCode>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<Notification>> {
        let mut tx = self.begin_snapshot().await?;
        let found = status::notifications(&mut tx, under, after, limit).await?;
        tx.commit().await?;
        Ok(found)
    }

    async fn statuses(&self, under: Option<AreaCode>) -> Result<Vec<VillageStatusRecord>> {
        let mut query =
            QueryBuilder::new("SELECT village_code, status, since FROM village_status WHERE 1 = 1");
        push_area_range(&mut query, "village_code", under);
        query.push(" ORDER BY village_code");
        let rows = query.build().fetch_all(self.reader()).await?;
        rows.iter()
            .map(|row| {
                let village: String = row.try_get("village_code")?;
                let status: String = row.try_get("status")?;
                Ok(VillageStatusRecord {
                    village: code_of(&village)?,
                    status: VillageStatus::parse(&status)
                        .ok_or_else(|| StoreError::corrupt(format!("status {status}")))?,
                    since: row.try_get("since")?,
                })
            })
            .collect()
    }

    async fn history_facts(&self, under: Option<AreaCode>) -> Result<HistoryFacts> {
        history::facts(self, under).await
    }

    async fn last_change_at(&self, under: Option<AreaCode>) -> Result<Option<DateTime<Utc>>> {
        let mut query = QueryBuilder::new("SELECT MAX(at) AS last FROM changes WHERE 1 = 1");
        push_area_range(&mut query, "area_code", under);
        let row = query.build().fetch_one(self.reader()).await?;
        Ok(row.try_get("last")?)
    }

    async fn changes_since(&self, scope: &Scope, cursor: i64, limit: u32) -> Result<ChangePage> {
        let limit = limit.clamp(1, MAX_PAGE);
        let mut query = QueryBuilder::new(
            "SELECT seq, kind, entity_id, area_code, at, payload FROM changes WHERE seq > ",
        );
        query.push_bind(cursor);
        match scope {
            Scope::All => {}
            Scope::Areas(areas) if areas.is_empty() => {
                return Ok(ChangePage { changes: Vec::new(), next_cursor: cursor, has_more: false });
            }
            Scope::Areas(areas) => {
                query.push(" AND (");
                for (i, area) in areas.iter().enumerate() {
                    let (lo, hi) = area.text_range();
                    if i > 0 {
                        query.push(" OR ");
                    }
                    query
                        .push("(area_code >= ")
                        .push_bind(lo)
                        .push(" AND area_code < ")
                        .push_bind(hi)
                        .push(")");
                }
                query.push(")");
            }
        }
        query.push(" ORDER BY seq LIMIT ").push_bind(i64::from(limit) + 1);
        let rows = query.build().fetch_all(self.reader()).await?;
        let has_more = rows.len() > limit as usize;
        let mut changes = Vec::with_capacity(rows.len().min(limit as usize));
        for row in rows.iter().take(limit as usize) {
            let kind: String = row.try_get("kind")?;
            let area: String = row.try_get("area_code")?;
            let payload: String = row.try_get("payload")?;
            changes.push(Change {
                seq: row.try_get("seq")?,
                kind: ChangeKind::parse(&kind)
                    .ok_or_else(|| StoreError::corrupt(format!("change kind {kind}")))?,
                entity_id: row.try_get("entity_id")?,
                area: code_of(&area)?,
                at: row.try_get("at")?,
                payload: parse_json(&payload)?,
            });
        }
        let next_cursor = changes.last().map_or(cursor, |c| c.seq);
        Ok(ChangePage { changes, next_cursor, has_more })
    }

    async fn append_audit(&self, entry: NewAuditEntry) -> Result<AuditEntry> {
        let mut tx = self.begin_write().await?;
        let appended = append_audit_in(&mut tx, entry, Utc::now()).await?;
        tx.commit().await?;
        Ok(appended)
    }

    async fn audit_entries(&self, area: Option<AreaCode>, after: i64, limit: u32) -> Result<Vec<AuditEntry>> {
        let mut query = QueryBuilder::new(
            "SELECT seq, at, actor, action, area_code, details, prev_hash, hash FROM audit_log WHERE seq > ",
        );
        query.push_bind(after);
        push_area_range(&mut query, "area_code", area);
        query.push(" ORDER BY seq LIMIT ").push_bind(i64::from(limit.clamp(1, MAX_PAGE)));
        let rows = query.build().fetch_all(self.reader()).await?;
        rows.iter().map(|row| audit_from_row(row).map(|(entry, _)| entry)).collect()
    }

    async fn verify_audit_chain(&self) -> Result<AuditCheck> {
        let rows = sqlx::query(
            "SELECT seq, at, actor, action, area_code, details, prev_hash, hash FROM audit_log ORDER BY seq",
        )
        .fetch_all(self.reader())
        .await?;
        let mut expected_prev = GENESIS_HASH.to_owned();
        for row in &rows {
            let (entry, details) = audit_from_row(row)?;
            let hash =
                audit_hash(&entry.prev_hash, entry.at, &entry.actor, &entry.action, entry.area, &details);
            if entry.prev_hash != expected_prev || hash != entry.hash {
                return Ok(AuditCheck { entries: rows.len(), first_broken: Some(entry.seq) });
            }
            expected_prev = entry.hash;
        }
        Ok(AuditCheck { entries: rows.len(), first_broken: None })
    }
}

fn status_change_from_row(row: &DbRow) -> Result<StatusChange> {
    let status = |column: &str| -> Result<VillageStatus> {
        let text: String = row.try_get(column)?;
        VillageStatus::parse(&text).ok_or_else(|| StoreError::corrupt(format!("status {text}")))
    };
    let kind: String = row.try_get("event")?;
    Ok(StatusChange {
        from: status("from_status")?,
        to: status("to_status")?,
        event: StatusEvent {
            kind: EventKind::parse(&kind).ok_or_else(|| StoreError::corrupt(format!("event {kind}")))?,
            actor: row.try_get("actor")?,
            at: row.try_get("at")?,
            reason: row.try_get("reason")?,
        },
    })
}
