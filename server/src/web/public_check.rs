//! The public certificate check as a page for people: a request that prefers HTML (a phone camera
//! opening the QR code of a printed certificate) gets the dashboard's page instead of JSON. The facts
//! are the JSON answer's, rendered by odf-web's template (escaped by askama).

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use odf_mobile_api::PublicCertificateCheck;
use odf_web::public_check::{CheckFacts, CheckOutcome, public_check_view};

use super::{PageQuery, lang_of, lang_switch_href, remember_lang};

/// Whether the client asked for HTML before JSON (browsers send `text/html` first).
pub(crate) fn wants_html(headers: &HeaderMap) -> bool {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    match (accept.find("text/html"), accept.find("application/json")) {
        (Some(html), Some(json)) => html < json,
        (Some(_), None) => true,
        _ => false,
    }
}

/// The page for one check, in the reader's language.
pub(crate) fn page(check: &PublicCertificateCheck, query: &PageQuery, headers: &HeaderMap) -> Response {
    let lang = lang_of(query, headers);
    let path = format!("/v1/public/certificates/{}", check.id);
    let facts = CheckFacts {
        number: check.number.clone(),
        village_name: check.village_name.clone(),
        village_code: check.village.clone(),
        kecamatan_name: check.kecamatan_name.clone(),
        kabupaten_name: check.kabupaten_name.clone(),
        issued_on: check.issued_on.map(|d| d.to_string()),
        // The village's calendar day, as `issued_on` is (a revocation late in the evening UTC is
        // already the next day in WITA and WIT).
        revoked_on: check.revoked_at.map(|at| {
            let code = check.village.as_deref().and_then(|v| odf_domain::AreaCode::parse(v).ok());
            code.map_or_else(|| at.date_naive(), |c| c.local_date(at)).to_string()
        }),
        revoke_reason: check.revoke_reason.clone(),
        problems: check.problems.clone(),
        public_key: check.public_key.clone(),
        checked_at: check.checked_at.format("%Y-%m-%d %H:%M UTC").to_string(),
    };
    let view = public_check_view(
        lang,
        lang_switch_href(&path, &PageQuery::default(), lang),
        CheckOutcome::parse(&check.status),
        check.message.clone(),
        facts,
    );
    let mut response = match odf_web::pages::public_check(&view) {
        Ok(body) => Html(body).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "rendering the public certificate check failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    };
    remember_lang(query, &mut response);
    response
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

    #[tokio::test]
    async fn stored_text_is_escaped_on_the_page() {
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
        let response = page(&check, &PageQuery::default(), &HeaderMap::new());
        assert_eq!(response.status(), StatusCode::OK);
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap_or_default();
        let page = String::from_utf8_lossy(&bytes);
        assert!(page.contains("alert(1)") && !page.contains("<script>alert"), "{page}");
        assert!(page.contains("signature_invalid") && page.contains("TIDAK ASLI"));
        assert!(page.contains("check-not-genuine"));
    }
}
