//! The twelve classes of hostile input of issue 17, one test (or more) each, on SQLite and
//! PostgreSQL: what an attacker sent, and that both backends answer it the same, in the error shape,
//! with nothing stored.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use crate::common::*;
use crate::verification::{certified, claimed_village, history, team};
use chrono::{Duration, Utc};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

/// Short timeouts, so the slow-client test finishes quickly; not shorter than a second, because the
/// other tests of this group share them and a busy CI machine can stall a client for some 100 ms.
pub fn config() -> odf_server::ServerConfig {
    odf_server::ServerConfig {
        header_timeout: StdDuration::from_millis(1_000),
        body_timeout: StdDuration::from_millis(1_000),
        ..Default::default()
    }
}

fn household(name: &str) -> Value {
    json!({ "id": Uuid::now_v7(), "village": VILLAGE_A, "head_name": name, "kk_count": 1 })
}

fn visit(household: &Value, at: chrono::DateTime<Utc>, device: &str) -> Value {
    json!({
        "id": Uuid::now_v7(), "household_id": household["id"], "sanitarian": "san_a", "visited_at": at,
        "category": "aman", "device_id": device,
    })
}

fn push_body(device: &str, pending: u64, households: &[Value], visits: &[Value]) -> Value {
    json!({
        "device": { "device_id": device, "app_version": "0.1.0", "pending_count": pending },
        "households": households, "visits": visits,
    })
}

fn results(body: &Value) -> Vec<(String, String)> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["status"].as_str().unwrap().to_owned(), r["code"].as_str().unwrap_or("").to_owned()))
        .collect()
}

fn rejected(code: &str) -> (String, String) {
    ("rejected".to_owned(), code.to_owned())
}

fn accepted() -> (String, String) {
    ("accepted".to_owned(), String::new())
}

/// Classes 1 and 7: NUL, bidi overrides, ANSI escapes and invisible-only names are rejected record by
/// record (the rest of the push is stored), the same on both backends; a NUL elsewhere in a request
/// is refused at the door with 400.
pub async fn hostile_text_is_rejected_per_record_and_at_the_door(app: Arc<TestApp>) {
    let san = app.login("san_a").await;
    let good = household("La Ode Hamid");
    let bad: Vec<Value> =
        ["La\0Ode", "\u{202E}dimaH edO aL", "\u{200B}\u{200B}", "\u{1b}[31mMerah", "\u{FEFF}"]
            .iter()
            .map(|name| household(name))
            .collect();
    let mut households = vec![good.clone()];
    households.extend(bad.iter().cloned());
    let visits = [visit(&good, Utc::now(), "hp\u{0}1"), visit(&good, Utc::now(), "hp-1")];
    let (status, body) = app.post("/v1/sync/push", &san, &push_body("hp\0x", 9, &households, &visits)).await;
    assert_eq!(status, 200, "{body}");
    let mut expected = vec![accepted()];
    expected.extend((0..bad.len()).map(|_| rejected("field_bad_character")));
    expected.extend([rejected("field_bad_character"), accepted()]);
    assert_eq!(results(&body), expected, "{body}");
    assert_eq!(body["results"][1]["field"], "households[1].head_name");
    assert_eq!(body["results"][6]["field"], "visits[0].device_id");
    let ids: Vec<Uuid> = households.iter().map(|h| h["id"].as_str().unwrap().parse().unwrap()).collect();
    assert_eq!(app.store.households_by_id(&ids).await.unwrap().len(), 1);
    assert_eq!(app.store.visit_count().await.unwrap(), 1);
    // The device report with a NUL is left out, not stored.
    assert!(app.store.devices().await.unwrap().is_empty());

    // Anywhere else: refused at the door, in the error shape, naming where.
    let admin = app.login("admin").await;
    let path = format!("/v1/villages/{VILLAGE_A}/claim");
    let (status, body) = app.post(&path, &san, &json!({ "note": "ok\0" })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("field_bad_character")), "{body}");
    assert_eq!(body["error"]["field"], "note");
    let response = app
        .http
        .post(app.url("/v1/auth/login"))
        .json(&json!({ "username": "san\0a", "password": "x" }))
        .send();
    let (status, body) = split(response.await.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("field_bad_character")), "{body}");
    let (status, _) = app.get("/v1/me", &admin).await;
    assert_eq!(status, 200);
}

