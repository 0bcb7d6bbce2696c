//! The ODF verification path over real HTTP, on SQLite and (with `ODF_TEST_POSTGRES_URL`)
//! PostgreSQL: visits → eligible → claim → verification with a reproducible sample → verification
//! visits → Lulus → certificate → public check → BABS visit → slipped → revoke → public check.

use std::sync::Arc;

use crate::common::*;
use chrono::{Datelike, Duration, Utc};
use odf_domain::{HouseholdUnits, SamplingPlan, UnitLevel, draw_sample};
use serde_json::{Value, json};
use uuid::Uuid;

fn household(village: &str, rt: usize) -> Value {
    json!({
        "id": Uuid::now_v7(), "village": village, "head_name": format!("Kepala {rt}"), "kk_count": 1,
        "dusun": "Dusun I", "rw": "1", "rt": rt.to_string(),
    })
}

pub(crate) fn visit(household: &Value, by: &str, category: &str, at: chrono::DateTime<Utc>) -> Value {
    let checklist: serde_json::Map<String, Value> =
        ALL_YES.iter().map(|k| ((*k).to_owned(), json!(true))).collect();
    json!({
        "id": Uuid::now_v7(), "household_id": household["id"], "sanitarian": by, "visited_at": at,
        "category": category, "checklist": checklist, "device_id": format!("hp-{by}"),
    })
}

pub(crate) async fn push(app: &TestApp, token: &str, households: &[Value], visits: &[Value]) {
    let body = json!({
        "device": { "device_id": "hp", "app_version": "t", "pending_count": 0 },
        "households": households, "visits": visits,
    });
    let (status, response) = app.post("/v1/sync/push", token, &body).await;
    assert_eq!(status, 200, "{response}");
    for result in response["results"].as_array().unwrap() {
        assert_eq!(result["status"], "accepted", "{result}");
    }
}

pub(crate) fn team(members: &[&str]) -> Value {
    Value::Array(
        members
            .iter()
            .map(|u| json!({ "username": u, "name": format!("Nama {u}"), "position": "Staf" }))
            .collect(),
    )
}

/// Six households (two per RT) visited with access by `san_a` in VILLAGE_A, triggered and claimed.
pub(crate) async fn claimed_village(app: &TestApp) -> Vec<Value> {
    let san = app.login("san_a").await;
    let homes: Vec<Value> = (0..6).map(|i| household(VILLAGE_A, i % 3 + 1)).collect();
    let visits: Vec<Value> =
        homes.iter().map(|h| visit(h, "san_a", "aman", Utc::now() - Duration::days(3))).collect();
    push(app, &san, &homes, &visits).await;
    let today = Utc::now().date_naive() - chrono::Days::new(40);
    let (status, body) =
        app.post(&format!("/v1/villages/{VILLAGE_A}/trigger"), &san, &json!({ "triggered_on": today })).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app.post(&format!("/v1/villages/{VILLAGE_A}/claim"), &san, &json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "klaim_sbs");
    homes
}

pub(crate) async fn open(app: &TestApp, token: &str, plan: Value) -> (u16, Value) {
    let body = json!({ "team": team(&["ver", "ver2", "ver3"]), "plan": plan });
    app.post(&format!("/v1/villages/{VILLAGE_A}/verifications"), token, &body).await
}

