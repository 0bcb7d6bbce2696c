//! Village actions pushed from phones (`PushRequest::village_actions`), on SQLite and (with
//! `ODF_TEST_POSTGRES_URL`) PostgreSQL: the whole path from visits to a certificate without a single
//! REST call for the steps, replays answered from the receipt, and refusals that store nothing.

use std::sync::Arc;

use crate::common::*;
use chrono::{DateTime, Duration, Utc};
use odf_mobile_api::{CertificateChangeDto, VerificationChangeDto};
use serde_json::{Value, json};
use uuid::Uuid;

fn household(village: &str, rt: usize) -> Value {
    json!({
        "id": Uuid::now_v7(), "village": village, "head_name": format!("Kepala {rt}"), "kk_count": 1,
        "dusun": "Dusun I", "rw": "1", "rt": rt.to_string(),
    })
}

fn visit(household: &Value, by: &str, category: &str, at: DateTime<Utc>) -> Value {
    let checklist: serde_json::Map<String, Value> =
        ALL_YES.iter().map(|k| ((*k).to_owned(), json!(true))).collect();
    json!({
        "id": Uuid::now_v7(), "household_id": household["id"], "sanitarian": by, "visited_at": at,
        "category": category, "checklist": checklist, "device_id": format!("hp-{by}"),
    })
}

#[allow(clippy::needless_pass_by_value)] // callers build the body inline
fn action(recorded_at: DateTime<Utc>, body: Value) -> Value {
    json!({ "id": Uuid::now_v7(), "recorded_at": recorded_at, "action": body })
}

/// Pushes and returns the results.
async fn push(
    app: &TestApp,
    token: &str,
    households: &[Value],
    visits: &[Value],
    actions: &[Value],
) -> Vec<Value> {
    let body = json!({
        "device": { "device_id": "hp", "app_version": "t", "pending_count": 0 },
        "households": households, "visits": visits, "village_actions": actions,
    });
    let (status, response) = app.post("/v1/sync/push", token, &body).await;
    assert_eq!(status, 200, "{response}");
    response["results"].as_array().unwrap().clone()
}

fn statuses(results: &[Value]) -> Vec<&str> {
    results.iter().map(|r| r["status"].as_str().unwrap()).collect()
}

async fn status_of(app: &TestApp, token: &str) -> String {
    let (status, body) = app.get(&format!("/v1/villages/{VILLAGE_A}/history"), token).await;
    assert_eq!(status, 200, "{body}");
    body["status"].as_str().unwrap().to_owned()
}

