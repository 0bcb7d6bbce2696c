//! Batch-ingest throughput: visits stored per second on each backend, for several batch sizes and for
//! four concurrent pushers, each run on a fresh database. After every run the bench recounts the
//! tallies from raw visits and fails unless they agree and every visit was stored, so it also proves
//! the ingest path correct under load.
//!
//! Run (SQLite only; PostgreSQL is skipped):
//!
//! ```text
//! cargo bench -p odf-store --bench ingest
//! ```
//!
//! With PostgreSQL too (a database `odf_bench_<hex>` is created and dropped for each run):
//!
//! ```text
//! ODF_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p odf-store --bench ingest
//! ```
//!
//! The number of visits (default 100,000) comes from `ODF_BENCH_VISITS` or the first numeric
//! argument: `cargo bench -p odf-store --bench ingest -- 20000`. Households: one per ten visits.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};
use odf_domain::verification::SplitMix64;
use odf_domain::{AreaCode, Category, Checklist, Household, Place, Visit};
use odf_store::{
    AnyStore, DatabaseUrl, FlaggedVisit, IngestBatch, Outcome, PgStore, RecordOutcome, SqliteStore,
};
use uuid::Uuid;

type BenchResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const DEFAULT_VISITS: usize = 100_000;
const HOUSEHOLD_BATCH: usize = 500;
const CONCURRENT_TASKS: usize = 4;
const CONCURRENT_BATCH: usize = 50;

#[derive(Clone, Copy, Debug)]
enum Mode {
    /// One pusher, this many visits per ingest call.
    Batch(usize),
    /// `CONCURRENT_TASKS` pushers at once, `CONCURRENT_BATCH` visits per call each.
    Concurrent,
}

const MODES: [Mode; 4] = [Mode::Batch(50), Mode::Batch(500), Mode::Batch(5000), Mode::Concurrent];

/// A number below `n` from the domain's SplitMix64: deterministic, so every run stores the same data.
fn pick(rng: &mut SplitMix64, n: usize) -> usize {
    usize::try_from(rng.below(n as u64)).unwrap_or(0)
}

/// The data every run stores: the demo places, households, and visits to them.
#[derive(Debug)]
struct Data {
    places: Vec<Place>,
    households: Vec<Household>,
    visits: Arc<Vec<Visit>>,
}

fn generate(visit_count: usize) -> BenchResult<Data> {
    let places: Vec<Place> = odf_fixtures::demo_wilayah().iter().cloned().collect();
    let villages: Vec<AreaCode> = places.iter().map(|p| p.code).filter(|c| c.is_village()).collect();
    if villages.is_empty() {
        return Err("the demo places have no villages".into());
    }
    let mut rng = SplitMix64::new(0x9E37_79B9_7F4A_7C15);
    let households: Vec<Household> = (0..(visit_count / 10).max(1))
        .map(|i| Household {
            id: Uuid::now_v7(),
            village: villages[i % villages.len()],
            head_name: format!("Kepala Keluarga {i}"),
            kk_count: [1, 2, 3][pick(&mut rng, 3)],
            dusun: Some(format!("Dusun {}", 1 + pick(&mut rng, 4))),
            rw: None,
            rt: None,
            gps: None,
        })
        .collect();
    let now = Utc::now().timestamp();
    let mut visits = Vec::with_capacity(visit_count);
    for i in 0..visit_count {
        // Whole seconds up to 30 days back: ties between visits of one household do happen.
        let ago = i64::try_from(60 + pick(&mut rng, 30 * 24 * 3600))?;
        let visited_at = DateTime::from_timestamp(now - ago, 0).ok_or("visit time out of range")?;
        visits.push(Visit {
            id: Uuid::now_v7(),
            household_id: households[pick(&mut rng, households.len())].id,
            sanitarian: format!("sanitarian{}", i % 7),
            visited_at,
            category: Category::ALL[pick(&mut rng, Category::ALL.len())],
            checklist: Checklist::default(),
            gps: None,
            photo_sha256: None,
            device_id: format!("device-{}", i % 13),
        });
    }
    Ok(Data { places, households, visits: Arc::new(visits) })
}

/// Fails unless every record of a batch was accepted.
fn all_accepted(outcomes: &[RecordOutcome], expected: usize) -> BenchResult {
    if let Some(bad) = outcomes.iter().find(|o| o.outcome != Outcome::Accepted) {
        return Err(format!("a record was not accepted: {bad:?}").into());
    }
    if outcomes.len() != expected {
        return Err(format!("{} outcomes for {expected} records", outcomes.len()).into());
    }
    Ok(())
}

