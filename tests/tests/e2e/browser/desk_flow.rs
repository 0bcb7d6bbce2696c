//! The verification desk (issue 16, verification part) in Chromium, on the end-to-end server's
//! seeded kecamatan (`odf_e2e_tests::server`: a sanitarian and three verifiers of 74.04.81) plus a
//! verifier of the next kecamatan. The sanitarian's phone data and the team's visits go over the
//! API, as phones send them; everything else is done in the browser with its forms:
//!
//! 1. The verifier of another kecamatan opens the village's desk page and posts its form with his
//!    own session's CSRF token: a 403 page each time, and nothing changes.
//! 2. The kecamatan's verifier signs in, opens a verification of the claimed village from `/meja`
//!    with a team of three, sees the team's visits arrive, records the community criteria, decides
//!    Lulus beside the rules' suggestion, opens the Berita Acara, downloads the certificate PDF
//!    (its text, read back with `lopdf`, names the village and the certificate number) and revokes
//!    the certificate.
//!
//! SQLite only: the desk's forms are tested on both databases over HTTP (`server/tests/api`).

use chrono::{Duration, Utc};
use odf_domain::Role;
use odf_e2e_tests::server::{PASSWORD, SAN_A, Server, VERIFIER, VILLAGE_1, code, run};
use odf_server::commands::{self, UserSpec};
use odf_store::Backend;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{Browser, DESKTOP, PHONE, attr, click, skipped, text, with_browser};

/// A verifier of the kecamatan next to the seeded one.
const OUTSIDER: &str = "ver_luar";
const OUTSIDE_KECAMATAN: &str = "74.04.82";

async fn login(base: &str, username: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({ "username": username, "password": PASSWORD }))
        .send()
        .await
        .expect("POST /v1/auth/login");
    assert!(response.status().is_success(), "login {username}: {}", response.status());
    let body: Value = response.json().await.expect("the login answer");
    body["token"].as_str().expect("a token").to_owned()
}

async fn api(method: reqwest::Method, base: &str, path: &str, token: &str, body: Option<Value>) -> Value {
    let mut request = reqwest::Client::new().request(method, format!("{base}{path}")).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap_or_else(|err| panic!("{path}: {err}"));
    let status = response.status();
    let body: Value = response.json().await.unwrap_or_else(|err| panic!("{path}: not JSON: {err}"));
    assert!(status.is_success(), "{path}: {status} {body}");
    body
}

fn visit(household: &Value, by: &str, at: chrono::DateTime<Utc>) -> Value {
    json!({
        "id": Uuid::now_v7(), "household_id": household, "sanitarian": by, "visited_at": at,
        "category": "aman", "device_id": format!("hp-{by}"),
    })
}

async fn push(base: &str, token: &str, households: &[Value], visits: &[Value]) {
    let body = json!({
        "device": { "device_id": "hp", "app_version": "t", "pending_count": 0 },
        "households": households, "visits": visits,
    });
    let answer = api(reqwest::Method::POST, base, "/v1/sync/push", token, Some(body)).await;
    for result in answer["results"].as_array().expect("results") {
        assert_eq!(result["status"], "accepted", "{result}");
    }
}

/// Four households with access, the triggering and the SBS claim of village 1, as the
/// sanitarian's phone sends them.
async fn claimed_village(base: &str) {
    let san = login(base, SAN_A).await;
    let homes: Vec<Value> = (1..=4)
        .map(|i| {
            json!({ "id": Uuid::now_v7(), "village": VILLAGE_1, "head_name": format!("La Ode {i}"),
                    "kk_count": 1, "dusun": "Dusun I", "rw": "001", "rt": format!("00{}", i % 2 + 1) })
        })
        .collect();
    let visits: Vec<Value> =
        homes.iter().map(|h| visit(&h["id"], SAN_A, Utc::now() - Duration::days(3))).collect();
    push(base, &san, &homes, &visits).await;
    let day = (Utc::now() - Duration::days(40)).date_naive();
    let post = |what: &str| format!("/v1/villages/{VILLAGE_1}/{what}");
    api(reqwest::Method::POST, base, &post("trigger"), &san, Some(json!({ "triggered_on": day }))).await;
    api(reqwest::Method::POST, base, &post("claim"), &san, Some(json!({}))).await;
}

async fn sign_in(browser: &Browser, base: &str, username: &str) {
    browser.goto(&format!("{base}/masuk"), "form#login").await;
    browser
        .wait("form#login input[name=username]")
        .await
        .send_keys(username)
        .await
        .expect("type the username");
    browser
        .wait("form#login input[name=password]")
        .await
        .send_keys(PASSWORD)
        .await
        .expect("type the password");
    click(&browser.wait("form#login button[type=submit]").await).await;
    browser.wait("form#logout").await;
}

