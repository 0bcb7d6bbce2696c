//! The web dashboard (issue 15): HTML pages served at `/`, rendered by `odf-web` from the same
//! roll-up the coverage API reads (`crate::routes::coverage`'s [`ScopedArea`]), never a second
//! one. Sign-in uses the API's accounts and sessions: the session token sits in an HttpOnly cookie,
//! every POST form carries a CSRF token derived from it, and `Origin` must be this server.
//!
//! - `GET /` → the reader's area page (or the public area, or the sign-in page);
//! - `GET|POST /masuk`, `POST /keluar` → [`session`];
//! - `GET /meja` → the verification desk of a verifier or admin ([`desk`]);
//! - `/meja/desa/{code}/…` → a village at the desk: open a verification, record the criteria,
//!   decide, print the Berita Acara, revoke a certificate ([`desk_village`], [`desk_verification`]);
//! - `GET /wilayah/{area}` → [`area`] (nasional … kecamatan) or the village page ([`village`]);
//! - `GET /assets/{name}` → the embedded CSS and JS.
//!
//! Errors are HTML pages with their status kept (403 out of scope, 404 unknown area); the API keeps
//! its JSON error shape.

mod admin;
mod area;
mod desk;
mod desk_forms;
mod desk_verification;
mod desk_village;
pub(crate) mod public_check;
mod reader;
mod session;
mod trend;
mod village;

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use odf_web::Lang;
use odf_web::view::{ErrorView, Layout};
use serde::Deserialize;

use crate::app::AppState;
use crate::error::ApiError;
pub use admin::Uploads;
pub use reader::Reader;
pub use trend::{TrendCache, monthly_from_store};

/// The cookie remembering the reader's language choice.
const LANG_COOKIE: &str = "lang";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/masuk", get(session::form).post(session::sign_in))
        .route("/keluar", post(session::sign_out))
        .route("/meja", get(desk::page))
        .route("/wilayah/{area}", get(area::page))
        .route("/assets/{name}", get(asset))
        // The verification desk's actions (issue 16, verification part): desk_village.rs and
        // desk_verification.rs; every path starts with the village, checked against the scope.
        .route("/meja/desa/{code}", get(desk_village::page))
        .route("/meja/desa/{code}/verifikasi", post(desk_village::open))
        .route("/meja/desa/{code}/verifikasi/{id}", get(desk_verification::page))
        .route("/meja/desa/{code}/verifikasi/{id}/kriteria", post(desk_verification::community))
        .route("/meja/desa/{code}/verifikasi/{id}/keputusan", post(desk_verification::decide))
        .route("/meja/desa/{code}/verifikasi/{id}/berita-acara", get(desk_verification::minutes))
        .route("/meja/desa/{code}/piagam/{id}/cabut", post(desk_village::revoke))
        // Accounts, places and edit conflicts (issue 16, admin part): `admin::routes`.
        .merge(admin::routes())
}

/// The query every page understands (unknown parameters are ignored: a page is for people).
#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    pub as_of: Option<String>,
    pub ukuran: Option<String>,
    pub lang: Option<String>,
}

/// The page language: `?lang=` first, then the cookie, then Bahasa Indonesia.
pub(crate) fn lang_of(query: &PageQuery, headers: &HeaderMap) -> Lang {
    query
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .or_else(|| crate::auth::cookie(headers, LANG_COOKIE).and_then(Lang::parse))
        .unwrap_or_default()
}

/// Remembers an explicit `?lang=` choice for the next pages.
pub(crate) fn remember_lang(query: &PageQuery, response: &mut Response) {
    if let Some(lang) = query.lang.as_deref().and_then(Lang::parse) {
        let cookie = format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.as_str());
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
}

/// The current path with `lang` set to the other language.
pub(crate) fn lang_switch_href(path: &str, query: &PageQuery, lang: Lang) -> String {
    let mut parts = vec![format!("lang={}", lang.other().as_str())];
    if let Some(as_of) = query.as_of.as_deref().filter(|d| is_date_text(d)) {
        parts.push(format!("as_of={as_of}"));
    }
    if let Some(ukuran) = query.ukuran.as_deref().filter(|u| matches!(*u, "kk" | "sbs")) {
        parts.push(format!("ukuran={ukuran}"));
    }
    format!("{path}?{}", parts.join("&"))
}

/// Only `YYYY-MM-DD`-shaped text goes back into links (anything else is refused by the page).
pub(crate) fn is_date_text(text: &str) -> bool {
    text.len() == 10
        && text
            .bytes()
            .enumerate()
            .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() })
}

/// A failure of a page, shown as an HTML page with its status.
#[derive(Debug)]
pub(crate) struct WebError {
    pub status: StatusCode,
    pub message: Option<String>,
    pub lang: Lang,
}

impl WebError {
    pub fn new(status: StatusCode, lang: Lang) -> WebError {
        WebError { status, message: None, lang }
    }

    pub fn from_api(err: ApiError, lang: Lang) -> WebError {
        // A 5xx's message is the API's generic one (the cause is logged); 4xx messages are the
        // API's bilingual explanation, fine to show.
        WebError { status: err.status, message: Some(err.message), lang }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let l = self.lang.labels();
        let (heading, text) = match self.status {
            StatusCode::FORBIDDEN => (l.forbidden, l.forbidden_text),
            StatusCode::NOT_FOUND => (l.not_found, l.not_found_text),
            s if s.is_server_error() => (l.server_error, l.server_error),
            _ => (l.bad_request, l.bad_request),
        };
        let message = match (self.status, self.message) {
            (s, Some(m)) if s.is_client_error() && s != StatusCode::FORBIDDEN => m,
            _ => text.to_owned(),
        };
        let view = ErrorView {
            layout: Layout::new(self.lang, heading.to_owned(), "/".to_owned(), None),
            status: self.status.as_u16(),
            heading,
            message,
        };
        let body = odf_web::pages::error(&view).unwrap_or_else(|_| heading.to_owned());
        (self.status, Html(body)).into_response()
    }
}

/// A rendered page, not to be cached by shared caches (it may be a signed-in view).
pub(crate) fn html(body: Result<String, odf_web::RenderError>, lang: Lang) -> Response {
    match body {
        Ok(body) => {
            let mut response = Html(body).into_response();
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
            response
        }
        Err(err) => WebError::from_api(ApiError::internal(err), lang).into_response(),
    }
}

/// `/`: straight to the page the reader may see.
async fn home(reader: Reader, Query(query): Query<PageQuery>) -> Response {
    let suffix = query.lang.as_deref().and_then(Lang::parse).map(|l| format!("?lang={}", l.as_str()));
    let target = match reader.home() {
        Some(area) => format!("/wilayah/{area}{}", suffix.unwrap_or_default()),
        None => format!("/masuk{}", suffix.unwrap_or_default()),
    };
    let mut response = Redirect::to(&target).into_response();
    remember_lang(&query, &mut response);
    response
}

/// The embedded CSS and JS, cached for a year (their names change with their content).
async fn asset(Path(name): Path<String>) -> Response {
    match odf_web::assets::by_name(&name) {
        Some(asset) => (
            [
                (header::CONTENT_TYPE, asset.content_type),
                (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            ],
            asset.body,
        )
            .into_response(),
        None => WebError::new(StatusCode::NOT_FOUND, Lang::Id).into_response(),
    }
}
