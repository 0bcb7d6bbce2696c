//! The store's SQL and its trait implementations, written once and compiled once per backend.
//!
//! `sqlite.rs` and `postgres.rs` each declare `#[path = "sql/mod.rs"] mod sql;` beside two aliases:
//! `Db` (the sqlx database) and `ThisStore` (the backend's store, with `reader()`, `begin_write()`,
//! `begin_snapshot()`, `run_migrations()` and `close_pools()`). SQLite accepts PostgreSQL's `$1`
//! placeholders and every statement here is valid in both dialects, so one text serves both, while
//! each backend's copy is type-checked against its own driver: no `sqlx::Any` (which would check
//! nothing at compile time and decode through a lowest common denominator) and no `include!` (these
//! are real modules, with their own imports and privacy, that tools can follow).
//!
//! One module per concern, each implementing its trait of [`crate::api`] beside its SQL:
//! `places`, `accounts`, `ingest` (with `batch` and `edits`), `status`, `verify`, `certs`,
//! `coverage`, `audit`. This file holds what they share: row helpers, the change feed writer, and
//! [`ThisStore::write`] / [`ThisStore::snapshot`], the one "begin, run, commit".

// These imports double as the prelude of the concern modules (`use super::*`).
use std::collections::{BTreeMap, HashMap};

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use odf_domain::{
    AreaCode, AreaKind, Category, EventKind, GeoPoint, GpsFlag, Household, Place, Role, Scope, StatusChange,
    StatusEvent, Tally, VillageState, VillageStatus, Visit,
};
use sha2::{Digest, Sha256};
use sqlx::{QueryBuilder, Row};
use uuid::Uuid;

use super::{BACKEND_NAME, Db, ThisStore};
use crate::Result;
use crate::api::*;
use crate::certification::*;
use crate::codec::{
    category_code, category_of_code, checklist_bits, checklist_of_bits, micros_of, photo_bytes, photo_hex,
    time_of_micros,
};
use crate::error::StoreError;
use crate::model::*;
use crate::plan::{self, HouseholdState, Known};

mod accounts;
mod audit;
mod batch;
mod certs;
mod coverage;
mod edits;
mod export;
mod feed;
mod ingest;
mod places;
mod status;
mod verify;

/// What the per-concern functions run on: the connection inside a transaction. (The connection
/// type, not `sqlx::Transaction<'static, _>`: a lifetime inside the argument of the closures given
/// to [`ThisStore::write`] defeats the compiler's `Send` check of the boxed futures.)
type Tx = <Db as sqlx::Database>::Connection;
type DbRow = <Db as sqlx::Database>::Row;

/// Rows per multi-row statement: well under both backends' bind-parameter limits (SQLite 32,766,
/// PostgreSQL 65,535) for our widest row (13 columns).
const ROWS_PER_STATEMENT: usize = 500;
const MAX_PAGE: u32 = 1000;

impl ThisStore {
    /// Runs `work` in a write transaction (writers are serialised, see the backend) and commits
    /// when it succeeds; an error rolls everything back.
    async fn write<T>(&self, work: impl AsyncFnOnce(&mut Tx) -> Result<T>) -> Result<T> {
        let done = commit_after(self.begin_write().await?, work).await?;
        self.committed();
        Ok(done)
    }

    /// Runs `work` in a read transaction that sees one snapshot throughout.
    async fn snapshot<T>(&self, work: impl AsyncFnOnce(&mut Tx) -> Result<T>) -> Result<T> {
        commit_after(self.begin_snapshot().await?, work).await
    }

    /// The rows of `select` (ending in a `WHERE` clause) for the villages at or under `under`, in
    /// village order, each with its `village_code` parsed.
    async fn village_rows(&self, select: String, under: Option<AreaCode>) -> Result<Vec<(AreaCode, DbRow)>> {
        let mut query = QueryBuilder::new(select);
        push_area_range(&mut query, "village_code", under);
        query.push(" ORDER BY village_code");
        let rows = query.build().fetch_all(self.reader()).await?;
        rows.into_iter()
            .map(|row| {
                let village: String = row.try_get("village_code")?;
                Ok((code_of(&village)?, row))
            })
            .collect()
    }
}

/// Runs `work` in `tx` and commits if it succeeds (dropping `tx` on an error rolls it back).
async fn commit_after<T>(
    mut tx: sqlx::Transaction<'static, Db>,
    work: impl AsyncFnOnce(&mut Tx) -> Result<T>,
) -> Result<T> {
    let done = work(&mut *tx).await?;
    tx.commit().await?;
    Ok(done)
}

#[async_trait]
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

    async fn close(&self) {
        self.close_pools().await;
    }

    async fn backup_to(&self, target: &std::path::Path) -> Result<()> {
        self.backup_into(target).await
    }
}

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

fn status_of(text: &str) -> Result<VillageStatus> {
    VillageStatus::parse(text).ok_or_else(|| StoreError::corrupt(format!("status {text}")))
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
        rows.extend(query.build().fetch_all(&mut *tx).await?);
    }
    Ok(rows)
}

