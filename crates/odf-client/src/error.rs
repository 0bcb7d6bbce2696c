//! The one error type of the client core. Messages are Bahasa Indonesia first with English in
//! brackets, like the domain's; an app that shows its own text matches on the variant instead.

use odf_domain::AreaCode;
use odf_mobile_api::RecordProblem;
use thiserror::Error;
use uuid::Uuid;

use crate::transport::TransportError;

#[derive(Debug, Error)]
pub enum ClientError {
    #[error("basis data lokal: {0} (local database error)")]
    Db(#[from] sqlx::Error),
    #[error("migrasi basis data lokal gagal: {0} (local database migration failed)")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("folder data {path}: {source} (data folder error)")]
    Home { path: String, source: std::io::Error },
    /// A record that breaks the same rules the server checks; `problem.code` is the wire code.
    #[error("{} ({}): {}", problem.field, problem.code, problem.message)]
    Invalid { problem: RecordProblem },
    #[error("rumah tangga {0} tidak ada di HP ini (no such household on this phone)")]
    UnknownHousehold(String),
    #[error(
        "id {fragment:?} cocok dengan {count} rumah tangga; tulis lebih lengkap (ambiguous household id)"
    )]
    AmbiguousHousehold { fragment: String, count: usize },
    #[error("desa {0} di luar wilayah tugas Anda (village outside your assignment)")]
    OutOfScope(AreaCode),
    #[error(
        "belum ada pengguna di folder data ini; jalankan login dulu (no user set up in this data folder)"
    )]
    NoUser,
    #[error(
        "folder data ini milik {existing}, bukan {requested}; pakai folder data lain (this data folder belongs to another user)"
    )]
    OtherUser { existing: String, requested: String },
    #[error("belum login; jalankan login dulu (not logged in)")]
    NotLoggedIn,
    #[error("sesi berakhir atau ditolak server; login lagi (session expired or revoked: log in again)")]
    SessionExpired,
    #[error("server menolak permintaan ({status} {code}): {message}")]
    Server { status: u16, code: String, message: String },
    #[error("tidak dapat menghubungi server setelah {attempts} percobaan: {last} (server unreachable)")]
    Unreachable { attempts: u32, last: String },
    #[error("jawaban server tidak dapat dibaca: {0} (unreadable server response)")]
    BadResponse(String),
    #[error("alamat server {0:?} tidak sah (invalid server URL)")]
    BadServerUrl(String),
    #[error("data lokal rusak: {0} (corrupt local data)")]
    Corrupt(String),
    #[error("catatan {0} tidak ada di kotak keluar (no such outbox entry)")]
    NotInOutbox(Uuid),
    /// A village action the rules refuse on this phone, before anything is saved. `code` is the
    /// server's code for the same refusal (`not_eligible`, `transition_not_allowed`, `team_size_even`,
    /// ...) or, for what only a phone can run into, `decision_pending` and `sample_not_pulled`.
    #[error("{message}")]
    Refused { code: &'static str, message: String },
    #[error("verifikasi {0} tidak ada di HP ini; jalankan sync (no such verification on this phone)")]
    UnknownVerification(Uuid),
}

impl ClientError {
    pub(crate) fn invalid(problem: RecordProblem) -> ClientError {
        ClientError::Invalid { problem }
    }

    pub(crate) fn corrupt(what: impl std::fmt::Display) -> ClientError {
        ClientError::Corrupt(what.to_string())
    }

    pub(crate) fn refused(code: &'static str, message: impl Into<String>) -> ClientError {
        ClientError::Refused { code, message: message.into() }
    }

    /// A stable machine code for every error, for apps that show their own text: the wire code
    /// where the server has one for the same problem.
    pub fn code(&self) -> &str {
        match self {
            ClientError::Db(_) | ClientError::Migrate(_) | ClientError::Home { .. } => "local_storage",
            ClientError::Invalid { problem } => problem.code.as_str(),
            ClientError::UnknownHousehold(_) => "unknown_household",
            ClientError::AmbiguousHousehold { .. } => "ambiguous_household",
            ClientError::OutOfScope(_) => "out_of_scope",
            ClientError::NoUser => "no_user",
            ClientError::OtherUser { .. } => "other_user",
            ClientError::NotLoggedIn => "not_logged_in",
            ClientError::SessionExpired => "session_expired",
            ClientError::Server { code, .. } => code,
            ClientError::Unreachable { .. } => "unreachable",
            ClientError::BadResponse(_) => "bad_response",
            ClientError::BadServerUrl(_) => "bad_server_url",
            ClientError::Corrupt(_) => "corrupt_local_data",
            ClientError::NotInOutbox(_) => "not_in_outbox",
            ClientError::Refused { code, .. } => code,
            ClientError::UnknownVerification(_) => "unknown_verification",
        }
    }

    /// Whether retrying later (with a network) may succeed, as opposed to a person having to act.
    pub fn is_transient(&self) -> bool {
        matches!(self, ClientError::Unreachable { .. })
    }
}

/// Turns a transport failure that the retry loop gave up on (or must not retry) into a client error.
impl From<TransportError> for ClientError {
    fn from(err: TransportError) -> ClientError {
        match err {
            TransportError::Network(last) => ClientError::Unreachable { attempts: 1, last },
            TransportError::Status { status: 401, .. } => ClientError::SessionExpired,
            TransportError::Status { status, error, .. } => {
                let (code, message) = match error {
                    Some(detail) => (detail.code, detail.message),
                    None => ("http".to_owned(), format!("HTTP {status}")),
                };
                ClientError::Server { status, code, message }
            }
            TransportError::BadResponse(text) => ClientError::BadResponse(text),
            TransportError::BadUrl(url) => ClientError::BadServerUrl(url),
        }
    }
}

pub type Result<T, E = ClientError> = std::result::Result<T, E>;
