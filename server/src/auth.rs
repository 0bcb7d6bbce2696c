//! Passwords (argon2), bearer tokens (random, stored only as SHA-256), the [`Caller`] extractor that
//! every protected handler takes (directly or through `crate::access`), and the failed-login
//! limiter.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use chrono::Utc;
use odf_domain::{AreaCode, AreaRef, Role, Scope};
use odf_store::{SessionKind, UserRecord};
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::error::ApiError;

pub(crate) const TOKEN_PREFIX: &str = "odf_";

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, String> {
    let mut salt_bytes = [0u8; 16];
    getrandom::fill(&mut salt_bytes).map_err(|err| err.to_string())?;
    let salt = SaltString::encode_b64(&salt_bytes).map_err(|err| err.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|err| err.to_string())
}

/// Checks a password against a PHC string; a malformed stored hash never verifies.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .is_ok_and(|hash| Argon2::default().verify_password(password.as_bytes(), &hash).is_ok())
}

/// A fresh bearer token and the hash the store keeps of it.
pub fn new_token() -> Result<(String, [u8; 32]), String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|err| err.to_string())?;
    let token = format!("{TOKEN_PREFIX}{}", hex::encode(bytes));
    let hash = token_hash(&token);
    Ok((token, hash))
}

pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// A random password for accounts created without one (shown once to the admin).
pub fn random_password() -> Result<String, String> {
    let mut bytes = [0u8; 9];
    getrandom::fill(&mut bytes).map_err(|err| err.to_string())?;
    Ok(hex::encode(bytes))
}

/// The authenticated user of a request, with the token's kind.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: UserRecord,
    pub token_hash: [u8; 32],
    pub kind: SessionKind,
}

impl Caller {
    /// The role in force: a viewer token reads aggregates only, whatever its user's role.
    pub fn role(&self) -> Role {
        match self.kind {
            SessionKind::Viewer => Role::Viewer,
            SessionKind::Login => self.user.role,
        }
    }

    /// What this caller may read and write: a sanitarian's assigned villages (inside their area),
    /// otherwise their area.
    pub fn scope(&self) -> Scope {
        scope_of(&self.user)
    }
}

pub fn scope_of(user: &UserRecord) -> Scope {
    let area = match user.area {
        // Only viewers and admins are created with national scope (see `commands::add_user`).
        AreaRef::Nasional => return Scope::All,
        AreaRef::Code(code) => code,
    };
    if user.role == Role::Sanitarian && !user.villages.is_empty() {
        let villages: Vec<AreaCode> = user.villages.iter().copied().filter(|v| area.contains(*v)).collect();
        return Scope::Areas(villages);
    }
    Scope::Areas(vec![area])
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    /// Authenticates once per request: the role guard and the scope extractors ask for the caller
    /// too, and find it kept in the request's extensions.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let caller = authenticate(parts, state).await?;
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}

/// The name of the dashboard's session cookie (`crate::web`): it holds the same token a
/// `POST /v1/auth/login` gives.
pub const SESSION_COOKIE: &str = "odf_session";

/// The value of one cookie of the request.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
}

/// The bearer token, or (for GET and HEAD only, so the dashboard's download links work signed in)
/// the session cookie. Never the cookie for a request that changes something: a cross-site form
/// could send it, so those need the header.
async fn authenticate(parts: &Parts, state: &AppState) -> Result<Caller, ApiError> {
    let header = parts.headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let bearer = header.strip_prefix("Bearer ").map(str::trim);
    let safe = parts.method == axum::http::Method::GET || parts.method == axum::http::Method::HEAD;
    let token = match bearer {
        Some(token) => token,
        None if safe && header.is_empty() => cookie(&parts.headers, SESSION_COOKIE).unwrap_or_default(),
        None => "",
    };
    caller_of_token(state, token).await
}

/// The caller a token belongs to, if it is live and its account enabled.
pub async fn caller_of_token(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Err(ApiError::unauthenticated());
    }
    let hash = token_hash(token);
    // One read for the session and its user: every request of every phone starts here.
    let (session, user) = state.store().session_user(hash).await?.ok_or_else(ApiError::unauthenticated)?;
    if !session.is_active(Utc::now()) {
        return Err(ApiError::unauthenticated());
    }
    if user.disabled {
        return Err(ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            odf_mobile_api::ErrorCode::UserDisabled,
            "Akun ini dinonaktifkan (account disabled)",
        ));
    }
    tracing::Span::current().record("user", user.username.as_str());
    Ok(Caller { user, token_hash: hash, kind: session.kind })
}

