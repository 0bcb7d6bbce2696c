//! The PostgreSQL visits export's fast path ([`Exports::export_stream`](crate::Exports::export_stream)):
//! one `COPY (SELECT …) TO STDOUT (FORMAT binary)` instead of keyset pages. The server sends every
//! row of one snapshot as it reads it; each is parsed here straight into an [`ExportRow`] borrowed
//! from the message and handed to the caller's [`RowWriter`]. No statement per page, no sqlx row
//! per visit.
//!
//! The connection is taken out of the pool for the export (`detach`): a `COPY` dropped half-way
//! (client gone) leaves its connection mid-protocol, so it is closed, never reused.

use futures_util::StreamExt as _;
use odf_domain::{AreaCode, GeoPoint, GpsFlag};
use sqlx::PgPool;
use uuid::Uuid;

use crate::codec::{category_of_code, checklist_of_bits, micros_of, photo_hex_in, time_of_micros};
use crate::export::{
    self, Chunker, ExportBody, ExportRow, Piece, PieceSender, RowWriter, VisitFilter, flags_of,
};
use crate::{Result, StoreError};

/// Streams the export with `COPY` on a connection of `pool`'s, on a task of its own.
pub(crate) fn stream(pool: PgPool, filter: VisitFilter, writer: Box<dyn RowWriter>) -> ExportBody {
    let (tx, body) = export::channel();
    tokio::spawn(async move {
        let result = read(&pool, &filter, writer, &tx).await;
        export::finish(&tx, result).await;
    });
    body
}

async fn read(
    pool: &PgPool,
    filter: &VisitFilter,
    writer: Box<dyn RowWriter>,
    tx: &PieceSender,
) -> Result<()> {
    let mut conn = pool.acquire().await?.detach();
    let statement = statement(filter);
    let mut messages = conn.copy_out_raw(&statement).await?;
    let mut chunker = Chunker::new(writer);
    let mut decoder = Decoder::default();
    // COPY data is a byte stream: a row may span messages (in practice each message is one row).
    let mut pending: Vec<u8> = Vec::new();
    let mut header = true;
    while let Some(message) = messages.next().await {
        let message = message?;
        let from_pending = !pending.is_empty();
        if from_pending {
            pending.extend_from_slice(&message);
        }
        let data: &[u8] = if from_pending { &pending } else { &message };
        let mut at = 0;
        if header && let Some(len) = header_len(data)? {
            (at, header) = (len, false);
        }
        let mut fields = [None; COLUMNS];
        while !header && at < data.len() {
            let Some(len) = tuple(&data[at..], &mut fields)? else {
                break;
            };
            if len == TRAILER {
                at = data.len();
                break;
            }
            at += len;
            let row = decoder.row(&fields)?;
            if let Some(chunk) = chunker.row(&row)
                && tx.send(Piece::Chunk(chunk)).await.is_err()
            {
                return Ok(()); // the client is gone
            }
        }
        // What is left is the start of a row the next message completes.
        if from_pending {
            pending.drain(..at);
        } else {
            pending.extend_from_slice(&message[at..]);
        }
    }
    if !pending.is_empty() {
        return Err(StoreError::corrupt("COPY output ended inside a row"));
    }
    if let Some(rest) = chunker.rest() {
        let _ = tx.send(Piece::Chunk(rest)).await;
    }
    Ok(())
}

/// The `COPY` statement: the paged query's columns and order, the filter's values written in (a
/// `COPY` takes no parameters; an area code is digits and dots, the time is formatted here).
fn statement(filter: &VisitFilter) -> String {
    let mut sql = String::from(
        "COPY (SELECT v.id, v.household_id, v.village_code, v.sanitarian, v.visited_at, \
         v.category, v.checklist, v.lat::float8, v.lng::float8, v.photo_sha256, \
         v.device_id, v.flags::text, v.received_at, h.head_name, h.kk_count::int8, h.dusun, h.rw, h.rt \
         FROM visits v JOIN households h ON h.id = v.household_id WHERE true",
    );
    if let Some(area) = filter.under {
        let (low, high) = area.text_range();
        sql.push_str(&format!(
            " AND v.village_code >= {} AND v.village_code < {}",
            literal(&low),
            literal(&high)
        ));
    }
    if let Some(by) = filter.visited_by {
        sql.push_str(&format!(" AND v.visited_at <= {}", micros_of(by)));
    }
    sql.push_str(" ORDER BY v.village_code, v.id) TO STDOUT (FORMAT binary)");
    sql
}

/// A string literal; the text is our own (an area code's range, a formatted time), quotes doubled
/// all the same.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

const COLUMNS: usize = 18;
const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";
/// What [`tuple`] returns for the end marker.
const TRAILER: usize = usize::MAX;

/// The binary `COPY` header's length, once all of it is there.
fn header_len(data: &[u8]) -> Result<Option<usize>> {
    if data.len() < SIGNATURE.len() + 8 {
        return Ok(None);
    }
    if !data.starts_with(SIGNATURE) {
        return Err(StoreError::corrupt("COPY output without its signature"));
    }
    let extension = be_u32(&data[SIGNATURE.len() + 4..SIGNATURE.len() + 8]);
    let len = SIGNATURE.len() + 8 + usize::try_from(extension).map_err(StoreError::corrupt)?;
    Ok((data.len() >= len).then_some(len))
}

fn be_u32(b: &[u8]) -> u32 {
    b.iter().take(4).fold(0, |n, byte| (n << 8) | u32::from(*byte))
}