/// What the village has on the server: status, verifications and audit entries.
async fn village_facts(server: &Server) -> (String, usize, usize) {
    let village = code(VILLAGE_1);
    let status = server.store.village_state(village).await.expect("the village's state").status;
    let verifications = server.store.verifications_of(village).await.expect("verifications").len();
    let audit = server.store.audit_entries(Some(village), 0, 1000).await.expect("audit").len();
    (status.as_str().to_owned(), verifications, audit)
}

/// Fetches `href` in the page with the session cookie (as the download link does) and returns
/// the bytes.
async fn download(browser: &Browser, href: &str) -> Vec<u8> {
    let script = "const done = arguments[arguments.length - 1];\
        fetch(arguments[0], { credentials: 'same-origin' })\
          .then(r => r.ok ? r.arrayBuffer() : Promise.reject(r.status))\
          .then(b => { const a = new Uint8Array(b); let s = '';\
                       for (let i = 0; i < a.length; i++) s += String.fromCharCode(a[i]);\
                       done(btoa(s)); })\
          .catch(e => done('failed: ' + e));";
    let answer = browser.client.execute_async(script, vec![json!(href)]).await.expect("fetch the PDF");
    let encoded = answer.as_str().expect("the PDF as base64");
    base64::Engine::decode(&base64::engine::general_purpose::STANDARD, encoded)
        .unwrap_or_else(|err| panic!("{encoded:.60}: {err}"))
}

