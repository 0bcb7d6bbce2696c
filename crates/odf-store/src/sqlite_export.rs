//! The SQLite visits export's fast path ([`Exports::export_stream`](crate::Exports::export_stream)):
//! one `rusqlite` connection of its own, opened read-only on the store's file, steps one statement
//! on a blocking thread and hands each row, borrowed from SQLite's own buffers, to the caller's
//! [`RowWriter`]; chunks go out through the bounded channel of [`crate::export`].
//!
//! Why not sqlx: its SQLite driver steps statements on a worker thread and sends every row across a
//! channel, copying all its values, which cost more than everything else of an export (about 9 µs
//! per visit). `rusqlite` links the same `libsqlite3-sys` (one SQLite in the binary).
//!
//! One statement is one read transaction: the export is one consistent snapshot (WAL readers never
//! block the writer, nor it them). While it lasts, SQLite cannot reset the WAL past it, so a
//! download read very slowly lets the WAL grow until it ends ([`SNAPSHOT_ROWS`] bounds that).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use odf_domain::{AreaCode, GeoPoint, GpsFlag};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, Row};
use uuid::Uuid;

use crate::codec::{category_of_code, checklist_of_bits, micros_of, photo_hex_in, time_of_micros};
use crate::export::{
    self, Chunker, ExportBody, ExportRow, Piece, PieceSender, RowWriter, VisitFilter, flags_of,
};
use crate::{Result, StoreError};

/// Rows read in one snapshot before the statement is restarted after the last row (keyset): a
/// reader that stalls keeps the WAL from being reset only that long. At the fast path's pace
/// this is a few seconds; a national export spans a few snapshots.
const SNAPSHOT_ROWS: u64 = 2_000_000;

/// How much of the file the export's connection reads through a memory map rather than `pread`.
/// Visits come in (village, id) order but lie in the table in arrival order, so nearly every row
/// is on another page: with `pread` each was a system call and a 4 KiB copy, a third of the
/// reader's time (measured). The mapped pages are the kernel's page cache, shared and
/// reclaimable, not the export's own memory, which stays what the chunks hold.
const MMAP_BYTES: i64 = 1 << 30;

/// The export's statement: visits alone, in (village code, id) order, the index `visits_village`
/// walked in order. Each visit's household comes from [`Households`], read once per village, not
/// joined per row: the join searched two more b-trees per visit (households' key, then its table).
/// `?1`/`?2` bound the village range, `?3` the last visit's id when restarting after it, `?4` the
/// latest visit time.
fn statement(after: bool, visited_by: bool) -> String {
    let mut sql = String::from(
        "SELECT id, household_id, village_code, sanitarian, visited_at, category, checklist, lat, lng, \
         photo_sha256, device_id, flags, received_at FROM visits WHERE village_code < ?2",
    );
    sql.push_str(if after { " AND (village_code, id) > (?1, ?3)" } else { " AND village_code >= ?1" });
    if visited_by {
        sql.push_str(" AND visited_at <= ?4");
    }
    sql.push_str(" ORDER BY village_code, id");
    sql
}

/// Streams the export from the database file at `path` on a blocking thread.
pub(crate) fn stream(path: PathBuf, filter: VisitFilter, writer: Box<dyn RowWriter>) -> ExportBody {
    let (tx, body) = export::channel();
    let reader_tx = tx.clone();
    let reader = tokio::task::spawn_blocking(move || read(&path, &filter, writer, &reader_tx));
    tokio::spawn(async move {
        // A reader that panicked ends the stream as failed, not as a channel closed without a word.
        let result = reader.await.unwrap_or_else(|panic| Err(StoreError::corrupt(panic)));
        export::finish(&tx, result).await;
    });
    body
}

fn read(path: &Path, filter: &VisitFilter, writer: Box<dyn RowWriter>, tx: &PieceSender) -> Result<()> {
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(db_error)?;
    conn.busy_timeout(Duration::from_secs(30)).map_err(db_error)?;
    conn.pragma_update(None, "mmap_size", MMAP_BYTES).map_err(db_error)?;
    let (low, high) = match filter.under {
        Some(area) => area.text_range(),
        // Every code sorts below "~" (digits and dots).
        None => (String::new(), "~".to_owned()),
    };
    let visited_by = filter.visited_by.map(micros_of);
    let mut chunker = Chunker::new(writer);
    let mut decoder = Decoder::default();
    let mut households = Households::default();
    let mut after: Option<(String, Vec<u8>)> = None;
    loop {
        let mut stmt =
            conn.prepare_cached(&statement(after.is_some(), visited_by.is_some())).map_err(db_error)?;
        let village_from = after.as_ref().map_or(low.as_str(), |(code, _)| code.as_str());
        // Parameters by index; `?3`/`?4` exist only in the statements that use them.
        stmt.raw_bind_parameter(1, village_from).map_err(db_error)?;
        stmt.raw_bind_parameter(2, high.as_str()).map_err(db_error)?;
        if let Some((_, id)) = &after {
            stmt.raw_bind_parameter(3, id.as_slice()).map_err(db_error)?;
        }
        if let Some(by) = &visited_by {
            stmt.raw_bind_parameter(4, *by).map_err(db_error)?;
        }
        // A new statement is a new snapshot: households are read again in it.
        households.forget();
        let mut rows = stmt.raw_query();
        let mut read = 0u64;
        while let Some(row) = rows.next().map_err(db_error)? {
            read += 1;
            // No such household: the join this replaces left the visit out too.
            if let Some(household) = households.of(&conn, text(row, 2)?, blob(row, 1)?)? {
                let row = decoder.row(row, household)?;
                if let Some(chunk) = chunker.row(&row)
                    && tx.blocking_send(Piece::Chunk(chunk)).is_err()
                {
                    return Ok(()); // the client is gone
                }
            }
            if read == SNAPSHOT_ROWS {
                after = Some((text(row, 2)?.to_owned(), blob(row, 0)?.to_vec()));
                break;
            }
        }
        if read < SNAPSHOT_ROWS {
            break;
        }
    }
    if let Some(rest) = chunker.rest() {
        let _ = tx.blocking_send(Piece::Chunk(rest));
    }
    Ok(())
}

