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
/// PostgreSQL 65,535) for our widest row (14 columns).
const ROWS_PER_STATEMENT: usize = 500;
const MAX_PAGE: u32 = 1000;

impl ThisStore {
    /// Runs `work` in a write transaction (writers are serialised, see the backend) and commits
    /// when it succeeds; an error rolls everything back.
    async fn write<T>(&self, work: impl AsyncFnOnce(&mut Tx) -> Result<T>) -> Result<T> {
        commit_after(self.begin_write().await?, work).await
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

// How `visits` stores its values (migration 0010): integers and raw bytes instead of text, the same
// on both backends so one SQL text and one decoder serve both. Every reader of `visits` decodes with
// these (see docs/ARCHITECTURE.md, "odf-store").

/// A time as stored in `visits`: microseconds since the Unix epoch (the stored precision, see
/// `plan::normalize_time`; an `i64` of microseconds spans ±292,000 years).
fn micros_of(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

fn time_of_micros(micros: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_micros(micros).ok_or_else(|| StoreError::corrupt(format!("time {micros}")))
}

/// A category's stored code. Fixed numbers, not `Category::ALL`'s order: reordering the enum must
/// not change what stored rows mean.
fn category_code(category: Category) -> i32 {
    match category {
        Category::Aman => 1,
        Category::LayakSendiri => 2,
        Category::LayakBersama => 3,
        Category::BelumLayak => 4,
        Category::BabsTertutup => 5,
        Category::BabsTerbuka => 6,
    }
}

fn category_of_code(code: i32) -> Result<Category> {
    Ok(match code {
        1 => Category::Aman,
        2 => Category::LayakSendiri,
        3 => Category::LayakBersama,
        4 => Category::BelumLayak,
        5 => Category::BabsTertutup,
        6 => Category::BabsTerbuka,
        _ => return Err(StoreError::corrupt(format!("category code {code}"))),
    })
}

/// The checklist as one integer: for item `i` of `ChecklistItem::ALL`, bit `i` says it was asked
/// and bit `8 + i` that the answer was yes (so `None`, `Some(false)`, `Some(true)` are 0, 1, 257
/// for the first item). Migration 0010 computes the same from the JSON it replaces.
fn checklist_bits(checklist: &odf_domain::Checklist) -> i32 {
    let mut bits = 0;
    for (i, item) in odf_domain::ChecklistItem::ALL.into_iter().enumerate() {
        if let Some(yes) = item.answer(checklist) {
            bits |= 1 << i;
            if yes {
                bits |= 1 << (8 + i);
            }
        }
    }
    bits
}

fn checklist_of_bits(bits: i32) -> Result<odf_domain::Checklist> {
    if bits & !0x7f7f != 0 || (bits >> 8) & !bits & 0x7f != 0 {
        return Err(StoreError::corrupt(format!("checklist bits {bits:#x}")));
    }
    let answer = |i: usize| (bits & (1 << i) != 0).then_some(bits & (1 << (8 + i)) != 0);
    Ok(odf_domain::Checklist {
        closed_toilet: answer(0),
        safe_from_well: answer(1),
        strong_slab: answer(2),
        child_faeces_safe: answer(3),
        all_members_use: answer(4),
        water_and_soap: answer(5),
        no_faeces_around: answer(6),
    })
}

/// A photo hash as stored: its 32 bytes (the domain checked it is 64 lowercase hex characters, so
/// the lowercase hex of the bytes gives back the same text).
fn photo_bytes(hex_text: &str) -> Option<Vec<u8>> {
    hex::decode(hex_text).ok()
}

fn photo_hex(bytes: Option<&[u8]>) -> Result<Option<String>> {
    match bytes {
        Some(bytes) if bytes.len() == 32 => Ok(Some(hex::encode(bytes))),
        Some(bytes) => Err(StoreError::corrupt(format!("photo hash of {} bytes", bytes.len()))),
        None => Ok(None),
    }
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
/// Edits are rare; the rows are found through the `(area_code, seq)` index of the household's village.
async fn freeze_household_changes(tx: &mut Tx, before: &StoredHousehold) -> Result<()> {
    let household = &before.household;
    sqlx::query(
        "UPDATE changes SET payload = $1, entity_id = $2 \
         WHERE area_code = $3 AND kind = 'household' AND row_id = $4 AND payload IS NULL",
    )
    .bind(household_payload(household, before.revision).to_string())
    .bind(household.id.to_string())
    .bind(household.village.to_string())
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

#[cfg(test)]
mod tests {
    use odf_domain::{Checklist, ChecklistItem};

    use super::*;

    #[test]
    fn every_checklist_survives_its_integer_form() {
        // All 3^7 answer combinations.
        for mut n in 0..3_usize.pow(7) {
            let mut answers = [None; 7];
            for answer in &mut answers {
                *answer = [None, Some(false), Some(true)][n % 3];
                n /= 3;
            }
            let [a, b, c, d, e, f, g] = answers;
            let checklist = Checklist {
                closed_toilet: a,
                safe_from_well: b,
                strong_slab: c,
                child_faeces_safe: d,
                all_members_use: e,
                water_and_soap: f,
                no_faeces_around: g,
            };
            let bits = checklist_bits(&checklist);
            assert_eq!(checklist_of_bits(bits).ok(), Some(checklist), "{bits:#x}");
        }
        // Migration 0010's arithmetic: item i asked no is 1 << i, asked yes 257 << i.
        let first_yes = Checklist { closed_toilet: Some(true), ..Checklist::default() };
        assert_eq!(checklist_bits(&first_yes), 257);
        let last_no = Checklist { no_faeces_around: Some(false), ..Checklist::default() };
        assert_eq!(checklist_bits(&last_no), 64);
        assert_eq!(ChecklistItem::ALL.len(), 7);
        // A yes on an item not asked, or bits beyond the seven items, are corrupt.
        assert!(checklist_of_bits(1 << 8).is_err());
        assert!(checklist_of_bits(1 << 7).is_err());
    }

    #[test]
    fn category_codes_are_fixed_and_distinct() {
        let codes: Vec<i32> = Category::ALL.iter().map(|c| category_code(*c)).collect();
        for (category, code) in Category::ALL.iter().zip(&codes) {
            assert_eq!(category_of_code(*code).ok(), Some(*category));
        }
        assert_eq!(category_code(Category::Aman), 1);
        assert_eq!(category_code(Category::BabsTerbuka), 6);
        assert!(category_of_code(0).is_err() && category_of_code(7).is_err());
    }

    #[test]
    fn times_and_photo_hashes_round_trip() {
        let at = plan::normalize_time(Utc::now());
        assert_eq!(time_of_micros(micros_of(at)).ok(), Some(at));
        let hash = "0123456789abcdef".repeat(4);
        let bytes = photo_bytes(&hash);
        assert_eq!(bytes.as_ref().map(Vec::len), Some(32));
        assert_eq!(photo_hex(bytes.as_deref()).ok().flatten(), Some(hash));
        assert!(photo_hex(Some(&[1, 2, 3])).is_err());
    }
}
