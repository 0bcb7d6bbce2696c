//! Runs the `odf-field` commands of a village's way to ODF: eligibility, trigger and claim offline,
//! then a verifier's day against a scripted server (pull the sample, visit, record the community
//! criteria, decide, sync) and the certificates with their signature checked on the device.

use std::io::Read;
use std::sync::{Arc, Mutex};

use crate::support::*;
use chrono::{Duration, NaiveDate, Utc};
use odf_certificate::{Certificate, CertificateNumber, Signer};
use serde_json::{Value, json};
use uuid::Uuid;

fn short(id: &str) -> String {
    id.replace('-', "")[24..].to_owned()
}

#[test]
fn trigger_claim_and_open_offline_with_the_rules_checked_on_the_device() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok_json(h, &["--json", "init", "--server", "http://127.0.0.1:9", "--username", "sani"]);
    let added = ok_json(h, &["--json", "household", "add", "--village", VILLAGE, "--head", "La Ode Hamid"]);
    let household = added["id"].as_str().unwrap().to_owned();

    let eligibility = ok_json(h, &["eligibility", VILLAGE, "--json"]);
    assert_eq!(
        (eligibility["code"].as_str(), eligibility["eligible"].as_bool()),
        (Some("not_all_visited"), Some(false))
    );
    let refused = odf(h, &["claim", VILLAGE]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("belum memenuhi syarat") && stderr(&refused).contains("not_eligible"),
        "{}",
        stderr(&refused)
    );

    assert!(odf(h, &["visit", &household, "--category", "JSP"]).status.success());
    let today = Utc::now().date_naive().to_string();
    let trigger = odf(h, &["trigger", VILLAGE, "--date", &today, "--note", "di balai desa"]);
    assert!(trigger.status.success(), "{}", stderr(&trigger));
    assert!(String::from_utf8_lossy(&trigger.stdout).contains("Pemicuan tersimpan"));
    let claim = ok_json(h, &["claim", VILLAGE, "--json"]);
    assert!(claim["id"].as_str().is_some());

    let villages = ok_json(h, &["villages", "--json"]);
    assert_eq!(villages[0]["local_status"], "klaim_sbs");
    assert_eq!(villages[0]["unconfirmed_actions"][1]["kind"], "claim");
    let table = String::from_utf8_lossy(&odf(h, &["villages"]).stdout).to_string();
    assert!(table.contains("→ klaim_sbs (menunggu sync)"), "{table}");
    let status = ok_json(h, &["status", "--json"]);
    assert_eq!(
        (status["pending"].as_i64(), status["pending_village_actions"].as_array().map(Vec::len)),
        (Some(4), Some(2))
    );

    let opened =
        ok_json(h, &["--json", "verification", "open", VILLAGE, "--team", "budi,wati,ani", "--plan", "rt:2"]);
    let id = opened["id"].as_str().unwrap().to_owned();
    let list = ok_json(h, &["verification", "list", "--json"]);
    assert_eq!(
        (list[0]["id"].as_str(), list[0]["state"].as_str()),
        (Some(id.as_str()), Some("waiting_for_sample"))
    );
    let decide = odf(h, &["--lang", "en", "verification", "decide", &short(&id), "lulus"]);
    assert_eq!(decide.status.code(), Some(1));
    assert!(
        stderr(&decide).starts_with("Error:") && stderr(&decide).contains("sample_not_pulled"),
        "{}",
        stderr(&decide)
    );
    let even = odf(h, &["verification", "open", VILLAGE, "--team", "budi,wati"]);
    assert!(stderr(&even).contains("team_too_small"), "{}", stderr(&even));
}

