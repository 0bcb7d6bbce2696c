//! `POST /v1/sync/push` and `GET /v1/sync/pull`.
//!
//! A push is checked record by record before it reaches the store: wire format and domain rules
//! (`to_domain`), the caller's scope, and that a visit is the caller's own. What passes goes to the
//! store in one transaction; what does not is answered `rejected` with a code and field, and stored
//! nothing. Results come back in request order: households, visits, household edits, then the
//! village actions, which are applied after the records, one by one.
//!
//! One module per kind of record (`households`, `visits`, `household_edits`, `village_actions`),
//! plus `devices` for what the phone says about itself; [`Records`](records::Records) keeps the
//! answers of a kind in request order. A new kind of record is a new module, checked, stored and
//! answered in [`push`] next to the others.

mod devices;
mod household_edits;
mod households;
mod records;
mod village_actions;
mod visits;

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use odf_domain::{AreaCode, GeoPoint, Household, Scope};
use odf_mobile_api::sync::{DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT};
use odf_mobile_api::{
    ChangeDto, ErrorCode, PullQuery, PullResponse, PushRequest, PushResponse, RecordResult, RecordStatus,
};
use odf_store::IngestBatch;
use uuid::Uuid;

use crate::access::{Allowed, PullRecords, PushRecords};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiQuery, ApiResult, RecordsJson};

/// What every check of a push needs: who pushes, their scope, and the time it arrived.
struct Push<'a> {
    state: &'a AppState,
    caller: &'a Caller,
    scope: Scope,
    now: DateTime<Utc>,
}

/// Where each visit's or edit's household lives, and its registered point: from the same push, or
/// stored.
struct HouseholdPlaces(HashMap<Uuid, (AreaCode, Option<GeoPoint>)>);

impl HouseholdPlaces {
    async fn load(
        state: &AppState,
        households: &[Household],
        referenced: impl Iterator<Item = Uuid>,
    ) -> ApiResult<HouseholdPlaces> {
        let mut places: HashMap<Uuid, (AreaCode, Option<GeoPoint>)> =
            households.iter().map(|h| (h.id, (h.village, h.gps))).collect();
        let missing: Vec<Uuid> = referenced.filter(|id| !places.contains_key(id)).collect();
        if !missing.is_empty() {
            for stored in state.store().household_places(&missing).await? {
                places.insert(stored.id, (stored.village, stored.gps));
            }
        }
        Ok(HouseholdPlaces(places))
    }
}

/// How many records the push holds, refused whole (413) above the server's limit.
fn count_records(state: &AppState, request: &PushRequest) -> ApiResult<usize> {
    let total = request.households.len()
        + request.visits.len()
        + request.household_edits.len()
        + request.village_actions.len();
    let limit = state.config().max_push_records;
    if total > limit {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::TooManyRecords,
            format!(
                "{total} catatan dalam satu kiriman; paling banyak {limit} (too many records in one push)"
            ),
        ));
    }
    Ok(total)
}

