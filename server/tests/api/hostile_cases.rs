//! Hostile requests kept as data (`hostile_cases.json`: request, expected status, expected code),
//! run by one test on both databases. Each case must be answered as written, in the error shape, and
//! none may change the stored records: households, visits, tallies (a recount agrees) and the audit
//! chain are the same before and after, and so is the coverage of the whole province. A new case is
//! a new entry in the file; every route of the router needs at least one ([`ROUTES`]).
//!
//! Long text is written `${N*c}` in the file (any string: path, header, raw body, JSON value) and
//! sent as the character `c` repeated `N` times, so the file stays small.

use std::collections::HashMap;
use std::sync::Arc;

use crate::common::*;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
struct Case {
    name: String,
    /// Who sends it (logged in with the test password); absent: nobody.
    #[serde(default)]
    user: Option<String>,
    method: String,
    path: String,
    #[serde(default)]
    body: Option<Value>,
    /// A body sent as is, for what is not JSON.
    #[serde(default)]
    raw: Option<String>,
    #[serde(default)]
    headers: Vec<(String, String)>,
    status: u16,
    /// The `error.code` of the answer (absent for a push answered 200).
    #[serde(default)]
    code: Option<String>,
    /// For a push: the code of its first record's result.
    #[serde(default)]
    result_code: Option<String>,
    /// A web page's answer: an HTML page (with its status), not the API's JSON error shape.
    #[serde(default)]
    html: bool,
    /// Send the user's session as the web pages' cookie instead of a bearer token.
    #[serde(default)]
    cookie: bool,
}

/// Every route of the router (`server/src/app.rs` and `server/src/web/mod.rs`), each of which must
/// have at least one case. Update it with every new route.
const ROUTES: &[&str] = &[
    "/v1/auth/login",
    "/v1/auth/logout",
    "/v1/me",
    "/v1/sync/push",
    "/v1/sync/pull",
    "/v1/admin/conflicts",
    "/v1/admin/conflicts/{id}/resolve",
    "/v1/coverage/{area}",
    "/v1/coverage/{area}/ranking",
    "/v1/coverage/{area}/series",
    "/v1/coverage/{area}/villages",
    "/v1/coverage/{area}/stbm.csv",
    "/v1/coverage/{area}/dhis2",
    "/v1/villages/{code}/trigger",
    "/v1/villages/{code}/claim",
    "/v1/villages/{code}/verifications",
    "/v1/villages/{code}/history",
    "/v1/verifications/{id}",
    "/v1/verifications/{id}/community",
    "/v1/verifications/{id}/decision",
    "/v1/certificates/{file}",
    "/v1/certificates/{id}/revoke",
    "/v1/notifications",
    "/v1/public/key",
    "/v1/public/certificates/{id}",
    "/v1/photos/{sha256}",
    "/v1/openapi.json",
    "/healthz",
    "/readyz",
    "/metrics",
    "/",
    "/masuk",
    "/keluar",
    "/wilayah/{area}",
    "/meja",
    "/assets/{name}",
];

/// Whether `path` (query left off) is an instance of the route `pattern` (`{x}`: one non-empty
/// segment). Literal segments win, as in the router: `/v1/coverage/74/series` is not `{area}`.
fn matches(pattern: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or_default();
    let (p, q): (Vec<_>, Vec<_>) = (pattern.split('/').collect(), path.split('/').collect());
    p.len() == q.len()
        && p.iter().zip(&q).all(|(p, q)| if p.starts_with('{') { !q.is_empty() } else { p == q })
}

/// `${N*c}` → `c` repeated `N` times.
fn expand(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = start + rest[start..].find('}').unwrap();
        let (count, c) = rest[start + 2..end].split_once('*').unwrap();
        out.push_str(&c.repeat(count.parse().unwrap()));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

fn expand_json(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(expand(s)),
        Value::Array(items) => Value::Array(items.iter().map(expand_json).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), expand_json(v))).collect()),
        other => other.clone(),
    }
}

/// The routes the router's source declares (`.route("…"`), so that [`ROUTES`] cannot fall behind.
#[test]
fn the_route_list_is_the_routers() {
    let sources = [include_str!("../../src/app.rs"), include_str!("../../src/web/mod.rs")];
    let mut declared: Vec<&str> = sources
        .iter()
        .flat_map(|source| source.split(".route(\"").skip(1))
        .filter_map(|rest| rest.split('"').next())
        .collect();
    let mut listed = ROUTES.to_vec();
    declared.sort_unstable();
    listed.sort_unstable();
    assert_eq!(declared, listed, "update ROUTES (and add a case) for a new or removed route");
}

