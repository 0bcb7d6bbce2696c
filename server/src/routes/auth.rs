//! `POST /v1/auth/login`, `POST /v1/auth/logout`, `GET /v1/me`.

use std::time::Instant;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use odf_mobile_api::{ErrorCode, FieldRulesDto, LoginRequest, LoginResponse, UserDto};
use odf_store::{LoginKey, NewSession, SessionKind, UserRecord};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::app::{AppState, ServerConfig};
use crate::auth::{Caller, ClientAddr, TOKEN_PREFIX, new_token, token_hash, verify_password};
use crate::error::{ApiError, ApiJson, ApiResult};

/// A valid argon2 hash of a random string: checked when the username is unknown, so that a wrong
/// username takes as long as a wrong password and does not reveal which usernames exist.
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$ZGVjb3lzYWx0ZGVjb3k$zF4VQyJEn0zX6zqNmyZ5k1q4Ee8i3m0w4N7E4Zt0mKM";

pub fn user_dto(user: &UserRecord, config: &ServerConfig) -> UserDto {
    UserDto {
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role: user.role.as_str().to_owned(),
        area: user.area.to_string(),
        villages: user.villages.iter().map(ToString::to_string).collect(),
        rules: FieldRulesDto {
            claim_window_days: config.claim_window.num_days(),
            team_max_size: config.team_rules.max_size,
        },
    }
}

#[utoipa::path(
    post, path = "/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = LoginResponse),
        (status = 401, description = "invalid_credentials", body = odf_mobile_api::ErrorBody),
        (status = 403, description = "user_disabled", body = odf_mobile_api::ErrorBody),
        (status = 429, description = "too_many_attempts", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ApiJson(request): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    let (token, expires_at, user) =
        sign_in(&state, client, &request.username, &request.password, request.idempotency_key).await?;
    Ok(Json(LoginResponse { token, expires_at, user: user_dto(&user, state.config()) }))
}

/// Checks a username and password under the failed-login limiter and opens a login session: the
/// token, when it expires, and the user. Shared by the API's login and the dashboard's sign-in.
/// With an idempotency key, a retry within the window gets the session the first try opened.
pub(crate) async fn sign_in(
    state: &AppState,
    client: Option<std::net::IpAddr>,
    username: &str,
    password: &str,
    idempotency_key: Option<Uuid>,
) -> ApiResult<(String, DateTime<Utc>, UserRecord)> {
    let limiter = state.limiter();
    if let Some(wait) = limiter.locked_for(username, client, Instant::now()) {
        let mut error = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::TooManyAttempts,
            format!("Terlalu banyak percobaan gagal; coba lagi dalam {wait} detik (too many failed logins)"),
        );
        error.retry_after = Some(wait);
        return Err(error);
    }
    let user = state.store().user_by_username(username.trim()).await?;
    let stored_hash = user.as_ref().map_or(DECOY_HASH, |u| u.password_hash.as_str()).to_owned();
    let password = password.to_owned();
    // Argon2 is deliberately slow: keep it off the async worker threads. It also takes ~19 MB
    // while it runs, so only `login.max_concurrent` run at once; the permit moves into the task,
    // so a caller that hangs up does not free it before the check ends.
    let permit = state.password_checks().acquire_owned().await.map_err(ApiError::internal)?;
    let verified = tokio::task::spawn_blocking(move || {
        let verified = verify_password(&password, &stored_hash);
        drop(permit);
        verified
    })
    .await
    .map_err(ApiError::internal)?;
    let Some(user) = user.filter(|_| verified) else {
        limiter.record_failure(username, client, Instant::now());
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidCredentials,
            "Nama pengguna atau kata sandi salah (wrong username or password)",
        ));
    };
    limiter.clear(username, client);
    if user.disabled {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::UserDisabled,
            "Akun ini dinonaktifkan (account disabled)",
        ));
    }
    let expires_at = Utc::now() + state.config().session_ttl;
    let (token, expires_at) = match idempotency_key {
        None => {
            let (token, token_hash) = new_token().map_err(ApiError::internal)?;
            let session = NewSession { token_hash, user_id: user.id, kind: SessionKind::Login, expires_at };
            state.store().create_session(session).await?;
            (token, expires_at)
        }
        Some(key) => keyed_session(state, &user, key, expires_at).await?,
    };
    tracing::info!(user = %user.username, "login");
    Ok((token, expires_at, user))
}

/// How long a login retried with the same idempotency key is answered with the first one's session:
/// long enough for a phone to retry after a cut answer, short enough that a key found later on a
/// phone opens a fresh session.
const LOGIN_KEY_WINDOW: Duration = Duration::minutes(15);

/// The token of a keyed login, derived from the session's random salt and the phone's key, so that
/// a retry with the same key gets the same token while the store keeps only the token's hash, the
/// key's hash and the salt (none of which gives the token without the key).
fn keyed_token(salt: &[u8; 32], key: Uuid) -> String {
    let digest =
        Sha256::new_with_prefix(b"odf-login-token\0").chain_update(salt).chain_update(key.as_bytes());
    format!("{TOKEN_PREFIX}{}", hex::encode(digest.finalize()))
}

/// A login with an idempotency key: a new session, or the one an earlier login of this user with the
/// same key opened within [`LOGIN_KEY_WINDOW`] (its answer was lost). The password was checked first.
async fn keyed_session(
    state: &AppState,
    user: &UserRecord,
    key: Uuid,
    expires_at: DateTime<Utc>,
) -> ApiResult<(String, DateTime<Utc>)> {
    let mut token_salt = [0u8; 32];
    getrandom::fill(&mut token_salt).map_err(ApiError::internal)?;
    let token = keyed_token(&token_salt, key);
    let session =
        NewSession { token_hash: token_hash(&token), user_id: user.id, kind: SessionKind::Login, expires_at };
    let login_key = LoginKey {
        key_hash: Sha256::digest(key.as_bytes()).into(),
        token_salt,
        not_before: Utc::now() - LOGIN_KEY_WINDOW,
    };
    let kept = state.store().create_keyed_session(session, login_key).await?;
    if kept.created {
        return Ok((token, kept.expires_at));
    }
    let token = keyed_token(&kept.token_salt, key);
    if token_hash(&token) != kept.token_hash {
        return Err(ApiError::internal("a keyed session's token does not derive from its salt"));
    }
    tracing::info!(user = %user.username, "login retried with its idempotency key: same session");
    Ok((token, kept.expires_at))
}

#[utoipa::path(
    post, path = "/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Token revoked"), (status = 401, body = odf_mobile_api::ErrorBody))
)]
pub async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    state.store().revoke_session(caller.token_hash).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get, path = "/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserDto), (status = 401, body = odf_mobile_api::ErrorBody))
)]
pub async fn me(State(state): State<AppState>, caller: Caller) -> Json<UserDto> {
    let mut dto = user_dto(&caller.user, state.config());
    dto.role = caller.role().as_str().to_owned();
    Json(dto)
}
