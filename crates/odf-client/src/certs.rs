//! Certificates (piagam) from pulled `certificate` changes, with their Ed25519 signature checked on
//! the phone by `odf-certificate`, the same code that signs them on the server.
//!
//! The signature is checked against the public key the certificate names. That proves the text was
//! not changed since someone holding that key signed it; that the key is the kabupaten's is shown by
//! its fingerprint, which is printed on the paper piagam and on the public check page.

use chrono::{DateTime, NaiveDate, Utc};
use odf_certificate::{Certificate, CertificateNumber, PublicKey, SignedCertificate};
use odf_domain::{AreaCode, TeamMember};
use odf_mobile_api::{CertificateChangeDto, SignedCertificateDto, TeamMemberDto};
use serde::Serialize;
use uuid::Uuid;

use crate::client::Client;
use crate::error::Result;
use crate::store::pulled;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    Valid,
    Revoked,
}

/// What checking the signature on the phone found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureCheck {
    /// The signature matches the certificate's text and the key it names.
    Valid,
    /// The text or the signature was changed after signing.
    Invalid,
    /// The number, village code, key or signature cannot be read.
    Unreadable,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateView {
    pub id: Uuid,
    /// `ODF/<kabupaten>/<year>/<sequence>`.
    pub number: String,
    pub village: String,
    pub village_name: String,
    pub kecamatan_name: String,
    pub kabupaten_name: String,
    pub issued_on: NaiveDate,
    pub issued_at: DateTime<Utc>,
    pub issuer_name: String,
    pub issuer_role: String,
    pub team: Vec<TeamMemberDto>,
    pub verification_id: Uuid,
    pub data_hash: String,
    pub status: CertificateStatus,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
    pub revocation_reason: Option<String>,
    pub signature: SignatureCheck,
    /// Shorthand for `signature == valid`.
    pub signature_valid: bool,
    /// The first 16 hex characters of the signing key in groups of four, as printed on the piagam.
    pub public_key_fingerprint: String,
}

/// Rebuilds the signed certificate from its wire form; `None` when a field cannot be read.
fn signed(dto: &SignedCertificateDto) -> Option<SignedCertificate> {
    let c = &dto.certificate;
    let certificate = Certificate {
        id: c.id,
        number: CertificateNumber::parse(&c.number).ok()?,
        village_code: AreaCode::parse(&c.village_code).ok()?,
        village_name: c.village_name.clone(),
        kecamatan_name: c.kecamatan_name.clone(),
        kabupaten_name: c.kabupaten_name.clone(),
        issued_on: c.issued_on,
        issuer_name: c.issuer_name.clone(),
        issuer_role: c.issuer_role.clone(),
        team: c.team.iter().cloned().map(TeamMember::from).collect(),
        verification_id: c.verification_id,
        data_hash: c.data_hash.clone(),
    };
    Some(SignedCertificate {
        certificate,
        public_key: dto.public_key.clone(),
        signature: dto.signature.clone(),
    })
}

pub(crate) fn check_signature(dto: &SignedCertificateDto) -> SignatureCheck {
    let (Some(signed), Ok(key)) = (signed(dto), PublicKey::from_hex(&dto.public_key)) else {
        return SignatureCheck::Unreadable;
    };
    match odf_certificate::verify(&signed, &key) {
        Ok(()) => SignatureCheck::Valid,
        Err(odf_certificate::VerifyError::BadSignature) => SignatureCheck::Invalid,
        Err(_) => SignatureCheck::Unreadable,
    }
}

fn fingerprint(hex: &str) -> String {
    let head: Vec<char> = hex.chars().take(16).collect();
    head.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

fn view(dto: CertificateChangeDto) -> CertificateView {
    let signature = check_signature(&dto.signed);
    let public_key_fingerprint = fingerprint(&dto.signed.public_key);
    let c = dto.signed.certificate;
    let revocation = dto.revocation;
    CertificateView {
        id: c.id,
        number: c.number,
        village: c.village_code,
        village_name: c.village_name,
        kecamatan_name: c.kecamatan_name,
        kabupaten_name: c.kabupaten_name,
        issued_on: c.issued_on,
        issued_at: dto.issued_at,
        issuer_name: c.issuer_name,
        issuer_role: c.issuer_role,
        team: c.team,
        verification_id: c.verification_id,
        data_hash: c.data_hash,
        status: if revocation.is_some() { CertificateStatus::Revoked } else { CertificateStatus::Valid },
        revoked_at: revocation.as_ref().map(|r| r.at),
        revoked_by: revocation.as_ref().map(|r| r.by.clone()),
        revocation_reason: revocation.map(|r| r.reason),
        signature,
        signature_valid: signature == SignatureCheck::Valid,
        public_key_fingerprint,
    }
}

impl Client {
    /// Certificates pulled from the server, all or of one village, oldest first, with their status
    /// and whether the signature checks on this phone.
    pub async fn certificates(&self, village: Option<AreaCode>) -> Result<Vec<CertificateView>> {
        Ok(pulled::certificates(self.pool(), village).await?.into_iter().map(view).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_grouped_like_the_piagam() {
        assert_eq!(fingerprint("0123456789abcdef0011"), "0123 4567 89ab cdef");
        assert_eq!(fingerprint("abc"), "abc");
    }
}
