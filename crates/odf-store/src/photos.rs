//! Where photo bytes live: one trait, [`PhotoStore`], and its filesystem implementation,
//! [`FsPhotoStore`]. Object storage (S3 and the like) can follow as a second implementation: the
//! upload protocol (`/v1/photos`, in the server) only asks a store to hold a partial upload, append
//! at an offset, hand the partial back for checking, and commit or discard it.
//!
//! Photos are content-addressed: the name is the lowercase hex SHA-256 of the bytes
//! (`odf_domain::photo`), checked by the caller before anything is stored, so a stored photo never
//! changes and the same photo is stored once. Who may read a photo is the database's business
//! ([`crate::Ingest::photo_villages`]), not the photo store's.

use std::fmt::Debug;
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use odf_domain::is_photo_hash;

/// What a store holds of one photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Held {
    Nothing,
    /// An upload in progress: this many bytes from the start.
    Partial(u64),
    /// The whole photo, of this size.
    Complete(u64),
}

/// Bytes of photos, by name. Every method takes a name checked by `odf_domain::is_photo_hash`
/// (implementations refuse any other, so a name can never become a path outside the store).
#[async_trait]
pub trait PhotoStore: Send + Sync + Debug {
    async fn held(&self, name: &str) -> std::io::Result<Held>;
    /// Writes `bytes` at `offset` of the partial upload (which must hold at least `offset` bytes;
    /// anything after `offset` is dropped first), durably, and returns the partial's new length.
    async fn append(&self, name: &str, offset: u64, bytes: &[u8]) -> std::io::Result<u64>;
    /// The partial upload's bytes, to check before committing.
    async fn partial(&self, name: &str) -> std::io::Result<Vec<u8>>;
    /// Makes the partial upload the photo, atomically: readers see the whole photo or none.
    async fn commit(&self, name: &str) -> std::io::Result<()>;
    /// Drops the partial upload (a failed hash or type check).
    async fn discard(&self, name: &str) -> std::io::Result<()>;
    /// The whole photo, if held.
    async fn read(&self, name: &str) -> std::io::Result<Option<Vec<u8>>>;
}

/// Photos as files: `{dir}/{first two hex digits}/{name}` (256 folders, so none grows past a few
/// thousand files), uploads in progress under `{dir}/partial/{name}`. Durable: every append is
/// fsynced before it is acknowledged, and a commit fsyncs the file, renames it into place and
/// fsyncs both folders.
#[derive(Debug, Clone)]
pub struct FsPhotoStore {
    dir: PathBuf,
}

fn bad_name(name: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("not a photo name: {name:?}"))
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

fn len_of(path: &Path) -> std::io::Result<Option<u64>> {
    match std::fs::metadata(path) {
        Ok(meta) => Ok(Some(meta.len())),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err),
    }
}

impl FsPhotoStore {
    /// A store in `dir` (created when missing).
    pub fn open(dir: &Path) -> std::io::Result<FsPhotoStore> {
        std::fs::create_dir_all(dir.join("partial"))?;
        Ok(FsPhotoStore { dir: dir.to_path_buf() })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn photo_path(&self, name: &str) -> std::io::Result<PathBuf> {
        if !is_photo_hash(name) {
            return Err(bad_name(name));
        }
        Ok(self.dir.join(&name[..2]).join(name))
    }

    fn partial_path(&self, name: &str) -> std::io::Result<PathBuf> {
        if !is_photo_hash(name) {
            return Err(bad_name(name));
        }
        Ok(self.dir.join("partial").join(name))
    }

    /// Runs file work off the async threads.
    async fn blocking<R: Send + 'static>(
        work: impl FnOnce() -> std::io::Result<R> + Send + 'static,
    ) -> std::io::Result<R> {
        tokio::task::spawn_blocking(work).await.map_err(std::io::Error::other)?
    }
}

#[async_trait]
impl PhotoStore for FsPhotoStore {
    async fn held(&self, name: &str) -> std::io::Result<Held> {
        let (photo, partial) = (self.photo_path(name)?, self.partial_path(name)?);
        Self::blocking(move || {
            if let Some(size) = len_of(&photo)? {
                return Ok(Held::Complete(size));
            }
            Ok(len_of(&partial)?.map_or(Held::Nothing, Held::Partial))
        })
        .await
    }

