//! How fast the coverage API's roll-ups are with the whole country loaded: imports
//! `../shared/data/wilayah.csv` (91,599 places), gives every one of its 83,762 villages a household
//! with a visit (synthetic tallies), marks some villages ODF, then times the national, province and
//! kabupaten roll-ups the way the coverage endpoints build them (village tallies and statuses from the
//! store, summed by `odf-rollup`; never raw visits).
//!
//! `cargo bench -p odf-server --bench coverage` (SQLite), and with
//! `ODF_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres` for PostgreSQL too.

#![allow(clippy::print_stdout)]

use std::time::Instant;

use chrono::{Duration, Utc};
use odf_domain::verification::SplitMix64;
use odf_domain::{AreaCode, Category, Checklist, EventKind, Household, Level, StatusEvent, Visit, Wilayah};
use odf_store::testing::TestDb;
use odf_store::{AnyStore, FlaggedVisit, IngestBatch};
use uuid::Uuid;

type BenchResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

const BATCH: usize = 2_000;
/// One village in this many gets the full path to ODF (four status events each).
const ODF_EVERY: usize = 40;

async fn load(store: &AnyStore, csv: &str) -> BenchResult<Wilayah> {
    let started = Instant::now();
    let done = odf_server::commands::import_areas_csv(store, csv, "bench").await?;
    println!("  imported {} places in {:.1} s", done.report.inserted, started.elapsed().as_secs_f64());
    let started = Instant::now();
    let wilayah = odf_server::places::load_wilayah(store).await?;
    println!("  places tree read back from the store in {:.0} ms", started.elapsed().as_secs_f64() * 1e3);
    Ok(wilayah)
}

async fn fill(store: &AnyStore, wilayah: &Wilayah) -> BenchResult<usize> {
    let mut rng = SplitMix64::new(2026);
    let villages: Vec<AreaCode> = wilayah.at_level(Level::Desa).map(|p| p.code).collect();
    let started = Instant::now();
    for chunk in villages.chunks(BATCH) {
        let mut batch = IngestBatch { received_from: "bench".to_owned(), ..IngestBatch::default() };
        for village in chunk {
            let household = Household {
                id: Uuid::now_v7(),
                village: *village,
                head_name: "KK".to_owned(),
                kk_count: 1 + u16::try_from(rng.below(40)).unwrap_or(0),
                dusun: None,
                rw: None,
                rt: None,
                gps: None,
            };
            let category = Category::ALL[usize::try_from(rng.below(6)).unwrap_or(0)];
            let visit = Visit {
                id: Uuid::now_v7(),
                household_id: household.id,
                sanitarian: "bench".to_owned(),
                visited_at: Utc::now() - Duration::days(3),
                category,
                checklist: Checklist::default(),
                gps: None,
                photo_sha256: None,
                device_id: "bench".to_owned(),
            };
            batch.households.push(household);
            batch.visits.push(FlaggedVisit::from(visit));
        }
        store.ingest(batch).await?;
    }
    let seconds = started.elapsed().as_secs_f64();
    println!("  {} villages given a household and a visit in {seconds:.1} s", villages.len());
    let started = Instant::now();
    let mut odf = 0;
    for village in villages.iter().step_by(ODF_EVERY) {
        let at = Utc::now() - Duration::days(2);
        for (i, kind) in [EventKind::Trigger, EventKind::Claim, EventKind::StartVerification, EventKind::Pass]
            .into_iter()
            .enumerate()
        {
            let event = StatusEvent {
                kind,
                actor: "bench".to_owned(),
                at: at + Duration::minutes(i as i64),
                reason: None,
            };
            store.apply_status_event(*village, event).await?;
        }
        odf += 1;
    }
    println!("  {odf} villages taken to ODF in {:.1} s", started.elapsed().as_secs_f64());
    Ok(odf)
}

/// Best of five, in milliseconds, of building the roll-up of `area` from the store.
async fn time_rollup(
    store: &AnyStore,
    wilayah: &Wilayah,
    area: Option<AreaCode>,
) -> BenchResult<(f64, i64, i64)> {
    let mut best = f64::MAX;
    let mut figures = (0, 0);
    for _ in 0..5 {
        let started = Instant::now();
        let rollup = odf_server::places::current_rollup(store, wilayah, area).await?;
        let head = match area {
            Some(code) => rollup.area(code),
            None => Some(rollup.national()),
        }
        .ok_or("area missing")?;
        let _children = rollup.children(head.code.map_or(odf_rollup::AreaRef::Nasional, Into::into));
        best = best.min(started.elapsed().as_secs_f64() * 1e3);
        figures = (head.desa_sbs.numerator, head.desa_sbs.denominator);
    }
    Ok((best, figures.0, figures.1))
}

async fn bench(db: TestDb, backend: &str, csv: &str) -> BenchResult {
    println!("{backend}:");
    let wilayah = load(&db.store, csv).await?;
    let counts = wilayah.level_counts();
    if (counts.provinsi, counts.kabupaten, counts.kecamatan, counts.desa) != (38, 514, 7_285, 83_762) {
        return Err(format!("village counts per level differ from the file: {counts:?}").into());
    }
    let odf = fill(&db.store, &wilayah).await?;
    for (label, area) in [
        ("national", None),
        ("province 74", AreaCode::parse("74").ok()),
        ("kabupaten 74.04", AreaCode::parse("74.04").ok()),
    ] {
        let (ms, certified, villages) = time_rollup(&db.store, &wilayah, area).await?;
        println!("  {label:<16} roll-up in {ms:>7.1} ms  (% desa SBS: {certified} of {villages} villages)");
        if area.is_none() && (certified, villages) != (i64::try_from(odf)?, 83_762) {
            return Err("national figures do not match what was loaded".into());
        }
    }
    db.cleanup().await?;
    Ok(())
}

#[tokio::main]
async fn main() -> BenchResult {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/wilayah.csv");
    let Ok(csv) = std::fs::read_to_string(path) else {
        println!("SKIPPED: {path} not found (the national places list is needed)");
        return Ok(());
    };
    bench(TestDb::sqlite().await?, "sqlite", &csv).await?;
    match TestDb::postgres().await? {
        Some(db) => bench(db, "postgres", &csv).await?,
        None => println!("postgres: SKIPPED (set ODF_TEST_POSTGRES_URL to run)"),
    }
    Ok(())
}
