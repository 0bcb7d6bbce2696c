//! The authorization matrix: every route of the router × every kind of caller (sanitarian, verifier,
//! viewer, admin, dashboard token, anonymous) × inside or outside the target's area, each cell a real
//! request against one certified village (`VILLAGE_A`, its verification and certificate).
//!
//! The routes are read from the router's source, as [`crate::hostile_cases`] does, with their
//! methods: a route or method without a row in [`ROWS`] fails the test, so a new endpoint cannot
//! ship without saying who may call it. A cell is *allowed* when the request got past the role guard
//! and the scope check (a 2xx, or a validation or state refusal such as 400 or 409); *denied* when it
//! answered 401/403, 404 for a record hidden outside the scope, a pushed record refused
//! `out_of_scope`, a read that does not carry the target's data (`probe`), or for web pages the
//! sign-in page. The test prints the cells tried and the unexpected allows, which must be 0.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use odf_domain::{AreaCode, Role};
use odf_server::commands::{self, UserSpec};
use serde_json::Value;
use uuid::Uuid;

use crate::common::*;
use crate::verification::{certified, team};

/// The kinds of caller, each as an in-scope and an out-of-scope account (anonymous has no scope).
/// In scope of `VILLAGE_A` (kecamatan 74.04.81) and out of it:
/// - `san`: `san_a` (assigned the village) / `san_k` (74.71.81);
/// - `ver`: `ver` (74.04.81) / `ver_luar` (74.04.82);
/// - `view`: `viewer_buton` (74.04) / `viewer_kota` (74.71);
/// - `adm`: `admin` (74) / `admin_kota` (74.71);
/// - `dash`: a dashboard (viewer) token made for `admin` / for `admin_kota`.
const CELLS: [&str; 11] =
    ["san", "san-out", "ver", "ver-out", "view", "view-out", "adm", "adm-out", "dash", "dash-out", "anon"];

const EVERYONE: &[&str] = &CELLS;
const SIGNED_IN: &[&str] =
    &["san", "san-out", "ver", "ver-out", "view", "view-out", "adm", "adm-out", "dash", "dash-out"];
/// Field roles inside the area: what pushes, pulls and reads household-level records.
const FIELD_IN: &[&str] = &["san", "ver", "adm"];
/// Every role inside the area, dashboards included: aggregates.
const READERS_IN: &[&str] = &["san", "ver", "view", "adm", "dash"];
const NOBODY: &[&str] = &[];
/// Every field account, in or out of the area: sending a photo (its reads are scoped).
const FIELD_ALL: &[&str] = &["san", "san-out", "ver", "ver-out", "adm", "adm-out"];
/// The verification desk of the village: its kecamatan's verifiers and the area's admins.
const DESK_IN: &[&str] = &["ver", "adm"];
/// Admin pages list what is in the admin's own area, inside or outside the target's.
const ADMINS: &[&str] = &["adm", "adm-out"];

/// How a cell's answer is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// The JSON API: 401/403 (and 404 where the row `hides`) is a denial.
    Api,
    /// Public by design: only 401/403 would be a denial.
    Open,
    /// An HTML page sent with the session cookie: 401/403/404 or the sign-in page is a denial.
    Web,
}

#[derive(Debug)]
struct Row {
    method: &'static str,
    route: &'static str,
    /// The request's path; `{village}`, `{kec}`, `{household}`, `{verification}`, `{certificate}`,
    /// `{new_id}` and `{today}` are filled in.
    path: &'static str,
    /// A JSON body (the same placeholders), or none.
    body: Option<&'static str>,
    /// A form body, sent as `application/x-www-form-urlencoded`.
    form: Option<&'static str>,
    /// The cells that may pass.
    allowed: &'static [&'static str],
    check: Check,
    /// 404 `not_found` means "outside your scope" here (the record exists).
    hides: bool,
    /// A placeholder whose value an allowed read must carry (scoped lists answer 200 with less).
    probe: Option<&'static str>,
    /// Each cell gets a fresh token (the request ends its session).
    fresh: bool,
}

const fn row(method: &'static str, route: &'static str, allowed: &'static [&'static str]) -> Row {
    Row {
        method,
        route,
        path: route,
        body: None,
        form: None,
        allowed,
        check: Check::Api,
        hides: false,
        probe: None,
        fresh: false,
    }
}

