//! Signing-key rotation (issue 17): a new key signs new certificates, certificates signed with an
//! earlier key still verify as genuine, and a retired key marked compromised no longer vouches for
//! anything. Each step restarts the server over the same data folder, as an operator would.

use std::sync::Arc;

use odf_server::keyring;
use odf_server::{AppState, ServerConfig};
use serde_json::Value;
use tokio::sync::oneshot;

use crate::common::*;
use crate::verification::certified;

/// A data folder of the test's own (the key file lives there); the test removes it at its end.
pub fn config() -> ServerConfig {
    let dir = std::env::temp_dir().join(format!("odf-keyring-{}", uuid::Uuid::now_v7()));
    ServerConfig { data_dir: Some(dir), ..ServerConfig::default() }
}

/// GETs `path` from a server restarted over `app`'s store and data folder.
async fn after_restart(app: &TestApp, path: &str) -> Value {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState::try_new(app.store.clone(), app.config.clone()).unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(odf_server::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let body = app.http.get(format!("{base}{path}")).send().await.unwrap().json().await.unwrap();
    let _ = stop.send(());
    server.await.unwrap().unwrap();
    body
}

pub async fn a_rotated_key_keeps_old_certificates_genuine_until_marked_compromised(app: Arc<TestApp>) {
    let dir = app.config.data_dir.clone().unwrap();
    let decided = certified(&app).await;
    let check_path = format!("/v1/public/certificates/{}", decided["certificate"]["id"].as_str().unwrap());
    let (_, first_key) = app.get_public("/v1/public/key").await;

    let rotated = keyring::rotate(&dir).unwrap();
    let key = after_restart(&app, "/v1/public/key").await;
    assert_ne!(key["public_key"], first_key["public_key"], "a new key signs after the rotation");
    assert_eq!(key["public_key"], rotated.current().public_key().to_hex());
    assert_eq!(key["earlier"][0]["public_key"], first_key["public_key"], "{key}");
    let check = after_restart(&app, &check_path).await;
    assert_eq!(
        (check["genuine"].as_bool(), check["status"].as_str()),
        (Some(true), Some("valid")),
        "{check}"
    );
    assert_eq!(check["public_key"], first_key["public_key"], "checked against the key that signed it");

    keyring::mark_compromised(&dir, first_key["fingerprint"].as_str().unwrap()).unwrap();
    let check = after_restart(&app, &check_path).await;
    assert_eq!(check["genuine"].as_bool(), Some(false), "{check}");
    assert_eq!(check["problems"], serde_json::json!(["key_compromised"]));
    let key = after_restart(&app, "/v1/public/key").await;
    assert!(key["earlier"][0]["compromised_at"].is_string(), "{key}");
    std::fs::remove_dir_all(&dir).unwrap();
}
