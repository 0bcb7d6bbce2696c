//! The application: shared state, the router with its middleware, and [`serve`], which runs on a
//! listener the caller bound (port 0 in tests) until a shutdown future completes, finishing
//! in-flight requests first.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request, StatusCode};
use axum::routing::{get, post, put};
use axum::{Router, middleware};
use odf_certificate::Signer;
use odf_domain::TeamRules;
use odf_mobile_api::ErrorCode;
use odf_mobile_api::sync::MAX_PUSH_BYTES;
use odf_store::AnyStore;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::auth::LoginLimiter;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::places::PlacesCache;
use crate::routes;
use crate::routes::export::Dhis2Mapping;

/// Settings of a running server. `odf-server` fills them in from its config file, `ODF_*` variables
/// and flags ([`crate::config::Settings`]); tests and the demo start from [`Default`].
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// How long a login token lives. Phones may be offline for weeks, so this is long.
    pub session_ttl: chrono::Duration,
    /// How far ahead of the server's clock a visit time may be.
    pub clock_skew: chrono::Duration,
    /// Distance (m) from the household's registered point beyond which a visit is flagged.
    pub gps_max_distance_m: f64,
    pub max_push_records: usize,
    pub max_push_bytes: usize,
    pub login_max_failures: usize,
    pub login_window: Duration,
    /// How coverage exports map onto DHIS2 data elements and org units.
    pub dhis2: Dhis2Mapping,
    /// Where the certificate signing key is kept (`crate::keys`). `None` keeps a key in memory only,
    /// for tests and demos: certificates it signs no longer verify after a restart.
    pub data_dir: Option<PathBuf>,
    /// The server's public address, printed on certificates as the public check's QR code.
    pub public_url: String,
    /// Every household of a claiming village must have been visited within this window.
    pub claim_window: chrono::Duration,
    /// Verification team size limits.
    pub team_rules: TeamRules,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            session_ttl: chrono::Duration::days(60),
            clock_skew: odf_domain::household::DEFAULT_CLOCK_SKEW,
            gps_max_distance_m: odf_domain::gps::DEFAULT_MAX_DISTANCE_M,
            max_push_records: odf_mobile_api::sync::MAX_RECORDS_PER_PUSH,
            max_push_bytes: MAX_PUSH_BYTES,
            login_max_failures: 5,
            login_window: Duration::from_secs(15 * 60),
            dhis2: Dhis2Mapping::default(),
            data_dir: None,
            public_url: crate::keys::DEFAULT_PUBLIC_URL.to_owned(),
            claim_window: odf_domain::coverage::DEFAULT_CLAIM_WINDOW,
            team_rules: TeamRules::default(),
        }
    }
}

#[derive(Debug)]
struct Inner {
    store: AnyStore,
    config: ServerConfig,
    limiter: LoginLimiter,
    metrics: Metrics,
    places: PlacesCache,
    /// The certificate signing key, or why it could not be loaded (certificates are then refused
    /// with `signing_key_unavailable`; everything else works).
    signer: Result<Signer, String>,
}

