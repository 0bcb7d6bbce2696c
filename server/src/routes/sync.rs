//! `POST /v1/sync/push` and `GET /v1/sync/pull`.
//!
//! A push is checked record by record before it reaches the store: wire format and domain rules
//! (`to_domain`), the caller's scope, and that a visit is the caller's own. What passes goes to the
//! store in one transaction; what does not is answered `rejected` with a code and field, and stored
//! nothing. Results come back in request order: households, visits, household edits, then the
//! village actions (`village_actions.rs`), which are applied after the records, one by one.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use chrono::Utc;
use odf_domain::gps::check_visit_point;
use odf_domain::{AreaCode, Boundary, GeoPoint, GpsFlag, Household, Scope, Visit};
use odf_mobile_api::sync::{DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT};
use odf_mobile_api::{
    ChangeDto, ErrorCode, PullQuery, PullResponse, PushRequest, PushResponse, RecordKindDto, RecordResult,
    RecordStatus,
};
use odf_store::{DeviceRecord, FlaggedVisit, HouseholdEdit, IngestBatch, Outcome, boundary_from_geojson};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::routes::village_actions;

fn rejected(kind: RecordKindDto, id: Uuid, code: ErrorCode, field: String, message: String) -> RecordResult {
    RecordResult {
        kind,
        id,
        status: RecordStatus::Rejected,
        code: Some(code.as_str().to_owned()),
        message: Some(message),
        field: Some(field),
        flags: Vec::new(),
        revision: None,
        conflict_id: None,
    }
}

fn out_of_scope(kind: RecordKindDto, id: Uuid, field: String, village: AreaCode) -> RecordResult {
    rejected(
        kind,
        id,
        ErrorCode::OutOfScope,
        field,
        format!("Desa {village} di luar wilayah tugas Anda (village outside your scope)"),
    )
}

fn from_outcome(kind: RecordKindDto, id: Uuid, outcome: Outcome, flags: &[GpsFlag]) -> RecordResult {
    let (status, code, message) = match outcome {
        Outcome::Accepted => (RecordStatus::Accepted, None, None),
        Outcome::Duplicate => (RecordStatus::Duplicate, None, None),
        Outcome::Conflict => (
            RecordStatus::Conflict,
            Some(ErrorCode::Conflict.as_str().to_owned()),
            Some(
                "Id ini sudah tersimpan dengan isi berbeda (id already stored with other content)".to_owned(),
            ),
        ),
        Outcome::Rejected { code, message } => (RecordStatus::Rejected, Some(code), Some(message)),
        Outcome::Merged => (RecordStatus::Merged, None, None),
    };
    let flags = if status == RecordStatus::Accepted {
        flags.iter().map(|f| flag_name(*f).to_owned()).collect()
    } else {
        Vec::new()
    };
    RecordResult { kind, id, status, code, message, field: None, flags, revision: None, conflict_id: None }
}

fn flag_name(flag: GpsFlag) -> &'static str {
    match flag {
        GpsFlag::OutsideVillage => "outside_village",
        GpsFlag::FarFromHousehold => "far_from_household",
    }
}

/// Where each visit's household lives, and its registered point: from the same push, or stored.
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
            for stored in state.store().households_by_id(&missing).await? {
                places.insert(stored.household.id, (stored.household.village, stored.household.gps));
            }
        }
        Ok(HouseholdPlaces(places))
    }
}

