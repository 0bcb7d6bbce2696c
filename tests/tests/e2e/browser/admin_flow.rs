//! The admin pages of the staff desk (issue 16) in Chromium, at phone and desktop size: an admin
//! signs in, adds a sanitarian with two villages ticked from the places tree (no script needed),
//! reads the password shown once, and that sanitarian then logs in over the API as a phone does,
//! scoped to exactly those two villages. Every admin page is screenshotted on the way.

use odf_domain::{AreaCode, Role};
use odf_e2e_tests::server::{self, Backend, KECAMATAN, PASSWORD, VILLAGE_1, VILLAGE_3};
use odf_server::commands::{self, UserSpec};
use serde_json::{Value, json};

use super::{Browser, DESKTOP, PHONE, click, skipped, text, with_browser};

const ADMIN: &str = "admin_prov";

async fn sign_in(browser: &Browser, base: &str, username: &str) {
    browser.goto(&format!("{base}/masuk"), "form#login").await;
    let field = |name: &str| format!("form#login input[name={name}]");
    browser.wait(&field("username")).await.send_keys(username).await.expect("type the username");
    browser.wait(&field("password")).await.send_keys(PASSWORD).await.expect("type the password");
    click(&browser.wait("form#login button[type=submit]").await).await;
    browser.wait("form#logout").await;
}

/// `POST /v1/auth/login` as odf-client sends it, then `GET /v1/me` with the token.
async fn phone_login(base: &str, username: &str, password: &str) -> Value {
    let http = reqwest::Client::new();
    let login = http
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({ "username": username, "password": password, "idempotency_key": uuid::Uuid::new_v4() }))
        .send()
        .await
        .expect("login request");
    assert_eq!(login.status().as_u16(), 200, "the new sanitarian logs in");
    let body: Value = login.json().await.expect("login answer");
    let token = body["token"].as_str().expect("a token").to_owned();
    let me = http.get(format!("{base}/v1/me")).bearer_auth(token).send().await.expect("me");
    me.json().await.expect("me answer")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_adds_a_sanitarian_with_two_villages_who_then_logs_in_over_the_api() {
    if skipped() {
        return;
    }
    server::run(Backend::Sqlite, |server| async move {
        let spec = UserSpec {
            username: ADMIN.to_owned(),
            display_name: Some("Dinas Kesehatan".to_owned()),
            role: Role::Admin,
            area: AreaCode::parse("74").expect("a code").into(),
            villages: vec![],
            password: PASSWORD.to_owned(),
        };
        commands::add_user(&server.store, spec, "e2e").await.expect("an admin");
        for size in [PHONE, DESKTOP] {
            let base = server.url.clone();
            let username = format!("wa_ode_{}", size.name);
            with_browser("admin-flow", size, |browser| async move {
                sign_in(&browser, &base, ADMIN).await;
                click(&browser.wait("a#admin-link").await).await;
                browser.wait("table#users").await;
                browser.full_page_screenshot("users").await;

                // Down the tree with plain links: province → kabupaten → kecamatan.
                click(&browser.wait("a#add-user").await).await;
                click(&browser.wait("a[data-pick='74.04']").await).await;
                click(&browser.wait(&format!("a[data-pick='{KECAMATAN}']")).await).await;
                browser.wait(&format!("details[data-kecamatan='{KECAMATAN}'][open]")).await;
                browser.wait("#username").await.send_keys(&username).await.expect("type the username");
                browser.wait("#display_name").await.send_keys("Wa Ode Sitti").await.expect("type the name");
                for village in [VILLAGE_1, VILLAGE_3] {
                    click(&browser.wait(&format!("input[name=villages][value='{village}']")).await).await;
                }
                let (png, _) = browser.full_page_screenshot("new-user").await;
                if size.name == PHONE.name {
                    Browser::publish_screenshot(&png, "admin-new-user.png");
                }
                click(&browser.wait("form#new-user button[type=submit]").await).await;
                let password = text(&browser.wait("code#secret").await).await;
                browser.screenshot("password-once").await;

                let me = phone_login(&base, &username, &password).await;
                assert_eq!(me["role"], "sanitarian");
                assert_eq!(me["area"], KECAMATAN);
                assert_eq!(
                    me["villages"],
                    json!([VILLAGE_1, VILLAGE_3]),
                    "scoped to the two ticked villages"
                );

                // A places file: previewed (nothing written yet), then imported, the report shown.
                let folder = tempfile::tempdir().expect("a folder for the upload");
                let file = folder.path().join("wilayah.csv");
                let new_village = format!("{KECAMATAN}.2009");
                let csv = format!(
                    "kode,nama\n74,Sulawesi Tenggara\n74.04,Kabupaten Buton\n{KECAMATAN},Contoh Satu\n\
                     {new_village},Desa Baru {}\n",
                    size.name
                );
                std::fs::write(&file, csv).expect("write the upload");
                browser.goto(&format!("{base}/admin/wilayah"), "#upload-areas").await;
                browser
                    .wait("#areas-file")
                    .await
                    .send_keys(&file.display().to_string())
                    .await
                    .expect("choose the file");
                click(&browser.wait("#upload-areas button[type=submit]").await).await;
                browser.wait("#preview dd[data-added]").await;
                browser.full_page_screenshot("places-preview").await;
                click(&browser.wait("form#confirm-import button[type=submit]").await).await;
                browser.wait("#report").await;
                browser.full_page_screenshot("places-report").await;
                browser.goto(&format!("{base}/wilayah/{new_village}"), "h1").await;
                assert!(
                    text(&browser.wait("h1").await).await.contains("Desa Baru"),
                    "the new village at once"
                );

                // The list shows them; the other admin pages open, each screenshotted.
                browser.goto(&format!("{base}/admin/pengguna"), &format!("tr[data-user='{username}']")).await;
                for (path, ready, step) in [
                    ("/admin/perangkat", "#admin-nav", "devices"),
                    ("/admin/wilayah", "#upload-areas", "places"),
                    ("/admin/konflik", "#admin-nav", "conflicts"),
                ] {
                    browser.goto(&format!("{base}{path}"), ready).await;
                    browser.full_page_screenshot(step).await;
                }
            })
            .await;
        }
    })
    .await;
}