fn sampled(verification: &Value) -> Vec<String> {
    verification["sample"]["household_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// Team visits (by `ver2`) finding `category` in every sampled household.
async fn verification_visits(app: &TestApp, homes: &[Value], verification: &Value, category: &str) {
    let token = app.login("ver2").await;
    let ids = sampled(verification);
    let visits: Vec<Value> = homes
        .iter()
        .filter(|h| ids.contains(&h["id"].as_str().unwrap().to_owned()))
        .map(|h| visit(h, "ver2", category, Utc::now()))
        .collect();
    push(app, &token, &[], &visits).await;
}

fn community(met: bool) -> Value {
    let c = json!({ "met": met, "note": "diperiksa bersama kepala desa" });
    json!({ "no_visible_faeces": c, "rules_and_sanctions": c, "monitoring": c })
}

/// The whole way to a certificate; returns the decided verification.
pub(crate) async fn certified(app: &TestApp) -> Value {
    let homes = claimed_village(app).await;
    let ver = app.login("ver").await;
    let (status, verification) = open(app, &ver, json!({ "kind": "all_households" })).await;
    assert_eq!(status, 201, "{verification}");
    verification_visits(app, &homes, &verification, "layak_sendiri").await;
    let id = verification["id"].as_str().unwrap();
    let (status, body) = app.put(&format!("/v1/verifications/{id}/community"), &ver, &community(true)).await;
    assert_eq!(status, 200, "{body}");
    let (status, decided) =
        app.post(&format!("/v1/verifications/{id}/decision"), &ver, &json!({ "outcome": "lulus" })).await;
    assert_eq!(status, 200, "{decided}");
    decided
}

pub(crate) async fn history(app: &TestApp, token: &str) -> Value {
    let (status, body) = app.get(&format!("/v1/villages/{VILLAGE_A}/history"), token).await;
    assert_eq!(status, 200, "{body}");
    body
}

pub async fn the_full_path_from_visits_to_a_certificate_slipping_and_revocation(app: Arc<TestApp>) {
    let san = app.login("san_a").await;
    let ver = app.login("ver").await;
    // Visits: one household still without access, so the village is not eligible yet.
    let homes: Vec<Value> = (0..6).map(|i| household(VILLAGE_A, i % 3 + 1)).collect();
    let mut visits: Vec<Value> =
        homes.iter().map(|h| visit(h, "san_a", "aman", Utc::now() - Duration::days(3))).collect();
    visits[0] = visit(&homes[0], "san_a", "BABS", Utc::now() - Duration::days(3));
    push(&app, &san, &homes, &visits).await;
    let trigger_day = Utc::now().date_naive() - chrono::Days::new(60);
    let path = |what: &str| format!("/v1/villages/{VILLAGE_A}/{what}");
    let (status, body) = app.post(&path("trigger"), &san, &json!({ "triggered_on": trigger_day })).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("dipicu")), "{body}");
    assert_eq!(body["eligibility"]["status"], "not_all_access");
    let (status, body) = app.post(&path("claim"), &san, &json!({})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("not_eligible")), "{body}");

    // Eligible once every household's latest visit finds access; then the claim.
    push(&app, &san, &[], &[visit(&homes[0], "san_a", "JSP", Utc::now() - Duration::days(1))]).await;
    let (status, body) = app.post(&path("claim"), &san, &json!({ "note": "100% akses" })).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("klaim_sbs")), "{body}");
    assert_eq!(body["eligibility"]["eligible"], true);

    // The verification: the server draws the seed; anyone re-derives the same sample from it.
    let plan = json!({ "kind": "random_units", "level": "rt", "count": 2 });
    let (status, verification) = open(&app, &ver, plan).await;
    assert_eq!(status, 201, "{verification}");
    let seed = verification["sample"]["seed"].as_u64().unwrap();
    let units = homes.iter().map(|h| HouseholdUnits {
        id: h["id"].as_str().unwrap().parse().unwrap(),
        dusun: Some("Dusun I".to_owned()),
        rw: Some("1".to_owned()),
        rt: Some(h["rt"].as_str().unwrap().to_owned()),
    });
    let again =
        draw_sample(units, SamplingPlan::RandomUnits { level: UnitLevel::Rt, count: 2 }, seed).unwrap();
    let expected: Vec<String> = again.household_ids.iter().map(ToString::to_string).collect();
    assert_eq!(sampled(&verification), expected);
    assert_eq!(verification["sample"]["units"].as_array().unwrap().len(), 2);
    assert_eq!(verification["state"], "open");
    let id = verification["id"].as_str().unwrap().to_owned();
    let (_, read) = app.get(&format!("/v1/verifications/{id}"), &ver).await;
    assert_eq!(read["sample"], verification["sample"]);
    // The team's phones get the verification, with its sample, on the change feed.
    let (_, pulled) = app.get("/v1/sync/pull?cursor=0", &ver).await;
    assert!(
        pulled["changes"].as_array().unwrap().iter().any(|c| c["kind"] == "verification" && c["id"] == id)
    );
    assert_eq!(history(&app, &san).await["status"], "verifikasi");

    // Verification visits, the community criteria, and Lulus with the certificate.
    verification_visits(&app, &homes, &verification, "aman").await;
    let (status, body) = app.put(&format!("/v1/verifications/{id}/community"), &ver, &community(true)).await;
    assert_eq!((status, body["suggestion"]["outcome"].as_str()), (200, Some("lulus")), "{body}");
    let request =
        json!({ "outcome": "lulus", "issuer_name": "La Ode Amir, S.Sos.", "issuer_role": "Camat Contoh" });
    let (status, decided) = app.post(&format!("/v1/verifications/{id}/decision"), &ver, &request).await;
    assert_eq!(status, 200, "{decided}");
    assert_eq!(
        (decided["state"].as_str(), decided["decision"]["outcome"].as_str()),
        (Some("decided"), Some("lulus"))
    );
    let minutes = &decided["berita_acara"];
    assert_eq!(minutes["findings"].as_array().unwrap().len(), expected.len());
    assert!(minutes["findings"].as_array().unwrap().iter().all(|f| f["category"] == "aman"));
    assert_eq!(minutes["data_hash"], decided["decision"]["data_hash"]);
    let certificate = &decided["certificate"];
    let number = format!("ODF/74.04/{}/0001", Utc::now().year());
    assert_eq!(
        (certificate["number"].as_str(), certificate["status"].as_str()),
        (Some(number.as_str()), Some("valid"))
    );
    assert_eq!(certificate["issuer_name"], "La Ode Amir, S.Sos.");
    assert_eq!(certificate["data_hash"], minutes["data_hash"]);
    assert_eq!(history(&app, &san).await["status"], "sbs");
    let (status, key) = app.get_public("/v1/public/key").await;
    assert_eq!((status, key["algorithm"].as_str()), (200, Some("ed25519")));
    assert_eq!(key["public_key"], certificate["public_key"]);

    // The public check, without login.
    let cert_id = certificate["id"].as_str().unwrap().to_owned();
    let check_path = format!("/v1/public/certificates/{cert_id}");
    assert!(certificate["public_url"].as_str().unwrap().ends_with(&check_path));
    let (status, check) = app.get_public(&check_path).await;
    assert_eq!(status, 200, "{check}");
    assert_eq!((check["genuine"].as_bool(), check["valid"].as_bool()), (Some(true), Some(true)), "{check}");
    assert_eq!((check["status"].as_str(), check["number"].as_str()), (Some("valid"), Some(number.as_str())));
    assert_eq!(check["village_name"], certificate["village_name"]);
    assert_eq!(check["issued_on"], certificate["issued_on"]);
    // A phone camera scanning the QR code opens a browser, which gets the same answer as a page.
    let page = app.http.get(app.url(&check_path)).header("accept", "text/html").send().await.unwrap();
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = page.text().await.unwrap();
    assert!(page.contains("asli dan masih berlaku"), "{page}");
    assert!(page.contains(certificate["village_name"].as_str().unwrap()));
    assert!(page.contains("Nomor piagam") && page.contains("check-valid"), "{page}");
    let english = format!("{check_path}?lang=en");
    let page = app.http.get(app.url(&english)).header("accept", "text/html").send().await.unwrap();
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Certificate number") && page.contains(certificate["number"].as_str().unwrap()),
        "{page}"
    );

    // A later visit finds open defecation: the village slips and its kecamatan's verifiers hear of it.
    push(&app, &san, &[], &[visit(&homes[5], "san_a", "babs_terbuka", Utc::now())]).await;
    let slipped = history(&app, &ver).await;
    assert_eq!(slipped["status"], "slipped");
    let last = slipped["changes"].as_array().unwrap().last().unwrap().clone();
    assert_eq!((last["event"].as_str(), last["actor"].as_str()), (Some("slip_detected"), Some("system")));
    let (status, notes) = app.get("/v1/notifications", &ver).await;
    assert_eq!(status, 200, "{notes}");
    let list = notes["notifications"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        (list[0]["kind"].as_str(), list[0]["village"].as_str()),
        (Some("village_slipped"), Some(VILLAGE_A))
    );
    let after = notes["next_after"].as_i64().unwrap();
    let (_, newer) = app.get(&format!("/v1/notifications?after={after}"), &ver).await;
    assert!(newer["notifications"].as_array().unwrap().is_empty());
    let (_, elsewhere) = app.get("/v1/notifications", &app.login("ver_luar").await).await;
    assert!(elsewhere["notifications"].as_array().unwrap().is_empty());
    let (status, _) = app.get("/v1/notifications", &san).await;
    assert_eq!(status, 403);
    // Slipped keeps the certificate until it is revoked or re-verified.
    let (_, check) = app.get_public(&check_path).await;
    assert_eq!(check["valid"], true);

    // Revocation, with a reason.
    let revoke = format!("/v1/certificates/{cert_id}/revoke");
    let (status, body) = app.post(&revoke, &ver, &json!({ "reason": "  " })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("reason_required")), "{body}");
    let (status, body) = app.post(&revoke, &ver, &json!({ "reason": "BABS ditemukan kembali" })).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("revoked")), "{body}");
    let (status, body) = app.post(&revoke, &ver, &json!({ "reason": "lagi" })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("certificate_revoked")));
    let (_, check) = app.get_public(&check_path).await;
    assert_eq!((check["genuine"].as_bool(), check["valid"].as_bool()), (Some(true), Some(false)), "{check}");
    assert_eq!(
        (check["status"].as_str(), check["revoke_reason"].as_str()),
        (Some("revoked"), Some("BABS ditemukan kembali"))
    );

    // The history tells it all, and the audit chain is whole.
    let done = history(&app, &san).await;
    assert_eq!(done["status"], "revoked");
    let path_taken: Vec<&str> =
        done["changes"].as_array().unwrap().iter().map(|c| c["to"].as_str().unwrap()).collect();
    assert_eq!(path_taken, ["dipicu", "klaim_sbs", "verifikasi", "sbs", "slipped", "revoked"]);
    let actions: Vec<&str> =
        done["audit"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    for action in [
        "village_status.trigger",
        "village_status.claim",
        "verification.open",
        "verification.community",
        "verification.decide",
        "certificate.issue",
        "village_status.slip_detected",
        "certificate.revoke",
    ] {
        assert!(actions.contains(&action), "{action} missing from {actions:?}");
    }
    assert_eq!(done["certificates"][0]["status"], "revoked");
    assert!(app.store.verify_audit_chain().await.unwrap().first_broken.is_none());
}