/// rusqlite's errors as the store's (there is no variant of its own: a read failing half-way is a
/// database error like any other).
#[allow(clippy::needless_pass_by_value)] // the shape `map_err` takes
fn db_error(err: rusqlite::Error) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(format!("SQLite export: {err}")))
}

// ---- The stored representation of a visit: everything that knows the columns is below. ----
// (migration 0010's integers and bytes, decoded by `crate::codec` as the store's own reads are)

/// What the export shows of a household, its text in [`Households`]' buffer.
#[derive(Debug, Clone, Copy)]
struct Household {
    head_name: Span,
    kk_count: u16,
    dusun: Option<Span>,
    rw: Option<Span>,
    rt: Option<Span>,
}

/// Where a household's text lies in [`Households::text`].
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
}

/// A household with its text, as [`Households::of`] gives it to the decoder.
#[derive(Debug, Clone, Copy)]
struct HouseholdRef<'h> {
    head_name: &'h str,
    kk_count: u16,
    dusun: Option<&'h str>,
    rw: Option<&'h str>,
    rt: Option<&'h str>,
}

/// The households of the village being read (visits come village by village), read in one
/// statement when its first visit comes: a few hundred to a few thousand rows, so what an export
/// holds stays bounded by the largest village, whatever the export's size. A visit whose
/// household is not among them (it moved to another village since) is looked up by id.
#[derive(Default)]
struct Households {
    /// The village whose households are held; `None` before the first and after [`Self::forget`].
    village: Option<String>,
    by_id: HashMap<Uuid, Household>,
    /// Every held household's text, one after another: no `String` per household.
    text: String,
}

impl Households {
    /// Drops what is held (a new snapshot may hold other households), keeping the buffers.
    fn forget(&mut self) {
        self.village = None;
    }

    /// The household `id` of a visit in village `code`; `None` if there is none.
    fn of(&mut self, conn: &Connection, code: &str, id: &[u8]) -> Result<Option<HouseholdRef<'_>>> {
        if self.village.as_deref() != Some(code) {
            self.load(conn, code)?;
        }
        let id = Uuid::from_slice(id).map_err(StoreError::corrupt)?;
        let household = match self.by_id.get(&id) {
            Some(household) => Some(*household),
            None => self.look_up(conn, id)?,
        };
        Ok(household.map(|h| {
            let text = self.text.as_str();
            let of = |span: Span| &text[span.start..span.end];
            HouseholdRef {
                head_name: of(h.head_name),
                kk_count: h.kk_count,
                dusun: h.dusun.map(of),
                rw: h.rw.map(of),
                rt: h.rt.map(of),
            }
        }))
    }

    fn load(&mut self, conn: &Connection, code: &str) -> Result<()> {
        self.by_id.clear();
        self.text.clear();
        let mut stmt = conn.prepare_cached(&households_statement("village_code")).map_err(db_error)?;
        stmt.raw_bind_parameter(1, code).map_err(db_error)?;
        let mut rows = stmt.raw_query();
        while let Some(row) = rows.next().map_err(db_error)? {
            self.keep(row)?;
        }
        let village = self.village.get_or_insert_with(String::new);
        village.clear();
        village.push_str(code);
        Ok(())
    }

    /// One household by id (it is in another village than its visit); kept with the village's.
    fn look_up(&mut self, conn: &Connection, id: Uuid) -> Result<Option<Household>> {
        let mut stmt = conn.prepare_cached(&households_statement("id")).map_err(db_error)?;
        stmt.raw_bind_parameter(1, id.as_bytes().as_slice()).map_err(db_error)?;
        let mut rows = stmt.raw_query();
        match rows.next().map_err(db_error)? {
            Some(row) => self.keep(row).map(Some),
            None => Ok(None),
        }
    }

    /// Holds one row of [`households_statement`].
    fn keep(&mut self, row: &Row<'_>) -> Result<Household> {
        let id = Uuid::from_slice(blob(row, 0)?).map_err(StoreError::corrupt)?;
        let mut push = |text: Option<&str>| {
            text.map(|text| {
                let start = self.text.len();
                self.text.push_str(text);
                Span { start, end: self.text.len() }
            })
        };
        let head_name = push(Some(text(row, 1)?)).unwrap_or(Span { start: 0, end: 0 });
        let household = Household {
            head_name,
            kk_count: u16::try_from(integer(row, 2)?).map_err(StoreError::corrupt)?,
            dusun: push(optional_text(row, 3)?),
            rw: push(optional_text(row, 4)?),
            rt: push(optional_text(row, 5)?),
        };
        self.by_id.insert(id, household);
        Ok(household)
    }
}

