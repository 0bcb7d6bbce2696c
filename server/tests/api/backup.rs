//! Backups (issue 17): `odf-server backup` copies a live SQLite database while phones keep pushing,
//! and `odf-server restore` makes a new database from the copy holding every record the server
//! acknowledged before the backup started. PostgreSQL is backed up with `pg_dump` and says so.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::{Duration, Utc};
use odf_server::commands;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::common::*;

const PUSHERS: usize = 3;
const BATCHES_PER_PUSHER: usize = 12;
const VISITS_PER_BATCH: usize = 20;
/// Acknowledged batches to wait for before the backup starts, so it is taken in mid-stream.
const ACKS_BEFORE_BACKUP: usize = 6;

/// A push of `VISITS_PER_BATCH` visits to `household`, and the visits' ids.
fn batch(household: Uuid, device: &str) -> (Value, Vec<Uuid>) {
    let ids: Vec<Uuid> = (0..VISITS_PER_BATCH).map(|_| Uuid::now_v7()).collect();
    let at = Utc::now() - Duration::hours(1);
    let visits: Vec<Value> = ids
        .iter()
        .map(|id| {
            json!({
                "id": id, "household_id": household, "sanitarian": "san_a",
                "visited_at": at, "category": "aman", "device_id": device,
            })
        })
        .collect();
    let body = json!({
        "device": { "device_id": device, "app_version": "t", "pending_count": 0 },
        "visits": visits,
    });
    (body, ids)
}

fn stored_or_duplicate(response: &Value) -> bool {
    response["results"].as_array().is_some_and(|results| {
        results.iter().all(|r| r["status"] == "accepted" || r["status"] == "duplicate")
    })
}

pub async fn a_backup_taken_under_load_restores_every_record_acknowledged_before_it(app: Arc<TestApp>) {
    let folder = tempfile::tempdir().unwrap();
    let target = folder.path().join("cadangan.db");
    if app.store.backend_name() == "postgres" {
        let refused = commands::backup(&app.store, &target, "test").await.unwrap_err();
        assert!(refused.to_string().contains("pg_dump"), "{refused}");
        assert!(!target.exists());
        return;
    }
    let token = app.login("san_a").await;
    let household = Uuid::now_v7();
    let home = json!({ "id": household, "village": VILLAGE_A, "head_name": "Kepala", "kk_count": 1 });
    let first = json!({
        "device": { "device_id": "hp-0", "app_version": "t", "pending_count": 0 },
        "households": [home],
    });
    let (status, body) = app.post("/v1/sync/push", &token, &first).await;
    assert_eq!(status, 200, "{body}");

    // Pushers report each acknowledged batch; the backup starts once a few have been.
    let (acks, mut acked) = mpsc::unbounded_channel::<Vec<Uuid>>();
    let mut pushers = Vec::new();
    for n in 0..PUSHERS {
        let (app, token, acks) = (app.clone(), token.clone(), acks.clone());
        pushers.push(tokio::spawn(async move {
            for _ in 0..BATCHES_PER_PUSHER {
                let (body, ids) = batch(household, &format!("hp-{n}"));
                let (status, response) = app.post("/v1/sync/push", &token, &body).await;
                assert_eq!(status, 200, "{response}");
                assert!(stored_or_duplicate(&response), "{response}");
                let _ = acks.send(ids);
            }
        }));
    }
    drop(acks);
    let mut acknowledged_before = HashSet::new();
    for _ in 0..ACKS_BEFORE_BACKUP {
        acknowledged_before.extend(acked.recv().await.unwrap());
    }
    // Anything acknowledged by now was acknowledged before the backup started.
    while let Ok(ids) = acked.try_recv() {
        acknowledged_before.extend(ids);
    }
    let report = commands::backup(&app.store, &target, "test").await.unwrap();
    let mut acknowledged_total = acknowledged_before.len();
    while let Some(ids) = acked.recv().await {
        acknowledged_total += ids.len();
    }
    for pusher in pushers {
        pusher.await.unwrap();
    }
    assert_eq!(acknowledged_total, PUSHERS * BATCHES_PER_PUSHER * VISITS_PER_BATCH);
    assert!(report.bytes > 0);
    assert!(report.visits >= i64::try_from(acknowledged_before.len()).unwrap());

    // A second backup never overwrites the first.
    let again = commands::backup(&app.store, &target, "test").await.unwrap_err();
    assert!(again.to_string().contains("sudah ada"), "{again}");

    let restored_path = folder.path().join("dipulihkan.db");
    let restored_url = format!("sqlite://{}", restored_path.display());
    let (restored, recount, audit) = commands::restore(&target, &restored_url).await.unwrap();
    assert_eq!(restored.visits, report.visits);
    assert!(recount.differences.is_empty(), "{:?}", recount.differences);
    assert_eq!(audit.first_broken, None);
    let store = commands::open_store(&restored_url).await.unwrap();
    let visits: HashSet<Uuid> =
        store.visits_of(household).await.unwrap().iter().map(|v| v.visit.id).collect();
    store.close().await;
    let missing: Vec<&Uuid> = acknowledged_before.iter().filter(|id| !visits.contains(id)).collect();
    assert!(missing.is_empty(), "{} acknowledged visits missing from the backup", missing.len());

    // A restore never replaces an existing database.
    let refused = commands::restore(&target, &restored_url).await.unwrap_err();
    assert!(refused.to_string().contains("sudah ada"), "{refused}");
    // A damaged backup is refused before anything is written.
    let damaged = folder.path().join("rusak.db");
    let mut bytes = std::fs::read(&target).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle..middle + 4096].fill(0xA5);
    std::fs::write(&damaged, bytes).unwrap();
    let elsewhere = folder.path().join("lain.db");
    let refused = commands::restore(&damaged, &format!("sqlite://{}", elsewhere.display())).await;
    assert!(refused.is_err());
    assert!(!elsewhere.exists());
}
