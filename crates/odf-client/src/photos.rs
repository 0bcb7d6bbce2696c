//! Photos on the phone: [`Client::keep_photo`] keeps one taken here (checked, stored durably, named
//! by its SHA-256: the `photo_sha256` a [`crate::VisitDraft`] carries); `sync` uploads it once the
//! server holds its visit ([`crate::sync`]), resuming a cut upload where the server says it
//! stopped; a verifier's phone pulls the photos of its samples' households at sync.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use odf_domain::photo::DEFAULT_MAX_PHOTO_BYTES;
use odf_domain::{check_photo, photo_hash};
use odf_mobile_api::{ErrorCode, RecordProblem};
use serde::Serialize;

use crate::client::Client;
use crate::error::{ClientError, Result};
use crate::store::photos::{self, Origin, PhotoRow};
use crate::store::records;
use crate::verify::{self, VerificationState};

/// A photo on this phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhotoView {
    pub sha256: String,
    pub size: u64,
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub media_type: String,
    /// Taken on this phone (`true`) or pulled for a verification.
    pub own: bool,
    pub kept_at: DateTime<Utc>,
    /// When the server confirmed it holds the whole photo (own photos).
    pub uploaded_at: Option<DateTime<Utc>>,
    /// The server's code when it refused the photo for good (too large, not an image).
    pub refused: Option<String>,
}

impl From<PhotoRow> for PhotoView {
    fn from(row: PhotoRow) -> PhotoView {
        PhotoView {
            size: u64::try_from(row.size).unwrap_or(0),
            own: row.origin == "own",
            sha256: row.sha256,
            media_type: row.media_type,
            kept_at: row.kept_at,
            uploaded_at: row.uploaded_at,
            refused: row.refused_code,
        }
    }
}

/// A refusal of a photo by the domain's rule, as the invalid-record error the views already say.
fn refused(err: &odf_domain::PhotoError) -> ClientError {
    let code = ErrorCode::parse(err.code()).unwrap_or(ErrorCode::InvalidField);
    ClientError::invalid(RecordProblem { code, field: "photo", message: err.to_string() })
}

impl Client {
    /// Keeps a photo taken on this phone and returns its name (lowercase hex SHA-256), to put in a
    /// visit's `photo_sha256`. It must be a JPEG, PNG or WebP image (told by its first bytes) of at
    /// most 5 MiB; otherwise `Invalid` with `photo_type_unsupported` or `photo_too_large`. The
    /// photo is on disk when this returns; keeping the same photo again returns the same name and
    /// stores nothing new. It is uploaded by `sync` once the server holds a visit that names it.
    pub async fn keep_photo(&self, bytes: &[u8]) -> Result<String> {
        let kind = check_photo(bytes, DEFAULT_MAX_PHOTO_BYTES).map_err(|err| refused(&err))?;
        let sha256 = photo_hash(bytes);
        photos::keep(self.pool(), self.home(), &sha256, bytes.to_vec(), kind.mime(), Origin::Own, Utc::now())
            .await?;
        Ok(sha256)
    }

    /// The bytes of a photo on this phone (taken here or pulled), if it has them.
    pub async fn photo_bytes(&self, sha256: &str) -> Result<Option<Vec<u8>>> {
        if photos::row(self.pool(), sha256).await?.is_none() {
            return Ok(None);
        }
        photos::read(self.home(), sha256).await
    }

    /// One photo's state on this phone.
    pub async fn photo(&self, sha256: &str) -> Result<Option<PhotoView>> {
        Ok(photos::row(self.pool(), sha256).await?.map(PhotoView::from))
    }

    /// Every photo on this phone, oldest first.
    pub async fn photos(&self) -> Result<Vec<PhotoView>> {
        Ok(photos::rows(self.pool()).await?.into_iter().map(PhotoView::from).collect())
    }
}

impl Client {
    /// The photos a verifier's phone should hold and does not: those named by the visits of the
    /// sampled households of every verification still open (the sanitarians' visits show what
    /// the team should find; the team's own visits were taken here or on a teammate's phone).
    pub(crate) async fn sample_photos_missing(&self) -> Result<Vec<String>> {
        if self.user().await?.is_none_or(|user| user.role != "verifier") {
            return Ok(Vec::new());
        }
        let mut sampled = HashSet::new();
        for known in verify::known_all(self.pool(), None).await? {
            if matches!(known.state(), VerificationState::Open)
                && let Some(sample) = known.sample()?
            {
                sampled.extend(sample.household_ids);
            }
        }
        if sampled.is_empty() {
            return Ok(Vec::new());
        }
        let have: HashSet<String> =
            photos::rows(self.pool()).await?.into_iter().map(|row| row.sha256).collect();
        let mut wanted: Vec<String> = records::visits(self.pool(), None)
            .await?
            .into_iter()
            .filter(|visit| sampled.contains(&visit.household_id))
            .filter_map(|visit| visit.photo_sha256)
            .filter(|sha256| !have.contains(sha256))
            .collect();
        wanted.sort();
        wanted.dedup();
        Ok(wanted)
    }
}
