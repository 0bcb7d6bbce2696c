//! Certificates (piagam) on the wire: the certificate itself, revocation, the public check anyone can
//! run without login, the server's public key, and the notifications verifiers receive when a
//! certified village slips back.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::team::TeamMemberDto;

/// A certificate as issued, with its signature and whether it has been revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CertificateDto {
    pub id: Uuid,
    /// `ODF/<kabupaten>/<year>/<sequence>`, unique per kabupaten/kota and year.
    pub number: String,
    pub village: String,
    pub village_name: String,
    pub kecamatan_name: String,
    pub kabupaten_name: String,
    /// The date printed on the certificate: `issued_at`'s date in the village's time zone.
    pub issued_on: NaiveDate,
    /// The exact moment of issue (when the Lulus decision was made).
    #[serde(with = "odf_domain::timestamp")]
    pub issued_at: DateTime<Utc>,
    pub issuer_name: String,
    pub issuer_role: String,
    pub team: Vec<TeamMemberDto>,
    pub verification_id: Uuid,
    /// SHA-256 (hex) of exactly the household data the Lulus was based on.
    pub data_hash: String,
    /// The Ed25519 public key that signed it (hex).
    pub public_key: String,
    /// Ed25519 signature (hex) over the certificate's signed text (format in `odf-certificate`).
    pub signature: String,
    /// `valid` or `revoked`.
    pub status: String,
    #[serde(with = "odf_domain::timestamp::option", default)]
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
    pub revoke_reason: Option<String>,
    /// The printable PDF (login required).
    pub pdf_path: String,
    /// The public check, printed on the certificate as a QR code.
    pub public_url: String,
}

/// `POST /v1/certificates/{id}/revoke`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RevokeRequest {
    pub reason: String,
}

/// `GET /v1/public/certificates/{id}`: whether a certificate is genuine (its signature verifies with
/// the server's key and the data it certified still hashes to the signed value) and still valid (not
/// revoked). No login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicCertificateCheck {
    pub id: Uuid,
    pub genuine: bool,
    /// Genuine and not revoked.
    pub valid: bool,
    /// `valid`, `revoked` or `not_genuine`.
    pub status: String,
    /// For people: Bahasa Indonesia first, English in brackets.
    pub message: String,
    /// What failed when not genuine: `signature_invalid`, `signature_wrong_key`,
    /// `signature_malformed`, `key_compromised` (signed with a key since marked compromised),
    /// `data_changed`, `data_missing` or `record_corrupt`.
    pub problems: Vec<String>,
    pub number: Option<String>,
    pub village: Option<String>,
    pub village_name: Option<String>,
    pub kecamatan_name: Option<String>,
    pub kabupaten_name: Option<String>,
    pub issued_on: Option<NaiveDate>,
    /// The exact moment of issue.
    #[serde(with = "odf_domain::timestamp::option", default)]
    pub issued_at: Option<DateTime<Utc>>,
    #[serde(with = "odf_domain::timestamp::option", default)]
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: Option<String>,
    /// The key the signature was checked against (hex); also at `/v1/public/key`.
    pub public_key: String,
    #[serde(with = "odf_domain::timestamp")]
    pub checked_at: DateTime<Utc>,
}

/// `GET /v1/public/key`: the server's certificate signing key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublicKeyDto {
    /// Always `ed25519`.
    pub algorithm: String,
    /// 64 hex characters.
    pub public_key: String,
    /// The first 16 hex characters in groups of four, as printed on certificates.
    pub fingerprint: String,
    /// Keys that signed certificates before this one (after a rotation): what they signed still
    /// verifies, unless the key is marked compromised.
    #[serde(default)]
    pub earlier: Vec<EarlierKeyDto>,
}

/// A signing key retired by a rotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EarlierKeyDto {
    pub public_key: String,
    pub fingerprint: String,
    #[serde(with = "odf_domain::timestamp")]
    pub retired_at: DateTime<Utc>,
    /// When the key was marked compromised: nothing it signed counts as genuine any more.
    #[serde(with = "odf_domain::timestamp::option", default)]
    pub compromised_at: Option<DateTime<Utc>>,
}

/// One notification for the verifiers of a kecamatan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NotificationDto {
    /// Increasing; pass the last one seen as `after`.
    pub seq: i64,
    /// `village_slipped`: a visit found open defecation in a certified village.
    pub kind: String,
    pub village: String,
    pub kecamatan: String,
    #[serde(with = "odf_domain::timestamp")]
    pub at: DateTime<Utc>,
    pub message: String,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct NotificationsResponse {
    pub notifications: Vec<NotificationDto>,
    /// Pass back as `after` to get only newer notifications.
    pub next_after: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationsQuery {
    /// Only notifications with a greater `seq` (default 0: all).
    #[serde(default)]
    pub after: Option<i64>,
    /// At most this many (default 100, at most 1000).
    #[serde(default)]
    pub limit: Option<u32>,
}
