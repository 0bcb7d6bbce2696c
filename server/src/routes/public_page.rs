//! The public check as a page for people: the QR code on a printed certificate is usually scanned
//! with a phone camera, which opens a browser, so a request that prefers HTML gets a short page in
//! Bahasa Indonesia instead of JSON. The facts are the same as the JSON answer's.

use axum::http::{HeaderMap, header};
use axum::response::Html;
use odf_mobile_api::PublicCertificateCheck;

/// Whether the client asked for HTML before JSON (browsers send `text/html` first).
pub fn wants_html(headers: &HeaderMap) -> bool {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    match (accept.find("text/html"), accept.find("application/json")) {
        (Some(html), Some(json)) => html < json,
        (Some(_), None) => true,
        _ => false,
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn row(label: &str, value: Option<String>) -> String {
    value.map_or_else(String::new, |v| format!("<tr><th>{label}</th><td>{}</td></tr>\n", escape(&v)))
}

/// The page for one check.
pub fn render(check: &PublicCertificateCheck) -> Html<String> {
    let colour = match check.status.as_str() {
        "valid" => "#0b6e3a",
        "revoked" => "#9a6700",
        _ => "#b3261e",
    };
    let rows = [
        row("Nomor piagam", check.number.clone()),
        row("Desa/kelurahan", check.village_name.clone()),
        row("Kode wilayah", check.village.clone()),
        row("Kecamatan", check.kecamatan_name.clone()),
        row("Kabupaten/kota", check.kabupaten_name.clone()),
        row("Tanggal terbit", check.issued_on.map(|d| d.to_string())),
        row("Dicabut pada", check.revoked_at.map(|d| d.format("%Y-%m-%d").to_string())),
        row("Alasan pencabutan", check.revoke_reason.clone()),
        row("Masalah", (!check.problems.is_empty()).then(|| check.problems.join(", "))),
        row("Kunci publik server", Some(check.public_key.clone())),
        row("Diperiksa pada", Some(check.checked_at.format("%Y-%m-%d %H:%M UTC").to_string())),
    ]
    .concat();
    Html(format!(
        "<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Pemeriksaan piagam ODF</title></head>\n\
         <body style=\"font-family: sans-serif; max-width: 40em; margin: 1em auto; padding: 0 1em\">\n\
         <h1>Pemeriksaan piagam ODF (Stop BABS)</h1>\n\
         <p style=\"color: {colour}; font-weight: bold; font-size: 1.2em\">{}</p>\n\
         <table>\n{rows}</table>\n</body></html>\n",
        escape(&check.message)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use chrono::Utc;
    use uuid::Uuid;

    #[test]
    fn browsers_get_html_and_programs_get_json() {
        let mut headers = HeaderMap::new();
        assert!(!wants_html(&headers));
        headers.insert(header::ACCEPT, HeaderValue::from_static("text/html,application/xhtml+xml,*/*;q=0.8"));
        assert!(wants_html(&headers));
        headers.insert(header::ACCEPT, HeaderValue::from_static("application/json, text/html"));
        assert!(!wants_html(&headers));
    }

    #[test]
    fn stored_text_is_escaped_on_the_page() {
        let check = PublicCertificateCheck {
            id: Uuid::now_v7(),
            genuine: false,
            valid: false,
            status: "not_genuine".to_owned(),
            message: "TIDAK ASLI".to_owned(),
            problems: vec!["signature_invalid".to_owned()],
            number: None,
            village: None,
            village_name: Some("<script>alert(1)</script>".to_owned()),
            kecamatan_name: None,
            kabupaten_name: None,
            issued_on: None,
            issued_at: None,
            revoked_at: None,
            revoke_reason: None,
            public_key: "ab".to_owned(),
            checked_at: Utc::now(),
        };
        let Html(page) = render(&check);
        assert!(page.contains("&lt;script&gt;") && !page.contains("<script>"));
        assert!(page.contains("signature_invalid") && page.contains("TIDAK ASLI"));
    }
}
