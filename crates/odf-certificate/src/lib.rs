//! The ODF certificate (piagam) a kecamatan issues when a village passes verification (Lulus).
//!
//! Vocabulary:
//! - a [`CertificateNumber`] such as `ODF/74.04/2026/0007`: unique per kabupaten/kota and year; the
//!   store allocates the sequence, this crate formats and parses it;
//! - a [`Certificate`]: the village, the date, the issuer, the team, the verification it came from,
//!   and the *certified-data hash* (`odf_domain::certified_data_hash`) binding it to exactly the
//!   household data the decision was based on;
//! - the *signed text* ([`Certificate::signed_text`]): a fixed `key=value` line format, signed with
//!   the server's Ed25519 key by a [`Signer`] into a [`SignedCertificate`]; [`verify`] checks it
//!   against a trusted [`PublicKey`];
//! - the *public check*: `/v1/public/certificates/{id}` ([`Certificate::public_path`]), where anyone,
//!   without login, can see whether a certificate is genuine and still valid; the printed PDF
//!   ([`render_pdf`]) carries its address as a QR code.
//!
//! Pure: no IO except reading the operating system's randomness in [`Signer::generate`].

#![forbid(unsafe_code)]

mod certificate;
mod metrics;
mod number;
mod pdf;
mod signing;

pub use certificate::{Certificate, CertificateError, SIGNED_HEADER};
pub use number::{CertificateNumber, NumberError, PREFIX};
pub use pdf::{render_pdf, tanggal};
pub use signing::{KeyError, PublicKey, SignedCertificate, Signer, VerifyError, verify};
