//! One sync at a time per home folder. A phone app runs a background sync and a person taps "sync";
//! two `odf-field sync` runs overlap. Without this both send the same outbox entries, the first to
//! be answered removes them, and the other finds its answers for nothing it still holds.
//!
//! The lock is an OS file lock (`flock` on Linux and Android) on `sync.lock` in the home folder: it
//! is held by an open file, so a crashed process never leaves it behind, and two `Client`s of one
//! process exclude each other like two processes do.
//!
//! `File::lock`/`try_lock` are std since Rust 1.89, newer than the workspace's declared minimum
//! (1.85); the build toolchain has them. Raising the workspace minimum would switch on newer lints
//! across every crate, so the two calls are allowed here instead.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;

use crate::error::{ClientError, Result};

/// File name of the lock inside the home folder.
pub const LOCK_FILE: &str = "sync.lock";

/// Held while a sync (push or pull) runs; dropping it lets the next one start.
#[derive(Debug)]
pub struct SyncLock {
    _file: File,
}

fn open(home: &Path) -> Result<File> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(home.join(LOCK_FILE))
        .map_err(|source| ClientError::Home { path: home.display().to_string(), source })
}

impl SyncLock {
    /// Takes the lock if no other sync holds it; `Ok(None)` when one does.
    pub fn try_acquire(home: &Path) -> Result<Option<SyncLock>> {
        let file = open(home)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(SyncLock { _file: file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(source)) => {
                Err(ClientError::Home { path: home.display().to_string(), source })
            }
        }
    }

    /// Waits until the other sync ends, off the async threads (the wait blocks in the OS).
    pub async fn wait(home: &Path) -> Result<SyncLock> {
        let file = open(home)?;
        let path = home.display().to_string();
        tokio::task::spawn_blocking(move || file.lock().map(|()| SyncLock { _file: file }))
            .await
            .map_err(|err| ClientError::corrupt(format!("sync lock: {err}")))?
            .map_err(|source| ClientError::Home { path, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_lock_on_one_folder_waits_for_the_first() {
        let home = tempfile::tempdir().unwrap();
        let first = SyncLock::try_acquire(home.path()).unwrap().expect("free");
        assert!(SyncLock::try_acquire(home.path()).unwrap().is_none(), "held by the first");
        let other = tempfile::tempdir().unwrap();
        assert!(SyncLock::try_acquire(other.path()).unwrap().is_some(), "another folder is free");
        let waiting = tokio::spawn({
            let home = home.path().to_path_buf();
            async move { SyncLock::wait(&home).await }
        });
        drop(first);
        waiting.await.unwrap().expect("taken once the first is dropped");
    }
}
