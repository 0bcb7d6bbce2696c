//! Photos over HTTP: a resumable, content-addressed upload stored once, limits in the error shape,
//! and reads scoped by the visits that name the photo (404 outside, never 403).

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

use crate::common::*;

/// Small enough that the 413 case is cheap to send.
const MAX_PHOTO: u64 = 100_000;

/// Photos in their own folder per test (removed by [`Folder`]), the rest as the defaults.
pub fn config() -> odf_server::ServerConfig {
    odf_server::ServerConfig {
        photo_dir: Some(std::env::temp_dir().join(format!("odf-photos-api-{}", Uuid::now_v7()))),
        max_photo_bytes: MAX_PHOTO,
        ..Default::default()
    }
}

/// Removes the test's photo folder, also when the test panics.
struct Folder(PathBuf);

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn folder(app: &TestApp) -> Folder {
    Folder(app.config.photo_dir.clone().unwrap())
}

fn jpeg(fill: u8, len: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes.extend((0..len.saturating_sub(4)).map(|i| fill.wrapping_add(u8::try_from(i % 251).unwrap_or(0))));
    bytes
}

fn hash(bytes: &[u8]) -> String {
    odf_domain::photo_hash(bytes)
}

/// Pushes a household in village A and a visit naming `photo`, as `san_a`.
async fn visit_with_photo(app: &TestApp, token: &str, photo: &str) {
    let household = Uuid::now_v7();
    let body = json!({
        "device": { "device_id": "hp-san-a", "app_version": "0.1.0", "pending_count": 2 },
        "households": [{ "id": household, "village": VILLAGE_A, "head_name": "La Ode Hamid", "kk_count": 1 }],
        "visits": [{
            "id": Uuid::now_v7(), "household_id": household, "sanitarian": "san_a",
            "visited_at": Utc::now() - Duration::hours(1), "category": "JSP", "checklist": {},
            "photo_sha256": photo, "device_id": "hp-san-a",
        }],
    });
    let (status, answer) = app.post("/v1/sync/push", token, &body).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer["results"].as_array().unwrap().iter().all(|r| r["status"] == "accepted"), "{answer}");
}

async fn put(
    app: &TestApp,
    token: &str,
    name: &str,
    range: Option<&str>,
    body: Vec<u8>,
) -> (u16, Value, Option<u64>) {
    let mut request = app.http.put(app.url(&format!("/v1/photos/{name}"))).bearer_auth(token).body(body);
    if let Some(range) = range {
        request = request.header("content-range", range);
    }
    let response = request.send().await.unwrap();
    let offset = upload_offset(&response);
    let (status, body) = split(response).await;
    (status, body, offset)
}

fn upload_offset(response: &reqwest::Response) -> Option<u64> {
    response.headers().get("upload-offset").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok())
}

/// `HEAD`: status, `Upload-Offset` and whether `Upload-Complete` is `?1`.
async fn head(app: &TestApp, token: &str, name: &str) -> (u16, Option<u64>, bool) {
    let response =
        app.http.head(app.url(&format!("/v1/photos/{name}"))).bearer_auth(token).send().await.unwrap();
    let complete = response.headers().get("upload-complete").is_some_and(|v| v == "?1");
    (response.status().as_u16(), upload_offset(&response), complete)
}

async fn get_bytes(app: &TestApp, token: &str, name: &str) -> (u16, Vec<u8>, String) {
    let response =
        app.http.get(app.url(&format!("/v1/photos/{name}"))).bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    let kind =
        response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (status, response.bytes().await.unwrap().to_vec(), kind)
}

/// Photo files stored whole (uploads in progress are under `partial/`).
fn stored_photos(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for shard in std::fs::read_dir(dir).unwrap().flatten() {
        if shard.file_name() != "partial" {
            found.extend(std::fs::read_dir(shard.path()).unwrap().flatten().map(|e| e.path()));
        }
    }
    found
}

pub async fn a_photo_is_uploaded_in_chunks_resumed_and_stored_once(app: Arc<TestApp>) {
    let dir = folder(&app);
    let token = app.login("san_a").await;
    let photo = jpeg(1, 50_000);
    let name = hash(&photo);
    visit_with_photo(&app, &token, &name).await;

    assert_eq!(head(&app, &token, &name).await, (200, Some(0), false));
    let (status, answer, _) =
        put(&app, &token, &name, Some("bytes 0-19999/50000"), photo[..20_000].to_vec()).await;
    assert_eq!(
        (status, answer["received"].as_u64(), answer["complete"].as_bool()),
        (200, Some(20_000), Some(false))
    );

    // A chunk past the bytes held: refused, with where to go on.
    let (status, answer, offset) =
        put(&app, &token, &name, Some("bytes 30000-49999/50000"), photo[30_000..].to_vec()).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str(), offset),
        (409, Some("photo_offset_mismatch"), Some(20_000))
    );

    // A chunk sent again after a lost answer overlaps what is held: the overlap is skipped.
    let (status, answer, _) =
        put(&app, &token, &name, Some("bytes 10000-29999/50000"), photo[10_000..30_000].to_vec()).await;
    assert_eq!((status, answer["received"].as_u64()), (200, Some(30_000)));
    let (status, answer, _) =
        put(&app, &token, &name, Some("bytes 30000-49999/50000"), photo[30_000..].to_vec()).await;
    assert_eq!(
        (status, answer["complete"].as_bool(), answer["size"].as_u64()),
        (201, Some(true), Some(50_000))
    );
    assert_eq!(head(&app, &token, &name).await, (200, Some(50_000), true));

    // The whole photo sent again (another phone, a retry): answered at once, stored once.
    let (status, answer, _) = put(&app, &token, &name, None, photo.clone()).await;
    assert_eq!((status, answer["complete"].as_bool()), (200, Some(true)));
    assert_eq!(stored_photos(&dir.0).len(), 1);

    let (status, bytes, kind) = get_bytes(&app, &token, &name).await;
    assert_eq!((status, kind.as_str()), (200, "image/jpeg"));
    assert_eq!(bytes, photo);
}

