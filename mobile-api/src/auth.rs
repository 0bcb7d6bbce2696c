//! `POST /v1/auth/login`, `POST /v1/auth/logout`, `GET /v1/me`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for LoginRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginRequest").field("username", &self.username).field("password", &"***").finish()
    }
}

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer <token>`. The server keeps only its hash.
    pub token: String,
    #[serde(with = "odf_domain::timestamp")]
    pub expires_at: DateTime<Utc>,
    pub user: UserDto,
}

impl std::fmt::Debug for LoginResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginResponse")
            .field("token", &"***")
            .field("expires_at", &self.expires_at)
            .field("user", &self.user)
            .finish()
    }
}

/// Who a token belongs to and where they may work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserDto {
    pub username: String,
    pub display_name: String,
    /// `admin`, `sanitarian`, `verifier` or `viewer`.
    pub role: String,
    /// Area code prefix the user is scoped to, or `nasional` for the whole country (viewers and
    /// admins only).
    pub area: String,
    /// For sanitarians: assigned village codes (empty: every village in `area`).
    pub villages: Vec<String>,
    /// The server's verification rules, so that a phone refuses offline what the server would.
    #[serde(default)]
    pub rules: FieldRulesDto,
}

/// The configurable rules a phone applies before the server sees an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldRulesDto {
    /// A village may claim SBS only when every household's latest visit is at most this old.
    pub claim_window_days: i64,
    /// Most members of a verification team (odd, 3 or more).
    pub team_max_size: usize,
}

impl Default for FieldRulesDto {
    /// The domain's defaults, for a server that sent no rules.
    fn default() -> FieldRulesDto {
        FieldRulesDto {
            claim_window_days: odf_domain::coverage::DEFAULT_CLAIM_WINDOW.num_days(),
            team_max_size: odf_domain::TeamRules::default().max_size,
        }
    }
}
