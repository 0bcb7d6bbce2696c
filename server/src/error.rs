//! The HTTP layer's one error type. Every failure leaves as `{"error": {"code", "message", ...}}`
//! with a stable code; 5xx causes are logged and never sent to the client. Also the extractors for
//! what a request carries ([`ApiJson`], [`ApiQuery`], [`ApiPath`]): axum's own answer plain text
//! when the input does not parse, these answer in the error shape.

use axum::Json;
use axum::extract::path::ErrorKind;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use odf_domain::{FieldError, TransitionError, VerificationError};
use odf_mobile_api::{ErrorBody, ErrorCode};
use odf_store::StoreError;
use serde::de::DeserializeOwned;
use serde_json::Value;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    pub field: Option<String>,
    /// Seconds after which the client may retry (sent as `Retry-After`).
    pub retry_after: Option<u64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into(), field: None, retry_after: None }
    }

    pub fn field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    pub fn unauthenticated() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            "Silakan masuk (login) lagi: token tidak ada, tidak dikenal, dicabut atau kedaluwarsa \
             (missing, unknown, revoked or expired token)",
        )
    }

    pub fn forbidden(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            format!("Peran Anda tidak boleh {what} (your role may not do this)"),
        )
    }

    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("{what} tidak ditemukan (not found)"),
        )
    }

    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(%cause, "internal error");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "Terjadi kesalahan di server; tidak ada data yang berubah (server fault; nothing was changed)",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        match &err {
            StoreError::UsernameTaken(_) => {
                ApiError::new(StatusCode::CONFLICT, ErrorCode::Conflict, err.to_string())
            }
            StoreError::NotFound { .. } => {
                ApiError::new(StatusCode::NOT_FOUND, ErrorCode::NotFound, err.to_string())
            }
            StoreError::UnknownVillage(_) => {
                ApiError::new(StatusCode::NOT_FOUND, ErrorCode::UnknownVillage, err.to_string())
            }
            StoreError::AlreadyResolved(_) => {
                ApiError::new(StatusCode::CONFLICT, ErrorCode::Conflict, err.to_string())
            }
            StoreError::Transition(TransitionError::Field(field))
            | StoreError::Verification(VerificationError::Field(field)) => field_error(*field),
            StoreError::Transition(TransitionError::ReasonRequired(_) | TransitionError::ActorRequired) => {
                ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::ReasonRequired, err.to_string())
            }
            StoreError::Transition(_) => {
                ApiError::new(StatusCode::CONFLICT, ErrorCode::TransitionNotAllowed, err.to_string())
            }
            StoreError::Verification(rule) => {
                let status = match rule {
                    VerificationError::NoHouseholds => StatusCode::CONFLICT,
                    _ => StatusCode::BAD_REQUEST,
                };
                // Every rule code is a wire code (mobile-api tests this); Conflict is a safe fallback.
                let code = ErrorCode::parse(rule.code()).unwrap_or(ErrorCode::Conflict);
                ApiError::new(status, code, err.to_string())
            }
            StoreError::VerificationDecided(_) => {
                ApiError::new(StatusCode::CONFLICT, ErrorCode::VerificationDecided, err.to_string())
            }
            StoreError::CommunityNotRecorded(_) => {
                ApiError::new(StatusCode::CONFLICT, ErrorCode::CommunityNotRecorded, err.to_string())
            }
            StoreError::CertificateRevoked(_) => {
                ApiError::new(StatusCode::CONFLICT, ErrorCode::CertificateRevoked, err.to_string())
            }
            StoreError::Certificate { .. } => {
                ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, err.to_string())
            }
            StoreError::Corrupt(what) => {
                tracing::error!(%what, "corrupt stored record");
                ApiError::new(
                    StatusCode::CONFLICT,
                    ErrorCode::RecordCorrupt,
                    "Data tersimpan rusak dan tidak dapat dibaca; hubungi admin (stored record is corrupt)",
                )
            }
            _ if err.is_unavailable() => {
                tracing::error!(error = %err, "database unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Unavailable,
                    "Basis data tidak dapat dihubungi; coba lagi nanti (database unavailable; retry later)",
                )
            }
            _ => ApiError::internal(&err),
        }
    }
}

