//! The API contract an integrator relies on (issue 13): `as_of` on every coverage route, one day
//! boundary (the area's local day), response schemas, certificate issue times and one timestamp
//! format, ids from other tools, refusals with fields and human words, the triggering date.

use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use odf_domain::{AreaCode, Category, EventKind, StatusEvent};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::*;

/// Hours ahead of UTC in Buton (province 74, WITA).
const WITA: i64 = 8;

fn buton_day(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::hours(WITA)).date_naive()
}

/// `at` on `day` at `hour:minute` Buton time.
fn buton_time(day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    day.and_hms_opt(hour, minute, 0).unwrap().and_utc() - Duration::hours(WITA)
}

fn device() -> Value {
    json!({ "device_id": "hp", "app_version": "t", "pending_count": 0 })
}

async fn push(app: &TestApp, token: &str, households: &[Value], visits: &[Value]) -> Vec<Value> {
    let body = json!({ "device": device(), "households": households, "visits": visits });
    let (status, response) = app.post("/v1/sync/push", token, &body).await;
    assert_eq!(status, 200, "{response}");
    response["results"].as_array().unwrap().clone()
}

fn home(id: Uuid, village: &str, kk: u16) -> Value {
    json!({ "id": id, "village": village, "head_name": "Kepala", "kk_count": kk })
}

fn visit(id: Uuid, household: Uuid, by: &str, at: DateTime<Utc>, category: &str) -> Value {
    json!({
        "id": id, "household_id": household, "sanitarian": by,
        "visited_at": at, "category": category, "device_id": "hp",
    })
}

async fn event(app: &TestApp, village: &str, kind: EventKind, at: DateTime<Utc>) {
    let event = StatusEvent { kind, actor: "ver".to_owned(), at, reason: None };
    app.store.apply_status_event(AreaCode::parse(village).unwrap(), event).await.unwrap();
}

