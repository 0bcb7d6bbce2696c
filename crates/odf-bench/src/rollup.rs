//! Roll-up reads over HTTP with the national list of places imported (`../shared/data/wilayah.csv`)
//! and tallies worth about 70 million households seeded set-wise, timed before and after storing
//! visits, to show the cost follows the number of places, not of visits. The national figure is
//! timed in-process (the same store calls and roll-up the endpoint makes): no account is national.

use std::time::Instant;

use odf_domain::{AreaCode, AreaRef, Household, Level, Role};
use odf_server::commands;
use odf_store::{AnyStore, IngestBatch};

use crate::db::{Backend, BenchDb};
use crate::server::Server;
use crate::{BenchResult, dashboard, data, percentile};

/// KK per village: × 83,762 villages ≈ 70 million.
const KK_PER_VILLAGE: i64 = 836;
/// The areas timed over HTTP: the nation (with a national viewer's token), a province, a
/// kabupaten, a kecamatan (with a viewer of province 74).
const AREAS: [(&str, &str); 4] =
    [("nasional", "nasional"), ("province", "74"), ("kabupaten", "74.04"), ("kecamatan", "74.04.11")];

/// Migration 0012's fill of `area_tallies` from `village_tallies`, for the seeded tallies.
const SEED_AREA_TALLIES: &str = "INSERT INTO area_tallies (prefix, parent, houses, kk, kk_visited, \
    kk_access, kk_aman, kk_layak_sendiri, kk_layak_bersama, kk_belum_layak, kk_babs_tertutup, \
    kk_babs_terbuka, villages_with_data, villages_full_access) \
    SELECT prefix, parent, SUM(houses), SUM(kk), SUM(kk_visited), SUM(kk_access), SUM(kk_aman), \
    SUM(kk_layak_sendiri), SUM(kk_layak_bersama), SUM(kk_belum_layak), SUM(kk_babs_tertutup), \
    SUM(kk_babs_terbuka), SUM(CASE WHEN kk > 0 THEN 1 ELSE 0 END), \
    SUM(CASE WHEN kk > 0 AND kk_access = kk THEN 1 ELSE 0 END) FROM ( \
    SELECT '' AS prefix, CAST(NULL AS TEXT) AS parent, t.* FROM village_tallies AS t \
    UNION ALL SELECT substr(village_code, 1, 2), '', t.* FROM village_tallies AS t \
    UNION ALL SELECT substr(village_code, 1, 5), substr(village_code, 1, 2), t.* FROM village_tallies AS t \
    UNION ALL SELECT substr(village_code, 1, 8), substr(village_code, 1, 5), t.* FROM village_tallies AS t \
    ) AS under_prefix GROUP BY prefix, parent";

#[derive(Debug, Clone)]
pub struct RollupFigures {
    /// Visits stored when these were timed.
    pub visits: i64,
    /// (label, area, p50 ms, p95 ms)
    pub rows: Vec<(String, String, f64, f64)>,
    /// The dashboard's pages (empty without the boundaries in `../shared/data`).
    pub pages: Vec<dashboard::PageFigures>,
}

/// Where the national list is expected, relative to the repository.
pub fn wilayah_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/wilayah.csv")
}

/// Imports the list, seeds the tallies, times the roll-ups; then stores `visit_steps` visits in
/// turn (each a total) under province 74 and times again after each.
pub async fn measure(
    backend: &Backend,
    csv: &str,
    requests: usize,
    visit_steps: &[usize],
) -> BenchResult<Vec<RollupFigures>> {
    let db = BenchDb::fresh(backend).await?;
    let started = Instant::now();
    commands::import_areas_csv(&db.store, csv, "bench").await?;
    println!("  [{}] national places imported in {:.1} s", backend.name(), started.elapsed().as_secs_f64());
    let kk_visited = KK_PER_VILLAGE - 36;
    let seeded = db
        .execute(&format!(
            "INSERT INTO village_tallies (village_code, houses, kk, kk_visited, kk_access, kk_aman, \
             kk_layak_sendiri, kk_layak_bersama, kk_belum_layak, kk_babs_tertutup, kk_babs_terbuka, updated_at) \
             SELECT code, 700, {KK_PER_VILLAGE}, {kk_visited}, 650, 300, 200, 150, 100, 30, 20, updated_at \
             FROM areas WHERE level = 'desa'"
        ))
        .await?;
    // The per-level rows the store keeps beside the village tallies, summed the way migration
    // 0012 fills them for existing data.
    db.execute(SEED_AREA_TALLIES).await?;
    println!(
        "  [{}] {seeded} village tallies seeded ({} KK)",
        backend.name(),
        i64::try_from(seeded)? * KK_PER_VILLAGE
    );
    let server = Server::spawn(&db.store).await?;
    let token = server.account(&db.store, "dasbor", Role::Viewer, AreaCode::parse("74")?).await?;
    let national = server.account(&db.store, "dasbor-nasional", Role::Viewer, AreaRef::Nasional).await?;
    let tokens = Tokens { province: &token, national: &national };
    let session = match dashboard::import_boundaries(&db.store).await? {
        true => Some(dashboard::national_session(&server, &db.store).await?),
        false => None,
    };
    let wilayah = odf_server::places::load_wilayah(&db.store).await?;
    let villages: Vec<AreaCode> = wilayah
        .at_level(Level::Desa)
        .map(|p| p.code)
        .filter(|c| c.at_level(Level::Provinsi) == AreaCode::parse("74").ok())
        .collect();

    let session = session.as_deref();
    let mut figures = vec![time_all(&db.store, &server, tokens, session, &wilayah, requests).await?];
    let mut stored = 0;
    for &target in visit_steps {
        let started = Instant::now();
        store_visits(&db.store, &villages, target.saturating_sub(stored)).await?;
        stored = target;
        println!("  [{}] {target} visits stored in {:.1} s", backend.name(), started.elapsed().as_secs_f64());
        figures.push(time_all(&db.store, &server, tokens, session, &wilayah, requests).await?);
    }
    server.stop().await?;
    db.finish().await?;
    Ok(figures)
}