#[utoipa::path(
    post, path = "/v1/sync/push", tag = "sync", security(("bearer" = [])),
    request_body(content = PushRequest, description = "May be sent gzip-compressed (Content-Encoding: gzip)"),
    responses(
        (status = 200, description = "One result per record", body = PushResponse),
        (status = 400, description = "malformed_body", body = odf_mobile_api::ErrorBody),
        (status = 401, description = "unauthenticated", body = odf_mobile_api::ErrorBody),
        (status = 403, description = "forbidden (viewer)", body = odf_mobile_api::ErrorBody),
        (status = 413, description = "payload_too_large or too_many_records", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn push(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<PushRecords>,
    RecordsJson(request): RecordsJson<PushRequest>,
) -> ApiResult<Json<PushResponse>> {
    let total = count_records(&state, &request)?;
    let push = Push { state: &state, caller: &caller, scope: caller.scope(), now: Utc::now() };
    let (mut households, mut pushed_places) = households::check(&push, &request.households);
    let visits = visits::check(&push, &request.visits);
    let mut edits = household_edits::check(&push, &request.household_edits);

    pushed_places.extend(households.pending().cloned());
    let referenced = visits.pending().map(|v| v.household_id).chain(edits.pending().map(|e| e.household_id));
    let places = HouseholdPlaces::load(&state, &pushed_places, referenced).await?;
    household_edits::place(&push, &mut edits, &places);
    let mut visits = visits::place(&push, visits, &places).await?;

    let batch = IngestBatch {
        received_from: caller.user.username.clone(),
        households: households.to_store(),
        visits: visits.to_store(),
        edits: edits.to_store(),
        device: devices::record(&push, &request.device, total),
    };
    let sent = households.len() + visits.len() + edits.len();
    let outcomes = state.store().ingest(batch).await?;
    // Acknowledging a record the store did not answer for would let a phone drop it unsaved.
    if outcomes.len() != sent {
        return Err(ApiError::internal(format!("store answered {} of {sent} records", outcomes.len())));
    }
    let mut outcomes = outcomes.into_iter();
    households.answer(&mut outcomes, households::answer);
    visits.answer(&mut outcomes, visits::answer);
    edits.answer(&mut outcomes, household_edits::answer);
    // After the records, so a claim or decision sees the visits pushed with it.
    let action_results = village_actions::apply_all(&state, &caller, &request.village_actions).await?;
    let results: Vec<RecordResult> = households
        .into_results()
        .chain(visits.into_results())
        .chain(edits.into_results())
        .chain(action_results)
        .collect();
    count_in_metrics(&state, &results);
    Ok(Json(PushResponse { results, server_time: Utc::now() }))
}

/// Counts the push's answers by kind and outcome, and its refusals by code: one counter update per
/// distinct label rather than per record (a label lookup hashes and locks).
fn count_in_metrics(state: &AppState, results: &[RecordResult]) {
    let mut records: Vec<((&str, &str), u64)> = Vec::new();
    let mut rejects: Vec<(&str, u64)> = Vec::new();
    for result in results {
        tally(&mut records, (result.kind.as_str(), result.status.as_str()));
        if let Some(code) = result.code.as_deref().filter(|_| result.status == RecordStatus::Rejected) {
            tally(&mut rejects, code);
        }
    }
    let metrics = state.metrics();
    for ((kind, status), count) in records {
        metrics.record(kind, status, count);
    }
    for (code, count) in rejects {
        metrics.reject(code, count);
    }
}

/// Adds one to `key`'s count: a push has a handful of distinct labels, so a list is enough.
fn tally<K: PartialEq>(counts: &mut Vec<(K, u64)>, key: K) {
    match counts.iter_mut().find(|(k, _)| *k == key) {
        Some((_, count)) => *count += 1,
        None => counts.push((key, 1)),
    }
}

#[utoipa::path(
    get, path = "/v1/sync/pull", tag = "sync", security(("bearer" = [])),
    params(PullQuery),
    responses(
        (status = 200, description = "Changes in the caller's scope since the cursor", body = PullResponse),
        (status = 400, description = "invalid_query", body = odf_mobile_api::ErrorBody),
        (status = 401, description = "unauthenticated", body = odf_mobile_api::ErrorBody),
        (status = 403, description = "forbidden (viewer)", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn pull(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<PullQuery>,
    _: Allowed<PullRecords>,
) -> ApiResult<Json<PullResponse>> {
    let scope = caller.scope();
    let cursor = query.cursor.unwrap_or(0);
    if cursor < 0 {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidQuery,
            "cursor tidak boleh negatif (cursor must not be negative)",
        )
        .field("cursor"));
    }
    let limit = query.limit.unwrap_or(DEFAULT_PULL_LIMIT).clamp(1, MAX_PULL_LIMIT);
    let page = state.store().changes_since(&scope, cursor, limit).await?;
    let changes = page
        .changes
        .into_iter()
        .map(|c| ChangeDto {
            seq: c.seq,
            kind: c.kind.as_str().to_owned(),
            id: c.entity_id,
            area: c.area.to_string(),
            at: c.at,
            data: c.payload,
        })
        .collect();
    Ok(Json(PullResponse {
        changes,
        next_cursor: page.next_cursor,
        has_more: page.has_more,
        server_time: Utc::now(),
    }))
}
