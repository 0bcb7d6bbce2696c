//! `GET /v1/verifications/{id}`, `PUT /v1/verifications/{id}/community` and
//! `POST /v1/verifications/{id}/decision`. The decision's suggestion and certified-data hash are
//! computed by the store inside the deciding transaction, from the verification visits (visits by
//! team members to sampled households since the opening) and the latest visit of every household;
//! a Lulus issues the certificate, signed with the server's key, in the same transaction.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use odf_domain::Level;
use odf_mobile_api::{CommunityCriteriaDto, DecisionRequest, ErrorCode, VerificationDto};
use odf_store::{CertificateIssue, DecisionInput, VerificationRecord};
use uuid::Uuid;

use crate::access::{Allowed, DecideVerification, InScope, ReadVerification, RecordCommunity, allow};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ApiResult};
use crate::views::verification_dto;

/// Longest issuer name or role printed on a certificate.
const MAX_ISSUER_LEN: usize = 120;

async fn area_name(state: &AppState, code: odf_domain::AreaCode) -> ApiResult<String> {
    Ok(state.store().area(code).await?.map_or_else(|| code.to_string(), |a| a.name))
}

async fn view(state: &AppState, record: &VerificationRecord) -> ApiResult<Json<VerificationDto>> {
    let name = area_name(state, record.village).await?;
    Ok(Json(verification_dto(state, record, &name).await?))
}

#[utoipa::path(
    get, path = "/v1/verifications/{id}", tag = "verification", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Verification id")),
    responses(
        (status = 200, description = "The verification with its findings so far; once decided with the Berita Acara and certificate", body = VerificationDto),
        (status = 403, description = "forbidden (viewer)", body = odf_mobile_api::ErrorBody),
        (status = 404, description = "not_found (or outside the caller's scope)", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn get(
    State(state): State<AppState>,
    _: Allowed<ReadVerification>,
    InScope(record): InScope<VerificationRecord>,
) -> ApiResult<Json<VerificationDto>> {
    view(&state, &record).await
}

#[utoipa::path(
    put, path = "/v1/verifications/{id}/community", tag = "verification", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Verification id")),
    request_body = CommunityCriteriaDto,
    responses(
        (status = 200, description = "Recorded (replacing any earlier recording)", body = VerificationDto),
        (status = 403, description = "forbidden (not a verifier)", body = odf_mobile_api::ErrorBody),
        (status = 404, description = "not_found", body = odf_mobile_api::ErrorBody),
        (status = 409, description = "verification_decided", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn community(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<RecordCommunity>,
    InScope(record): InScope<VerificationRecord>,
    ApiJson(request): ApiJson<CommunityCriteriaDto>,
) -> ApiResult<Json<VerificationDto>> {
    let record = record_community_of(&state, &caller, &record, request).await?;
    view(&state, &record).await
}

/// Records the community criteria as `caller`: the body of `PUT /v1/verifications/{id}/community`,
/// shared with the web desk's form.
pub(crate) async fn record_community_of(
    state: &AppState,
    caller: &Caller,
    record: &VerificationRecord,
    request: CommunityCriteriaDto,
) -> ApiResult<VerificationRecord> {
    allow::<RecordCommunity>(caller)?;
    Ok(state.store().record_community(record.id, request.into(), &caller.user.username).await?)
}

/// A printed field: trimmed, by the shared text rule; `None` when blank.
fn issuer_field(value: Option<&str>, field: &'static str) -> ApiResult<Option<String>> {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    if let Err(err) = odf_domain::check_text(field, text, MAX_ISSUER_LEN) {
        return Err(
            ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidField, err.to_string()).field(field)
        );
    }
    Ok(Some(text.to_owned()))
}

/// The decision to record, checked: the caller is a verifier, the server can sign, and the issuer
/// fields are printable. The store checks the rules (reasons, community criteria) when it decides.
pub(crate) async fn decision_input(
    state: &AppState,
    caller: &Caller,
    record: &VerificationRecord,
    request: DecisionRequest,
    decided_at: Option<DateTime<Utc>>,
) -> ApiResult<DecisionInput> {
    allow::<DecideVerification>(caller)?;
    // Asked for whatever the outcome: a server without its key is misconfigured, and decisions wait
    // until it is fixed rather than accepting only the ones that need no certificate.
    let signer = state.signer()?.clone();
    let kecamatan = match record.village.at_level(Level::Kecamatan) {
        Some(code) => area_name(state, code).await?,
        None => String::new(),
    };
    let issuer_name = issuer_field(request.issuer_name.as_deref(), "issuer_name")?;
    let issuer_role = issuer_field(request.issuer_role.as_deref(), "issuer_role")?;
    let fallback_name = if caller.user.display_name.trim().is_empty() {
        &caller.user.username
    } else {
        &caller.user.display_name
    };
    let decided_on = record.village.local_date(decided_at.unwrap_or_else(Utc::now));
    Ok(DecisionInput {
        verification_id: record.id,
        outcome: request.outcome.into(),
        reasons: request.reasons,
        actor: caller.user.username.clone(),
        decided_at,
        certificate: CertificateIssue {
            id: Uuid::now_v7(),
            issued_on: decided_on,
            issuer_name: issuer_name.unwrap_or_else(|| fallback_name.trim().to_owned()),
            issuer_role: issuer_role.unwrap_or_else(|| format!("Tim Verifikasi Kecamatan {kecamatan}")),
            signer,
        },
    })
}

#[utoipa::path(
    post, path = "/v1/verifications/{id}/decision", tag = "verification", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Verification id")),
    request_body = DecisionRequest,
    responses(
        (status = 200, description = "Decided: Lulus declares the village ODF and issues the signed certificate; Gagal returns it to dipicu", body = VerificationDto),
        (status = 400, description = "decision_reason_required, decision_override_reason_required, invalid_field", body = odf_mobile_api::ErrorBody),
        (status = 403, description = "forbidden (not a verifier)", body = odf_mobile_api::ErrorBody),
        (status = 404, description = "not_found", body = odf_mobile_api::ErrorBody),
        (status = 409, description = "community_not_recorded, verification_decided", body = odf_mobile_api::ErrorBody),
        (status = 503, description = "signing_key_unavailable", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    InScope(record): InScope<VerificationRecord>,
    ApiJson(request): ApiJson<DecisionRequest>,
) -> ApiResult<Json<VerificationDto>> {
    let decided = decide_as(&state, &caller, &record, request).await?;
    view(&state, &decided).await
}

/// Records the decision as `caller` now: the body of `POST /v1/verifications/{id}/decision`,
/// shared with the web desk's form.
pub(crate) async fn decide_as(
    state: &AppState,
    caller: &Caller,
    record: &VerificationRecord,
    request: DecisionRequest,
) -> ApiResult<VerificationRecord> {
    let input = decision_input(state, caller, record, request, None).await?;
    Ok(state.store().decide_verification(input).await?.verification)
}
