//! Runs the `odf-field` binary: the offline commands against a temporary data folder with no
//! server, and login/pull/sync against a small scripted HTTP server on 127.0.0.1:0.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::support::*;

#[test]
fn the_offline_commands_work_with_no_server() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    ok_json(h, &["--json", "init", "--server", "http://127.0.0.1:9", "--username", "sani"]);

    let added = ok_json(
        h,
        &["--json", "household", "add", "--village", VILLAGE, "--head", "La Ode Hamid", "--kk", "2"],
    );
    let id = added["id"].as_str().unwrap().to_owned();
    let suffix = &id[id.len() - 8..];
    let photo = h.join("jamban.jpg");
    // A JPEG as far as the checks read (its first bytes).
    std::fs::write(&photo, b"\xFF\xD8\xFF\xE0 not much of a photo").unwrap();
    let visit = odf(
        h,
        &[
            "visit",
            suffix,
            "--category",
            "JSSP",
            "--photo",
            photo.to_str().unwrap(),
            "--check",
            "closed_toilet=ya",
        ],
    );
    assert!(visit.status.success(), "{}", stderr(&visit));
    assert!(String::from_utf8_lossy(&visit.stdout).contains("Kunjungan tersimpan"));

    let households = ok_json(h, &["households", "--json"]);
    assert_eq!(households.as_array().unwrap().len(), 1);
    assert_eq!(households[0]["id"], id.as_str());
    assert_eq!(households[0]["latest_visit"]["category"], "layak_sendiri");
    assert_eq!(households[0]["latest_visit"]["legacy"], "JSSP");
    assert_eq!(households[0]["need"], "ok");
    assert_eq!(households[0]["sync"]["state"], "pending");

    let status = ok_json(h, &["status", "--json"]);
    assert_eq!(status["pending"], 2);
    assert_eq!(status["username"], "sani");
    assert_eq!(status["logged_in"], false);
    let coverage = ok_json(h, &["coverage", "--village", VILLAGE, "--json"]);
    assert_eq!((coverage[0]["numerator"].as_i64(), coverage[0]["denominator"].as_i64()), (Some(2), Some(2)));
    assert_eq!(coverage[0]["measure"], "kk_akses");

    let table = odf(h, &["households"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("KEPALA KELUARGA") && text.contains(suffix), "{text}");
    let english = odf(h, &["--lang", "en", "coverage"]);
    assert!(String::from_utf8_lossy(&english.stdout).contains("% KK with access"));
}

#[test]
fn mistakes_exit_non_zero_with_a_clear_message_in_the_chosen_language() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();

    let no_user_visit = odf(h, &["visit", "abcd1234", "--category", "JSP"]);
    assert_eq!(no_user_visit.status.code(), Some(1));
    assert!(stderr(&no_user_visit).starts_with("Galat: rumah tangga"), "{}", stderr(&no_user_visit));

    let bad_village = odf(h, &["household", "add", "--village", "74.04", "--head", "A"]);
    assert_eq!(bad_village.status.code(), Some(1));
    assert!(stderr(&bad_village).contains("not_a_village"));

    let not_logged_in = odf(h, &["--lang", "en", "sync"]);
    assert_eq!(not_logged_in.status.code(), Some(1));
    assert!(stderr(&not_logged_in).starts_with("Error: not logged in"), "{}", stderr(&not_logged_in));

    let usage = odf(h, &["visit"]);
    assert_eq!(usage.status.code(), Some(2));
    assert!(stderr(&usage).contains("Cara pakai:"));
    for out in [&no_user_visit, &bad_village, &not_logged_in, &usage] {
        assert!(!stderr(out).contains("panicked"), "{}", stderr(out));
    }
}

