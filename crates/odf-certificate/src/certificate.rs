//! The certificate's data and the exact bytes that are signed.
//!
//! The signed bytes are UTF-8 text, one `key=value` line per field, each ending in `\n`, keys always
//! present and always in this order (an absent position is an empty value):
//!
//! ```text
//! odf-certificate v1
//! id=<uuid>
//! number=<ODF/PP.KK/YYYY/NNNN>
//! village_code=<PP.KK.CC.DDDD>
//! village_name=<text>
//! kecamatan_name=<text>
//! kabupaten_name=<text>
//! issued_on=<YYYY-MM-DD>
//! issuer_name=<text>
//! issuer_role=<text>
//! verification_id=<uuid>
//! data_hash=<64 lowercase hex>
//! team_count=<n>
//! team.1.username=<text>
//! team.1.name=<text>
//! team.1.position=<text>
//! ... (team.2 to team.n likewise)
//! ```
//!
//! In values, `\` is written `\\`, a line feed `\n` and a carriage return `\r`, so no value can fake
//! another line. Ids are lowercase hyphenated UUIDs. JSON is not signed because nothing fixes the
//! order or spelling of its fields.

use std::fmt::Write;

use chrono::{Datelike, NaiveDate};
use odf_domain::{AreaCode, TeamMember};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

use crate::number::CertificateNumber;

/// The first line of the signed bytes; a later format changes the version.
pub const SIGNED_HEADER: &str = "odf-certificate v1";

/// An ODF certificate (piagam) for one village, before or inside its signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// UUID v7; also the public check's address.
    pub id: Uuid,
    pub number: CertificateNumber,
    pub village_code: AreaCode,
    pub village_name: String,
    pub kecamatan_name: String,
    /// The kabupaten or kota name as in the places list, e.g. "Buton" or "Kota Kendari".
    pub kabupaten_name: String,
    pub issued_on: NaiveDate,
    /// Who issues it, usually the Camat, e.g. "La Ode Amir" / "Camat Pasarwajo".
    pub issuer_name: String,
    pub issuer_role: String,
    pub team: Vec<TeamMember>,
    pub verification_id: Uuid,
    /// The certified-data hash (`odf_domain::certified_data_hash`) the Lulus decision was based on.
    pub data_hash: String,
}

/// Why a certificate may not be signed. `code()` is the stable machine code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CertificateError {
    #[error("id piagam harus UUID versi 7 (certificate id must be a UUID v7)")]
    NotUuidV7,
    #[error("kode {0} bukan kode desa/kelurahan (not a village code)")]
    NotAVillage(AreaCode),
    #[error(
        "desa {village} tidak berada di kabupaten/kota nomor piagam {kabupaten} (village outside the number's kabupaten)"
    )]
    OutsideKabupaten { village: AreaCode, kabupaten: AreaCode },
    #[error(
        "tahun nomor piagam {number} berbeda dengan tahun terbit {issued} (number year differs from issue year)"
    )]
    YearMismatch { number: i32, issued: i32 },
    #[error("kolom {0} wajib diisi (field is required)")]
    Missing(&'static str),
    #[error("kolom {0} berisi karakter kontrol (field contains control characters)")]
    ControlCharacter(&'static str),
    #[error("tim verifikasi kosong (the team is empty)")]
    NoTeam,
    #[error(
        "hash data harus 64 karakter heksadesimal huruf kecil (data hash must be 64 lowercase hex chars)"
    )]
    BadDataHash,
}

impl CertificateError {
    pub fn code(&self) -> &'static str {
        match self {
            CertificateError::NotUuidV7 => "certificate_id_not_uuid_v7",
            CertificateError::NotAVillage(_) => "not_a_village",
            CertificateError::OutsideKabupaten { .. } => "certificate_outside_kabupaten",
            CertificateError::YearMismatch { .. } => "certificate_year_mismatch",
            CertificateError::Missing(_) => "field_missing",
            CertificateError::ControlCharacter(_) => "field_control_character",
            CertificateError::NoTeam => "certificate_no_team",
            CertificateError::BadDataHash => "bad_data_hash",
        }
    }
}