/// One row's fields (`None` for NULL) and its length in bytes; `None` when it is not all there
/// yet; [`TRAILER`] for the end marker.
fn tuple<'b>(data: &'b [u8], fields: &mut [Option<&'b [u8]>; COLUMNS]) -> Result<Option<usize>> {
    let Some(count) = data.get(..2) else {
        return Ok(None);
    };
    match i16::from_be_bytes([count[0], count[1]]) {
        -1 => return Ok(Some(TRAILER)),
        n if usize::try_from(n).ok() == Some(COLUMNS) => {}
        n => return Err(StoreError::corrupt(format!("COPY row of {n} fields"))),
    }
    let mut at = 2;
    for field in fields.iter_mut() {
        let Some(len) = data.get(at..at + 4) else {
            return Ok(None);
        };
        let len = i32::from_be_bytes([len[0], len[1], len[2], len[3]]);
        at += 4;
        *field = match usize::try_from(len) {
            Ok(len) => match data.get(at..at + len) {
                Some(value) => {
                    at += len;
                    Some(value)
                }
                None => return Ok(None),
            },
            Err(_) => None, // -1: NULL
        };
    }
    Ok(Some(at))
}

// ---- The stored representation of a visit: everything that knows the columns is below. ----
// Migration 0010's integers and bytes in COPY's binary form (big-endian), decoded by
// `crate::codec` as the store's own reads are.

/// Reads COPY rows into [`ExportRow`]s. Holds what rows share: the last village's code (rows come
/// in village order), the flags' and the photo hash's buffers.
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
    fn row<'r>(&'r mut self, f: &[Option<&'r [u8]>; COLUMNS]) -> Result<ExportRow<'r>> {
        let code = text(f[2])?;
        let village = match &self.village {
            Some((text, parsed)) if text == code => *parsed,
            _ => {
                let parsed = AreaCode::parse(code).map_err(StoreError::corrupt)?;
                self.village = Some((code.to_owned(), parsed));
                parsed
            }
        };
        self.flags = flags_of(text(f[11])?)?;
        let photo_sha256 = match f[9] {
            Some(hash) => Some(photo_hex_in(hash, &mut self.photo)?),
            None => None,
        };
        let kk = i64::from_be_bytes(fixed(f[14])?);
        Ok(ExportRow {
            id: Uuid::from_bytes(fixed(f[0])?),
            household_id: Uuid::from_bytes(fixed(f[1])?),
            village,
            sanitarian: text(f[3])?,
            visited_at: time_of_micros(i64::from_be_bytes(fixed(f[4])?))?,
            category: category_of_code(i32::from_be_bytes(fixed(f[5])?))?,
            checklist: checklist_of_bits(i32::from_be_bytes(fixed(f[6])?))?,
            gps: match (f[7], f[8]) {
                (Some(lat), Some(lng)) => Some(
                    GeoPoint::new(
                        f64::from_be_bytes(fixed(Some(lat))?),
                        f64::from_be_bytes(fixed(Some(lng))?),
                    )
                    .map_err(StoreError::corrupt)?,
                ),
                _ => None,
            },
            photo_sha256,
            device_id: text(f[10])?,
            flags: &self.flags,
            received_at: time_of_micros(i64::from_be_bytes(fixed(f[12])?))?,
            head_name: text(f[13])?,
            kk_count: u16::try_from(kk).map_err(StoreError::corrupt)?,
            dusun: f[15].map(|t| text(Some(t))).transpose()?,
            rw: f[16].map(|t| text(Some(t))).transpose()?,
            rt: f[17].map(|t| text(Some(t))).transpose()?,
        })
    }
}

fn text(field: Option<&[u8]>) -> Result<&str> {
    std::str::from_utf8(field.ok_or_else(|| StoreError::corrupt("null where text was"))?)
        .map_err(StoreError::corrupt)
}

fn fixed<const N: usize>(field: Option<&[u8]>) -> Result<[u8; N]> {
    field
        .and_then(|bytes| <[u8; N]>::try_from(bytes).ok())
        .ok_or_else(|| StoreError::corrupt(format!("a {N}-byte value expected")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(out: &mut Vec<u8>, value: Option<&[u8]>) {
        match value {
            Some(v) => {
                out.extend_from_slice(&i32::try_from(v.len()).unwrap().to_be_bytes());
                out.extend_from_slice(v);
            }
            None => out.extend_from_slice(&(-1i32).to_be_bytes()),
        }
    }

    #[test]
    fn binary_copy_rows_split_anywhere_read_whole() {
        let mut data = SIGNATURE.to_vec();
        data.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]);
        let header = data.len();
        data.extend_from_slice(&18i16.to_be_bytes());
        for i in 0..COLUMNS {
            field(&mut data, (i != 15).then_some(b"abc".as_slice()));
        }
        let row = data.len() - header;
        data.extend_from_slice(&(-1i16).to_be_bytes());
        assert_eq!(header_len(&data[..5]).unwrap(), None);
        assert_eq!(header_len(&data).unwrap(), Some(header));
        let mut fields = [None; COLUMNS];
        for cut in header..header + row {
            assert_eq!(tuple(&data[header..cut], &mut fields).unwrap(), None, "cut at {cut}");
        }
        assert_eq!(tuple(&data[header..], &mut fields).unwrap(), Some(row));
        assert_eq!((fields[0], fields[15]), (Some(b"abc".as_slice()), None));
        assert_eq!(tuple(&data[header + row..], &mut fields).unwrap(), Some(TRAILER));
        assert!(header_len(b"PGCOPX\n\xff\r\n\0\0\0\0\0\0\0\0\0").is_err());
    }
}
