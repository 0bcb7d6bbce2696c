//! The `/v1` API over real HTTP, on SQLite and (with `ODF_TEST_POSTGRES_URL`) PostgreSQL.

use std::io::Write;
use std::sync::Arc;

use crate::common::*;
use chrono::{Duration, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

pub fn config() -> odf_server::ServerConfig {
    odf_server::ServerConfig {
        max_push_records: 50,
        max_push_bytes: 64 * 1024,
        claim_window: Duration::days(90),
        ..Default::default()
    }
}

pub(crate) fn household(village: &str) -> Value {
    json!({
        "id": Uuid::now_v7(),
        "village": village,
        "head_name": "La Ode Hamid",
        "kk_count": 2,
        "dusun": "Dusun I",
        "gps": { "lat": -5.59, "lng": 122.71 },
    })
}

fn visit(household: &Value, sanitarian: &str, category: &str) -> Value {
    json!({
        "id": Uuid::now_v7(),
        "household_id": household["id"],
        "sanitarian": sanitarian,
        "visited_at": Utc::now() - Duration::hours(3),
        "category": category,
        "checklist": { "closed_toilet": true },
        "device_id": "hp-san-a",
    })
}

pub(crate) fn push_body(households: &[Value], visits: &[Value]) -> Value {
    json!({
        "device": { "device_id": "hp-san-a", "app_version": "0.1.0", "pending_count": households.len() + visits.len() },
        "households": households,
        "visits": visits,
    })
}

fn statuses(body: &Value) -> Vec<String> {
    body["results"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap().to_owned()).collect()
}

pub async fn a_login_gives_a_token_that_identifies_the_user_until_logout(app: Arc<TestApp>) {
    let token = app.login("san_a").await;
    let (status, me) = app.get("/v1/me", &token).await;
    assert_eq!(status, 200);
    assert_eq!(me["username"], "san_a");
    assert_eq!(me["role"], "sanitarian");
    assert_eq!(me["villages"], json!([VILLAGE_A, VILLAGE_B]));
    // The rules a phone applies offline are the server's, not the defaults.
    assert_eq!(me["rules"], json!({ "claim_window_days": 90, "team_max_size": 5 }));

    let (status, _) = app.post("/v1/auth/logout", &token, &json!({})).await;
    assert_eq!(status, 204);
    let (status, body) = app.get("/v1/me", &token).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], "unauthenticated");
}

pub async fn wrong_passwords_are_refused_and_repeated_failures_are_rate_limited(app: Arc<TestApp>) {
    let attempt = |username: &'static str, password: &'static str| {
        let app = app.clone();
        async move {
            let response = app
                .http
                .post(app.url("/v1/auth/login"))
                .json(&json!({ "username": username, "password": password }))
                .send()
                .await
                .unwrap();
            split(response).await
        }
    };
    let (status, body) = attempt("nobody", "whatever").await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("invalid_credentials")));
    let (status, body) = attempt("off", PASSWORD).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("user_disabled")));
    for _ in 0..5 {
        let (status, _) = attempt("ver", "salah-salah").await;
        assert_eq!(status, 401);
    }
    // Locked now, even with the right password.
    let (status, body) = attempt("ver", PASSWORD).await;
    assert_eq!((status, body["error"]["code"].as_str()), (429, Some("too_many_attempts")));
    // Other users are not affected.
    app.login("san_a").await;
}

pub async fn a_batch_pushed_twice_stores_each_record_once(app: Arc<TestApp>) {
    let token = app.login("san_a").await;
    let homes = [household(VILLAGE_A), household(VILLAGE_B)];
    let visits = [
        visit(&homes[0], "san_a", "JSP"),
        visit(&homes[0], "san_a", "BABS"),
        visit(&homes[1], "san_a", "aman"),
    ];
    let body = push_body(&homes, &visits);

    let (status, first) = app.post("/v1/sync/push", &token, &body).await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(statuses(&first), vec!["accepted"; 5]);
    assert!(first["server_time"].is_string());

    let (status, second) = app.post("/v1/sync/push", &token, &body).await;
    assert_eq!(status, 200);
    assert_eq!(statuses(&second), vec!["duplicate"; 5]);

    assert_eq!(app.store.visit_count().await.unwrap(), 3);
    let village_a = odf_domain::AreaCode::parse(VILLAGE_A).unwrap();
    assert_eq!(app.store.households_in(village_a).await.unwrap().len(), 1);
    assert!(app.store.recount().await.unwrap().differences.is_empty());
    let devices = app.store.devices().await.unwrap();
    assert_eq!(devices.len(), 1);
    // The phone counted this push as pending; once answered, nothing of it is still on the phone.
    assert_eq!((devices[0].username.as_str(), devices[0].pending_count), ("san_a", 0));
}

