//! Ingest: the same pushes written in-process through the store and over HTTP through the server,
//! by `phones` simulated phones at once, each on a fresh database holding the same households.
//! Also the wire bytes per visit of those pushes and the database's growth per visit.

use std::time::Instant;

use odf_domain::{AreaCode, Household, Role, Visit};
use odf_mobile_api::sync::RecordStatus;
use odf_server::commands;
use odf_store::{AnyStore, IngestBatch, Outcome};

use crate::db::{Backend, BenchDb};
use crate::server::Server;
use crate::{BenchResult, data, percentile};

/// What one batch size measured on one backend.
#[derive(Debug, Clone)]
pub struct IngestFigures {
    pub batch: usize,
    pub visits: usize,
    pub in_process_per_s: f64,
    pub http_per_s: f64,
    pub push_p50_ms: f64,
    pub push_p95_ms: f64,
    pub gzip_bytes_per_visit: f64,
    pub stored_bytes_per_visit: f64,
}

/// One phone's name and its pushes: the visits and the gzipped body of each.
type Phone = (String, Vec<(Vec<Visit>, Vec<u8>)>);

/// Every phone's pushes, prepared before any timing.
struct Pushes {
    households: Vec<Household>,
    /// Per phone: its name and its pushes (visits and the gzipped body of each).
    phones: Vec<Phone>,
}

fn prepare(
    villages: &[AreaCode],
    phones: usize,
    batch: usize,
    pushes_per_phone: usize,
) -> BenchResult<Pushes> {
    let visits_total = phones * batch * pushes_per_phone;
    let households = data::households(villages, (visits_total / 4).max(1), 7)?;
    let mut all = Vec::with_capacity(phones);
    for p in 0..phones {
        let name = format!("hp{p}");
        let visits =
            data::visits(&households, batch * pushes_per_phone, &name, &format!("hp-{name}"), 100 + p as u64);
        let mut pushes = Vec::with_capacity(pushes_per_phone);
        for chunk in visits.chunks(batch) {
            pushes.push((chunk.to_vec(), data::push_body(chunk, &name)?));
        }
        all.push((name, pushes));
    }
    Ok(Pushes { households, phones: all })
}

/// A fresh database with the demo places (and their boundaries, for the GPS checks) and the
/// households of `pushes`, written untimed.
async fn seeded(backend: &Backend, pushes: &Pushes) -> BenchResult<BenchDb> {
    let db = BenchDb::fresh(backend).await?;
    commands::import_areas_csv(&db.store, odf_fixtures::WILAYAH_CSV_FILE, "bench").await?;
    commands::import_boundaries_geojson(&db.store, odf_fixtures::BOUNDARIES_GEOJSON_FILE, "bench").await?;
    for chunk in pushes.households.chunks(500) {
        let batch = IngestBatch { households: chunk.to_vec(), ..IngestBatch::default() };
        let outcomes = db.store.ingest(batch).await?;
        if outcomes.iter().any(|o| o.outcome != Outcome::Accepted) {
            return Err("a bench household was not accepted".into());
        }
    }
    Ok(db)
}

async fn in_process(store: &AnyStore, pushes: &Pushes) -> BenchResult<f64> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (name, list) in &pushes.phones {
        let (store, name) = (store.clone(), name.clone());
        let batches: Vec<IngestBatch> = list.iter().map(|(visits, _)| data::batch(visits, &name)).collect();
        tasks.push(tokio::spawn(async move {
            for batch in batches {
                let expected = batch.visits.len();
                let outcomes = store.ingest(batch).await?;
                if outcomes.len() != expected || outcomes.iter().any(|o| o.outcome != Outcome::Accepted) {
                    return Err::<(), crate::BenchError>("an in-process push was not accepted whole".into());
                }
            }
            Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(started.elapsed().as_secs_f64())
}

/// Pushes over HTTP; returns the elapsed seconds and every push's latency in milliseconds.
async fn over_http(server: &Server, tokens: &[String], pushes: &Pushes) -> BenchResult<(f64, Vec<f64>)> {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for ((_, list), token) in pushes.phones.iter().zip(tokens) {
        let bodies: Vec<(usize, Vec<u8>)> = list.iter().map(|(v, body)| (v.len(), body.clone())).collect();
        let (http, base, token) = (server.http.clone(), server.base.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(bodies.len());
            for (expected, body) in bodies {
                let sent = Instant::now();
                let answer = crate::server::push(&http, &base, &token, body).await?;
                latencies.push(sent.elapsed().as_secs_f64() * 1e3);
                let accepted = answer.results.iter().filter(|r| r.status == RecordStatus::Accepted).count();
                if accepted != expected {
                    return Err::<Vec<f64>, crate::BenchError>(
                        format!("{accepted} of {expected} visits accepted over HTTP").into(),
                    );
                }
            }
            Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await??);
    }
    Ok((started.elapsed().as_secs_f64(), latencies))
}

/// Measures one batch size on one backend.
pub async fn measure(
    backend: &Backend,
    phones: usize,
    batch: usize,
    pushes_per_phone: usize,
) -> BenchResult<IngestFigures> {
    let villages: Vec<AreaCode> =
        odf_fixtures::demo_wilayah().iter().map(|p| p.code).filter(|c| c.is_village()).collect();
    let pushes = prepare(&villages, phones, batch, pushes_per_phone)?;
    let visits = phones * batch * pushes_per_phone;

    let db = seeded(backend, &pushes).await?;
    let seconds = in_process(&db.store, &pushes).await?;
    db.finish().await?;
    let in_process_per_s = visits as f64 / seconds;

    let db = seeded(backend, &pushes).await?;
    let server = Server::spawn(&db.store).await?;
    let province = AreaCode::parse("74")?;
    let mut tokens = Vec::with_capacity(phones);
    for (name, _) in &pushes.phones {
        tokens.push(server.account(&db.store, name, Role::Sanitarian, province).await?);
    }
    let before = db.size_bytes().await?;
    let (seconds, mut latencies) = over_http(&server, &tokens, &pushes).await?;
    server.stop().await?;
    let stored = db.store.visit_count().await?;
    if usize::try_from(stored)? != visits {
        return Err(format!("{stored} visits stored, {visits} pushed").into());
    }
    let report = db.store.recount().await?;
    if !report.differences.is_empty() {
        return Err("the recount disagrees with the stored tallies".into());
    }
    let grown = db.size_bytes().await?.saturating_sub(before);
    db.finish().await?;

    latencies.sort_by(f64::total_cmp);
    let wire: usize =
        pushes.phones.iter().flat_map(|(_, list)| list.iter().map(|(_, body)| body.len())).sum();
    Ok(IngestFigures {
        batch,
        visits,
        in_process_per_s,
        http_per_s: visits as f64 / seconds,
        push_p50_ms: percentile(&latencies, 50),
        push_p95_ms: percentile(&latencies, 95),
        gzip_bytes_per_visit: wire as f64 / visits as f64,
        stored_bytes_per_visit: grown as f64 / visits as f64,
    })
}
