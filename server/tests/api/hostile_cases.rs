//! Hostile requests kept as data (`hostile_cases.json`: request, expected status, expected code),
//! run by one test on both databases. Each case must be answered as written, in the error shape, and
//! none may change the stored records: households, visits, tallies (a recount agrees) and the audit
//! chain are the same before and after. A new case is a new entry in the file.

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
}

const CASES: &str = include_str!("hostile_cases.json");

/// What must not change: households, visits, villages recounted, audit entries.
async fn stored(app: &TestApp) -> (usize, usize, usize, usize) {
    let recount = app.store.recount().await.unwrap();
    assert!(recount.differences.is_empty(), "{:?}", recount.differences);
    let audit = app.store.verify_audit_chain().await.unwrap();
    assert_eq!(audit.first_broken, None);
    (recount.households, recount.visits, recount.villages_checked, audit.entries)
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
    let before = stored(&app).await;
    let mut failures = Vec::new();
    for case in &cases {
        let method = reqwest::Method::from_bytes(case.method.as_bytes()).unwrap();
        let mut request = app.http.request(method, app.url(&case.path));
        if let Some(token) = case.user.as_ref().and_then(|u| tokens.get(u)) {
            request = request.bearer_auth(token);
        }
        for (name, value) in &case.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if let Some(body) = &case.body {
            request = request.json(body);
        }
        if let Some(raw) = &case.raw {
            request = request.body(raw.clone());
        }
        let (status, body) = split(request.send().await.unwrap()).await;
        let mut answered = (status, body["error"]["code"].as_str().map(str::to_owned));
        if let Some(code) = &case.result_code {
            let first = &body["results"][0];
            if first["status"] == "rejected" && first["code"].as_str() == Some(code.as_str()) {
                answered.1 = None;
            } else {
                answered.1 = Some(format!("results[0] {first}"));
            }
        }
        let shaped = status < 400 || body["error"]["message"].is_string();
        if answered != (case.status, case.code.clone()) || !shaped {
            failures.push(format!(
                "{}: expected {} {:?}, got {status} {body}",
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
    assert_eq!(stored(&app).await, before, "a hostile case changed stored records");
    println!("hostile cases tried: {}", cases.len());
}
