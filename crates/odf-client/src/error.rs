//! The one error type of the client core. Its messages come from the catalogue ([`crate::i18n`]),
//! in the language asked for, with the technical cause on a separate detail line; an app that
//! shows its own text matches on the variant or on [`ClientError::code`] instead.

use odf_domain::AreaCode;
use odf_mobile_api::RecordProblem;
use uuid::Uuid;

use crate::i18n::{self, Lang};
use crate::transport::TransportError;

/// Every way a client call can fail. [`ClientError::message`] says it in one language (from
/// [`crate::i18n`]) and [`ClientError::detail`] gives the technical cause for a separate line;
/// `Display` is the Indonesian message with its detail, for logs.
#[derive(Debug)]
pub enum ClientError {
    Db(sqlx::Error),
    Migrate(sqlx::migrate::MigrateError),
    Home {
        path: String,
        source: std::io::Error,
    },
    /// A record that breaks the same rules the server checks; `problem.code` is the wire code.
    Invalid {
        problem: RecordProblem,
    },
    UnknownHousehold(String),
    AmbiguousHousehold {
        fragment: String,
        count: usize,
    },
    OutOfScope(AreaCode),
    NoUser,
    OtherUser {
        existing: String,
        requested: String,
    },
    NotLoggedIn,
    SessionExpired,
    /// Login refused: wrong username or password (the server's 401 on login).
    WrongCredentials,
    Server {
        status: u16,
        code: String,
        message: String,
    },
    /// A sync gave up on the network. `sent_not_confirmed` records went out at least once without
    /// an answer: the server may hold them, and the next sync confirms them (as duplicates).
    Unreachable {
        attempts: u32,
        last: String,
        sent_not_confirmed: u32,
    },
    /// The login could not be sent: nothing reached the server.
    LoginUnreachable {
        last: String,
    },
    /// The login was sent but its answer was lost: the server may have opened a session this phone
    /// never received (see [`crate::Client::login`]).
    LoginUnconfirmed {
        last: String,
    },
    BadResponse(String),
    BadServerUrl(String),
    Corrupt(String),
    NotInOutbox(Uuid),
    /// A village action the rules refuse on this phone, before anything is saved. `code` is the
    /// server's code for the same refusal (`not_eligible`, `transition_not_allowed`, `team_size_even`,
    /// ...) or, for what only a phone can run into, `decision_pending` and `sample_not_pulled`.
    Refused {
        code: &'static str,
        message: String,
    },
    UnknownVerification(Uuid),
    /// Another sync of the same home folder is running (and the options said not to wait).
    SyncRunning,
}

impl From<sqlx::Error> for ClientError {
    fn from(err: sqlx::Error) -> Self {
        ClientError::Db(err)
    }
}

impl From<sqlx::migrate::MigrateError> for ClientError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        ClientError::Migrate(err)
    }
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::Id))?;
        match self.detail() {
            Some(detail) => write!(f, "\n{}: {detail}", i18n::DETAIL.get(Lang::Id)),
            None => Ok(()),
        }
    }
}