pub async fn a_gagal_returns_the_village_to_dipicu_with_reasons_its_sanitarians_can_read(app: Arc<TestApp>) {
    let homes = claimed_village(&app).await;
    let ver = app.login("ver").await;
    let (_, verification) = open(&app, &ver, json!({ "kind": "all_households" })).await;
    let id = verification["id"].as_str().unwrap().to_owned();
    let decide = format!("/v1/verifications/{id}/decision");
    let (status, body) = app.post(&decide, &ver, &json!({ "outcome": "gagal", "reasons": ["x"] })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("community_not_recorded")));
    // Only one household visited, and no monitoring: the rules suggest Gagal.
    push(&app, &app.login("ver3").await, &[], &[visit(&homes[0], "ver3", "aman", Utc::now())]).await;
    let mut criteria = community(true);
    criteria["monitoring"]["met"] = json!(false);
    app.put(&format!("/v1/verifications/{id}/community"), &ver, &criteria).await;
    let (status, body) = app.post(&decide, &ver, &json!({ "outcome": "gagal", "reasons": [] })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("decision_reason_required")));
    let (status, body) = app.post(&decide, &ver, &json!({ "outcome": "lulus" })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("decision_override_reason_required")));

    let reasons =
        json!({ "outcome": "gagal", "reasons": ["5 rumah belum diperiksa", "belum ada pemantauan"] });
    let (status, body) = app.post(&decide, &ver, &reasons).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["certificate"].is_null());
    assert_eq!(body["berita_acara"]["decision"]["outcome"], "gagal");
    let (status, seen) = app.get(&format!("/v1/verifications/{id}"), &app.login("san_a").await).await;
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen["decision"]["reasons"], json!(["5 rumah belum diperiksa", "belum ada pemantauan"]));
    let codes: Vec<&str> = seen["decision"]["suggestion"]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["not_visited", "no_monitoring"]);
    let state = history(&app, &ver).await;
    assert_eq!(state["status"], "dipicu");
    assert_eq!(
        state["changes"].as_array().unwrap().last().unwrap()["reason"],
        "5 rumah belum diperiksa; belum ada pemantauan"
    );
    let (status, body) = app.post(&decide, &ver, &reasons).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("verification_decided")));
    let (status, body) = app.get_public(&format!("/v1/public/certificates/{}", Uuid::now_v7())).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("not_found")));
}

