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
    /// How each push's households were chosen (`data::Pattern`).
    pub pattern: &'static str,
    pub batch: usize,
    pub visits: usize,
    pub in_process_per_s: f64,
    pub http_per_s: f64,
    pub push_p50_ms: f64,
    pub push_p95_ms: f64,
    pub gzip_bytes_per_visit: f64,
    pub stored_bytes_per_visit: f64,
    /// Bytes this process sent to storage (Linux `/proc/self/io` `write_bytes`: the WAL, the
    /// checkpoints into the database file) per visit, in-process and over HTTP; None elsewhere.
    pub in_process_written_per_visit: Option<f64>,
    pub http_written_per_visit: Option<f64>,
    /// CPU time of this whole process (Linux `/proc/self/stat`, every thread: the store, and over
    /// HTTP the server and the phones too) per visit, in microseconds; steadier than visits/s when
    /// other work shares the machine.
    pub in_process_cpu_us_per_visit: Option<f64>,
    pub http_cpu_us_per_visit: Option<f64>,
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
    pattern: data::Pattern,
    phones: usize,
    batch: usize,
    pushes_per_phone: usize,
) -> BenchResult<Pushes> {
    let visits_total = phones * batch * pushes_per_phone;
    let households = data::households(villages, (visits_total / 4).max(1), 7)?;
    let mut all = Vec::with_capacity(phones);
    for p in 0..phones {
        let name = format!("hp{p}");
        let (count, device) = ((batch * pushes_per_phone, batch), format!("hp-{name}"));
        let visits = data::visits_in(&households, pattern, count, &name, &device, 100 + p as u64);
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

/// Bytes this process has sent to storage so far (`/proc/self/io`, Linux), if known.
fn written_bytes() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    io.lines().find_map(|line| line.strip_prefix("write_bytes:")).and_then(|n| n.trim().parse().ok())
}

/// Bytes written since `before` per visit, if known.
fn written_per_visit(before: Option<u64>, visits: usize) -> Option<f64> {
    Some(written_bytes()?.saturating_sub(before?) as f64 / visits as f64)
}

/// CPU seconds (user and system, all threads) this process has used so far, if known: fields 14
/// and 15 of `/proc/self/stat`, in clock ticks of 1/100 s (Linux's USER_HZ).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after its end.
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// CPU microseconds since `before` per visit, if known.
fn cpu_us_per_visit(before: Option<f64>, visits: usize) -> Option<f64> {
    Some((cpu_seconds()? - before?) * 1e6 / visits as f64)
}

/// The database's size on disk. SQLite's WAL is copied into the file and emptied first: it is
/// scratch space bounded by the store's settings (up to `checkpoint::WAL_BOUND_PAGES` pages), not
/// growth per visit, and how full it happens to be when the run ends would swing the figure.
async fn stored_size(backend: &Backend, db: &BenchDb) -> BenchResult<u64> {
    if matches!(backend, Backend::Sqlite) {
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    }
    db.size_bytes().await
}

/// Measures one batch size and data pattern on one backend.
pub async fn measure(
    backend: &Backend,
    pattern: data::Pattern,
    phones: usize,
    batch: usize,
    pushes_per_phone: usize,
) -> BenchResult<IngestFigures> {
    let villages: Vec<AreaCode> =
        odf_fixtures::demo_wilayah().iter().map(|p| p.code).filter(|c| c.is_village()).collect();
    let pushes = prepare(&villages, pattern, phones, batch, pushes_per_phone)?;
    let visits = phones * batch * pushes_per_phone;

    let db = seeded(backend, &pushes).await?;
    let (written, cpu) = (written_bytes(), cpu_seconds());
    let seconds = in_process(&db.store, &pushes).await?;
    let in_process_written_per_visit = written_per_visit(written, visits);
    let in_process_cpu_us_per_visit = cpu_us_per_visit(cpu, visits);
    db.finish().await?;
    let in_process_per_s = visits as f64 / seconds;

    let db = seeded(backend, &pushes).await?;
    let server = Server::spawn(&db.store).await?;
    let province = AreaCode::parse("74")?;
    let mut tokens = Vec::with_capacity(phones);
    for (name, _) in &pushes.phones {
        tokens.push(server.account(&db.store, name, Role::Sanitarian, province).await?);
    }
    let before = stored_size(backend, &db).await?;
    let (written, cpu) = (written_bytes(), cpu_seconds());
    let (seconds, mut latencies) = over_http(&server, &tokens, &pushes).await?;
    let http_written_per_visit = written_per_visit(written, visits);
    let http_cpu_us_per_visit = cpu_us_per_visit(cpu, visits);
    server.stop().await?;
    let stored = db.store.visit_count().await?;
    if usize::try_from(stored)? != visits {
        return Err(format!("{stored} visits stored, {visits} pushed").into());
    }
    let report = db.store.recount().await?;
    if !report.differences.is_empty() {
        return Err("the recount disagrees with the stored tallies".into());
    }
    let grown = stored_size(backend, &db).await?.saturating_sub(before);
    db.finish().await?;

    latencies.sort_by(f64::total_cmp);
    let wire: usize =
        pushes.phones.iter().flat_map(|(_, list)| list.iter().map(|(_, body)| body.len())).sum();
    Ok(IngestFigures {
        pattern: pattern.name(),
        batch,
        visits,
        in_process_per_s,
        http_per_s: visits as f64 / seconds,
        push_p50_ms: percentile(&latencies, 50),
        push_p95_ms: percentile(&latencies, 95),
        gzip_bytes_per_visit: wire as f64 / visits as f64,
        stored_bytes_per_visit: grown as f64 / visits as f64,
        in_process_written_per_visit,
        http_written_per_visit,
        in_process_cpu_us_per_visit,
        http_cpu_us_per_visit,
    })
}