/// The server of a verifier's day: a logged-in verifier, a pull with two households, a visit by a
/// team member, the verification's sample and a signed certificate; every pushed record accepted.
fn verifier_server(a: Uuid, b: Uuid, verification: Uuid) -> (String, Arc<Mutex<Vec<Value>>>) {
    let pushes = Arc::new(Mutex::new(Vec::new()));
    let seen = pushes.clone();
    let now = Utc::now();
    let signed = Signer::from_secret_bytes(&[7u8; 32]).sign(&Certificate {
        id: Uuid::now_v7(),
        number: CertificateNumber::parse("ODF/74.04/2026/0007").unwrap(),
        village_code: odf_domain::AreaCode::parse("74.04.81.2002").unwrap(),
        village_name: "Holimombo".to_owned(),
        kecamatan_name: "Pasarwajo".to_owned(),
        kabupaten_name: "Buton".to_owned(),
        issued_on: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        issuer_name: "La Ode Amir".to_owned(),
        issuer_role: "Camat Pasarwajo".to_owned(),
        team: vec![],
        verification_id: Uuid::now_v7(),
        data_hash: "ab".repeat(32),
    });
    let c = &signed.certificate;
    let certificate = json!({"signed": {"certificate": {"id": c.id, "number": "ODF/74.04/2026/0007",
        "village_code": "74.04.81.2002", "village_name": c.village_name, "kecamatan_name": c.kecamatan_name,
        "kabupaten_name": c.kabupaten_name, "issued_on": c.issued_on, "issuer_name": c.issuer_name,
        "issuer_role": c.issuer_role, "team": [], "verification_id": c.verification_id, "data_hash": c.data_hash},
        "public_key": signed.public_key, "signature": signed.signature}, "issued_at": now, "revocation": null});
    let household = |id: Uuid, head: &str| json!({"id": id, "village": VILLAGE, "head_name": head, "kk_count": 1, "dusun": "I", "rw": "1", "rt": "2", "gps": null});
    let mut ids = vec![a, b];
    ids.sort();
    let team: Vec<Value> = ["sani", "budi", "wati"]
        .iter()
        .map(|u| json!({"username": u, "name": format!("Nama {u}")}))
        .collect();
    let sample = json!({"plan": {"kind": "all_households"}, "seed": 7, "units": [], "household_ids": ids});
    let changes: Vec<(&str, String, Value)> = vec![
        ("household", a.to_string(), household(a, "La Ode A")),
        ("household", b.to_string(), household(b, "Wa Ode B")),
        (
            "visit",
            "v".to_owned(),
            json!({"id": Uuid::now_v7(), "household_id": b, "sanitarian": "budi",
            "visited_at": now - Duration::hours(1), "category": "JSP", "checklist": {}, "device_id": "hp-budi"}),
        ),
        (
            "verification",
            verification.to_string(),
            json!({"id": verification, "village": VILLAGE, "opened_by": "sani",
            "opened_at": now - Duration::hours(2), "team": team, "sample": sample}),
        ),
        ("certificate", c.id.to_string(), certificate),
    ];
    let feed: Vec<Value> = changes
        .into_iter()
        .enumerate()
        .map(|(i, (kind, id, data))| json!({"seq": i + 1, "kind": kind, "id": id, "area": VILLAGE, "at": now, "data": data}))
        .collect();
    let user = json!({"username": "sani", "display_name": "Sani", "role": "verifier", "area": "74.04.81", "villages": []});
    let url = serve(move |head, body| {
        let now = Utc::now().to_rfc3339();
        if head.starts_with("POST /v1/auth/login") {
            ("200 OK", json!({"token": "tok", "expires_at": "2099-01-01T00:00:00Z", "user": user}))
        } else if head.starts_with("GET /v1/me") {
            ("200 OK", user.clone())
        } else if head.starts_with("POST /v1/sync/push") {
            let mut text = String::new();
            flate2::read::GzDecoder::new(body).read_to_string(&mut text).unwrap();
            let request: Value = serde_json::from_str(&text).unwrap();
            let mut results = Vec::new();
            for (kind, list, key) in [
                ("household", "households", "id"),
                ("visit", "visits", "id"),
                ("village_action", "village_actions", "id"),
            ] {
                for record in request[list].as_array().into_iter().flatten() {
                    results.push(json!({"kind": kind, "id": record[key], "status": "accepted"}));
                }
            }
            seen.lock().unwrap().push(request);
            ("200 OK", json!({"results": results, "server_time": now}))
        } else if head.starts_with("GET /v1/sync/pull?cursor=0") {
            (
                "200 OK",
                json!({"changes": feed, "next_cursor": feed.len(), "has_more": false, "server_time": now}),
            )
        } else if head.starts_with("GET /v1/sync/pull") {
            (
                "200 OK",
                json!({"changes": [], "next_cursor": feed.len(), "has_more": false, "server_time": now}),
            )
        } else {
            ("404 Not Found", json!({"error": {"code": "not_found", "message": "tidak ada"}}))
        }
    });
    (url, pushes)
}

