//! A phone: one client core (`odf_client::Client`) in its own temporary home folder, with an
//! `HttpTransport` to the server or to a proxy, the production retry policy and a sleeper that never
//! sleeps.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use odf_client::{
    Client, ClientError, HouseholdDraft, HttpTransport, NoSleep, OutboxState, Saved, SyncEvent, SyncOptions,
    SyncReport, VisitDraft,
};
use tempfile::TempDir;
use uuid::Uuid;

use crate::server::PASSWORD;

#[derive(Debug)]
pub struct Phone {
    pub client: Client,
    pub transport: HttpTransport,
    /// Records every wait the retry policy asked for; never waits.
    pub sleeper: NoSleep,
    pub options: SyncOptions,
    home: TempDir,
}

/// One sync run: what it returned and what it told the progress callback on the way.
#[derive(Debug)]
pub struct SyncRun {
    pub result: Result<SyncReport, ClientError>,
    pub events: Vec<SyncEvent>,
}

impl SyncRun {
    /// Changes stored by pull pages in this run (also when the run failed later).
    pub fn pulled_changes(&self) -> usize {
        self.events
            .iter()
            .map(|e| match e {
                SyncEvent::Pulled { changes, .. } => *changes,
                _ => 0,
            })
            .sum()
    }

    /// The cursor after the last page this run stored.
    pub fn last_cursor(&self) -> Option<i64> {
        self.events.iter().rev().find_map(|e| match e {
            SyncEvent::Pulled { cursor, .. } => Some(*cursor),
            _ => None,
        })
    }
}

impl Phone {
    /// A new phone whose user logs in at `url` (the server or a proxy in front of it).
    pub async fn log_in(url: &str, username: &str) -> Phone {
        let home = tempfile::tempdir().expect("temporary home");
        let client = Client::open(home.path()).await.expect("open the client home");
        let transport = HttpTransport::new(url).expect("transport");
        let user = client.login(&transport, url, username, PASSWORD).await.expect("login");
        assert_eq!(user.username, username);
        Phone { client, transport, sleeper: NoSleep::default(), options: SyncOptions::default(), home }
    }

    /// Closes the client and opens the same home again, as when the app is killed and restarted.
    pub async fn reopen(self) -> Phone {
        let Phone { client, transport, sleeper, options, home } = self;
        client.close().await;
        let client = Client::open(home.path()).await.expect("reopen the client home");
        Phone { client, transport, sleeper, options, home }
    }

    /// Another client core on the same home folder, as a phone app's background sync beside the one
    /// a person starts.
    pub async fn twin(&self) -> Client {
        Client::open(self.home.path()).await.expect("open the same home again")
    }

    pub fn home(&self) -> &std::path::Path {
        self.home.path()
    }

    /// Closes the database; the home folder goes with the phone.
    pub async fn close(self) {
        self.client.close().await;
    }

    /// Registers a household offline (no GPS, so no warnings).
    pub async fn register(&self, village: &str, head: &str, kk: i64) -> Uuid {
        let draft = HouseholdDraft {
            village: village.to_owned(),
            head_name: head.to_owned(),
            kk_count: kk,
            ..HouseholdDraft::default()
        };
        match self.client.register_household(draft, false).await.expect("register a household") {
            Saved::Saved { record, .. } => record.id,
            Saved::NeedsConfirmation { warnings } => panic!("unexpected warnings {warnings:?}"),
        }
    }

    /// Records a visit offline at `at` (in the past).
    pub async fn visit(&self, household: Uuid, category: &str, at: DateTime<Utc>) -> Uuid {
        let draft = VisitDraft {
            household_id: household,
            category: category.to_owned(),
            visited_at: Some(at),
            ..VisitDraft::default()
        };
        match self.client.record_visit(draft, false).await.expect("record a visit") {
            Saved::Saved { record, .. } => record.id,
            Saved::NeedsConfirmation { warnings } => panic!("unexpected warnings {warnings:?}"),
        }
    }

    /// One `sync` (push, then pull), collecting its progress events.
    pub async fn sync(&self) -> SyncRun {
        let mut events = Vec::new();
        let mut progress = |event: &SyncEvent| events.push(event.clone());
        let result = self.client.sync(&self.transport, &self.sleeper, &self.options, &mut progress).await;
        SyncRun { result, events }
    }

    /// Syncs until a run completes with nothing pending; a run that gives up on the network is
    /// simply run again (resuming where it stopped). Any other error fails the test.
    pub async fn sync_until_done(&self, max_runs: usize) -> Vec<SyncRun> {
        let mut runs = Vec::new();
        for _ in 0..max_runs {
            let run = self.sync().await;
            match &run.result {
                Ok(_) if self.pending().await == 0 => {
                    runs.push(run);
                    return runs;
                }
                Ok(_) => {}
                Err(err) if err.is_transient() => {}
                Err(err) => panic!("sync failed: {err}"),
            }
            runs.push(run);
        }
        panic!("not done after {max_runs} sync runs");
    }

    pub async fn pending(&self) -> u32 {
        self.client.status().await.expect("status").pending
    }

    /// Outbox entries that are not pending (conflict or rejected), with the server's reasons.
    pub async fn refused(&self) -> Vec<(OutboxState, Option<String>, Option<String>)> {
        let entries = self.client.outbox(None).await.expect("outbox");
        entries
            .into_iter()
            .filter(|e| e.state != OutboxState::Pending)
            .map(|e| (e.state, e.code, e.message))
            .collect()
    }

    /// The households on this phone, with how many visits of each it holds.
    pub async fn visits_per_household(&self) -> BTreeMap<Uuid, usize> {
        let views = self.client.households(None).await.expect("households");
        let map: BTreeMap<Uuid, usize> = views.iter().map(|v| (v.household.id, v.visits)).collect();
        assert_eq!(map.len(), views.len(), "a household listed twice on the phone");
        map
    }

    pub async fn household_ids(&self) -> BTreeSet<Uuid> {
        self.visits_per_household().await.into_keys().collect()
    }
}
