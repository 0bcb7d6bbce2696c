//! Group commit: concurrent [`Ingest::ingest`](crate::Ingest::ingest) calls share one durable
//! transaction. A commit (an fsync on SQLite, a WAL flush on PostgreSQL) costs about as much as
//! writing a whole push, and writers are serialised anyway, so while one push is being written the
//! next ones queue here; whoever becomes the writer next takes everything queued (up to
//! [`MAX_GROUP_RECORDS`]), writes it in one transaction as one plan (one set of lookups and of
//! multi-row writes for the whole group, `sql/ingest.rs`), commits once, and only then hands each
//! caller its own outcomes. No caller hears back before the commit that holds its records.
//!
//! There is no background task: the caller that wins the `leader` lock writes for everyone
//! queued, in a spawned task so that a caller that goes away (a phone hanging up) cannot abort the
//! others' transaction halfway. If the shared transaction fails, each batch is retried in its own
//! transaction, so one bad batch cannot fail its neighbours.

use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{OwnedMutexGuard, oneshot};

use crate::Result;
use crate::model::{IngestBatch, RecordOutcome};

/// Records one shared transaction takes at most: bounds the transaction's time and memory; what is
/// left waits for the next one.
pub(crate) const MAX_GROUP_RECORDS: usize = 5_000;

/// One queued call: its batch and where its answer goes.
pub(crate) struct Job {
    pub(crate) batch: IngestBatch,
    pub(crate) answer: oneshot::Sender<Result<Vec<RecordOutcome>>>,
}

/// The queue of batches waiting for the writer, and the right to be the writer.
#[derive(Default)]
pub(crate) struct GroupCommit {
    pending: Mutex<Vec<Job>>,
    leader: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let queued = self.pending.lock().map_or(0, |p| p.len());
        f.debug_struct("GroupCommit").field("queued", &queued).finish()
    }
}

impl GroupCommit {
    /// Queues `batch`; its outcomes arrive on the returned receiver after the commit.
    pub(crate) fn enqueue(&self, batch: IngestBatch) -> oneshot::Receiver<Result<Vec<RecordOutcome>>> {
        let (answer, receiver) = oneshot::channel();
        self.pending.lock().unwrap_or_else(PoisonError::into_inner).push(Job { batch, answer });
        receiver
    }

    /// Waits to be the writer.
    pub(crate) async fn lead(&self) -> OwnedMutexGuard<()> {
        Arc::clone(&self.leader).lock_owned().await
    }

    /// Takes the queued jobs, oldest first, up to [`MAX_GROUP_RECORDS`] records (at least one job).
    pub(crate) fn take(&self) -> Vec<Job> {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let mut records = 0;
        let mut count = 0;
        for job in pending.iter() {
            let size = job.batch.households.len() + job.batch.visits.len() + job.batch.edits.len();
            if count > 0 && records + size > MAX_GROUP_RECORDS {
                break;
            }
            records += size;
            count += 1;
        }
        pending.drain(..count).collect()
    }
}
