//! What the verification desk's forms share (issue 16, verification part): reading a posted form,
//! the CSRF token and `Origin` check of every POST (the sign-out form's, [`super::session`]), the
//! desk's role guard and scope checks, and showing a refusal with the API's own code and message.
//!
//! Scope: every desk path starts with the village (`/meja/desa/{code}/…`), so a village outside the
//! reader's area is refused as the API refuses it (`out_of_scope`, a 403 page) before anything
//! else is read; a verification or certificate of another village answers 404, as the API hides
//! records outside the caller's scope.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use odf_store::{AreaRecord, CertificateRecord, VerificationRecord};
use odf_web::Lang;
use odf_web::desk_verify::Refusal;

use super::reader::{Reader, csrf_token};
use super::session::same_origin;
use super::{PageQuery, WebError, lang_of};
use crate::access::{
    ReadNotifications, allow, certificate_in_scope, verification_in_scope, village_in_scope,
};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::ApiError;

/// A posted `application/x-www-form-urlencoded` body as its pairs, in order (a checkbox list such
/// as `team` repeats its name).
#[derive(Debug, Default)]
pub(crate) struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, or empty.
    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0.iter().filter(move |(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A text field, `None` when blank.
    pub fn text(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim().to_owned()).filter(|t| !t.is_empty())
    }
}

/// A signed-in desk reader (verifier or admin) and the session's CSRF token.
#[derive(Debug)]
pub(crate) struct Desk<'a> {
    pub caller: &'a Caller,
    pub csrf: String,
    pub lang: Lang,
}

/// The language of a page (`?lang=`, then the cookie) and of a form's answer (the cookie).
pub(crate) fn lang(query: Option<&PageQuery>, headers: &HeaderMap) -> Lang {
    lang_of(query.unwrap_or(&PageQuery::default()), headers)
}

/// Why there is no desk: no session (to the sign-in page), or a refusal page.
#[derive(Debug)]
pub(crate) enum NoDesk {
    SignIn,
    Refused(WebError),
}

impl IntoResponse for NoDesk {
    fn into_response(self) -> Response {
        match self {
            NoDesk::SignIn => Redirect::to("/masuk").into_response(),
            NoDesk::Refused(err) => err.into_response(),
        }
    }
}

/// The desk reader of a page, or why not: no session, or a role without the desk (the desk's own
/// guard, as `/meja`: the 403 page).
pub(crate) fn desk_reader(reader: &Reader, lang: Lang) -> Result<Desk<'_>, NoDesk> {
    let Reader::Staff { caller, token } = reader else {
        return Err(NoDesk::SignIn);
    };
    if let Err(err) = allow::<ReadNotifications>(caller) {
        return Err(NoDesk::Refused(WebError::from_api(err, lang)));
    }
    Ok(Desk { caller, csrf: csrf_token(token), lang })
}

/// Like [`desk_reader`], for a form: the posted CSRF token must be the session's and the post must
/// come from this server's pages, or nothing is done (the sign-out form's rule).
pub(crate) fn desk_poster<'a>(
    state: &AppState,
    reader: &'a Reader,
    headers: &HeaderMap,
    fields: &Fields,
) -> Result<Desk<'a>, NoDesk> {
    let lang = lang(None, headers);
    let desk = desk_reader(reader, lang)?;
    if fields.get("csrf") != desk.csrf || !same_origin(headers, state) {
        return Err(NoDesk::Refused(WebError {
            status: StatusCode::FORBIDDEN,
            message: Some(lang.labels().session_expired.to_owned()),
            lang,
        }));
    }
    Ok(desk)
}

/// The village of the path, in the reader's scope (`out_of_scope`: the 403 page).
pub(crate) async fn village(state: &AppState, desk: &Desk<'_>, code: &str) -> Result<AreaRecord, WebError> {
    village_in_scope(state, desk.caller, code).await.map_err(|err| WebError::from_api(err, desk.lang))
}

/// The verification `id` of `village`; 404 for any other (the API's rule for records).
pub(crate) async fn verification_of(
    state: &AppState,
    desk: &Desk<'_>,
    village: &AreaRecord,
    id: &str,
) -> Result<VerificationRecord, WebError> {
    let not_found = || WebError::from_api(ApiError::not_found("Verifikasi (verification)"), desk.lang);
    match verification_in_scope(state, desk.caller, id).await {
        Ok(record) if record.village == village.code => Ok(record),
        Ok(_) => Err(not_found()),
        Err(err) => Err(WebError::from_api(err, desk.lang)),
    }
}

/// The certificate `id` of `village`; 404 for any other.
pub(crate) async fn certificate_of(
    state: &AppState,
    desk: &Desk<'_>,
    village: &AreaRecord,
    id: &str,
) -> Result<CertificateRecord, WebError> {
    let not_found = || WebError::from_api(ApiError::not_found("Piagam (certificate)"), desk.lang);
    match certificate_in_scope(state, desk.caller, id).await {
        Ok(record) if record.signed.certificate.village_code == village.code => Ok(record),
        Ok(_) => Err(not_found()),
        Err(err) => Err(WebError::from_api(err, desk.lang)),
    }
}

/// A refused action: shown in its page (status kept) when it is the caller's to fix (4xx), the
/// error page otherwise.
pub(crate) fn refusal(err: ApiError, lang: Lang) -> Result<(StatusCode, Refusal), WebError> {
    if err.status.is_client_error() {
        Ok((err.status, Refusal { code: err.code.as_str().to_owned(), message: err.message }))
    } else {
        Err(WebError::from_api(err, lang))
    }
}

/// Sets `status` on a rendered page.
pub(crate) fn with_status(mut response: Response, status: StatusCode) -> Response {
    *response.status_mut() = status;
    response
}