pub async fn verifiers_outside_the_kecamatan_and_other_roles_are_refused(app: Arc<TestApp>) {
    claimed_village(&app).await;
    let luar = app.login("ver_luar").await;
    let plan = json!({ "kind": "all_households" });
    let (status, body) = open(&app, &luar, plan.clone()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("out_of_scope")), "{body}");
    let (status, body) = open(&app, &app.login("san_a").await, plan.clone()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden")));
    let (status, body) = open(&app, &app.login("admin").await, plan.clone()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden")));

    let ver = app.login("ver").await;
    let (status, verification) = open(&app, &ver, plan).await;
    assert_eq!(status, 201);
    let id = verification["id"].as_str().unwrap();
    // Outside the scope, the verification does not exist.
    let (status, body) = app.get(&format!("/v1/verifications/{id}"), &luar).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("not_found")));
    let (status, _) = app.put(&format!("/v1/verifications/{id}/community"), &luar, &community(true)).await;
    assert_eq!(status, 404);
    let (status, _) =
        app.post(&format!("/v1/verifications/{id}/decision"), &luar, &json!({ "outcome": "lulus" })).await;
    assert_eq!(status, 404);
    let (status, _) = app.get(&format!("/v1/verifications/{}", Uuid::now_v7()), &ver).await;
    assert_eq!(status, 404);
    let (status, _) = app.get(&format!("/v1/verifications/{id}"), &app.login("viewer").await).await;
    assert_eq!(status, 403);
    let (status, body) = app.get(&format!("/v1/villages/{VILLAGE_A}/history"), &luar).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("out_of_scope")));
    let (status, _) = app.get(&format!("/v1/verifications/{id}"), &app.login("san_k").await).await;
    assert_eq!(status, 404);

    // A village outside the sanitarian's villages, an unknown village, a malformed code, and a
    // verification of a village that never claimed.
    let san = app.login("san_a").await;
    let (status, body) =
        app.post(&format!("/v1/villages/{VILLAGE_UNASSIGNED}/claim"), &san, &json!({})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("out_of_scope")));
    let (status, body) = app.post("/v1/villages/74.04.81.2999/claim", &san, &json!({})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("unknown_village")));
    let (status, body) = app.post("/v1/villages/desa-saya/claim", &san, &json!({})).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid_area_code")));
    let body = json!({ "team": team(&["ver", "ver2", "ver3"]), "plan": { "kind": "all_households" } });
    let (status, body) = app.post(&format!("/v1/villages/{VILLAGE_B}/verifications"), &ver, &body).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("transition_not_allowed")), "{body}");
    let tomorrow = Utc::now().date_naive() + chrono::Days::new(2);
    let (status, body) = app
        .post(&format!("/v1/villages/{VILLAGE_B}/trigger"), &san, &json!({ "triggered_on": tomorrow }))
        .await;
    assert_eq!((status, body["error"]["field"].as_str()), (400, Some("triggered_on")));
}

