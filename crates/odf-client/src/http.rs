//! [`Transport`] over HTTP with reqwest: JSON bodies, gzip on the way up (push) and accepted on the
//! way down, `Authorization: Bearer`, and the API's error body decoded on every non-2xx answer.
//!
//! Timeouts suit a 2G link: a connection must open within 30 s and no read may stall for more than
//! 90 s, but a slow download that keeps moving is never cut off by a total deadline.

use std::time::Duration;

use odf_mobile_api::{
    ContentRange, ErrorBody, LoginRequest, LoginResponse, PhotoUploadDto, PullResponse, PushRequest,
    PushResponse, UserDto, photos,
};
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_ENCODING, CONTENT_RANGE, CONTENT_TYPE, HeaderMap, HeaderValue, RETRY_AFTER,
};
use reqwest::{RequestBuilder, Response};
use serde::de::DeserializeOwned;
use url::Url;

use crate::secret::SessionToken;
use crate::transport::{PhotoOffset, Transport, TransportError, gzip_json};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);
const READ_TIMEOUT: Duration = Duration::from_secs(90);

/// The production transport. Cheap to clone (reqwest's client is shared).
#[derive(Debug, Clone)]
pub struct HttpTransport {
    base: Url,
    http: reqwest::Client,
}

impl HttpTransport {
    /// `server` is the base URL, e.g. `https://odf.example.go.id` or `http://127.0.0.1:8080/`; the
    /// API lives under `{server}/v1/`.
    pub fn new(server: &str) -> Result<HttpTransport, TransportError> {
        let base = parse_base(server)?;
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .user_agent(concat!("odf-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|err| TransportError::Network(err.to_string()))?;
        Ok(HttpTransport { base, http })
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    fn url(&self, path: &str) -> Result<Url, TransportError> {
        self.base.join(path).map_err(|err| TransportError::BadUrl(format!("{path}: {err}")))
    }
}

/// Normalises a server address to a base URL ending in `/`, so `join("v1/...")` keeps any path
/// prefix (a server behind a reverse proxy at `/odf/`).
pub fn parse_base(server: &str) -> Result<Url, TransportError> {
    let trimmed = server.trim();
    let with_slash = if trimmed.ends_with('/') { trimmed.to_owned() } else { format!("{trimmed}/") };
    let url = Url::parse(&with_slash).map_err(|err| TransportError::BadUrl(format!("{trimmed}: {err}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(TransportError::BadUrl(trimmed.to_owned()));
    }
    Ok(url)
}

fn bearer(token: &SessionToken) -> Result<HeaderValue, TransportError> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
        .map_err(|_| TransportError::BadResponse("token is not a valid header value".to_owned()))?;
    value.set_sensitive(true);
    Ok(value)
}

async fn send<T: DeserializeOwned>(request: RequestBuilder) -> Result<T, TransportError> {
    let response = request.send().await.map_err(network)?;
    decode(response).await
}

fn network(err: reqwest::Error) -> TransportError {
    // The error text can include the URL but never headers, so the token cannot leak here.
    if err.is_connect() {
        return TransportError::Unsent(err.without_url().to_string());
    }
    TransportError::Network(err.without_url().to_string())
}

async fn decode<T: DeserializeOwned>(response: Response) -> Result<T, TransportError> {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    // Reading the whole body first: a connection cut mid-body is a network error (retryable), not
    // a decoding error.
    let body = response.bytes().await.map_err(network)?;
    if status.is_success() {
        return serde_json::from_slice(&body).map_err(|err| TransportError::BadResponse(err.to_string()));
    }
    let error = serde_json::from_slice::<ErrorBody>(&body).ok().map(|b| b.error);
    Err(TransportError::Status { status: status.as_u16(), error, retry_after })
}

impl Transport for HttpTransport {
    async fn login(&self, request: &LoginRequest) -> Result<LoginResponse, TransportError> {
        send(self.http.post(self.url("v1/auth/login")?).json(request)).await
    }

    async fn me(&self, token: &SessionToken) -> Result<UserDto, TransportError> {
        send(self.http.get(self.url("v1/me")?).header(AUTHORIZATION, bearer(token)?)).await
    }

    async fn logout(&self, token: &SessionToken) -> Result<(), TransportError> {
        let request = self.http.post(self.url("v1/auth/logout")?).header(AUTHORIZATION, bearer(token)?);
        let response = request.send().await.map_err(network)?;
        if response.status().is_success() {
            return Ok(());
        }
        decode::<serde_json::Value>(response).await.map(|_| ())
    }

    async fn push(
        &self,
        token: &SessionToken,
        request: &PushRequest,
    ) -> Result<PushResponse, TransportError> {
        let body = gzip_json(request)?;
        let http = self
            .http
            .post(self.url("v1/sync/push")?)
            .header(AUTHORIZATION, bearer(token)?)
            .header(CONTENT_TYPE, "application/json")
            .header(CONTENT_ENCODING, "gzip")
            .body(body);
        send(http).await
    }

    async fn pull(
        &self,
        token: &SessionToken,
        cursor: i64,
        limit: u32,
    ) -> Result<PullResponse, TransportError> {
        let mut url = self.url("v1/sync/pull")?;
        url.query_pairs_mut()
            .append_pair("cursor", &cursor.to_string())
            .append_pair("limit", &limit.to_string());
        send(self.http.get(url).header(AUTHORIZATION, bearer(token)?)).await
    }

    async fn photo_offset(&self, token: &SessionToken, sha256: &str) -> Result<PhotoOffset, TransportError> {
        let request = self.http.head(self.photo_url(sha256)?).header(AUTHORIZATION, bearer(token)?);
        let response = request.send().await.map_err(network)?;
        if !response.status().is_success() {
            return decode::<serde_json::Value>(response)
                .await
                .map(|_| PhotoOffset { received: 0, complete: false });
        }
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::trim);
        let received = header(photos::UPLOAD_OFFSET)
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or_else(|| TransportError::BadResponse("no Upload-Offset".to_owned()))?;
        Ok(PhotoOffset { received, complete: header(photos::UPLOAD_COMPLETE) == Some("?1") })
    }

    async fn put_photo(
        &self,
        token: &SessionToken,
        sha256: &str,
        range: ContentRange,
        chunk: &[u8],
    ) -> Result<PhotoUploadDto, TransportError> {
        let request = self
            .http
            .put(self.photo_url(sha256)?)
            .header(AUTHORIZATION, bearer(token)?)
            .header(CONTENT_TYPE, "application/octet-stream")
            .header(CONTENT_RANGE, range.to_string())
            .body(chunk.to_vec());
        send(request).await
    }

    async fn get_photo(&self, token: &SessionToken, sha256: &str) -> Result<Vec<u8>, TransportError> {
        let request = self.http.get(self.photo_url(sha256)?).header(AUTHORIZATION, bearer(token)?);
        let response = request.send().await.map_err(network)?;
        if !response.status().is_success() {
            return decode::<serde_json::Value>(response).await.map(|_| Vec::new());
        }
        Ok(response.bytes().await.map_err(network)?.to_vec())
    }
}

impl HttpTransport {
    fn photo_url(&self, sha256: &str) -> Result<Url, TransportError> {
        // Only a photo name reaches the path, so nothing can escape `v1/photos/`.
        if !odf_domain::is_photo_hash(sha256) {
            return Err(TransportError::BadUrl(format!("not a photo name: {sha256:?}")));
        }
        self.url(&format!("v1/photos/{sha256}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_addresses_are_normalised_to_a_base_with_a_trailing_slash() {
        let base = parse_base("https://odf.example.go.id/kab").unwrap();
        assert_eq!(base.join("v1/sync/pull").unwrap().as_str(), "https://odf.example.go.id/kab/v1/sync/pull");
        let base = parse_base(" http://127.0.0.1:8080 ").unwrap();
        assert_eq!(base.join("v1/me").unwrap().as_str(), "http://127.0.0.1:8080/v1/me");
        assert!(parse_base("odf.example.go.id").is_err());
        assert!(parse_base("ftp://odf.example.go.id").is_err());
    }
}