/// Class 2: a team member's position with a control character is refused when the verification is
/// opened, so the village is not stuck with a team that cannot be certified; a good team then opens.
pub async fn a_team_with_hostile_names_is_refused_when_opening_so_the_village_is_not_stuck(
    app: Arc<TestApp>,
) {
    claimed_village(&app).await;
    let ver = app.login("ver").await;
    let path = format!("/v1/villages/{VILLAGE_A}/verifications");
    let all = json!({ "kind": "all_households" });
    let mut members = team(&["ver", "ver2", "ver3"]);
    members[1]["position"] = json!("Staf\u{7}Puskesmas");
    let (status, body) = app.post(&path, &ver, &json!({ "team": members, "plan": all })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("field_bad_character")), "{body}");
    let mut members = team(&["ver", "ver2", "ver3"]);
    members[2]["name"] = json!("N".repeat(200_000));
    let (status, body) = app.post(&path, &ver, &json!({ "team": members, "plan": all })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("field_too_long")), "{body}");
    assert_eq!(history(&app, &ver).await["status"], "klaim_sbs");
    let (status, body) =
        app.post(&path, &ver, &json!({ "team": team(&["ver", "ver2", "ver3"]), "plan": all })).await;
    assert_eq!(status, 201, "{body}");
}

/// Class 3: enabling a user again does not revive tokens issued before they were disabled.
pub async fn enabling_a_user_does_not_revive_tokens_from_before_the_disable(app: Arc<TestApp>) {
    let token = app.login("san_a").await;
    odf_server::commands::set_disabled(&app.store, "san_a", true, "test").await.unwrap();
    odf_server::commands::set_disabled(&app.store, "san_a", false, "test").await.unwrap();
    let (status, body) = app.get("/v1/me", &token).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("unauthenticated")), "{body}");
    let fresh = app.login("san_a").await;
    assert_eq!(app.get("/v1/me", &fresh).await.0, 200);
}

/// Class 4: a device id stays with the user who first reported it, its pending count is bounded, and
/// viewers do not see device ids or usernames.
pub async fn a_device_record_cannot_be_taken_over_or_inflated(app: Arc<TestApp>) {
    let san_a = app.login("san_a").await;
    let (status, _) =
        app.post("/v1/sync/push", &san_a, &push_body("hp-wa-ode", 4_000_000_000, &[], &[])).await;
    assert_eq!(status, 200);
    let san_k = app.login("san_k").await;
    let (status, _) = app.post("/v1/sync/push", &san_k, &push_body("hp-wa-ode", 0, &[], &[])).await;
    assert_eq!(status, 200);
    let devices = app.store.devices().await.unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].username, "san_a");
    assert_eq!(devices[0].pending_count, 100_000);

    let viewer = app.login("viewer").await;
    let (status, body) = app.get("/v1/coverage/74", &viewer).await;
    assert_eq!(status, 200, "{body}");
    let seen = &body["freshness"]["devices"][0];
    assert!(seen.get("device_id").is_none() && seen.get("username").is_none(), "{body}");
    assert_eq!(seen["pending_count"], 100_000);
    let admin = app.login("admin").await;
    let (_, body) = app.get("/v1/coverage/74", &admin).await;
    assert_eq!(body["freshness"]["devices"][0]["device_id"], "hp-wa-ode");
}

