//! Photos on the phone: files under `photos/` in the home folder named by their SHA-256, and one
//! `photos` row each (migration 0004).
//!
//! Durability: a photo is written to a temporary name, fsynced, renamed to its name and the folder
//! fsynced before its row is inserted, so a row always has its whole file; a crash before the row
//! leaves at most a file that the next `keep` of the same photo writes again.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use odf_domain::is_photo_hash;
use sqlx::SqlitePool;

use crate::error::{ClientError, Result};

/// Folder of the photo files inside the home folder.
pub const PHOTOS_DIR: &str = "photos";

/// Where a photo came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Taken on this phone: uploaded at sync.
    Own,
    /// Pulled from the server (a verifier's sample).
    Pulled,
}

impl Origin {
    fn as_str(self) -> &'static str {
        match self {
            Origin::Own => "own",
            Origin::Pulled => "pulled",
        }
    }
}

/// One photo's row.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PhotoRow {
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub origin: String,
    pub kept_at: DateTime<Utc>,
    pub uploaded_at: Option<DateTime<Utc>>,
    pub refused_code: Option<String>,
}

/// The file of photo `sha256` (a name checked by [`is_photo_hash`], so it cannot leave the folder).
pub fn path(home: &Path, sha256: &str) -> Result<PathBuf> {
    if !is_photo_hash(sha256) {
        return Err(ClientError::corrupt(format!("not a photo name: {sha256:?}")));
    }
    Ok(home.join(PHOTOS_DIR).join(sha256))
}

fn home_error(path: &Path, source: std::io::Error) -> ClientError {
    ClientError::Home { path: path.display().to_string(), source }
}

/// Writes the file durably (temporary name, fsync, rename, fsync of the folder).
fn write_file(home: &Path, sha256: &str, bytes: &[u8]) -> Result<()> {
    let target = path(home, sha256)?;
    let dir = home.join(PHOTOS_DIR);
    std::fs::create_dir_all(&dir).map_err(|err| home_error(&dir, err))?;
    let temp = dir.join(format!(".{sha256}.part"));
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, &target)?;
        // The rename itself must reach the disk too.
        #[cfg(unix)]
        std::fs::File::open(&dir)?.sync_all()?;
        Ok(())
    })();
    written.map_err(|err| {
        let _ = std::fs::remove_file(&temp);
        home_error(&target, err)
    })
}

/// Keeps a photo whose name, size and type were checked by the caller. Keeping a photo the phone
/// already has changes nothing (an own photo stays own).
pub async fn keep(
    pool: &SqlitePool,
    home: &Path,
    sha256: &str,
    bytes: Vec<u8>,
    media_type: &str,
    origin: Origin,
    now: DateTime<Utc>,
) -> Result<()> {
    if row(pool, sha256).await?.is_some() && path(home, sha256)?.exists() {
        return Ok(());
    }
    let size = i64::try_from(bytes.len()).map_err(ClientError::corrupt)?;
    let (home_dir, name) = (home.to_path_buf(), sha256.to_owned());
    tokio::task::spawn_blocking(move || write_file(&home_dir, &name, &bytes))
        .await
        .map_err(ClientError::corrupt)??;
    sqlx::query(
        "INSERT INTO photos (sha256, size, media_type, origin, kept_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(sha256)
    .bind(size)
    .bind(media_type)
    .bind(origin.as_str())
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn row(pool: &SqlitePool, sha256: &str) -> Result<Option<PhotoRow>> {
    Ok(sqlx::query_as("SELECT * FROM photos WHERE sha256 = $1").bind(sha256).fetch_optional(pool).await?)
}

pub async fn rows(pool: &SqlitePool) -> Result<Vec<PhotoRow>> {
    Ok(sqlx::query_as("SELECT * FROM photos ORDER BY kept_at, sha256").fetch_all(pool).await?)
}

/// The bytes of a photo the phone holds.
pub async fn read(home: &Path, sha256: &str) -> Result<Option<Vec<u8>>> {
    let file = path(home, sha256)?;
    let read = tokio::task::spawn_blocking(move || match std::fs::read(&file) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(home_error(&file, err)),
    });
    read.await.map_err(ClientError::corrupt)?
}

/// Own photos to upload: not confirmed nor refused, named by a visit the server holds (a photo
/// whose visit is still in the outbox, or was refused, waits: the server takes only photos that a
/// visit in the uploader's scope names). Oldest first.
pub async fn to_upload(pool: &SqlitePool) -> Result<Vec<PhotoRow>> {
    Ok(sqlx::query_as(
        "SELECT p.* FROM photos p WHERE p.origin = 'own' AND p.uploaded_at IS NULL \
         AND p.refused_code IS NULL AND EXISTS (SELECT 1 FROM visits v \
             WHERE v.synced_at IS NOT NULL AND json_extract(v.data, '$.photo_sha256') = p.sha256) \
         ORDER BY p.kept_at, p.sha256",
    )
    .fetch_all(pool)
    .await?)
}

pub async fn mark_uploaded(pool: &SqlitePool, sha256: &str, now: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE photos SET uploaded_at = $1 WHERE sha256 = $2")
        .bind(now)
        .bind(sha256)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn mark_refused(pool: &SqlitePool, sha256: &str, code: &str) -> Result<()> {
    sqlx::query("UPDATE photos SET refused_code = $1 WHERE sha256 = $2")
        .bind(code)
        .bind(sha256)
        .execute(pool)
        .await?;
    Ok(())
}
