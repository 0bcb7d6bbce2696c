//! The dashboard's pages timed over HTTP with every place of the country and the real boundaries of
//! province 74 (`../shared/data/boundaries-74-*.geojson`: 17 kabupaten, 221 kecamatan, 2,283
//! villages), signed in with the session cookie a browser would send: server time and size of the
//! province page (goal: under 200 ms and 500 KB), a kabupaten page, and the national page (under
//! 1 s). Pages are rendered from the same roll-up read as the API, so the numbers hold whatever
//! the number of visits.

use std::path::{Path, PathBuf};
use std::time::Instant;

use odf_domain::{AreaRef, Role};
use odf_server::commands;
use odf_store::AnyStore;

use crate::server::Server;
use crate::{BenchResult, percentile};

/// The pages timed: (label, path).
const PAGES: [(&str, &str); 3] = [
    ("province page", "/wilayah/74"),
    ("kabupaten page", "/wilayah/74.04"),
    ("national page", "/wilayah/nasional"),
];

/// One page's figures.
#[derive(Debug, Clone)]
pub struct PageFigures {
    pub label: String,
    pub path: String,
    pub p50_ms: f64,
    pub p95_ms: f64,
    /// Bytes of the HTML as sent (uncompressed).
    pub bytes: usize,
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")
}

/// Imports the boundaries of province 74 when they are there; `false` (and a SKIPPED line) when not.
pub async fn import_boundaries(store: &AnyStore) -> BenchResult<bool> {
    let mut imported = false;
    for level in ["kabupaten", "kecamatan", "desa"] {
        let path = data_dir().join(format!("boundaries-74-{level}.geojson"));
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                commands::import_boundaries_geojson(store, &text, "bench").await?;
                imported = true;
            }
            Err(_) => println!("SKIPPED: dashboard maps of {level}: {} not found", path.display()),
        }
    }
    Ok(imported)
}

/// A national viewer's session token, sent as the dashboard's cookie.
pub async fn national_session(server: &Server, store: &AnyStore) -> BenchResult<String> {
    server.account(store, "kemenkes", Role::Viewer, AreaRef::Nasional).await
}

pub async fn time_pages(server: &Server, session: &str, requests: usize) -> BenchResult<Vec<PageFigures>> {
    let cookie = format!("odf_session={session}");
    let mut figures = Vec::new();
    for (label, path) in PAGES {
        let url = format!("{}{path}", server.base);
        let first = server.http.get(&url).header("cookie", &cookie).send().await?.error_for_status()?;
        let bytes = first.bytes().await?.len();
        let mut times = Vec::with_capacity(requests);
        for _ in 0..requests {
            let started = Instant::now();
            let body = server
                .http
                .get(&url)
                .header("cookie", &cookie)
                .send()
                .await?
                .error_for_status()?
                .bytes()
                .await?;
            times.push(started.elapsed().as_secs_f64() * 1e3);
            if body.is_empty() {
                return Err(format!("empty page {path}").into());
            }
        }
        times.sort_by(f64::total_cmp);
        figures.push(PageFigures {
            label: label.to_owned(),
            path: path.to_owned(),
            p50_ms: percentile(&times, 50),
            p95_ms: percentile(&times, 95),
            bytes,
        });
    }
    Ok(figures)
}
