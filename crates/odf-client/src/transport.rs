//! The HTTP boundary of the client, as a trait: [`crate::HttpTransport`] speaks to a real server,
//! tests use a fake. The transport makes one attempt per call; retrying is the sync engine's job.

use std::future::Future;
use std::io::Write;
use std::time::Duration;

use flate2::Compression;
use flate2::write::GzEncoder;
use odf_mobile_api::{
    ContentRange, ErrorDetail, LoginRequest, LoginResponse, PhotoUploadDto, PullResponse, PushRequest,
    PushResponse, UserDto,
};
use thiserror::Error;

use crate::secret::SessionToken;

/// Why one request failed. The texts are technical causes (the detail line under a message from
/// [`crate::i18n`]), in English like the libraries they come from.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TransportError {
    /// No answer: the connection dropped, a timeout. The request may have reached the server.
    /// Worth retrying.
    #[error("network: {0}")]
    Network(String),
    /// The connection could not be opened: nothing reached the server. Worth retrying.
    #[error("cannot connect: {0}")]
    Unsent(String),
    /// The server answered with a non-2xx status and (usually) the API's error body.
    #[error("HTTP {status}{}", error.as_ref().map(|e| format!(" {}: {}", e.code, e.message)).unwrap_or_default())]
    Status { status: u16, error: Option<ErrorDetail>, retry_after: Option<Duration> },
    /// A 2xx answer whose body is not what the contract says (a captive portal page, a cut body).
    #[error("response does not match the contract: {0}")]
    BadResponse(String),
    #[error("invalid server URL: {0}")]
    BadUrl(String),
}

impl TransportError {
    /// Whether the same request may succeed later: network failures, 5xx, 408 and 429.
    /// Other 4xx will get the same answer again; 401 needs a new login.
    pub fn is_retryable(&self) -> bool {
        match self {
            TransportError::Network(_) | TransportError::Unsent(_) => true,
            TransportError::Status { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            TransportError::BadResponse(_) | TransportError::BadUrl(_) => false,
        }
    }

    /// Whether the request may have reached the server (everything but a failed connect).
    pub fn maybe_delivered(&self) -> bool {
        !matches!(self, TransportError::Unsent(_) | TransportError::BadUrl(_))
    }

    pub fn is_unauthenticated(&self) -> bool {
        matches!(self, TransportError::Status { status: 401, .. })
    }

    /// The server's request to wait (`Retry-After`), if it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            TransportError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// The calls the client makes. Each is one HTTP request: `POST /v1/auth/login`, `POST
/// /v1/auth/logout`, `GET /v1/me`,
/// `POST /v1/sync/push` (gzip body), `GET /v1/sync/pull?cursor=&limit=` and the photo calls.
pub trait Transport: Send + Sync {
    fn login(
        &self,
        request: &LoginRequest,
    ) -> impl Future<Output = Result<LoginResponse, TransportError>> + Send;

    fn me(&self, token: &SessionToken) -> impl Future<Output = Result<UserDto, TransportError>> + Send;

    /// `POST /v1/auth/logout`: revokes the session on the server.
    fn logout(&self, token: &SessionToken) -> impl Future<Output = Result<(), TransportError>> + Send;

    fn push(
        &self,
        token: &SessionToken,
        request: &PushRequest,
    ) -> impl Future<Output = Result<PushResponse, TransportError>> + Send;

    fn pull(
        &self,
        token: &SessionToken,
        cursor: i64,
        limit: u32,
    ) -> impl Future<Output = Result<PullResponse, TransportError>> + Send;

    /// `HEAD /v1/photos/{sha256}`: how much of the photo the server holds. The photo calls answer
    /// 404 by default, for transports (test fakes) that know no photos.
    fn photo_offset(
        &self,
        token: &SessionToken,
        sha256: &str,
    ) -> impl Future<Output = Result<PhotoOffset, TransportError>> + Send {
        let _ = (token, sha256);
        async { Err(no_photos()) }
    }

    /// `PUT /v1/photos/{sha256}` with `Content-Range: range`: one chunk of the photo.
    fn put_photo(
        &self,
        token: &SessionToken,
        sha256: &str,
        range: ContentRange,
        chunk: &[u8],
    ) -> impl Future<Output = Result<PhotoUploadDto, TransportError>> + Send {
        let _ = (token, sha256, range, chunk);
        async { Err(no_photos()) }
    }

    /// `GET /v1/photos/{sha256}`: the photo's bytes.
    fn get_photo(
        &self,
        token: &SessionToken,
        sha256: &str,
    ) -> impl Future<Output = Result<Vec<u8>, TransportError>> + Send {
        let _ = (token, sha256);
        async { Err(no_photos()) }
    }
}

/// How much of a photo the server holds (`HEAD /v1/photos/{sha256}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoOffset {
    pub received: u64,
    pub complete: bool,
}

fn no_photos() -> TransportError {
    TransportError::Status { status: 404, error: None, retry_after: None }
}

/// The push body as sent: JSON, gzip-compressed. Records compress about 8-10 to 1, which matters
/// on a 2G link.
pub fn gzip_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, TransportError> {
    let json = serde_json::to_vec(value).map_err(|err| TransportError::BadResponse(err.to_string()))?;
    let mut encoder = GzEncoder::new(Vec::with_capacity(json.len() / 4), Compression::default());
    encoder.write_all(&json).map_err(|err| TransportError::Network(err.to_string()))?;
    encoder.finish().map_err(|err| TransportError::Network(err.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn a_gzipped_body_decompresses_to_the_same_json() {
        let value = serde_json::json!({"households": [], "visits": [{"id": "x".repeat(500)}]});
        let body = gzip_json(&value).unwrap();
        assert!(body.len() < 200, "{} bytes", body.len());
        let mut text = String::new();
        flate2::read::GzDecoder::new(body.as_slice()).read_to_string(&mut text).unwrap();
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), value);
    }

    #[test]
    fn only_network_errors_5xx_408_and_429_are_retried() {
        let status = |status| TransportError::Status { status, error: None, retry_after: None };
        assert!(TransportError::Network("reset".to_owned()).is_retryable());
        assert!(status(503).is_retryable());
        assert!(status(429).is_retryable());
        assert!(!status(400).is_retryable());
        assert!(!status(401).is_retryable());
        assert!(status(401).is_unauthenticated());
        assert!(!status(413).is_retryable());
        assert!(!TransportError::BadResponse("html".to_owned()).is_retryable());
    }
}