async fn push(store: &AnyStore, visits: &[Visit]) -> BenchResult {
    let batch = IngestBatch {
        received_from: "bench".to_owned(),
        households: vec![],
        visits: visits.iter().cloned().map(FlaggedVisit::from).collect(),
        edits: vec![],
        device: None,
    };
    all_accepted(&store.ingest(batch).await?, visits.len())
}

/// Loads places and households (untimed), ingests every visit (timed), checks, prints one line.
async fn measure(store: &AnyStore, mode: Mode, data: &Data) -> BenchResult {
    store.import_areas(&data.places).await?;
    for chunk in data.households.chunks(HOUSEHOLD_BATCH) {
        let batch = IngestBatch { households: chunk.to_vec(), ..IngestBatch::default() };
        all_accepted(&store.ingest(batch).await?, chunk.len())?;
    }
    let started = Instant::now();
    let label = match mode {
        Mode::Batch(size) => {
            for chunk in data.visits.chunks(size) {
                push(store, chunk).await?;
            }
            format!("batch={size:>4}")
        }
        Mode::Concurrent => {
            let tasks: Vec<_> = (0..CONCURRENT_TASKS)
                .map(|task| {
                    let (store, visits) = (store.clone(), Arc::clone(&data.visits));
                    tokio::spawn(async move {
                        for chunk in visits.chunks(CONCURRENT_BATCH).skip(task).step_by(CONCURRENT_TASKS) {
                            push(&store, chunk).await?;
                        }
                        BenchResult::Ok(())
                    })
                })
                .collect();
            for task in tasks {
                task.await??;
            }
            format!("{CONCURRENT_TASKS}x batch={CONCURRENT_BATCH:>2}")
        }
    };
    let elapsed = started.elapsed().as_secs_f64();
    let stored = store.visit_count().await?;
    let report = store.recount().await?;
    if !report.differences.is_empty() {
        return Err(format!("recount disagrees with stored tallies: {:?}", report.differences).into());
    }
    if usize::try_from(stored)? != data.visits.len() {
        return Err(format!("{stored} visits stored, {} pushed", data.visits.len()).into());
    }
    println!(
        "{:<8} {label:<14} visits={}  elapsed={elapsed:.2}s  visits/s={:.0}",
        store.backend_name(),
        data.visits.len(),
        data.visits.len() as f64 / elapsed,
    );
    Ok(())
}

async fn bench_sqlite(data: &Data) -> BenchResult {
    let dir = tempfile::TempDir::new()?;
    for (i, mode) in MODES.into_iter().enumerate() {
        let store = AnyStore::new(SqliteStore::open_path(&dir.path().join(format!("bench-{i}.db"))).await?);
        let result = measure(&store, mode, data).await;
        store.close().await;
        result?;
    }
    Ok(())
}

async fn bench_postgres(admin_url: &str, data: &Data) -> BenchResult {
    let admin = sqlx::PgPool::connect(admin_url).await?;
    for mode in MODES {
        let name = format!("odf_bench_{}", Uuid::now_v7().simple());
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await?;
        let result = async {
            let mut url = url::Url::parse(admin_url)?;
            url.set_path(&name);
            let store = AnyStore::new(PgStore::open(&DatabaseUrl::parse(url.as_str())?).await?);
            let result = measure(&store, mode, data).await;
            store.close().await;
            result
        }
        .await;
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&admin).await?;
        result?;
    }
    admin.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> BenchResult {
    let from_args = std::env::args().skip(1).find_map(|arg| arg.parse::<usize>().ok());
    let visits = match (from_args, std::env::var("ODF_BENCH_VISITS")) {
        (Some(n), _) => n,
        (None, Ok(text)) => text.trim().parse()?,
        (None, Err(_)) => DEFAULT_VISITS,
    };
    if visits == 0 {
        return Err("the number of visits must be at least 1".into());
    }
    let data = generate(visits)?;
    println!(
        "ingest bench: {} visits to {} households in {} villages",
        data.visits.len(),
        data.households.len(),
        data.places.iter().filter(|p| p.code.is_village()).count(),
    );
    bench_sqlite(&data).await?;
    match std::env::var("ODF_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => bench_postgres(url.trim(), &data).await?,
        _ => println!("postgres: SKIPPED (set ODF_TEST_POSTGRES_URL to run)"),
    }
    Ok(())
}