pub async fn a_push_to_a_village_outside_the_sanitarians_scope_is_refused_and_stores_nothing(
    app: Arc<TestApp>,
) {
    let token = app.login("san_a").await;
    let foreign = household(KELURAHAN);
    let unassigned = household(VILLAGE_UNASSIGNED);
    let visits = [visit(&foreign, "san_a", "JSP"), visit(&unassigned, "san_a", "JSP")];
    let (status, body) =
        app.post("/v1/sync/push", &token, &push_body(&[foreign.clone(), unassigned.clone()], &visits)).await;
    assert_eq!(status, 200);
    let codes: Vec<&str> =
        body["results"].as_array().unwrap().iter().map(|r| r["code"].as_str().unwrap()).collect();
    assert_eq!(codes, vec!["out_of_scope"; 4], "{body}");
    assert_eq!(body["results"][0]["field"], "households[0].village");
    for home in [&foreign, &unassigned] {
        let id: Uuid = serde_json::from_value(home["id"].clone()).unwrap();
        assert!(app.store.household(id).await.unwrap().is_none());
    }
    assert_eq!(app.store.visit_count().await.unwrap(), 0);

    // A household stored by its own sanitarian cannot be visited by one from elsewhere.
    let kota = app.login("san_k").await;
    let (_, stored) = app.post("/v1/sync/push", &kota, &push_body(std::slice::from_ref(&foreign), &[])).await;
    assert_eq!(statuses(&stored), vec!["accepted"]);
    let (_, body) =
        app.post("/v1/sync/push", &token, &push_body(&[], &[visit(&foreign, "san_a", "JSP")])).await;
    assert_eq!(body["results"][0]["code"], "out_of_scope");
    assert_eq!(app.store.visit_count().await.unwrap(), 0);
}

pub async fn bad_records_are_rejected_one_by_one_with_codes_and_fields(app: Arc<TestApp>) {
    let token = app.login("san_a").await;
    let good = household(VILLAGE_A);
    let mut bad_code = household(VILLAGE_A);
    bad_code["village"] = json!("74.4.81");
    let mut no_kk = household(VILLAGE_A);
    no_kk["kk_count"] = json!(0);
    let mut unknown_category = visit(&good, "san_a", "kakus");
    unknown_category["category"] = json!("kakus");
    let mut future = visit(&good, "san_a", "JSP");
    future["visited_at"] = json!(Utc::now() + Duration::hours(2));
    let someone_else = visit(&good, "ver", "JSP");
    let orphan = visit(&household(VILLAGE_A), "san_a", "JSP");
    let fine = visit(&good, "san_a", "JSSP");
    let body =
        push_body(&[good.clone(), bad_code, no_kk], &[unknown_category, future, someone_else, orphan, fine]);
    let (status, response) = app.post("/v1/sync/push", &token, &body).await;
    assert_eq!(status, 200);
    let results = response["results"].as_array().unwrap();
    let summary: Vec<(&str, Option<&str>, Option<&str>)> = results
        .iter()
        .map(|r| (r["status"].as_str().unwrap(), r["code"].as_str(), r["field"].as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("accepted", None, None),
            ("rejected", Some("invalid_area_code"), Some("households[1].village")),
            ("rejected", Some("kk_out_of_range"), Some("households[2].kk_count")),
            ("rejected", Some("unknown_category"), Some("visits[0].category")),
            ("rejected", Some("visit_in_future"), Some("visits[1].visited_at")),
            ("rejected", Some("sanitarian_mismatch"), Some("visits[2].sanitarian")),
            ("rejected", Some("unknown_household"), Some("visits[3].household_id")),
            ("accepted", None, None),
        ]
    );
    assert!(results.iter().all(|r| r["status"] == "accepted" || !r["message"].as_str().unwrap().is_empty()));
    assert_eq!(app.store.visit_count().await.unwrap(), 1);
}

