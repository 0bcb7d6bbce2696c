//! The admin pages of the staff desk (issue 16: accounts, places, household edit conflicts), for
//! admins within their area. Every action calls what the CLI and the API call
//! ([`crate::commands`], the store's conflict methods through [`crate::routes::admin`]), so the
//! rules, the refusals' messages and the audit entries are theirs; these handlers only check the
//! form (CSRF token and `Origin`, as sign-out does) and the admin's area, and print.
//!
//! - `GET /admin/pengguna`, `GET /admin/pengguna/baru`, `POST /admin/pengguna`,
//!   `POST /admin/pengguna/{username}/{action}` → [`users`];
//! - `GET /admin/perangkat` → [`users::devices`];
//! - `GET /admin/wilayah`, `POST /admin/wilayah/pratinjau`, `POST /admin/wilayah/impor` → [`places`];
//! - `GET /admin/konflik`, `POST /admin/konflik/{id}` → [`conflicts`].

mod conflicts;
mod places;
mod users;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use odf_domain::AreaRef;
use odf_web::Lang;
use odf_web::admin::{AdminLabels, AdminNav, admin_labels};
use odf_web::view::{Crumb, Layout};

pub use places::Uploads;

use super::reader::csrf_token;
use super::session::same_origin;
use super::{PageQuery, Reader, WebError, lang_of, lang_switch_href};
use crate::access::{ManageAccounts, allow};
use crate::app::AppState;
use crate::auth::Caller;
use crate::commands::CommandError;
use crate::error::ApiError;

/// The admin pages' routes (merged by `web::routes`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/pengguna", get(users::list).post(users::create))
        .route("/admin/pengguna/baru", get(users::form))
        .route("/admin/pengguna/{username}/{action}", post(users::act))
        .route("/admin/perangkat", get(users::devices))
        .route("/admin/wilayah", get(places::page))
        .route("/admin/wilayah/pratinjau", post(places::preview))
        .route("/admin/wilayah/impor", post(places::import))
        .route("/admin/konflik", get(conflicts::list))
        .route("/admin/konflik/{id}", post(conflicts::resolve))
}

/// A signed-in admin on an admin page, in the page's language.
struct Admin<'r> {
    caller: &'r Caller,
    token: &'r str,
    lang: Lang,
    a: &'static AdminLabels,
}

impl<'r> Admin<'r> {
    /// The admin reading, or the answer for anyone else: sign in first, or the 403 page.
    fn of(reader: &'r Reader, lang: Lang) -> Result<Admin<'r>, Box<Response>> {
        let Reader::Staff { caller, token } = reader else {
            return Err(Box::new(Redirect::to("/masuk").into_response()));
        };
        allow::<ManageAccounts>(caller)
            .map_err(|err| Box::new(WebError::from_api(err, lang).into_response()))?;
        Ok(Admin { caller, token, lang, a: admin_labels(lang) })
    }

    fn area(&self) -> AreaRef {
        self.caller.user.area
    }

    fn username(&self) -> &str {
        &self.caller.user.username
    }

    fn csrf(&self) -> String {
        csrf_token(self.token)
    }

    /// Refuses a form not posted from this server's own page of this session (the sign-out rule).
    fn check_form(&self, state: &AppState, headers: &HeaderMap, csrf: &str) -> Result<(), WebError> {
        if csrf != self.csrf() || !same_origin(headers, state) {
            return Err(WebError {
                status: StatusCode::FORBIDDEN,
                message: Some(self.lang.labels().session_expired.to_owned()),
                lang: self.lang,
            });
        }
        Ok(())
    }

    fn layout(&self, reader: &Reader, title: &str, path: &str) -> Layout {
        let query = PageQuery::default();
        let mut layout = Layout::new(
            self.lang,
            title.to_owned(),
            lang_switch_href(path, &query, self.lang),
            reader.signed_in(),
        );
        layout.crumbs = vec![Crumb { name: self.a.admin.to_owned(), href: "/admin/pengguna".to_owned() }];
        layout
    }

    fn nav(current: &'static str) -> AdminNav {
        AdminNav { current }
    }

    fn fail(&self, err: impl Into<ApiError>) -> WebError {
        WebError::from_api(err.into(), self.lang)
    }

    /// A command's refusal, with the command's (the CLI's) own message.
    fn refused(&self, err: CommandError) -> WebError {
        match err {
            CommandError::Store(err) => self.fail(err),
            CommandError::Invalid(message) => {
                WebError { status: StatusCode::BAD_REQUEST, message: Some(message), lang: self.lang }
            }
            other => self.fail(ApiError::internal(other)),
        }
    }

    /// The 403 page for a user, area or record outside this admin's area.
    fn out_of_scope(&self) -> WebError {
        WebError::new(StatusCode::FORBIDDEN, self.lang)
    }
}

/// Runs `page` for an admin, answering anyone else as [`Admin::of`] does; a refusal is its page.
async fn as_admin(
    reader: &Reader,
    lang: Lang,
    page: impl AsyncFnOnce(Admin<'_>) -> Result<Response, WebError>,
) -> Response {
    match Admin::of(reader, lang) {
        Ok(admin) => page(admin).await.unwrap_or_else(IntoResponse::into_response),
        Err(response) => *response,
    }
}

/// The language of a page: its `?lang=`, then the cookie.
fn page_lang(lang: Option<&str>, headers: &HeaderMap) -> Lang {
    lang_of(&PageQuery { lang: lang.map(str::to_owned), ..PageQuery::default() }, headers)
}

/// A page showing a secret once: no cache may keep it.
fn no_store(mut response: Response) -> Response {
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
