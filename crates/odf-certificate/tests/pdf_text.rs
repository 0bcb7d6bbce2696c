//! The rendered certificate is a PDF whose text a standard tool can read back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use chrono::NaiveDate;
use odf_certificate::{Certificate, CertificateNumber, Signer, render_pdf};
use odf_domain::{AreaCode, TeamMember};
use uuid::Uuid;

fn certificate() -> Certificate {
    Certificate {
        id: Uuid::now_v7(),
        number: CertificateNumber::parse("ODF/74.71/2026/0012").unwrap(),
        village_code: AreaCode::parse("74.71.81.1003").unwrap(),
        village_name: "Contoh Kadia".to_owned(),
        kecamatan_name: "Kecamatan Contoh".to_owned(),
        kabupaten_name: "Kota Kendari".to_owned(),
        issued_on: NaiveDate::from_ymd_opt(2026, 8, 17).unwrap(),
        issuer_name: "Andi Baso".to_owned(),
        issuer_role: "Camat Contoh".to_owned(),
        team: ["a", "b", "c"]
            .iter()
            .map(|u| TeamMember { username: (*u).to_owned(), name: format!("Petugas {u}"), position: None })
            .collect(),
        verification_id: Uuid::now_v7(),
        data_hash: "0".repeat(64),
    }
}

#[test]
fn the_pdf_holds_the_village_name_the_number_and_the_check_address() {
    let certificate = certificate();
    certificate.validate().unwrap();
    let signed = Signer::from_secret_bytes(&[9u8; 32]).sign(&certificate);
    let pdf = render_pdf(&signed, "https://odf.example.go.id/");
    assert!(pdf.starts_with(b"%PDF"));

    let path = std::env::temp_dir().join(format!("odf-certificate-{}.pdf", certificate.id));
    std::fs::write(&path, &pdf).unwrap();
    let output = Command::new("pdftotext").arg(&path).arg("-").output();
    let _ = std::fs::remove_file(&path);
    let output = match output {
        Ok(output) => output,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            println!("SKIPPED: pdftotext is not installed (apt-get install poppler-utils)");
            return;
        }
        Err(e) => panic!("pdftotext failed to start: {e}"),
    };
    assert!(output.status.success(), "pdftotext: {}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "PIAGAM PENGHARGAAN",
        "Desa Stop Buang Air Besar Sembarangan (SBS / ODF)",
        "Kelurahan Contoh Kadia",
        "Nomor: ODF/74.71/2026/0012",
        "PEMERINTAH KOTA KENDARI",
        "KECAMATAN CONTOH",
        "17 Agustus 2026",
        &certificate.public_url("https://odf.example.go.id"),
        &signed.signature_fingerprint(),
    ] {
        assert!(text.contains(expected), "{expected:?} not in:\n{text}");
    }
}
