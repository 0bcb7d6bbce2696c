//! The visits export for analysts ([`Exports`](crate::Exports)): visits with their household's
//! current details, either read in pages by a keyset cursor ([`Exports::export_visits`]) or
//! streamed whole as bytes ([`Exports::export_stream`]), in constant memory either way.
//!
//! The stream is the fast way: the backend reads rows on its own thread and hands each one,
//! borrowed ([`ExportRow`]), to the caller's [`RowWriter`], which appends it to a chunk of bytes;
//! full chunks go to the caller through a bounded channel ([`ExportBody`]), so a slow reader
//! stops the read instead of filling memory.
//!
//! [`Exports::export_visits`]: crate::Exports::export_visits
//! [`Exports::export_stream`]: crate::Exports::export_stream

use std::fmt;

use chrono::{DateTime, Utc};
use odf_domain::{AreaCode, Category, Checklist, GeoPoint, GpsFlag, Visit};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::{Result, StoreError};

/// The most rows one page returns: bounds what an export holds at a time.
pub const MAX_EXPORT_PAGE: u32 = 10_000;

/// A stream's chunk is sent once it holds this many bytes (plus at most one row).
pub(crate) const CHUNK_BYTES: usize = 128 * 1024;

/// Chunks a stream may have read ahead of its reader: with [`CHUNK_BYTES`], what an export
/// holds at most, whatever its size.
pub(crate) const CHUNKS_AHEAD: usize = 4;

/// Which visits to export.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VisitFilter {
    /// Visits of villages at or under this area (`None`: everywhere).
    pub under: Option<AreaCode>,
    /// Only visits made at or before this moment (`None`: all). The store may return a few rows
    /// after it when its stored timestamps compare coarsely: the caller applies its exact day rule.
    pub visited_by: Option<DateTime<Utc>>,
}

/// Where the next page starts: the last row's village and visit id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportCursor {
    pub village: AreaCode,
    pub visit: Uuid,
}

/// One exported visit, with its household as stored now.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportVisit {
    pub visit: Visit,
    pub village: AreaCode,
    pub flags: Vec<GpsFlag>,
    pub received_at: DateTime<Utc>,
    pub head_name: String,
    pub kk_count: u16,
    pub dusun: Option<String>,
    pub rw: Option<String>,
    pub rt: Option<String>,
}

impl ExportVisit {
    /// The cursor that continues after this row.
    pub fn cursor(&self) -> ExportCursor {
        ExportCursor { village: self.village, visit: self.visit.id }
    }

    /// This visit as a streamed row.
    pub fn as_row(&self) -> ExportRow<'_> {
        let v = &self.visit;
        ExportRow {
            id: v.id,
            household_id: v.household_id,
            village: self.village,
            sanitarian: &v.sanitarian,
            visited_at: v.visited_at,
            category: v.category,
            checklist: v.checklist,
            gps: v.gps,
            photo_sha256: v.photo_sha256.as_deref(),
            device_id: &v.device_id,
            flags: &self.flags,
            received_at: self.received_at,
            head_name: &self.head_name,
            kk_count: self.kk_count,
            dusun: self.dusun.as_deref(),
            rw: self.rw.as_deref(),
            rt: self.rt.as_deref(),
        }
    }
}

/// One exported visit as a stream hands it to its [`RowWriter`]: [`ExportVisit`]'s fields, its
/// text borrowed from the database's row (an export is millions of rows: no `String` each).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExportRow<'a> {
    pub id: Uuid,
    pub household_id: Uuid,
    pub village: AreaCode,
    pub sanitarian: &'a str,
    pub visited_at: DateTime<Utc>,
    pub category: Category,
    pub checklist: Checklist,
    pub gps: Option<GeoPoint>,
    pub photo_sha256: Option<&'a str>,
    pub device_id: &'a str,
    pub flags: &'a [GpsFlag],
    pub received_at: DateTime<Utc>,
    pub head_name: &'a str,
    pub kk_count: u16,
    pub dusun: Option<&'a str>,
    pub rw: Option<&'a str>,
    pub rt: Option<&'a str>,
}

impl ExportRow<'_> {
    /// The row with its text copied (tests compare the stream with the pages through it).
    pub fn to_visit(&self) -> ExportVisit {
        ExportVisit {
            visit: Visit {
                id: self.id,
                household_id: self.household_id,
                sanitarian: self.sanitarian.to_owned(),
                visited_at: self.visited_at,
                category: self.category,
                checklist: self.checklist,
                gps: self.gps,
                photo_sha256: self.photo_sha256.map(str::to_owned),
                device_id: self.device_id.to_owned(),
            },
            village: self.village,
            flags: self.flags.to_vec(),
            received_at: self.received_at,
            head_name: self.head_name.to_owned(),
            kk_count: self.kk_count,
            dusun: self.dusun.map(str::to_owned),
            rw: self.rw.map(str::to_owned),
            rt: self.rt.map(str::to_owned),
        }
    }
}

