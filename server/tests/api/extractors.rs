//! What the shared extractors answer when a request's query or path does not parse, and the role
//! guard and scope checks they hold: always the error shape `{"error": {"code", "message", ...}}`.

use std::sync::Arc;

use serde_json::Value;
use uuid::Uuid;

use crate::common::*;

fn code(body: &Value) -> Option<&str> {
    body["error"]["code"].as_str()
}

pub async fn a_bad_query_parameter_answers_400_in_the_error_shape(app: Arc<TestApp>) {
    let admin = app.login("admin").await;
    let ver = app.login("ver").await;
    for (path, token) in [
        ("/v1/sync/pull?cursor=abc", &admin),
        ("/v1/sync/pull?limit=-1", &admin),
        ("/v1/notifications?after=soon", &ver),
        ("/v1/admin/conflicts?open=maybe", &admin),
        ("/v1/coverage/74?format=xml", &admin),
        ("/v1/coverage/74/ranking?lang=fr", &admin),
    ] {
        let (status, body) = app.get(path, token).await;
        assert_eq!((status, code(&body)), (400, Some("invalid_query")), "{path}: {body}");
        assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{path}: {body}");
    }
    // Who is asking is settled first: no token is 401 whatever the query.
    let (status, body) = app.get_public("/v1/sync/pull?cursor=abc").await;
    assert_eq!((status, code(&body)), (401, Some("unauthenticated")), "{body}");
}

pub async fn a_bad_path_parameter_answers_400_in_the_error_shape(app: Arc<TestApp>) {
    let admin = app.login("admin").await;
    let san = app.login("san_a").await;
    let resolve = serde_json::json!({ "keep": "kept" });
    let (status, body) = app.post("/v1/admin/conflicts/not-a-uuid/resolve", &admin, &resolve).await;
    assert_eq!((status, code(&body)), (400, Some("invalid_field")), "{body}");
    // A path segment that is not UTF-8 once percent-decoded names its parameter.
    let (status, body) = app.get("/v1/villages/%FF/history", &san).await;
    assert_eq!(
        (status, code(&body), body["error"]["field"].as_str()),
        (400, Some("invalid_field"), Some("code"))
    );
    let (status, body) = app.get("/v1/coverage/%FF", &admin).await;
    assert_eq!((status, code(&body)), (400, Some("invalid_field")), "{body}");

    // Ids that parse but name nothing keep their documented answers.
    let (status, body) = app.get("/v1/villages/74.04.81/history", &san).await;
    assert_eq!((status, code(&body)), (404, Some("unknown_village")), "{body}");
    let (status, body) = app.get("/v1/villages/7x/history", &san).await;
    assert_eq!(
        (status, code(&body), body["error"]["field"].as_str()),
        (400, Some("invalid_area_code"), Some("code"))
    );
    for path in ["/v1/verifications/nope", "/v1/certificates/nope", "/v1/certificates/nope.pdf"] {
        let (status, body) = app.get(path, &san).await;
        assert_eq!((status, code(&body)), (404, Some("not_found")), "{path}: {body}");
    }
    let unknown = Uuid::now_v7();
    let (status, body) = app.get(&format!("/v1/verifications/{unknown}"), &san).await;
    assert_eq!((status, code(&body)), (404, Some("not_found")), "{body}");

    // The role guard speaks first, and in the same shape.
    let viewer = app.login("viewer").await;
    let (status, body) = app.get(&format!("/v1/villages/{VILLAGE_A}/history"), &viewer).await;
    assert_eq!((status, code(&body)), (403, Some("forbidden")), "{body}");
    let (status, body) = app.get("/v1/certificates/nope", &viewer).await;
    assert_eq!((status, code(&body)), (403, Some("forbidden")), "{body}");
    let (status, body) = app.post("/v1/admin/conflicts/not-a-uuid/resolve", &san, &resolve).await;
    assert_eq!((status, code(&body)), (403, Some("forbidden")), "{body}");
}
