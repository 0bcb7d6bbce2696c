//! The phone's side, through the real client core (`odf-client`, used as `odf-field` uses it)
//! against the real server over loopback:
//! - recording a visit offline (p50/p95 of `Client::record_visit`, which validates, checks scope
//!   and GPS, and writes the visit with its outbox entry in one durable transaction);
//! - syncing the queued visits (`Client::sync`: push, pull, photos);
//! - a phone's first pull of 3 villages × 500 households with their visits: bytes on the wire
//!   (both ways, HTTP headers included, counted by a TCP relay between phone and server) and
//!   round trips (pull pages).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use odf_client::{Client, HttpTransport, Saved, SyncOptions, SyncReport, TokioSleeper, VisitDraft};
use odf_domain::{AreaCode, Role};
use odf_mobile_api::{ChecklistDto, GpsDto};
use odf_server::commands;
use odf_store::IngestBatch;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::db::{Backend, BenchDb};
use crate::server::{Server, add_account, password};
use crate::{BenchResult, data, percentile};

/// Households the timed visits go to (registered on the phone first).
const HOUSEHOLDS: usize = 100;

#[derive(Debug, Clone)]
pub struct PhoneFigures {
    pub visits: usize,
    pub record_p50_ms: f64,
    pub record_p95_ms: f64,
    /// `Client::sync` of the queued visits (and their households).
    pub sync_s: f64,
    pub sync_pushes: usize,
    pub first_pull: FirstPull,
}

#[derive(Debug, Clone)]
pub struct FirstPull {
    pub households: usize,
    pub visits: usize,
    pub changes: usize,
    pub round_trips: u32,
    /// Server to phone, and phone to server, on the wire.
    pub bytes_down: u64,
    pub bytes_up: u64,
    pub seconds: f64,
}

/// A TCP relay on 127.0.0.1 that counts the bytes each way.
struct Relay {
    base: String,
    up: Arc<AtomicU64>,
    down: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    n: Arc<AtomicU64>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    while let Ok(read) = from.read(&mut buf).await {
        if read == 0 || to.write_all(&buf[..read]).await.is_err() {
            break;
        }
        n.fetch_add(read as u64, Ordering::Relaxed);
    }
    let _ = to.shutdown().await;
}

