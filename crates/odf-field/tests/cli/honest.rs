//! What `odf-field` tells when things go wrong (issue 18): `--json` failures as a JSON object with
//! a stable code on stdout, login advice that is about logging in, each message in one language
//! with the technical cause on its own line, and sync times in the phone's own time zone.

use odf_client::i18n::{ENGLISH_WORDS, INDONESIAN_WORDS};
use serde_json::{Value, json};

use crate::support::{VILLAGE, odf, odf_with_stdin, serve, stderr};

/// A server that takes the password `rahasia` and has nothing to sync.
fn quiet_server() -> String {
    serve(quiet)
}

/// The answers of [`quiet_server`], for servers built on it.
pub(crate) fn quiet(head: &str, body: &[u8]) -> (&'static str, Value) {
    {
        let now = chrono::Utc::now().to_rfc3339();
        let user = json!({"username": "sani", "display_name": "Sani", "role": "sanitarian", "area": "74.04.81", "villages": [VILLAGE]});
        if head.starts_with("POST /v1/auth/login") {
            let request: Value = serde_json::from_slice(body).unwrap();
            if request["password"] == "rahasia" {
                return (
                    "200 OK",
                    json!({"token": "tok", "expires_at": "2099-01-01T00:00:00Z", "user": user}),
                );
            }
            return (
                "401 Unauthorized",
                json!({"error": {"code": "invalid_credentials", "message": "salah"}}),
            );
        }
        if head.starts_with("GET /v1/me") {
            return ("200 OK", user);
        }
        if head.starts_with("GET /v1/sync/pull") {
            return (
                "200 OK",
                json!({"changes": [], "next_cursor": 0, "has_more": false, "server_time": now}),
            );
        }
        ("404 Not Found", json!({"error": {"code": "not_found", "message": "tidak ada"}}))
    }
}

/// An address where nothing listens: the port of a listener that was closed.
fn closed_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

fn json_error(out: &std::process::Output) -> Value {
    assert_eq!(out.status.code(), Some(1), "{}", stderr(out));
    let value: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|err| panic!("{err}: {:?}", String::from_utf8_lossy(&out.stdout)));
    assert!(value["error"]["message"].is_string(), "{value}");
    value["error"].clone()
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).map(str::to_lowercase).collect()
}

#[test]
fn a_failed_command_with_json_prints_an_error_object_with_a_stable_code() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let login = ["--json", "login", "--server", "", "--username", "sani", "--password-stdin"];

    let dead = closed_server();
    let mut args = login;
    args[3] = dead.as_str();
    let error = json_error(&odf_with_stdin(h, &args, "rahasia\n"));
    assert_eq!(error["code"], "login_unreachable");
    assert!(error["detail"].is_string(), "the technical cause has its own field: {error}");

    let server = quiet_server();
    args[3] = server.as_str();
    let error = json_error(&odf_with_stdin(h, &args, "salah\n"));
    assert_eq!(error["code"], "invalid_credentials");

    let other = tempfile::tempdir().unwrap();
    let error = json_error(&odf(other.path(), &["--json", "sync"]));
    assert_eq!(error["code"], "not_logged_in");
}

#[test]
fn a_failed_login_gives_login_advice_in_one_language_with_the_cause_on_its_own_line() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let dead = closed_server();
    let server = quiet_server();
    for (lang, foreign) in [("id", ENGLISH_WORDS), ("en", INDONESIAN_WORDS)] {
        for (url, password) in [(dead.as_str(), "rahasia"), (server.as_str(), "salah")] {
            let args = ["--lang", lang, "login", "--server", url, "--username", "sani", "--password-stdin"];
            let out = odf_with_stdin(h, &args, &format!("{password}\n"));
            assert_eq!(out.status.code(), Some(1));
            let text = stderr(&out);
            let mut lines = text.lines();
            let message = lines.next().unwrap();
            assert!(message.contains("login") || message.contains("log in"), "login advice: {text}");
            assert!(!message.contains("sync"), "no sync advice before a login: {text}");
            let mixed: Vec<String> =
                words(message).into_iter().filter(|w| foreign.contains(&w.as_str())).collect();
            assert!(mixed.is_empty(), "{lang}: {mixed:?} in {message:?}");
            if url == dead {
                let detail = lines.next().expect("a detail line");
                assert!(detail.trim_start().starts_with(if lang == "id" { "rincian:" } else { "detail:" }));
            }
        }
    }
}

#[test]
fn status_shows_sync_times_in_the_phones_time_zone() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let server = quiet_server();
    let login = odf_with_stdin(
        h,
        &["login", "--server", &server, "--username", "sani", "--password-stdin"],
        "rahasia\n",
    );
    assert!(login.status.success(), "{}", stderr(&login));
    assert!(odf(h, &["sync"]).status.success());

    // WIB, seven hours east of UTC, as a POSIX zone so that no zone database is needed.
    let local = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_odf-field"))
            .arg("--home")
            .arg(h)
            .args(args)
            .env("TZ", "WIB-7")
            .env_remove("ODF_LANG")
            .output()
            .unwrap()
    };
    let text = String::from_utf8(local(&["status"]).stdout).unwrap();
    let last_sync = text.lines().find(|l| l.starts_with("Sinkron terakhir:")).unwrap();
    assert!(last_sync.ends_with("+07:00"), "{last_sync}");
    assert!(!text.contains("+00:00"), "{text}");
    let status: Value = serde_json::from_slice(&local(&["status", "--json"]).stdout).unwrap();
    assert!(status["last_sync_at"].as_str().unwrap().ends_with("+07:00"), "{status}");
}