#[test]
fn a_verifier_visits_the_sample_records_the_criteria_and_decides_with_the_rules_on_the_device() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (a, b, verification) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let (url, pushes) = verifier_server(a, b, verification);
    let login = odf_with_stdin(
        h,
        &["login", "--server", &url, "--username", "sani", "--password-stdin"],
        "rahasia\n",
    );
    assert!(login.status.success(), "{}", stderr(&login));
    assert_eq!(ok_json(h, &["pull", "--json"])["changes"], 5);
    let id = verification.to_string();
    let vid = short(&id);

    let shown = ok_json(h, &["verification", "show", &vid, "--json"]);
    assert_eq!(
        (shown["state"].as_str(), shown["sampled"].as_i64(), shown["visited"].as_i64()),
        (Some("open"), Some(2), Some(1))
    );
    assert!(odf(h, &["visit", &a.to_string(), "--category", "aman"]).status.success());
    let early = odf(h, &["verification", "decide", &vid, "lulus"]);
    assert!(stderr(&early).contains("community_not_recorded"), "{}", stderr(&early));

    let community = odf(
        h,
        &[
            "verification",
            "community",
            &vid,
            "--bebas-tinja",
            "ya",
            "--aturan",
            "yes",
            "--pemantauan",
            "tidak",
            "--catatan",
            "dicek bersama kader",
        ],
    );
    assert!(community.status.success(), "{}", stderr(&community));
    let text = String::from_utf8_lossy(&community.stdout).to_string();
    assert!(
        text.contains("Saran aturan: Gagal") && text.contains("belum ada mekanisme pemantauan"),
        "{text}"
    );
    let no_reason = odf(h, &["verification", "decide", &vid, "gagal"]);
    assert_eq!(no_reason.status.code(), Some(1));
    assert!(stderr(&no_reason).contains("decision_reason_required"), "{}", stderr(&no_reason));
    let decided =
        ok_json(h, &["--json", "verification", "decide", &vid, "gagal", "--alasan", "belum ada pemantauan"]);
    assert_eq!(decided["verification_id"], id.as_str());

    let shown = ok_json(h, &["verification", "show", &id, "--json"]);
    assert_eq!((shown["visited"].as_i64(), shown["state"].as_str()), (Some(2), Some("decided")));
    assert_eq!(shown["decision"]["pending_sync"], true);
    assert_eq!(shown["suggestion"]["reasons"][0]["code"], "no_monitoring");
    assert_eq!(shown["community"]["criteria"]["monitoring"]["note"], "dicek bersama kader");
    let table =
        String::from_utf8_lossy(&odf(h, &["--lang", "en", "verification", "show", &vid]).stdout).to_string();
    assert!(
        table.contains("Rules suggest: Gagal") && table.contains("Decision: Gagal (not sent yet)"),
        "{table}"
    );

    let report = ok_json(h, &["sync", "--json"]);
    assert_eq!(report["stored"], 3);
    let pushes = pushes.lock().unwrap();
    assert_eq!(pushes[0]["visits"].as_array().unwrap().len(), 1);
    let kinds: Vec<&str> = pushes[0]["village_actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"]["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["community", "decision"]);
    assert_eq!(pushes[0]["village_actions"][1]["action"]["decision"]["reasons"][0], "belum ada pemantauan");

    let certificates = ok_json(h, &["certificates", "--json"]);
    assert_eq!(
        (certificates[0]["status"].as_str(), certificates[0]["signature"].as_str()),
        (Some("valid"), Some("valid"))
    );
    let table =
        String::from_utf8_lossy(&odf(h, &["certificates", "--village", "74.04.81.2002"]).stdout).to_string();
    assert!(
        table.contains("ODF/74.04/2026/0007") && table.contains("berlaku") && table.contains("sah"),
        "{table}"
    );
}
