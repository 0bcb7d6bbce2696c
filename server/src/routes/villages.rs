//! A village's way to ODF: `POST /v1/villages/{code}/trigger`, `POST /v1/villages/{code}/claim`,
//! `POST /v1/villages/{code}/verifications` and `GET /v1/villages/{code}/history`. Every status change
//! goes through the store's status machine, which audits it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use odf_domain::{AreaCode, EventKind, StatusEvent, TeamMember};
use odf_mobile_api::{
    AuditEntryDto, ClaimRequest, ErrorCode, OpenVerificationRequest, SamplingPlanDto, TeamMemberDto,
    TriggerRequest, VerificationDto, VillageHistoryDto, VillageStatusDto,
};
use odf_store::{AreaRecord, NewVerification};
use uuid::Uuid;

use crate::access::{
    Allowed, ClaimSbs, InScope, OpenVerification, ReadHistory, RecordTriggering, allow, registered_in,
};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::views::{certificate_dto, eligibility, status_change_dto, verification_dto};

/// Seeds stay below 2^53 so that every JSON reader, JavaScript included, reads them exactly.
const SEED_MASK: u64 = (1 << 53) - 1;
const AUDIT_PAGE: u32 = 1000;

async fn status_dto(state: &AppState, area: &AreaRecord) -> ApiResult<VillageStatusDto> {
    let village_state = state.store().village_state(area.code).await?;
    let (_, eligibility) = eligibility(state, area.code).await?;
    Ok(VillageStatusDto {
        village: area.code.to_string(),
        name: area.name.clone(),
        status: village_state.status.as_str().to_owned(),
        since: village_state.history.last().map(|c| c.event.at),
        eligibility,
    })
}

fn note(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// The status event of a triggering, checked: the caller's role and a day not in the future.
pub(crate) fn trigger_event(
    caller: &Caller,
    area: &AreaRecord,
    triggered_on: NaiveDate,
    text: Option<String>,
    now: DateTime<Utc>,
) -> ApiResult<StatusEvent> {
    allow::<RecordTriggering>(caller)?;
    if let Err(err) = odf_domain::check_day("triggered_on", triggered_on) {
        return Err(crate::error::field_error(err));
    }
    if triggered_on > area.code.local_date(now) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::InvalidField,
            "Tanggal pemicuan ada di masa depan (triggering date is in the future)",
        )
        .field("triggered_on"));
    }
    // The change is dated at the start of the pemicuan's day in the village's time zone, so its
    // local date (the one day rule of history, as-of figures and printed dates) is that day; a
    // village is triggered only once, from belum_dipicu, so nothing earlier can follow it.
    let local_midnight = triggered_on.and_time(NaiveTime::MIN).and_utc();
    let at = local_midnight
        .checked_sub_signed(chrono::Duration::hours(area.code.utc_offset_hours()))
        .unwrap_or(local_midnight)
        .min(now);
    let reason = note(text).or_else(|| Some(format!("pemicuan tanggal {triggered_on}")));
    Ok(StatusEvent { kind: EventKind::Trigger, actor: caller.user.username.clone(), at, reason })
}

/// The status event of an SBS claim, checked: the caller's role and the village's eligibility now.
pub(crate) async fn claim_event(
    state: &AppState,
    caller: &Caller,
    area: &AreaRecord,
    text: Option<String>,
    at: DateTime<Utc>,
) -> ApiResult<StatusEvent> {
    allow::<ClaimSbs>(caller)?;
    let (_, eligibility) = eligibility(state, area.code).await?;
    if !eligibility.eligible {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorCode::NotEligible,
            format!("Desa belum memenuhi syarat klaim SBS: {}", eligibility.message),
        ));
    }
    Ok(StatusEvent { kind: EventKind::Claim, actor: caller.user.username.clone(), at, reason: note(text) })
}