/// Turns streamed rows into the export's bytes (the server's CSV and NDJSON encoders). Runs on the
/// backend's reading thread, one call per row, so it should only append to `out`.
pub trait RowWriter: Send + 'static {
    /// Appends what comes before the first row (a CSV header), once.
    fn start(&mut self, out: &mut Vec<u8>);
    /// Appends one row, or nothing to leave it out.
    fn row(&mut self, out: &mut Vec<u8>, row: &ExportRow<'_>);
}

/// What a stream's reader sends: a chunk, then either the end or the error that stopped it.
#[derive(Debug)]
pub(crate) enum Piece {
    Chunk(Vec<u8>),
    End,
    Failed(StoreError),
}

/// The sending half a backend's reader writes to.
pub(crate) type PieceSender = mpsc::Sender<Piece>;

/// A new stream: the backend's reader gets the sender, the caller the body.
pub(crate) fn channel() -> (PieceSender, ExportBody) {
    let (tx, rx) = mpsc::channel(CHUNKS_AHEAD);
    (tx, ExportBody { rx, finished: false })
}

/// Ends a stream: the reader's result becomes its last piece (the end, or the error that stopped
/// it, logged here), sent after every chunk the reader sent. Every backend's reader ends through
/// this, so a failed export reads and logs the same whichever read it.
pub(crate) async fn finish(tx: &PieceSender, result: Result<()>) {
    let piece = match result {
        Ok(()) => Piece::End,
        Err(err) => {
            tracing::error!(error = %err, "visits export stopped half-way");
            Piece::Failed(err)
        }
    };
    // The receiver may be gone (client left): nothing to tell then.
    let _ = tx.send(piece).await;
}

/// The bytes of one export, chunk by chunk ([`Exports::export_stream`](crate::Exports::export_stream)).
/// Dropping it stops the read.
pub struct ExportBody {
    rx: mpsc::Receiver<Piece>,
    finished: bool,
}

impl fmt::Debug for ExportBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportBody").field("finished", &self.finished).finish_non_exhaustive()
    }
}

impl ExportBody {
    /// The next chunk; `Ok(None)` once every row was written. A read that stopped half-way (a
    /// database error, or the reader gone without saying it had finished) is an error, never a
    /// short end, so that a download breaks rather than silently missing rows.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>> {
        if self.finished {
            return Ok(None);
        }
        match self.rx.recv().await {
            Some(Piece::Chunk(bytes)) => Ok(Some(bytes)),
            Some(Piece::End) => {
                self.finished = true;
                Ok(None)
            }
            Some(Piece::Failed(err)) => {
                self.finished = true;
                Err(err)
            }
            None => {
                self.finished = true;
                Err(StoreError::corrupt("the export's reader stopped before its end"))
            }
        }
    }
}

/// Collects rows into chunks of [`CHUNK_BYTES`] for one stream.
pub(crate) struct Chunker {
    writer: Box<dyn RowWriter>,
    out: Vec<u8>,
}

impl Chunker {
    pub fn new(mut writer: Box<dyn RowWriter>) -> Chunker {
        let mut out = Vec::with_capacity(CHUNK_BYTES + CHUNK_BYTES / 4);
        writer.start(&mut out);
        Chunker { writer, out }
    }

    /// Writes one row; returns a full chunk to send when there is one.
    pub fn row(&mut self, row: &ExportRow<'_>) -> Option<Vec<u8>> {
        self.writer.row(&mut self.out, row);
        (self.out.len() >= CHUNK_BYTES)
            .then(|| std::mem::replace(&mut self.out, Vec::with_capacity(CHUNK_BYTES + CHUNK_BYTES / 4)))
    }

    /// What is left after the last row.
    pub fn rest(self) -> Option<Vec<u8>> {
        (!self.out.is_empty()).then_some(self.out)
    }
}

/// The GPS flags as stored (a JSON array); most visits have none.
pub(crate) fn flags_of(text: &str) -> Result<Vec<GpsFlag>> {
    if text == "[]" { Ok(Vec::new()) } else { serde_json::from_str(text).map_err(StoreError::corrupt) }
}
