//! The verification desk's forms (issue 16, verification part) over real HTTP, as a browser
//! without JavaScript sends them: a plain POST with the session cookie, the page's CSRF token and
//! the server's own `Origin`, answered by a redirect. Every action goes through the API's own
//! functions: the audit log records what the API records, and a refusal shows the API's code and
//! message in the page with the API's status. Out of scope, a wrong role or a forged form: nothing
//! changes.

use std::sync::Arc;

use chrono::Utc;
use reqwest::header::{COOKIE, LOCATION, ORIGIN};
use reqwest::redirect::Policy;
use serde_json::{Value, json};

use crate::common::*;
use crate::verification::{certified, claimed_village, push, visit};

/// A browser's view of the desk for one signed-in user (the API token is the session's).
struct Browser<'a> {
    app: &'a TestApp,
    token: String,
    http: reqwest::Client,
}

/// An answer: status, and the redirect's target or the page.
#[derive(Debug)]
struct Answer {
    status: u16,
    location: Option<String>,
    body: String,
}

impl<'a> Browser<'a> {
    async fn sign_in(app: &'a TestApp, username: &str) -> Browser<'a> {
        let http = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
        Browser { app, token: app.login(username).await, http }
    }

    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let location = response.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_owned());
        Answer { status, location, body: response.text().await.unwrap() }
    }

    async fn get(&self, path: &str) -> Answer {
        let request = self.http.get(self.app.url(path)).header(COOKIE, format!("odf_session={}", self.token));
        Browser::answer(request.send().await.unwrap()).await
    }

    /// Posts `fields` with the CSRF token of the page at `page`, from this server's origin.
    async fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Answer {
        let csrf = csrf_of(&self.get(page).await.body);
        self.post(action, &csrf, &self.app.base, fields).await
    }

    async fn post(&self, action: &str, csrf: &str, origin: &str, fields: &[(&str, &str)]) -> Answer {
        let mut form: Vec<(&str, &str)> = vec![("csrf", csrf)];
        form.extend_from_slice(fields);
        let request = self
            .http
            .post(self.app.url(action))
            .header(COOKIE, format!("odf_session={}", self.token))
            .header(ORIGIN, origin)
            .form(&form);
        Browser::answer(request.send().await.unwrap()).await
    }
}