#[utoipa::path(
    post, path = "/v1/villages/{code}/trigger", tag = "verification", security(("bearer" = [])),
    params(("code" = String, Path, description = "Village code, e.g. 74.04.11.2002")),
    request_body = TriggerRequest,
    responses(
        (status = 200, description = "Triggered: the status is now dipicu", body = VillageStatusDto),
        (status = 400, description = "invalid_area_code, invalid_field (date in the future)", body = odf_mobile_api::ErrorBody),
        (status = 403, description = "forbidden, out_of_scope", body = odf_mobile_api::ErrorBody),
        (status = 404, description = "unknown_village", body = odf_mobile_api::ErrorBody),
        (status = 409, description = "transition_not_allowed (already triggered)", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn trigger(
    State(state): State<AppState>,
    caller: Caller,
    InScope(area): InScope<AreaRecord>,
    ApiJson(request): ApiJson<TriggerRequest>,
) -> ApiResult<Json<VillageStatusDto>> {
    let event = trigger_event(&caller, &area, request.triggered_on, request.note, Utc::now())?;
    state.store().apply_status_event(area.code, event).await?;
    Ok(Json(status_dto(&state, &area).await?))
}

#[utoipa::path(
    post, path = "/v1/villages/{code}/claim", tag = "verification", security(("bearer" = [])),
    params(("code" = String, Path, description = "Village code")),
    request_body = ClaimRequest,
    responses(
        (status = 200, description = "Claimed: the status is now klaim_sbs", body = VillageStatusDto),
        (status = 403, description = "forbidden, out_of_scope", body = odf_mobile_api::ErrorBody),
        (status = 404, description = "unknown_village", body = odf_mobile_api::ErrorBody),
        (status = 409, description = "not_eligible, transition_not_allowed", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn claim(
    State(state): State<AppState>,
    caller: Caller,
    InScope(area): InScope<AreaRecord>,
    ApiJson(request): ApiJson<ClaimRequest>,
) -> ApiResult<Json<VillageStatusDto>> {
    let event = claim_event(&state, &caller, &area, request.note, Utc::now()).await?;
    state.store().apply_status_event(area.code, event).await?;
    Ok(Json(status_dto(&state, &area).await?))
}

/// Checks the team against the users: every member a known user, nobody registered in the village,
/// an odd number within the limits. A blank name is filled from the user's record, because the name
/// is printed on the Berita Acara and the certificate.
async fn checked_team(
    state: &AppState,
    village: AreaCode,
    requested: &[TeamMemberDto],
) -> ApiResult<Vec<TeamMember>> {
    let users = state.store().list_users().await?;
    let registered: Vec<&str> =
        users.iter().filter(|u| registered_in(u, village)).map(|u| u.username.as_str()).collect();
    let mut team = Vec::with_capacity(requested.len());
    for (i, member) in requested.iter().enumerate() {
        let wanted = member.username.trim().to_lowercase();
        let user = users.iter().find(|u| u.username.to_lowercase() == wanted);
        let mut member = TeamMember::from(member.clone());
        match user {
            Some(user) => {
                member.username = user.username.clone();
                if member.name.trim().is_empty() {
                    member.name = user.display_name.clone();
                }
                if member.name.trim().is_empty() {
                    member.name = user.username.clone();
                }
            }
            // An empty username is the team rules' own error, reported below.
            None if !wanted.is_empty() => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::UnknownTeamMember,
                    format!("{} bukan pengguna odf-verify (unknown user)", member.username.trim()),
                )
                .field(format!("team[{i}].username")));
            }
            None => {}
        }
        member.name = member.name.trim().to_owned();
        member.position = member.position.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty());
        team.push(member);
    }
    state.config().team_rules.check(&team, registered).map_err(odf_store::StoreError::from)?;
    Ok(team)
}

fn random_seed() -> ApiResult<u64> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
    Ok(u64::from_le_bytes(bytes) & SEED_MASK)
}

