//! Ed25519 signatures over a certificate's signed text ([`Certificate::signed_text`]).
//!
//! The server keeps its 32 secret bytes in its data directory ([`Signer::secret_bytes`], made once by
//! [`Signer::generate`]) and publishes the public key as 64 lowercase hex characters. Verification
//! uses the strict Ed25519 rules (no malleable or small-order signatures).

use std::fmt;

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::certificate::Certificate;

/// Problems with key material. `code()` is the stable machine code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyError {
    #[error("kunci rahasia harus tepat 32 bita, ada {0} (secret key must be 32 bytes)")]
    SecretLength(usize),
    #[error(
        "kunci publik harus 64 karakter heksadesimal kunci Ed25519 yang sah (public key must be 64 hex chars of a valid Ed25519 key)"
    )]
    BadPublicKey,
    #[error("sumber bilangan acak sistem tidak tersedia: {0} (system randomness unavailable)")]
    Random(String),
}

impl KeyError {
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::SecretLength(_) => "key_secret_length",
            KeyError::BadPublicKey => "key_public_malformed",
            KeyError::Random(_) => "key_random_unavailable",
        }
    }
}

/// Why a signed certificate does not verify. `code()` is the stable machine code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VerifyError {
    #[error("tanda tangan atau kunci publik piagam rusak (signature or public key is malformed)")]
    Malformed,
    #[error("piagam ditandatangani dengan kunci lain (signed with another key)")]
    WrongKey,
    #[error(
        "tanda tangan piagam tidak sah: isi piagam telah berubah (signature does not match the contents)"
    )]
    BadSignature,
}

impl VerifyError {
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::Malformed => "signature_malformed",
            VerifyError::WrongKey => "signature_wrong_key",
            VerifyError::BadSignature => "signature_invalid",
        }
    }
}

/// Lowercase hex in groups of four, for people to compare by eye.
fn grouped(hex: &str) -> String {
    let groups: Vec<&str> = hex.as_bytes().chunks(4).filter_map(|c| std::str::from_utf8(c).ok()).collect();
    groups.join(" ")
}

/// An Ed25519 public key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl PublicKey {
    pub fn from_hex(text: &str) -> Result<PublicKey, KeyError> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut bytes).map_err(|_| KeyError::BadPublicKey)?;
        VerifyingKey::from_bytes(&bytes).map(PublicKey).map_err(|_| KeyError::BadPublicKey)
    }

    /// 64 lowercase hex characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0.as_bytes())
    }

    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The first 16 hex characters in groups of four, as printed on the certificate.
    pub fn fingerprint(&self) -> String {
        let hex = self.to_hex();
        grouped(hex.get(..16).unwrap_or(&hex))
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.to_hex())
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl Serialize for PublicKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for PublicKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        PublicKey::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

/// The server's signing key. Its `Debug` shows only the public key.
#[derive(Clone)]
pub struct Signer {
    key: SigningKey,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signer(public {})", self.public_key().to_hex())
    }
}

impl Signer {
    pub fn from_secret_bytes(secret: &[u8; 32]) -> Signer {
        Signer { key: SigningKey::from_bytes(secret) }
    }

    /// From the contents of a key file, which must be exactly the 32 secret bytes.
    pub fn from_secret_slice(secret: &[u8]) -> Result<Signer, KeyError> {
        let bytes: &[u8; 32] = secret.try_into().map_err(|_| KeyError::SecretLength(secret.len()))?;
        Ok(Signer::from_secret_bytes(bytes))
    }

    /// A new key from the operating system's randomness.
    pub fn generate() -> Result<Signer, KeyError> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| KeyError::Random(e.to_string()))?;
        let signer = Signer::from_secret_bytes(&secret);
        secret.fill(0);
        Ok(signer)
    }

    /// The 32 secret bytes, to be written to the key file (and nowhere else).
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.key.verifying_key())
    }

    /// Signs the certificate's signed text. Check it with [`Certificate::validate`] first: signing
    /// does not judge the contents.
    pub fn sign(&self, certificate: &Certificate) -> SignedCertificate {
        let signature = self.key.sign(certificate.signed_text().as_bytes());
        SignedCertificate {
            certificate: certificate.clone(),
            public_key: self.public_key().to_hex(),
            signature: hex::encode(signature.to_bytes()),
        }
    }
}