async fn pulled(app: &TestApp, token: &str, kind: &str) -> Vec<Value> {
    let (status, body) = app.get("/v1/sync/pull?cursor=0&limit=1000", token).await;
    assert_eq!(status, 200, "{body}");
    body["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == kind)
        .map(|c| c["data"].clone())
        .collect()
}

fn team() -> Value {
    json!([
        { "username": "ver", "name": "Verifikator Satu", "position": "Sanitarian Puskesmas" },
        { "username": "ver2", "name": "Verifikator Dua" },
        { "username": "ver3", "name": "Verifikator Tiga" },
    ])
}

fn all_met() -> Value {
    let c = json!({ "met": true, "note": "diperiksa" });
    json!({ "no_visible_faeces": c, "rules_and_sanctions": c, "monitoring": c })
}

/// Six households with access, visited, triggered and claimed in one push (the claim comes after
/// the visits that make the village eligible). Returns the households.
async fn claimed_by_push(app: &TestApp) -> Vec<Value> {
    let san = app.login("san_a").await;
    let homes: Vec<Value> = (0..6).map(|i| household(VILLAGE_A, i % 3 + 1)).collect();
    let visits: Vec<Value> =
        homes.iter().map(|h| visit(h, "san_a", "aman", Utc::now() - Duration::days(3))).collect();
    let triggered_on = (Utc::now() - Duration::days(40)).date_naive();
    let actions = [
        action(Utc::now(), json!({ "type": "trigger", "village": VILLAGE_A, "triggered_on": triggered_on })),
        action(Utc::now(), json!({ "type": "claim", "village": VILLAGE_A, "note": "100% akses" })),
    ];
    let results = push(app, &san, &homes, &visits, &actions).await;
    assert!(results.iter().all(|r| r["status"] == "accepted"), "{results:?}");
    assert_eq!(results.last().unwrap()["kind"], "village_action");
    homes
}

pub async fn a_village_goes_from_visits_to_a_certificate_by_pushed_actions_alone(app: Arc<TestApp>) {
    let homes = claimed_by_push(&app).await;
    let ver = app.login("ver").await;
    assert_eq!(status_of(&app, &ver).await, "klaim_sbs");

    // The opening: its id becomes the verification's, and the sample reaches the team by pull.
    let open = action(
        Utc::now(),
        json!({
            "type": "open_verification", "village": VILLAGE_A, "team": team(), "plan": { "kind": "all_households" },
        }),
    );
    let id = open["id"].as_str().unwrap().to_owned();
    assert_eq!(statuses(&push(&app, &ver, &[], &[], &[open]).await), ["accepted"]);
    let ver2 = app.login("ver2").await;
    let verifications = pulled(&app, &ver2, "verification").await;
    let change: VerificationChangeDto =
        serde_json::from_value(verifications.last().unwrap().clone()).unwrap();
    assert_eq!(change.id.to_string(), id);
    assert_eq!(change.sample.household_ids.len(), 6);
    assert_eq!(change.team.len(), 3);
    assert!(change.decision.is_none());
    assert_eq!(status_of(&app, &ver).await, "verifikasi");

    // Offline in the village: the visits, the criteria and Lulus, sent together when back in signal.
    let visits: Vec<Value> = homes.iter().map(|h| visit(h, "ver2", "layak_sendiri", Utc::now())).collect();
    assert!(push(&app, &ver2, &[], &visits, &[]).await.iter().all(|r| r["status"] == "accepted"));
    let decided_at = Utc::now();
    let steps = [
        action(decided_at, json!({ "type": "community", "verification_id": id, "criteria": all_met() })),
        action(
            decided_at,
            json!({
                "type": "decision", "verification_id": id,
                "decision": { "outcome": "lulus", "issuer_name": "La Ode Amir", "issuer_role": "Camat Contoh" },
            }),
        ),
    ];
    assert_eq!(statuses(&push(&app, &ver, &[], &[], &steps).await), ["accepted", "accepted"]);
    assert_eq!(status_of(&app, &ver).await, "sbs");

    let (status, verification) = app.get(&format!("/v1/verifications/{id}"), &ver).await;
    assert_eq!(status, 200, "{verification}");
    assert_eq!(verification["decision"]["outcome"], "lulus");
    assert_eq!(verification["decision"]["follows_suggestion"], true);
    // Dated when it was recorded on the phone, not when it arrived.
    let recorded: DateTime<Utc> =
        serde_json::from_value(verification["decision"]["decided_at"].clone()).unwrap();
    assert!((recorded - decided_at).num_milliseconds().abs() < 1000, "{recorded} vs {decided_at}");
    let certificate_id = verification["certificate"]["id"].as_str().unwrap().to_owned();

    // The phones pull the decision and the certificate; the public check says valid.
    let decided: VerificationChangeDto =
        serde_json::from_value(pulled(&app, &ver2, "verification").await.last().unwrap().clone()).unwrap();
    assert_eq!(decided.certificate_id.map(|c| c.to_string()), Some(certificate_id.clone()));
    let observed = decided.community.unwrap().recorded_at;
    assert!((observed - decided_at).num_milliseconds().abs() < 1000, "{observed} vs {decided_at}");
    let certificates = pulled(&app, &ver2, "certificate").await;
    let certificate: CertificateChangeDto = serde_json::from_value(certificates[0].clone()).unwrap();
    assert_eq!(certificate.signed.certificate.village_code, VILLAGE_A);
    assert!(certificate.signed.certificate.number.starts_with("ODF/74.04/"));
    assert!(certificate.revocation.is_none());
    let (status, check) = app.get_public(&format!("/v1/public/certificates/{certificate_id}")).await;
    assert_eq!((status, check["status"].as_str()), (200, Some("valid")), "{check}");
}

pub async fn a_replayed_action_is_a_duplicate_and_other_content_under_its_id_a_conflict(app: Arc<TestApp>) {
    claimed_by_push(&app).await;
    let ver = app.login("ver").await;
    let open = action(
        Utc::now(),
        json!({
            "type": "open_verification", "village": VILLAGE_A, "team": team(), "plan": { "kind": "all_households" },
        }),
    );
    assert_eq!(statuses(&push(&app, &ver, &[], &[], std::slice::from_ref(&open)).await), ["accepted"]);
    // The answer was lost: the phone sends it again, after the village moved on. Nothing changes.
    assert_eq!(statuses(&push(&app, &ver, &[], &[], std::slice::from_ref(&open)).await), ["duplicate"]);
    let mut other = open.clone();
    other["action"]["plan"] = json!({ "kind": "random_units", "level": "rt", "count": 1 });
    let results = push(&app, &ver, &[], &[], &[other]).await;
    assert_eq!(
        (results[0]["status"].as_str(), results[0]["code"].as_str()),
        (Some("conflict"), Some("conflict"))
    );
    let (status, history) = app.get(&format!("/v1/villages/{VILLAGE_A}/history"), &ver).await;
    assert_eq!(status, 200);
    assert_eq!(history["verification_ids"].as_array().unwrap().len(), 1);
}

pub async fn refused_actions_name_their_code_and_field_and_store_nothing(app: Arc<TestApp>) {
    let san = app.login("san_a").await;
    let ver = app.login("ver").await;
    let ver_luar = app.login("ver_luar").await;
    // Not eligible: no household registered yet.
    let claim = action(Utc::now(), json!({ "type": "claim", "village": VILLAGE_B }));
    let results = push(&app, &san, &[], &[], &[claim]).await;
    assert_eq!(results[0]["code"], "not_eligible", "{results:?}");
    assert_eq!(results[0]["field"], "village_actions[0]");
    // Outside the caller's villages, and the wrong role.
    let claim = action(Utc::now(), json!({ "type": "claim", "village": VILLAGE_UNASSIGNED }));
    let results = push(&app, &san, &[], &[], &[claim]).await;
    assert_eq!(
        (results[0]["code"].as_str(), results[0]["field"].as_str()),
        (Some("out_of_scope"), Some("village_actions[0].action.village"))
    );
    let homes = claimed_by_push(&app).await;
    let open = json!({
        "type": "open_verification", "village": VILLAGE_A, "team": team(), "plan": { "kind": "all_households" },
    });
    let results = push(&app, &san, &[], &[], &[action(Utc::now(), open.clone())]).await;
    assert_eq!(results[0]["code"], "forbidden");
    let results = push(&app, &ver_luar, &[], &[], &[action(Utc::now(), open.clone())]).await;
    assert_eq!(results[0]["code"], "out_of_scope");
    // A team with a member registered in the village.
    let mut with_sanitarian = open.clone();
    with_sanitarian["team"][2] = json!({ "username": "san_a", "name": "Sanitarian Desa" });
    let results = push(&app, &ver, &[], &[], &[action(Utc::now(), with_sanitarian)]).await;
    assert_eq!(results[0]["code"], "team_member_from_village", "{results:?}");
    assert_eq!(status_of(&app, &ver).await, "klaim_sbs");

    // Gagal without a reason, and a decision before the community criteria, are refused; a refused
    // action leaves no receipt, so the phone may send a corrected one under a new id.
    let opened = action(Utc::now(), open);
    let id = opened["id"].as_str().unwrap().to_owned();
    let visits: Vec<Value> =
        homes.iter().map(|h| visit(h, "ver", "BABS", Utc::now() + Duration::seconds(1))).collect();
    let results = push(&app, &ver, &[], &[], &[opened]).await;
    assert_eq!(statuses(&results), ["accepted"]);
    push(&app, &ver, &[], &visits, &[]).await;
    let gagal = |reasons: Value| {
        action(
            Utc::now() + Duration::seconds(2),
            json!({ "type": "decision", "verification_id": id, "decision": { "outcome": "gagal", "reasons": reasons } }),
        )
    };
    let results = push(&app, &ver, &[], &[], &[gagal(json!(["masih BABS"]))]).await;
    assert_eq!(results[0]["code"], "community_not_recorded", "{results:?}");
    let community =
        action(Utc::now(), json!({ "type": "community", "verification_id": id, "criteria": all_met() }));
    let results = push(&app, &ver, &[], &[], &[community, gagal(json!([]))]).await;
    assert_eq!(statuses(&results), ["accepted", "rejected"]);
    assert_eq!(results[1]["code"], "decision_reason_required", "{results:?}");
    assert_eq!(status_of(&app, &ver).await, "verifikasi");
    let results = push(&app, &ver, &[], &[], &[gagal(json!(["6 KK masih BABS"]))]).await;
    assert_eq!(statuses(&results), ["accepted"]);
    assert_eq!(status_of(&app, &ver).await, "dipicu");
    // An unknown verification id.
    let unknown = action(
        Utc::now(),
        json!({ "type": "community", "verification_id": Uuid::now_v7(), "criteria": all_met() }),
    );
    let results = push(&app, &ver, &[], &[], &[unknown]).await;
    assert_eq!(
        (results[0]["code"].as_str(), results[0]["field"].as_str()),
        (Some("not_found"), Some("village_actions[0].action.verification_id"))
    );
}