pub async fn visits_far_from_home_or_outside_the_village_are_stored_but_flagged(app: Arc<TestApp>) {
    let token = app.login("san_a").await;
    // Village A is the square 122.70-122.72 E, -5.60 to -5.58 S (fixtures).
    let home = household(VILLAGE_A);
    let mut at_home = visit(&home, "san_a", "JSP");
    at_home["gps"] = json!({ "lat": -5.5901, "lng": 122.7101 });
    let mut far_away = visit(&home, "san_a", "JSP");
    far_away["gps"] = json!({ "lat": -5.45, "lng": 122.60 });
    let (_, body) = app.post("/v1/sync/push", &token, &push_body(&[home], &[at_home, far_away])).await;
    assert_eq!(statuses(&body), vec!["accepted"; 3]);
    assert!(body["results"][1].get("flags").is_none());
    assert_eq!(body["results"][2]["flags"], json!(["outside_village", "far_from_household"]));
    assert_eq!(app.store.visit_count().await.unwrap(), 2);
}

pub async fn pull_pages_through_the_callers_scope_by_cursor(app: Arc<TestApp>) {
    let san_a = app.login("san_a").await;
    let san_k = app.login("san_k").await;
    let homes_a: Vec<Value> = (0..3).map(|_| household(VILLAGE_A)).collect();
    let visits_a: Vec<Value> = homes_a.iter().map(|h| visit(h, "san_a", "JSP")).collect();
    app.post("/v1/sync/push", &san_a, &push_body(&homes_a, &visits_a)).await;
    app.post("/v1/sync/push", &san_k, &push_body(&[household(KELURAHAN)], &[])).await;

    // san_a sees the names and boundaries of their two villages and their own six records, page by
    // page.
    let mut cursor = 0;
    let mut kinds = Vec::new();
    let mut names = Vec::new();
    loop {
        let (status, page) = app.get(&format!("/v1/sync/pull?cursor={cursor}&limit=3"), &san_a).await;
        assert_eq!(status, 200, "{page}");
        let changes = page["changes"].as_array().unwrap();
        assert!(changes.len() <= 3);
        for change in changes {
            assert!([VILLAGE_A, VILLAGE_B].contains(&change["area"].as_str().unwrap()), "{change}");
            kinds.push(change["kind"].as_str().unwrap().to_owned());
            if change["kind"] == "place" {
                names.push((change["id"].as_str().unwrap().to_owned(), change["data"].clone()));
            }
        }
        cursor = page["next_cursor"].as_i64().unwrap();
        if !page["has_more"].as_bool().unwrap() {
            break;
        }
    }
    kinds.sort();
    assert_eq!(
        kinds,
        vec![
            "boundary",
            "boundary",
            "household",
            "household",
            "household",
            "place",
            "place",
            "visit",
            "visit",
            "visit"
        ]
    );
    names.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(names.iter().map(|(code, _)| code.as_str()).collect::<Vec<_>>(), [VILLAGE_A, VILLAGE_B]);
    for (code, data) in &names {
        let area = app.store.area(odf_domain::AreaCode::parse(code).unwrap()).await.unwrap().unwrap();
        let kecamatan = app.store.area(area.parent.unwrap()).await.unwrap().unwrap();
        assert_eq!(
            (data["code"].as_str(), data["name"].as_str()),
            (Some(code.as_str()), Some(area.name.as_str()))
        );
        assert_eq!(data["kecamatan"].as_str(), Some(kecamatan.name.as_str()));
        assert!(data["kabupaten"].is_string() && data["kind"] == "desa", "{data}");
    }

    // The kecamatan verifier sees everything in 74.04.81, the kota sanitarian only the kota.
    let ver = app.login("ver").await;
    let (_, page) = app.get("/v1/sync/pull?limit=1000", &ver).await;
    let records = page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| !["boundary", "place"].contains(&c["kind"].as_str().unwrap()));
    assert_eq!(records.count(), 6);
    let (_, page) = app.get("/v1/sync/pull", &san_k).await;
    let kota: Vec<&Value> =
        page["changes"].as_array().unwrap().iter().filter(|c| c["kind"] == "household").collect();
    assert_eq!(kota.len(), 1);
    assert_eq!(kota[0]["data"]["village"], KELURAHAN);
    let kota_names: Vec<&Value> =
        page["changes"].as_array().unwrap().iter().filter(|c| c["kind"] == "place").collect();
    assert!(
        !kota_names.is_empty() && kota_names.iter().all(|c| c["area"].as_str().unwrap().starts_with("74.71"))
    );

    let (status, body) = app.get("/v1/sync/pull?cursor=abc", &san_a).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid_query")));
    let (status, _) = app.get("/v1/sync/pull?cursor=-1", &san_a).await;
    assert_eq!(status, 400);
}