impl std::error::Error for ClientError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClientError::Db(err) => Some(err),
            ClientError::Migrate(err) => Some(err),
            ClientError::Home { source, .. } => Some(source),
            _ => None,
        }
    }
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
            ClientError::WrongCredentials => "invalid_credentials",
            ClientError::Unreachable { .. } => "unreachable",
            ClientError::LoginUnreachable { .. } => "login_unreachable",
            ClientError::LoginUnconfirmed { .. } => "login_unconfirmed",
            ClientError::SyncRunning => "sync_running",
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
        matches!(
            self,
            ClientError::Unreachable { .. }
                | ClientError::LoginUnreachable { .. }
                | ClientError::LoginUnconfirmed { .. }
                | ClientError::SyncRunning
        )
    }

    /// The message in `lang`, one sentence in one language (the catalogue's).
    pub fn message(&self, lang: Lang) -> String {
        use ClientError as E;
        match self {
            E::Db(_) | E::Migrate(_) => i18n::LOCAL_STORAGE.get(lang).to_owned(),
            E::Home { path, .. } => i18n::DATA_FOLDER.fill(lang, &[("path", path)]),
            // The domain's own rule text is bilingual: it goes on the detail line.
            // An edit that changes nothing (see `Client::edit_household`).
            E::Invalid { problem } if problem.field == "changes" => {
                i18n::INVALID_NO_CHANGES.get(lang).to_owned()
            }
            E::Invalid { problem } => {
                i18n::INVALID_FIELD.fill(lang, &[("field", &problem.field), ("code", &problem.code.as_str())])
            }
            E::UnknownHousehold(id) => i18n::UNKNOWN_HOUSEHOLD.fill(lang, &[("id", &format!("{id:?}"))]),
            E::AmbiguousHousehold { fragment, count } => {
                i18n::AMBIGUOUS_HOUSEHOLD.fill(lang, &[("id", &format!("{fragment:?}")), ("count", count)])
            }
            E::OutOfScope(village) => i18n::OUT_OF_SCOPE.fill(lang, &[("village", village)]),
            E::NoUser => i18n::NO_USER.get(lang).to_owned(),
            E::OtherUser { existing, requested } => {
                i18n::OTHER_USER.fill(lang, &[("existing", existing), ("requested", requested)])
            }
            E::NotLoggedIn => i18n::NOT_LOGGED_IN.get(lang).to_owned(),
            E::SessionExpired => i18n::SESSION_EXPIRED.get(lang).to_owned(),
            E::WrongCredentials => i18n::WRONG_CREDENTIALS.get(lang).to_owned(),
            E::Server { status, code, .. } => {
                i18n::SERVER_REFUSED.fill(lang, &[("status", status), ("code", code)])
            }
            E::Unreachable { attempts, sent_not_confirmed, .. } => {
                let mut text = i18n::SYNC_UNREACHABLE.fill(lang, &[("attempts", attempts)]);
                if *sent_not_confirmed > 0 {
                    text.push_str(". ");
                    text.push_str(&i18n::SYNC_UNCONFIRMED.fill(lang, &[("count", sent_not_confirmed)]));
                }
                text
            }
            E::LoginUnreachable { .. } => i18n::LOGIN_UNREACHABLE.get(lang).to_owned(),
            E::LoginUnconfirmed { .. } => i18n::LOGIN_UNCONFIRMED.get(lang).to_owned(),
            E::BadResponse(_) => i18n::BAD_RESPONSE.get(lang).to_owned(),
            E::BadServerUrl(url) => i18n::BAD_SERVER_URL.fill(lang, &[("url", &format!("{url:?}"))]),
            E::Corrupt(_) => i18n::CORRUPT.get(lang).to_owned(),
            E::NotInOutbox(id) => i18n::NOT_IN_OUTBOX.fill(lang, &[("id", id)]),
            // Said by its code; the rule's own (bilingual) text goes on the detail line.
            E::Refused { code, .. } => {
                format!("{} [{code}]", i18n::refusal(code).unwrap_or(i18n::REFUSED).get(lang))
            }
            E::UnknownVerification(id) => i18n::UNKNOWN_VERIFICATION.fill(lang, &[("id", id)]),
            E::SyncRunning => i18n::SYNC_RUNNING.get(lang).to_owned(),
        }
    }

    /// The technical cause, for a separate line under the message (library texts, in English).
    pub fn detail(&self) -> Option<String> {
        use ClientError as E;
        match self {
            E::Db(err) => Some(err.to_string()),
            E::Migrate(err) => Some(err.to_string()),
            E::Home { source, .. } => Some(source.to_string()),
            E::Server { message, .. } | E::Refused { message, .. } => Some(message.clone()),
            E::Invalid { problem } => Some(problem.message.clone()),
            E::Unreachable { last, .. }
            | E::LoginUnreachable { last }
            | E::LoginUnconfirmed { last }
            | E::BadResponse(last)
            | E::Corrupt(last) => Some(last.clone()),
            _ => None,
        }
    }
}

/// Turns a transport failure that the retry loop gave up on (or must not retry) into a client error.
impl From<TransportError> for ClientError {
    fn from(err: TransportError) -> ClientError {
        match err.clone() {
            TransportError::Network(_) | TransportError::Unsent(_) => {
                ClientError::Unreachable { attempts: 1, last: err.to_string(), sent_not_confirmed: 0 }
            }
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
