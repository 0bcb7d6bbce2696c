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
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use odf_certificate::Signer;
use odf_domain::TeamRules;
use odf_mobile_api::ErrorCode;
use odf_mobile_api::sync::MAX_PUSH_BYTES;
use odf_store::AnyStore;
use tokio::net::TcpListener;
use tower::ServiceExt;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::decompression::RequestDecompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::auth::LoginLimiter;
use crate::error::ApiError;
use crate::keyring::Keyring;
use crate::metrics::Metrics;
use crate::places::PlacesCache;
use crate::routes;
use crate::routes::export::Dhis2Mapping;
use crate::routes::photos as photo_routes;
use crate::routes::visits_export;

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
    /// Password checks (argon2) run at once; the others wait their turn. Each check holds ~19 MB
    /// (argon2's default memory cost), so this bounds what a crowd of logins (a whole team signing
    /// in at 7 o'clock) costs: unbounded, 50 at once took ~900 MB.
    pub login_max_concurrent: usize,
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
    /// How long a connection may take to send a request's headers ([`HEADER_TIMEOUT`]).
    pub header_timeout: Duration,
    /// How long a request body may take to arrive ([`BODY_TIMEOUT`]).
    pub body_timeout: Duration,
    /// The dashboard's public option (`[web] public_area`): aggregates of this area and below are
    /// shown without sign-in (never names). `None`, the default: every page needs sign-in.
    pub web_public_area: Option<odf_domain::AreaCode>,
    /// Where photo bytes are kept (`[photos] dir`). `None` keeps them in memory, for tests and
    /// demos, like `data_dir`.
    pub photo_dir: Option<PathBuf>,
    /// The largest photo accepted, in bytes (`[photos] max_bytes`).
    pub max_photo_bytes: u64,
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
            login_max_concurrent: DEFAULT_LOGIN_MAX_CONCURRENT,
            dhis2: Dhis2Mapping::default(),
            data_dir: None,
            public_url: crate::keys::DEFAULT_PUBLIC_URL.to_owned(),
            claim_window: odf_domain::coverage::DEFAULT_CLAIM_WINDOW,
            team_rules: TeamRules::default(),
            header_timeout: HEADER_TIMEOUT,
            body_timeout: BODY_TIMEOUT,
            web_public_area: None,
            photo_dir: None,
            max_photo_bytes: odf_domain::photo::DEFAULT_MAX_PHOTO_BYTES,
        }
    }
}

/// Password checks at once by default: two cores' worth (the machine kind the project runs on),
/// so logins go as fast as the CPU allows while holding at most ~38 MB of argon2 memory.
pub const DEFAULT_LOGIN_MAX_CONCURRENT: usize = 2;

#[derive(Debug)]
struct Inner {
    store: AnyStore,
    config: ServerConfig,
    limiter: LoginLimiter,
    /// Permits for password checks (`ServerConfig::login_max_concurrent`).
    password_checks: Arc<tokio::sync::Semaphore>,
    metrics: Metrics,
    places: PlacesCache,
    /// The dashboard's monthly trends, until their area changes (`crate::web`).
    web_trends: crate::web::TrendCache,
    /// Places files uploaded on the admin page, kept between their preview and its confirmation.
    web_uploads: crate::web::Uploads,
    /// The certificate signing keys, or why they could not be loaded (certificates are then refused
    /// with `signing_key_unavailable`; everything else works).
    keys: Result<Keyring, String>,
    /// Photo bytes, or why their folder could not be opened (photo routes then answer 503).
    photos: Result<crate::photos::Photos, String>,
}

/// Shared by every request; cheap to clone.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

impl AppState {
    /// The state with the signing key from `config.data_dir` (made there on first start), or a key
    /// in memory when there is no data directory. A key that cannot be loaded is logged and only
    /// certificate signing is refused; use [`AppState::try_new`] to refuse to start instead.
    pub fn new(store: AnyStore, config: ServerConfig) -> AppState {
        let keys = match &config.data_dir {
            Some(dir) => Keyring::load(dir).map_err(|err| {
                tracing::error!(%err, "certificate signing key unavailable");
                err.to_string()
            }),
            None => Signer::generate().map(Keyring::single).map_err(|err| err.to_string()),
        };
        AppState::with_keys(store, config, keys)
    }

    /// Like [`AppState::new`], but a signing key that cannot be read or made is an error.
    pub fn try_new(store: AnyStore, config: ServerConfig) -> Result<AppState, crate::keys::KeyFileError> {
        let keys = match &config.data_dir {
            Some(dir) => Keyring::load(dir)?,
            None => Keyring::single(Signer::generate()?),
        };
        // A photo folder that cannot be made refuses the start too.
        crate::photos::Photos::open(&config).map_err(crate::keys::KeyFileError::Refused)?;
        Ok(AppState::with_keys(store, config, Ok(keys)))
    }

    fn with_keys(store: AnyStore, config: ServerConfig, keys: Result<Keyring, String>) -> AppState {
        let limiter = LoginLimiter::new(config.login_max_failures, config.login_window);
        let password_checks = Arc::new(tokio::sync::Semaphore::new(config.login_max_concurrent.max(1)));
        let photos = crate::photos::Photos::open(&config).map_err(|err| {
            tracing::error!(%err, "photo folder unavailable");
            err
        });
        AppState(Arc::new(Inner {
            photos,
            store,
            config,
            limiter,
            password_checks,
            metrics: Metrics::new(),
            places: PlacesCache::default(),
            web_trends: crate::web::TrendCache::default(),
            web_uploads: crate::web::Uploads::default(),
            keys,
        }))
    }