pub async fn viewers_and_anonymous_callers_cannot_touch_household_data(app: Arc<TestApp>) {
    let viewer = app.login("viewer").await;
    let (status, body) = app.post("/v1/sync/push", &viewer, &push_body(&[household(VILLAGE_A)], &[])).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden")));
    let (status, _) = app.get("/v1/sync/pull", &viewer).await;
    assert_eq!(status, 403);
    let (status, body) = app.get("/v1/sync/pull", "odf_not-a-real-token").await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("unauthenticated")));
    let response = app.http.get(app.url("/v1/me")).send().await.unwrap();
    assert_eq!(response.status(), 401);

    // A dashboard token made for an admin still only reads aggregates.
    let (token, _) =
        odf_server::commands::create_viewer_token(&app.store, "admin", 30, "test").await.unwrap();
    let (status, me) = app.get("/v1/me", &token).await;
    assert_eq!((status, me["role"].as_str()), (200, Some("viewer")));
    let (status, _) = app.get("/v1/sync/pull", &token).await;
    assert_eq!(status, 403);
    assert_eq!(app.store.visit_count().await.unwrap(), 0);
}

/// POSTs `body` to the push endpoint, gzip-compressed at `level`.
async fn push_gzipped(app: &TestApp, token: &str, body: &[u8], level: flate2::Compression) -> (u16, Value) {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), level);
    encoder.write_all(body).unwrap();
    let response = app
        .http
        .post(app.url("/v1/sync/push"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(encoder.finish().unwrap())
        .send()
        .await
        .unwrap();
    split(response).await
}

pub async fn gzip_pushes_are_accepted_and_oversized_or_malformed_bodies_get_json_errors(app: Arc<TestApp>) {
    let token = app.login("san_a").await;
    let home = household(VILLAGE_A);
    let body =
        serde_json::to_vec(&push_body(std::slice::from_ref(&home), &[visit(&home, "san_a", "JSP")])).unwrap();
    let (status, result) = push_gzipped(&app, &token, &body, flate2::Compression::default()).await;
    assert_eq!(status, 200, "{result}");
    assert_eq!(statuses(&result), vec!["accepted", "accepted"]);

    // More records than the configured 50.
    let many: Vec<Value> = (0..51).map(|_| household(VILLAGE_A)).collect();
    let (status, body) = app.post("/v1/sync/push", &token, &push_body(&many, &[])).await;
    assert_eq!((status, body["error"]["code"].as_str()), (413, Some("too_many_records")));

    // A body over the configured 64 KiB, even when it arrives gzip-compressed to far less.
    let mut huge = push_body(std::slice::from_ref(&home), &[]);
    huge["households"][0]["head_name"] = json!("x".repeat(100_000));
    let raw = serde_json::to_vec(&huge).unwrap();
    let (status, body) = push_gzipped(&app, &token, &raw, flate2::Compression::best()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (413, Some("payload_too_large")));

    let response = app
        .http
        .post(app.url("/v1/sync/push"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, body) = split(response).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("malformed_body")));
    let response =
        app.http.post(app.url("/v1/sync/push")).bearer_auth(&token).body("{}").send().await.unwrap();
    let (status, body) = split(response).await;
    assert_eq!((status, body["error"]["code"].as_str()), (415, Some("unsupported_media_type")));
    let (status, body) = app.get("/v1/no-such-thing", &token).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("not_found")));

    assert_eq!(app.store.visit_count().await.unwrap(), 1);
}

