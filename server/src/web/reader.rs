//! Who is reading a page: a signed-in account (from the session cookie), the public (when the
//! deployment publishes an area), or nobody yet.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use odf_domain::{AreaCode, Role};
use odf_mobile_api::ErrorCode;
use odf_rollup::AreaRef;
use odf_web::view::SignedIn;
use sha2::{Digest, Sha256};

use crate::access::{ManageAccounts, ReadNotifications, allow};
use crate::app::AppState;
use crate::auth::{Caller, SESSION_COOKIE, caller_of_token, cookie};
use crate::error::{ApiError, ApiResult};
use crate::routes::coverage::{area_in_scope, parse_area};

#[derive(Debug, Clone)]
pub enum Reader {
    /// Signed in; `token` is the session cookie's value (for the CSRF token).
    Staff {
        caller: Box<Caller>,
        token: String,
    },
    /// No session, and the deployment publishes this area's aggregates.
    Public(AreaCode),
    Anonymous,
}

/// The CSRF token of a session: a hash of its token, which only the cookie's owner (and the server)
/// knows; distinct from the token hash the store keeps.
pub fn csrf_token(session_token: &str) -> String {
    let digest = Sha256::digest(format!("odf-csrf\0{session_token}").as_bytes());
    hex::encode(digest.get(..16).unwrap_or_default())
}

impl Reader {
    pub fn caller(&self) -> Option<&Caller> {
        match self {
            Reader::Staff { caller, .. } => Some(caller.as_ref()),
            _ => None,
        }
    }

    /// The area page `/` leads to.
    pub fn home(&self) -> Option<String> {
        match self {
            Reader::Staff { caller, .. } => Some(caller.user.area.to_string()),
            Reader::Public(area) => Some(area.to_string()),
            Reader::Anonymous => None,
        }
    }

    /// The header's "signed in as" with the sign-out form's CSRF token.
    pub fn signed_in(&self) -> Option<SignedIn> {
        match self {
            Reader::Staff { caller, token } => Some(SignedIn {
                name: if caller.user.display_name.is_empty() {
                    caller.user.username.clone()
                } else {
                    caller.user.display_name.clone()
                },
                csrf: csrf_token(token),
                desk: allow::<ReadNotifications>(caller).is_ok(),
                admin: allow::<ManageAccounts>(caller).is_ok(),
            }),
            _ => None,
        }
    }

    /// The area of the path if this reader may see it: the API's scope rule for accounts; the
    /// published area and below for the public.
    pub fn area(&self, text: &str) -> ApiResult<AreaRef> {
        match self {
            Reader::Staff { caller, .. } => area_in_scope(caller, text),
            Reader::Public(public) => match parse_area(text)? {
                AreaRef::Code(code) if public.contains(code) => Ok(AreaRef::Code(code)),
                _ => Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    ErrorCode::OutOfScope,
                    format!("Wilayah {text} tidak dipublikasikan (area not published)"),
                )),
            },
            Reader::Anonymous => Err(ApiError::unauthenticated()),
        }
    }

    /// Names of heads of families: only staff (not viewers) whose own scope covers the village.
    pub fn may_see_names(&self, village: AreaCode) -> bool {
        self.caller().is_some_and(|c| c.role() != Role::Viewer && c.scope().covers(village))
    }
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = std::convert::Infallible;

    /// A missing, expired or revoked session reads as no session: the page then offers sign-in.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(token) = cookie(&parts.headers, SESSION_COOKIE)
            && let Ok(caller) = caller_of_token(state, token).await
        {
            return Ok(Reader::Staff { caller: Box::new(caller), token: token.to_owned() });
        }
        Ok(match state.config().web_public_area {
            Some(area) => Reader::Public(area),
            None => Reader::Anonymous,
        })
    }
}
