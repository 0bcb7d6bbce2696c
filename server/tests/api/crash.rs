//! Crash safety (issue 17): the real `odf-server` binary, spawned as a child process on the test's
//! database, is killed with SIGKILL while phones push concurrently, and started again, over and over.
//! Afterwards every record the server acknowledged is stored exactly once, the tallies equal a
//! recount, and the audit chain verifies.
//!
//! The moment of each kill is drawn from a seeded generator: after the n-th acknowledged push of the
//! round (n from 1 to 6), with the other pushers in the middle of their requests. A push whose answer
//! was lost is sent again under the same ids after the restart, as a phone would.
//!
//! The negative control shows the suite can fail: pushers that count a push as acknowledged as soon as
//! it is sent (an acknowledgement before the commit) must be caught losing records.
//!
//! `ODF_CRASH_KILLS` (default 6) and `ODF_CRASH_SEED` set the run; the long run is
//! `ODF_CRASH_KILLS=1000 cargo test -p odf-server --test api crash -- --nocapture`.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use chrono::{Duration, Utc};
use odf_domain::verification::SplitMix64;
use serde_json::{Value, json};
use tokio::sync::watch;
use uuid::Uuid;

use crate::common::*;

const PUSHERS: usize = 4;
const VISITS_PER_BATCH: usize = 3;
/// Kills of the negative control, which must lose records.
const CONTROL_KILLS: usize = 3;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The server binary as a child process on `db_url`, and its address once it listens.
struct Running {
    child: Child,
    base: String,
}

fn start(db_url: &str, data_dir: &std::path::Path) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_odf-server"))
        .arg("serve")
        .env_remove("ODF_CONFIG")
        .env("ODF_DATABASE_URL", db_url)
        .env("ODF_BIND", "127.0.0.1:0")
        .env("ODF_DATA_DIR", data_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The server prints its address once the listener is bound: no polling, no sleep.
    let mut line = String::new();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut line).unwrap();
    // Drained until the child dies, so that a later line neither blocks it nor breaks its pipe.
    std::thread::spawn(move || stdout.lines().for_each(drop));
    let address = line.split("http://").nth(1).and_then(|rest| rest.split_whitespace().next());
    let base = format!("http://{}", address.unwrap_or_else(|| panic!("no address in {line:?}")));
    Running { child, base }
}