/// A verification to open, checked: the caller is a verifier, the plan is valid and the team
/// follows the rules. The store checks the village's status when it opens it.
pub(crate) async fn new_verification(
    state: &AppState,
    caller: &Caller,
    area: &AreaRecord,
    team: &[TeamMemberDto],
    plan: &SamplingPlanDto,
    id: Uuid,
) -> ApiResult<NewVerification> {
    allow::<OpenVerification>(caller)?;
    let plan = plan
        .to_domain()
        .map_err(|p| ApiError::new(StatusCode::BAD_REQUEST, p.code, p.message).field(p.field))?;
    let team = checked_team(state, area.code, team).await?;
    Ok(NewVerification {
        id,
        village: area.code,
        opened_by: caller.user.username.clone(),
        team,
        plan,
        seed: random_seed()?,
    })
}

#[utoipa::path(
    post, path = "/v1/villages/{code}/verifications", tag = "verification", security(("bearer" = [])),
    params(("code" = String, Path, description = "Village code")),
    request_body = OpenVerificationRequest,
    responses(
        (status = 201, description = "Opened: the village is in verifikasi; the sample is drawn from a recorded seed", body = VerificationDto),
        (status = 400, description = "team_* codes, unknown_team_member, sample_zero_units", body = odf_mobile_api::ErrorBody),
        (status = 403, description = "forbidden (not a verifier), out_of_scope", body = odf_mobile_api::ErrorBody),
        (status = 404, description = "unknown_village", body = odf_mobile_api::ErrorBody),
        (status = 409, description = "transition_not_allowed (not claimed), sample_no_households", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn open_verification(
    State(state): State<AppState>,
    caller: Caller,
    InScope(area): InScope<AreaRecord>,
    ApiJson(request): ApiJson<OpenVerificationRequest>,
) -> ApiResult<(StatusCode, Json<VerificationDto>)> {
    let record = open_verification_of(&state, &caller, &area, &request).await?;
    Ok((StatusCode::CREATED, Json(verification_dto(&state, &record, &area.name).await?)))
}

/// Opens a verification of `area` as `caller`: the body of `POST /v1/villages/{code}/verifications`,
/// shared with the web desk's form so both check and store it the same way.
pub(crate) async fn open_verification_of(
    state: &AppState,
    caller: &Caller,
    area: &AreaRecord,
    request: &OpenVerificationRequest,
) -> ApiResult<odf_store::VerificationRecord> {
    let new = new_verification(state, caller, area, &request.team, &request.plan, Uuid::now_v7()).await?;
    Ok(state.store().open_verification(new).await?)
}

#[utoipa::path(
    get, path = "/v1/villages/{code}/history", tag = "verification", security(("bearer" = [])),
    params(("code" = String, Path, description = "Village code")),
    responses(
        (status = 200, description = "Status changes, audit entries, verifications and certificates of the village", body = VillageHistoryDto),
        (status = 403, description = "forbidden (viewer), out_of_scope", body = odf_mobile_api::ErrorBody),
        (status = 404, description = "unknown_village", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn history(
    State(state): State<AppState>,
    _: Allowed<ReadHistory>,
    InScope(area): InScope<AreaRecord>,
) -> ApiResult<Json<VillageHistoryDto>> {
    let village_state = state.store().village_state(area.code).await?;
    let mut audit = Vec::new();
    let mut after = 0;
    loop {
        let page = state.store().audit_entries(Some(area.code), after, AUDIT_PAGE).await?;
        let full = page.len() == AUDIT_PAGE as usize;
        after = page.last().map_or(after, |e| e.seq);
        audit.extend(page.into_iter().map(|e| AuditEntryDto {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            action: e.action,
            details: e.details,
            hash: e.hash,
        }));
        if !full {
            break;
        }
    }
    let verifications = state.store().verifications_of(area.code).await?;
    let certificates = state.store().certificates(Some(area.code)).await?;
    let public_url = &state.config().public_url;
    Ok(Json(VillageHistoryDto {
        village: area.code.to_string(),
        name: area.name.clone(),
        status: village_state.status.as_str().to_owned(),
        changes: village_state.history.iter().map(|c| status_change_dto(area.code, c)).collect(),
        audit,
        verification_ids: verifications.iter().map(|v| v.id).collect(),
        certificates: certificates.iter().map(|c| certificate_dto(c, public_url)).collect(),
    }))
}