pub async fn a_team_with_a_member_from_the_village_or_of_the_wrong_size_is_refused(app: Arc<TestApp>) {
    claimed_village(&app).await;
    let ver = app.login("ver").await;
    let path = format!("/v1/villages/{VILLAGE_A}/verifications");
    let all = json!({ "kind": "all_households" });
    let cases = [
        (team(&["ver", "ver2", "san_a"]), "team_member_from_village"),
        (team(&["ver", "ver2"]), "team_too_small"),
        (team(&["ver", "ver2", "ver3", "ver_luar"]), "team_size_even"),
        (team(&["ver", "ver2", "VER "]), "team_member_duplicate"),
        (team(&["ver", "ver2", "siapa"]), "unknown_team_member"),
    ];
    for (members, code) in cases {
        let (status, body) = app.post(&path, &ver, &json!({ "team": members, "plan": all })).await;
        assert_eq!((status, body["error"]["code"].as_str()), (400, Some(code)), "{body}");
    }
    let (_, body) =
        app.post(&path, &ver, &json!({ "team": team(&["ver", "ver2", "siapa"]), "plan": all })).await;
    assert_eq!(body["error"]["field"], "team[2].username");
    let (_, body) =
        app.post(&path, &ver, &json!({ "team": team(&["ver", "ver2", "san_a"]), "plan": all })).await;
    assert!(body["error"]["message"].as_str().unwrap().contains("san_a"));
    let bad_plan =
        json!({ "team": team(&["ver", "ver2", "ver3"]), "plan": { "kind": "random_units", "count": 2 } });
    let (status, body) = app.post(&path, &ver, &bad_plan).await;
    assert_eq!((status, body["error"]["field"].as_str()), (400, Some("plan.level")));
    // Nothing was opened by the refused requests.
    assert_eq!(history(&app, &ver).await["status"], "klaim_sbs");
    // A team of five from outside the village is fine; names left blank come from the accounts.
    let five = json!([
        { "username": "ver", "name": "" }, { "username": "ver2", "name": "Wa Ode" }, { "username": "ver3", "name": "La Ode" },
        { "username": "ver_luar", "name": "Luar" }, { "username": "admin", "name": "Dinkes" },
    ]);
    let (status, body) = app.post(&path, &ver, &json!({ "team": five, "plan": all })).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["team"][0]["name"], "ver");
}

