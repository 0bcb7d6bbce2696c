//! The sync state machine: push the outbox in batches, then pull changes by cursor.
//!
//! ```text
//!  push: next_batch ──empty──> done
//!          │ send (retry on network/5xx/429 with backoff; 401 -> SessionExpired, token forgotten;
//!          │       413 -> halve the batch; other 4xx -> stop with the server's reason)
//!          v
//!        apply_results (one transaction): stored -> delete entry; conflict/rejected -> keep with reason
//!          └──> next_batch
//!  pull: cursor ──> page (retry as above) ──> apply_page + save next_cursor (one transaction)
//!          └── has_more ? next page : done
//! ```
//!
//! Why it is safe to stop anywhere: an entry leaves the outbox only in the transaction that records
//! the server's answer, and the payload re-sent is the frozen one under the same id, which the server
//! answers `duplicate`. A pull page and the cursor after it are stored together, so a cut pull starts
//! again at the first page not stored whole.

use std::future::Future;
use std::path::Path;

use chrono::Utc;
use odf_mobile_api::sync::{DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT, MAX_RECORDS_PER_PUSH};
use serde::Serialize;
use sqlx::SqlitePool;

use crate::clock::ClockSkew;
use crate::error::{ClientError, Result};
use crate::retry::{RetryPolicy, Sleeper};
use crate::secret::SessionToken;
use crate::store::{self, Key, outbox, records};
use crate::transport::{Transport, TransportError};

mod photos;

pub use photos::DEFAULT_PHOTO_CHUNK_BYTES;

/// This library's version, sent to the server in every push's device report.
pub const APP_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Records per push by default: small enough for one request over 2G to finish in well under a
/// minute (about 30 KB gzipped), large enough that a thousand visits need only five requests.
pub const DEFAULT_BATCH_SIZE: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOptions {
    /// Records per push; clamped to 1..=[`MAX_RECORDS_PER_PUSH`].
    pub batch_size: usize,
    /// Changes per pull page; clamped to 1..=[`MAX_PULL_LIMIT`].
    pub pull_limit: u32,
    pub retry: RetryPolicy,
    /// Sent in the device report; an app passes its own version.
    pub app_version: String,
    /// When another sync of the same home folder runs: wait for it to end (the default), or stop at
    /// once with [`ClientError::SyncRunning`].
    pub wait_for_other_sync: bool,
    /// Bytes of a photo per upload request (each answered with the offset reached, so a cut link
    /// loses at most one chunk's progress).
    pub photo_chunk_bytes: usize,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            batch_size: DEFAULT_BATCH_SIZE,
            pull_limit: DEFAULT_PULL_LIMIT,
            retry: RetryPolicy::default(),
            app_version: APP_VERSION.to_owned(),
            wait_for_other_sync: true,
            photo_chunk_bytes: DEFAULT_PHOTO_CHUNK_BYTES,
        }
    }
}

/// What the engine tells a progress bar, as it happens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SyncEvent {
    /// Another sync of this home folder is running; this one starts when it ends.
    WaitingForOtherSync,
    /// A push run starts with this many pending records.
    PushStarted {
        pending: u32,
    },
    /// One batch was answered.
    Pushed {
        sent: usize,
        stored: usize,
        conflicts: usize,
        rejected: usize,
        remaining: u32,
    },
    /// A request failed and will be tried again after `delay_ms`.
    Retrying {
        attempt: u32,
        delay_ms: u64,
        error: String,
    },
    PullStarted {
        cursor: i64,
    },
    /// One page was stored.
    Pulled {
        page: u32,
        changes: usize,
        cursor: i64,
    },
    /// The phone's clock is more than five minutes off the server's.
    ClockWarning {
        skew: ClockSkew,
    },
    /// Photo uploads start: `count` photos, `bytes` in all (what the server already holds included).
    PhotosStarted {
        count: usize,
        bytes: u64,
    },
    /// The server holds `received` of the photo's `size` bytes.
    PhotoProgress {
        sha256: String,
        received: u64,
        size: u64,
    },
    /// The server holds the whole photo (hash checked).
    PhotoUploaded {
        sha256: String,
        size: u64,
    },
    /// The server refused the photo for good (`photo_too_large`, `photo_type_unsupported`).
    PhotoRefused {
        sha256: String,
        code: String,
    },
    /// A photo of a verification sample was pulled to this phone.
    PhotoPulled {
        sha256: String,
        size: u64,
    },
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub batches: usize,
    /// Records the server now holds (accepted or duplicate).
    pub stored: usize,
    pub conflicts: usize,
    pub rejected: usize,
    pub pages: u32,
    pub changes: usize,
    /// Pulled changes this version could not read (logged, skipped).
    pub skipped_changes: usize,
    pub retries: u32,
    /// The last clock measurement of this run.
    pub clock: Option<ClockSkew>,
    /// Own photos the server now holds whole.
    pub photos_uploaded: usize,
    /// Photo bytes sent in this run.
    pub photo_bytes_sent: u64,
    /// Own photos still to upload (their visit not yet stored, or the link gave out).
    pub photos_waiting: usize,
    /// Own photos the server refused for good.
    pub photos_refused: usize,
    /// Photos of verification samples pulled to this phone.
    pub photos_pulled: usize,
}