pub async fn a_chunk_cut_off_mid_body_keeps_what_arrived_and_the_upload_resumes(app: Arc<TestApp>) {
    let _dir = folder(&app);
    let token = app.login("san_a").await;
    let photo = jpeg(2, 60_000);
    let name = hash(&photo);
    visit_with_photo(&app, &token, &name).await;

    // The whole photo announced, 25,000 bytes sent, then the link drops.
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head_text = format!(
        "PUT /v1/photos/{name} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Length: 60000\r\nContent-Type: application/octet-stream\r\n\r\n"
    );
    stream.write_all(head_text.as_bytes()).await.unwrap();
    stream.write_all(&photo[..25_000]).await.unwrap();
    stream.shutdown().await.unwrap();
    // Whatever the server answers (or not), it has finished with the request once the socket ends.
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest).await;

    let (status, held, complete) = head(&app, &token, &name).await;
    assert_eq!((status, held, complete), (200, Some(25_000), false));
    let (status, answer, _) =
        put(&app, &token, &name, Some("bytes 25000-59999/60000"), photo[25_000..].to_vec()).await;
    assert_eq!((status, answer["complete"].as_bool()), (201, Some(true)), "{answer}");
    assert_eq!(get_bytes(&app, &token, &name).await.1, photo);
}

pub async fn wrong_hashes_sizes_and_types_are_refused_in_the_error_shape(app: Arc<TestApp>) {
    let _dir = folder(&app);
    let token = app.login("san_a").await;
    let named = jpeg(3, 5_000);
    let name = hash(&named);
    visit_with_photo(&app, &token, &name).await;

    // Other bytes than the name says: discarded, start again from 0.
    let (status, answer, _) = put(&app, &token, &name, None, jpeg(4, 5_000)).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (400, Some("photo_hash_mismatch")));
    assert_eq!(head(&app, &token, &name).await, (200, Some(0), false));

    let (status, answer, _) = put(&app, &token, &name, Some("bytes 0-999/200000"), jpeg(3, 1_000)).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (413, Some("photo_too_large")));

    let gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00".to_vec();
    let (status, answer, _) = put(&app, &token, &name, None, gif).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (415, Some("photo_type_unsupported")));
    assert_eq!(head(&app, &token, &name).await, (200, Some(0), false), "nothing of it is kept");

    let (status, answer, _) = put(&app, &token, &name, Some("bytes 9-3/5000"), jpeg(3, 10)).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (400, Some("invalid_content_range")));
    let (status, answer, _) = put(&app, &token, &name, Some("bytes 0-9/5000"), jpeg(3, 20)).await;
    assert_eq!((status, answer["error"]["code"].as_str()), (400, Some("invalid_content_range")));

    let (status, answer, _) = put(&app, &token, &name, None, named.clone()).await;
    assert_eq!((status, answer["complete"].as_bool()), (201, Some(true)), "{answer}");
}

pub async fn photos_are_read_only_by_staff_whose_scope_covers_a_visit_naming_them(app: Arc<TestApp>) {
    let _dir = folder(&app);
    let token = app.login("san_a").await;
    let photo = jpeg(5, 3_000);
    let name = hash(&photo);
    visit_with_photo(&app, &token, &name).await;
    assert_eq!(put(&app, &token, &name, None, photo.clone()).await.0, 201);

    // The kecamatan's verifier reads it; a verifier of the next kecamatan and a sanitarian of
    // another kabupaten are told it does not exist, exactly as for a photo nobody named.
    let verifier = app.login("ver").await;
    assert_eq!(get_bytes(&app, &verifier, &name).await.1, photo);
    let unknown = hash(&jpeg(6, 3_000));
    for user in ["ver_luar", "san_k"] {
        let token = app.login(user).await;
        let (status, body) = app.get(&format!("/v1/photos/{name}"), &token).await;
        assert_eq!((status, body["error"]["code"].as_str()), (404, Some("not_found")), "{user}");
        let (status, elsewhere) = app.get(&format!("/v1/photos/{unknown}"), &token).await;
        assert_eq!((status, &elsewhere), (404, &body), "{user}: the same answer as for no photo");
        assert_eq!(head(&app, &token, &name).await.0, 404);
        assert_eq!(put(&app, &token, &name, None, photo.clone()).await.0, 404);
    }
    let viewer = app.login("viewer").await;
    assert_eq!(app.get(&format!("/v1/photos/{name}"), &viewer).await.0, 403);
    // The store answers the scope question from the visits, on both databases.
    let villages = app.store.photo_villages(&name).await.unwrap();
    assert_eq!(villages.iter().map(ToString::to_string).collect::<Vec<_>>(), vec![VILLAGE_A]);
    assert!(app.store.photo_villages(&unknown).await.unwrap().is_empty());
}
