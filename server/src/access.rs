//! Who may do what, and who may touch which village, verification and certificate.
//!
//! One role guard: every guarded action is a type implementing [`Action`], listed below with the
//! roles that may do it. A handler takes [`Allowed<A>`] instead of a bare [`Caller`]; the checks
//! shared with pushed village actions call [`allow`].
//!
//! Scope: villages are public knowledge (the wilayah list), so a village outside the caller's scope
//! is refused as `out_of_scope`; a verification or certificate outside it answers 404 as if it did
//! not exist, so its existence does not leak. A handler takes [`InScope<T>`], which loads the record
//! named by the path's one parameter; pushed village actions call the same checks as functions
//! ([`village_in_scope`], [`verification_in_scope`]).

use std::future::Future;
use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use odf_domain::{AreaCode, Role};
use odf_mobile_api::ErrorCode;
use odf_store::{AreaRecord, CertificateRecord, UserRecord, VerificationRecord};
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::{Caller, scope_of};
use crate::error::{ApiError, ApiPath, ApiResult};

/// Something only some roles may do.
pub trait Action {
    /// The roles in force (a viewer token counts as viewer) that may do it.
    const ROLES: &'static [Role];
    /// The action as a refusal names it: "Peran Anda tidak boleh {WHAT}".
    const WHAT: &'static str;
}

/// Every role that works in the field: everyone but viewers, who read aggregates only.
const FIELD: &[Role] = &[Role::Sanitarian, Role::Verifier, Role::Admin];

macro_rules! actions {
    ($($(#[$doc:meta])* $name:ident: $roles:expr => $what:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;

        impl Action for $name {
            const ROLES: &'static [Role] = $roles;
            const WHAT: &'static str = $what;
        }
    )*};
}

actions! {
    PushRecords: FIELD => "mengirim data rumah tangga (push records)";
    PullRecords: FIELD => "mengambil data rumah tangga (pull records)";
    ManageConflicts: &[Role::Admin] => "mengelola konflik data (manage conflicts)";
    RecordTriggering: &[Role::Sanitarian, Role::Admin] => "mencatat pemicuan (record triggering)";
    ClaimSbs: &[Role::Sanitarian, Role::Admin] => "mengajukan klaim SBS (claim SBS)";
    ReadHistory: FIELD => "membaca riwayat desa (read village history)";
    OpenVerification: &[Role::Verifier] => "membuka verifikasi (open a verification)";
    /// Sanitarians read verifications too: a Gagal's reasons are for them to act on.
    ReadVerification: FIELD => "membaca verifikasi (read a verification)";
    RecordCommunity: &[Role::Verifier] => "mencatat kriteria masyarakat (record community criteria)";
    DecideVerification: &[Role::Verifier] => "memutuskan verifikasi (decide a verification)";
    ReadCertificate: FIELD => "membaca piagam (read a certificate)";
    PrintCertificate: FIELD => "mencetak piagam (print a certificate)";
    RevokeCertificate: &[Role::Verifier] => "mencabut piagam (revoke a certificate)";
    ReadNotifications: &[Role::Verifier, Role::Admin] => "membaca pemberitahuan (read notifications)";
    /// Photos: who may then touch one is decided by the visits that name it (`routes::photos`).
    SendPhotos: FIELD => "mengirim foto (send photos)";
    ReadPhotos: FIELD => "melihat foto (read photos)";
}

/// Refuses (403 `forbidden`) a caller whose role may not do `A`.
pub fn allow<A: Action>(caller: &Caller) -> ApiResult<()> {
    if A::ROLES.contains(&caller.role()) { Ok(()) } else { Err(ApiError::forbidden(A::WHAT)) }
}

/// The caller, once [`allow`]ed to do `A`.
#[derive(Debug)]
pub struct Allowed<A>(pub Caller, pub PhantomData<A>);

impl<A: Action> FromRequestParts<AppState> for Allowed<A> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        allow::<A>(&caller)?;
        Ok(Allowed(caller, PhantomData))
    }
}

/// A record that must lie in the caller's scope, named by text from the request.
pub trait Scoped: Sized {
    fn load(state: &AppState, caller: &Caller, text: &str) -> impl Future<Output = ApiResult<Self>> + Send;
}

impl Scoped for AreaRecord {
    fn load(state: &AppState, caller: &Caller, text: &str) -> impl Future<Output = ApiResult<Self>> + Send {
        village_in_scope(state, caller, text)
    }
}

impl Scoped for VerificationRecord {
    fn load(state: &AppState, caller: &Caller, text: &str) -> impl Future<Output = ApiResult<Self>> + Send {
        verification_in_scope(state, caller, text)
    }
}

impl Scoped for CertificateRecord {
    fn load(state: &AppState, caller: &Caller, text: &str) -> impl Future<Output = ApiResult<Self>> + Send {
        certificate_in_scope(state, caller, text)
    }
}

/// The village, verification or certificate named by the path's one parameter, loaded and checked
/// against the caller's scope.
#[derive(Debug)]
pub struct InScope<T>(pub T);

impl<T: Scoped> FromRequestParts<AppState> for InScope<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let ApiPath(text) = ApiPath::<String>::from_request_parts(parts, state).await?;
        T::load(state, &caller, &text).await.map(InScope)
    }
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
    user.area.code().is_some_and(|area| village.contains(area))
        || (user.role == Role::Sanitarian && scope_of(user).covers(village))
}
