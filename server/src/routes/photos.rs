//! `/v1/photos/{sha256}`: a resumable, content-addressed upload (`HEAD` how much is held, `PUT` a
//! chunk), and reading a photo (`GET`). The protocol is described in `odf_mobile_api::photos`, the
//! receiving in `crate::photos`.
//!
//! Scope: a photo belongs to the villages whose visits name it. Only field staff whose scope covers
//! one of them may send, resume or read it; to anyone else it does not exist (404, the answer for a
//! photo nobody named), so a name reveals nothing about other areas. Sending needs that visit
//! first: the phone pushes its records, then its photos, so the server never stores bytes that no
//! record asked for.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use odf_domain::is_photo_hash;
use odf_mobile_api::photos::{UPLOAD_COMPLETE, UPLOAD_OFFSET};
use odf_mobile_api::{ContentRange, ErrorCode, PhotoUploadDto};

use crate::access::{Allowed, ReadPhotos, SendPhotos};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiPath, ApiResult};
use crate::photos::{Progress, Start, offset_mismatch, too_large};

const WHAT: &str = "Foto (photo)";

/// The photo's name from the path, if the caller's scope covers a village whose visit names it.
async fn photo_in_scope(state: &AppState, caller: &Caller, name: &str) -> ApiResult<String> {
    if !is_photo_hash(name) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadPhotoHash,
            "Nama foto harus 64 karakter heksadesimal huruf kecil (the name must be 64 lowercase hex characters)",
        )
        .field("sha256"));
    }
    let villages = state.store().photo_villages(name).await?;
    if villages.iter().any(|village| caller.scope().covers(*village)) {
        Ok(name.to_owned())
    } else {
        Err(ApiError::not_found(WHAT))
    }
}

fn upload_headers(response: &mut Response, received: u64, complete: bool) {
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&received.to_string()) {
        headers.insert(UPLOAD_OFFSET, value);
    }
    headers.insert(UPLOAD_COMPLETE, HeaderValue::from_static(if complete { "?1" } else { "?0" }));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

#[utoipa::path(
    head, path = "/v1/photos/{sha256}", tag = "photos", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "The photo's name: lowercase hex SHA-256 of its bytes")),
    responses(
        (status = 200, description = "How much of the photo the server holds: `Upload-Offset` (bytes; the size once complete) and `Upload-Complete` (`?1` or `?0`). No body.",
            headers(("Upload-Offset" = u64, description = "Bytes held"), ("Upload-Complete" = String, description = "?1 when the whole photo is stored"))),
        (status = 400, description = "bad_photo_hash (no body on HEAD)"),
        (status = 403, description = "forbidden (viewer)"),
        (status = 404, description = "not_found: no visit in the caller's scope names this photo"),
    )
)]
pub async fn head(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<SendPhotos>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Response> {
    let name = photo_in_scope(&state, &caller, &name).await?;
    let (held, complete) = state.photos()?.held(&name).await?;
    let mut response = StatusCode::OK.into_response();
    upload_headers(&mut response, held, complete);
    Ok(response)
}

/// The chunk a request declares: `Content-Range`, or the whole photo by `Content-Length`.
fn declared_range(headers: &HeaderMap) -> ApiResult<ContentRange> {
    let invalid = |message: &str| {
        ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidContentRange, message.to_owned())
    };
    let length = match headers.get(header::CONTENT_LENGTH) {
        Some(value) => Some(
            value
                .to_str()
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .ok_or_else(|| invalid("Content-Length tidak sah (invalid Content-Length)"))?,
        ),
        None => None,
    };
    match (headers.get(header::CONTENT_RANGE), length) {
        (Some(value), length) => {
            let range = value.to_str().ok().and_then(ContentRange::parse).ok_or_else(|| {
                invalid("Content-Range harus `bytes awal-akhir/ukuran` (must be `bytes start-end/size`)")
            })?;
            if length.is_some_and(|len| len != range.len()) {
                return Err(invalid(
                    "Content-Length tidak sama dengan panjang Content-Range (length differs from the range)",
                ));
            }
            Ok(range)
        }
        (None, Some(len)) => {
            ContentRange::chunk(0, len, len).ok_or_else(|| invalid("Foto kosong (empty photo)"))
        }
        (None, None) => Err(ApiError::new(
            StatusCode::LENGTH_REQUIRED,
            ErrorCode::LengthRequired,
            "Kirim Content-Length atau Content-Range (send Content-Length or Content-Range)",
        )),
    }
}

/// Reads up to `limit + 1` bytes of the body (one more than allowed tells a body that is too
/// long); a body that stops with an error (cut connection, timeout) gives what came before it.
async fn read_body(body: Body, limit: u64) -> (Vec<u8>, Option<ApiError>) {
    let cap = usize::try_from(limit).unwrap_or(usize::MAX).saturating_add(1);
    let mut bytes = Vec::with_capacity(cap.min(1 << 20));
    let mut stream = body.into_data_stream();
    while let Some(frame) = stream.next().await {
        match frame {
            Ok(data) => {
                let room = cap - bytes.len();
                bytes.extend_from_slice(&data[..data.len().min(room)]);
                if bytes.len() >= cap {
                    break;
                }
            }
            Err(err) => {
                let cut = ApiError::new(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::MalformedBody,
                    format!(
                        "Isi permintaan terputus; lanjutkan dengan HEAD (body cut off; resume after HEAD): {err}"
                    ),
                );
                return (bytes, Some(cut));
            }
        }
    }
    (bytes, None)
}