impl Running {
    fn kill(mut self) {
        // `Child::kill` is SIGKILL on Unix: no shutdown, no flush, no goodbye.
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

/// One push: a new household in one of the sanitarian's villages and a few visits to it.
#[derive(Debug, Clone)]
struct Batch {
    body: Value,
    ids: Vec<Uuid>,
}

fn batch(n: usize) -> Batch {
    let household = Uuid::now_v7();
    let village = if n.is_multiple_of(2) { VILLAGE_A } else { VILLAGE_B };
    let at = Utc::now() - Duration::hours(2);
    let visits: Vec<Uuid> = (0..VISITS_PER_BATCH).map(|_| Uuid::now_v7()).collect();
    let device = format!("hp-crash-{}", n % PUSHERS);
    let records: Vec<Value> = visits
        .iter()
        .zip([("aman", 0), ("BABS", 1), ("layak_sendiri", 2)])
        .map(|(id, (category, minutes))| {
            json!({
                "id": id, "household_id": household, "sanitarian": "san_a",
                "visited_at": at + Duration::minutes(minutes), "category": category, "device_id": device,
            })
        })
        .collect();
    let body = json!({
        "device": { "device_id": device, "app_version": "t", "pending_count": 0 },
        "households": [{ "id": household, "village": village, "head_name": format!("Kepala {n}"), "kk_count": 1 }],
        "visits": records,
    });
    let mut ids = vec![household];
    ids.extend(visits);
    Batch { body, ids }
}

/// What the pushers were told, across all rounds.
#[derive(Debug, Default)]
struct Ledger {
    made: usize,
    /// Record ids the server acknowledged (or, in the control, that were merely sent).
    acknowledged: HashSet<Uuid>,
    /// Every household made, for the read-back.
    households: Vec<Uuid>,
}

fn acknowledged(response: &Value) -> bool {
    response["results"].as_array().is_some_and(|results| {
        results.iter().all(|r| r["status"] == "accepted" || r["status"] == "duplicate")
    })
}

/// Pushes until the server stops answering; returns the batch it could not get acknowledged.
async fn pusher(
    http: reqwest::Client,
    url: String,
    token: String,
    mut pending: Option<Batch>,
    ledger: Arc<Mutex<Ledger>>,
    acks: watch::Sender<usize>,
    control: bool,
) -> Option<Batch> {
    loop {
        let next = pending.take().unwrap_or_else(|| {
            let mut ledger = ledger.lock().unwrap();
            ledger.made += 1;
            let next = batch(ledger.made);
            ledger.households.push(next.ids[0]);
            next
        });
        if control {
            // Acknowledged before anything is stored: what a server that answers before its commit
            // would do. The batch is never sent again.
            ledger.lock().unwrap().acknowledged.extend(&next.ids);
            acks.send_modify(|n| *n += 1);
        }
        let answer = http.post(&url).bearer_auth(&token).json(&next.body).send().await;
        let body = match answer {
            Ok(response) if response.status() == 200 => response.json::<Value>().await.ok(),
            _ => None,
        };
        match body {
            Some(body) if acknowledged(&body) => {
                if !control {
                    ledger.lock().unwrap().acknowledged.extend(&next.ids);
                    acks.send_modify(|n| *n += 1);
                }
            }
            Some(body) => panic!("a push was refused: {body}"),
            None if control => return None,
            None => return Some(next),
        }
    }
}

/// Rounds of: start the server, push from [`PUSHERS`] phones, SIGKILL after a seeded number of
/// acknowledged pushes. Returns the batches still unacknowledged, and how many batches whose answer
/// a kill cut off were sent again after a restart.
async fn rounds(
    app: &TestApp,
    data_dir: &std::path::Path,
    kills: usize,
    rng: &mut SplitMix64,
    ledger: &Arc<Mutex<Ledger>>,
    control: bool,
) -> (Vec<Batch>, usize) {
    let http = reqwest::Client::new();
    let mut pending: Vec<Batch> = Vec::new();
    let mut resent = 0;
    // One login for the whole run: the session must survive the kills too.
    let token = app.login("san_a").await;
    for _ in 0..kills {
        let server = start(&app.db_url, data_dir);
        let target = usize::try_from(1 + rng.below(6)).unwrap();
        let (acks, mut seen) = watch::channel(0_usize);
        let url = format!("{}/v1/sync/push", server.base);
        let mut tasks = Vec::new();
        for _ in 0..PUSHERS {
            let carried = pending.pop();
            resent += usize::from(carried.is_some());
            tasks.push(tokio::spawn(pusher(
                http.clone(),
                url.clone(),
                token.clone(),
                carried,
                ledger.clone(),
                acks.clone(),
                control,
            )));
        }
        drop(acks);
        // Every pusher ended (the sender side closed) also ends the wait.
        let _ = seen.wait_for(|n| *n >= target).await;
        server.kill();
        for task in tasks {
            pending.extend(task.await.unwrap());
        }
    }
    (pending, resent)
}

/// Acknowledged records missing from the store, and stored records beyond the distinct ids made.
async fn lost_and_duplicated(app: &TestApp, ledger: &Ledger) -> (usize, usize) {
    let mut stored: HashMap<Uuid, usize> = HashMap::new();
    for chunk in ledger.households.chunks(500) {
        for household in app.store.households_by_id(chunk).await.unwrap() {
            *stored.entry(household.household.id).or_default() += 1;
            for visit in app.store.visits_of(household.household.id).await.unwrap() {
                *stored.entry(visit.visit.id).or_default() += 1;
            }
        }
    }
    let lost = ledger.acknowledged.iter().filter(|id| !stored.contains_key(id)).count();
    let duplicated = stored.values().map(|n| n - 1).sum::<usize>();
    (lost, duplicated)
}

pub async fn acknowledged_records_survive_sigkill_exactly_once(app: Arc<TestApp>) {
    let backend = app.db_url.split(':').next().unwrap_or_default().to_owned();
    let kills = usize::try_from(env_number("ODF_CRASH_KILLS", 6)).unwrap();
    let seed = env_number("ODF_CRASH_SEED", 17);
    let mut rng = SplitMix64::new(seed);
    let data_dir = tempfile::tempdir().unwrap();
    let ledger = Arc::new(Mutex::new(Ledger::default()));

    let (pending, mut resent) = rounds(&app, data_dir.path(), kills, &mut rng, &ledger, false).await;
    resent += pending.len();
    // A last start: what was never acknowledged is sent again until it is.
    let server = start(&app.db_url, data_dir.path());
    let token = app.login("san_a").await;
    let url = format!("{}/v1/sync/push", server.base);
    let http = reqwest::Client::new();
    for batch in pending {
        let body = batch.body.clone();
        let (status, response) =
            split(http.post(&url).bearer_auth(&token).json(&body).send().await.unwrap()).await;
        assert!(status == 200 && acknowledged(&response), "{status} {response}");
        ledger.lock().unwrap().acknowledged.extend(&batch.ids);
    }
    server.kill();

    let ledger_now = std::mem::take(&mut *ledger.lock().unwrap());
    let (lost, duplicated) = lost_and_duplicated(&app, &ledger_now).await;
    let recount = app.store.recount().await.unwrap();
    let audit = app.store.verify_audit_chain().await.unwrap();
    let line = format!(
        "crash safety on {backend}: {kills} kills (seed {seed}), {} records acknowledged, {lost} lost, \
         {duplicated} duplicated, {resent} pushes sent again after a kill, recount differences {}, audit chain {}\n",
        ledger_now.acknowledged.len(),
        recount.differences.len(),
        if audit.first_broken.is_none() { "intact" } else { "BROKEN" },
    );
    std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes()).unwrap();
    assert!(ledger_now.acknowledged.len() >= kills, "the pushers got too few acknowledgements");
    assert_eq!((lost, duplicated), (0, 0));
    assert_eq!(recount.households + recount.visits, ledger_now.acknowledged.len(), "stored exactly once");
    assert!(recount.differences.is_empty(), "{:?}", recount.differences);
    assert_eq!(audit.first_broken, None);

    // The negative control: acknowledging before the commit must show up as lost records.
    let control = Arc::new(Mutex::new(Ledger { made: ledger_now.made, ..Ledger::default() }));
    rounds(&app, data_dir.path(), CONTROL_KILLS, &mut rng, &control, true).await;
    let control = std::mem::take(&mut *control.lock().unwrap());
    let (lost, _) = lost_and_duplicated(&app, &control).await;
    let line = format!(
        "crash safety negative control (acknowledged before commit) on {backend}: {CONTROL_KILLS} kills, {} \
         acknowledged, {lost} lost: {}\n",
        control.acknowledged.len(),
        if lost > 0 { "caught" } else { "NOT CAUGHT" },
    );
    std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes()).unwrap();
    assert!(lost > 0, "the suite did not notice acknowledgements given before the commit");
}
