//! The visits export: rows per second read from the store (in its keyset pages, and streamed with
//! nothing written), and downloaded over HTTP as CSV and as NDJSON by an admin of the province
//! (every personal column included, the widest rows), each gzipped (as browsers and `curl
//! --compressed` ask; the client inflates) and plain, with the bytes per row.

use std::time::Instant;

use odf_domain::{AreaCode, Level, Role};
use odf_server::commands;
use odf_store::{ExportCursor, ExportRow, RowWriter, VisitFilter};
use reqwest::header::ACCEPT_ENCODING;

use crate::BenchResult;
use crate::db::{Backend, BenchDb};
use crate::rollup::store_visits;
use crate::server::Server;

/// Visits per store page (what the paged stream reads at a time).
const PAGE: u32 = 5_000;

/// What one export way measured.
#[derive(Debug, Clone)]
pub struct ExportFigures {
    pub way: &'static str,
    pub rows: usize,
    pub rows_per_s: f64,
    pub bytes_per_row: f64,
}

/// Stores `visits` visits in the demo villages, then times each way of reading them all.
pub async fn measure(backend: &Backend, visits: usize) -> BenchResult<Vec<ExportFigures>> {
    let db = BenchDb::fresh(backend).await?;
    commands::import_areas_csv(&db.store, odf_fixtures::WILAYAH_CSV_FILE, "bench").await?;
    let villages: Vec<AreaCode> =
        odf_fixtures::demo_wilayah().iter().map(|p| p.code).filter(|c| c.is_village()).collect();
    store_visits(&db.store, &villages, visits).await?;
    let province = villages.first().and_then(|v| v.at_level(Level::Provinsi)).ok_or("no demo village")?;
    let mut figures = Vec::new();

    let filter = VisitFilter { under: Some(province), visited_by: None };
    let started = Instant::now();
    let mut after: Option<ExportCursor> = None;
    let mut rows = 0;
    loop {
        let page = db.store.export_visits(&filter, after, PAGE).await?;
        rows += page.len();
        after = page.last().map(|r| r.cursor());
        if page.len() < PAGE as usize {
            break;
        }
    }
    figures.push(ExportFigures {
        way: "store pages",
        rows,
        rows_per_s: rows as f64 / started.elapsed().as_secs_f64(),
        bytes_per_row: 0.0,
    });

    // The stream's reader alone: every row read and decoded, one byte written for it.
    let started = Instant::now();
    let mut body = db.store.export_stream(filter, Box::new(OneByte)).await?;
    let mut rows = 0;
    while let Some(chunk) = body.next_chunk().await? {
        rows += chunk.len();
    }
    figures.push(ExportFigures {
        way: "store stream (read only)",
        rows,
        rows_per_s: rows as f64 / started.elapsed().as_secs_f64(),
        bytes_per_row: 0.0,
    });

    let server = Server::spawn(&db.store).await?;
    let token = server.account(&db.store, "analis", Role::Admin, province).await?;
    let downloads = [
        ("HTTP CSV gzip", "csv", 1, true),
        ("HTTP CSV plain", "csv", 1, false),
        ("HTTP NDJSON gzip", "ndjson", 0, true),
        ("HTTP NDJSON plain", "ndjson", 0, false),
    ];
    for (way, extension, header, gzip) in downloads {
        let started = Instant::now();
        let mut request = server
            .http
            .get(format!("{}/v1/export/{province}/visits.{extension}", server.base))
            .bearer_auth(&token);
        if !gzip {
            // The client otherwise asks for gzip (and inflates it).
            request = request.header(ACCEPT_ENCODING, "identity");
        }
        let mut response = request.send().await?.error_for_status()?;
        let (mut bytes, mut lines) = (0usize, 0usize);
        while let Some(chunk) = response.chunk().await? {
            bytes += chunk.len();
            lines += chunk.iter().filter(|b| **b == b'\n').count();
        }
        let seconds = started.elapsed().as_secs_f64();
        let rows = lines.saturating_sub(header);
        figures.push(ExportFigures {
            way,
            rows,
            rows_per_s: rows as f64 / seconds,
            bytes_per_row: bytes as f64 / rows.max(1) as f64,
        });
    }
    server.stop().await?;
    db.finish().await?;
    for f in &figures {
        if f.rows != visits {
            return Err(format!("{}: {} rows exported, {visits} stored", f.way, f.rows).into());
        }
    }
    Ok(figures)
}

/// A writer of one byte a row: times the store's side of the stream alone, and counts the rows.
struct OneByte;

impl RowWriter for OneByte {
    fn start(&mut self, _out: &mut Vec<u8>) {}

    fn row(&mut self, out: &mut Vec<u8>, _row: &ExportRow<'_>) {
        out.push(b'\n');
    }
}