impl Row {
    const fn path(mut self, path: &'static str) -> Row {
        self.path = path;
        self
    }
    const fn body(mut self, body: &'static str) -> Row {
        self.body = Some(body);
        self
    }
    const fn check(mut self, check: Check) -> Row {
        self.check = check;
        self
    }
    const fn hides(mut self) -> Row {
        self.hides = true;
        self
    }
    const fn probe(mut self, probe: &'static str) -> Row {
        self.probe = Some(probe);
        self
    }
}

const PUSH: &str = r#"{"device":{"device_id":"hp-authz","app_version":"t","pending_count":0},
  "households":[{"id":"{new_id}","village":"{village}","head_name":"Kepala Matriks","kk_count":1}]}"#;
const COMMUNITY: &str = r#"{"no_visible_faeces":{"met":true,"note":"x"},
  "rules_and_sanctions":{"met":true,"note":"x"},"monitoring":{"met":true,"note":"x"}}"#;

/// One row per route and method of the router (more than one where a route serves two things).
const ROWS: &[Row] = &[
    row("POST", "/v1/auth/login", EVERYONE)
        .body(r#"{"username":"viewer","password":"rahasia-123"}"#)
        .check(Check::Open),
    Row { fresh: true, ..row("POST", "/v1/auth/logout", SIGNED_IN) },
    row("GET", "/v1/me", SIGNED_IN),
    row("POST", "/v1/sync/push", FIELD_IN).body(PUSH),
    row("GET", "/v1/sync/pull", FIELD_IN).path("/v1/sync/pull?cursor=0").probe("household"),
    row("GET", "/v1/admin/conflicts", &["adm", "adm-out"]),
    row("POST", "/v1/admin/conflicts/{id}/resolve", &["adm", "adm-out"])
        .path("/v1/admin/conflicts/{new_id}/resolve")
        .body(r#"{"keep":"kept"}"#),
    row("GET", "/v1/coverage/{area}", READERS_IN).path("/v1/coverage/{kec}"),
    row("GET", "/v1/coverage/{area}/ranking", READERS_IN).path("/v1/coverage/{kec}/ranking"),
    row("GET", "/v1/coverage/{area}/series", READERS_IN).path("/v1/coverage/{kec}/series"),
    row("GET", "/v1/coverage/{area}/villages", READERS_IN).path("/v1/coverage/{kec}/villages"),
    row("GET", "/v1/coverage/{area}/stbm.csv", READERS_IN).path("/v1/coverage/{kec}/stbm.csv"),
    row("GET", "/v1/coverage/{area}/dhis2", READERS_IN).path("/v1/coverage/{kec}/dhis2?period=202611"),
    row("POST", "/v1/villages/{code}/trigger", &["san", "adm"])
        .path("/v1/villages/{village}/trigger")
        .body(r#"{"triggered_on":"{today}"}"#),
    row("POST", "/v1/villages/{code}/claim", &["san", "adm"]).path("/v1/villages/{village}/claim").body("{}"),
    row("POST", "/v1/villages/{code}/verifications", &["ver"])
        .path("/v1/villages/{village}/verifications")
        .body(r#"{"team":{team},"plan":{"kind":"all_households"}}"#),
    row("GET", "/v1/villages/{code}/history", FIELD_IN).path("/v1/villages/{village}/history"),
    row("GET", "/v1/verifications/{id}", FIELD_IN).path("/v1/verifications/{verification}").hides(),
    row("PUT", "/v1/verifications/{id}/community", &["ver"])
        .path("/v1/verifications/{verification}/community")
        .body(COMMUNITY)
        .hides(),
    row("POST", "/v1/verifications/{id}/decision", &["ver"])
        .path("/v1/verifications/{verification}/decision")
        .body(r#"{"outcome":"lulus"}"#)
        .hides(),
    row("GET", "/v1/certificates/{file}", FIELD_IN).path("/v1/certificates/{certificate}").hides(),
    row("GET", "/v1/certificates/{file}", FIELD_IN).path("/v1/certificates/{certificate}.pdf").hides(),
    row("POST", "/v1/certificates/{id}/revoke", &["ver"])
        .path("/v1/certificates/{certificate}/revoke")
        .body(r#"{"reason":"uji matriks otorisasi"}"#)
        .hides(),
    row("GET", "/v1/notifications", &["ver", "ver-out", "adm", "adm-out"]),
    row("GET", "/v1/public/key", EVERYONE).check(Check::Open),
    row("GET", "/v1/public/certificates/{id}", EVERYONE)
        .path("/v1/public/certificates/{certificate}")
        .check(Check::Open),
    row("GET", "/v1/openapi.json", EVERYONE).check(Check::Open),
    row("GET", "/healthz", EVERYONE).check(Check::Open),
    row("GET", "/readyz", EVERYONE).check(Check::Open),
    row("GET", "/metrics", EVERYONE).check(Check::Open),
    row("GET", "/", SIGNED_IN).check(Check::Web),
    row("GET", "/masuk", EVERYONE).check(Check::Open),
    // Without the sign-in form's cookie (its CSRF token) nobody signs in, and nobody signs out
    // without the session's CSRF token: both refuse every cell.
    Row { form: Some("csrf=x&username=viewer&password=rahasia-123"), ..row("POST", "/masuk", NOBODY) }
        .check(Check::Web),
    Row { form: Some("csrf=x"), ..row("POST", "/keluar", NOBODY) }.check(Check::Web),
    row("GET", "/meja", &["ver", "ver-out", "adm", "adm-out"]).check(Check::Web),
    row("GET", "/wilayah/{area}", READERS_IN).path("/wilayah/{kec}").check(Check::Web),
    row("GET", "/assets/{name}", EVERYONE).path("/assets/app.css").check(Check::Open),
    // Photos: any field account may send one (the hash is the id); only staff whose scope covers a
    // visit naming it may read it, others get the 404 of an unknown photo.
    row("PUT", "/v1/photos/{sha256}", FIELD_ALL).path("/v1/photos/{photo}").body("{}"),
    row("GET", "/v1/photos/{sha256}", FIELD_IN).path("/v1/photos/{photo}").hides(),
    // The visits export: admins and viewers (dashboards too) within their area.
    row("GET", "/v1/export/{area}/visits.csv", &["view", "adm", "dash"]).path("/v1/export/{kec}/visits.csv"),
    row("GET", "/v1/export/{area}/visits.ndjson", &["view", "adm", "dash"])
        .path("/v1/export/{kec}/visits.ndjson"),
    // The verification desk's pages: the kecamatan's verifiers act, admins of the area read.
    row("GET", "/meja/desa/{code}", DESK_IN).path("/meja/desa/{village}").check(Check::Web),
    row("GET", "/meja/desa/{code}/verifikasi/{id}", DESK_IN)
        .path("/meja/desa/{village}/verifikasi/{verification}")
        .check(Check::Web),
    row("GET", "/meja/desa/{code}/verifikasi/{id}/berita-acara", DESK_IN)
        .path("/meja/desa/{village}/verifikasi/{verification}/berita-acara")
        .check(Check::Web),
    // Every desk and admin form needs the session's CSRF token: a forged one changes nothing.
    Row { form: Some("csrf=x"), ..row("POST", "/meja/desa/{code}/verifikasi", NOBODY) }
        .path("/meja/desa/{village}/verifikasi")
        .check(Check::Web),
    Row {
        form: Some("csrf=x&no_visible_faeces=1"),
        ..row("POST", "/meja/desa/{code}/verifikasi/{id}/kriteria", NOBODY)
    }
    .path("/meja/desa/{village}/verifikasi/{verification}/kriteria")
    .check(Check::Web),
    Row {
        form: Some("csrf=x&outcome=lulus"),
        ..row("POST", "/meja/desa/{code}/verifikasi/{id}/keputusan", NOBODY)
    }
    .path("/meja/desa/{village}/verifikasi/{verification}/keputusan")
    .check(Check::Web),
    Row { form: Some("csrf=x&reason=uji"), ..row("POST", "/meja/desa/{code}/piagam/{id}/cabut", NOBODY) }
        .path("/meja/desa/{village}/piagam/{certificate}/cabut")
        .check(Check::Web),
    // The admin pages: admins, each within their own area.
    row("GET", "/admin/pengguna", ADMINS).check(Check::Web),
    Row { form: Some("csrf=x&username=baru&role=sanitarian"), ..row("POST", "/admin/pengguna", NOBODY) }
        .check(Check::Web),
    row("GET", "/admin/pengguna/baru", ADMINS).check(Check::Web),
    Row { form: Some("csrf=x"), ..row("POST", "/admin/pengguna/{username}/{action}", NOBODY) }
        .path("/admin/pengguna/san_a/nonaktif")
        .check(Check::Web),
    row("GET", "/admin/perangkat", ADMINS).check(Check::Web),
    row("GET", "/admin/wilayah", ADMINS).check(Check::Web),
    Row { form: Some("csrf=x"), ..row("POST", "/admin/wilayah/pratinjau", NOBODY) }.check(Check::Web),
    Row { form: Some("csrf=x"), ..row("POST", "/admin/wilayah/impor", NOBODY) }.check(Check::Web),
    row("GET", "/admin/konflik", ADMINS).check(Check::Web),
    Row { form: Some("csrf=x&keep=kept"), ..row("POST", "/admin/konflik/{id}", NOBODY) }
        .path("/admin/konflik/{new_id}")
        .check(Check::Web),
];

/// The router's routes with their methods, read from its source (`.route("PATH", get(..).post(..))`,
/// one route a line).
fn declared_routes() -> BTreeSet<(String, String)> {
    let sources = [
        include_str!("../../src/app.rs"),
        include_str!("../../src/web/mod.rs"),
        include_str!("../../src/web/admin/mod.rs"),
    ];
    let mut routes = BTreeSet::new();
    for line in sources.iter().flat_map(|s| s.lines()) {
        let Some((_, rest)) = line.split_once(".route(\"") else { continue };
        let Some((path, handlers)) = rest.split_once('"') else { continue };
        for method in ["get", "post", "put", "patch", "delete"] {
            let called = handlers
                .match_indices(&format!("{method}("))
                .any(|(at, _)| !handlers[..at].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_'));
            if called {
                routes.insert((method.to_uppercase(), path.to_owned()));
            }
        }
    }
    routes
}

#[test]
fn every_route_and_method_of_the_router_has_a_row_in_the_authorization_matrix() {
    let declared = declared_routes();
    assert!(declared.len() >= 35, "the route table was not read: {declared:?}");
    let rows: BTreeSet<(String, String)> =
        ROWS.iter().map(|r| (r.method.to_owned(), r.route.to_owned())).collect();
    let missing: Vec<_> = declared.difference(&rows).collect();
    let stale: Vec<_> = rows.difference(&declared).collect();
    assert!(missing.is_empty(), "routes without a row in the authorization matrix (authz.rs): {missing:?}");
    assert!(stale.is_empty(), "rows for routes the router no longer has: {stale:?}");
}

async fn add_user(app: &TestApp, username: &str, role: Role, area: &str) {
    let spec = UserSpec {
        username: username.to_owned(),
        display_name: None,
        role,
        area: AreaCode::parse(area).unwrap().into(),
        villages: vec![],
        password: PASSWORD.to_owned(),
    };
    commands::add_user(&app.store, spec, "test").await.unwrap();
}

/// A fresh token for a cell (`None`: anonymous).
async fn token(app: &TestApp, cell: &str) -> Option<String> {
    let user = match cell {
        "san" => "san_a",
        "san-out" => "san_k",
        "ver" => "ver",
        "ver-out" => "ver_luar",
        "view" => "viewer_buton",
        "view-out" => "viewer_kota",
        "adm" => "admin",
        "adm-out" => "admin_kota",
        "dash" | "dash-out" => {
            let owner = if cell == "dash" { "admin" } else { "admin_kota" };
            let (token, _) = commands::create_viewer_token(&app.store, owner, 30, "test").await.unwrap();
            return Some(token);
        }
        _ => return None,
    };
    Some(app.login(user).await)
}

/// Whether the answer let the cell through (see the module's rules).
fn passed(row: &Row, status: u16, text: &str, probe: Option<&str>) -> bool {
    if status == 401 || status == 403 || status == 405 || status >= 500 {
        return false;
    }
    let body: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    match row.check {
        Check::Open => true,
        Check::Web => status < 400 && !text.contains("type=\"password\""),
        Check::Api => {
            if status == 404 && row.hides {
                return false;
            }
            let first = &body["results"][0];
            if first["status"] == "rejected"
                && matches!(first["code"].as_str(), Some("out_of_scope" | "forbidden"))
            {
                return false;
            }
            probe.is_none_or(|p| status >= 400 || text.contains(p))
        }
    }
}

pub async fn every_route_role_and_scope_answers_as_the_matrix_says(app: Arc<TestApp>) {
    let decided = certified(&app).await;
    add_user(&app, "viewer_kota", Role::Viewer, "74.71").await;
    add_user(&app, "admin_kota", Role::Admin, "74.71").await;
    let san = app.login("san_a").await;
    let (_, pulled) = app.get("/v1/sync/pull?cursor=0", &san).await;
    let household = pulled["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "household")
        .and_then(|c| c["id"].as_str())
        .unwrap()
        .to_owned();
    let photo = crate::photos::jpeg(7, 2_000);
    let photo_hash = crate::photos::hash(&photo);
    crate::photos::visit_with_photo(&app, &san, &photo_hash).await;
    let (status, answer, _) = crate::photos::put(&app, &san, &photo_hash, None, photo).await;
    assert!(status < 300, "{status} {answer}");
    let mut values = HashMap::from([
        ("photo", photo_hash),
        ("village", VILLAGE_A.to_owned()),
        ("kec", "74.04.81".to_owned()),
        ("household", household),
        ("verification", decided["id"].as_str().unwrap().to_owned()),
        ("certificate", decided["certificate"]["id"].as_str().unwrap().to_owned()),
        ("today", chrono::Utc::now().date_naive().to_string()),
        ("team", team(&["ver", "ver2", "ver3"]).to_string()),
    ]);
    let mut tokens: HashMap<&str, Option<String>> = HashMap::new();
    for cell in CELLS {
        tokens.insert(cell, token(&app, cell).await);
    }

    let (mut cells, mut unexpected_allows, mut unexpected_denials) = (0, Vec::new(), Vec::new());
    for row in ROWS {
        for cell in CELLS {
            values.insert("new_id", Uuid::now_v7().to_string());
            let fill = |text: &str| {
                values.iter().fold(text.to_owned(), |t, (k, v)| t.replace(&format!("{{{k}}}"), v))
            };
            let token = if row.fresh { token(&app, cell).await } else { tokens[cell].clone() };
            let method = reqwest::Method::from_bytes(row.method.as_bytes()).unwrap();
            let mut request = app.http.request(method, app.url(&fill(row.path)));
            if let Some(token) = &token {
                request = match row.check {
                    Check::Web => request.header("cookie", format!("odf_session={token}")),
                    _ => request.bearer_auth(token),
                };
            }
            if let Some(body) = row.body {
                request = request.header("content-type", "application/json").body(fill(body));
            }
            if let Some(form) = row.form {
                request = request.header("content-type", "application/x-www-form-urlencoded").body(form);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            let probe = row.probe.map(|p| values[p].as_str());
            let allowed = passed(row, status, &text, probe);
            let expected = row.allowed.contains(&cell);
            cells += 1;
            let shown: String = text.chars().take(200).collect();
            let line = format!("{} {} as {cell}: {status} {shown}", row.method, fill(row.path));
            match (allowed, expected) {
                (true, false) => unexpected_allows.push(line),
                (false, true) => unexpected_denials.push(line),
                _ => {}
            }
        }
    }
    let backend = app.db_url.split(':').next().unwrap_or_default();
    let line = format!(
        "authorization matrix: {cells} cells ({} rows x {} callers) on {backend}, {} unexpected allows, {} \
         unexpected denials\n",
        ROWS.len(),
        CELLS.len(),
        unexpected_allows.len(),
        unexpected_denials.len()
    );
    std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes()).unwrap();
    assert!(unexpected_allows.is_empty(), "unexpected allows:\n{}", unexpected_allows.join("\n"));
    assert!(unexpected_denials.is_empty(), "unexpected denials:\n{}", unexpected_denials.join("\n"));
}