pub(crate) struct Engine<'a, T, S> {
    pool: &'a SqlitePool,
    /// The home folder, where photo files are.
    home: &'a Path,
    transport: &'a T,
    sleeper: &'a S,
    options: &'a SyncOptions,
    device_id: &'a str,
    token: SessionToken,
    progress: &'a mut (dyn FnMut(&SyncEvent) + Send),
    report: SyncReport,
    clock_warned: bool,
    /// Whether any attempt of the current call may have reached the server.
    maybe_delivered: bool,
}

impl<'a, T: Transport, S: Sleeper> Engine<'a, T, S> {
    pub(crate) fn new(
        (pool, home): (&'a SqlitePool, &'a Path),
        transport: &'a T,
        sleeper: &'a S,
        options: &'a SyncOptions,
        device_id: &'a str,
        token: SessionToken,
        progress: &'a mut (dyn FnMut(&SyncEvent) + Send),
    ) -> Self {
        Engine {
            pool,
            home,
            transport,
            sleeper,
            options,
            device_id,
            token,
            progress,
            report: SyncReport::default(),
            clock_warned: false,
            maybe_delivered: false,
        }
    }

    pub(crate) fn finish(self) -> SyncReport {
        self.report
    }

    /// One request with retries. 401 forgets the token: it will not work again.
    async fn call<R, F, Fut>(&mut self, mut request: F) -> Result<R>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = std::result::Result<R, TransportError>>,
    {
        let policy = self.options.retry;
        let mut attempt: u32 = 0;
        loop {
            let err = match request().await {
                Ok(answer) => {
                    self.maybe_delivered = true;
                    return Ok(answer);
                }
                Err(err) => err,
            };
            self.maybe_delivered |= err.maybe_delivered();
            if err.is_unauthenticated() {
                store::delete(self.pool, Key::Token).await?;
                return Err(ClientError::SessionExpired);
            }
            if !err.is_retryable() {
                return Err(err.into());
            }
            if attempt + 1 >= policy.max_attempts.max(1) {
                return Err(ClientError::Unreachable {
                    attempts: attempt + 1,
                    last: err.to_string(),
                    sent_not_confirmed: 0,
                });
            }
            let delay = policy.delay(attempt, err.retry_after());
            tracing::info!(attempt, ?delay, %err, "request failed; retrying");
            let delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
            (self.progress)(&SyncEvent::Retrying { attempt: attempt + 1, delay_ms, error: err.to_string() });
            self.report.retries += 1;
            self.sleeper.sleep(delay).await;
            attempt += 1;
        }
    }

    async fn observe_clock(&mut self, server_time: chrono::DateTime<Utc>) -> Result<()> {
        let skew = ClockSkew::measure(server_time, Utc::now());
        store::set(self.pool, Key::ClockOffsetMs, &skew.offset_ms.to_string()).await?;
        store::set(self.pool, Key::ClockCheckedAt, &skew.checked_at.to_rfc3339()).await?;
        if skew.is_warning() && !self.clock_warned {
            tracing::warn!(offset_ms = skew.offset_ms, "phone clock is off");
            (self.progress)(&SyncEvent::ClockWarning { skew });
            self.clock_warned = true;
        }
        self.report.clock = Some(skew);
        Ok(())
    }

