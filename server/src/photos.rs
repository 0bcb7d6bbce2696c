//! Receiving photos: the upload protocol of `/v1/photos/{sha256}` (described in
//! `odf_mobile_api::photos`) over any [`PhotoStore`], so it is written once whatever holds the
//! bytes. The routes are in `crate::routes::photos`; who may touch a photo is decided there, from
//! the visits that name it.
//!
//! One upload of a photo at a time: chunks of the same photo (two phones sending the same photo,
//! or a retry racing a request still running) are serialised by a per-photo lock, so the offset a
//! chunk was checked against is still the offset when it is written.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use odf_domain::photo::SNIFF_LEN;
use odf_domain::{PhotoKind, check_photo, photo_hash};
use odf_mobile_api::{ContentRange, ErrorCode, PhotoUploadDto};
use odf_store::{FsPhotoStore, Held, MemoryPhotoStore, PhotoStore};

use crate::app::ServerConfig;
use crate::error::ApiError;

/// The photo store with its limits and per-photo locks. Cheap to share (`AppState` holds one).
#[derive(Debug)]
pub struct Photos {
    store: Arc<dyn PhotoStore>,
    max_bytes: u64,
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

/// Where an upload stands after a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub received: u64,
    pub size: u64,
    pub complete: bool,
    /// This chunk completed the photo (answered 201).
    pub completed_now: bool,
}

/// What [`Photos::start`] found.
#[derive(Debug)]
pub enum Start {
    /// The photo is held whole already.
    Complete(Progress),
    /// Go on with [`Photos::write`].
    Receive(Receiving),
}

/// A chunk being received, holding the photo's lock.
#[derive(Debug)]
pub struct Receiving {
    _guard: tokio::sync::OwnedMutexGuard<()>,
    name: String,
    /// Bytes held when the chunk began.
    pub held: u64,
    pub range: ContentRange,
}

impl Progress {
    pub fn dto(&self, sha256: &str) -> PhotoUploadDto {
        PhotoUploadDto {
            sha256: sha256.to_owned(),
            received: self.received,
            size: self.size,
            complete: self.complete,
        }
    }
}

fn io_error(err: &std::io::Error) -> ApiError {
    ApiError::internal(format!("photo store: {err}"))
}

pub fn too_large(size: u64, max: u64) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::PhotoTooLarge,
        format!("Foto paling besar {max} byte, yang ini {size} byte (photo too large)"),
    )
}

fn unsupported_type() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorCode::PhotoTypeUnsupported,
        "Foto harus JPEG, PNG atau WebP (photo must be a JPEG, PNG or WebP image)",
    )
}

/// A chunk that starts after the bytes held; the answer carries `Upload-Offset` (see the route).
pub fn offset_mismatch(held: u64) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        ErrorCode::PhotoOffsetMismatch,
        format!("Server baru menerima {held} byte foto ini; lanjutkan dari sana (resume from byte {held})"),
    )
}

