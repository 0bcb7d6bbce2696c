//! The store's one error type. Problems a caller can fix (a taken username, a disallowed status
//! change) are their own variants; everything else is `Database` and is a 5xx for the server.

use odf_domain::{AreaCode, TransitionError, VerificationError};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("nama pengguna {0:?} sudah dipakai (username taken)")]
    UsernameTaken(String),
    #[error("{what} {key} tidak ditemukan (not found)")]
    NotFound { what: &'static str, key: String },
    #[error("{0} bukan desa/kelurahan yang terdaftar (not a known village)")]
    UnknownVillage(AreaCode),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("konflik {0} sudah diselesaikan (conflict already resolved)")]
    AlreadyResolved(uuid::Uuid),
    /// A verification rule refused the step (team, sample, decision reasons).
    #[error(transparent)]
    Verification(#[from] VerificationError),
    #[error("verifikasi {0} sudah diputuskan (verification already decided)")]
    VerificationDecided(uuid::Uuid),
    #[error("kriteria masyarakat verifikasi {0} belum dicatat (community criteria not recorded yet)")]
    CommunityNotRecorded(uuid::Uuid),
    #[error("piagam {0} sudah dicabut (certificate already revoked)")]
    CertificateRevoked(uuid::Uuid),
    /// The certificate could not be made (number or contents); `code` is the stable machine code.
    #[error("{message}")]
    Certificate { code: &'static str, message: String },
    #[error("alamat basis data tidak sah: {0} (invalid database URL)")]
    InvalidUrl(String),
    #[error("data tersimpan rusak: {0} (corrupt stored data)")]
    Corrupt(String),
    #[error("kesalahan basis data (database error): {0}")]
    Database(#[from] sqlx::Error),
    #[error("migrasi gagal (migration failed): {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A backup or restore could not be made (target exists, not a file, backend without it).
    #[error("{0}")]
    Backup(String),
}

impl StoreError {
    /// A stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::UsernameTaken(_) => "username_taken",
            StoreError::NotFound { .. } => "not_found",
            StoreError::UnknownVillage(_) => "unknown_village",
            StoreError::Transition(err) => err.code(),
            StoreError::AlreadyResolved(_) => "already_resolved",
            StoreError::Verification(err) => err.code(),
            StoreError::VerificationDecided(_) => "verification_decided",
            StoreError::CommunityNotRecorded(_) => "community_not_recorded",
            StoreError::CertificateRevoked(_) => "certificate_revoked",
            StoreError::Certificate { code, .. } => code,
            StoreError::InvalidUrl(_) => "invalid_database_url",
            StoreError::Corrupt(_) => "corrupt_data",
            StoreError::Database(_) | StoreError::Migrate(_) => "database_error",
            StoreError::Backup(_) => "backup_failed",
        }
    }

    /// The database could not be reached (as opposed to refusing a statement): worth a retry.
    pub fn is_unavailable(&self) -> bool {
        matches!(
            self,
            StoreError::Database(
                sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::Io(_)
                    | sqlx::Error::Tls(_)
            )
        )
    }

    pub(crate) fn certificate(code: &'static str, message: impl std::fmt::Display) -> StoreError {
        StoreError::Certificate { code, message: message.to_string() }
    }

    pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
        StoreError::Corrupt(what.to_string())
    }
}
