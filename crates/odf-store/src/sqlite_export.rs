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

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use odf_domain::{AreaCode, GeoPoint, GpsFlag};
use rusqlite::types::ValueRef;
use rusqlite::{OpenFlags, Row};
use uuid::Uuid;

use crate::codec::{category_of_code, checklist_of_bits, micros_of, time_of_micros};
use crate::export::{
    self, Chunker, ExportBody, ExportRow, Piece, PieceSender, RowWriter, VisitFilter, flags_of,
};
use crate::{Result, StoreError};

/// Rows read in one snapshot before the statement is restarted after the last row (keyset): a
/// reader that stalls keeps the WAL from being reset only that long. At the fast path's pace
/// this is a few seconds; a national export spans a few snapshots.
const SNAPSHOT_ROWS: u64 = 2_000_000;

/// The export's statement: visits in (village code, id) order, the index `visits_village`
/// walked in order, each row joined to its household by primary key. `?1`/`?2` bound the
/// village range, `?3` the last visit's id when restarting after it, `?4` the latest visit time.
fn statement(after: bool, visited_by: bool) -> String {
    let mut sql = String::from(
        "SELECT v.id, v.household_id, v.village_code, v.sanitarian, v.visited_at, v.category, \
         v.checklist, v.lat, v.lng, v.photo_sha256, v.device_id, v.flags, v.received_at, \
         h.head_name, h.kk_count, h.dusun, h.rw, h.rt \
         FROM visits v JOIN households h ON h.id = v.household_id \
         WHERE v.village_code < ?2",
    );
    sql.push_str(if after { " AND (v.village_code, v.id) > (?1, ?3)" } else { " AND v.village_code >= ?1" });
    if visited_by {
        sql.push_str(" AND v.visited_at <= ?4");
    }
    sql.push_str(" ORDER BY v.village_code, v.id");
    sql
}

/// Streams the export from the database file at `path` on a blocking thread.
pub(crate) fn stream(path: PathBuf, filter: VisitFilter, writer: Box<dyn RowWriter>) -> ExportBody {
    let (tx, body) = export::channel();
    tokio::task::spawn_blocking(move || {
        let piece = match read(&path, &filter, writer, &tx) {
            Ok(()) => Piece::End,
            Err(err) => {
                tracing::error!(error = %err, "visits export stopped half-way");
                Piece::Failed(err)
            }
        };
        // The receiver may be gone (client left): nothing to tell then.
        let _ = tx.blocking_send(piece);
    });
    body
}

fn read(path: &Path, filter: &VisitFilter, writer: Box<dyn RowWriter>, tx: &PieceSender) -> Result<()> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(db_error)?;
    conn.busy_timeout(Duration::from_secs(30)).map_err(db_error)?;
    let (low, high) = match filter.under {
        Some(area) => area.text_range(),
        // Every code sorts below "~" (digits and dots).
        None => (String::new(), "~".to_owned()),
    };
    let visited_by = filter.visited_by.map(micros_of);
    let mut chunker = Chunker::new(writer);
    let mut decoder = Decoder::default();
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
        let mut rows = stmt.raw_query();
        let mut read = 0u64;
        while let Some(row) = rows.next().map_err(db_error)? {
            let row = decoder.row(row)?;
            read += 1;
            if let Some(chunk) = chunker.row(&row)
                && tx.blocking_send(Piece::Chunk(chunk)).is_err()
            {
                return Ok(()); // the client is gone
            }
            if read == SNAPSHOT_ROWS {
                after = Some((row.village.to_string(), row.id.as_bytes().to_vec()));
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

/// Reads rows of [`statement`] into [`ExportRow`]s. Holds what rows share: the last village's code
/// (rows come in village order), the flags' and the photo hash's buffers.
#[derive(Default)]
struct Decoder {
    village: Option<(String, AreaCode)>,
    flags: Vec<GpsFlag>,
    photo: String,
}

impl Decoder {
    /// One row, its columns by position (the SELECT's order), its text borrowed from SQLite.
    fn row<'r>(&'r mut self, row: &'r Row<'_>) -> Result<ExportRow<'r>> {
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
        let photo = column(row, 9)?;
        if let ValueRef::Blob(hash) = photo {
            if hash.len() != 32 {
                return Err(StoreError::corrupt(format!("photo hash of {} bytes", hash.len())));
            }
            self.photo.clear();
            for byte in hash {
                self.photo.push(char::from(HEX[usize::from(byte >> 4)]));
                self.photo.push(char::from(HEX[usize::from(byte & 0xf)]));
            }
        }
        let kk = integer(row, 14)?;
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
            photo_sha256: match photo {
                ValueRef::Blob(_) => Some(self.photo.as_str()),
                ValueRef::Null => None,
                other => {
                    return Err(StoreError::corrupt(format!("photo hash stored as {:?}", other.data_type())));
                }
            },
            device_id: text(row, 10)?,
            flags: &self.flags,
            received_at: timestamp(row, 12)?,
            head_name: text(row, 13)?,
            kk_count: u16::try_from(kk).map_err(StoreError::corrupt)?,
            dusun: optional_text(row, 15)?,
            rw: optional_text(row, 16)?,
            rt: optional_text(row, 17)?,
        })
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

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
    Uuid::from_slice(column(row, i)?.as_blob().map_err(StoreError::corrupt)?).map_err(StoreError::corrupt)
}

fn int32(row: &Row<'_>, i: usize) -> Result<i32> {
    i32::try_from(integer(row, i)?).map_err(StoreError::corrupt)
}

fn timestamp(row: &Row<'_>, i: usize) -> Result<DateTime<Utc>> {
    time_of_micros(integer(row, i)?)
}