    pub(crate) async fn push(&mut self) -> Result<()> {
        let mut batch_size = self.options.batch_size.clamp(1, MAX_RECORDS_PER_PUSH);
        let (pending, _) = outbox::pending_stats(self.pool).await?;
        (self.progress)(&SyncEvent::PushStarted { pending });
        loop {
            let Some(request) =
                outbox::next_push(self.pool, batch_size, self.device_id, &self.options.app_version).await?
            else {
                break;
            };
            outbox::note_attempt(self.pool, &request, 1).await?;
            let transport = self.transport;
            let token = self.token.clone();
            self.maybe_delivered = false;
            let answer = self.call(|| transport.push(&token, &request)).await;
            if answer.is_err() && !self.maybe_delivered {
                // No attempt got as far as the server: the records were not sent after all.
                outbox::note_attempt(self.pool, &request, -1).await?;
            }
            let response = match answer {
                // Too big for this server: send smaller batches rather than give up.
                Err(ClientError::Server { status: 413, .. }) if batch_size > 1 => {
                    batch_size = (batch_size / 2).max(1);
                    continue;
                }
                other => other?,
            };
            self.observe_clock(response.server_time).await?;
            let applied = outbox::apply_results(self.pool, &response.results, Utc::now()).await?;
            if applied.answered() == 0 {
                // Without this a server that never answers would make us resend the batch forever.
                return Err(ClientError::BadResponse(format!(
                    "server answered none of the {} records sent",
                    request.len()
                )));
            }
            self.report.batches += 1;
            self.report.stored += applied.stored;
            self.report.conflicts += applied.conflicts;
            self.report.rejected += applied.rejected;
            let (remaining, _) = outbox::pending_stats(self.pool).await?;
            (self.progress)(&SyncEvent::Pushed {
                sent: request.len(),
                stored: applied.stored,
                conflicts: applied.conflicts,
                rejected: applied.rejected,
                remaining,
            });
        }
        store::set(self.pool, Key::LastPushAt, &Utc::now().to_rfc3339()).await?;
        Ok(())
    }

    /// `GET /v1/me`: the assignment may have changed since login (a village added), and the scope
    /// check made before saving a household reads it. A server that cannot answer this (anything
    /// but 401 or a network failure) does not stop the pull.
    async fn refresh_user(&mut self) -> Result<()> {
        let transport = self.transport;
        let token = self.token.clone();
        match self.call(|| transport.me(&token)).await {
            Ok(user) => {
                let json = serde_json::to_string(&user).map_err(ClientError::corrupt)?;
                store::set(self.pool, Key::User, &json).await
            }
            Err(ClientError::Server { status, code, .. }) => {
                tracing::warn!(status, %code, "could not refresh the user; keeping the last known assignment");
                Ok(())
            }
            Err(other) => Err(other),
        }
    }

    pub(crate) async fn pull(&mut self) -> Result<()> {
        self.refresh_user().await?;
        let limit = self.options.pull_limit.clamp(1, MAX_PULL_LIMIT);
        let mut cursor: i64 = store::get_parsed(self.pool, Key::PullCursor).await?.unwrap_or(0);
        (self.progress)(&SyncEvent::PullStarted { cursor });
        loop {
            let transport = self.transport;
            let token = self.token.clone();
            let page = self.call(|| transport.pull(&token, cursor, limit)).await?;
            self.observe_clock(page.server_time).await?;
            if page.has_more && page.next_cursor <= cursor {
                return Err(ClientError::BadResponse(format!(
                    "pull cursor did not advance past {cursor} although more changes were announced"
                )));
            }
            let skipped = records::apply_page(self.pool, &page.changes, page.next_cursor, Utc::now()).await?;
            self.report.pages += 1;
            self.report.changes += page.changes.len();
            self.report.skipped_changes += skipped;
            cursor = page.next_cursor;
            (self.progress)(&SyncEvent::Pulled {
                page: self.report.pages,
                changes: page.changes.len(),
                cursor,
            });
            if !page.has_more {
                break;
            }
        }
        store::set(self.pool, Key::LastPullAt, &Utc::now().to_rfc3339()).await?;
        Ok(())
    }
}