/// Counts failed logins per username *and client address*; after `max_failures` within `window`
/// that pair is locked until the oldest failure leaves the window. In memory: a restart forgets,
/// which is acceptable for slowing down password guessing.
///
/// Keyed by address too so that guessing cannot lock a sanitarian out: someone elsewhere who guesses
/// wrong locks only their own address for that username, while the sanitarian's phone logs in as
/// usual. The guesser still gets `max_failures` tries per window per address. (Behind a reverse
/// proxy every client has the proxy's address and the limiter acts per username, as before.)
#[derive(Debug)]
pub struct LoginLimiter {
    max_failures: usize,
    window: Duration,
    failures: Mutex<HashMap<LimiterKey, Vec<Instant>>>,
}

/// A username (trimmed, lower case) and the client address it was tried from.
type LimiterKey = (String, Option<IpAddr>);

/// The address the request came from, when the server knows it (set per connection by
/// `crate::app::serve`; absent in a router driven without a listener).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
        Ok(ClientAddr(peer))
    }
}

impl LoginLimiter {
    pub fn new(max_failures: usize, window: Duration) -> LoginLimiter {
        LoginLimiter { max_failures, window, failures: Mutex::new(HashMap::new()) }
    }

    fn key(username: &str, client: Option<IpAddr>) -> LimiterKey {
        (username.trim().to_lowercase(), client)
    }

    /// `Some(seconds to wait)` when the username is locked now for this client.
    pub fn locked_for(&self, username: &str, client: Option<IpAddr>, now: Instant) -> Option<u64> {
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let list = failures.get_mut(&LoginLimiter::key(username, client))?;
        list.retain(|at| now.duration_since(*at) < self.window);
        if list.len() < self.max_failures {
            return None;
        }
        let oldest = list.iter().min().copied()?;
        Some(self.window.saturating_sub(now.duration_since(oldest)).as_secs().max(1))
    }

    pub fn record_failure(&self, username: &str, client: Option<IpAddr>, now: Instant) {
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Bound memory: forget usernames whose failures have all expired.
        if failures.len() > 10_000 {
            failures.retain(|_, list| list.iter().any(|at| now.duration_since(*at) < self.window));
        }
        failures.entry(LoginLimiter::key(username, client)).or_default().push(now);
    }

    pub fn clear(&self, username: &str, client: Option<IpAddr>) {
        let mut failures = self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        failures.remove(&LoginLimiter::key(username, client));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let hash = hash_password("rahasia-123").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("rahasia-123", &hash));
        assert!(!verify_password("rahasia-124", &hash));
        assert!(!verify_password("rahasia-123", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (a, hash_a) = new_token().unwrap();
        let (b, _) = new_token().unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX) && a.len() == TOKEN_PREFIX.len() + 64);
        assert_eq!(token_hash(&a), hash_a);
    }

    #[test]
    fn the_limiter_locks_after_too_many_failures_and_unlocks_after_the_window() {
        let limiter = LoginLimiter::new(3, Duration::from_secs(60));
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.locked_for("Wa_Ode", None, start), None);
            limiter.record_failure("wa_ode", None, start);
        }
        assert!(limiter.locked_for("WA_ODE", None, start + Duration::from_secs(1)).is_some());
        assert_eq!(limiter.locked_for("wa_ode", None, start + Duration::from_secs(61)), None);
        limiter.record_failure("x", None, start);
        limiter.clear("x", None);
        assert_eq!(limiter.locked_for("x", None, start), None);
    }

    #[test]
    fn failures_from_one_address_do_not_lock_the_user_out_elsewhere() {
        let limiter = LoginLimiter::new(3, Duration::from_secs(60));
        let start = Instant::now();
        let (attacker, phone) = (Some(IpAddr::from([203, 0, 113, 9])), Some(IpAddr::from([10, 1, 2, 3])));
        for _ in 0..10 {
            limiter.record_failure("wa_ode", attacker, start);
        }
        assert!(limiter.locked_for("wa_ode", attacker, start).is_some());
        assert_eq!(limiter.locked_for("wa_ode", phone, start), None);
    }
}