/// Stores `count` visits (and a household per four) in batches of 5,000 through the store.
pub(crate) async fn store_visits(store: &AnyStore, villages: &[AreaCode], count: usize) -> BenchResult {
    const CHUNK: usize = 5_000;
    let mut left = count;
    let mut seed = 1_000;
    while left > 0 {
        let n = left.min(CHUNK);
        seed += 1;
        let households: Vec<Household> = data::households(villages, (n / 4).max(1), seed)?;
        let visits = data::visits(&households, n, "bench", "hp-bench", seed);
        store.ingest(IngestBatch { households, ..IngestBatch::default() }).await?;
        store.ingest(data::batch(&visits, "bench")).await?;
        left -= n;
    }
    Ok(())
}

/// Bearer tokens of a viewer of province 74 and of a national viewer.
#[derive(Clone, Copy)]
struct Tokens<'a> {
    province: &'a str,
    national: &'a str,
}

async fn time_all(
    store: &AnyStore,
    server: &Server,
    tokens: Tokens<'_>,
    session: Option<&str>,
    wilayah: &odf_domain::Wilayah,
    requests: usize,
) -> BenchResult<RollupFigures> {
    let mut rows = Vec::new();
    // The nation both ways: from the per-level sums (what the endpoint and the national page now
    // read) and from every village tally (what they read before, and `/villages` still does).
    // One loop each: interleaved, each 83,762-row read slowed the small read after it.
    let nasional = AreaRef::Nasional;
    let mut national = Vec::with_capacity(requests);
    for _ in 0..requests {
        let started = Instant::now();
        let rollup = odf_server::routes::coverage::summary_rollup(store, wilayah, nasional).await?;
        let _fresh = store.last_change_at(None).await?;
        let _children = rollup.children(nasional);
        national.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let mut every_village = Vec::with_capacity(requests);
    for _ in 0..requests {
        let started = Instant::now();
        let rollup = odf_server::places::current_rollup(store, wilayah, None).await?;
        let _fresh = store.last_change_at(None).await?;
        let _children = rollup.children(nasional);
        every_village.push(started.elapsed().as_secs_f64() * 1e3);
    }
    for (label, mut times) in
        [("nasional (in-process)", national), ("nasional, every village tally (in-process)", every_village)]
    {
        times.sort_by(f64::total_cmp);
        rows.push((label.to_owned(), "nasional".to_owned(), percentile(&times, 50), percentile(&times, 95)));
    }
    for (label, area) in AREAS {
        let token = if area == "nasional" { tokens.national } else { tokens.province };
        let url = format!("{}/v1/coverage/{area}", server.base);
        server.http.get(&url).bearer_auth(token).send().await?.error_for_status()?;
        let mut times = Vec::with_capacity(requests);
        for _ in 0..requests {
            let started = Instant::now();
            let body =
                server.http.get(&url).bearer_auth(token).send().await?.error_for_status()?.bytes().await?;
            times.push(started.elapsed().as_secs_f64() * 1e3);
            if body.is_empty() {
                return Err(format!("empty roll-up of {area}").into());
            }
        }
        times.sort_by(f64::total_cmp);
        rows.push((label.to_owned(), area.to_owned(), percentile(&times, 50), percentile(&times, 95)));
    }
    let pages = match session {
        Some(session) => dashboard::time_pages(server, session, requests).await?,
        None => Vec::new(),
    };
    Ok(RollupFigures { visits: store.visit_count().await?, rows, pages })
}
