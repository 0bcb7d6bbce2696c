//! The visits export ([`Exports`]): one keyset page per call over the `(village_code, id)` index,
//! each visit joined to its household; and the whole export streamed, by the backend's fast path
//! when it has one (`fast_export`), else page after page.

use super::*;
use crate::export::{
    self as exports, Chunker, ExportBody, ExportCursor, ExportVisit, MAX_EXPORT_PAGE, Piece, PieceSender,
    RowWriter, VisitFilter, flags_of,
};

/// Visits per page when a stream is read in pages.
const STREAM_PAGE: u32 = 5_000;

#[async_trait]
impl Exports for ThisStore {
    async fn export_visits(
        &self,
        filter: &VisitFilter,
        after: Option<ExportCursor>,
        limit: u32,
    ) -> Result<Vec<ExportVisit>> {
        // The page is cut from visits alone, in index order, before the join: planners otherwise
        // may join every visit under the area to its household and sort them all, once per page
        // (measured: ~10,000 rows/s on both backends). A subquery with LIMIT is planned on its own
        // by both, then each of its rows finds its household by primary key.
        let mut query = QueryBuilder::new(
            "SELECT v.id, v.household_id, v.village_code, v.sanitarian, v.visited_at, v.category, \
             v.checklist, v.lat, v.lng, v.photo_sha256, v.device_id, v.flags, v.received_at, \
             h.head_name, h.kk_count, h.dusun, h.rw, h.rt \
             FROM (SELECT * FROM visits WHERE 1 = 1",
        );
        // One lower bound only: the cursor when there is one (it lies inside the area), else the
        // area's start. Given both, planners may start the index range at the area's start and
        // filter up to the cursor: every page then reads all the pages before it again.
        match after {
            Some(after) => {
                query
                    .push(" AND (village_code, id) > (")
                    .push_bind(after.village.to_string())
                    .push(", ")
                    .push_bind(after.visit)
                    .push(")");
            }
            None => {
                if let Some(area) = filter.under {
                    query.push(" AND village_code >= ").push_bind(area.text_range().0);
                }
            }
        }
        if let Some(area) = filter.under {
            query.push(" AND village_code < ").push_bind(area.text_range().1);
        }
        if let Some(by) = filter.visited_by {
            query.push(" AND visited_at <= ").push_bind(micros_of(by));
        }
        query
            .push(" ORDER BY village_code, id LIMIT ")
            .push_bind(i64::from(limit.clamp(1, MAX_EXPORT_PAGE)))
            .push(") v JOIN households h ON h.id = v.household_id ORDER BY v.village_code, v.id");
        let rows = query.build().fetch_all(self.reader()).await?;
        // Rows come in village order: each village's code is parsed once.
        let mut village: Option<(String, AreaCode)> = None;
        rows.iter().map(|row| export_row(row, &mut village)).collect()
    }

    async fn export_stream(&self, filter: VisitFilter, writer: Box<dyn RowWriter>) -> Result<ExportBody> {
        match self.fast_export(filter, writer) {
            Ok(body) => Ok(body),
            Err(writer) => Ok(self.paged_stream(filter, writer)),
        }
    }
}

impl ThisStore {
    /// The stream read in keyset pages on a task of its own, the next page read while this one is
    /// written (so the export takes about the longer of the two, not their sum).
    fn paged_stream(&self, filter: VisitFilter, writer: Box<dyn RowWriter>) -> ExportBody {
        let (tx, body) = exports::channel();
        let store = self.clone();
        tokio::spawn(async move {
            let result = store.write_pages(filter, writer, &tx).await;
            exports::finish(&tx, result).await;
        });
        body
    }

    async fn write_pages(
        &self,
        filter: VisitFilter,
        writer: Box<dyn RowWriter>,
        tx: &PieceSender,
    ) -> Result<()> {
        let read = |after: Option<ExportCursor>| {
            let store = self.clone();
            // Aborted when dropped, so a stream dropped half-way stops its read.
            AbortOnDrop(tokio::spawn(async move { store.export_visits(&filter, after, STREAM_PAGE).await }))
        };
        let mut chunker = Chunker::new(writer);
        let mut next = read(None);
        loop {
            let rows = (&mut next.0).await.map_err(StoreError::corrupt)??;
            let end = rows.len() < STREAM_PAGE as usize;
            if !end {
                next = read(rows.last().map(ExportVisit::cursor));
            }
            for row in &rows {
                if let Some(chunk) = chunker.row(&row.as_row())
                    && tx.send(Piece::Chunk(chunk)).await.is_err()
                {
                    return Ok(()); // the client is gone
                }
            }
            if end {
                break;
            }
        }
        if let Some(rest) = chunker.rest() {
            let _ = tx.send(Piece::Chunk(rest)).await;
        }
        Ok(())
    }
}

struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One row of the query above, its columns read by position (the SELECT's order) and its text
/// borrowed from the row: a name lookup and a `String` per column cost as much as the rest.
fn export_row(row: &DbRow, village: &mut Option<(String, AreaCode)>) -> Result<ExportVisit> {
    let code: &str = row.try_get(2)?;
    let village = match village {
        Some((text, parsed)) if text == code => *parsed,
        _ => {
            let parsed = code_of(code)?;
            *village = Some((code.to_owned(), parsed));
            parsed
        }
    };
    let flags: &str = row.try_get(11)?;
    let kk: i64 = row.try_get(14)?;
    Ok(ExportVisit {
        visit: Visit {
            id: row.try_get(0)?,
            household_id: row.try_get(1)?,
            sanitarian: row.try_get(3)?,
            visited_at: time_of_micros(row.try_get(4)?)?,
            category: category_of_code(row.try_get(5)?)?,
            checklist: checklist_of_bits(row.try_get(6)?)?,
            gps: point_of(row.try_get(7)?, row.try_get(8)?)?,
            photo_sha256: photo_hex(row.try_get(9)?)?,
            device_id: row.try_get(10)?,
        },
        village,
        // Most visits carry no flag: skip the parser for the empty list.
        flags: flags_of(flags)?,
        received_at: time_of_micros(row.try_get(12)?)?,
        head_name: row.try_get(13)?,
        kk_count: u16::try_from(kk).map_err(StoreError::corrupt)?,
        dusun: row.try_get(15)?,
        rw: row.try_get(16)?,
        rt: row.try_get(17)?,
    })
}
