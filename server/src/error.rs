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
use odf_domain::{TransitionError, VerificationError};
use odf_mobile_api::{ErrorBody, ErrorCode};
use odf_store::StoreError;

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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = ErrorBody::new(self.code, self.message);
        body.error.field = self.field;
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// `Json<T>` whose rejections use the API's error shape: 413 for a body over the limit, 415 for a
/// missing JSON content type, 400 for anything that does not parse as the expected JSON.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
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