/// A change-feed row waiting to be written.
struct PendingChange {
    kind: ChangeKind,
    entity_id: String,
    area: AreaCode,
    payload: String,
}

async fn insert_changes(tx: &mut Tx, changes: &[PendingChange], at: DateTime<Utc>) -> Result<()> {
    append_changes(tx, changes, at).await?;
    touch_freshness(tx, changes.iter().map(|c| c.area), at).await
}

/// A change-feed row that names a stored row instead of copying it (migration 0011): the pull
/// rebuilds the payload from `visits` or `households` (see `ingest::changes_since`). Only for kinds
/// whose row gives back exactly the JSON phones got before: visits (never updated) and households
/// (an edit freezes the earlier rows first, [`freeze_household_changes`]).
struct RowChange {
    kind: ChangeKind,
    id: Uuid,
    area: AreaCode,
}

/// Writes row-referencing changes, and moves `area_freshness`. A visit's `at` is left NULL: it is
/// the visit's `received_at`, which the caller writes with the same `at`.
async fn insert_row_changes(tx: &mut Tx, changes: &[RowChange], at: DateTime<Utc>) -> Result<()> {
    for chunk in changes.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::new("INSERT INTO changes (kind, row_id, area_code, at) ");
        query.push_values(chunk, |mut row, change| {
            row.push_bind(change.kind.as_str())
                .push_bind(change.id)
                .push_bind(change.area.to_string())
                .push_bind((change.kind != ChangeKind::Visit).then_some(at));
        });
        query.build().execute(&mut *tx).await?;
    }
    touch_freshness(tx, changes.iter().map(|c| c.area), at).await
}

/// Before a household row is updated: the feed rows that still rebuild their payload from it get
/// the JSON they stand for written into them, so they keep announcing the revision they announced.
/// Edits are rare; the rows are found through the `changes_area` index, by the key of the
/// household's village (its own number: `feed::AREA_KEY`).
async fn freeze_household_changes(tx: &mut Tx, before: &StoredHousehold) -> Result<()> {
    let household = &before.household;
    sqlx::query(&format!(
        "UPDATE changes SET payload = $1, entity_id = $2 \
         WHERE {} = $3 AND kind = 'household' AND row_id = $4 AND payload IS NULL",
        feed::AREA_KEY
    ))
    .bind(household_payload(household, before.revision).to_string())
    .bind(household.id.to_string())
    .bind(feed::area_key_range(household.village).0)
    .bind(household.id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// A household's change-feed payload: the household with its revision, so phones can base edits on it.
fn household_payload(household: &Household, revision: i64) -> serde_json::Value {
    let mut payload = serde_json::to_value(household).unwrap_or_default();
    payload["revision"] = revision.into();
    payload
}

/// Appends to the change feed without moving `area_freshness`: for changes that are not field data
/// (place names), which must not make a dashboard's figures look fresher than they are.
async fn append_changes(tx: &mut Tx, changes: &[PendingChange], at: DateTime<Utc>) -> Result<()> {
    for chunk in changes.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::new("INSERT INTO changes (kind, entity_id, area_code, at, payload) ");
        query.push_values(chunk, |mut row, change| {
            row.push_bind(change.kind.as_str())
                .push_bind(change.entity_id.clone())
                .push_bind(change.area.to_string())
                .push_bind(at)
                .push_bind(change.payload.clone());
        });
        query.build().execute(&mut *tx).await?;
    }
    Ok(())
}

/// Moves `area_freshness` forward for every prefix the changed areas fall under, in one upsert: the
/// coverage API's freshness is then one row read, whatever the number of visits (a `CASE`, not
/// `max()`/`GREATEST`, as both dialects take it).
async fn touch_freshness(
    tx: &mut Tx,
    areas: impl Iterator<Item = AreaCode>,
    at: DateTime<Utc>,
) -> Result<()> {
    let mut prefixes = std::collections::BTreeSet::new();
    for area in areas {
        prefixes.insert(String::new());
        for ancestor in area.ancestors() {
            prefixes.insert(ancestor.to_string());
        }
        prefixes.insert(area.to_string());
    }
    let prefixes: Vec<String> = prefixes.into_iter().collect();
    for chunk in prefixes.chunks(ROWS_PER_STATEMENT) {
        let mut query = QueryBuilder::new("INSERT INTO area_freshness (prefix, last_change_at) ");
        query.push_values(chunk, |mut row, prefix| {
            row.push_bind(prefix.clone()).push_bind(at);
        });
        query.push(
            " ON CONFLICT (prefix) DO UPDATE SET last_change_at = CASE \
             WHEN excluded.last_change_at > area_freshness.last_change_at THEN excluded.last_change_at \
             ELSE area_freshness.last_change_at END",
        );
        query.build().execute(&mut *tx).await?;
    }
    Ok(())
}

/// `now` at the stored precision (see `plan::normalize_time`).
fn stored_now() -> DateTime<Utc> {
    plan::normalize_time(Utc::now())
}
