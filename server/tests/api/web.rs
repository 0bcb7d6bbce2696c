//! The web dashboard (issue 15) over real HTTP: pages carry the contract's DOM ids and the API's
//! figures, sign-in and sign-out through the session cookie, CSRF and Origin refusals, scope and
//! names, and the public option. Browser-driven checks live in the e2e binary.

use std::sync::Arc;

use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use reqwest::redirect::Policy;

use crate::common::*;

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(Policy::none()).build().unwrap()
}

/// The value of `name="csrf" value="…"` in a page.
fn csrf_of(html: &str) -> String {
    let start = html.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// The `name=value` of a Set-Cookie header for `name`, with the whole header.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<(String, String)> {
    response.headers().get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        let pair = v.split(';').next()?;
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| (value.to_owned(), v.to_owned()))
    })
}

/// GETs a page with an optional session cookie: status, content type, body.
async fn page(app: &TestApp, path: &str, session: Option<&str>) -> (u16, String, String) {
    let mut request = client().get(app.url(path));
    if let Some(token) = session {
        request = request.header(COOKIE, format!("odf_session={token}"));
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let kind =
        response.headers().get(CONTENT_TYPE).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    let location = response.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_owned());
    let body = response.text().await.unwrap();
    (status, kind, location.unwrap_or(body))
}