/// A field refused by the shared rules (`odf_domain::input`): 400 with the rule's code and the field.
pub fn field_error(err: FieldError) -> ApiError {
    let code = ErrorCode::parse(err.code()).unwrap_or(ErrorCode::InvalidField);
    ApiError::new(StatusCode::BAD_REQUEST, code, err.to_string()).field(err.field())
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = ErrorBody::new(self.code, self.message);
        body.error.field = self.field;
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

/// Puts responses the HTTP stack made on its own (an empty 415 for an unknown Content-Encoding, a
/// 408 from a body timeout...) into the one error shape; responses that already are JSON pass.
pub async fn in_error_shape(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    // The dashboard's own error pages (`crate::web`) stay HTML.
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !(status.is_client_error() || status.is_server_error()) || is_json || is_html {
        return response;
    }
    let (code, message) = match status {
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            ErrorCode::UnsupportedMediaType,
            "Content-Encoding atau Content-Type tidak didukung; gunakan gzip dan JSON (unsupported encoding or media type)",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            ErrorCode::PayloadTooLarge,
            "Isi permintaan terlalu besar; kirim dalam beberapa bagian (request body too large; send smaller batches)",
        ),
        StatusCode::REQUEST_TIMEOUT => (
            ErrorCode::RequestTimeout,
            "Permintaan tidak selesai dikirim tepat waktu (request did not arrive in time)",
        ),
        StatusCode::METHOD_NOT_ALLOWED => {
            (ErrorCode::MethodNotAllowed, "Metode HTTP ini tidak didukung di alamat ini (method not allowed)")
        }
        StatusCode::NOT_FOUND => (ErrorCode::NotFound, "Alamat ini tidak ditemukan (not found)"),
        s if s.is_server_error() => (
            ErrorCode::Internal,
            "Terjadi kesalahan di server; tidak ada data yang berubah (server fault; nothing was changed)",
        ),
        _ => (ErrorCode::MalformedBody, "Permintaan tidak sah (bad request)"),
    };
    let mut shaped = ApiError::new(status, code, message).into_response();
    // Keep what the stack said besides the body (such as Retry-After or Allow).
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH && name != header::CONTENT_ENCODING
        {
            shaped.headers_mut().entry(name.clone()).or_insert_with(|| value.clone());
        }
    }
    shaped
}

/// `Json<T>` whose rejections use the API's error shape: 413 for a body over the limit, 415 for a
/// missing JSON content type, 400 for anything that does not parse as the expected JSON. At the
/// door, a NUL anywhere in the body (a string or a key) is `400 field_bad_character`: PostgreSQL
/// cannot store it while SQLite can, and both backends must answer the same. Each field's own rule
/// (`odf_domain::input`) refuses the other control characters where they matter.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<Value>::from_request(req, state).await.map_err(|r| json_rejection(&r))?;
        if let Some(at) = nul_at(&value) {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::FieldBadCharacter,
                "Isi permintaan berisi karakter NUL (request contains a NUL character)",
            )
            .field(at));
        }
        serde_json::from_value(value).map(ApiJson).map_err(|err| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::MalformedBody,
                format!("Isi permintaan tidak sesuai format (malformed body): {err}"),
            )
        })
    }
}

/// Where the first NUL is (a field path such as `team[1].name`), if any.
fn nul_at(value: &Value) -> Option<String> {
    nul_path(value).map(|path| path.trim_start_matches('.').to_owned())
}

fn nul_path(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => text.contains('\0').then(String::new),
        Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, item)| nul_path(item).map(|rest| format!("[{i}]{rest}")))
        }
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            if key.contains('\0') {
                return Some(String::new());
            }
            nul_path(item).map(|rest| format!(".{key}{rest}"))
        }),
        _ => None,
    }
}

/// `Json<T>` for pushes: the same rejections as [`ApiJson`] but no door check, because a push is
/// answered record by record: a NUL in one record refuses that record (by the text rule), not the
/// whole push, so a phone's outbox never sticks on it.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordsJson<T>(pub T);

impl<S, T> FromRequest<S> for RecordsJson<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(RecordsJson(value)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> ApiError {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::PayloadTooLarge,
            "Isi permintaan terlalu besar; kirim dalam beberapa bagian (request body too large; send smaller batches)",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::UnsupportedMediaType,
            "Isi permintaan harus JSON dengan Content-Type: application/json (body must be JSON)",
        ),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::MalformedBody,
            format!("Isi permintaan tidak sesuai format (malformed body): {}", rejection.body_text()),
        ),
    }
}

/// `Query<T>` whose rejection is `400 invalid_query` in the API's error shape.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    Query<T>: FromRequestParts<S, Rejection = QueryRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidQuery,
                format!("Parameter tidak sah (invalid query): {}", rejection.body_text()),
            )),
        }
    }
}

/// `Path<T>` whose rejection is `400 invalid_field` in the API's error shape, naming the path
/// parameter when axum knows it. A route that does not match its handler's `T` is the server's
/// fault (500).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    Path<T>: FromRequestParts<S, Rejection = PathRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(path_rejection(&rejection)),
        }
    }
}

fn path_rejection(rejection: &PathRejection) -> ApiError {
    if rejection.status().is_server_error() {
        return ApiError::internal(rejection.body_text());
    }
    let error = ApiError::new(
        StatusCode::BAD_REQUEST,
        ErrorCode::InvalidField,
        format!("Parameter jalur tidak sah (invalid path parameter): {}", rejection.body_text()),
    );
    let key = match rejection {
        PathRejection::FailedToDeserializePathParams(failed) => match failed.kind() {
            ErrorKind::ParseErrorAtKey { key, .. }
            | ErrorKind::InvalidUtf8InPathParam { key }
            | ErrorKind::DeserializeError { key, .. } => Some(key.clone()),
            _ => None,
        },
        _ => None,
    };
    match key {
        Some(key) => error.field(key),
        None => error,
    }
}