/// The CSRF token a page's forms carry.
fn csrf_of(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("a form with a CSRF token") + 19;
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

/// The refusal shown in a page: its code and its text.
fn refusal_in(html: &str) -> (String, String) {
    let start = html.find("<div id=\"refusal\"").unwrap_or_else(|| panic!("no refusal in {html}"));
    let div = &html[start..start + html[start..].find("</div>").unwrap()];
    let code_at = div.find("data-code=\"").unwrap() + 11;
    let code = div[code_at..code_at + div[code_at..].find('"').unwrap()].to_owned();
    (code, div.to_owned())
}

/// The API's message as the page prints it (HTML-escaped).
fn escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// The page shows the same refusal as the API's answer `api` to the same request.
fn assert_same_refusal(page: &Answer, api: (u16, &Value)) {
    assert_eq!(page.status, api.0, "the API's status: {}", page.body);
    let (code, text) = refusal_in(&page.body);
    assert_eq!(code, api.1["error"]["code"].as_str().unwrap(), "{text}");
    let message = api.1["error"]["message"].as_str().unwrap();
    assert!(text.contains(&escaped(message)) || text.contains(message), "{message:?} in {text}");
}

/// (actor, action) of the village's audit entries, in order.
async fn audit_of(app: &TestApp, village: &str) -> Vec<(String, String)> {
    let area = odf_domain::AreaCode::parse(village).unwrap();
    let entries = app.store.audit_entries(Some(area), 0, 1000).await.unwrap();
    entries.into_iter().map(|e| (e.actor, e.action)).collect()
}

pub async fn a_verifier_opens_records_decides_prints_and_revokes_through_the_desk(app: Arc<TestApp>) {
    let homes = claimed_village(&app).await;
    let desk = Browser::sign_in(&app, "ver").await;
    let api = app.login("ver").await;
    let village_page = format!("/meja/desa/{VILLAGE_A}");

    // The claim, from /meja to the village's desk page with its form.
    let home = desk.get("/meja").await;
    assert!(home.body.contains(&format!("href=\"{village_page}\"")), "{}", home.body);
    let page = desk.get(&village_page).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("id=\"open-form\"") && page.body.contains("data-status=\"klaim_sbs\""));
    for member in ["ver", "ver2", "ver3"] {
        assert!(page.body.contains(&format!("name=\"team\" value=\"{member}\"")), "{member} offered");
    }
    assert!(!page.body.contains("value=\"ver_luar\""), "only the kecamatan's verifiers");

    // A team of two: the API's refusal, in the page, and nothing opened.
    let action = format!("{village_page}/verifikasi");
    let two = desk
        .submit(&village_page, &action, &[("team", "ver"), ("team", "ver2"), ("plan", "all_households")])
        .await;
    let body = json!({ "team": [{ "username": "ver", "name": "" }, { "username": "ver2", "name": "" }],
                       "plan": { "kind": "all_households" } });
    let (status, refused) = app.post(&format!("/v1/villages/{VILLAGE_A}/verifications"), &api, &body).await;
    assert_same_refusal(&two, (status, &refused));
    assert!(two.body.contains("value=\"ver2\" checked"), "the team picked stays picked");

    // Three: opened, and the browser goes to the verification's page.
    let fields = [
        ("team", "ver"),
        ("team", "ver2"),
        ("team", "ver3"),
        ("position.ver2", "Sanitarian Puskesmas"),
        ("plan", "all_households"),
        ("level", "rt"),
        ("count", "2"),
    ];
    let opened = desk.submit(&village_page, &action, &fields).await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    let page_path = opened.location.unwrap();
    let id = page_path.rsplit('/').next().unwrap().to_owned();
    assert_eq!(page_path, format!("{village_page}/verifikasi/{id}"));
    let (status, verification) = app.get(&format!("/v1/verifications/{id}"), &api).await;
    assert_eq!(status, 200, "{verification}");
    assert_eq!(verification["team"][1]["position"], "Sanitarian Puskesmas");
    assert_eq!(verification["team"][0]["name"], "ver", "the name comes from the account");
    let page = desk.get(&page_path).await;
    assert!(page.body.contains("<span data-visited>0</span>"), "{}", page.body);
    assert!(page.body.contains("Kepala 1"), "the sampled households by name");

    // Deciding before the criteria: the API's 409.
    let decide = format!("{page_path}/keputusan");
    let early = desk.submit(&page_path, &decide, &[("outcome", "lulus")]).await;
    let (status, refused) =
        app.post(&format!("/v1/verifications/{id}/decision"), &api, &json!({ "outcome": "lulus" })).await;
    assert_same_refusal(&early, (status, &refused));

    // The criteria, all met; no visits yet, so the rules suggest Gagal, and Lulus needs a reason.
    let criteria = [
        ("no_visible_faeces", "ya"),
        ("no_visible_faeces_note", "bersih"),
        ("rules_and_sanctions", "ya"),
        ("monitoring", "ya"),
    ];
    let recorded = desk.submit(&page_path, &format!("{page_path}/kriteria"), &criteria).await;
    assert_eq!((recorded.status, recorded.location.as_deref()), (303, Some(page_path.as_str())));
    let page = desk.get(&page_path).await;
    assert!(
        page.body.contains("id=\"suggestion\" class=\"suggestion\" data-outcome=\"gagal\""),
        "{}",
        page.body
    );
    let overriding = desk.submit(&page_path, &decide, &[("outcome", "lulus"), ("reasons", " \n ")]).await;
    let (status, refused) =
        app.post(&format!("/v1/verifications/{id}/decision"), &api, &json!({ "outcome": "lulus" })).await;
    assert_eq!(refused["error"]["code"], "decision_override_reason_required");
    assert_same_refusal(&overriding, (status, &refused));

    // The team's phones visit every sampled household: the page shows who and the rules say Lulus.
    // One visit's photo is uploaded, another's is still on the phone.
    let ver2 = app.login("ver2").await;
    let photo = crate::photos::jpeg(3, 1_500);
    let (uploaded, pending) =
        (crate::photos::hash(&photo), crate::photos::hash(&crate::photos::jpeg(4, 900)));
    let mut visits: Vec<Value> = homes.iter().map(|h| visit(h, "ver2", "aman", Utc::now())).collect();
    visits[0]["photo_sha256"] = json!(uploaded);
    visits[1]["photo_sha256"] = json!(pending);
    push(&app, &ver2, &[], &visits).await;
    let (status, answer, _) = crate::photos::put(&app, &ver2, &uploaded, None, photo.clone()).await;
    assert!(status < 300, "{status} {answer}");
    let page = desk.get(&page_path).await;
    assert!(page.body.contains("<span data-visited>6</span>"), "{}", page.body);
    assert!(page.body.contains("data-outcome=\"lulus\""));
    assert!(page.body.contains("ver2, "), "who visited");
    let picture = format!("/v1/photos/{uploaded}");
    assert!(page.body.contains(&format!("<img class=\"sample-photo\" src=\"{picture}\"")), "{}", page.body);
    assert!(page.body.contains("belum diunggah") && !page.body.contains(&format!("/v1/photos/{pending}")));
    let shown = desk
        .http
        .get(app.url(&picture))
        .header(COOKIE, format!("odf_session={}", desk.token))
        .send()
        .await
        .unwrap();
    assert_eq!(shown.status(), 200, "the desk's session reads the photo");
    assert_eq!(shown.bytes().await.unwrap().as_ref(), photo.as_slice());

    let decided =
        desk.submit(&page_path, &decide, &[("outcome", "lulus"), ("issuer_name", "Camat Contoh")]).await;
    assert_eq!(decided.status, 303, "{}", decided.body);
    let (_, verification) = app.get(&format!("/v1/verifications/{id}"), &api).await;
    assert_eq!(verification["decision"]["outcome"], "lulus");
    let certificate = &verification["certificate"];
    assert_eq!(certificate["issuer_name"], "Camat Contoh");
    let number = certificate["number"].as_str().unwrap().to_owned();
    let certificate_id = certificate["id"].as_str().unwrap().to_owned();

    // The Berita Acara and the PDF (the API's own route, with the session cookie).
    let page = desk.get(&page_path).await;
    assert!(page.body.contains(&format!("href=\"/v1/certificates/{certificate_id}.pdf\"")));
    let minutes = desk.get(&format!("{page_path}/berita-acara")).await;
    assert_eq!(minutes.status, 200);
    let village_name = verification["village_name"].as_str().unwrap();
    for part in [village_name, number.as_str(), "Sanitarian Puskesmas", "data-outcome=\"lulus\""] {
        assert!(minutes.body.contains(part), "{part} in the Berita Acara");
    }
    let pdf = desk.get(&format!("/v1/certificates/{certificate_id}.pdf")).await;
    assert_eq!(pdf.status, 200);
    assert!(pdf.body.starts_with("%PDF"));

    // Revoking: a blank reason is the API's refusal; then revoked with a reason.
    let revoke = format!("{village_page}/piagam/{certificate_id}/cabut");
    let blank = desk.submit(&village_page, &revoke, &[("reason", "  ")]).await;
    let (status, refused) = app
        .post(&format!("/v1/certificates/{certificate_id}/revoke"), &api, &json!({ "reason": "  " }))
        .await;
    assert_same_refusal(&blank, (status, &refused));
    let revoked = desk.submit(&village_page, &revoke, &[("reason", "BABS ditemukan lagi")]).await;
    assert_eq!((revoked.status, revoked.location.as_deref()), (303, Some(village_page.as_str())));
    let (_, certificate) = app.get(&format!("/v1/certificates/{certificate_id}"), &api).await;
    assert_eq!(
        (certificate["status"].as_str(), certificate["revoked_by"].as_str()),
        (Some("revoked"), Some("ver"))
    );
    let page = desk.get(&village_page).await;
    assert!(page.body.contains("data-state=\"revoked\"") && page.body.contains("data-status=\"revoked\""));

    // Audited as the API audits: by the verifier, one entry per action.
    let audit = audit_of(&app, VILLAGE_A).await;
    for action in [
        "verification.open",
        "verification.community",
        "verification.decide",
        "certificate.issue",
        "certificate.revoke",
    ] {
        let count = audit.iter().filter(|(actor, a)| actor == "ver" && a == action).count();
        assert_eq!(count, 1, "{action} by ver in {audit:?}");
    }
}