#[test]
fn every_route_of_the_router_has_a_hostile_case() {
    let cases: Vec<Case> = serde_json::from_str(CASES).unwrap();
    let missing: Vec<_> = ROUTES
        .iter()
        .filter(|route| {
            !cases.iter().any(|c| {
                matches(route, &c.path)
                    && !ROUTES
                        .iter()
                        .any(|other| other != *route && !other.contains('{') && matches(other, &c.path))
            })
        })
        .collect();
    assert!(missing.is_empty(), "routes without a hostile case: {missing:?}");
}

const CASES: &str = include_str!("hostile_cases.json");

/// What must not change: households, visits, villages recounted, audit entries, and the coverage of
/// the province (as the admin reads it).
async fn stored(app: &TestApp, admin: &str) -> (usize, usize, usize, usize, Value) {
    let recount = app.store.recount().await.unwrap();
    assert!(recount.differences.is_empty(), "{:?}", recount.differences);
    let audit = app.store.verify_audit_chain().await.unwrap();
    assert_eq!(audit.first_broken, None);
    let response = app.http.get(app.url("/v1/coverage/74")).bearer_auth(admin).send().await.unwrap();
    let (status, mut coverage) = split(response).await;
    assert_eq!(status, 200, "{coverage}");
    without_as_of(&mut coverage);
    // A push's device report is kept even when its records are refused (the phone did sync): the
    // freshness list of devices may change, the figures may not.
    if let Some(freshness) = coverage.get_mut("freshness").and_then(Value::as_object_mut) {
        freshness.remove("devices");
    }
    (recount.households, recount.visits, recount.villages_checked, audit.entries, coverage)
}

/// The figures without their `as_of` (the moment of the reading, not a stored fact).
fn without_as_of(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("as_of");
            map.values_mut().for_each(without_as_of);
        }
        Value::Array(items) => items.iter_mut().for_each(without_as_of),
        _ => {}
    }
}

pub async fn the_hostile_input_cases_are_refused_and_change_nothing(app: Arc<TestApp>) {
    let cases: Vec<Case> = serde_json::from_str(CASES).unwrap();
    let mut tokens: HashMap<String, String> = HashMap::new();
    for user in cases.iter().filter_map(|c| c.user.clone()) {
        if let std::collections::hash_map::Entry::Vacant(entry) = tokens.entry(user) {
            let token = app.login(entry.key()).await;
            entry.insert(token);
        }
    }
    let admin = match tokens.get("admin") {
        Some(token) => token.clone(),
        None => app.login("admin").await,
    };
    let before = stored(&app, &admin).await;
    let mut failures = Vec::new();
    for case in &cases {
        let method = reqwest::Method::from_bytes(case.method.as_bytes()).unwrap();
        let mut request = app.http.request(method, app.url(&expand(&case.path)));
        if let Some(token) = case.user.as_ref().and_then(|u| tokens.get(u)) {
            request = match case.cookie {
                true => request.header("cookie", format!("odf_session={token}")),
                false => request.bearer_auth(token),
            };
        }
        for (name, value) in &case.headers {
            request = request.header(name.as_str(), expand(value));
        }
        if let Some(body) = &case.body {
            request = request.json(&expand_json(body));
        }
        if let Some(raw) = &case.raw {
            request = request.body(expand(raw));
        }
        let response = request.send().await.unwrap();
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok());
        let is_html = content_type.is_some_and(|t| t.starts_with("text/html"));
        let (status, body) = split(response).await;
        let mut answered = (status, body["error"]["code"].as_str().map(str::to_owned));
        if let Some(code) = &case.result_code {
            let first = &body["results"][0];
            if first["status"] == "rejected" && first["code"].as_str() == Some(code.as_str()) {
                answered.1 = None;
            } else {
                answered.1 = Some(format!("results[0] {first}"));
            }
        }
        let shaped = if case.html { is_html } else { status < 400 || body["error"]["message"].is_string() };
        if answered != (case.status, case.code.clone()) || !shaped {
            let shown: String = body.to_string().chars().take(300).collect();
            failures.push(format!(
                "{}: expected {} {:?}, got {status} {shown}",
                case.name, case.status, case.code
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert_eq!(stored(&app, &admin).await, before, "a hostile case changed stored records");
    // Straight to stderr, past the test harness's capture, so `.ci/run`'s log shows the count.
    let backend = app.db_url.split(':').next().unwrap_or_default();
    let line = format!(
        "hostile cases tried: {} on {backend}, all answered as written, nothing changed\n",
        cases.len()
    );
    std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes()).unwrap();
}