#[utoipa::path(
    put, path = "/v1/photos/{sha256}", tag = "photos", security(("bearer" = [])),
    params(
        ("sha256" = String, Path, description = "The photo's name: lowercase hex SHA-256 of its bytes"),
        ("Content-Range" = Option<String>, Header, description = "`bytes start-end/size` of this chunk; without it the body is the whole photo (Content-Length required)"),
    ),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The chunk's bytes: JPEG, PNG or WebP, told by the first bytes"),
    responses(
        (status = 200, description = "Chunk stored (or the photo was already held whole); `Upload-Offset` says the bytes held", body = PhotoUploadDto),
        (status = 201, description = "This chunk completed the photo: hash checked, stored", body = PhotoUploadDto),
        (status = 400, description = "bad_photo_hash, invalid_content_range, photo_hash_mismatch (what was received is discarded)", body = odf_mobile_api::ErrorBody),
        (status = 403, description = "forbidden (viewer)", body = odf_mobile_api::ErrorBody),
        (status = 404, description = "not_found: no visit in the caller's scope names this photo (push the visit first)", body = odf_mobile_api::ErrorBody),
        (status = 409, description = "photo_offset_mismatch: the chunk starts after the bytes held (`Upload-Offset`)", body = odf_mobile_api::ErrorBody),
        (status = 411, description = "length_required", body = odf_mobile_api::ErrorBody),
        (status = 413, description = "photo_too_large", body = odf_mobile_api::ErrorBody),
        (status = 415, description = "photo_type_unsupported: not a JPEG, PNG or WebP (discarded)", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn put(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<SendPhotos>,
    ApiPath(name): ApiPath<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let mut body = Some(body);
    let mut response = match receive(&state, &caller, &name, &headers, &mut body).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    };
    // An answer given without reading the body (already held whole, refused before reading) ends
    // the connection: the unread bytes are still on it, and a client that sent the next request on
    // the same connection would see it cut.
    if body.is_some() {
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// The upload itself; takes `body` out of its option only when it reads it.
async fn receive(
    state: &AppState,
    caller: &Caller,
    name: &str,
    headers: &HeaderMap,
    body: &mut Option<Body>,
) -> ApiResult<Response> {
    let name = photo_in_scope(state, caller, name).await?;
    let range = declared_range(headers)?;
    let photos = state.photos()?;
    if range.size > photos.max_bytes() {
        return Err(too_large(range.size, photos.max_bytes()));
    }
    let progress = match photos.start(&name, range).await {
        Ok(Start::Complete(progress)) => progress,
        Ok(Start::Receive(receiving)) => {
            let Some(body) = body.take() else {
                return Err(ApiError::internal("photo body read twice"));
            };
            let (bytes, cut) = read_body(body, range.len()).await;
            photos.write(receiving, &bytes, cut).await?
        }
        Err(err) if err.code == ErrorCode::PhotoOffsetMismatch => {
            let (held, _) = photos.held(&name).await?;
            let mut response = offset_mismatch(held).into_response();
            upload_headers(&mut response, held, false);
            return Ok(response);
        }
        Err(err) => return Err(err),
    };
    Ok(answer(&name, progress))
}

fn answer(name: &str, progress: Progress) -> Response {
    let status = if progress.completed_now { StatusCode::CREATED } else { StatusCode::OK };
    let mut response = (status, axum::Json(progress.dto(name))).into_response();
    upload_headers(&mut response, progress.received, progress.complete);
    response
}

#[utoipa::path(
    get, path = "/v1/photos/{sha256}", tag = "photos", security(("bearer" = [])),
    params(("sha256" = String, Path, description = "The photo's name: lowercase hex SHA-256 of its bytes")),
    responses(
        (status = 200, description = "The photo (`image/jpeg`, `image/png` or `image/webp`); never changes, so cacheable for ever", content_type = "image/*"),
        (status = 400, description = "bad_photo_hash", body = odf_mobile_api::ErrorBody),
        (status = 403, description = "forbidden (viewer)", body = odf_mobile_api::ErrorBody),
        (status = 404, description = "not_found: not held whole, or no visit in the caller's scope names it", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<ReadPhotos>,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Response> {
    let name = photo_in_scope(&state, &caller, &name).await?;
    let (bytes, kind) = state.photos()?.read(&name).await?.ok_or_else(|| ApiError::not_found(WHAT))?;
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind.mime()));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // Private: scoped. Immutable: the name is the content.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=31536000, immutable"));
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{name}\"")) {
        headers.insert(header::ETAG, etag);
    }
    Ok(response)
}
