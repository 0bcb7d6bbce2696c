//! The admin pages (issue 16: accounts, places, edit conflicts) over real HTTP, as a browser without
//! JavaScript uses them: a GET for the form and its CSRF token, a POST of the form with the session
//! cookie and this server's `Origin`. What they do is checked through the API and the store: the
//! same rules, messages and audit entries as the CLI's commands.

use std::sync::Arc;

use odf_domain::{AreaCode, Role};
use odf_server::commands::{self, UserSpec};
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, ORIGIN};
use reqwest::redirect::Policy;
use serde_json::json;

use crate::auth_and_sync::{edits_body, household, household_edit, push_body};
use crate::common::*;

/// A browser session: the API token as the dashboard's cookie.
struct Browser<'a> {
    app: &'a TestApp,
    token: String,
    http: reqwest::Client,
}

impl<'a> Browser<'a> {
    async fn of(app: &'a TestApp, username: &str) -> Browser<'a> {
        let token = app.login(username).await;
        Browser { app, token, http: reqwest::Client::builder().redirect(Policy::none()).build().unwrap() }
    }

    /// Status and body (or the redirect's target).
    async fn answer(response: reqwest::Response) -> (u16, String) {
        let status = response.status().as_u16();
        let location = response.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_owned());
        let body = response.text().await.unwrap();
        (status, location.unwrap_or(body))
    }

    async fn get(&self, path: &str) -> (u16, String) {
        let request = self.http.get(self.app.url(path)).header(COOKIE, format!("odf_session={}", self.token));
        Self::answer(request.send().await.unwrap()).await
    }

    /// POSTs a url-encoded form (pairs may repeat a name) from this server's page.
    async fn post(&self, path: &str, pairs: &[(&str, &str)]) -> (u16, String) {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        self.post_raw(path, "application/x-www-form-urlencoded", body.into_bytes()).await
    }

    async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> (u16, String) {
        let request = self
            .http
            .post(self.app.url(path))
            .header(COOKIE, format!("odf_session={}", self.token))
            .header(ORIGIN, &self.app.base)
            .header(CONTENT_TYPE, content_type)
            .body(body);
        Self::answer(request.send().await.unwrap()).await
    }

    /// The CSRF token the page's forms carry.
    async fn csrf(&self) -> String {
        let (status, html) = self.get("/admin/pengguna").await;
        assert_eq!(status, 200, "{html}");
        value_after(&html, "name=\"csrf\" value=\"")
    }

    /// POSTs a file upload (multipart) with the form's other fields.
    async fn upload(&self, path: &str, fields: &[(&str, &str)], file: &str) -> (u16, String) {
        let boundary = "odfTestBoundary7MA4YWxkTrZu0gW";
        let mut body = String::new();
        for (name, value) in fields {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.txt\"\r\n\
             Content-Type: text/plain\r\n\r\n{file}\r\n--{boundary}--\r\n"
        ));
        self.post_raw(path, &format!("multipart/form-data; boundary={boundary}"), body.into_bytes()).await
    }
}

/// The text between `marker` and the next `"` or `<`.
fn value_after(html: &str, marker: &str) -> String {
    let start = html.find(marker).unwrap_or_else(|| panic!("no {marker} in {html}")) + marker.len();
    html[start..].chars().take_while(|c| *c != '"' && *c != '<').collect()
}