impl Relay {
    async fn start(server_base: &str) -> BenchResult<Relay> {
        let target = server_base.trim_start_matches("http://").to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (up, down) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (u, d) = (up.clone(), down.clone());
        let task = tokio::spawn(async move {
            while let Ok((phone, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(&target).await else { continue };
                let (phone_read, phone_write) = phone.into_split();
                let (server_read, server_write) = server.into_split();
                tokio::spawn(pump(phone_read, server_write, u.clone()));
                tokio::spawn(pump(server_read, phone_write, d.clone()));
            }
        });
        Ok(Relay { base, up, down, task })
    }

    fn counts(&self) -> (u64, u64) {
        (self.up.load(Ordering::Relaxed), self.down.load(Ordering::Relaxed))
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn demo_villages() -> Vec<AreaCode> {
    odf_fixtures::demo_wilayah().iter().map(|p| p.code).filter(|c| c.is_village()).collect()
}

async fn run_sync(client: &Client, transport: &HttpTransport) -> BenchResult<SyncReport> {
    let options = SyncOptions::default();
    Ok(client.sync(transport, &TokioSleeper, &options, &mut |_| {}).await?)
}

/// Times `visits` offline recordings and their sync, then a first pull on a second phone.
pub async fn measure(
    backend: &Backend,
    visits: usize,
    households_per_village: usize,
) -> BenchResult<PhoneFigures> {
    let db = BenchDb::fresh(backend).await?;
    commands::import_areas_csv(&db.store, odf_fixtures::WILAYAH_CSV_FILE, "bench").await?;
    commands::import_boundaries_geojson(&db.store, odf_fixtures::BOUNDARIES_GEOJSON_FILE, "bench").await?;
    let villages = demo_villages();
    // The timed phone works in one village; the new phone pulls three others.
    let [first, second, third, fourth, ..] = villages[..] else {
        return Err("the demo has fewer than 4 villages".into());
    };
    let province = AreaCode::parse("74")?;
    add_account(&db.store, "hp-klien", Role::Sanitarian, province, vec![first]).await?;
    add_account(&db.store, "hp-baru", Role::Sanitarian, province, vec![second, third, fourth]).await?;
    let server = Server::spawn(&db.store).await?;
    let relay = Relay::start(&server.base).await?;
    let transport = HttpTransport::new(&relay.base)?;

    // Recording offline: the phone signed in once (its scope known), then the network is not used.
    let home = tempfile::TempDir::new()?;
    let client = Client::open(home.path()).await?;
    client.login(&transport, &relay.base, "hp-klien", password()).await?;
    let seeds = data::households(&[first], HOUSEHOLDS, 21)?;
    let mut ids = Vec::with_capacity(HOUSEHOLDS);
    for h in &seeds {
        let draft = odf_client::HouseholdDraft {
            village: h.village.to_string(),
            head_name: h.head_name.clone(),
            kk_count: i64::from(h.kk_count),
            dusun: h.dusun.clone(),
            rw: h.rw.clone(),
            rt: h.rt.clone(),
            gps: h.gps.map(|p| GpsDto { lat: p.lat(), lng: p.lng() }),
        };
        match client.register_household(draft, true).await? {
            Saved::Saved { record, .. } => ids.push((record.id, record.gps)),
            Saved::NeedsConfirmation { .. } => return Err("a household needed confirmation".into()),
        }
    }
    let samples = data::visits(&seeds, visits, "hp-klien", "hp", 22);
    let mut times = Vec::with_capacity(visits);
    for (i, v) in samples.iter().enumerate() {
        let (household_id, gps) = ids[i % ids.len()];
        let c = &v.checklist;
        let draft = VisitDraft {
            household_id,
            category: v.category.as_str().to_owned(),
            checklist: ChecklistDto {
                closed_toilet: c.closed_toilet,
                safe_from_well: c.safe_from_well,
                strong_slab: c.strong_slab,
                child_faeces_safe: c.child_faeces_safe,
                all_members_use: c.all_members_use,
                water_and_soap: c.water_and_soap,
                no_faeces_around: c.no_faeces_around,
            },
            gps: gps.map(|p| GpsDto { lat: p.lat(), lng: p.lng() }),
            photo_sha256: v.photo_sha256.clone(),
            visited_at: None,
        };
        let started = Instant::now();
        let saved = client.record_visit(draft, true).await?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
        if !matches!(saved, Saved::Saved { .. }) {
            return Err("a visit was not saved".into());
        }
    }
    times.sort_by(f64::total_cmp);
    let started = Instant::now();
    let report = run_sync(&client, &transport).await?;
    let sync_s = started.elapsed().as_secs_f64();
    let sync_pushes = report.batches;
    if report.stored < visits + HOUSEHOLDS || report.rejected + report.conflicts > 0 {
        return Err(format!("sync stored {} of {} records", report.stored, visits + HOUSEHOLDS).into());
    }
    client.close().await;

    // The first pull: 3 villages × `households_per_village`, four visits each, stored untimed.
    let chosen = [second, third, fourth];
    let mut pulled_households = 0;
    let mut pulled_visits = 0;
    for (i, village) in chosen.iter().enumerate() {
        let households = data::households(&[*village], households_per_village, 40 + i as u64)?;
        let visits = data::visits(&households, households.len() * 4, "hp-klien", "hp", 50 + i as u64);
        pulled_households += households.len();
        pulled_visits += visits.len();
        db.store.ingest(IngestBatch { households, ..IngestBatch::default() }).await?;
        for chunk in visits.chunks(2_000) {
            db.store.ingest(data::batch(chunk, "bench")).await?;
        }
    }
    let home = tempfile::TempDir::new()?;
    let phone = Client::open(home.path()).await?;
    phone.login(&transport, &relay.base, "hp-baru", password()).await?;
    let (up0, down0) = relay.counts();
    let started = Instant::now();
    let report = run_sync(&phone, &transport).await?;
    let seconds = started.elapsed().as_secs_f64();
    let (up1, down1) = relay.counts();
    phone.close().await;
    drop(relay);
    server.stop().await?;
    db.finish().await?;

    Ok(PhoneFigures {
        visits,
        record_p50_ms: percentile(&times, 50),
        record_p95_ms: percentile(&times, 95),
        sync_s,
        sync_pushes,
        first_pull: FirstPull {
            households: pulled_households,
            visits: pulled_visits,
            changes: report.changes,
            round_trips: report.pages,
            bytes_down: down1 - down0,
            bytes_up: up1 - up0,
            seconds,
        },
    })
}
