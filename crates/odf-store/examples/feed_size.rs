//! Throwaway measurement (storage helper, issue 14): 25,000 households and 100,000 visits written
//! in-process by 8 concurrent "phones" in 50-visit batches; then bytes per object and a timed pull
//! of a village's first 5,000 changes. Not committed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::Instant;

use chrono::{Duration, Utc};
use odf_domain::{AreaCode, Category, Checklist, GeoPoint, Household, Place, Scope, Visit};
use odf_store::{AnyStore, DatabaseUrl, FlaggedVisit, IngestBatch};
use sqlx::{Connection, Row};
use uuid::Uuid;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[tokio::main]
async fn main() {
    let arg = std::env::args().nth(1).expect("sqlite path or postgres admin url");
    let (url, pg_name) = if arg.starts_with("postgres") {
        let name = format!("odf_feedsize_{}", Uuid::now_v7().simple());
        let mut admin = sqlx::PgConnection::connect(&arg).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
        let mut url = url::Url::parse(&arg).unwrap();
        url.set_path(&name);
        (url.to_string(), Some(name))
    } else {
        let _ = std::fs::remove_file(&arg);
        (format!("sqlite://{arg}"), None)
    };
    let store = AnyStore::open(&DatabaseUrl::parse(&url).unwrap()).await.unwrap();
    let places: Vec<Place> = odf_fixtures::demo_wilayah().iter().cloned().collect();
    store.import_areas(&places).await.unwrap();
    let villages: Vec<AreaCode> = places.iter().map(|p| p.code).filter(|c| c.is_village()).collect();
    let mut rng = Rng(7);
    let households: Vec<Household> = (0..25_000)
        .map(|i| Household {
            id: Uuid::now_v7(),
            village: villages[i % villages.len()],
            head_name: format!("Kepala Keluarga {i}"),
            kk_count: 1 + (rng.below(3) as u16),
            dusun: Some(format!("Dusun {}", 1 + rng.below(4))),
            rw: Some(format!("{:03}", 1 + rng.below(5))),
            rt: Some(format!("{:03}", 1 + rng.below(9))),
            gps: Some(
                GeoPoint::new(-4.0 - rng.below(10_000) as f64 / 1e6, 122.5 + rng.below(10_000) as f64 / 1e6)
                    .unwrap(),
            ),
        })
        .collect();
    for chunk in households.chunks(500) {
        store
            .ingest(IngestBatch {
                households: chunk.to_vec(),
                received_from: "seed".into(),
                ..IngestBatch::default()
            })
            .await
            .unwrap();
    }
    let size_before = size(&url, &pg_name, false).await;
    let now = Utc::now();
    let mut phones = Vec::new();
    for p in 0..8_u64 {
        let mut rng = Rng(100 + p);
        let visits: Vec<Visit> = (0..12_500)
            .map(|_| {
                let home = &households[rng.below(households.len() as u64) as usize];
                let mut yes = || Some(rng.below(4) != 0);
                let checklist = Checklist {
                    closed_toilet: yes(),
                    safe_from_well: yes(),
                    strong_slab: yes(),
                    child_faeces_safe: yes(),
                    all_members_use: yes(),
                    water_and_soap: yes(),
                    no_faeces_around: yes(),
                };
                let photo: String = (0..32).map(|_| format!("{:02x}", rng.below(256))).collect();
                Visit {
                    id: Uuid::now_v7(),
                    household_id: home.id,
                    sanitarian: format!("hp{p}"),
                    visited_at: now - Duration::seconds(60 + rng.below(30 * 24 * 3600) as i64),
                    category: Category::ALL[rng.below(6) as usize],
                    checklist,
                    gps: home.gps,
                    photo_sha256: Some(photo),
                    device_id: format!("hp-hp{p}"),
                }
            })
            .collect();
        phones.push((p, visits));
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (p, visits) in phones {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for chunk in visits.chunks(50) {
                let batch = IngestBatch {
                    received_from: format!("hp{p}"),
                    visits: chunk.iter().cloned().map(FlaggedVisit::from).collect(),
                    ..IngestBatch::default()
                };
                store.ingest(batch).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let secs = started.elapsed().as_secs_f64();
    println!("ingest: 100000 visits in {secs:.1} s = {:.0} visits/s", 100_000.0 / secs);
    let size_after = size(&url, &pg_name, true).await;
    println!(
        "growth per visit: {:.0} B (main file / database, WAL excluded)",
        (size_after - size_before) as f64 / 100_000.0
    );

    // A village's first 5,000 changes, in pages of 1,000; best and median of 7.
    let village = villages[0];
    let mut times = Vec::new();
    let mut count = 0;
    for _ in 0..7 {
        let started = Instant::now();
        let (mut cursor, mut n) = (0, 0);
        while n < 5_000 {
            let page = store.changes_since(&Scope::Areas(vec![village]), cursor, 1000).await.unwrap();
            n += page.changes.len();
            cursor = page.next_cursor;
            if !page.has_more {
                break;
            }
        }
        count = n;
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!("pull of {village}'s first {count} changes: best {:.1} ms, median {:.1} ms", times[0], times[3]);

    // The same pull with JSON copies in the rows (the old representation's read cost: one query,
    // one JSON parse per row), written behind the store's back.
    let copy = if pg_name.is_some() {
        "UPDATE changes c SET entity_id = v.id::text, payload = json_build_object('id', v.id, 'household_id', \
         v.household_id, 'sanitarian', v.sanitarian, 'visited_at', '2026-11-10T07:13:46.123456Z', 'category', \
         'layak_sendiri', 'checklist', json_build_object('closed_toilet', true, 'safe_from_well', true, \
         'strong_slab', false, 'child_faeces_safe', true, 'all_members_use', true, 'water_and_soap', false, \
         'no_faeces_around', true), 'gps', json_build_object('lat', v.lat, 'lng', v.lng), 'photo_sha256', \
         encode(v.photo_sha256, 'hex'), 'device_id', v.device_id)::text FROM visits v WHERE v.id = c.row_id"
    } else {
        "UPDATE changes SET entity_id = lower(hex(row_id)), payload = (SELECT json_object('id', lower(hex(v.id)), \
         'household_id', lower(hex(v.household_id)), 'sanitarian', v.sanitarian, 'visited_at', \
         '2026-11-10T07:13:46.123456Z', 'category', 'layak_sendiri', 'checklist', json_object('closed_toilet', \
         json('true'), 'safe_from_well', json('true'), 'strong_slab', json('false'), 'child_faeces_safe', \
         json('true'), 'all_members_use', json('true'), 'water_and_soap', json('false'), 'no_faeces_around', \
         json('true')), 'gps', json_object('lat', v.lat, 'lng', v.lng), 'photo_sha256', lower(hex(v.photo_sha256)), \
         'device_id', v.device_id) FROM visits v WHERE v.id = changes.row_id) WHERE kind = 'visit'"
    };
    if let Some(_) = &pg_name {
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query(copy).execute(&mut conn).await.unwrap();
        sqlx::query("UPDATE changes c SET entity_id = h.id::text, payload = json_build_object('id', h.id, 'village', \
             h.village_code, 'head_name', h.head_name, 'kk_count', h.kk_count, 'dusun', h.dusun, 'rw', h.rw, 'rt', h.rt, \
             'gps', json_build_object('lat', h.lat, 'lng', h.lng), 'revision', h.revision)::text FROM households h \
             WHERE h.id = c.row_id AND c.kind = 'household'").execute(&mut conn).await.unwrap();
        sqlx::query("UPDATE changes SET at = now() WHERE at IS NULL").execute(&mut conn).await.unwrap();
        sqlx::query("VACUUM ANALYZE changes").execute(&mut conn).await.unwrap();
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query(copy).execute(&mut conn).await.unwrap();
        sqlx::query("UPDATE changes SET entity_id = lower(hex(row_id)), payload = (SELECT json_object('id', lower(hex(h.id)), \
             'village', h.village_code, 'head_name', h.head_name, 'kk_count', h.kk_count, 'dusun', h.dusun, 'rw', h.rw, \
             'rt', h.rt, 'gps', json_object('lat', h.lat, 'lng', h.lng), 'revision', h.revision) FROM households h \
             WHERE h.id = changes.row_id) WHERE kind = 'household'").execute(&mut conn).await.unwrap();
        sqlx::query("UPDATE changes SET at = '2026-11-30T00:00:00.000001+00:00' WHERE at IS NULL")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    let mut times = Vec::new();
    for _ in 0..7 {
        let started = Instant::now();
        let (mut cursor, mut n) = (0, 0);
        while n < 5_000 {
            let page = store.changes_since(&Scope::Areas(vec![village]), cursor, 1000).await.unwrap();
            n += page.changes.len();
            cursor = page.next_cursor;
            if !page.has_more {
                break;
            }
        }
        times.push(started.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!("the same with JSON copies (old form): best {:.1} ms, median {:.1} ms", times[0], times[3]);
    store.close().await;
    if let Some(name) = pg_name {
        let mut admin = sqlx::PgConnection::connect(&arg).await.unwrap();
        sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut admin).await.unwrap();
    }
}

async fn size(url: &str, pg_name: &Option<String>, report: bool) -> i64 {
    if let Some(name) = pg_name {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        if report {
            let rows = sqlx::query(
                "SELECT c.relname, pg_relation_size(c.oid) AS bytes FROM pg_class c JOIN pg_namespace n \
                 ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND pg_relation_size(c.oid) > 200000 ORDER BY 2 DESC",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap();
            for row in rows {
                let (name, bytes): (String, i64) = (row.get(0), row.get(1));
                println!("  {name:<34} {bytes:>12} {:>7.1} B/visit", bytes as f64 / 100_000.0);
            }
        }
        sqlx::query_scalar("SELECT pg_database_size($1)").bind(name).fetch_one(&mut conn).await.unwrap()
    } else {
        let mut conn = sqlx::SqliteConnection::connect(url).await.unwrap();
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut conn).await.unwrap();
        if report {
            let rows = sqlx::query("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name HAVING SUM(pgsize) > 200000 ORDER BY 2 DESC")
                .fetch_all(&mut conn)
                .await;
            match rows {
                Ok(rows) => {
                    for row in rows {
                        let (name, bytes): (String, i64) = (row.get(0), row.get(1));
                        println!("  {name:<34} {bytes:>12} {:>7.1} B/visit", bytes as f64 / 100_000.0);
                    }
                }
                Err(err) => println!("  (no dbstat: {err})"),
            }
        }
        let path = url.trim_start_matches("sqlite://");
        std::fs::metadata(path).unwrap().len() as i64
    }
}