/// A scripted server: accepts the password `rahasia`, accepts every pushed record, and serves one
/// page with the village boundary. Records what it was sent.
fn scripted_server() -> (String, Arc<Mutex<Vec<Value>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let pushes = Arc::new(Mutex::new(Vec::new()));
    let seen = pushes.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (head, body) = read_request(&mut stream);
            let now = chrono::Utc::now().to_rfc3339();
            let (status, answer) = if head.starts_with("POST /v1/auth/login") {
                let request: Value = serde_json::from_slice(&body).unwrap();
                if request["password"] == "rahasia" {
                    let user = json!({"username": "sani", "display_name": "Sani", "role": "sanitarian", "area": "74.04.81", "villages": [VILLAGE]});
                    ("200 OK", json!({"token": "tok", "expires_at": "2099-01-01T00:00:00Z", "user": user}))
                } else {
                    (
                        "401 Unauthorized",
                        json!({"error": {"code": "invalid_credentials", "message": "salah"}}),
                    )
                }
            } else if head.starts_with("POST /v1/sync/push") {
                assert!(head.to_ascii_lowercase().contains("content-encoding: gzip"));
                let mut text = String::new();
                flate2::read::GzDecoder::new(body.as_slice()).read_to_string(&mut text).unwrap();
                let request: Value = serde_json::from_str(&text).unwrap();
                let mut results = Vec::new();
                for (kind, list) in [("household", "households"), ("visit", "visits")] {
                    for record in request[list].as_array().unwrap() {
                        results.push(json!({"kind": kind, "id": record["id"], "status": "accepted"}));
                    }
                }
                seen.lock().unwrap().push(request);
                ("200 OK", json!({"results": results, "server_time": now}))
            } else if head.starts_with("GET /v1/sync/pull?cursor=0") {
                let square = json!({"type": "Polygon", "coordinates": [[[122.60, -5.50], [122.62, -5.50], [122.62, -5.48], [122.60, -5.48], [122.60, -5.50]]]});
                let change = json!({"seq": 1, "kind": "boundary", "id": VILLAGE, "area": VILLAGE, "at": now,
                    "data": {"code": VILLAGE, "geometry": square, "centroid": {"lat": -5.49, "lng": 122.61}}});
                let place = json!({"seq": 2, "kind": "place", "id": VILLAGE, "area": VILLAGE, "at": now,
                    "data": {"code": VILLAGE, "name": "Wakaokili", "kind": "desa", "kecamatan": "Pasarwajo", "kabupaten": "Buton"}});
                (
                    "200 OK",
                    json!({"changes": [change, place], "next_cursor": 2, "has_more": false, "server_time": now}),
                )
            } else if head.starts_with("GET /v1/sync/pull") {
                ("200 OK", json!({"changes": [], "next_cursor": 1, "has_more": false, "server_time": now}))
            } else {
                ("404 Not Found", json!({"error": {"code": "not_found", "message": "tidak ada"}}))
            };
            let body = answer.to_string();
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(response.as_bytes()).ok();
        }
    });
    (url, pushes)
}

#[test]
fn login_pull_record_and_sync_against_a_server() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (url, pushes) = scripted_server();

    let wrong =
        odf_with_stdin(h, &["login", "--server", &url, "--username", "sani", "--password-stdin"], "salah\n");
    assert_eq!(wrong.status.code(), Some(1));
    assert!(stderr(&wrong).contains("kata sandi salah"), "{}", stderr(&wrong));
    let login = odf_with_stdin(
        h,
        &["login", "--server", &url, "--username", "sani", "--password-stdin"],
        "rahasia\n",
    );
    assert!(login.status.success(), "{}", stderr(&login));
    assert!(!String::from_utf8_lossy(&login.stdout).contains("tok"), "the token is never printed");
    let pulled = ok_json(h, &["pull", "--json"]);
    assert_eq!(pulled["changes"], 2);
    let villages = ok_json(h, &["villages", "--json"]);
    assert_eq!(villages[0]["has_boundary"], true);
    assert_eq!(
        (villages[0]["name"].as_str(), villages[0]["kecamatan"].as_str()),
        (Some("Wakaokili"), Some("Pasarwajo"))
    );
    let table = String::from_utf8_lossy(&odf(h, &["villages"]).stdout).to_string();
    assert!(table.contains("NAMA DESA") && table.contains(VILLAGE) && table.contains("Wakaokili"), "{table}");

    // Outside the village square: not saved without --yes (exit 3), saved with it.
    let outside =
        ["household", "add", "--village", VILLAGE, "--head", "Di Luar", "--lat", "-5.40", "--lng", "122.61"];
    let refused = odf(h, &outside);
    assert_eq!(refused.status.code(), Some(3), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("di luar batas desa"), "{}", stderr(&refused));
    assert_eq!(ok_json(h, &["status", "--json"])["pending"], 0);
    let mut confirmed = outside.to_vec();
    confirmed.push("--yes");
    assert!(odf(h, &confirmed).status.success());
    let inside = ok_json(
        h,
        &[
            "--json",
            "household",
            "add",
            "--village",
            VILLAGE,
            "--head",
            "Di Dalam",
            "--lat",
            "-5.49",
            "--lng",
            "122.61",
        ],
    );
    let id = inside["id"].as_str().unwrap().to_owned();
    assert!(
        odf(h, &["visit", &id, "--category", "aman", "--lat", "-5.49", "--lng", "122.61"]).status.success()
    );

    let households = String::from_utf8_lossy(&odf(h, &["households"]).stdout).to_string();
    assert!(households.contains("Wakaokili") && households.contains("Di Dalam"), "{households}");
    let eligibility = String::from_utf8_lossy(&odf(h, &["eligibility", VILLAGE]).stdout).to_string();
    assert!(eligibility.contains(&format!("Wakaokili ({VILLAGE})")), "{eligibility}");

    let report = ok_json(h, &["sync", "--json"]);

    assert_eq!(report["stored"], 3);
    let status = ok_json(h, &["status", "--json"]);
    assert_eq!(status["pending"], 0);
    assert_eq!(status["clock_warning"], false);
    let pushes = pushes.lock().unwrap();
    assert_eq!(pushes.len(), 1);
    assert_eq!(pushes[0]["device"]["pending_count"], 3);
    assert_eq!(pushes[0]["visits"][0]["sanitarian"], "sani");
}