fn text(field: &'static str, value: &str, required: bool) -> Result<(), CertificateError> {
    if required && value.trim().is_empty() {
        return Err(CertificateError::Missing(field));
    }
    if value.chars().any(char::is_control) {
        return Err(CertificateError::ControlCharacter(field));
    }
    Ok(())
}

fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('\n', "\\n").replace('\r', "\\r")
}

impl Certificate {
    /// The public check's path, `/v1/public/certificates/{id}`.
    pub fn public_path(&self) -> String {
        format!("/v1/public/certificates/{}", self.id)
    }

    /// The public check's full address under `base_url` (e.g. `https://odf.example.go.id`).
    pub fn public_url(&self, base_url: &str) -> String {
        format!("{}{}", base_url.trim_end_matches('/'), self.public_path())
    }

    /// Checks the rules a certificate must meet before it is signed.
    pub fn validate(&self) -> Result<(), CertificateError> {
        if self.id.get_version_num() != 7 {
            return Err(CertificateError::NotUuidV7);
        }
        if !self.village_code.is_village() {
            return Err(CertificateError::NotAVillage(self.village_code));
        }
        let kabupaten = self.number.kabupaten();
        if !kabupaten.contains(self.village_code) {
            return Err(CertificateError::OutsideKabupaten { village: self.village_code, kabupaten });
        }
        if self.number.year() != self.issued_on.year() {
            return Err(CertificateError::YearMismatch {
                number: self.number.year(),
                issued: self.issued_on.year(),
            });
        }
        text("village_name", &self.village_name, true)?;
        text("kecamatan_name", &self.kecamatan_name, true)?;
        text("kabupaten_name", &self.kabupaten_name, true)?;
        text("issuer_name", &self.issuer_name, true)?;
        text("issuer_role", &self.issuer_role, true)?;
        if self.team.is_empty() {
            return Err(CertificateError::NoTeam);
        }
        for member in &self.team {
            text("team.username", &member.username, true)?;
            text("team.name", &member.name, true)?;
            text("team.position", member.position.as_deref().unwrap_or_default(), false)?;
        }
        let hex = self.data_hash.len() == 64
            && self.data_hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !hex {
            return Err(CertificateError::BadDataHash);
        }
        Ok(())
    }

