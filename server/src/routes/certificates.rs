//! Certificates: `GET /v1/certificates/{id}` (JSON) and `/v1/certificates/{id}.pdf` (the printable
//! piagam), `POST /v1/certificates/{id}/revoke`, and without login `GET /v1/public/key` and
//! `GET /v1/public/certificates/{id}`, the public check the certificate's QR code points to.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use odf_certificate::{PublicKey, render_pdf, verify};
use odf_mobile_api::{CertificateDto, EarlierKeyDto, PublicCertificateCheck, PublicKeyDto, RevokeRequest};
use odf_store::{CertificateRecord, StoreError};
use uuid::Uuid;

use crate::access::{
    Action, Allowed, InScope, PrintCertificate, ReadCertificate, RevokeCertificate, allow,
    certificate_in_scope,
};
use crate::app::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use crate::keyring::KeyStanding;
use crate::views::certificate_dto;

/// The one route behind `/v1/certificates/{id}` and `/v1/certificates/{id}.pdf` (the router matches
/// whole path segments only, so the suffix is told apart here, before the role guard and the scope
/// check).
pub async fn certificate_file(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(file): ApiPath<String>,
) -> ApiResult<Response> {
    match file.strip_suffix(".pdf") {
        Some(id) => {
            let record = allowed_in_scope::<PrintCertificate>(&state, &caller, id).await?;
            Ok(certificate_pdf(&state, &record))
        }
        None => {
            let record = allowed_in_scope::<ReadCertificate>(&state, &caller, &file).await?;
            Ok(certificate(&state, &record).into_response())
        }
    }
}

async fn allowed_in_scope<A: Action>(
    state: &AppState,
    caller: &Caller,
    id: &str,
) -> ApiResult<CertificateRecord> {
    allow::<A>(caller)?;
    certificate_in_scope(state, caller, id).await
}

#[utoipa::path(
    get, path = "/v1/certificates/{id}", tag = "certificates", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Certificate id")),
    responses(
        (status = 200, description = "The certificate with its signature and revocation", body = CertificateDto),
        (status = 403, description = "forbidden (viewer)", body = odf_mobile_api::ErrorBody),
        (status = 404, description = "not_found (or outside the caller's scope)", body = odf_mobile_api::ErrorBody),
    )
)]
pub fn certificate(state: &AppState, record: &CertificateRecord) -> Json<CertificateDto> {
    Json(certificate_dto(record, &state.config().public_url))
}