pub async fn forged_forms_other_roles_and_other_kecamatan_change_nothing(app: Arc<TestApp>) {
    claimed_village(&app).await;
    let village_page = format!("/meja/desa/{VILLAGE_A}");
    let action = format!("{village_page}/verifikasi");
    let team = [("team", "ver"), ("team", "ver2"), ("team", "ver3"), ("plan", "all_households")];
    let before = audit_of(&app, VILLAGE_A).await;

    // The village's own verifier, but a forged token or a cross-site origin.
    let ver = Browser::sign_in(&app, "ver").await;
    let csrf = csrf_of(&ver.get(&village_page).await.body);
    assert_eq!(ver.post(&action, "forged", &app.base, &team).await.status, 403);
    assert_eq!(ver.post(&action, &csrf, "https://evil.example", &team).await.status, 403);

    // A verifier of the next kecamatan: the 403 page for the village, its form and its records.
    let luar = Browser::sign_in(&app, "ver_luar").await;
    let page = luar.get(&village_page).await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(page.body.contains("<html") && !page.body.contains("open-form"));
    let luar_csrf = csrf_of(&luar.get("/meja").await.body);
    let refused = luar.post(&action, &luar_csrf, &app.base, &team).await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    // Sanitarians and viewers have no desk; an admin reads it but may not open (the API's rule).
    for user in ["san_a", "viewer"] {
        assert_eq!(Browser::sign_in(&app, user).await.get(&village_page).await.status, 403, "{user}");
    }
    let admin = Browser::sign_in(&app, "admin").await;
    let page = admin.get(&village_page).await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("id=\"open-form\""), "no form for a role that may not open");
    let by_admin = admin.submit(&village_page, &action, &team).await;
    assert_eq!(refusal_in(&by_admin.body).0, "forbidden");
    assert_eq!(by_admin.status, 403);

    // Without a session: to the sign-in page.
    let anonymous = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    let response = anonymous.get(app.url(&village_page)).send().await.unwrap();
    assert_eq!(response.headers()[LOCATION], "/masuk");

    assert_eq!(audit_of(&app, VILLAGE_A).await, before, "nothing was recorded");
    let (_, status) = app.get(&format!("/v1/villages/{VILLAGE_A}/history"), &app.login("ver").await).await;
    assert_eq!(status["status"], "klaim_sbs");
}