pub async fn a_tampered_certificate_or_certified_visit_fails_the_public_check(app: Arc<TestApp>) {
    let decided = certified(&app).await;
    let check_path = format!("/v1/public/certificates/{}", decided["certificate"]["id"].as_str().unwrap());
    let (_, check) = app.get_public(&check_path).await;
    assert_eq!((check["genuine"].as_bool(), check["problems"].clone()), (Some(true), json!([])), "{check}");

    // A certified visit changed behind the server's back: the data no longer hashes to the signed value.
    app.raw_sql(
        // 6: babs_terbuka (the store's category codes, its migration 0010).
        "UPDATE visits SET category = 6 WHERE id IN \
         (SELECT visit_id FROM verification_data WHERE kind = 'verification')",
    )
    .await;
    let (status, check) = app.get_public(&check_path).await;
    assert_eq!(status, 200);
    assert_eq!((check["genuine"].as_bool(), check["valid"].as_bool()), (Some(false), Some(false)), "{check}");
    assert_eq!(
        (check["status"].as_str(), check["problems"].clone()),
        (Some("not_genuine"), json!(["data_changed"]))
    );

    // The stored village name changed: the signature no longer matches.
    app.raw_sql("UPDATE certificates SET village_name = 'Desa Palsu'").await;
    let (_, check) = app.get_public(&check_path).await;
    assert_eq!(check["problems"], json!(["signature_invalid", "data_changed"]), "{check}");
    assert!(check["message"].as_str().unwrap().contains("TIDAK ASLI"));
}

pub async fn the_certificate_pdf_opens_and_names_the_village_and_number(app: Arc<TestApp>) {
    let decided = certified(&app).await;
    let certificate = &decided["certificate"];
    let pdf_path = certificate["pdf_path"].as_str().unwrap().to_owned();
    let ver = app.login("ver").await;
    let response = app.http.get(app.url(&pdf_path)).bearer_auth(&ver).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let bytes = response.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF"), "not a PDF");
    let (status, json_view) = app.get(&pdf_path.replace(".pdf", ""), &ver).await;
    assert_eq!((status, &json_view["number"]), (200, &certificate["number"]));
    let (status, _) = app.get(&pdf_path, &app.login("ver_luar").await).await;
    assert_eq!(status, 404);
    let (status, _) = app.get(&pdf_path, &app.login("viewer").await).await;
    assert_eq!(status, 403);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("piagam.pdf");
    std::fs::write(&file, &bytes).unwrap();
    match std::process::Command::new("pdftotext").arg(&file).arg("-").output() {
        Ok(output) if output.status.success() => {
            let text = String::from_utf8_lossy(&output.stdout);
            let village = certificate["village_name"].as_str().unwrap();
            let number = certificate["number"].as_str().unwrap();
            assert!(text.contains(village), "{village} not in:\n{text}");
            assert!(text.contains(number), "{number} not in:\n{text}");
        }
        _ => eprintln!("SKIPPED: pdftotext not available; only the %PDF header was checked"),
    }
}
