//! `POST /v1/auth/login`, `POST /v1/auth/logout`, `GET /v1/me`.

use std::time::Instant;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::Utc;
use odf_mobile_api::{ErrorCode, FieldRulesDto, LoginRequest, LoginResponse, UserDto};
use odf_store::{NewSession, SessionKind, UserRecord};

use crate::app::{AppState, ServerConfig};
use crate::auth::{Caller, ClientAddr, new_token, verify_password};
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
    let (token, expires_at, user) = sign_in(&state, client, &request.username, &request.password).await?;
    Ok(Json(LoginResponse { token, expires_at, user: user_dto(&user, state.config()) }))
}

/// Checks a username and password under the failed-login limiter and opens a login session: the
/// token, when it expires, and the user. Shared by the API's login and the dashboard's sign-in.
pub(crate) async fn sign_in(
    state: &AppState,
    client: Option<std::net::IpAddr>,
    username: &str,
    password: &str,
) -> ApiResult<(String, chrono::DateTime<Utc>, UserRecord)> {
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
    // Argon2 is deliberately slow: keep it off the async worker threads.
    let verified = tokio::task::spawn_blocking(move || verify_password(&password, &stored_hash))
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
    let (token, token_hash) = new_token().map_err(ApiError::internal)?;
    let expires_at = Utc::now() + state.config().session_ttl;
    state
        .store()
        .create_session(NewSession { token_hash, user_id: user.id, kind: SessionKind::Login, expires_at })
        .await?;
    tracing::info!(user = %user.username, "login");
    Ok((token, expires_at, user))
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