    async fn append(&self, name: &str, offset: u64, bytes: &[u8]) -> std::io::Result<u64> {
        let partial = self.partial_path(name)?;
        let bytes = bytes.to_vec();
        Self::blocking(move || {
            let mut file =
                std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&partial)?;
            let len = file.metadata()?.len();
            if len < offset {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("append at {offset} past the partial's {len} bytes"),
                ));
            }
            file.set_len(offset)?;
            file.seek(SeekFrom::Start(offset))?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            if len == 0
                && let Some(parent) = partial.parent()
            {
                sync_dir(parent)?;
            }
            file.metadata().map(|m| m.len())
        })
        .await
    }

    async fn partial(&self, name: &str) -> std::io::Result<Vec<u8>> {
        let partial = self.partial_path(name)?;
        Self::blocking(move || std::fs::read(partial)).await
    }

    async fn commit(&self, name: &str) -> std::io::Result<()> {
        let (photo, partial) = (self.photo_path(name)?, self.partial_path(name)?);
        Self::blocking(move || {
            let folder = photo.parent().ok_or_else(|| bad_name("(no folder)"))?.to_path_buf();
            std::fs::create_dir_all(&folder)?;
            std::fs::File::open(&partial)?.sync_all()?;
            std::fs::rename(&partial, &photo)?;
            sync_dir(&folder)?;
            if let Some(parent) = partial.parent() {
                sync_dir(parent)?;
            }
            Ok(())
        })
        .await
    }

    async fn discard(&self, name: &str) -> std::io::Result<()> {
        let partial = self.partial_path(name)?;
        Self::blocking(move || match std::fs::remove_file(&partial) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err),
            _ => Ok(()),
        })
        .await
    }

    async fn read(&self, name: &str) -> std::io::Result<Option<Vec<u8>>> {
        let photo = self.photo_path(name)?;
        Self::blocking(move || match std::fs::read(&photo) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(err),
        })
        .await
    }
}

/// Photos in memory, lost at exit: for tests and demos (a server without a data directory, like
/// its in-memory signing key).
#[derive(Debug, Default)]
pub struct MemoryPhotoStore {
    /// Name to (bytes, complete).
    photos: std::sync::Mutex<std::collections::HashMap<String, (Vec<u8>, bool)>>,
}

impl MemoryPhotoStore {
    fn with<R>(
        &self,
        name: &str,
        work: impl FnOnce(&mut std::collections::HashMap<String, (Vec<u8>, bool)>) -> std::io::Result<R>,
    ) -> std::io::Result<R> {
        if !is_photo_hash(name) {
            return Err(bad_name(name));
        }
        let mut photos = self.photos.lock().map_err(|_| std::io::Error::other("photo map poisoned"))?;
        work(&mut photos)
    }
}

#[async_trait]
impl PhotoStore for MemoryPhotoStore {
    async fn held(&self, name: &str) -> std::io::Result<Held> {
        self.with(name, |photos| {
            Ok(match photos.get(name) {
                None => Held::Nothing,
                Some((bytes, true)) => Held::Complete(bytes.len() as u64),
                Some((bytes, false)) => Held::Partial(bytes.len() as u64),
            })
        })
    }

    async fn append(&self, name: &str, offset: u64, bytes: &[u8]) -> std::io::Result<u64> {
        self.with(name, |photos| {
            let (held, _) = photos.entry(name.to_owned()).or_default();
            let at = usize::try_from(offset).map_err(std::io::Error::other)?;
            if held.len() < at {
                return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "append past the end"));
            }
            held.truncate(at);
            held.extend_from_slice(bytes);
            Ok(held.len() as u64)
        })
    }

    async fn partial(&self, name: &str) -> std::io::Result<Vec<u8>> {
        self.with(name, |photos| match photos.get(name) {
            Some((bytes, false)) => Ok(bytes.clone()),
            _ => Err(std::io::ErrorKind::NotFound.into()),
        })
    }

    async fn commit(&self, name: &str) -> std::io::Result<()> {
        self.with(name, |photos| match photos.get_mut(name) {
            Some((_, complete)) => {
                *complete = true;
                Ok(())
            }
            None => Err(std::io::ErrorKind::NotFound.into()),
        })
    }

    async fn discard(&self, name: &str) -> std::io::Result<()> {
        self.with(name, |photos| {
            if photos.get(name).is_some_and(|(_, complete)| !complete) {
                photos.remove(name);
            }
            Ok(())
        })
    }

    async fn read(&self, name: &str) -> std::io::Result<Option<Vec<u8>>> {
        self.with(name, |photos| {
            Ok(photos.get(name).filter(|(_, complete)| *complete).map(|(b, _)| b.clone()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: &str = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

    #[tokio::test]
    async fn an_upload_is_appended_committed_and_read_back() {
        let dir = std::env::temp_dir().join(format!("odf-photos-{}", uuid::Uuid::now_v7()));
        let store = FsPhotoStore::open(&dir).unwrap();
        assert_eq!(store.held(NAME).await.unwrap(), Held::Nothing);
        assert_eq!(store.append(NAME, 0, b"ab").await.unwrap(), 2);
        assert_eq!(store.append(NAME, 1, b"bc").await.unwrap(), 3, "an overlap rewrites from the offset");
        assert!(store.append(NAME, 9, b"x").await.is_err(), "never past the bytes held");
        assert_eq!(store.held(NAME).await.unwrap(), Held::Partial(3));
        assert_eq!(store.partial(NAME).await.unwrap(), b"abc");
        assert_eq!(store.read(NAME).await.unwrap(), None, "not readable before the commit");
        store.commit(NAME).await.unwrap();
        assert_eq!(store.held(NAME).await.unwrap(), Held::Complete(3));
        assert_eq!(store.read(NAME).await.unwrap().as_deref(), Some(&b"abc"[..]));
        assert!(dir.join("ba").join(NAME).exists());
        assert!(store.read("../../etc/passwd").await.is_err());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