    /// The key that signs new certificates, or a 503 saying it is unavailable.
    pub fn signer(&self) -> Result<&Signer, ApiError> {
        self.keyring().map(Keyring::current)
    }

    /// The current and earlier signing keys, or a 503 saying they are unavailable.
    pub fn keyring(&self) -> Result<&Keyring, ApiError> {
        self.0.keys.as_ref().map_err(|cause| {
            tracing::error!(%cause, "certificate signing key unavailable");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::SigningKeyUnavailable,
                "Kunci tanda tangan piagam server tidak tersedia; hubungi admin (signing key unavailable)",
            )
        })
    }

    /// The photo store, or a 503 saying it is unavailable.
    pub fn photos(&self) -> Result<&crate::photos::Photos, ApiError> {
        self.0.photos.as_ref().map_err(|cause| {
            tracing::error!(%cause, "photo folder unavailable");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                "Penyimpanan foto server tidak tersedia; hubungi admin (photo storage unavailable)",
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

    /// The permits a password check must hold ([`ServerConfig::login_max_concurrent`]).
    pub fn password_checks(&self) -> Arc<tokio::sync::Semaphore> {
        self.0.password_checks.clone()
    }

    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    pub fn places(&self) -> &PlacesCache {
        &self.0.places
    }

    pub fn web_trends(&self) -> &crate::web::TrendCache {
        &self.0.web_trends
    }

    pub fn web_uploads(&self) -> &crate::web::Uploads {
        &self.0.web_uploads
    }
}

/// How long a request body may take to arrive.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a connection may take to send a request's headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(30);

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
        // The visits export for analysts (issue 14).
        // The visits export gzips at the fastest level (the shared layer below then leaves it be):
        // at the default level compressing cost more than reading and encoding the rows together.
        .route("/v1/export/{area}/visits.csv", get(visits_export::visits_csv).layer(fast_gzip()))
        .route("/v1/export/{area}/visits.ndjson", get(visits_export::visits_ndjson).layer(fast_gzip()))
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
        // Photos (issue 13): resumable, content-addressed upload and scoped reads.
        .route("/v1/photos/{sha256}", get(photo_routes::get).head(photo_routes::head).put(photo_routes::put))
        .route("/v1/openapi.json", get(routes::docs::openapi_json))
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        .route("/metrics", get(routes::health::metrics))
        .merge(crate::web::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config().max_push_bytes));

    api.layer(middleware::from_fn_with_state(state.clone(), crate::metrics::track))
        // A client that sends its body slowly cannot hold a connection: the body must arrive within
        // the limit (the headers are bounded by the connection's header timeout, see `serve`).
        .layer(RequestBodyTimeoutLayer::new(state.config().body_timeout))
        // Decompression wraps the routes, and their body limit is enforced by the extractors on the
        // decompressed stream: a small gzip bomb cannot expand past it.
        .layer(RequestDecompressionLayer::new())
        // Outside the decompression layer, so its bare 415 for an unknown Content-Encoding gets the
        // error shape too.
        .layer(middleware::map_response(crate::error::in_error_shape))
        .layer(middleware::from_fn(bounded_request))
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

/// Longest path and query, and largest headers, answered in the error shape. hyper refuses larger
/// ones still (about 64 KiB of address, 400 KiB of headers) with its own bare 414 and 431.
pub const MAX_URI_LEN: usize = 8 * 1024;
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

async fn bounded_request(
    request: Request<axum::body::Body>,
    next: middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let uri_len = request.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri_len > MAX_URI_LEN {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            ErrorCode::UriTooLong,
            format!("Alamat paling panjang {MAX_URI_LEN} byte (address too long)"),
        )
        .into_response();
    }
    let header_bytes: usize = request.headers().iter().map(|(n, v)| n.as_str().len() + v.len() + 4).sum();
    if header_bytes > MAX_HEADER_BYTES {
        return ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ErrorCode::HeadersTooLarge,
            format!("Header permintaan paling banyak {MAX_HEADER_BYTES} byte (request headers too large)"),
        )
        .into_response();
    }
    next.run(request).await
}

async fn not_found() -> ApiError {
    ApiError::not_found("Alamat ini (this path)")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        ErrorCode::MethodNotAllowed,
        "Metode HTTP ini tidak didukung di alamat ini (method not allowed)",
    )
}

/// Serves until `shutdown` completes, then stops accepting and lets in-flight requests finish.
///
/// hyper's own HTTP/1 connections rather than `axum::serve`, for the header read timeout: a client
/// that opens a connection and sends its headers byte by byte is cut off after [`HEADER_TIMEOUT`].
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let header_timeout = state.config().header_timeout;
    let app = router(state);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: wait a little rather than spin.
                    tracing::warn!(%err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // The peer address, for the login limiter (`crate::auth::ClientAddr`).
        let app = app.clone();
        let service = tower::service_fn(move |mut request: Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            app.clone().oneshot(request)
        });
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(%err, "connection ended with an error");
            }
        });
    }
    graceful.shutdown().await;
    Ok(())
}

/// Response gzip for bulk streams: level 1 trades a somewhat larger download for much less CPU.
fn fast_gzip() -> CompressionLayer {
    CompressionLayer::new().quality(tower_http::CompressionLevel::Fastest)
}
