//! The verification desk `GET /meja` (issue 16, first slice) over real HTTP: a verifier sees the
//! claims and open verifications of their kecamatan with the sample's progress, and the
//! notifications of slipped villages; a verifier elsewhere sees none of it; other roles get the
//! 403 page and anonymous readers the sign-in page.

use std::sync::Arc;

use chrono::Utc;
use reqwest::header::{COOKIE, LOCATION};
use reqwest::redirect::Policy;
use serde_json::json;

use crate::common::*;
use crate::verification::{certified, claimed_village, open, push, visit};

/// GETs a page with an optional session cookie (the API token is the session's): status and body,
/// or the redirect's target.
async fn page(app: &TestApp, path: &str, session: Option<&str>) -> (u16, String) {
    let client = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    let mut request = client.get(app.url(path));
    if let Some(token) = session {
        request = request.header(COOKIE, format!("odf_session={token}"));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let location = response.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_owned());
    let body = response.text().await.unwrap();
    (status, location.unwrap_or(body))
}

/// The HTML of the section with id `id`.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("<section id=\"{id}\"")).unwrap_or_else(|| panic!("no section {id}"));
    let rest = &html[start..];
    &rest[..rest.find("</section>").unwrap()]
}

/// Writes the page for a look in a browser when `ODF_DESK_HTML` names a file.
fn keep(html: &str) {
    if let Some(path) = std::env::var_os("ODF_DESK_HTML") {
        std::fs::write(path, html).unwrap();
    }
}

pub async fn a_verifier_sees_the_claims_and_open_verifications_of_their_kecamatan(app: Arc<TestApp>) {
    claimed_village(&app).await;
    let ver = app.login("ver").await;
    let row = format!("data-village=\"{VILLAGE_A}\"");

    let (status, html) = page(&app, "/meja", Some(&ver)).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<a id=\"desk-link\" href=\"/meja\">Meja verifikasi</a>"));
    assert!(section(&html, "claims").contains(&row), "{html}");
    assert!(section(&html, "claims").contains(&format!("href=\"/meja/desa/{VILLAGE_A}\"")));
    assert!(!section(&html, "open-verifications").contains(&row));

    let (status, verification) = open(&app, &ver, json!({ "kind": "all_households" })).await;
    assert_eq!(status, 201, "{verification}");
    let sample = verification["sample"]["household_ids"].as_array().unwrap().len();
    let (status, html) = page(&app, "/meja", Some(&ver)).await;
    assert_eq!(status, 200);
    assert!(!section(&html, "claims").contains(&row), "an opened claim leaves the claims");
    let open_rows = section(&html, "open-verifications");
    assert!(open_rows.contains(&row), "{html}");
    let progress = format!("<span data-visited>0</span> dari <span data-sample>{sample}</span> rumah tangga");
    assert!(open_rows.contains(&progress), "{open_rows}");
    assert!(open_rows.contains("Nama ver, Nama ver2, Nama ver3"), "the team by name");

    // English on request, every label translated.
    let (_, english) = page(&app, "/meja?lang=en", Some(&ver)).await;
    assert!(english.contains("<h1>Verification desk</h1>") && english.contains("Open verifications"));
    keep(&html);

    // A verifier of the next kecamatan sees none of it.
    let luar = app.login("ver_luar").await;
    let (status, html) = page(&app, "/meja", Some(&luar)).await;
    assert_eq!(status, 200);
    assert!(!html.contains(VILLAGE_A), "{html}");

    // Sanitarians and viewers: the 403 page, and no header link; anonymous readers: sign in first.
    for user in ["san_a", "viewer"] {
        let token = app.login(user).await;
        let (status, html) = page(&app, "/meja", Some(&token)).await;
        assert_eq!(status, 403, "{user}: {html}");
        assert!(html.contains("<html"), "an HTML page");
        let (_, area) = page(&app, "/wilayah/74.04.81", Some(&token)).await;
        assert!(!area.contains("desk-link"), "{user} has no desk link");
    }
    assert_eq!(page(&app, "/meja", None).await, (303, "/masuk".to_owned()));
}

pub async fn a_slipped_village_is_a_notification_linking_to_its_page(app: Arc<TestApp>) {
    let decided = certified(&app).await;
    let household = json!({ "id": decided["sample"]["household_ids"][0] });
    let san = app.login("san_a").await;
    push(&app, &san, &[], &[visit(&household, "san_a", "babs_terbuka", Utc::now())]).await;

    let (status, html) = page(&app, "/meja", Some(&app.login("ver").await)).await;
    assert_eq!(status, 200);
    let notices = section(&html, "notifications");
    assert!(notices.contains(&format!("<a href=\"/meja/desa/{VILLAGE_A}\">")), "{html}");
    keep(&html);
    let (_, html) = page(&app, "/meja", Some(&app.login("ver_luar").await)).await;
    assert!(!section(&html, "notifications").contains(VILLAGE_A));
    // An admin of the province sees it too.
    let (status, html) = page(&app, "/meja", Some(&app.login("admin").await)).await;
    assert_eq!(status, 200);
    assert!(section(&html, "notifications").contains(VILLAGE_A));
}