/// Village boundaries, loaded once per push for the villages it touches.
async fn boundaries(
    state: &AppState,
    villages: impl Iterator<Item = AreaCode>,
) -> ApiResult<HashMap<AreaCode, Boundary>> {
    let mut wanted: Vec<AreaCode> = villages.collect();
    wanted.sort_unstable();
    wanted.dedup();
    let mut found = HashMap::new();
    for village in wanted {
        let boundary = state
            .store()
            .area(village)
            .await?
            .and_then(|a| a.boundary)
            .and_then(|g| boundary_from_geojson(&g));
        if let Some(boundary) = boundary {
            found.insert(village, boundary);
        }
    }
    Ok(found)
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
    caller: Caller,
    ApiJson(request): ApiJson<PushRequest>,
) -> ApiResult<Json<PushResponse>> {
    caller.require_field_role("mengirim data rumah tangga (push records)")?;
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
    let now = Utc::now();
    let scope = caller.scope();
    let mut household_results: Vec<Option<RecordResult>> = vec![None; request.households.len()];
    let mut visit_results: Vec<Option<RecordResult>> = vec![None; request.visits.len()];

    let mut households: Vec<(usize, Household)> = Vec::new();
    // Every well-formed household of the push, in scope or not: a visit to one outside the scope
    // is then refused as out of scope rather than as an unknown household.
    let mut pushed_places: Vec<Household> = Vec::new();
    for (i, dto) in request.households.iter().enumerate() {
        match dto.to_domain() {
            Err(p) => {
                household_results[i] = Some(rejected(
                    RecordKindDto::Household,
                    dto.id,
                    p.code,
                    format!("households[{i}].{}", p.field),
                    p.message,
                ));
            }
            Ok(h) if !scope.covers(h.village) => {
                household_results[i] = Some(out_of_scope(
                    RecordKindDto::Household,
                    h.id,
                    format!("households[{i}].village"),
                    h.village,
                ));
                pushed_places.push(h);
            }
            Ok(h) => households.push((i, h)),
        }
    }

    let mut visits: Vec<(usize, Visit)> = Vec::new();
    for (i, dto) in request.visits.iter().enumerate() {
        match dto.to_domain(now, state.config().clock_skew) {
            Err(p) => {
                visit_results[i] = Some(rejected(
                    RecordKindDto::Visit,
                    dto.id,
                    p.code,
                    format!("visits[{i}].{}", p.field),
                    p.message,
                ));
            }
            Ok(v) if v.sanitarian != caller.user.username => {
                visit_results[i] = Some(rejected(
                    RecordKindDto::Visit,
                    v.id,
                    ErrorCode::SanitarianMismatch,
                    format!("visits[{i}].sanitarian"),
                    format!(
                        "Kunjungan atas nama {} tidak boleh dikirim oleh {} (a visit must be sent by its own sanitarian)",
                        v.sanitarian, caller.user.username
                    ),
                ));
            }
            Ok(v) => visits.push((i, v)),
        }
    }

    let mut edit_results: Vec<Option<RecordResult>> = vec![None; request.household_edits.len()];
    let mut edits: Vec<(usize, HouseholdEdit)> = Vec::new();
    for (i, dto) in request.household_edits.iter().enumerate() {
        match dto.changes() {
            Err(p) => {
                edit_results[i] = Some(rejected(
                    RecordKindDto::HouseholdEdit,
                    dto.edit_id,
                    p.code,
                    format!("household_edits[{i}].{}", p.field),
                    p.message,
                ));
            }
            Ok(_) if dto.edit_id.get_version_num() != 7 => {
                edit_results[i] = Some(rejected(
                    RecordKindDto::HouseholdEdit,
                    dto.edit_id,
                    ErrorCode::IdNotUuidV7,
                    format!("household_edits[{i}].edit_id"),
                    "edit_id harus UUID versi 7 (edit_id must be a UUID v7)".to_owned(),
                ));
            }
            Ok(changes) => edits.push((
                i,
                HouseholdEdit {
                    edit_id: dto.edit_id,
                    household_id: dto.household_id,
                    base_revision: dto.base_revision,
                    edited_at: dto.edited_at,
                    edited_by: caller.user.username.clone(),
                    changes,
                },
            )),
        }
    }

    let accepted_households: Vec<Household> = households.iter().map(|(_, h)| h.clone()).collect();
    pushed_places.extend(accepted_households.iter().cloned());
    let edited: Vec<Uuid> = edits.iter().map(|(_, e)| e.household_id).collect();
    let places = HouseholdPlaces::load(
        &state,
        &pushed_places,
        visits.iter().map(|(_, v)| v.household_id).chain(edited),
    )
    .await?;
    edits.retain(|(i, e)| match places.0.get(&e.household_id) {
        Some((village, _)) if !scope.covers(*village) => {
            edit_results[*i] = Some(out_of_scope(
                RecordKindDto::HouseholdEdit,
                e.edit_id,
                format!("household_edits[{i}].household_id"),
                *village,
            ));
            false
        }
        _ => true,
    });
    visits.retain(|(i, v)| match places.0.get(&v.household_id) {
        Some((village, _)) if !scope.covers(*village) => {
            visit_results[*i] =
                Some(out_of_scope(RecordKindDto::Visit, v.id, format!("visits[{i}].household_id"), *village));
            false
        }
        // Unknown households go on to the store, which answers `unknown_household`.
        _ => true,
    });
    let shapes =
        boundaries(&state, visits.iter().filter_map(|(_, v)| places.0.get(&v.household_id).map(|p| p.0)))
            .await?;
    let flagged: Vec<FlaggedVisit> = visits
        .iter()
        .map(|(_, v)| {
            let flags = match (v.gps, places.0.get(&v.household_id)) {
                (Some(point), Some((village, home))) => {
                    check_visit_point(point, shapes.get(village), *home, state.config().gps_max_distance_m)
                }
                _ => Vec::new(),
            };
            FlaggedVisit { visit: v.clone(), flags }
        })
        .collect();

    // The phone counts this push among its pending records, and every record of it is answered now,
    // so what it still holds unsent is the rest. (Its oldest unsent time may then be a little early:
    // the phone only reports the oldest of all.)
    let still_pending =
        i64::from(request.device.pending_count).saturating_sub(i64::try_from(total).unwrap_or(0)).max(0);
    let device = DeviceRecord {
        device_id: request.device.device_id.chars().take(100).collect(),
        username: caller.user.username.clone(),
        app_version: request.device.app_version.chars().take(50).collect(),
        pending_count: still_pending,
        oldest_pending_at: request.device.oldest_pending_at.filter(|_| still_pending > 0),
        last_sync_at: now,
    };
    let flags_by_visit: Vec<Vec<GpsFlag>> = flagged.iter().map(|f| f.flags.clone()).collect();
    let batch = IngestBatch {
        received_from: caller.user.username.clone(),
        households: accepted_households,
        visits: flagged,
        edits: edits.iter().map(|(_, e)| e.clone()).collect(),
        device: Some(device),
    };
    let outcomes = state.store().ingest(batch).await?;
    // Acknowledging a record the store did not answer for would let a phone drop it unsaved.
    if outcomes.len() != households.len() + visits.len() + edits.len() {
        return Err(ApiError::internal(format!(
            "store answered {} of {} records",
            outcomes.len(),
            households.len() + visits.len() + edits.len()
        )));
    }
    let mut outcomes = outcomes;
    let edit_outcomes = outcomes.split_off(households.len() + visits.len());
    let mut outcomes = outcomes.into_iter().map(|o| o.outcome);
    for ((i, h), outcome) in households.iter().zip(outcomes.by_ref()) {
        household_results[*i] = Some(from_outcome(RecordKindDto::Household, h.id, outcome, &[]));
    }
    for (((i, v), flags), outcome) in visits.iter().zip(flags_by_visit).zip(outcomes) {
        visit_results[*i] = Some(from_outcome(RecordKindDto::Visit, v.id, outcome, &flags));
    }
    for ((i, e), stored) in edits.iter().zip(edit_outcomes) {
        let mut result = from_outcome(RecordKindDto::HouseholdEdit, e.edit_id, stored.outcome, &[]);
        result.revision = stored.revision;
        result.conflict_id = stored.conflict_id;
        edit_results[*i] = Some(result);
    }
    // After the records, so a claim or decision sees the visits pushed with it.
    let action_results = village_actions::apply_all(&state, &caller, &request.village_actions).await?;
    let results: Vec<RecordResult> = household_results
        .into_iter()
        .chain(visit_results)
        .chain(edit_results)
        .flatten()
        .chain(action_results)
        .collect();
    let metrics = state.metrics();
    for result in &results {
        let kind = match result.kind {
            RecordKindDto::Household => "household",
            RecordKindDto::Visit => "visit",
            RecordKindDto::HouseholdEdit => "household_edit",
            RecordKindDto::VillageAction => "village_action",
        };
        metrics.record(kind, result.status.as_str());
        if let Some(code) = result.code.as_deref().filter(|_| result.status == RecordStatus::Rejected) {
            metrics.reject(code);
        }
    }
    Ok(Json(PushResponse { results, server_time: Utc::now() }))
}

fn pull_scope(caller: &Caller) -> ApiResult<Scope> {
    caller.require_field_role("mengambil data rumah tangga (pull records)")?;
    Ok(caller.scope())
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
    query: Result<Query<PullQuery>, QueryRejection>,
) -> ApiResult<Json<PullResponse>> {
    let Query(query) = query.map_err(|rejection| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidQuery,
            format!("Parameter tidak sah (invalid query): {}", rejection.body_text()),
        )
    })?;
    let scope = pull_scope(&caller)?;
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