/// Shared by every request; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    /// The state with the signing key from `config.data_dir` (made there on first start), or a key
    /// in memory when there is no data directory. A key that cannot be loaded is logged and only
    /// certificate signing is refused; use [`AppState::try_new`] to refuse to start instead.
    pub fn new(store: AnyStore, config: ServerConfig) -> AppState {
        let signer = match &config.data_dir {
            Some(dir) => crate::keys::load_or_create(dir).map_err(|err| {
                tracing::error!(%err, "certificate signing key unavailable");
                err.to_string()
            }),
            None => Signer::generate().map_err(|err| err.to_string()),
        };
        AppState::with_signer(store, config, signer)
    }

    /// Like [`AppState::new`], but a signing key that cannot be read or made is an error.
    pub fn try_new(store: AnyStore, config: ServerConfig) -> Result<AppState, crate::keys::KeyFileError> {
        let signer = match &config.data_dir {
            Some(dir) => crate::keys::load_or_create(dir)?,
            None => Signer::generate()?,
        };
        Ok(AppState::with_signer(store, config, Ok(signer)))
    }

    fn with_signer(store: AnyStore, config: ServerConfig, signer: Result<Signer, String>) -> AppState {
        let limiter = LoginLimiter::new(config.login_max_failures, config.login_window);
        AppState(Arc::new(Inner {
            store,
            config,
            limiter,
            metrics: Metrics::new(),
            places: PlacesCache::default(),
            signer,
        }))
    }

    /// The certificate signing key, or a 503 saying it is unavailable.
    pub fn signer(&self) -> Result<&Signer, ApiError> {
        self.0.signer.as_ref().map_err(|cause| {
            tracing::error!(%cause, "certificate signing key unavailable");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::SigningKeyUnavailable,
                "Kunci tanda tangan piagam server tidak tersedia; hubungi admin (signing key unavailable)",
            )
        })
    }

    pub fn store(&self) -> &AnyStore {
        &self.0.store
    }

    pub fn config(&self) -> &ServerConfig {
        &self.0.config
    }

    pub fn limiter(&self) -> &LoginLimiter {
        &self.0.limiter
    }

    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    pub fn places(&self) -> &PlacesCache {
        &self.0.places
    }
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Every route with its middleware.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/v1/auth/login", post(routes::auth::login))
        .route("/v1/auth/logout", post(routes::auth::logout))
        .route("/v1/me", get(routes::auth::me))
        .route("/v1/sync/push", post(routes::sync::push))
        .route("/v1/sync/pull", get(routes::sync::pull))
        .route("/v1/admin/conflicts", get(routes::admin::list_conflicts))
        .route("/v1/admin/conflicts/{id}/resolve", post(routes::admin::resolve_conflict))
        .route("/v1/coverage/{area}", get(routes::coverage::area))
        .route("/v1/coverage/{area}/ranking", get(routes::coverage::ranking))
        .route("/v1/coverage/{area}/series", get(routes::coverage::series))
        .route("/v1/coverage/{area}/villages", get(routes::coverage::villages))
        .route("/v1/coverage/{area}/stbm.csv", get(routes::coverage::stbm_csv))
        .route("/v1/coverage/{area}/dhis2", get(routes::coverage::dhis2))
        .route("/v1/villages/{code}/trigger", post(routes::villages::trigger))
        .route("/v1/villages/{code}/claim", post(routes::villages::claim))
        .route("/v1/villages/{code}/verifications", post(routes::villages::open_verification))
        .route("/v1/villages/{code}/history", get(routes::villages::history))
        .route("/v1/verifications/{id}", get(routes::verifications::get))
        .route("/v1/verifications/{id}/community", put(routes::verifications::community))
        .route("/v1/verifications/{id}/decision", post(routes::verifications::decide))
        .route("/v1/certificates/{file}", get(routes::certificates::certificate_file))
        .route("/v1/certificates/{id}/revoke", post(routes::certificates::revoke))
        .route("/v1/notifications", get(routes::notifications::list))
        .route("/v1/public/key", get(routes::certificates::public_key))
        .route("/v1/public/certificates/{id}", get(routes::certificates::public_check))
        .route("/v1/openapi.json", get(routes::docs::openapi_json))
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        .route("/metrics", get(routes::health::metrics))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config().max_push_bytes));

    api.layer(middleware::from_fn_with_state(state.clone(), crate::metrics::track))
        // Decompression wraps the routes, and their body limit is enforced by the extractors on the
        // decompressed stream: a small gzip bomb cannot expand past it.
        .layer(RequestDecompressionLayer::new())
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::custom(|_| {
            axum::response::IntoResponse::into_response(ApiError::internal("handler panicked"))
        }))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let request_id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!(
                "request",
                method = %request.method(),
                path = %request.uri().path(),
                request_id = %request_id,
                user = tracing::field::Empty,
            )
        }))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

async fn not_found() -> ApiError {
    ApiError::not_found("Alamat ini (this path)")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::NotFound,
        "Metode HTTP ini tidak didukung di alamat ini (method not allowed)",
    )
}

/// Serves until `shutdown` completes, then stops accepting and lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}
