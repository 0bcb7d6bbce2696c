//! `GET /v1/notifications`: what verifiers (and admins) of an area are told, such as a certified
//! village slipping back. Pull-based: pass the last `seq` seen as `after`.

use axum::Json;
use axum::extract::State;
use odf_mobile_api::{NotificationDto, NotificationsQuery, NotificationsResponse};

use crate::access::{Allowed, ReadNotifications};
use crate::app::AppState;
use crate::error::{ApiQuery, ApiResult};

const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

#[utoipa::path(
    get, path = "/v1/notifications", tag = "verification", security(("bearer" = [])),
    params(NotificationsQuery),
    responses(
        (status = 200, description = "Notifications for villages in the caller's area, oldest first", body = NotificationsResponse),
        (status = 400, description = "invalid_query", body = odf_mobile_api::ErrorBody),
        (status = 403, description = "forbidden (not a verifier or admin)", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn list(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<ReadNotifications>,
    ApiQuery(query): ApiQuery<NotificationsQuery>,
) -> ApiResult<Json<NotificationsResponse>> {
    let after = query.after.unwrap_or(0).max(0);
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let found = state.store().notifications(caller.user.area.code(), after, limit).await?;
    let next_after = found.last().map_or(after, |n| n.seq);
    let notifications = found
        .into_iter()
        .map(|n| NotificationDto {
            seq: n.seq,
            kind: n.kind.as_str().to_owned(),
            village: n.village.to_string(),
            kecamatan: n.kecamatan.to_string(),
            at: n.at,
            message: n.message,
            details: n.details,
        })
        .collect();
    Ok(Json(NotificationsResponse { notifications, next_after }))
}
