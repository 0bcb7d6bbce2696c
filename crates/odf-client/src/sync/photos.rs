//! The photo steps of a sync, after the records: upload own photos whose visit the server holds,
//! then pull the photos of the verification samples this phone works on.
//!
//! ```text
//!  upload: HEAD (offset, complete?) ──complete──> mark uploaded
//!            │
//!            v
//!          PUT chunk [offset, offset + chunk) with Content-Range ──> offset = answer.received
//!            │  409 photo_offset_mismatch -> HEAD again; 400 photo_hash_mismatch -> once more
//!            │  from 0; 404 -> wait for a later sync; other 4xx -> refused for good
//!            └── until complete
//! ```
//!
//! Why it resumes: the server keeps every byte that reached it, even from a request cut off
//! half-way, and says how many it holds; a chunk sent again starts at or before that offset, and
//! the server skips what it already has. The name is the hash, so nothing is stored twice.

use chrono::Utc;
use odf_domain::photo_hash;
use odf_mobile_api::ContentRange;

use super::{Engine, SyncEvent};
use crate::error::{ClientError, Result};
use crate::retry::Sleeper;
use crate::store::photos::{self, Origin};
use crate::transport::Transport;

/// 128 KiB: about 10-20 s on a slow 2G link, well inside the server's 60 s body timeout.
pub const DEFAULT_PHOTO_CHUNK_BYTES: usize = 128 * 1024;

/// How one photo's upload ended.
enum Upload {
    Done,
    /// The server does not take it yet (no visit in the uploader's scope names it): next sync.
    Later,
    Refused(String),
}

impl<T: Transport, S: Sleeper> Engine<'_, T, S> {
    /// Uploads every own photo whose visit the server holds. A network that gives out ends the
    /// step with the error: the next sync goes on from the server's offset.
    pub(crate) async fn upload_photos(&mut self) -> Result<()> {
        let rows = photos::to_upload(self.pool).await?;
        if rows.is_empty() {
            return Ok(());
        }
        let bytes = rows.iter().map(|r| u64::try_from(r.size).unwrap_or(0)).sum();
        (self.progress)(&SyncEvent::PhotosStarted { count: rows.len(), bytes });
        self.report.photos_waiting = rows.len();
        for row in rows {
            let Some(bytes) = photos::read(self.home, &row.sha256).await? else {
                tracing::warn!(sha256 = %row.sha256, "photo file missing; not uploaded");
                photos::mark_refused(self.pool, &row.sha256, "photo_missing_on_phone").await?;
                continue;
            };
            if photo_hash(&bytes) != row.sha256 {
                tracing::warn!(sha256 = %row.sha256, "photo file changed on the phone; not uploaded");
                photos::mark_refused(self.pool, &row.sha256, "photo_corrupt_on_phone").await?;
                continue;
            }
            match self.upload_one(&row.sha256, &bytes).await? {
                Upload::Done => {
                    photos::mark_uploaded(self.pool, &row.sha256, Utc::now()).await?;
                    self.report.photos_uploaded += 1;
                    self.report.photos_waiting -= 1;
                    let size = u64::try_from(bytes.len()).unwrap_or(0);
                    (self.progress)(&SyncEvent::PhotoUploaded { sha256: row.sha256.clone(), size });
                }
                Upload::Later => {}
                Upload::Refused(code) => {
                    photos::mark_refused(self.pool, &row.sha256, &code).await?;
                    self.report.photos_refused += 1;
                    self.report.photos_waiting -= 1;
                    (self.progress)(&SyncEvent::PhotoRefused { sha256: row.sha256.clone(), code });
                }
            }
        }
        Ok(())
    }

    /// The server's offset for a photo, or `None` when it does not take the photo (yet).
    async fn offset(&mut self, sha256: &str) -> Result<Option<(u64, bool)>> {
        let (transport, token) = (self.transport, self.token.clone());
        match self.call(|| transport.photo_offset(&token, sha256)).await {
            Ok(offset) => Ok(Some((offset.received, offset.complete))),
            Err(ClientError::Server { status: 404, .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    async fn upload_one(&mut self, sha256: &str, bytes: &[u8]) -> Result<Upload> {
        let size = u64::try_from(bytes.len()).map_err(ClientError::corrupt)?;
        let chunk = u64::try_from(self.options.photo_chunk_bytes.max(1)).unwrap_or(u64::MAX);
        let Some((mut offset, complete)) = self.offset(sha256).await? else { return Ok(Upload::Later) };
        if complete {
            return Ok(Upload::Done);
        }
        let mut restarted = false;
        loop {
            // An offset past our size means the server holds another photo's bytes under this
            // name: start again, and let the hash check decide.
            if offset >= size {
                offset = 0;
            }
            let len = chunk.min(size - offset);
            let range = ContentRange::chunk(offset, len, size)
                .ok_or_else(|| ClientError::corrupt(format!("empty photo {sha256}")))?;
            let part = usize::try_from(offset)
                .ok()
                .zip(usize::try_from(offset + len).ok())
                .and_then(|(from, to)| bytes.get(from..to))
                .ok_or_else(|| ClientError::corrupt(format!("photo {sha256} range {range}")))?;
            let (transport, token) = (self.transport, self.token.clone());
            match self.call(|| transport.put_photo(&token, sha256, range, part)).await {
                Ok(answer) => {
                    self.report.photo_bytes_sent += len;
                    (self.progress)(&SyncEvent::PhotoProgress {
                        sha256: sha256.to_owned(),
                        received: answer.received,
                        size,
                    });
                    if answer.complete {
                        return Ok(Upload::Done);
                    }
                    if answer.received <= offset {
                        return Err(ClientError::BadResponse(format!(
                            "photo upload did not advance past {offset} of {size}"
                        )));
                    }
                    offset = answer.received;
                }
                Err(ClientError::Server { status: 409, .. }) => match self.offset(sha256).await? {
                    Some((_, true)) => return Ok(Upload::Done),
                    Some((received, false)) => offset = received,
                    None => return Ok(Upload::Later),
                },
                // The server discarded what it had; one more try from the start.
                Err(ClientError::Server { code, .. }) if code == "photo_hash_mismatch" && !restarted => {
                    restarted = true;
                    offset = 0;
                }
                Err(ClientError::Server { status: 404, .. }) => return Ok(Upload::Later),
                Err(ClientError::Server { status: 400..=499, code, .. }) => return Ok(Upload::Refused(code)),
                Err(other) => return Err(other),
            }
        }
    }

    /// Pulls the photos named in `wanted` (the caller leaves out those already here). A photo the
    /// server does not give (404) or that is not what its name says is skipped.
    pub(crate) async fn pull_photos(&mut self, wanted: &[String]) -> Result<()> {
        for sha256 in wanted {
            let (transport, token) = (self.transport, self.token.clone());
            let bytes = match self.call(|| transport.get_photo(&token, sha256)).await {
                Ok(bytes) => bytes,
                Err(ClientError::Server { status: 404, .. }) => continue,
                Err(other) => return Err(other),
            };
            let Ok(kind) = odf_domain::check_photo(&bytes, u64::MAX) else { continue };
            if photo_hash(&bytes) != *sha256 {
                tracing::warn!(%sha256, "pulled photo does not match its name; not kept");
                continue;
            }
            let size = u64::try_from(bytes.len()).unwrap_or(0);
            photos::keep(self.pool, self.home, sha256, bytes, kind.mime(), Origin::Pulled, Utc::now())
                .await?;
            self.report.photos_pulled += 1;
            (self.progress)(&SyncEvent::PhotoPulled { sha256: sha256.clone(), size });
        }
        Ok(())
    }
}