pub async fn operations_endpoints_answer(app: Arc<TestApp>) {
    let (status, body) = app.get("/healthz", "").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    let (status, body) = app.get("/readyz", "").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ready")));
    let token = app.login("san_a").await;
    app.post("/v1/sync/push", &token, &push_body(&[household(VILLAGE_A)], &[])).await;
    let metrics = app.http.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("odf_http_requests_total"), "{metrics}");
    assert!(metrics.contains(r#"odf_sync_records_total{kind="household",status="accepted"} 1"#), "{metrics}");
    let (status, doc) = app.get("/v1/openapi.json", "").await;
    assert_eq!(status, 200);
    assert!(doc["paths"]["/v1/sync/push"]["post"].is_object());
    let response = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert!(response.headers().contains_key("x-request-id"));
}

pub(crate) fn household_edit(home: &Value, base: i64, minutes_ago: i64, changes: &Value) -> Value {
    json!({
        "edit_id": Uuid::now_v7(),
        "household_id": home["id"],
        "base_revision": base,
        "edited_at": Utc::now() - Duration::minutes(minutes_ago),
        "changes": changes,
    })
}

pub(crate) fn edits_body(edits: &[Value]) -> Value {
    json!({ "device": { "device_id": "hp", "app_version": "t", "pending_count": 0 }, "household_edits": edits })
}

pub async fn edits_from_two_phones_merge_and_an_admin_resolves_the_conflict(app: Arc<TestApp>) {
    let phone_one = app.login("san_a").await;
    let phone_two = app.login("ver").await;
    let home = household(VILLAGE_A);
    app.post("/v1/sync/push", &phone_one, &push_body(std::slice::from_ref(&home), &[])).await;

    // Both phones edited revision 1 offline; the second phone's rename was made earlier.
    let later = household_edit(&home, 1, 5, &json!({ "head_name": "Wa Ode Satu" }));
    let (_, body) = app.post("/v1/sync/push", &phone_one, &edits_body(&[later])).await;
    assert_eq!(
        (body["results"][0]["kind"].as_str(), body["results"][0]["status"].as_str()),
        (Some("household_edit"), Some("accepted"))
    );
    assert_eq!(body["results"][0]["revision"], 2);
    let earlier =
        household_edit(&home, 1, 60, &json!({ "head_name": "Wa Ode Dua", "kk_count": 3, "rt": null }));
    let (_, body) = app.post("/v1/sync/push", &phone_two, &edits_body(std::slice::from_ref(&earlier))).await;
    let result = &body["results"][0];
    assert_eq!((result["status"].as_str(), result["revision"].as_i64()), (Some("merged"), Some(3)), "{body}");
    let conflict_id = result["conflict_id"].as_str().unwrap().to_owned();
    // Sent again: nothing new.
    let (_, again) = app.post("/v1/sync/push", &phone_two, &edits_body(&[earlier])).await;
    assert_eq!(again["results"][0]["status"], "duplicate");

    let id: Uuid = serde_json::from_value(home["id"].clone()).unwrap();
    let stored = app.store.household(id).await.unwrap().unwrap();
    assert_eq!((stored.household.head_name.as_str(), stored.household.kk_count), ("Wa Ode Satu", 3));

    // Only admins see and resolve conflicts.
    let (status, _) = app.get("/v1/admin/conflicts", &phone_one).await;
    assert_eq!(status, 403);
    let admin = app.login("admin").await;
    let (status, list) = app.get("/v1/admin/conflicts", &admin).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["fields"], json!(["head_name"]));
    assert_eq!(
        (list[0]["kept"]["head_name"].as_str(), list[0]["other"]["head_name"].as_str()),
        (Some("Wa Ode Satu"), Some("Wa Ode Dua"))
    );
    let path = format!("/v1/admin/conflicts/{conflict_id}/resolve");
    let (status, resolved) = app.post(&path, &admin, &json!({ "keep": "other" })).await;
    assert_eq!((status, resolved["resolution"].as_str()), (200, Some("other")), "{resolved}");
    assert_eq!(app.store.household(id).await.unwrap().unwrap().household.head_name, "Wa Ode Dua");
    let (status, body) = app.post(&path, &admin, &json!({ "keep": "kept" })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("conflict")));
    let (status, _) = app
        .post(&format!("/v1/admin/conflicts/{}/resolve", Uuid::now_v7()), &admin, &json!({ "keep": "kept" }))
        .await;
    assert_eq!(status, 404);

    // Someone from another area cannot edit it; bad edits are rejected with their field.
    let kota = app.login("san_k").await;
    let (_, body) = app
        .post("/v1/sync/push", &kota, &edits_body(&[household_edit(&home, 4, 1, &json!({ "rw": "9" }))]))
        .await;
    assert_eq!(body["results"][0]["code"], "out_of_scope");
    let (_, body) =
        app.post("/v1/sync/push", &phone_one, &edits_body(&[household_edit(&home, 4, 1, &json!({}))])).await;
    assert_eq!(
        (body["results"][0]["code"].as_str(), body["results"][0]["field"].as_str()),
        (Some("field_missing"), Some("household_edits[0].changes"))
    );
    let (_, body) = app
        .post(
            "/v1/sync/push",
            &phone_one,
            &edits_body(&[household_edit(&home, 4, 1, &json!({ "kk_count": "many" }))]),
        )
        .await;
    assert_eq!(body["results"][0]["code"], "invalid_field");
}

