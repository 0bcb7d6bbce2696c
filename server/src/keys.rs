//! The server's certificate signing key and where it lives.
//!
//! The key is 32 secret Ed25519 bytes in `<data dir>/certificate-signing.key`, made on first start
//! and read on every later one, so certificates issued before a restart still verify after it. The
//! file is created readable and writable by the server's user only (0600, in a 0700 directory when
//! the server makes the directory): whoever reads it can forge certificates. It is written under a
//! temporary name and then linked into place, so a crash never leaves a half-written key, and two
//! servers starting at once end up with the same key.

use std::io::Write;
use std::path::{Path, PathBuf};

use odf_certificate::{KeyError, Signer};
use odf_store::DatabaseUrl;
use thiserror::Error;

/// The key file's name inside the data directory.
pub const KEY_FILE: &str = "certificate-signing.key";
/// The public check's base address when none is configured.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";
/// The data directory's name when none is configured.
pub const DEFAULT_DATA_DIR: &str = "odf-data";

#[derive(Debug, Error)]
pub enum KeyFileError {
    #[error("berkas kunci {path}: {source} (key file I/O error)")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("berkas kunci {path} rusak: {source} (key file is invalid)")]
    Invalid { path: PathBuf, source: KeyError },
    #[error(transparent)]
    Generate(#[from] KeyError),
    /// A key command that cannot be carried out as asked (see [`crate::keyring`]).
    #[error("{0}")]
    Refused(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> KeyFileError + '_ {
    move |source| KeyFileError::Io { path: path.to_path_buf(), source }
}

/// The data directory when none is configured (`data_dir`, `--data-dir`): `odf-data` beside the
/// SQLite file, or `./odf-data` for PostgreSQL (or a URL that does not parse).
pub fn default_data_dir(database_url: &str) -> PathBuf {
    let url = DatabaseUrl::parse(database_url).ok();
    let beside = url.as_ref().and_then(|u| u.sqlite_path()).and_then(|p| Path::new(p).parent());
    match beside {
        Some(dir) => dir.join(DEFAULT_DATA_DIR),
        None => PathBuf::from(DEFAULT_DATA_DIR),
    }
}

/// Reads the signing key from `dir`, or makes one there when there is none yet.
pub fn load_or_create(dir: &Path) -> Result<Signer, KeyFileError> {
    if !dir.exists() {
        create_private_dir(dir)?;
    }
    let path = dir.join(KEY_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => {
            warn_if_readable_by_others(&path);
            Signer::from_secret_slice(&bytes).map_err(|source| KeyFileError::Invalid { path, source })
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => create(dir, &path),
        Err(err) => Err(io(&path)(err)),
    }
}

fn create(dir: &Path, path: &Path) -> Result<Signer, KeyFileError> {
    let signer = Signer::generate()?;
    let temporary = dir.join(format!("{KEY_FILE}.tmp-{}", std::process::id()));
    let mut secret = signer.secret_bytes();
    let written = write_private(&temporary, &secret);
    secret.fill(0);
    written.map_err(io(&temporary))?;
    // A hard link never replaces an existing file: if another process made the key meanwhile, its
    // key wins and this one is thrown away.
    let linked = std::fs::hard_link(&temporary, path);
    let _ = std::fs::remove_file(&temporary);
    match linked {
        Ok(()) => {
            sync_dir(dir);
            tracing::info!(path = %path.display(), public_key = %signer.public_key(), "created certificate signing key");
            Ok(signer)
        }
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            let bytes = std::fs::read(path).map_err(io(path))?;
            Signer::from_secret_slice(&bytes)
                .map_err(|source| KeyFileError::Invalid { path: path.to_path_buf(), source })
        }
        Err(err) => Err(io(path)(err)),
    }
}

pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn create_private_dir(dir: &Path) -> Result<(), KeyFileError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(io(dir))
}

/// Makes the new directory entry durable; best effort (not every platform can open a directory).
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(handle) = std::fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}

fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(path = %path.display(), "certificate signing key is readable by other users; chmod 600 it");
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_made_once_kept_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let first = load_or_create(&data).unwrap();
        let again = load_or_create(&data).unwrap();
        assert_eq!(first.public_key(), again.public_key());
        let bytes = std::fs::read(data.join(KEY_FILE)).unwrap();
        assert_eq!(bytes.len(), 32);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(data.join(KEY_FILE)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let dir_mode = std::fs::metadata(&data).unwrap().permissions().mode();
            assert_eq!(dir_mode & 0o777, 0o700);
        }
        // Only the key file remains: the temporary name is gone.
        assert_eq!(std::fs::read_dir(&data).unwrap().count(), 1);
    }

    #[test]
    fn a_damaged_key_file_is_an_error_not_a_new_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(KEY_FILE), b"short").unwrap();
        let err = load_or_create(dir.path()).unwrap_err();
        assert!(matches!(err, KeyFileError::Invalid { .. }), "{err}");
        assert_eq!(std::fs::read(dir.path().join(KEY_FILE)).unwrap(), b"short");
    }

    #[test]
    fn the_default_data_dir_sits_beside_the_sqlite_file() {
        assert_eq!(default_data_dir("sqlite:///srv/odf/odf.db"), PathBuf::from("/srv/odf/odf-data"));
        assert_eq!(default_data_dir("sqlite://demo.db"), PathBuf::from("odf-data"));
        assert_eq!(default_data_dir("postgres://u@h/db"), PathBuf::from("odf-data"));
    }
}