#[utoipa::path(
    get, path = "/v1/certificates/{id}.pdf", tag = "certificates", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Certificate id")),
    responses(
        (status = 200, description = "The printable certificate (A4 landscape, Bahasa Indonesia, QR code to the public check)", content_type = "application/pdf"),
        (status = 403, description = "forbidden (viewer)", body = odf_mobile_api::ErrorBody),
        (status = 404, description = "not_found (or outside the caller's scope)", body = odf_mobile_api::ErrorBody),
    )
)]
pub fn certificate_pdf(state: &AppState, record: &CertificateRecord) -> Response {
    let pdf = render_pdf(&record.signed, &state.config().public_url);
    let number = record.signed.certificate.number.to_string().replace('/', "-");
    let mut response = (StatusCode::OK, pdf).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    // The number is ASCII letters, digits, dots and dashes only, so it is a valid header value.
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"piagam-{number}.pdf\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

#[utoipa::path(
    post, path = "/v1/certificates/{id}/revoke", tag = "certificates", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Certificate id")),
    request_body = RevokeRequest,
    responses(
        (status = 200, description = "Revoked; the village is now revoked", body = CertificateDto),
        (status = 400, description = "reason_required", body = odf_mobile_api::ErrorBody),
        (status = 403, description = "forbidden (not a verifier)", body = odf_mobile_api::ErrorBody),
        (status = 404, description = "not_found (or outside the caller's scope)", body = odf_mobile_api::ErrorBody),
        (status = 409, description = "certificate_revoked, transition_not_allowed", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn revoke(
    State(state): State<AppState>,
    Allowed(caller, _): Allowed<RevokeCertificate>,
    InScope(record): InScope<CertificateRecord>,
    ApiJson(request): ApiJson<RevokeRequest>,
) -> ApiResult<Json<CertificateDto>> {
    let revoked = revoke_as(&state, &caller, &record, &request.reason).await?;
    Ok(Json(certificate_dto(&revoked, &state.config().public_url)))
}

/// Revokes `record` as `caller` with `reason`: the body of `POST /v1/certificates/{id}/revoke`,
/// shared with the web desk's form.
pub(crate) async fn revoke_as(
    state: &AppState,
    caller: &Caller,
    record: &CertificateRecord,
    reason: &str,
) -> ApiResult<CertificateRecord> {
    allow::<RevokeCertificate>(caller)?;
    Ok(state.store().revoke_certificate(record.id(), &caller.user.username, reason).await?)
}

#[utoipa::path(
    get, path = "/v1/public/key", tag = "public",
    responses(
        (status = 200, description = "The Ed25519 key that signs certificates", body = PublicKeyDto),
        (status = 503, description = "signing_key_unavailable", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn public_key(State(state): State<AppState>) -> ApiResult<Json<PublicKeyDto>> {
    let keys = state.keyring()?;
    let key = keys.current().public_key();
    let earlier = keys
        .earlier()
        .iter()
        .map(|k| EarlierKeyDto {
            public_key: k.public_key.to_hex(),
            fingerprint: k.public_key.fingerprint(),
            retired_at: k.retired_at,
            compromised_at: k.compromised_at,
        })
        .collect();
    Ok(Json(PublicKeyDto {
        algorithm: "ed25519".to_owned(),
        public_key: key.to_hex(),
        fingerprint: key.fingerprint(),
        earlier,
    }))
}

/// The key a certificate's signature is checked against: the one it names when this server signed
/// with it (now or before a rotation), otherwise the current one (which then fails as `wrong_key`).
/// A compromised key gives `key_compromised` instead.
fn checking_key(state: &AppState, record: &CertificateRecord) -> ApiResult<Result<PublicKey, &'static str>> {
    let keys = state.keyring()?;
    let claimed = PublicKey::from_hex(&record.signed.public_key).ok();
    Ok(match claimed.map(|key| (key, keys.standing(&key))) {
        Some((key, KeyStanding::Current | KeyStanding::Earlier)) => Ok(key),
        Some((_, KeyStanding::Compromised)) => Err("key_compromised"),
        Some((_, KeyStanding::Unknown)) | None => Ok(keys.current().public_key()),
    })
}

/// Checks the stored certificate: its signature against the server's keys, and the data it
/// certified (re-read from the stored visits) against the signed hash. Problem codes, empty when
/// genuine.
async fn problems(state: &AppState, record: &CertificateRecord) -> ApiResult<Vec<String>> {
    let mut problems = Vec::new();
    match checking_key(state, record)? {
        Ok(key) => {
            if let Err(err) = verify(&record.signed, &key) {
                problems.push(err.code().to_owned());
            }
        }
        Err(code) => problems.push(code.to_owned()),
    }
    let certificate = &record.signed.certificate;
    match state.store().certified_data(certificate.verification_id).await {
        Ok(data) if data.missing_visits > 0 || data.household_ids.is_empty() => {
            problems.push("data_missing".to_owned());
        }
        Ok(data) if data.hash() != certificate.data_hash => problems.push("data_changed".to_owned()),
        Ok(_) => {}
        Err(StoreError::Corrupt(_)) => problems.push("record_corrupt".to_owned()),
        Err(err) => return Err(err.into()),
    }
    Ok(problems)
}

fn check_message(genuine: bool, record: Option<&CertificateRecord>) -> (String, String) {
    // Dates in the village's own calendar day, as the certificate's issue date is.
    let local_day = |at: chrono::DateTime<Utc>| match record {
        Some(r) => r.signed.certificate.village_code.local_date(at),
        None => at.date_naive(),
    };
    match (genuine, record.and_then(|r| r.revocation.as_ref())) {
        (false, _) => (
            "not_genuine".to_owned(),
            "Piagam ini TIDAK ASLI atau datanya telah diubah setelah ditandatangani \
             (not genuine: the signature or the certified data does not match)"
                .to_owned(),
        ),
        (true, Some(r)) => (
            "revoked".to_owned(),
            format!(
                "Piagam ini asli tetapi TELAH DICABUT pada {}: {} (genuine but revoked)",
                local_day(r.at),
                r.reason
            ),
        ),
        (true, None) => {
            ("valid".to_owned(), "Piagam ini asli dan masih berlaku (genuine and valid)".to_owned())
        }
    }
}

#[utoipa::path(
    get, path = "/v1/public/certificates/{id}", tag = "public",
    params(
        ("id" = Uuid, Path, description = "Certificate id (printed on the certificate and in its QR code)"),
        ("lang" = Option<String>, Query, description = "Language of the HTML page (`id`, the default, or `en`); the JSON answer is the same in both"),
    ),
    responses(
        (status = 200, description = "Whether the certificate is genuine and still valid; a request that prefers text/html (a phone camera scanning the QR code) gets the same as a page", body = PublicCertificateCheck),
        (status = 404, description = "not_found: no certificate with this id was ever issued here", body = odf_mobile_api::ErrorBody),
        (status = 503, description = "signing_key_unavailable", body = odf_mobile_api::ErrorBody),
    )
)]
pub async fn public_check(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<String>,
    ApiQuery(page_query): ApiQuery<crate::web::PageQuery>,
) -> ApiResult<Response> {
    let not_found = || ApiError::not_found("Piagam (certificate)");
    let id = Uuid::parse_str(id.trim()).map_err(|_| not_found())?;
    let mut public_key = state.signer()?.public_key().to_hex();
    let (record, problems) = match state.store().certificate(id).await {
        Ok(Some(record)) => {
            if let Ok(key) = checking_key(&state, &record)? {
                public_key = key.to_hex();
            }
            let problems = problems(&state, &record).await?;
            (Some(record), problems)
        }
        Ok(None) => return Err(not_found()),
        // A row that no longer reads back as a certificate was changed behind the server's back.
        Err(StoreError::Corrupt(_)) => (None, vec!["record_corrupt".to_owned()]),
        Err(err) => return Err(err.into()),
    };
    let genuine = problems.is_empty();
    let (status, message) = check_message(genuine, record.as_ref());
    let certificate = record.as_ref().map(|r| &r.signed.certificate);
    let revocation = record.as_ref().and_then(|r| r.revocation.as_ref());
    let check = PublicCertificateCheck {
        id,
        genuine,
        valid: genuine && revocation.is_none(),
        status,
        message,
        problems,
        number: certificate.map(|c| c.number.to_string()),
        village: certificate.map(|c| c.village_code.to_string()),
        village_name: certificate.map(|c| c.village_name.clone()),
        kecamatan_name: certificate.map(|c| c.kecamatan_name.clone()),
        kabupaten_name: certificate.map(|c| c.kabupaten_name.clone()),
        issued_on: certificate.map(|c| c.issued_on),
        issued_at: record.as_ref().map(|r| r.issued_at),
        revoked_at: revocation.map(|r| r.at),
        revoke_reason: revocation.map(|r| r.reason.clone()),
        public_key,
        checked_at: Utc::now(),
    };
    if crate::web::public_check::wants_html(&headers) {
        return Ok(crate::web::public_check::page(&check, &page_query, &headers));
    }
    Ok(Json(check).into_response())
}
