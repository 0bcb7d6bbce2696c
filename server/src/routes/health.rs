//! `/healthz` (the process answers), `/readyz` (and its database does), `/metrics` (Prometheus).

use axum::Json;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use serde_json::{Value, json};

use crate::app::AppState;
use crate::error::ApiResult;

#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "Alive")))]
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

#[utoipa::path(
    get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready: the database answers"),
        (status = 503, description = "The database does not answer", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn readyz(State(state): State<AppState>) -> ApiResult<Json<Value>> {
    state.store().ping().await?;
    Ok(Json(json!({ "status": "ready", "database": state.store().backend_name() })))
}

#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text format")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics().render())
}