/// Households by `column` (`village_code` or `id`), the columns [`Households::keep`] reads.
fn households_statement(column: &str) -> String {
    format!("SELECT id, head_name, kk_count, dusun, rw, rt FROM households WHERE {column} = ?1")
}

/// Reads rows of [`statement`] into [`ExportRow`]s. Holds what rows share: the last village's code
/// (rows come in village order), the flags' and the photo hash's buffers.
struct Decoder {
    village: Option<(String, AreaCode)>,
    flags: Vec<GpsFlag>,
    photo: [u8; 64],
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder { village: None, flags: Vec::new(), photo: [0; 64] }
    }
}

impl Decoder {
    /// One row, its columns by position (the SELECT's order), its text borrowed from SQLite and
    /// its household's from [`Households`].
    fn row<'r>(&'r mut self, row: &'r Row<'_>, household: HouseholdRef<'r>) -> Result<ExportRow<'r>> {
        let code = text(row, 2)?;
        let village = match &self.village {
            Some((text, parsed)) if text == code => *parsed,
            _ => {
                let parsed = AreaCode::parse(code).map_err(StoreError::corrupt)?;
                self.village = Some((code.to_owned(), parsed));
                parsed
            }
        };
        self.flags = flags_of(text(row, 11)?)?;
        let photo_sha256 = match column(row, 9)? {
            ValueRef::Blob(hash) => Some(photo_hex_in(hash, &mut self.photo)?),
            ValueRef::Null => None,
            other => {
                return Err(StoreError::corrupt(format!("photo hash stored as {:?}", other.data_type())));
            }
        };
        Ok(ExportRow {
            id: uuid(row, 0)?,
            household_id: uuid(row, 1)?,
            village,
            sanitarian: text(row, 3)?,
            visited_at: timestamp(row, 4)?,
            category: category_of_code(int32(row, 5)?)?,
            checklist: checklist_of_bits(int32(row, 6)?)?,
            gps: match (real(row, 7)?, real(row, 8)?) {
                (Some(lat), Some(lng)) => Some(GeoPoint::new(lat, lng).map_err(StoreError::corrupt)?),
                _ => None,
            },
            photo_sha256,
            device_id: text(row, 10)?,
            flags: &self.flags,
            received_at: timestamp(row, 12)?,
            head_name: household.head_name,
            kk_count: household.kk_count,
            dusun: household.dusun,
            rw: household.rw,
            rt: household.rt,
        })
    }
}

fn column<'r>(row: &'r Row<'_>, i: usize) -> Result<ValueRef<'r>> {
    row.get_ref(i).map_err(db_error)
}

fn optional_text<'r>(row: &'r Row<'_>, i: usize) -> Result<Option<&'r str>> {
    match column(row, i)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(bytes) => std::str::from_utf8(bytes).map(Some).map_err(StoreError::corrupt),
        other => Err(StoreError::corrupt(format!("column {i}: {:?} where text was", other.data_type()))),
    }
}

fn text<'r>(row: &'r Row<'_>, i: usize) -> Result<&'r str> {
    optional_text(row, i)?.ok_or_else(|| StoreError::corrupt(format!("column {i}: null")))
}

fn blob<'r>(row: &'r Row<'_>, i: usize) -> Result<&'r [u8]> {
    column(row, i)?.as_blob().map_err(StoreError::corrupt)
}

fn integer(row: &Row<'_>, i: usize) -> Result<i64> {
    column(row, i)?.as_i64().map_err(StoreError::corrupt)
}

fn real(row: &Row<'_>, i: usize) -> Result<Option<f64>> {
    match column(row, i)? {
        ValueRef::Null => Ok(None),
        ValueRef::Real(value) => Ok(Some(value)),
        // A whole number stored in a REAL column comes back as an integer (sqlx reads it so too).
        #[allow(clippy::cast_precision_loss)]
        ValueRef::Integer(value) => Ok(Some(value as f64)),
        other => Err(StoreError::corrupt(format!("column {i}: {:?} where a number was", other.data_type()))),
    }
}

fn uuid(row: &Row<'_>, i: usize) -> Result<Uuid> {
    Uuid::from_slice(blob(row, i)?).map_err(StoreError::corrupt)
}

fn int32(row: &Row<'_>, i: usize) -> Result<i32> {
    i32::try_from(integer(row, i)?).map_err(StoreError::corrupt)
}

fn timestamp(row: &Row<'_>, i: usize) -> Result<DateTime<Utc>> {
    time_of_micros(integer(row, i)?)
}