async fn login_with(app: &TestApp, username: &str, password: &str) -> (u16, serde_json::Value) {
    let response = app
        .http
        .post(app.url("/v1/auth/login"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap();
    split(response).await
}

/// An admin of `area`, made as the CLI makes one.
async fn add_admin(app: &TestApp, username: &str, area: &str) {
    let spec = UserSpec {
        username: username.to_owned(),
        display_name: None,
        role: Role::Admin,
        area: AreaCode::parse(area).unwrap().into(),
        villages: vec![],
        password: PASSWORD.to_owned(),
    };
    commands::add_user(&app.store, spec, "test").await.unwrap();
}

async fn last_audit(app: &TestApp) -> odf_store::AuditEntry {
    let entries = app.store.audit_entries(None, 0, 10_000).await.unwrap();
    entries.last().unwrap().clone()
}

pub async fn an_admin_adds_a_sanitarian_with_two_villages_who_then_logs_in(app: Arc<TestApp>) {
    let admin = Browser::of(&app, "admin").await;
    let (status, html) = admin.get("/admin/pengguna/baru?wilayah=74.04.81").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(&format!("name=\"villages\" value=\"{VILLAGE_UNASSIGNED}\"")), "{html}");
    assert!(html.contains("<a id=\"admin-link\" href=\"/admin/pengguna\">"), "the header links here");
    let csrf = value_after(&html, "name=\"csrf\" value=\"");
    let form = |villages: [&'static str; 2], csrf: String| {
        vec![
            ("csrf", csrf),
            ("area", "74.04.81".to_owned()),
            ("username", "wa_ode".to_owned()),
            ("display_name", "Wa Ode Sitti".to_owned()),
            ("role", "sanitarian".to_owned()),
            ("villages", villages[0].to_owned()),
            ("villages", villages[1].to_owned()),
        ]
    };
    let pairs = |f: &Vec<(&'static str, String)>| f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let send = async |f: Vec<(&'static str, String)>| {
        let owned = pairs(&f);
        let refs: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
        admin.post("/admin/pengguna", &refs).await
    };

    // A forged or missing token changes nothing.
    let (status, _) = send(form([VILLAGE_A, VILLAGE_UNASSIGNED], "forged".to_owned())).await;
    assert_eq!(status, 403);
    // A village of another kecamatan: the command's own refusal, the form shown again.
    let (status, html) = send(form([VILLAGE_A, "74.04.82.2001"], csrf.clone())).await;
    assert_eq!(status, 400, "{html}");
    assert!(html.contains("bukan desa/kelurahan terdaftar di 74.04.81"), "{html}");
    assert!(html.contains("value=\"wa_ode\""), "what was typed stays");
    assert!(app.store.user_by_username("wa_ode").await.unwrap().is_none());

    let (status, html) = send(form([VILLAGE_A, VILLAGE_UNASSIGNED], csrf.clone())).await;
    assert_eq!(status, 200, "{html}");
    let password = value_after(&html, "<code id=\"secret\">");
    assert!(password.len() >= 8);
    let entry = last_audit(&app).await;
    assert_eq!((entry.actor.as_str(), entry.action.as_str()), ("admin", "user.create"));

    // The new sanitarian logs in over the API, scoped to exactly those two villages.
    let (status, body) = login_with(&app, "wa_ode", &password).await;
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().unwrap();
    let (status, me) = app.get("/v1/me", token).await;
    assert_eq!(status, 200);
    assert_eq!((me["role"].as_str(), me["area"].as_str()), (Some("sanitarian"), Some("74.04.81")));
    assert_eq!(me["villages"], json!([VILLAGE_A, VILLAGE_UNASSIGNED]));

    // Taken usernames: the store's message (409), the form again.
    let (status, html) = send(form([VILLAGE_A, VILLAGE_B], csrf)).await;
    assert_eq!(status, 409, "{html}");
    assert!(html.contains("id=\"form-error\""));
    // The list shows them with their villages.
    let (_, html) = admin.get("/admin/pengguna").await;
    assert!(html.contains("data-user=\"wa_ode\""), "{html}");
    assert!(html.contains(&format!("Desa Contoh Satu 3 ({VILLAGE_UNASSIGNED})")));
}

pub async fn accounts_are_disabled_enabled_reset_and_given_tokens_within_the_admins_area(app: Arc<TestApp>) {
    let admin = Browser::of(&app, "admin").await;
    let csrf = admin.csrf().await;
    let phone = app.login("san_a").await;

    let (status, target) = admin.post("/admin/pengguna/san_a/nonaktif", &[("csrf", &csrf)]).await;
    assert_eq!((status, target.as_str()), (303, "/admin/pengguna?ok=san_a"));
    assert_eq!(app.get("/v1/me", &phone).await.0, 401, "disabling revokes the phone's token");
    assert_eq!(last_audit(&app).await.action, "user.disable");
    let (_, html) = admin.get("/admin/pengguna?ok=san_a").await;
    assert!(html.contains("id=\"notice\""));
    let (status, html) = admin.post("/admin/pengguna/san_a/aktif", &[("csrf", &csrf)]).await;
    assert_eq!(status, 303, "{html}");
    assert_eq!(app.get("/v1/me", &phone).await.0, 401, "enabling revives no token");
    let phone = app.login("san_a").await;

    let (status, html) = admin.post("/admin/pengguna/san_a/sandi", &[("csrf", &csrf)]).await;
    assert_eq!(status, 200, "{html}");
    let password = value_after(&html, "<code id=\"secret\">");
    assert_eq!(app.get("/v1/me", &phone).await.0, 401, "a reset ends the old logins");
    assert_eq!(login_with(&app, "san_a", PASSWORD).await.0, 401);
    assert_eq!(login_with(&app, "san_a", &password).await.0, 200);
    assert_eq!(last_audit(&app).await.action, "user.password_reset");

    let (status, html) =
        admin.post("/admin/pengguna/viewer_buton/token", &[("csrf", &csrf), ("days", "30")]).await;
    assert_eq!(status, 200, "{html}");
    let token = value_after(&html, "<code id=\"secret\">");
    assert_eq!(app.get("/v1/coverage/74.04", &token).await.0, 200);
    assert_eq!(app.get("/v1/sync/pull", &token).await.0, 403, "a dashboard token reads aggregates only");
    // The command's range check, with its message.
    let (status, html) =
        admin.post("/admin/pengguna/viewer_buton/token", &[("csrf", &csrf), ("days", "0")]).await;
    assert_eq!(status, 400);
    assert!(html.contains("1-3650"), "{html}");

    // An admin of Buton sees and manages Buton's users only; other roles get the 403 page.
    add_admin(&app, "admin_buton", "74.04").await;
    let buton = Browser::of(&app, "admin_buton").await;
    let buton_csrf = buton.csrf().await;
    let (_, html) = buton.get("/admin/pengguna").await;
    assert!(html.contains("data-user=\"san_a\"") && !html.contains("data-user=\"san_k\""), "{html}");
    let before = app.store.audit_entries(None, 0, 10_000).await.unwrap().len();
    for path in ["/admin/pengguna/san_k/nonaktif", "/admin/pengguna/admin/sandi"] {
        assert_eq!(buton.post(path, &[("csrf", &buton_csrf)]).await.0, 403, "{path}");
    }
    assert_eq!(buton.get("/admin/pengguna/baru?wilayah=74.71").await.0, 403);
    let (status, _) = buton
        .post(
            "/admin/pengguna",
            &[("csrf", &buton_csrf), ("area", "74.71.81"), ("username", "x1"), ("role", "viewer")],
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(app.store.audit_entries(None, 0, 10_000).await.unwrap().len(), before, "nothing changed");
    assert!(!app.store.user_by_username("san_k").await.unwrap().unwrap().disabled);
    for user in ["san_k", "ver", "viewer"] {
        let other = Browser { app: &app, token: app.login(user).await, http: admin.http.clone() };
        for path in ["/admin/pengguna", "/admin/perangkat", "/admin/wilayah", "/admin/konflik"] {
            assert_eq!(other.get(path).await.0, 403, "{user} {path}");
        }
    }
    let anonymous = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    let response = anonymous.get(app.url("/admin/pengguna")).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 303);
}

pub async fn a_places_import_is_previewed_then_confirmed_and_shows_at_once(app: Arc<TestApp>) {
    let admin = Browser::of(&app, "admin").await;
    let csrf = admin.csrf().await;
    // The new name must reach the cached places tree the coverage API reads.
    let (_, before) = app.get("/v1/coverage/74.04.81/villages", &app.login("viewer").await).await;
    assert!(before.to_string().contains("Desa Contoh Satu 1"));
    let csv = "kode,nama,level,jenis\n74,Sulawesi Tenggara,provinsi,provinsi\n\
               74.04,Kabupaten Buton,kabupaten,kabupaten\n74.04.81,Contoh Satu,kecamatan,kecamatan\n\
               74.04.81.2001,Desa Wakoko,desa,desa\n74.04.81.2007,Desa Contoh Baru,desa,desa\n\
               74.04.81.9x,Rusak,desa,desa\n";
    let (status, html) =
        admin.upload("/admin/wilayah/pratinjau", &[("csrf", &csrf), ("kind", "areas")], csv).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<dd data-added>1</dd>") && html.contains("<dd data-changed>1</dd>"), "{html}");
    assert!(html.contains("<del>Desa Contoh Satu 1</del> → <ins>Desa Wakoko</ins>"));
    assert!(html.contains("<dd data-errors>1</dd>"), "the malformed row");
    let upload = value_after(&html, "name=\"upload\" value=\"");
    assert!(
        app.store.area(AreaCode::parse("74.04.81.2007").unwrap()).await.unwrap().is_none(),
        "a preview writes nothing"
    );

    // Without the right token, or from another admin, the upload is not imported.
    assert_eq!(admin.post("/admin/wilayah/impor", &[("csrf", "x"), ("upload", &upload)]).await.0, 403);
    let (status, html) = admin.post("/admin/wilayah/impor", &[("csrf", &csrf), ("upload", &upload)]).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("id=\"report\"") && html.contains("<dd data-added>1</dd>"), "{html}");
    assert_eq!(last_audit(&app).await.action, "areas.import");
    assert_eq!(
        admin.post("/admin/wilayah/impor", &[("csrf", &csrf), ("upload", &upload)]).await.0,
        404,
        "imported once"
    );
    let (_, after) = app.get("/v1/coverage/74.04.81/villages", &app.login("viewer").await).await;
    let after = after.to_string();
    assert!(after.contains("Desa Wakoko") && after.contains("74.04.81.2007"), "at once: {after}");

    // An admin of Buton cannot import Kota Kendari's places: reported, not imported.
    add_admin(&app, "admin_buton", "74.04").await;
    let buton = Browser::of(&app, "admin_buton").await;
    let buton_csrf = buton.csrf().await;
    let csv =
        "74,Sulawesi Tenggara\n74.71,Kota Kendari\n74.71.81,Contoh Kota\n74.71.81.1001,Kelurahan Lain\n";
    let (_, html) =
        buton.upload("/admin/wilayah/pratinjau", &[("csrf", &buton_csrf), ("kind", "areas")], csv).await;
    assert!(html.contains("74.71.81.1001: di luar wilayah 74.04"), "{html}");
    assert!(html.contains("<dd data-changed>0</dd>"), "{html}");

    // Boundaries: the demo's own file changes nothing; garbage is refused with the parser's words.
    let (status, html) = admin
        .upload(
            "/admin/wilayah/pratinjau",
            &[("csrf", &csrf), ("kind", "boundaries")],
            odf_fixtures::BOUNDARIES_GEOJSON_FILE,
        )
        .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<dd data-added>0</dd>") && html.contains("<dd data-changed>0</dd>"), "{html}");
    let (status, html) = admin
        .upload("/admin/wilayah/pratinjau", &[("csrf", &csrf), ("kind", "boundaries")], "{\"no\":1}")
        .await;
    assert_eq!(status, 400);
    assert!(html.contains("id=\"form-error\""), "{html}");
}

