//! The server's resident memory, measured from outside: the real `odf-server` binary started as its
//! own process (`odf-server serve`, configured through `ODF_*` variables as an operator would),
//! with the national list of places imported, read from `/proc/<pid>/status` while 50 phones sign in
//! at once, then push while dashboards read. In-process figures would count the simulated phones
//! too; this one is the server alone.
//!
//! The binary is the one built beside `odf-bench` (same profile): `cargo build --release -p
//! odf-server` first, or the part says SKIPPED. Phases are told apart by resetting the kernel's
//! peak (`VmHWM`) between them (`echo 5 > /proc/<pid>/clear_refs`).

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use odf_domain::{AreaCode, AreaRef, Level, Role};
use odf_mobile_api::sync::RecordStatus;
use odf_server::commands;
use odf_store::IngestBatch;

use crate::db::{Backend, BenchDb};
use crate::server::{add_account, login, push};
use crate::{BenchResult, dashboard, data, percentile};

/// KK per village, as the roll-up part seeds them (× 83,762 villages ≈ 70 million).
const KK_PER_VILLAGE: i64 = 836;
/// Phones pushing at once, as the goal says.
pub const PHONES: usize = 50;
/// Dashboard readers running beside the pushes.
const READERS: usize = 4;
/// What the readers fetch, in turn: the API's roll-ups and the dashboard's pages.
const READS: [&str; 5] =
    ["/v1/coverage/74", "/v1/coverage/74.04", "/v1/coverage/74.04.11", "/wilayah/74", "/wilayah/nasional"];

/// What one run measured (MB are MiB of resident memory).
#[derive(Debug, Clone)]
pub struct MemoryFigures {
    /// A label of the settings the server ran with ("default" or the variables set).
    pub settings: String,
    pub phones: usize,
    pub visits: usize,
    /// Resident after start-up, before any request.
    pub idle_mb: f64,
    /// Peak while every phone and dashboard signed in at once.
    pub login_peak_mb: f64,
    /// Peak while the phones pushed and the dashboards read.
    pub load_peak_mb: f64,
    /// Resident when the load was over.
    pub after_mb: f64,
    pub visits_per_s: f64,
    pub push_p50_ms: f64,
    pub reads: usize,
}

/// `odf-server` beside this program (`target/<profile>/`), if it was built.
pub fn server_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let path = exe.with_file_name(format!("odf-server{}", std::env::consts::EXE_SUFFIX));
    path.is_file().then_some(path)
}

/// A field of `/proc/<pid>/status` (`VmRSS`, `VmHWM`) in MiB.
fn status_mb(pid: u32, field: &str) -> BenchResult<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with(field) && l[field.len()..].starts_with(':'))
        .ok_or_else(|| format!("{field} not in /proc/{pid}/status"))?;
    let kb: f64 = line.split_whitespace().nth(1).ok_or("no value")?.parse()?;
    Ok(kb / 1024.0)
}

/// Resets the peak so the next phase's `VmHWM` is its own (Linux ≥ 4.0).
fn reset_peak(pid: u32) -> BenchResult {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5")?;
    Ok(())
}

/// The national places, their tallies and the boundaries of province 74, as the roll-up part
/// seeds them; returns the villages of province 74.
async fn seed_places(db: &BenchDb, csv: &str) -> BenchResult<Vec<AreaCode>> {
    commands::import_areas_csv(&db.store, csv, "bench").await?;
    db.execute(&format!(
        "INSERT INTO village_tallies (village_code, houses, kk, kk_visited, kk_access, kk_aman, \
         kk_layak_sendiri, kk_layak_bersama, kk_belum_layak, kk_babs_tertutup, kk_babs_terbuka, updated_at) \
         SELECT code, 700, {KK_PER_VILLAGE}, 800, 650, 300, 200, 150, 100, 30, 20, updated_at \
         FROM areas WHERE level = 'desa'"
    ))
    .await?;
    dashboard::import_boundaries(&db.store).await?;
    let wilayah = odf_server::places::load_wilayah(&db.store).await?;
    let province = AreaCode::parse("74")?;
    Ok(wilayah
        .at_level(Level::Desa)
        .map(|p| p.code)
        .filter(|c| c.at_level(Level::Provinsi) == Some(province))
        .collect())
}

/// The server process; killed when dropped, so a failed run leaves nothing behind.
struct Running {
    child: tokio::process::Child,
    pid: u32,
    base: String,
    _dir: tempfile::TempDir,
}