/// Item 1: `as_of` reaches the village list, the ranking, the STBM recap and DHIS2 (whose period
/// follows it), and each route refuses the parameters it does not take.
pub async fn as_of_reaches_every_coverage_route_and_unknown_parameters_are_refused(app: Arc<TestApp>) {
    let san = app.login("san_a").await;
    let today = buton_day(Utc::now());
    let (h, long_ago) = (Uuid::now_v7(), today - Duration::days(40));
    let visits = [
        visit(Uuid::now_v7(), h, "san_a", buton_time(long_ago, 10, 0), "babs_terbuka"),
        visit(Uuid::now_v7(), h, "san_a", buton_time(today - Duration::days(2), 10, 0), "aman"),
    ];
    push(&app, &san, &[home(h, VILLAGE_A, 2)], &visits).await;
    event(&app, VILLAGE_A, EventKind::Trigger, buton_time(long_ago, 9, 0)).await;
    let viewer = app.login("viewer").await;
    let past = today - Duration::days(10);

    let (status, body) = app.get(&format!("/v1/coverage/74.04.81/villages?as_of={past}"), &viewer).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["date"], past.to_string());
    let a = &body["children"][0];
    assert_eq!(a["code"], VILLAGE_A);
    assert_eq!(
        (a["kk_akses"]["numerator"].as_i64(), a["kk_akses"]["denominator"].as_i64()),
        (Some(0), Some(2))
    );
    assert_eq!(a["village"]["status"], "dipicu");
    let (_, now) = app.get("/v1/coverage/74.04.81/villages", &viewer).await;
    assert_eq!(now["children"][0]["kk_akses"]["numerator"], 2);

    let (status, ranked) =
        app.get(&format!("/v1/coverage/74.04/ranking?by=kk_akses&as_of={past}"), &viewer).await;
    assert_eq!(status, 200, "{ranked}");
    assert_eq!(ranked["children"][0]["code"], "74.04.81");
    assert_eq!(ranked["children"][0]["kk_akses"]["percent"].as_f64(), Some(0.0));

    let response =
        app.http.get(app.url(&format!("/v1/coverage/74.04.81/stbm.csv?as_of={past}"))).bearer_auth(&viewer);
    let recap = response.send().await.unwrap().text().await.unwrap();
    let row = recap.lines().nth(1).unwrap();
    assert!(
        row.starts_with(&format!(
            "{VILLAGE_A},Desa Contoh Satu 1,Contoh Satu,2,0,0,0,2,0,0.00,dipicu,{past}"
        )),
        "{row}"
    );

    let (status, dhis2) = app.get(&format!("/v1/coverage/74.04.81/dhis2?as_of={past}"), &viewer).await;
    assert_eq!(status, 200, "{dhis2}");
    assert_eq!(dhis2["period"], past.format("%Y%m").to_string());
    assert_eq!(dhis2["completeDate"], past.to_string());
    let access = dhis2["dataValues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["dataElement"] == "ODF_KK_AKSES" && v["orgUnit"] == VILLAGE_A)
        .unwrap()
        .clone();
    assert_eq!(access["value"], "0");
    // A past period alone: the values at the end of its last day.
    let month_before = (long_ago - chrono::Months::new(1)).format("%Y%m");
    let (status, old) = app.get(&format!("/v1/coverage/74.04.81/dhis2?period={month_before}"), &viewer).await;
    assert_eq!(status, 200, "{old}");
    assert!(old["completeDate"].as_str().unwrap() < long_ago.to_string().as_str(), "{old}");
    let (status, body) =
        app.get(&format!("/v1/coverage/74.04.81/dhis2?period={month_before}&as_of={today}"), &viewer).await;
    assert_eq!((status, body["error"]["field"].as_str()), (400, Some("as_of")), "{body}");

    let (status, series) = app.get(&format!("/v1/coverage/74.04.81/series?as_of={past}"), &viewer).await;
    assert_eq!(status, 200, "{series}");
    let last = series["points"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kk_akses"]["numerator"], 0);

    for (path, name) in [
        ("/v1/coverage/74.04?foo=1", "foo"),
        ("/v1/coverage/74.04?as_of=2026-01-01&period=202601", "period"),
        ("/v1/coverage/74.04/stbm.csv?format=csv", "format"),
        ("/v1/coverage/74.04/series?by=kk_akses", "by"),
        ("/v1/coverage/74.04/dhis2?lang=en", "lang"),
        ("/v1/coverage/74.04/villages?by=kk_akses", "by"),
        ("/v1/coverage/74.04/ranking?period=202601", "period"),
    ] {
        let (status, body) = app.get(path, &viewer).await;
        assert_eq!(
            (status, body["error"]["code"].as_str(), body["error"]["field"].as_str()),
            (400, Some("invalid_query"), Some(name)),
            "{path}: {body}"
        );
        assert!(body["error"]["message"].as_str().unwrap().contains(name), "{body}");
    }
}

/// Item 2: a date is the area's local calendar day, for visits, status changes and printed dates.
pub async fn a_date_is_the_local_day_of_the_area(app: Arc<TestApp>) {
    let san = app.login("san_a").await;
    let day = buton_day(Utc::now()) - Duration::days(5);
    let h = Uuid::now_v7();
    // 04:00 WITA on `day` is 20:00 UTC the day before.
    let early = buton_time(day, 4, 0);
    assert_eq!(early.date_naive(), day - Duration::days(1));
    push(&app, &san, &[home(h, VILLAGE_A, 1)], &[visit(Uuid::now_v7(), h, "san_a", early, "aman")]).await;
    // Certified at 00:30 WITA on `day`.
    for (i, kind) in [EventKind::Trigger, EventKind::Claim, EventKind::StartVerification, EventKind::Pass]
        .into_iter()
        .enumerate()
    {
        event(&app, VILLAGE_A, kind, buton_time(day, 0, 27 + u32::try_from(i).unwrap())).await;
    }
    let viewer = app.login("viewer").await;
    let figures = |day: NaiveDate| {
        let (app, viewer) = (app.clone(), viewer.clone());
        async move {
            let (status, body) = app.get(&format!("/v1/coverage/74.04.81?as_of={day}"), &viewer).await;
            assert_eq!(status, 200, "{body}");
            body
        }
    };
    let before = figures(day - Duration::days(1)).await;
    assert_eq!(before["area"]["kk_akses"]["denominator"], 0, "{before}");
    assert_eq!(before["area"]["desa_sbs"]["numerator"], 0);
    let on = figures(day).await;
    assert_eq!(on["date"], day.to_string());
    assert_eq!(
        (on["area"]["kk_akses"]["numerator"].as_i64(), on["area"]["desa_sbs"]["numerator"].as_i64()),
        (Some(1), Some(1))
    );
    // The figures end at the end of the local day: 15:59:59.999999 UTC in WITA.
    assert_eq!(on["area"]["as_of"], format!("{day}T15:59:59.999999Z"));
    let response =
        app.http.get(app.url(&format!("/v1/coverage/74.04.81?as_of={day}&format=csv"))).bearer_auth(&viewer);
    let csv = response.send().await.unwrap().text().await.unwrap();
    assert!(csv.lines().nth(1).unwrap().ends_with(&format!(",{day}")), "{csv}");
    // The history dates the change by the village's day too.
    let admin = app.login("admin").await;
    let history = crate::verification::history(&app, &admin).await;
    let pass = history["changes"].as_array().unwrap().iter().find(|c| c["event"] == "pass").unwrap().clone();
    assert_eq!(pass["date"], day.to_string());
}

/// Item 3 and 7: every coverage route has a response schema, and the documents say what the past
/// denominator of % KK akses counts.
#[test]
fn every_coverage_route_has_a_response_schema() {
    let doc: Value = serde_json::from_str(&odf_server::openapi::api_doc_json()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let coverage: Vec<&String> = paths.keys().filter(|p| p.starts_with("/v1/coverage/")).collect();
    assert_eq!(coverage.len(), 6, "{coverage:?}");
    for path in coverage {
        let ok = &paths[path]["get"]["responses"]["200"];
        let content = ok["content"].as_object().unwrap_or_else(|| panic!("{path}: no content"));
        assert!(content.values().all(|c| c["schema"].is_object()), "{path}: {ok}");
    }
    let schemas = &doc["components"]["schemas"];
    for name in [
        "AreaCoverage",
        "Ranking",
        "Villages",
        "Series",
        "DataValueSet",
        "AreaFigures",
        "Figure",
        "Freshness",
    ] {
        assert!(schemas[name].is_object(), "no schema {name}");
    }
    assert_eq!(schemas["AreaCoverage"]["properties"]["area"]["$ref"], "#/components/schemas/AreaFigures");
    let denominator = schemas["Figure"]["properties"]["denominator"]["description"].as_str().unwrap();
    assert!(denominator.contains("households known by then"), "{denominator}");
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    assert!(readme.contains("households known by then"));
}

/// Every string in `value` that reads as a timestamp has exactly six fractional digits. Audit
/// `details` are skipped: they are shown exactly as recorded (hash-chained), in older formats too.
fn assert_six_digits(value: &Value, context: &str) {
    match value {
        Value::Object(fields) if fields.contains_key("hash") && fields.contains_key("details") => {
            fields.iter().filter(|(k, _)| *k != "details").for_each(|(_, v)| assert_six_digits(v, context));
        }
        Value::String(text) if DateTime::parse_from_rfc3339(text).is_ok() => {
            let fraction = text.split('.').nth(1).unwrap_or_default();
            assert!(fraction.len() == 7 && fraction.ends_with('Z'), "{context}: {text}");
        }
        Value::Array(items) => items.iter().for_each(|v| assert_six_digits(v, context)),
        Value::Object(fields) => fields.values().for_each(|v| assert_six_digits(v, context)),
        _ => {}
    }
}

/// Item 4 and 8: a certificate carries its exact issue time; every timestamp has six digits; the
/// triggering shows as the date it was held.
pub async fn certificates_carry_their_issue_time_and_timestamps_have_one_format(app: Arc<TestApp>) {
    let decided = crate::verification::certified(&app).await;
    let certificate = &decided["certificate"];
    let issued_at: DateTime<Utc> = certificate["issued_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(certificate["issued_on"], buton_day(issued_at).to_string());
    assert_eq!(certificate["issued_at"], decided["decision"]["decided_at"]);
    assert_six_digits(&decided, "decision");
    let id = certificate["id"].as_str().unwrap();
    let (status, check) = app.get_public(&format!("/v1/public/certificates/{id}")).await;
    assert_eq!(status, 200, "{check}");
    assert_eq!(check["issued_at"], certificate["issued_at"]);
    assert_six_digits(&check, "public check");

    let admin = app.login("admin").await;
    let history = crate::verification::history(&app, &admin).await;
    assert_six_digits(&history, "history");
    // `claimed_village` triggered 40 days before today (UTC).
    let triggered_on = Utc::now().date_naive() - chrono::Days::new(40);
    let trigger =
        history["changes"].as_array().unwrap().iter().find(|c| c["event"] == "trigger").unwrap().clone();
    assert_eq!(trigger["date"], triggered_on.to_string());
    assert_eq!(trigger["at"], format!("{}T16:00:00.000000Z", triggered_on - Duration::days(1)));

    let viewer = app.login("viewer").await;
    for path in ["/v1/coverage/74.04", "/v1/coverage/74.04/series", "/v1/me"] {
        let (status, body) = app.get(path, &viewer).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_six_digits(&body, path);
    }
}

/// Item 5: ids from other tools (UUID v4) are taken; nil and max are refused with `invalid_id`.
pub async fn any_rfc_9562_uuid_is_an_id_but_nil_and_max_are_not(app: Arc<TestApp>) {
    let san = app.login("san_a").await;
    let v4 = Uuid::new_v4();
    let results = push(
        &app,
        &san,
        &[home(v4, VILLAGE_A, 1), home(Uuid::nil(), VILLAGE_A, 1)],
        &[
            visit(Uuid::new_v4(), v4, "san_a", Utc::now(), "aman"),
            visit(Uuid::max(), v4, "san_a", Utc::now(), "aman"),
        ],
    )
    .await;
    let expected = [
        json!({ "status": "accepted" }),
        json!({ "status": "rejected", "code": "invalid_id", "field": "households[1].id" }),
        json!({ "status": "accepted" }),
        json!({ "status": "rejected", "code": "invalid_id", "field": "visits[1].id" }),
    ];
    assert_eq!(results.len(), expected.len());
    for (got, want) in results.iter().zip(&expected) {
        for (key, value) in want.as_object().unwrap() {
            assert_eq!(&got[key], value, "{got}");
        }
        assert!(want.get("code").is_some() || got["code"].is_null(), "{got}");
    }
    assert!(results[1]["message"].as_str().unwrap().contains("RFC 9562"), "{}", results[1]);
    let action = json!({
        "id": Uuid::nil(), "recorded_at": Utc::now(),
        "action": { "type": "trigger", "village": VILLAGE_A, "triggered_on": buton_day(Utc::now()) },
    });
    let body = json!({ "device": device(), "village_actions": [action] });
    let (status, response) = app.post("/v1/sync/push", &san, &body).await;
    assert_eq!(status, 200, "{response}");
    assert_eq!(response["results"][0]["code"], "invalid_id", "{response}");
    let edit = json!({
        "edit_id": Uuid::max(), "household_id": v4, "base_revision": 1,
        "edited_at": Utc::now(), "changes": { "head_name": "Baru" },
    });
    let body = json!({ "device": device(), "household_edits": [edit] });
    let (_, response) = app.post("/v1/sync/push", &san, &body).await;
    assert_eq!(response["results"][0]["code"], "invalid_id", "{response}");
    assert_eq!(response["results"][0]["field"], "household_edits[0].edit_id");
}

/// Item 6: `unknown_household` names its field; refusals of status changes use words, not the
/// code's names.
pub async fn refusals_name_their_field_in_human_words(app: Arc<TestApp>) {
    let san = app.login("san_a").await;
    let results =
        push(&app, &san, &[], &[visit(Uuid::now_v7(), Uuid::now_v7(), "san_a", Utc::now(), "aman")]).await;
    assert_eq!(results[0]["code"], "unknown_household");
    assert_eq!(results[0]["field"], "visits[0].household_id");
    // Claiming a village never triggered.
    let (status, body) = app.post(&format!("/v1/villages/{VILLAGE_B}/claim"), &san, &json!({})).await;
    assert!(status >= 400, "{body}");
    let admin = app.login("admin").await;
    let (status, body) = app
        .post(&format!("/v1/certificates/{}/revoke", Uuid::now_v7()), &admin, &json!({ "reason": "x" }))
        .await;
    assert!(status >= 400, "{body}");
    let error = odf_domain::TransitionError::NotAllowed {
        from: odf_domain::VillageStatus::BelumDipicu,
        event: EventKind::StartVerification,
    };
    let reason = odf_domain::TransitionError::ReasonRequired(EventKind::Revoke);
    for message in [error.to_string(), reason.to_string()] {
        for internal in ["StartVerification", "Revoke", "BelumDipicu", "'"] {
            assert!(!message.contains(internal), "{message}");
        }
    }
    assert_eq!(
        error.to_string(),
        "Memulai verifikasi tidak boleh dari status belum dipicu (Starting a verification is not allowed from status not yet triggered)"
    );
    // Through the API: a verification opened for a village that was never claimed.
    let (status, body) = app
        .post(
            &format!("/v1/villages/{VILLAGE_B}/verifications"),
            &app.login("ver").await,
            &json!({
                "team": [
                    { "username": "ver", "name": "V1" }, { "username": "ver2", "name": "V2" },
                    { "username": "ver3", "name": "V3" },
                ],
                "plan": { "kind": "all_households" },
            }),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(!message.contains("StartVerification") && message.contains("Memulai verifikasi"), "{message}");
}

/// A household for the recount: its village (index), KK, and visits (time, category).
type Fact = (usize, i64, Vec<(DateTime<Utc>, Category)>);

/// The property: at a past date, the village list, the ranking, the STBM recap and DHIS2 equal a
/// brute-force recount of the same facts (proptest-generated, a few dozen dates).
pub async fn past_figures_of_every_export_equal_a_brute_force_recount(app: Arc<TestApp>) {
    use proptest::prelude::*;
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    // (village 0-5, KK 1-3, visits as (minutes before now, category)); statuses: steps 0-4 from a
    // start (minutes before now), an hour apart.
    let world = (
        prop::collection::vec(
            (0usize..6, 1u16..4, prop::collection::vec((0i64..60 * 24 * 60, 0usize..6), 0..4)),
            1..25,
        ),
        prop::collection::vec((0usize..5, 60i64..60 * 24 * 60), 6),
        prop::collection::vec(1i64..62, 30),
    );
    let mut runner = TestRunner::deterministic();
    let (homes, statuses, days) = world.new_tree(&mut runner).unwrap().current();

    let now = Utc::now();
    let villages: Vec<String> = (1..=6).map(|i| format!("74.04.81.200{i}")).collect();
    let admin = app.login("admin").await;
    let mut households = Vec::new();
    let mut visits = Vec::new();
    // (village, kk, visits as (at, category)), for the recount.
    let mut facts: Vec<Fact> = Vec::new();
    for (n, (village, kk, seen)) in homes.iter().enumerate() {
        let id = Uuid::now_v7();
        households.push(home(id, &villages[*village], *kk));
        let mut dated = Vec::new();
        for (k, (minutes, category)) in seen.iter().enumerate() {
            // Distinct seconds, so no two visits of a household tie.
            let at = now - Duration::minutes(*minutes) - Duration::seconds((n * 4 + k) as i64 % 60);
            let category = Category::ALL[*category];
            visits.push(visit(Uuid::now_v7(), id, "admin", at, category.as_str()));
            dated.push((at, category));
        }
        facts.push((*village, i64::from(*kk), dated));
    }
    for result in push(&app, &admin, &households, &visits).await {
        assert_eq!(result["status"], "accepted", "{result}");
    }
    let steps = [EventKind::Trigger, EventKind::Claim, EventKind::StartVerification, EventKind::Pass];
    let targets = ["dipicu", "klaim_sbs", "verifikasi", "sbs"];
    let mut changes: Vec<Vec<(DateTime<Utc>, &str)>> = vec![Vec::new(); 6];
    for (village, &(count, start)) in statuses.iter().enumerate() {
        for (i, kind) in steps.iter().take(count).enumerate() {
            let at = now - Duration::minutes(start) + Duration::hours(i as i64);
            let at = at.min(now - Duration::minutes(1));
            event(&app, &villages[village], *kind, at).await;
            changes[village].push((at, targets[i]));
        }
    }

    let viewer = app.login("viewer").await;
    let today = buton_day(now);
    for back in days {
        let day = today - Duration::days(back);
        // The recount: per village KK, KK with access, KK per legacy code, status.
        let mut expected = Vec::new();
        for (v, history) in changes.iter().enumerate() {
            let (mut kk, mut access, mut legacy) = (0, 0, [0i64; 4]);
            for (_, count, dated) in facts.iter().filter(|f| f.0 == v) {
                let latest = dated.iter().filter(|(at, _)| buton_day(*at) <= day).max_by_key(|(at, _)| *at);
                if let Some((_, category)) = latest {
                    kk += count;
                    access += if category.has_access() { *count } else { 0 };
                    legacy[category.legacy().index()] += count;
                }
            }
            let status =
                history.iter().rfind(|(at, _)| buton_day(*at) <= day).map_or("belum_dipicu", |c| c.1);
            expected.push((kk, access, legacy, status));
        }

        let (status, list) = app.get(&format!("/v1/coverage/74.04.81/villages?as_of={day}"), &viewer).await;
        assert_eq!(status, 200, "{list}");
        for (row, (kk, access, _, status)) in list["children"].as_array().unwrap().iter().zip(&expected) {
            let got = (row["kk_akses"]["denominator"].as_i64(), row["kk_akses"]["numerator"].as_i64());
            assert_eq!(got, (Some(*kk), Some(*access)), "{day} {}", row["code"]);
            assert_eq!(row["village"]["status"], *status, "{day} {}", row["code"]);
        }

        let (_, ranked) =
            app.get(&format!("/v1/coverage/74.04/ranking?by=kk_akses&as_of={day}"), &viewer).await;
        let ours =
            ranked["children"].as_array().unwrap().iter().find(|c| c["code"] == "74.04.81").unwrap().clone();
        let kk: i64 = expected.iter().map(|e| e.0).sum();
        let access: i64 = expected.iter().map(|e| e.1).sum();
        let sbs = expected.iter().filter(|e| e.3 == "sbs").count() as i64;
        assert_eq!(
            (ours["kk_akses"]["denominator"].as_i64(), ours["kk_akses"]["numerator"].as_i64()),
            (Some(kk), Some(access)),
            "{day}"
        );
        assert_eq!(
            (ours["desa_sbs"]["numerator"].as_i64(), ours["desa_sbs"]["denominator"].as_i64()),
            (Some(sbs), Some(6))
        );

        let response = app
            .http
            .get(app.url(&format!("/v1/coverage/74.04.81/stbm.csv?as_of={day}")))
            .bearer_auth(&viewer);
        let recap = response.send().await.unwrap().text().await.unwrap();
        for (line, (kk, _, legacy, status)) in recap.lines().skip(1).zip(&expected) {
            let cells: Vec<&str> = line.split(',').collect();
            let got: Vec<i64> = cells[3..8].iter().map(|c| c.parse().unwrap()).collect();
            assert_eq!(got, vec![*kk, legacy[0], legacy[1], legacy[2], legacy[3]], "{day}: {line}");
            assert_eq!((cells[10], cells[11]), (*status, day.to_string().as_str()), "{line}");
        }

        let (_, dhis2) = app.get(&format!("/v1/coverage/74.04.81/dhis2?as_of={day}"), &viewer).await;
        assert_eq!(dhis2["period"], day.format("%Y%m").to_string());
        let values = dhis2["dataValues"].as_array().unwrap();
        for (v, (kk, access, _, status)) in expected.iter().enumerate() {
            let value = |element: &str| {
                values.iter().find(|x| x["dataElement"] == element && x["orgUnit"] == villages[v]).unwrap()["value"]
                    .clone()
            };
            assert_eq!(value("ODF_KK_TERDAFTAR"), kk.to_string(), "{day}");
            assert_eq!(value("ODF_KK_AKSES"), access.to_string(), "{day}");
            assert_eq!(value("ODF_DESA_SBS"), if *status == "sbs" { "1" } else { "0" }, "{day}");
        }
    }
}