impl Photos {
    /// Files under `config.photo_dir`, or memory when there is none.
    pub fn open(config: &ServerConfig) -> Result<Photos, String> {
        let store: Arc<dyn PhotoStore> = match &config.photo_dir {
            Some(dir) => Arc::new(
                FsPhotoStore::open(dir)
                    .map_err(|err| format!("folder foto {} (photo folder): {err}", dir.display()))?,
            ),
            None => Arc::new(MemoryPhotoStore::default()),
        };
        Ok(Photos { store, max_bytes: config.max_photo_bytes, locks: Mutex::default() })
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// Bytes held of `name` and whether that is the whole photo.
    pub async fn held(&self, name: &str) -> Result<(u64, bool), ApiError> {
        match self.store.held(name).await.map_err(|err| io_error(&err))? {
            Held::Nothing => Ok((0, false)),
            Held::Partial(n) => Ok((n, false)),
            Held::Complete(n) => Ok((n, true)),
        }
    }

    /// The whole photo and its type, if held.
    pub async fn read(&self, name: &str) -> Result<Option<(Vec<u8>, PhotoKind)>, ApiError> {
        let Some(bytes) = self.store.read(name).await.map_err(|err| io_error(&err))? else {
            return Ok(None);
        };
        // Only checked photos are committed, so this holds unless the folder was tampered with.
        let kind =
            PhotoKind::sniff(&bytes).ok_or_else(|| ApiError::internal("stored photo of unknown type"))?;
        Ok(Some((bytes, kind)))
    }

    fn lock_of(&self, name: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Forget locks nobody holds, so the map does not grow with every photo ever sent.
        locks.retain(|_, lock| Arc::strong_count(lock) > 1);
        Arc::clone(locks.entry(name.to_owned()).or_default())
    }

    /// Begins receiving one chunk of `name`, `range` as the request declared it: checks the size
    /// limit and the offset, and holds the photo's lock until [`Photos::write`] is done. A photo
    /// held whole is answered at once (content-addressed: it is this name's bytes, whatever the
    /// request declares).
    pub async fn start(&self, name: &str, range: ContentRange) -> Result<Start, ApiError> {
        if range.size > self.max_bytes {
            return Err(too_large(range.size, self.max_bytes));
        }
        let guard = self.lock_of(name).lock_owned().await;
        let (mut held, complete) = self.held(name).await?;
        if complete {
            return Ok(Start::Complete(Progress {
                received: held,
                size: held,
                complete: true,
                completed_now: false,
            }));
        }
        if held > range.size {
            // Left by an upload that declared another size: it cannot be this photo's prefix.
            self.discard(name).await?;
            held = 0;
        }
        if range.start > held {
            return Err(offset_mismatch(held));
        }
        Ok(Start::Receive(Receiving { _guard: guard, name: name.to_owned(), held, range }))
    }

    /// Writes what arrived of the chunk (`body`; `cut` is the error of a connection that gave out
    /// before the chunk's end: the bytes before it are kept, and the error returned). Checks the
    /// type as soon as the first bytes are held and the hash once the last byte is.
    pub async fn write(
        &self,
        receiving: Receiving,
        body: &[u8],
        cut: Option<ApiError>,
    ) -> Result<Progress, ApiError> {
        let Receiving { name, mut held, range, .. } = receiving;
        let name = name.as_str();
        let body_len = u64::try_from(body.len()).unwrap_or(u64::MAX);
        if body_len > range.len() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidContentRange,
                format!("Isi lebih panjang dari Content-Range {range} (body longer than its range)"),
            ));
        }
        // Bytes before `held` are already here: a chunk sent again after a lost answer.
        let skip = usize::try_from(held - range.start).unwrap_or(usize::MAX);
        if let Some(new) = body.get(skip..).filter(|new| !new.is_empty()) {
            let before = held;
            held = self.store.append(name, held, new).await.map_err(|err| io_error(&err))?;
            let sniff = SNIFF_LEN as u64;
            if before < sniff && (held >= sniff || held == range.size) {
                self.check_type(name).await?;
            }
        }
        if let Some(cut) = cut {
            return Err(cut);
        }
        if held < range.size {
            return Ok(Progress { received: held, size: range.size, complete: false, completed_now: false });
        }
        self.finish(name, range.size).await?;
        Ok(Progress { received: held, size: range.size, complete: true, completed_now: true })
    }

    async fn discard(&self, name: &str) -> Result<(), ApiError> {
        self.store.discard(name).await.map_err(|err| io_error(&err))
    }

    /// Refuses (and drops) an upload whose first bytes are no accepted image type.
    async fn check_type(&self, name: &str) -> Result<(), ApiError> {
        let bytes = self.store.partial(name).await.map_err(|err| io_error(&err))?;
        if PhotoKind::sniff(&bytes).is_none() {
            self.discard(name).await?;
            return Err(unsupported_type());
        }
        Ok(())
    }

    /// The last byte is here: the whole photo must be an accepted image within the limit and hash
    /// to its name, or it is dropped.
    async fn finish(&self, name: &str, size: u64) -> Result<(), ApiError> {
        let bytes = self.store.partial(name).await.map_err(|err| io_error(&err))?;
        if let Err(err) = check_photo(&bytes, self.max_bytes.min(size)) {
            self.discard(name).await?;
            return Err(match err {
                odf_domain::PhotoError::TooLarge { size, max } => too_large(size, max),
                _ => unsupported_type(),
            });
        }
        if photo_hash(&bytes) != name {
            self.discard(name).await?;
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::PhotoHashMismatch,
                "Isi foto tidak cocok dengan SHA-256 namanya; kirim ulang dari awal \
                 (the bytes do not hash to the photo's name; send it again from the start)",
            ));
        }
        self.store.commit(name).await.map_err(|err| io_error(&err))
    }
}
