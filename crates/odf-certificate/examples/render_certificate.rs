//! Renders a sample certificate (made-up people, a real village code) to a PDF file, to look at.
//!
//! `cargo run -p odf-certificate --example render_certificate -- /tmp/piagam-contoh.pdf`

use std::error::Error;

use chrono::NaiveDate;
use odf_certificate::{Certificate, CertificateNumber, Signer, render_pdf, verify};
use odf_domain::{AreaCode, TeamMember};
use uuid::Uuid;

fn member(username: &str, name: &str, position: &str) -> TeamMember {
    TeamMember { username: username.to_owned(), name: name.to_owned(), position: Some(position.to_owned()) }
}

fn main() -> Result<(), Box<dyn Error>> {
    let path = std::env::args().nth(1).unwrap_or_else(|| "/tmp/piagam-contoh.pdf".to_owned());
    let certificate = Certificate {
        id: Uuid::now_v7(),
        number: CertificateNumber::parse("ODF/74.04/2026/0007")?,
        village_code: AreaCode::parse("74.04.11.2002")?,
        village_name: "Waangu-angu".to_owned(),
        kecamatan_name: "Pasarwajo".to_owned(),
        kabupaten_name: "Buton".to_owned(),
        issued_on: NaiveDate::from_ymd_opt(2026, 5, 4).ok_or("tanggal tidak sah")?,
        issuer_name: "La Ode Amir, S.Sos.".to_owned(),
        issuer_role: "Camat Pasarwajo".to_owned(),
        team: vec![
            member("waode", "Wa Ode Sitti Rahma, S.KM.", "Ketua, Puskesmas Pasarwajo"),
            member("hasan", "Hasanuddin", "Staf Kecamatan Pasarwajo"),
            member("nurhayati", "Nurhayati, A.Md.KL.", "Sanitarian Puskesmas Kapontori"),
        ],
        verification_id: Uuid::now_v7(),
        data_hash: "bb5d902721c73da4313877376ccbf188cbb1d49433729ddad04f0937b8a9d7c0".to_owned(),
    };
    certificate.validate()?;
    let signer = Signer::generate()?;
    let signed = signer.sign(&certificate);
    verify(&signed, &signer.public_key())?;
    std::fs::write(&path, render_pdf(&signed, "https://odf.example.go.id"))?;
    println!("{path}: {} ({})", certificate.number, certificate.public_url("https://odf.example.go.id"));
    Ok(())
}
