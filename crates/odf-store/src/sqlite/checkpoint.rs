//! WAL checkpoints beside the writer, not inside its commits.
//!
//! SQLite's own checkpoint (`wal_autocheckpoint`, 1,000 pages by default) runs inside the COMMIT
//! that takes the WAL past its threshold, on the writer's connection: it copies the WAL's pages into
//! the database file and fsyncs both, while the pushes of that group wait for their answer and the
//! next group waits for the writer. Once the random-keyed indexes are larger than a group, a group
//! of 400 visits dirties over 1,000 pages (README "Performance"), so that checkpoint ran after nearly
//! every commit and doubled the bytes written.
//!
//! Here a task on its own connection (own thread) checkpoints PASSIVE-ly a moment after commits:
//! the writer goes on meanwhile, and a page changed by several commits in that moment is copied
//! once. PASSIVE never blocks the writer or readers; it copies what no reader still needs. The
//! writer keeps a high `wal_autocheckpoint` only as the bound on the WAL's length: it fires when
//! the WAL has grown long (this task fell behind, or a long read held old pages), and by then this
//! task has copied all but the last commits, so it finishes quickly and the next transaction starts
//! the WAL from its beginning again.
//!
//! Durability is SQLite's own: a commit is durable once its WAL frames are fsynced
//! (`synchronous = FULL`), before any checkpoint; a checkpoint only moves committed pages, and a
//! crash midway is recovered from the WAL at the next open.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{ConnectOptions, Connection};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::error::StoreError;

/// How long commits accumulate in the WAL before a checkpoint copies them: long enough that a
/// page dirtied by several groups is copied once, short enough that the WAL stays well under
/// [`WAL_BOUND_PAGES`] at full ingest speed.
pub(super) const COALESCE: Duration = Duration::from_millis(100);

/// The writer's `wal_autocheckpoint`: the WAL length (in pages) past which the writer checkpoints
/// itself. Only reached when the task falls behind or a long read holds old pages.
pub(super) const WAL_BOUND_PAGES: u32 = 10_000;

/// What the store holds: wakes the task after a commit; the task ends when the last clone of the
/// store is dropped or the store is closed.
#[derive(Debug)]
pub(super) struct Checkpointer {
    shared: Arc<Shared>,
    task: Mutex<Option<JoinHandle<()>>>,
}

#[derive(Debug, Default)]
struct Shared {
    wake: Notify,
    stop: AtomicBool,
}

impl Checkpointer {
    /// Opens the task's connection and starts it.
    pub(super) async fn start(options: &SqliteConnectOptions) -> Result<Checkpointer, StoreError> {
        let connection = options.clone().connect().await?;
        let shared = Arc::new(Shared::default());
        let task = tokio::spawn(run(connection, Arc::clone(&shared)));
        Ok(Checkpointer { shared, task: Mutex::new(Some(task)) })
    }

    /// A write transaction committed: its pages are in the WAL.
    pub(super) fn committed(&self) {
        self.shared.wake.notify_one();
    }

    /// Ends the task (the last checkpoint is the one SQLite makes when the last connection closes).
    fn stop(&self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.shared.wake.notify_one();
    }

    /// Ends the task and waits until its connection is closed.
    pub(super) async fn close(&self) {
        self.stop();
        let task = self.task.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn run(mut connection: SqliteConnection, shared: Arc<Shared>) {
    loop {
        shared.wake.notified().await;
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(COALESCE).await;
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        // (busy, WAL pages, pages copied); a failure is retried at the next commit, and the
        // writer's own bound still holds meanwhile.
        let done = sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&mut connection)
            .await;
        if let Err(error) = done {
            tracing::warn!(%error, "WAL checkpoint failed; retried after the next commit");
        }
    }
    let _ = connection.close().await;
}
