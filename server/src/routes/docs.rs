//! `GET /v1/openapi.json`: the OpenAPI document generated from the handlers and wire types.

use axum::Json;

use crate::openapi::api_doc;

pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(api_doc())
}