/// Fails unless `username` has exactly `count` session rows (raw SQL: a CHECK that both databases
/// enforce on the counted value).
async fn assert_sessions(app: &TestApp, username: &str, count: u32) {
    let table = format!("session_count_{}", Uuid::now_v7().simple());
    app.raw_sql(&format!(
        "CREATE TABLE {table} (n BIGINT CHECK (n = {count})); \
         INSERT INTO {table} (n) SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE u.username = '{username}'"
    ))
    .await;
}

/// A login whose answer was lost is sent again with the same idempotency key: the server answers
/// the session it opened the first time instead of leaving that one an orphan nobody holds.
pub async fn a_login_retried_with_its_idempotency_key_gets_the_same_session(app: Arc<TestApp>) {
    let login = |password: &'static str, key: Option<Uuid>| {
        let app = app.clone();
        async move {
            let body = json!({ "username": "san_a", "password": password, "idempotency_key": key });
            split(app.http.post(app.url("/v1/auth/login")).json(&body).send().await.unwrap()).await
        }
    };
    let key = Uuid::new_v4();
    let (status, first) = login(PASSWORD, Some(key)).await;
    assert_eq!(status, 200, "{first}");
    let (status, again) = login(PASSWORD, Some(key)).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["token"], first["token"], "the same session, not a second one");
    assert_eq!(again["expires_at"], first["expires_at"]);
    assert_sessions(&app, "san_a", 1).await;
    let token = first["token"].as_str().unwrap();
    assert_eq!(app.get("/v1/me", token).await.0, 200);

    // The key does not stand in for the password.
    let (status, body) = login("salah-salah", Some(key)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("invalid_credentials")));
    assert!(body.get("token").is_none());

    // Another key, or none, is another login: another session.
    let (status, other) = login(PASSWORD, Some(Uuid::new_v4())).await;
    assert_eq!(status, 200);
    assert_ne!(other["token"], first["token"]);
    assert_eq!(login(PASSWORD, None).await.0, 200);
    assert_sessions(&app, "san_a", 3).await;

    // A session logged out is not handed out again: the same key then opens a new one.
    assert_eq!(app.post("/v1/auth/logout", token, &json!({})).await.0, 204);
    let (status, after) = login(PASSWORD, Some(key)).await;
    assert_eq!(status, 200);
    assert_ne!(after["token"], first["token"]);
    assert_eq!(app.get("/v1/me", after["token"].as_str().unwrap()).await.0, 200);

    // Not a UUID: refused in the one error shape.
    let body = json!({ "username": "san_a", "password": PASSWORD, "idempotency_key": "1" });
    let (status, body) =
        split(app.http.post(app.url("/v1/auth/login")).json(&body).send().await.unwrap()).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["code"].is_string());
}

/// Sign-ins beyond `login.max_concurrent` wait for a password-check permit and then succeed; none
/// is refused for being one too many. The test holds every permit itself, so no check can run
/// until it lets go: what finishes before then would have skipped the bound.
pub async fn logins_beyond_the_bound_wait_for_a_permit_and_then_succeed(app: Arc<TestApp>) {
    let checks = app.state.password_checks();
    let bound = app.config.login_max_concurrent;
    let held = checks.clone().acquire_many_owned(u32::try_from(bound).unwrap()).await.unwrap();
    let users = ["admin", "viewer", "ver", "ver2", "ver3", "san_k"];
    assert!(users.len() > bound);
    let logins: Vec<_> = users
        .iter()
        .map(|username| {
            let (app, username) = (app.clone(), (*username).to_owned());
            tokio::spawn(async move {
                let body = json!({ "username": username, "password": PASSWORD });
                app.http.post(app.url("/v1/auth/login")).json(&body).send().await.unwrap().status()
            })
        })
        .collect();
    // Give every request its turns up to the permit; none can get further while the test holds them.
    for _ in 0..200 {
        tokio::task::yield_now().await;
    }
    assert!(logins.iter().all(|login| !login.is_finished()), "a sign-in finished without a permit");
    drop(held);
    for login in logins {
        assert_eq!(login.await.unwrap(), 200);
    }
    assert_eq!(checks.available_permits(), bound);
}