pub async fn an_admin_lists_and_resolves_edit_conflicts_on_the_page(app: Arc<TestApp>) {
    let phone_one = app.login("san_a").await;
    let phone_two = app.login("ver").await;
    let home = household(VILLAGE_A);
    app.post("/v1/sync/push", &phone_one, &push_body(std::slice::from_ref(&home), &[])).await;
    let later = household_edit(&home, 1, 5, &json!({ "head_name": "Wa Ode Satu" }));
    app.post("/v1/sync/push", &phone_one, &edits_body(&[later])).await;
    let earlier = household_edit(&home, 1, 60, &json!({ "head_name": "Wa Ode Dua" }));
    let (_, body) = app.post("/v1/sync/push", &phone_two, &edits_body(&[earlier])).await;
    let conflict = body["results"][0]["conflict_id"].as_str().unwrap().to_owned();

    let admin = Browser::of(&app, "admin").await;
    let csrf = admin.csrf().await;
    let (status, html) = admin.get("/admin/konflik").await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("data-conflict=\"{conflict}\"")) && html.contains("Wa Ode Dua"), "{html}");
    // An admin of another kabupaten neither sees nor resolves it (404, as the API answers).
    add_admin(&app, "admin_kendari", "74.71").await;
    let kendari = Browser::of(&app, "admin_kendari").await;
    let kendari_csrf = kendari.csrf().await;
    assert!(!kendari.get("/admin/konflik").await.1.contains(&conflict));
    let path = format!("/admin/konflik/{conflict}");
    assert_eq!(kendari.post(&path, &[("csrf", &kendari_csrf), ("keep", "other")]).await.0, 404);

    let (status, target) = admin.post(&path, &[("csrf", &csrf), ("keep", "other")]).await;
    assert_eq!((status, target.as_str()), (303, "/admin/konflik?selesai=1"));
    let (_, list) = app.get("/v1/admin/conflicts?open=false", &app.login("admin").await).await;
    assert_eq!(
        (list[0]["resolution"].as_str(), list[0]["resolved_by"].as_str()),
        (Some("other"), Some("admin"))
    );
    assert_eq!(last_audit(&app).await.actor, "admin");
    // Resolved twice: the store's refusal, with the API's message.
    let (status, html) = admin.post(&path, &[("csrf", &csrf), ("keep", "stored")]).await;
    assert_eq!(status, 409, "{html}");
    assert!(!admin.get("/admin/konflik").await.1.contains(&conflict));
}

pub async fn devices_of_the_area_show_their_last_sync_and_pending_records(app: Arc<TestApp>) {
    let phone = app.login("san_a").await;
    let mut body = push_body(&[household(VILLAGE_A)], &[]);
    body["device"] = json!({ "device_id": "hp-wa-ode", "app_version": "1.2.3", "pending_count": 4 });
    let (status, answer) = app.post("/v1/sync/push", &phone, &body).await;
    assert_eq!(status, 200, "{answer}");
    let admin = Browser::of(&app, "admin").await;
    let (status, html) = admin.get("/admin/perangkat").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("data-device=\"hp-wa-ode\"") && html.contains("1.2.3"), "{html}");
    assert!(html.contains("<td class=\"num pending\" data-pending>"), "{html}");
    let kota = Browser::of(&app, "viewer").await;
    assert_eq!(kota.get("/admin/perangkat").await.0, 403);
}