pub async fn a_slipped_village_is_verified_again_from_its_notification(app: Arc<TestApp>) {
    let decided = certified(&app).await;
    let household = json!({ "id": decided["sample"]["household_ids"][0] });
    let san = app.login("san_a").await;
    push(&app, &san, &[], &[visit(&household, "san_a", "babs_terbuka", Utc::now())]).await;

    let desk = Browser::sign_in(&app, "ver").await;
    let village_page = format!("/meja/desa/{VILLAGE_A}");
    let home = desk.get("/meja").await;
    assert!(home.body.contains(&format!("class=\"again\" href=\"{village_page}\"")), "{}", home.body);
    let page = desk.get(&village_page).await;
    assert!(page.body.contains("data-status=\"slipped\"") && page.body.contains("id=\"open-form\""));
    let fields = [
        ("team", "ver"),
        ("team", "ver2"),
        ("team", "ver3"),
        ("plan", "random_units"),
        ("level", "rt"),
        ("count", "1"),
    ];
    let opened = desk.submit(&village_page, &format!("{village_page}/verifikasi"), &fields).await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    let id = opened.location.unwrap().rsplit('/').next().unwrap().to_owned();
    let (_, verification) = app.get(&format!("/v1/verifications/{id}"), &app.login("ver").await).await;
    assert_eq!(verification["sample"]["plan"], json!({ "kind": "random_units", "level": "rt", "count": 1 }));
    let home = desk.get("/meja").await;
    assert!(!home.body.contains("class=\"again\""), "verified again: no longer offered");
}

pub async fn a_gagal_from_the_desk_keeps_one_reason_per_line_and_returns_the_village_to_dipicu(
    app: Arc<TestApp>,
) {
    claimed_village(&app).await;
    let desk = Browser::sign_in(&app, "ver").await;
    let village_page = format!("/meja/desa/{VILLAGE_A}");
    let team = [("team", "ver"), ("team", "ver2"), ("team", "ver3"), ("plan", "all_households")];
    let opened = desk.submit(&village_page, &format!("{village_page}/verifikasi"), &team).await;
    let page = opened.location.unwrap();
    let criteria =
        [("no_visible_faeces", "ya"), ("rules_and_sanctions", "ya"), ("monitoring_note", "belum ada")];
    assert_eq!(desk.submit(&page, &format!("{page}/kriteria"), &criteria).await.status, 303);
    let shown = desk.get(&page).await.body;
    assert!(shown.contains("name=\"monitoring\" value=\"ya\">"), "monitoring recorded as not met");
    assert!(shown.contains("value=\"belum ada\""), "with its note");
    let reasons = "Belum ada pemantauan\r\n\r\n6 KK belum dikunjungi tim";
    let decided =
        desk.submit(&page, &format!("{page}/keputusan"), &[("outcome", "gagal"), ("reasons", reasons)]).await;
    assert_eq!(decided.status, 303, "{}", decided.body);
    let id = page.rsplit('/').next().unwrap();
    let (_, verification) = app.get(&format!("/v1/verifications/{id}"), &app.login("ver").await).await;
    assert_eq!(verification["decision"]["outcome"], "gagal");
    assert_eq!(
        verification["decision"]["reasons"],
        json!(["Belum ada pemantauan", "6 KK belum dikunjungi tim"])
    );
    assert!(verification["certificate"].is_null());
    let minutes = desk.get(&format!("{page}/berita-acara")).await.body;
    assert!(minutes.contains("data-outcome=\"gagal\"") && minutes.contains("Belum ada pemantauan"));
    assert!(desk.get(&village_page).await.body.contains("data-status=\"dipicu\""));
}