/// The text of every page of a PDF.
fn pdf_text(bytes: &[u8]) -> String {
    let document = lopdf::Document::load_mem(bytes).expect("a PDF lopdf can read");
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    document.extract_text(&pages).expect("the PDF's text")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verifier_certifies_and_revokes_in_the_browser_and_another_kecamatan_gets_403() {
    if skipped() {
        return;
    }
    run(Backend::Sqlite, |server: Server| async move {
        let spec = UserSpec {
            username: OUTSIDER.to_owned(),
            display_name: None,
            role: Role::Verifier,
            area: code(OUTSIDE_KECAMATAN).into(),
            villages: Vec::new(),
            password: PASSWORD.to_owned(),
        };
        commands::add_user(&server.store, spec, "e2e").await.expect("add the outside verifier");
        claimed_village(&server.url).await;
        let base = server.url.clone();
        let village_desk = format!("{base}/meja/desa/{VILLAGE_1}");
        let before = village_facts(&server).await;
        assert_eq!(before.0, "klaim_sbs");

        // Another kecamatan's verifier: neither sees nor acts.
        with_browser("desk-outsider", PHONE, |browser| {
            let (base, village_desk) = (base.clone(), village_desk.clone());
            async move {
                sign_in(&browser, &base, OUTSIDER).await;
                browser.goto(&format!("{base}/meja"), "section#claims").await;
                assert!(!browser.has(&format!("[data-village=\"{VILLAGE_1}\"]")).await, "not on his desk");
                // His own session's CSRF token, from his signed-in header (an error page has none).
                let csrf = browser
                    .script("return document.querySelector('form#logout input[name=csrf]').value;", vec![])
                    .await;
                browser.goto(&village_desk, "#error[data-status=\"403\"]").await;
                assert!(!browser.has("form#open-form").await);
                browser.screenshot("forbidden").await;
                // His own session's token, the village's form, posted as a browser would.
                let script = "const f = document.createElement('form'); f.method = 'post';\
                    f.action = arguments[0];\
                    for (const [k, v] of [['csrf', arguments[1]],\
                        ['team', 'ver'], ['team', 'ver2'], ['team', 'ver3'], ['plan', 'all_households']]) {\
                      const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v;\
                      f.appendChild(i); }\
                    document.body.appendChild(f); f.submit();";
                browser.script(script, vec![json!(format!("{village_desk}/verifikasi")), csrf]).await;
                browser.wait("#error[data-status=\"403\"]").await;
                assert!(browser.current_url().await.path().ends_with("/verifikasi"), "the POST was answered");
            }
        })
        .await;
        assert_eq!(village_facts(&server).await, before, "nothing changed");

        let base2 = base.clone();
        with_browser("desk-verifier", PHONE, |browser| async move {
            let base = base2;
            sign_in(&browser, &base, VERIFIER).await;
            click(&browser.wait("#desk-link").await).await;
            click(&browser.wait(&format!("section#claims li[data-village=\"{VILLAGE_1}\"] a")).await).await;
            browser.wait("form#open-form").await;
            assert_eq!(browser.current_url().await.path(), format!("/meja/desa/{VILLAGE_1}"));
            for member in ["ver2", "ver3"] {
                click(&browser.wait(&format!("form#open-form input[name=team][value={member}]")).await).await;
            }
            browser.screenshot("open").await;
            click(&browser.wait("form#open-form button[type=submit]").await).await;
            browser.wait("#verification-state[data-state=open]").await;
            let id = browser.current_url().await.path().rsplit('/').next().expect("the id").to_owned();

            // The team's phones visit the sample; the page shows them on reload.
            let token = login(&base, "ver2").await;
            let verification =
                api(reqwest::Method::GET, &base, &format!("/v1/verifications/{id}"), &token, None).await;
            let sample = verification["sample"]["household_ids"].as_array().expect("sample").clone();
            let visits: Vec<Value> = sample.iter().map(|h| visit(h, "ver2", Utc::now())).collect();
            push(&base, &token, &[], &visits).await;
            let page = browser.current_url().await.to_string();
            browser.goto(&page, "#sample-table").await;
            let visited = text(&browser.wait("#sample-heading span[data-visited]").await).await;
            assert_eq!(visited, sample.len().to_string(), "every sampled household visited");

            // The community criteria, then the rules' suggestion beside the decision.
            for field in ["no_visible_faeces", "rules_and_sanctions", "monitoring"] {
                click(&browser.wait(&format!("form#community-form input[name={field}]")).await).await;
            }
            click(&browser.wait("form#community-form button[type=submit]").await).await;
            browser.wait("#suggestion[data-outcome=lulus]").await;
            click(&browser.wait("form#decision-form input[name=outcome][value=lulus]").await).await;
            click(&browser.wait("form#decision-form button[type=submit]").await).await;
            browser.wait("#decided[data-outcome=lulus]").await;
            let certificate = browser.wait(".certificate[data-state=valid]").await;
            let number = attr(&certificate, "data-number").await;
            let (png, _) = browser.full_page_screenshot("decided").await;
            Browser::publish_screenshot(&png, "desk-verification.png");

            // The Berita Acara.
            click(&browser.wait("#minutes-link").await).await;
            let minutes = text(&browser.wait("article#minutes").await).await;
            assert!(minutes.contains(&number), "the Berita Acara names the certificate {number}");
            browser.screenshot("minutes").await;
            browser.client.back().await.expect("back");

            // The PDF names the village and the certificate number.
            let link = browser.wait(".certificate a.pdf[download]").await;
            let href = attr(&link, "href").await;
            let bytes = download(&browser, &href).await;
            assert!(bytes.starts_with(b"%PDF"), "a PDF");
            let pdf = pdf_text(&bytes);
            let village_name = verification["village_name"].as_str().expect("the village's name");
            assert!(pdf.contains(village_name), "the PDF names {village_name}: {pdf}");
            assert!(pdf.contains(&number), "the PDF carries {number}: {pdf}");

            // Revoked with a reason, from the village's desk page.
            browser.goto(&format!("{base}/meja/desa/{VILLAGE_1}"), "form.revoke-form").await;
            browser
                .wait("form.revoke-form textarea[name=reason]")
                .await
                .send_keys("Kunjungan ulang menemukan BABS")
                .await
                .expect("type the reason");
            click(&browser.wait("form.revoke-form button[type=submit]").await).await;
            browser.wait("#village-status[data-status=revoked]").await;
            browser.wait(&format!(".certificate[data-number=\"{number}\"][data-state=revoked]")).await;
            browser.screenshot("revoked").await;
            browser.goto(&page, "#verification-state[data-state=decided]").await;
            browser.full_page_screenshot("verification-revoked").await;
        })
        .await;
        // The same pages on a desktop screen, for a look.
        let base3 = base.clone();
        with_browser("desk-desktop", DESKTOP, |browser| async move {
            sign_in(&browser, &base3, VERIFIER).await;
            browser.goto(&format!("{base3}/meja/desa/{VILLAGE_1}"), "section#desk-certificates").await;
            browser.full_page_screenshot("village").await;
            click(&browser.wait("section#verifications li a").await).await;
            browser.wait("#verification-state").await;
            browser.full_page_screenshot("verification").await;
        })
        .await;
        let (status, verifications, _) = village_facts(&server).await;
        assert_eq!((status.as_str(), verifications), ("revoked", 1));
        let certificates = server.store.certificates(Some(code(VILLAGE_1))).await.expect("certificates");
        assert!(certificates.iter().all(odf_store::CertificateRecord::is_revoked));
    })
    .await;
}
