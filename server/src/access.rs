//! Who may touch which village, verification and certificate. Villages are public knowledge (the
//! wilayah list), so a village outside the caller's scope is refused as `out_of_scope`; a
//! verification or certificate outside it answers 404 as if it did not exist, so its existence does
//! not leak.

use axum::http::StatusCode;
use odf_domain::{AreaCode, Role};
use odf_mobile_api::ErrorCode;
use odf_store::{AreaRecord, CertificateRecord, UserRecord, VerificationRecord};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::{Caller, scope_of};
use crate::error::{ApiError, ApiResult};

/// Refuses callers whose role (a viewer token counts as viewer) is not in `roles`.
pub fn require_role(caller: &Caller, roles: &[Role], what: &str) -> ApiResult<()> {
    if roles.contains(&caller.role()) { Ok(()) } else { Err(ApiError::forbidden(what)) }
}

/// The village named by `code`, which the caller's scope must cover.
pub async fn village_in_scope(state: &AppState, caller: &Caller, code: &str) -> ApiResult<AreaRecord> {
    let village = AreaCode::parse(code.trim()).map_err(|err| {
        ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidAreaCode, err.to_string()).field("code")
    })?;
    let unknown = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorCode::UnknownVillage,
            format!("{village} bukan desa/kelurahan yang terdaftar (not a known village)"),
        )
    };
    if !village.is_village() {
        return Err(unknown());
    }
    let area = state.store().area(village).await?.ok_or_else(unknown)?;
    if !caller.scope().covers(village) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::OutOfScope,
            format!("Desa {village} di luar wilayah tugas Anda (village outside your scope)"),
        ));
    }
    Ok(area)
}

fn parse_id(text: &str, what: &str) -> ApiResult<Uuid> {
    Uuid::parse_str(text.trim()).map_err(|_| ApiError::not_found(what))
}

/// The verification `id`, if the caller's scope covers its village; 404 otherwise.
pub async fn verification_in_scope(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<VerificationRecord> {
    const WHAT: &str = "Verifikasi (verification)";
    let id = parse_id(id, WHAT)?;
    match state.store().verification(id).await? {
        Some(record) if caller.scope().covers(record.village) => Ok(record),
        _ => Err(ApiError::not_found(WHAT)),
    }
}

/// The certificate `id`, if the caller's scope covers its village; 404 otherwise.
pub async fn certificate_in_scope(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<CertificateRecord> {
    const WHAT: &str = "Piagam (certificate)";
    let id = parse_id(id, WHAT)?;
    match state.store().certificate(id).await? {
        Some(record) if caller.scope().covers(record.signed.certificate.village_code) => Ok(record),
        _ => Err(ApiError::not_found(WHAT)),
    }
}

/// Whether `user` is registered in `village`, and so may not verify it: a sanitarian assigned to it
/// (one without a village list works in every village of their area), or anyone whose own area is
/// the village itself.
pub fn registered_in(user: &UserRecord, village: AreaCode) -> bool {
    village.contains(user.area) || (user.role == Role::Sanitarian && scope_of(user).covers(village))
}