    /// The text that is signed (format in the module documentation).
    pub fn signed_text(&self) -> String {
        let fields: [(&str, String); 11] = [
            ("id", self.id.to_string()),
            ("number", self.number.to_string()),
            ("village_code", self.village_code.to_string()),
            ("village_name", escape(&self.village_name)),
            ("kecamatan_name", escape(&self.kecamatan_name)),
            ("kabupaten_name", escape(&self.kabupaten_name)),
            ("issued_on", self.issued_on.format("%Y-%m-%d").to_string()),
            ("issuer_name", escape(&self.issuer_name)),
            ("issuer_role", escape(&self.issuer_role)),
            ("verification_id", self.verification_id.to_string()),
            ("data_hash", escape(&self.data_hash)),
        ];
        let mut out = format!("{SIGNED_HEADER}\n");
        // Writing to a String cannot fail, so the fmt::Results below are ignored.
        for (key, value) in fields {
            let _ = writeln!(out, "{key}={value}");
        }
        let _ = writeln!(out, "team_count={}", self.team.len());
        for (i, member) in self.team.iter().enumerate() {
            let n = i + 1;
            let _ = writeln!(out, "team.{n}.username={}", escape(&member.username));
            let _ = writeln!(out, "team.{n}.name={}", escape(&member.name));
            let _ =
                writeln!(out, "team.{n}.position={}", escape(member.position.as_deref().unwrap_or_default()));
        }
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn certificate() -> Certificate {
        let member = |username: &str, name: &str, position: Option<&str>| TeamMember {
            username: username.to_owned(),
            name: name.to_owned(),
            position: position.map(str::to_owned),
        };
        Certificate {
            id: Uuid::from_u128(0x0196_8a2b_3c4d_7e5f_8a6b_7c8d_9eaf_b0c1),
            number: CertificateNumber::parse("ODF/74.04/2026/0007").unwrap(),
            village_code: AreaCode::parse("74.04.11.2002").unwrap(),
            village_name: "Waangu-angu".to_owned(),
            kecamatan_name: "Pasarwajo".to_owned(),
            kabupaten_name: "Buton".to_owned(),
            issued_on: NaiveDate::from_ymd_opt(2026, 5, 4).unwrap(),
            issuer_name: "La Ode Amir, S.Sos.".to_owned(),
            issuer_role: "Camat Pasarwajo".to_owned(),
            team: vec![
                member("wa.ode", "Wa Ode Sitti Rahma, S.KM.", Some("Ketua, Puskesmas Pasarwajo")),
                member("hasan", "Hasanuddin", Some("Staf Kecamatan")),
                member("nur", "Nurhayati, A.Md.KL.", None),
            ],
            verification_id: Uuid::from_u128(0x0196_8a2b_0000_7000_8000_0000_0000_0042),
            data_hash: "bb5d902721c73da4313877376ccbf188cbb1d49433729ddad04f0937b8a9d7c0".to_owned(),
        }
    }

    #[test]
    fn a_complete_certificate_is_valid_and_has_a_public_path() {
        let c = certificate();
        assert_eq!(c.validate(), Ok(()));
        assert_eq!(c.public_path(), "/v1/public/certificates/01968a2b-3c4d-7e5f-8a6b-7c8d9eafb0c1");
        assert_eq!(
            c.public_url("https://odf.example.go.id/"),
            "https://odf.example.go.id/v1/public/certificates/01968a2b-3c4d-7e5f-8a6b-7c8d9eafb0c1"
        );
    }

    #[test]
    fn certificate_rules_have_stable_codes() {
        let check = |change: fn(&mut Certificate)| {
            let mut c = certificate();
            change(&mut c);
            c.validate().unwrap_err().code()
        };
        assert_eq!(check(|c| c.id = Uuid::from_u128(1)), "certificate_id_not_uuid_v7");
        assert_eq!(check(|c| c.village_code = AreaCode::parse("74.04.11").unwrap()), "not_a_village");
        assert_eq!(
            check(|c| c.village_code = AreaCode::parse("74.71.01.1001").unwrap()),
            "certificate_outside_kabupaten"
        );
        assert_eq!(
            check(|c| c.issued_on = NaiveDate::from_ymd_opt(2027, 1, 2).unwrap()),
            "certificate_year_mismatch"
        );
        assert_eq!(check(|c| c.village_name = " ".to_owned()), "field_missing");
        assert_eq!(check(|c| c.issuer_role = "Camat\nLurah".to_owned()), "field_control_character");
        assert_eq!(check(|c| c.team.clear()), "certificate_no_team");
        assert_eq!(check(|c| c.data_hash = c.data_hash.to_uppercase()), "bad_data_hash");
    }

    #[test]
    fn the_signed_text_is_one_key_value_line_per_field_in_a_fixed_order() {
        let mut c = certificate();
        c.team.truncate(1);
        c.team[0].position = None;
        c.village_name = "Waangu\\angu\nnumber=ODF/74.04/2026/0001".to_owned();
        let expected = "odf-certificate v1\n\
            id=01968a2b-3c4d-7e5f-8a6b-7c8d9eafb0c1\n\
            number=ODF/74.04/2026/0007\n\
            village_code=74.04.11.2002\n\
            village_name=Waangu\\\\angu\\nnumber=ODF/74.04/2026/0001\n\
            kecamatan_name=Pasarwajo\n\
            kabupaten_name=Buton\n\
            issued_on=2026-05-04\n\
            issuer_name=La Ode Amir, S.Sos.\n\
            issuer_role=Camat Pasarwajo\n\
            verification_id=01968a2b-0000-7000-8000-000000000042\n\
            data_hash=bb5d902721c73da4313877376ccbf188cbb1d49433729ddad04f0937b8a9d7c0\n\
            team_count=1\n\
            team.1.username=wa.ode\n\
            team.1.name=Wa Ode Sitti Rahma, S.KM.\n\
            team.1.position=\n";
        assert_eq!(c.signed_text(), expected);
    }
}
