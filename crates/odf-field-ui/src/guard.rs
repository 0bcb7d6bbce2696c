//! Who may drive the app: only a browser that opened this start's first URL, on this device.
//!
//! - **Secret.** The first URL carries `?k=SECRET`; the app answers with an HttpOnly,
//!   SameSite=Strict cookie holding it and redirects to the same path without the query, so the
//!   secret leaves the address bar and history. Every other request needs the cookie. Another app
//!   on the phone can reach 127.0.0.1 but does not know the secret (it changes at every start).
//! - **Host.** Must be `127.0.0.1:PORT` or `localhost:PORT`: a page of another site whose name was
//!   rebound to 127.0.0.1 (DNS rebinding) sends its own name and is refused before anything runs.
//! - **Origin.** When present it must be this app's; requests that change something (not GET or
//!   HEAD) must carry it. A form on another site posting here is refused even if a cookie rode
//!   along (SameSite=Strict already keeps it back).
//!
//! Refusals are `403` with the API's one error shape `{"error": {"code", "message"}}`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::Shared;

/// The cookie's name is this and the port: cookies are kept per host, not per port, so two apps
/// on 127.0.0.1 must not share one.
pub const COOKIE_PREFIX: &str = "odf_ui_";

/// Compares without stopping at the first difference, so timing does not reveal the secret.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn refuse(code: &'static str, message: &'static str) -> Response {
    let body = format!(r#"{{"error":{{"code":"{code}","message":"{message}"}}}}"#);
    (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn host_allowed(headers: &HeaderMap, port: u16) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else { return false };
    host == format!("127.0.0.1:{port}") || host == format!("localhost:{port}")
}

/// `None`: no Origin header; `Some(allowed)` otherwise.
fn origin_allowed(headers: &HeaderMap, port: u16) -> Option<bool> {
    let origin = headers.get(header::ORIGIN)?;
    let origin = origin.to_str().unwrap_or_default();
    Some(origin == format!("http://127.0.0.1:{port}") || origin == format!("http://localhost:{port}"))
}

fn cookie_secret<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

fn query_secret(request: &Request) -> Option<&str> {
    request.uri().query()?.split('&').find_map(|pair| pair.strip_prefix("k="))
}

pub(crate) async fn guard(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    if !host_allowed(headers, shared.port) {
        return refuse(
            "host_refused",
            "Host is not this app's address (127.0.0.1 or localhost with its port)",
        );
    }
    match origin_allowed(headers, shared.port) {
        Some(false) => return refuse("origin_refused", "the request comes from another site"),
        None if !matches!(*request.method(), Method::GET | Method::HEAD) => {
            return refuse("origin_required", "a request that changes something must carry its Origin");
        }
        _ => {}
    }
    let name = format!("{COOKIE_PREFIX}{}", shared.port);
    if let Some(secret) = query_secret(&request) {
        if !same(secret, &shared.secret) {
            return refuse("secret_wrong", "the key in the address is not this start's");
        }
        let cookie = format!("{name}={}; HttpOnly; SameSite=Strict; Path=/", shared.secret);
        let mut response =
            (StatusCode::SEE_OTHER, [(header::LOCATION, request.uri().path().to_owned())]).into_response();
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
        return response;
    }
    match cookie_secret(headers, &name) {
        Some(secret) if same(secret, &shared.secret) => {}
        _ => return refuse("secret_missing", "open the address odf-field ui printed at its start"),
    }
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // The pages are not to be framed by another page, nor cached beyond this start.
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    // Not `no-referrer`: with it Chromium sends `Origin: null` on the app's own form posts.
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'; form-action 'self'"),
    );
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_found_by_its_port_named_key_only() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("odf_ui_80=aa; odf_ui_8080=bb"));
        assert_eq!(cookie_secret(&headers, "odf_ui_8080"), Some("bb"));
        assert_eq!(cookie_secret(&headers, "odf_ui_8"), None);
        headers.insert(header::HOST, HeaderValue::from_static("localhost:8080"));
        assert!(host_allowed(&headers, 8080));
        assert!(!host_allowed(&headers, 80));
        headers.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert_eq!(origin_allowed(&headers, 8080), Some(false));
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same("abcd", "abcd"));
        assert!(!same("abcd", "abce"));
        assert!(!same("abcd", "abc"));
    }
}