async fn start(db: &BenchDb) -> BenchResult<Running> {
    let binary = server_binary().ok_or("odf-server not built beside odf-bench")?;
    let dir = tempfile::TempDir::new()?;
    // A free port: taken, read, released. Nothing else on this machine races for it in a bench.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let log = std::fs::File::create(dir.path().join("server.log"))?;
    let child = tokio::process::Command::new(binary)
        .arg("serve")
        .env("ODF_DATABASE_URL", db.url())
        .env("ODF_BIND", format!("127.0.0.1:{port}"))
        .env("ODF_DATA_DIR", dir.path())
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().ok_or("odf-server exited at once")?;
    let running = Running { child, pid, base: format!("http://127.0.0.1:{port}"), _dir: dir };
    let http = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(r) = http.get(format!("{}/healthz", running.base)).send().await
            && r.status().is_success()
        {
            return Ok(running);
        }
        if started.elapsed() > Duration::from_secs(60) {
            let log = std::fs::read_to_string(running._dir.path().join("server.log")).unwrap_or_default();
            return Err(format!("odf-server did not answer /healthz in 60 s:\n{log}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The `ODF_*` variables this program was started with (the server inherits them), as a label:
/// "default" when none. `ODF_TEST_*` belong to the tests, not the server.
fn settings_label() -> String {
    let mut set: Vec<String> = std::env::vars()
        .filter(|(k, _)| (k.starts_with("ODF_") && !k.starts_with("ODF_TEST_")) || k.starts_with("MALLOC_"))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    set.sort();
    if set.is_empty() { "default".to_owned() } else { set.join(" ") }
}

/// Measures one run: `phones` phones each pushing `pushes` bodies of 50 visits while [`READERS`]
/// dashboards read. The server runs with its defaults, except for `ODF_*` variables set when
/// `odf-bench` was started, which it inherits (so `ODF_X=… odf-bench --only memory` measures a
/// setting).
pub async fn measure(
    backend: &Backend,
    csv: &str,
    phones: usize,
    pushes: usize,
) -> BenchResult<MemoryFigures> {
    let db = BenchDb::fresh(backend).await?;
    let villages = seed_places(&db, csv).await?;
    let visits_total = phones * pushes * 50;
    let households = data::households(&villages, (visits_total / 4).max(1), 11)?;
    for chunk in households.chunks(5_000) {
        db.store.ingest(IngestBatch { households: chunk.to_vec(), ..IngestBatch::default() }).await?;
    }
    let province = AreaCode::parse("74")?;
    let names: Vec<String> = (0..phones).map(|p| format!("hp{p}")).collect();
    for name in &names {
        add_account(&db.store, name, Role::Sanitarian, province, vec![]).await?;
    }
    add_account(&db.store, "dasbor", Role::Viewer, AreaRef::Nasional, vec![]).await?;
    let mut bodies = Vec::with_capacity(phones);
    for (p, name) in names.iter().enumerate() {
        let visits = data::visits(&households, pushes * 50, name, &format!("hp-{name}"), 300 + p as u64);
        let list: BenchResult<Vec<Vec<u8>>> = visits.chunks(50).map(|c| data::push_body(c, name)).collect();
        bodies.push(list?);
    }

    let server = start(&db).await?;
    let pid = server.pid;
    let http = reqwest::Client::new();
    let idle_mb = status_mb(pid, "VmRSS")?;

    // Every phone and the dashboard sign in at once, as on a morning when the team syncs together.
    reset_peak(pid)?;
    let mut logins = Vec::new();
    for name in names.iter().chain(std::iter::once(&"dasbor".to_owned())) {
        let (http, base, name) = (http.clone(), server.base.clone(), name.clone());
        logins.push(tokio::spawn(async move { login(&http, &base, &name).await }));
    }
    let mut tokens = Vec::with_capacity(logins.len());
    for task in logins {
        tokens.push(task.await??);
    }
    let login_peak_mb = status_mb(pid, "VmHWM")?;
    let dashboard_token = tokens.pop().ok_or("no dashboard token")?;

    reset_peak(pid)?;
    let done = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicUsize::new(0));
    let mut readers = Vec::new();
    for r in 0..READERS {
        let (http, base, token) = (http.clone(), server.base.clone(), dashboard_token.clone());
        let (done, reads) = (done.clone(), reads.clone());
        readers.push(tokio::spawn(async move {
            let mut i = r;
            // At least one round, so a short push phase still has the dashboards' memory in it.
            while i < r + READS.len() || !done.load(Ordering::Relaxed) {
                let path = READS[i % READS.len()];
                let request = http.get(format!("{base}{path}"));
                // The API takes the bearer token, the pages the session cookie: the same token.
                let request = match path.starts_with("/v1/") {
                    true => request.bearer_auth(&token),
                    false => request.header("cookie", format!("odf_session={token}")),
                };
                request.send().await?.error_for_status()?.bytes().await?;
                reads.fetch_add(1, Ordering::Relaxed);
                i += 1;
            }
            Ok::<(), crate::BenchError>(())
        }));
    }
    let started = Instant::now();
    let mut pushers = Vec::new();
    for (list, token) in bodies.into_iter().zip(tokens) {
        let (http, base) = (http.clone(), server.base.clone());
        pushers.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(list.len());
            for body in list {
                let sent = Instant::now();
                let answer = push(&http, &base, &token, body).await?;
                latencies.push(sent.elapsed().as_secs_f64() * 1e3);
                if answer.results.iter().any(|r| r.status != RecordStatus::Accepted) {
                    return Err::<Vec<f64>, crate::BenchError>("a visit was not accepted".into());
                }
            }
            Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for task in pushers {
        latencies.extend(task.await??);
    }
    let seconds = started.elapsed().as_secs_f64();
    done.store(true, Ordering::Relaxed);
    for task in readers {
        task.await??;
    }
    let load_peak_mb = status_mb(pid, "VmHWM")?;
    let after_mb = status_mb(pid, "VmRSS")?;
    let mut server = server;
    server.child.start_kill()?;
    server.child.wait().await?;
    db.finish().await?;

    latencies.sort_by(f64::total_cmp);
    Ok(MemoryFigures {
        settings: settings_label(),
        phones,
        visits: visits_total,
        idle_mb,
        login_peak_mb,
        load_peak_mb,
        after_mb,
        visits_per_s: visits_total as f64 / seconds,
        push_p50_ms: percentile(&latencies, 50),
        reads: reads.load(Ordering::Relaxed),
    })
}