/// Classes 5 and 6: months and days outside the window are refused (no panic), and so are visits
/// dated before 2000 or in negative years.
pub async fn dates_outside_the_plausible_window_are_refused(app: Arc<TestApp>) {
    let admin = app.login("admin").await;
    for query in ["to=-262143-01", "from=-262143-01", "to=262143-12", "to=1999-12", "from=0001-01&to=0001-02"]
    {
        let (status, body) = app.get(&format!("/v1/coverage/74/series?{query}"), &admin).await;
        assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid_query")), "{query}: {body}");
    }
    let (status, body) = app.get("/v1/coverage/74?as_of=-262143-01-01", &admin).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid_query")), "{body}");
    let (status, _) = app.get("/v1/coverage/74/series?from=2025-01&to=2025-12", &admin).await;
    assert_eq!(status, 200);

    let san = app.login("san_a").await;
    let home = household("La Ode Hamid");
    let old = |text: &str| chrono::DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc);
    let visits = [
        visit(&home, old("0001-01-01T00:00:00Z"), "hp"),
        visit(&home, old("1900-06-01T00:00:00Z"), "hp"),
        visit(&home, old("1999-12-31T23:00:00Z"), "hp"),
        visit(&home, Utc::now() - Duration::days(2), "hp"),
    ];
    let (status, body) = app.post("/v1/sync/push", &san, &push_body("hp", 0, &[home], &visits)).await;
    assert_eq!(status, 200, "{body}");
    let too_early = rejected("visit_too_early");
    assert_eq!(results(&body), vec![accepted(), too_early.clone(), too_early.clone(), too_early, accepted()]);
    let (status, body) = app
        .post(&format!("/v1/villages/{VILLAGE_A}/trigger"), &san, &json!({ "triggered_on": "1900-01-01" }))
        .await;
    assert_eq!((status, body["error"]["field"].as_str()), (400, Some("triggered_on")), "{body}");
}

/// Class 8: free text is bounded: decision reasons and revoke reasons.
pub async fn free_text_is_bounded(app: Arc<TestApp>) {
    let decided = certified(&app).await;
    let ver = app.login("ver").await;
    let cert_id = decided["certificate"]["id"].as_str().unwrap();
    let revoke = format!("/v1/certificates/{cert_id}/revoke");
    let (status, body) = app.post(&revoke, &ver, &json!({ "reason": "x".repeat(1_000_000) })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("field_too_long")), "{body}");
    let (status, body) = app.post(&revoke, &ver, &json!({ "reason": "BABS\u{202E} lagi" })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("field_bad_character")), "{body}");
    let (_, check) = app.get_public(&format!("/v1/public/certificates/{cert_id}")).await;
    assert_eq!(check["valid"], true, "{check}");
}

/// Class 8 (decisions and community notes): thirty reasons of 100,000 characters are refused.
pub async fn long_decision_reasons_and_notes_are_refused(app: Arc<TestApp>) {
    claimed_village(&app).await;
    let ver = app.login("ver").await;
    let path = format!("/v1/villages/{VILLAGE_A}/verifications");
    let body = json!({ "team": team(&["ver", "ver2", "ver3"]), "plan": { "kind": "all_households" } });
    let (status, verification) = app.post(&path, &ver, &body).await;
    assert_eq!(status, 201, "{verification}");
    let id = verification["id"].as_str().unwrap();
    let note = json!({ "met": true, "note": "n".repeat(100_000) });
    let community = json!({ "no_visible_faeces": note, "rules_and_sanctions": note, "monitoring": note });
    let (status, body) = app.put(&format!("/v1/verifications/{id}/community"), &ver, &community).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("field_too_long")), "{body}");
    let met = json!({ "met": true });
    let community = json!({ "no_visible_faeces": met, "rules_and_sanctions": met, "monitoring": met });
    let (status, body) = app.put(&format!("/v1/verifications/{id}/community"), &ver, &community).await;
    assert_eq!(status, 200, "{body}");
    let reasons: Vec<String> = (0..30).map(|_| "r".repeat(100_000)).collect();
    let decision = json!({ "outcome": "gagal", "reasons": reasons });
    let (status, body) = app.post(&format!("/v1/verifications/{id}/decision"), &ver, &decision).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("field_too_long")), "{body}");
    let (_, body) = app.get(&format!("/v1/verifications/{id}"), &ver).await;
    assert!(body["decision"].is_null(), "{body}");
}