/// Signs in through the form: the session token from the cookie, and the Set-Cookie header.
async fn sign_in(app: &TestApp, username: &str) -> (String, String) {
    let form = client().get(app.url("/masuk")).send().await.unwrap();
    let (login_csrf, _) = set_cookie(&form, "odf_login").expect("a login cookie");
    let html = form.text().await.unwrap();
    assert!(html.contains("<form id=\"login\""));
    assert_eq!(csrf_of(&html), login_csrf);
    let response = client()
        .post(app.url("/masuk"))
        .header(COOKIE, format!("odf_login={login_csrf}"))
        .header(ORIGIN, app.base.clone())
        .form(&[("username", username), ("password", PASSWORD), ("csrf", &login_csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "sign-in of {username}");
    assert_eq!(response.headers()[LOCATION], "/");
    set_cookie(&response, "odf_session").expect("a session cookie")
}

fn count(html: &str, needle: &str) -> usize {
    html.matches(needle).count()
}

pub async fn pages_show_the_apis_figures_with_the_contracts_ids(app: Arc<TestApp>) {
    crate::coverage::campaign(&app).await;
    let (token, header) = sign_in(&app, "admin").await;
    assert!(header.contains("HttpOnly") && header.contains("SameSite=Lax") && header.contains("Path=/"));
    assert!(!header.contains("Secure"), "http public URL: no Secure flag");

    // `/` leads to the account's area.
    let (status, _, location) = page(&app, "/", Some(&token)).await;
    assert_eq!((status, location.as_str()), (303, "/wilayah/74"));

    for area in ["74", "74.04", "74.04.81"] {
        let (status, kind, html) = page(&app, &format!("/wilayah/{area}"), Some(&token)).await;
        assert_eq!(status, 200, "{area}: {html}");
        assert!(kind.starts_with("text/html"));
        for id in [
            "<html lang=\"id\"",
            "<nav id=\"breadcrumbs\"",
            "id=\"lang-switch\"",
            "<section id=\"headline\"",
            "<form id=\"controls\" method=\"get\"",
            "<select id=\"measure\" name=\"ukuran\"",
            "<input id=\"as-of\" type=\"date\" name=\"as_of\"",
            "<button id=\"apply\" type=\"submit\"",
            "<div id=\"map-box\" data-measure=\"kk_akses\"",
            "<svg id=\"map\"",
            "<table id=\"children\"",
            "<svg id=\"trend\"",
            "<section id=\"downloads\"",
            "<form id=\"logout\"",
            "% KK akses",
            "% desa SBS",
        ] {
            assert!(html.contains(id), "{area}: no {id}");
        }
        // The headline equals the API's figures, for the same day.
        let (_, api) = app.get(&format!("/v1/coverage/{area}"), &token).await;
        let date = api["date"].as_str().unwrap();
        for measure in ["kk_akses", "desa_sbs"] {
            let figure = &api["area"][measure];
            let expected = format!(
                "data-measure=\"{measure}\" data-numerator=\"{}\" data-denominator=\"{}\" data-as-of=\"{date}\"",
                figure["numerator"], figure["denominator"]
            );
            assert!(html.contains(&expected), "{area}: no {expected}");
        }
        // One row per child, and one map shape per child that has a boundary (all, in the fixture).
        let children = api["children"].as_array().unwrap().len();
        assert_eq!(count(&html, "<tr data-code="), children, "{area}");
        let shapes = count(&html, "<path data-code=");
        assert!(shapes >= 1 && shapes <= children, "{area}: {shapes} shapes for {children} children");
        assert_eq!(html.contains("id=\"kks\""), area == "74.04", "{area}: KKS tier only for a kabupaten");
    }

    // The measure switch and the date: the page follows, the API agrees at that day.
    let (_, _, html) = page(&app, "/wilayah/74.04?ukuran=sbs&as_of=2020-01-01", Some(&token)).await;
    assert!(html.contains("<div id=\"map-box\" data-measure=\"desa_sbs\""));
    assert!(html.contains(
        "data-measure=\"kk_akses\" data-numerator=\"0\" data-denominator=\"0\" data-as-of=\"2020-01-01\""
    ));
    assert!(html.contains("/v1/coverage/74.04/stbm.csv?as_of=2020-01-01"));
    let (status, _, _) = page(&app, "/wilayah/74.04?as_of=kemarin", Some(&token)).await;
    assert_eq!(status, 400);

    // The village page, with names for staff covering it.
    let (status, _, html) = page(&app, &format!("/wilayah/{VILLAGE_A}"), Some(&token)).await;
    assert_eq!(status, 200, "{html}");
    for id in [
        "<section id=\"timeline\"",
        "<section id=\"categories\"",
        "<section id=\"certificates\"",
        "<section id=\"without-access\"",
    ] {
        assert!(html.contains(id), "village: no {id}");
    }
    let (_, _, html) = page(&app, &format!("/wilayah/{VILLAGE_B}"), Some(&token)).await;
    assert!(html.contains("B1"), "the BABS household of B is listed for staff");
    // The village page has its own date picker, and follows it.
    let (status, _, html) = page(&app, &format!("/wilayah/{VILLAGE_A}?as_of=2020-01-01"), Some(&token)).await;
    assert_eq!(status, 200);
    assert!(html.contains("<input id=\"as-of\" type=\"date\" name=\"as_of\" value=\"2020-01-01\""), "{html}");
    assert!(html.contains("data-as-of=\"2020-01-01\""));

    // The download links work with the cookie (GET only); a POST needs the bearer header.
    let (status, kind, _) = page(&app, "/v1/coverage/74.04?format=csv", Some(&token)).await;
    assert_eq!(status, 200);
    assert!(kind.starts_with("text/csv"));
    let response = client()
        .post(app.url("/v1/auth/logout"))
        .header(COOKIE, format!("odf_session={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401, "a cookie alone does not authorise a POST to the API");

    // Sign-out: refused without the CSRF token or from another origin, then revokes the session.
    let (_, _, html) = page(&app, "/wilayah/74", Some(&token)).await;
    let csrf = csrf_of(&html);
    let logout = |fields: Vec<(&'static str, String)>, origin: &str| {
        client()
            .post(app.url("/keluar"))
            .header(COOKIE, format!("odf_session={token}"))
            .header(ORIGIN, origin.to_owned())
            .form(&fields)
            .send()
    };
    let response = logout(vec![], &app.base).await.unwrap();
    assert_eq!(response.status(), 403);
    assert!(response.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
    let response = logout(vec![("csrf", "0".repeat(32))], &app.base).await.unwrap();
    assert_eq!(response.status(), 403);
    let response = logout(vec![("csrf", csrf.clone())], "https://evil.example").await.unwrap();
    assert_eq!(response.status(), 403);
    let response = logout(vec![("csrf", csrf)], &app.base).await.unwrap();
    assert_eq!(response.status(), 303);
    let (cleared, _) = set_cookie(&response, "odf_session").unwrap();
    assert!(cleared.is_empty());
    let (status, _) = app.get("/v1/me", &token).await;
    assert_eq!(status, 401, "the session is revoked for the API too");
    let (status, _, location) = page(&app, "/wilayah/74", Some(&token)).await;
    assert_eq!((status, location.as_str()), (303, "/masuk"));
}

pub async fn a_viewer_sees_aggregates_of_their_area_only_and_never_names(app: Arc<TestApp>) {
    let (token, _) = sign_in(&app, "viewer_buton").await;
    // The trend is kept between views only while nothing under the area changes.
    let (_, _, before) = page(&app, "/wilayah/74.04", Some(&token)).await;
    assert!(!before.contains("(3/4)"), "no households yet");
    crate::coverage::campaign(&app).await;
    let (_, _, after) = page(&app, "/wilayah/74.04", Some(&token)).await;
    let trend = &after[after.find("<svg id=\"trend\"").unwrap()..];
    assert!(trend.contains("75,0 % (3/4)"), "the trend follows the new visits: {trend}");
    let (status, _, location) = page(&app, "/", Some(&token)).await;
    assert_eq!((status, location.as_str()), (303, "/wilayah/74.04"));
    let (status, _, html) = page(&app, &format!("/wilayah/{VILLAGE_B}"), Some(&token)).await;
    assert_eq!(status, 200);
    assert!(html.contains("<section id=\"categories\""));
    assert!(!html.contains("without-access") && !html.contains("B1"), "a viewer sees no names");
    // Outside the scope: 403, unknown: 404, both HTML pages.
    for (path, expected) in [
        ("/wilayah/74.71", 403),
        ("/wilayah/74", 403),
        ("/wilayah/74.04.99", 404),
        ("/wilayah/nasional", 403),
    ] {
        let (status, kind, html) = page(&app, path, Some(&token)).await;
        assert_eq!(status, expected, "{path}");
        assert!(
            kind.starts_with("text/html") && html.contains(&format!("data-status=\"{expected}\"")),
            "{path}: {html}"
        );
    }
    // The sanitarian of A and B sees names in A but not in the unassigned village next door.
    let (token, _) = sign_in(&app, "san_a").await;
    let (_, _, html) = page(&app, &format!("/wilayah/{VILLAGE_B}"), Some(&token)).await;
    assert!(html.contains("<section id=\"without-access\""));
    let (status, _, html) = page(&app, &format!("/wilayah/{VILLAGE_UNASSIGNED}"), Some(&token)).await;
    assert_eq!(status, 200);
    assert!(!html.contains("without-access"));
}

pub async fn sign_in_refuses_forged_forms_and_wrong_passwords(app: Arc<TestApp>) {
    // Without a session every page leads to the form.
    for path in ["/", "/wilayah/74"] {
        let (status, _, location) = page(&app, path, None).await;
        assert_eq!((status, location.as_str()), (303, "/masuk"), "{path}");
    }
    // No token, or a token without its cookie: 403.
    let response = client()
        .post(app.url("/masuk"))
        .form(&[("username", "admin"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    let response = client()
        .post(app.url("/masuk"))
        .form(&[("username", "admin"), ("password", PASSWORD), ("csrf", "abc")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    // A wrong password: the form again, 401, no session.
    let form = client().get(app.url("/masuk")).send().await.unwrap();
    let (csrf, header) = set_cookie(&form, "odf_login").unwrap();
    assert!(header.contains("HttpOnly"));
    let response = client()
        .post(app.url("/masuk"))
        .header(COOKIE, format!("odf_login={csrf}"))
        .form(&[("username", "admin"), ("password", "salah"), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(set_cookie(&response, "odf_session").is_none());
    assert!(response.text().await.unwrap().contains("id=\"login-error\""));
    // The embedded assets, under hashed names.
    let (_, _, html) = page(&app, "/masuk", None).await;
    let css = html.split("href=\"/assets/").nth(1).unwrap().split('"').next().unwrap();
    let response = client().get(app.url(&format!("/assets/{css}"))).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    let (status, _, _) = page(&app, "/assets/nope.css", None).await;
    assert_eq!(status, 404);
    // English on request, remembered in a cookie.
    let response = client().get(app.url("/masuk?lang=en")).send().await.unwrap();
    assert!(set_cookie(&response, "lang").is_some_and(|(v, _)| v == "en"));
    assert!(response.text().await.unwrap().contains("<html lang=\"en\""));
}

fn public_config(area: &str) -> odf_server::ServerConfig {
    odf_server::ServerConfig {
        web_public_area: Some(odf_domain::AreaCode::parse(area).unwrap()),
        public_url: "https://odf.example.go.id".to_owned(),
        ..odf_server::ServerConfig::default()
    }
}

/// The public option: aggregates of the published area and below, no names, no downloads. The
/// store does not matter here, so SQLite only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_option_shows_aggregates_of_its_area_without_sign_in() {
    run(odf_store::Backend::Sqlite, public_config("74.04"), |app| async move {
        crate::coverage::campaign(&app).await;
        let (status, _, location) = page(&app, "/", None).await;
        assert_eq!((status, location.as_str()), (303, "/wilayah/74.04"));
        let (status, _, html) = page(&app, "/wilayah/74.04", None).await;
        assert_eq!(status, 200);
        assert!(html.contains("<section id=\"headline\"") && html.contains("id=\"sign-in\""));
        assert!(!html.contains("/v1/coverage/"), "no download links without an account");
        let (_, _, html) = page(&app, &format!("/wilayah/{VILLAGE_B}"), None).await;
        assert!(!html.contains("without-access") && !html.contains("B1"));
        let (status, _, _) = page(&app, "/wilayah/74", None).await;
        assert_eq!(status, 403, "above the published area");
        let (status, _, _) = page(&app, "/wilayah/74.71", None).await;
        assert_eq!(status, 403);
        // Over https the session cookie is Secure.
        let (_, header) = sign_in(&app, "admin").await;
        assert!(header.contains("Secure"));
    })
    .await;
}

pub async fn a_national_account_opens_the_national_page_from_home(app: Arc<TestApp>) {
    let spec = odf_server::commands::UserSpec {
        username: "kemenkes".to_owned(),
        display_name: Some("Kemenkes".to_owned()),
        role: odf_domain::Role::Viewer,
        area: odf_domain::AreaRef::Nasional,
        villages: vec![],
        password: PASSWORD.to_owned(),
    };
    odf_server::commands::add_user(&app.store, spec, "test").await.unwrap();
    crate::coverage::campaign(&app).await;
    let (token, _) = sign_in(&app, "kemenkes").await;
    let (status, _, location) = page(&app, "/", Some(&token)).await;
    assert_eq!((status, location.as_str()), (303, "/wilayah/nasional"));
    let (status, _, html) = page(&app, "/wilayah/nasional", Some(&token)).await;
    assert_eq!(status, 200, "{html}");
    let (_, api) = app.get("/v1/coverage/nasional", &token).await;
    let figure = &api["area"]["kk_akses"];
    let expected = format!(
        "data-measure=\"kk_akses\" data-numerator=\"{}\" data-denominator=\"{}\"",
        figure["numerator"], figure["denominator"]
    );
    assert!(html.contains(&expected), "no {expected}");
    assert!(html.contains("<tr data-code=\"74\""), "the province is a child of the nation");
    // Below it, the national crumb leads back.
    let (_, _, html) = page(&app, "/wilayah/74.04", Some(&token)).await;
    assert!(html.contains("href=\"/wilayah/nasional\""));
}
