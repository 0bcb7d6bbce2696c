//! `GET /v1/admin/conflicts` and `POST /v1/admin/conflicts/{id}/resolve`: household edit conflicts,
//! for admins of the area they occurred in.

use axum::Json;
use axum::extract::State;
use odf_mobile_api::ConflictDto;
use odf_mobile_api::admin::{Keep, ResolveConflictRequest};
use odf_store::HouseholdConflict;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::access::{Allowed, ManageConflicts};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};

fn conflict_dto(c: HouseholdConflict) -> ConflictDto {
    ConflictDto {
        id: c.id,
        household_id: c.household_id,
        village: c.village.to_string(),
        edit_id: c.edit_id,
        fields: c
            .fields
            .iter()
            .filter_map(|f| serde_json::to_value(f).ok()?.as_str().map(str::to_owned))
            .collect(),
        kept: serde_json::to_value(&c.kept).unwrap_or_default(),
        other: serde_json::to_value(&c.other).unwrap_or_default(),
        created_at: c.created_at,
        resolved_at: c.resolved_at,
        resolved_by: c.resolved_by,
        resolution: c.resolution,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConflictQuery {
    /// Only unresolved conflicts (default true).
    #[serde(default)]
    pub open: Option<bool>,
}

#[utoipa::path(
    get, path = "/v1/admin/conflicts", tag = "admin", security(("bearer" = [])),
    params(ConflictQuery),
    responses(
        (status = 200, description = "Household edit conflicts in the admin's area, oldest first", body = [ConflictDto]),
        (status = 403, description = "forbidden", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn list_conflicts(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<ManageConflicts>,
    ApiQuery(query): ApiQuery<ConflictQuery>,
) -> ApiResult<Json<Vec<ConflictDto>>> {
    let conflicts = conflicts_of(&state, &caller, query.open.unwrap_or(true)).await?;
    Ok(Json(conflicts.into_iter().map(conflict_dto).collect()))
}

#[utoipa::path(
    post, path = "/v1/admin/conflicts/{id}/resolve", tag = "admin", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Conflict id")),
    request_body = ResolveConflictRequest,
    responses(
        (status = 200, description = "Resolved", body = ConflictDto),
        (status = 404, description = "not_found (or outside the admin's area)", body = odf_mobile_api::ErrorBody),
        (status = 409, description = "conflict: already resolved", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn resolve_conflict(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<ManageConflicts>,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(request): ApiJson<ResolveConflictRequest>,
) -> ApiResult<Json<ConflictDto>> {
    let resolved = resolve(&state, &caller, id, request.keep == Keep::Other).await?;
    Ok(Json(conflict_dto(resolved)))
}

/// The conflicts in the admin's area (only unresolved ones with `open_only`), oldest first: the
/// API's list and the admin page's.
pub async fn conflicts_of(
    state: &AppState,
    caller: &Caller,
    open_only: bool,
) -> ApiResult<Vec<HouseholdConflict>> {
    Ok(state.store().conflicts(caller.user.area.code(), open_only).await?)
}

/// Resolves conflict `id` of the admin's area (the store audits it): the API's and the page's.
pub async fn resolve(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    choose_other: bool,
) -> ApiResult<HouseholdConflict> {
    // Existence outside the admin's area must not leak: 404 either way.
    let in_scope = conflicts_of(state, caller, false).await?.iter().any(|c| c.id == id);
    if !in_scope {
        return Err(ApiError::not_found("Konflik (conflict)"));
    }
    Ok(state.store().resolve_conflict(id, choose_other, &caller.user.username).await?)
}