/// Class 9: what the HTTP stack answers on its own is in the error shape too, with the right code.
pub async fn every_error_is_in_the_error_shape(app: Arc<TestApp>) {
    let token = app.login("san_a").await;
    let response = app
        .http
        .post(app.url("/v1/sync/push"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .header("content-encoding", "br-unknown")
        .body("{}")
        .send()
        .await
        .unwrap();
    let (status, body) = split(response).await;
    assert_eq!((status, body["error"]["code"].as_str()), (415, Some("unsupported_media_type")), "{body}");
    let response = app.http.delete(app.url("/v1/me")).bearer_auth(&token).send().await.unwrap();
    let (status, body) = split(response).await;
    assert_eq!((status, body["error"]["code"].as_str()), (405, Some("method_not_allowed")), "{body}");
    let long = format!("/v1/coverage/74?x={}", "a".repeat(10_000));
    let (status, body) = app.get(&long, &token).await;
    assert_eq!((status, body["error"]["code"].as_str()), (414, Some("uri_too_long")), "{body}");
    let response = app.http.get(app.url("/v1/me")).header("x-big", "b".repeat(40_000)).send().await.unwrap();
    let (status, body) = split(response).await;
    assert_eq!((status, body["error"]["code"].as_str()), (431, Some("headers_too_large")), "{body}");
    let (status, body) = app.get("/v1/sync/pull?cursor=abc", &token).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid_query")), "{body}");
}

/// Class 10: a place name that a spreadsheet would run as a formula is exported as text.
pub async fn csv_exports_neutralise_formula_cells(app: Arc<TestApp>) {
    app.raw_sql(&format!("UPDATE areas SET name = '=HYPERLINK(\"http://x\")' WHERE code = '{VILLAGE_A}'"))
        .await;
    app.raw_sql("UPDATE areas SET name = '@SUM(1)' WHERE code = '74.04.81'").await;
    let admin = app.login("admin").await;
    for path in ["/v1/coverage/74.04.81?format=csv", "/v1/coverage/74.04.81/stbm.csv"] {
        let response = app.http.get(app.url(path)).bearer_auth(&admin).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let text = response.text().await.unwrap();
        assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{path}: {text}");
        for cell in text.lines().flat_map(|l| l.split(',')) {
            assert!(!cell.trim_start_matches('"').starts_with(['=', '+', '@']), "{path}: {cell}");
        }
    }
}

/// Class 11: a client that sends its headers or its body slowly is cut off (the login limiter's
/// per-address keying is tested in `auth.rs`: every test request comes from 127.0.0.1).
pub async fn a_slow_client_cannot_hold_a_connection(app: Arc<TestApp>) {
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    // Never finish the headers: the server must close the connection by itself.
    let mut buffer = Vec::new();
    let read = tokio::time::timeout(StdDuration::from_secs(10), stream.read_to_end(&mut buffer)).await;
    assert!(read.is_ok(), "the server kept a half-sent request open");

    // A body announced as 100 bytes of which 10 arrive: answered and closed, in the error shape.
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
                Content-Length: 100\r\nConnection: close\r\n\r\n{\"username\"";
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut buffer = Vec::new();
    let read = tokio::time::timeout(StdDuration::from_secs(10), stream.read_to_end(&mut buffer)).await;
    assert!(read.is_ok(), "the server kept a half-sent body open");
    let answer = String::from_utf8_lossy(&buffer);
    assert!(answer.starts_with("HTTP/1.1 400") && answer.contains("\"code\":\"malformed_body\""), "{answer}");
}

/// Class 12: a certificate row that no longer reads back answers a clear error, and the village
/// history still opens.
pub async fn a_corrupt_certificate_row_does_not_break_the_history(app: Arc<TestApp>) {
    let decided = certified(&app).await;
    let ver = app.login("ver").await;
    app.raw_sql("UPDATE certificates SET number = 'bukan nomor', team = 'bukan json'").await;
    let body = history(&app, &ver).await;
    assert_eq!(body["certificates"], json!([]), "{body}");
    let cert_id = decided["certificate"]["id"].as_str().unwrap();
    let (status, body) = app.get(&format!("/v1/certificates/{cert_id}"), &ver).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("record_corrupt")), "{body}");
}