/// A certificate with its signature. Keys and signature are hex text so that a tampered or garbled
/// stored copy still loads and is then reported by [`verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedCertificate {
    pub certificate: Certificate,
    /// The public key that signed it, 64 lowercase hex characters.
    pub public_key: String,
    /// The Ed25519 signature, 128 lowercase hex characters.
    pub signature: String,
}

impl SignedCertificate {
    /// The first 16 hex characters of the signature in groups of four, as printed on the certificate.
    pub fn signature_fingerprint(&self) -> String {
        grouped(self.signature.get(..16).unwrap_or(&self.signature))
    }

    /// The first 16 hex characters of the signing public key in groups of four.
    pub fn public_key_fingerprint(&self) -> String {
        grouped(self.public_key.get(..16).unwrap_or(&self.public_key))
    }
}

/// Checks that `signed` was signed by `public_key` and has not changed since.
pub fn verify(signed: &SignedCertificate, public_key: &PublicKey) -> Result<(), VerifyError> {
    let claimed = PublicKey::from_hex(&signed.public_key).map_err(|_| VerifyError::Malformed)?;
    if claimed != *public_key {
        return Err(VerifyError::WrongKey);
    }
    let mut bytes = [0u8; 64];
    hex::decode_to_slice(&signed.signature, &mut bytes).map_err(|_| VerifyError::Malformed)?;
    let signature = Signature::from_bytes(&bytes);
    public_key
        .0
        .verify_strict(signed.certificate.signed_text().as_bytes(), &signature)
        .map_err(|_| VerifyError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::certificate::tests::certificate;
    use crate::number::CertificateNumber;
    use chrono::NaiveDate;

    fn signer() -> Signer {
        Signer::from_secret_bytes(&[7u8; 32])
    }

    #[test]
    fn a_valid_certificate_verifies_with_the_signers_key() {
        let signed = signer().sign(&certificate());
        assert_eq!(verify(&signed, &signer().public_key()), Ok(()));
        assert_eq!(signed.signature.len(), 128);
        assert_eq!(signed.signature_fingerprint().len(), 19);
    }

    #[test]
    fn changing_any_field_breaks_the_signature() {
        let signed = signer().sign(&certificate());
        let changes: [fn(&mut Certificate); 6] = [
            |c| c.village_name.push('x'),
            |c| c.number = CertificateNumber::parse("ODF/74.04/2026/0008").unwrap(),
            |c| c.data_hash.replace_range(0..1, "0"),
            |c| c.issued_on = NaiveDate::from_ymd_opt(2026, 5, 5).unwrap(),
            |c| c.team[1].name.push('x'),
            |c| {
                c.team.pop();
            },
        ];
        for change in changes {
            let mut tampered = signed.clone();
            change(&mut tampered.certificate);
            assert_ne!(tampered.certificate, signed.certificate);
            let err = verify(&tampered, &signer().public_key()).unwrap_err();
            assert_eq!(err.code(), "signature_invalid");
        }
    }

    #[test]
    fn a_signature_from_another_key_fails() {
        let other = Signer::generate().unwrap();
        assert_ne!(other.public_key(), signer().public_key());
        let signed = other.sign(&certificate());
        assert_eq!(verify(&signed, &signer().public_key()), Err(VerifyError::WrongKey));
        // Claiming the trusted key does not help: the signature itself is checked.
        let mut forged = signed;
        forged.public_key = signer().public_key().to_hex();
        assert_eq!(verify(&forged, &signer().public_key()), Err(VerifyError::BadSignature));
        forged.signature = "zz".to_owned();
        assert_eq!(verify(&forged, &signer().public_key()), Err(VerifyError::Malformed));
    }

    #[test]
    fn a_key_survives_its_file_and_a_signed_certificate_survives_json() {
        let original = Signer::generate().unwrap();
        let reloaded = Signer::from_secret_slice(&original.secret_bytes()).unwrap();
        assert_eq!(reloaded.public_key(), original.public_key());
        assert_eq!(Signer::from_secret_slice(&[1u8; 31]).unwrap_err().code(), "key_secret_length");
        let key = PublicKey::from_hex(&original.public_key().to_hex()).unwrap();
        assert!(!format!("{original:?}").contains(&hex::encode(original.secret_bytes())));
        let json = serde_json::to_string(&original.sign(&certificate())).unwrap();
        let back: SignedCertificate = serde_json::from_str(&json).unwrap();
        assert_eq!(verify(&back, &key), Ok(()));
        assert_eq!(PublicKey::from_hex("abc").unwrap_err().code(), "key_public_malformed");
    }
}
