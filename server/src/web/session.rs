//! Sign-in and sign-out. The session is the API's own (`crate::routes::auth::sign_in`: same
//! accounts, same limiter, same token), carried in the `odf_session` cookie: HttpOnly, SameSite=Lax,
//! Secure when the public address is https. Forms are guarded twice against cross-site posts: a
//! CSRF token (for sign-out, a hash of the session token; for sign-in, a random value also set as a
//! short-lived cookie) and, when the browser sends one, an `Origin`/`Referer` of this server.

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use odf_mobile_api::ErrorCode;
use odf_web::Lang;
use odf_web::view::{Layout, LoginView};
use serde::Deserialize;

use super::reader::{Reader, csrf_token};
use super::{PageQuery, WebError, html, lang_of, lang_switch_href, remember_lang};
use crate::app::AppState;
use crate::auth::{ClientAddr, SESSION_COOKIE, cookie, token_hash};

/// The sign-in form's own CSRF cookie (there is no session yet to bind a token to).
const LOGIN_COOKIE: &str = "odf_login";

#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

fn secure(state: &AppState) -> &'static str {
    if state.config().public_url.starts_with("https://") { "; Secure" } else { "" }
}

fn set_cookie(response: &mut Response, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Whether a form post came from this server's own pages: its `Origin` (or, without one, its
/// `Referer`) names the host the request was sent to, or the configured public address. Browsers
/// send `Origin` on every cross-site POST; a request with neither header is not a browser's
/// cross-site form, and the CSRF token still guards it.
pub(crate) fn same_origin(headers: &HeaderMap, state: &AppState) -> bool {
    let text = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    let source = match (text(header::ORIGIN), text(header::REFERER)) {
        (Some(origin), _) => origin.to_owned(),
        (None, Some(referer)) => referer.splitn(4, '/').take(3).collect::<Vec<_>>().join("/"),
        (None, None) => return true,
    };
    let public = state.config().public_url.trim_end_matches('/');
    let host = text(header::HOST).unwrap_or_default();
    source == public
        || (!host.is_empty() && (source == format!("http://{host}") || source == format!("https://{host}")))
}

fn random_hex() -> Result<String, WebError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|_| WebError::new(StatusCode::INTERNAL_SERVER_ERROR, Lang::Id))?;
    Ok(hex::encode(bytes))
}

fn login_page(
    state: &AppState,
    lang: Lang,
    query: &PageQuery,
    status: StatusCode,
    (username, error): (String, Option<&'static str>),
) -> Result<Response, WebError> {
    let csrf = random_hex()?;
    let mut layout =
        Layout::new(lang, lang.labels().sign_in.to_owned(), lang_switch_href("/masuk", query, lang), None);
    layout.offer_sign_in = false;
    let view = LoginView { layout, csrf: csrf.clone(), username, error };
    let mut response = html(odf_web::pages::login(&view), lang);
    *response.status_mut() = status;
    set_cookie(
        &mut response,
        &format!(
            "{LOGIN_COOKIE}={csrf}; Path=/masuk; Max-Age=3600; HttpOnly; SameSite=Strict{}",
            secure(state)
        ),
    );
    remember_lang(query, &mut response);
    Ok(response)
}

/// `GET /masuk`: the form (or, already signed in, the reader's area).
pub(crate) async fn form(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    let lang = lang_of(&query, &headers);
    if let Reader::Staff { .. } = reader {
        return Ok(Redirect::to("/").into_response());
    }
    login_page(&state, lang, &query, StatusCode::OK, (String::new(), None))
}

/// `POST /masuk`: checks the password through the API's own sign-in and sets the session cookie.
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, WebError> {
    let query = PageQuery::default();
    let lang = lang_of(&query, &headers);
    let Ok(Form(form)) = form else {
        return Err(WebError::new(StatusCode::BAD_REQUEST, lang));
    };
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || form.csrf != expected || !same_origin(&headers, &state) {
        return Err(WebError {
            status: StatusCode::FORBIDDEN,
            message: Some(lang.labels().session_expired.to_owned()),
            lang,
        });
    }
    let l = lang.labels();
    match crate::routes::auth::sign_in(&state, client, &form.username, &form.password, None).await {
        Ok((token, expires_at, _user)) => {
            let max_age = (expires_at - chrono::Utc::now()).num_seconds().max(0);
            let mut response = Redirect::to("/").into_response();
            set_cookie(
                &mut response,
                &format!(
                    "{SESSION_COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{}",
                    secure(&state)
                ),
            );
            set_cookie(&mut response, &format!("{LOGIN_COOKIE}=; Path=/masuk; Max-Age=0"));
            Ok(response)
        }
        Err(err) => {
            let message = match err.code {
                ErrorCode::TooManyAttempts => l.login_locked,
                ErrorCode::UserDisabled => l.login_disabled,
                ErrorCode::InvalidCredentials => l.login_failed,
                _ => return Err(WebError::from_api(err, lang)),
            };
            login_page(&state, lang, &query, err.status, (form.username, Some(message)))
        }
    }
}

/// `POST /keluar`: revokes the session (the same token the API would revoke) and clears the cookie.
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    reader: Reader,
    headers: HeaderMap,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Result<Response, WebError> {
    let lang = lang_of(&PageQuery::default(), &headers);
    let refused = || WebError {
        status: StatusCode::FORBIDDEN,
        message: Some(lang.labels().session_expired.to_owned()),
        lang,
    };
    let Reader::Staff { token, .. } = &reader else {
        return Ok(Redirect::to("/masuk").into_response());
    };
    let csrf = form.map(|Form(f)| f.csrf).unwrap_or_default();
    if csrf != csrf_token(token) || !same_origin(&headers, &state) {
        return Err(refused());
    }
    state
        .store()
        .revoke_session(token_hash(token))
        .await
        .map_err(|err| WebError::from_api(err.into(), lang))?;
    let mut response = Redirect::to("/masuk").into_response();
    set_cookie(
        &mut response,
        &format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{}", secure(&state)),
    );
    Ok(response)
}
