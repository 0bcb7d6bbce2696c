//! Reading and writing the records the phone holds: its own households and visits (written with
//! their outbox entry in one transaction) and what a pull brings (households, visits, village
//! status, boundaries; verifications and certificates are in [`crate::store::pulled`]).
//!
//! Records are stored as the domain's JSON in a `data` column, with the columns needed for lookups
//! beside it; reading one back is a serde decode, never a second validation (a pulled visit may be
//! "in the future" by this phone's wrong clock and must still be shown).

use chrono::{DateTime, Utc};
use odf_domain::{AreaCode, Household, Visit};
use odf_mobile_api::{ChangeDto, ChangeKindDto, HouseholdDto, VisitDto};
use serde::Deserialize;
use sqlx::SqlitePool;
use uuid::Uuid;

use crate::error::{ClientError, Result};
use crate::store::outbox::{self, RecordKind};
use crate::store::pulled;
use crate::store::{self, Key, Tx};

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(ClientError::corrupt)
}

fn decode<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|err| ClientError::corrupt(format!("{what}: {err}")))
}

/// Saves a household made on this phone and queues it for the server, atomically.
pub async fn save_own_household(pool: &SqlitePool, household: &Household, now: DateTime<Utc>) -> Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO households (id, village, data, origin, created_at) VALUES ($1, $2, $3, 'local', $4)",
    )
    .bind(household.id.to_string())
    .bind(household.village.to_string())
    .bind(to_json(household)?)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let payload = to_json(&HouseholdDto::from_domain(household))?;
    outbox::enqueue(&mut tx, RecordKind::Household, household.id, &payload, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Saves an edit of a household's details: the phone's copy changes at once and the edit is queued
/// for the server, atomically. The server merges it on top of `edit.base_revision`.
pub async fn save_household_edit(
    pool: &SqlitePool,
    after: &Household,
    edit: &odf_mobile_api::HouseholdEditDto,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE households SET data = $1 WHERE id = $2")
        .bind(to_json(after)?)
        .bind(after.id.to_string())
        .execute(&mut *tx)
        .await?;
    let payload = to_json(edit)?;
    outbox::enqueue(&mut tx, RecordKind::HouseholdEdit, edit.edit_id, &payload, now).await?;
    tx.commit().await?;
    Ok(())
}

/// The last revision the server told this phone about (1 for a household it has not sent back yet).
pub async fn household_revision(pool: &SqlitePool, id: Uuid) -> Result<i64> {
    let revision: Option<Option<i64>> = sqlx::query_scalar("SELECT revision FROM households WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(pool)
        .await?;
    Ok(revision.flatten().unwrap_or(1))
}

/// Saves a visit made on this phone and queues it for the server, atomically.
pub async fn save_own_visit(pool: &SqlitePool, visit: &Visit, now: DateTime<Utc>) -> Result<()> {
    let mut tx = pool.begin().await?;
    insert_visit(&mut tx, visit, "local", now, None).await?;
    let payload = to_json(&VisitDto::from_domain(visit))?;
    outbox::enqueue(&mut tx, RecordKind::Visit, visit.id, &payload, now).await?;
    tx.commit().await?;
    Ok(())
}

async fn insert_visit(
    tx: &mut Tx<'_>,
    visit: &Visit,
    origin: &str,
    now: DateTime<Utc>,
    synced_at: Option<DateTime<Utc>>,
) -> Result<()> {
    // A visit is a fact: the same id arriving again (our own visit pulled back) changes nothing but
    // the sync time.
    sqlx::query(
        "INSERT INTO visits (id, household_id, visited_at, category, data, origin, created_at, synced_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (id) DO UPDATE SET synced_at = COALESCE(visits.synced_at, excluded.synced_at)",
    )
    .bind(visit.id.to_string())
    .bind(visit.household_id.to_string())
    .bind(visit.visited_at)
    .bind(visit.category.as_str())
    .bind(to_json(visit)?)
    .bind(origin)
    .bind(now)
    .bind(synced_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The `data` of a `village_status` change.
#[derive(Debug, Deserialize)]
struct StatusData {
    village: String,
    status: String,
    since: Option<DateTime<Utc>>,
}

/// The `data` of a `boundary` change.
#[derive(Debug, Deserialize)]
struct BoundaryData {
    code: String,
    geometry: serde_json::Value,
    #[serde(default)]
    centroid: Option<odf_mobile_api::GpsDto>,
}

/// A household change may carry the server's `revision` beside the household fields.
#[derive(Debug, Deserialize)]
struct Revision {
    #[serde(default)]
    revision: Option<i64>,
}

/// Stores one pulled page and the cursor after it in one transaction, so an interrupted pull resumes
/// after the last page stored whole. Returns how many changes were skipped as unreadable (logged;
/// one bad change must not stop a phone from ever syncing again).
pub async fn apply_page(
    pool: &SqlitePool,
    changes: &[ChangeDto],
    next_cursor: i64,
    now: DateTime<Utc>,
) -> Result<usize> {
    let mut tx = pool.begin().await?;
    let mut skipped = 0;
    for change in changes {
        if let Err(problem) = apply_change(&mut tx, change, now).await? {
            tracing::warn!(seq = change.seq, kind = %change.kind, id = %change.id, %problem, "skipped a pulled change");
            skipped += 1;
        }
    }
    store::set(&mut *tx, Key::PullCursor, &next_cursor.to_string()).await?;
    tx.commit().await?;
    Ok(skipped)
}

/// Outer error: the database failed. Inner error: this change is unreadable and was skipped.
async fn apply_change(tx: &mut Tx<'_>, change: &ChangeDto, now: DateTime<Utc>) -> Result<Result<(), String>> {
    let data = &change.data;
    // A newer server may send kinds this version does not know: skip them, do not stop.
    let Some(kind) = ChangeKindDto::parse(&change.kind) else {
        return Ok(Err(format!("unknown change kind {:?}", change.kind)));
    };
    match kind {
        ChangeKindDto::Household => {
            let dto = match serde_json::from_value::<HouseholdDto>(data.clone()) {
                Ok(dto) => dto,
                Err(err) => return Ok(Err(err.to_string())),
            };
            let household = match dto.to_domain() {
                Ok(h) => h,
                Err(problem) => return Ok(Err(problem.message)),
            };
            let revision = serde_json::from_value::<Revision>(data.clone()).ok().and_then(|r| r.revision);
            sqlx::query(
                "INSERT INTO households (id, village, data, origin, revision, created_at, synced_at) \
                 VALUES ($1, $2, $3, 'server', $4, $5, $5) \
                 ON CONFLICT (id) DO UPDATE SET village = excluded.village, data = excluded.data, \
                 revision = excluded.revision, synced_at = excluded.synced_at",
            )
            .bind(household.id.to_string())
            .bind(household.village.to_string())
            .bind(to_json(&household)?)
            .bind(revision)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
        ChangeKindDto::Visit => {
            let dto = match serde_json::from_value::<VisitDto>(data.clone()) {
                Ok(dto) => dto,
                Err(err) => return Ok(Err(err.to_string())),
            };
            // The server already checked the time against its own clock; this phone's may be wrong.
            let visit = match dto
                .to_domain(DateTime::<Utc>::MAX_UTC - chrono::Duration::days(1), chrono::Duration::zero())
            {
                Ok(v) => v,
                Err(problem) => return Ok(Err(problem.message)),
            };
            insert_visit(tx, &visit, "server", now, Some(now)).await?;
        }
        ChangeKindDto::VillageStatus => {
            let status = match serde_json::from_value::<StatusData>(data.clone()) {
                Ok(s) => s,
                Err(err) => return Ok(Err(err.to_string())),
            };
            if odf_domain::VillageStatus::parse(&status.status).is_none() {
                return Ok(Err(format!("unknown village status {:?}", status.status)));
            }
            let Ok(code) = AreaCode::parse(&status.village) else {
                return Ok(Err(format!("bad village code {:?}", status.village)));
            };
            sqlx::query(
                "INSERT INTO villages (code, status, status_since, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (code) DO UPDATE SET status = excluded.status, \
                 status_since = excluded.status_since, updated_at = excluded.updated_at",
            )
            .bind(code.to_string())
            .bind(&status.status)
            .bind(status.since)
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
        ChangeKindDto::Boundary => {
            let boundary = match serde_json::from_value::<BoundaryData>(data.clone()) {
                Ok(b) => b,
                Err(err) => return Ok(Err(err.to_string())),
            };
            if let Err(problem) = crate::boundary::from_geojson(&boundary.geometry) {
                return Ok(Err(problem));
            }
            let Ok(code) = AreaCode::parse(&boundary.code) else {
                return Ok(Err(format!("bad village code {:?}", boundary.code)));
            };
            sqlx::query(
                "INSERT INTO villages (code, boundary, centroid_lat, centroid_lng, updated_at) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (code) DO UPDATE SET boundary = excluded.boundary, \
                 centroid_lat = excluded.centroid_lat, centroid_lng = excluded.centroid_lng, \
                 updated_at = excluded.updated_at",
            )
            .bind(code.to_string())
            .bind(boundary.geometry.to_string())
            .bind(boundary.centroid.map(|c| c.lat))
            .bind(boundary.centroid.map(|c| c.lng))
            .bind(now)
            .execute(&mut **tx)
            .await?;
        }
        ChangeKindDto::Verification => return pulled::apply_verification(tx, change, now).await,
        ChangeKindDto::Certificate => return pulled::apply_certificate(tx, change).await,
        ChangeKindDto::Place => return pulled::apply_place(tx, change, now).await,
    }
    Ok(Ok(()))
}

/// One household row as stored.
#[derive(Debug, Clone)]
pub struct HouseholdRow {
    pub household: Household,
    pub origin: String,
    pub synced_at: Option<DateTime<Utc>>,
}

pub async fn household(pool: &SqlitePool, id: Uuid) -> Result<Option<HouseholdRow>> {
    let row: Option<(String, String, Option<DateTime<Utc>>)> =
        sqlx::query_as("SELECT data, origin, synced_at FROM households WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(pool)
            .await?;
    row.map(|(data, origin, synced_at)| {
        Ok(HouseholdRow { household: decode("household", &data)?, origin, synced_at })
    })
    .transpose()
}

/// Households whose id starts or ends with `fragment` (lowercase hex, dashes allowed), at most 2:
/// enough to tell "none", "one" and "ambiguous" apart.
pub async fn households_matching(pool: &SqlitePool, fragment: &str) -> Result<Vec<Uuid>> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM households WHERE id LIKE $1 || '%' OR id LIKE '%' || $1 ORDER BY id LIMIT 2",
    )
    .bind(fragment)
    .fetch_all(pool)
    .await?;
    ids.iter().map(|id| Uuid::parse_str(id).map_err(ClientError::corrupt)).collect()
}

/// Households, all or of one village, in registration order.
pub async fn households(pool: &SqlitePool, village: Option<AreaCode>) -> Result<Vec<HouseholdRow>> {
    let rows: Vec<(String, String, Option<DateTime<Utc>>)> = sqlx::query_as(
        "SELECT data, origin, synced_at FROM households WHERE $1 IS NULL OR village = $1 ORDER BY village, id",
    )
    .bind(village.map(|v| v.to_string()))
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(data, origin, synced_at)| {
            Ok(HouseholdRow { household: decode("household", &data)?, origin, synced_at })
        })
        .collect()
}

/// Visits of the households of one village (or of all households).
pub async fn visits(pool: &SqlitePool, village: Option<AreaCode>) -> Result<Vec<Visit>> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT v.data FROM visits v JOIN households h ON h.id = v.household_id \
         WHERE $1 IS NULL OR h.village = $1 ORDER BY v.visited_at, v.id",
    )
    .bind(village.map(|v| v.to_string()))
    .fetch_all(pool)
    .await?;
    rows.iter().map(|data| decode("visit", data)).collect()
}

/// One village as the phone knows it.
#[derive(Debug, Clone)]
pub struct VillageRow {
    pub code: String,
    pub status: Option<String>,
    pub status_since: Option<DateTime<Utc>>,
    pub boundary: Option<String>,
    pub names: PlaceNames,
}

/// A village's names as pulled (`place` changes); all `None` until the server sent them.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct PlaceNames {
    pub name: Option<String>,
    /// `desa`, `kelurahan` or `desa adat`.
    pub place_kind: Option<String>,
    pub kecamatan: Option<String>,
    pub kabupaten: Option<String>,
}

#[derive(sqlx::FromRow)]
struct VillageTuple {
    code: String,
    status: Option<String>,
    status_since: Option<DateTime<Utc>>,
    boundary: Option<String>,
    #[sqlx(flatten)]
    names: PlaceNames,
}

pub async fn villages(pool: &SqlitePool) -> Result<Vec<VillageRow>> {
    let rows: Vec<VillageTuple> = sqlx::query_as(
        "SELECT code, status, status_since, boundary, name, place_kind, kecamatan, kabupaten \
         FROM villages ORDER BY code",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| VillageRow {
            code: r.code,
            status: r.status,
            status_since: r.status_since,
            boundary: r.boundary,
            names: r.names,
        })
        .collect())
}

/// The pulled names of one village (all `None` when none were pulled).
pub async fn place_names(pool: &SqlitePool, village: &str) -> Result<PlaceNames> {
    let names: Option<PlaceNames> =
        sqlx::query_as("SELECT name, place_kind, kecamatan, kabupaten FROM villages WHERE code = $1")
            .bind(village)
            .fetch_optional(pool)
            .await?;
    Ok(names.unwrap_or_default())
}

/// The pulled boundary of a village, if any and readable.
pub async fn boundary(pool: &SqlitePool, village: AreaCode) -> Result<Option<odf_domain::Boundary>> {
    let text: Option<Option<String>> = sqlx::query_scalar("SELECT boundary FROM villages WHERE code = $1")
        .bind(village.to_string())
        .fetch_optional(pool)
        .await?;
    let Some(text) = text.flatten() else { return Ok(None) };
    let value: serde_json::Value = decode("boundary", &text)?;
    Ok(crate::boundary::from_geojson(&value).ok())
}
