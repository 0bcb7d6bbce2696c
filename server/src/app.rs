//! The application: shared state, the router with its middleware, and [`serve`], which runs on a
//! listener the caller bound (port 0 in tests) until a shutdown future completes, finishing
//! in-flight requests first.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request, StatusCode};
use axum::routing::{get, post};
use axum::{Router, middleware};
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

/// Settings of a running server (the command line and `ODF_*` variables fill them in).
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
}

/// Shared by every request; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    pub fn new(store: AnyStore, config: ServerConfig) -> AppState {
        let limiter = LoginLimiter::new(config.login_max_failures, config.login_window);
        AppState(Arc::new(Inner {
            store,
            config,
            limiter,
            metrics: Metrics::new(),
            places: PlacesCache::default(),
        }))
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
        .route("/v1/coverage/{area}/villages", get(routes::coverage::villages))
        .route("/v1/coverage/{area}/stbm.csv", get(routes::coverage::stbm_csv))
        .route("/v1/coverage/{area}/dhis2", get(routes::coverage::dhis2))
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
