//! The reqwest transport against a scripted HTTP/1.1 responder on 127.0.0.1:0: what goes on the
//! wire (paths, headers, gzip body) and how answers and failures come back.

use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use odf_client::{HttpTransport, SessionToken, Transport, TransportError};
use odf_mobile_api::{DeviceReport, PushRequest, PushResponse};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Debug, Clone, Default)]
struct Captured {
    head: String,
    body: Vec<u8>,
}

/// Serves one scripted answer per connection, in order, and records each request. `None` closes the
/// connection without answering.
async fn responder(answers: Vec<Option<String>>) -> (String, Arc<Mutex<Vec<Captured>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let captured = Arc::new(Mutex::new(Vec::new()));
    let seen = captured.clone();
    tokio::spawn(async move {
        for answer in answers {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buffer = Vec::new();
            let mut chunk = [0u8; 4096];
            let header_end = loop {
                let n = socket.read(&mut chunk).await.unwrap();
                assert!(n > 0, "client closed early");
                buffer.extend_from_slice(&chunk[..n]);
                if let Some(pos) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                    break pos + 4;
                }
            };
            let head = String::from_utf8_lossy(&buffer[..header_end]).to_string();
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned())
                })
                .map_or(0, |v| v.parse::<usize>().unwrap());
            while buffer.len() < header_end + length {
                let n = socket.read(&mut chunk).await.unwrap();
                buffer.extend_from_slice(&chunk[..n]);
            }
            seen.lock().unwrap().push(Captured { head, body: buffer[header_end..].to_vec() });
            if let Some(text) = answer {
                socket.write_all(text.as_bytes()).await.unwrap();
            }
            socket.shutdown().await.ok();
        }
    });
    (url, captured)
}

fn answer(status: &str, extra: &str, body: &str) -> Option<String> {
    Some(format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{body}",
        body.len()
    ))
}

fn push_request() -> PushRequest {
    PushRequest {
        device: DeviceReport {
            device_id: "hp-1".to_owned(),
            app_version: "0.1.0".to_owned(),
            pending_count: 0,
            oldest_pending_at: None,
        },
        households: Vec::new(),
        visits: Vec::new(),
        household_edits: Vec::new(),
        village_actions: Vec::new(),
    }
}

#[tokio::test]
async fn a_push_goes_as_gzipped_json_with_a_bearer_token() {
    let ok = serde_json::to_string(&PushResponse { results: Vec::new(), server_time: Utc::now() }).unwrap();
    let (url, captured) = responder(vec![answer("200 OK", "", &ok)]).await;
    let transport = HttpTransport::new(&url).unwrap();

    let response = transport.push(&SessionToken::new("t0ken"), &push_request()).await.unwrap();

    assert!(response.results.is_empty());
    let request = captured.lock().unwrap()[0].clone();
    let head = request.head.to_ascii_lowercase();
    assert!(head.starts_with("post /v1/sync/push http/1.1"), "{head}");
    assert!(head.contains("authorization: bearer t0ken"));
    assert!(head.contains("content-encoding: gzip"));
    assert!(head.contains("content-type: application/json"));
    let mut json = String::new();
    flate2::read::GzDecoder::new(request.body.as_slice()).read_to_string(&mut json).unwrap();
    assert_eq!(serde_json::from_str::<PushRequest>(&json).unwrap(), push_request());
}

#[tokio::test]
async fn a_pull_sends_the_cursor_and_limit_in_the_query() {
    let page =
        r#"{"changes": [], "next_cursor": 7, "has_more": false, "server_time": "2025-03-01T00:00:00Z"}"#;
    let (url, captured) = responder(vec![answer("200 OK", "", page)]).await;
    let transport = HttpTransport::new(&format!("{url}/")).unwrap();

    let response = transport.pull(&SessionToken::new("t"), 7, 250).await.unwrap();

    assert_eq!(response.next_cursor, 7);
    let head = captured.lock().unwrap()[0].head.clone();
    assert!(head.starts_with("GET /v1/sync/pull?cursor=7&limit=250 HTTP/1.1"), "{head}");
}

#[tokio::test]
async fn error_bodies_status_codes_and_retry_after_come_back_to_the_caller() {
    let body = r#"{"error": {"code": "too_many_attempts", "message": "tunggu (wait)"}}"#;
    let (url, _) = responder(vec![
        answer("429 Too Many Requests", "Retry-After: 12\r\n", body),
        answer("502 Bad Gateway", "", "<html>proxy</html>"),
        answer("200 OK", "", "<html>captive portal</html>"),
        None,
    ])
    .await;
    let transport = HttpTransport::new(&url).unwrap();
    let token = SessionToken::new("t");

    let first = transport.me(&token).await.unwrap_err();
    let second = transport.me(&token).await.unwrap_err();
    let third = transport.me(&token).await.unwrap_err();
    let fourth = transport.me(&token).await.unwrap_err();

    match &first {
        TransportError::Status { status: 429, error: Some(detail), retry_after } => {
            assert_eq!(detail.code, "too_many_attempts");
            assert_eq!(*retry_after, Some(Duration::from_secs(12)));
        }
        other => panic!("{other:?}"),
    }
    assert!(first.is_retryable());
    assert!(matches!(second, TransportError::Status { status: 502, error: None, .. }));
    assert!(matches!(third, TransportError::BadResponse(_)), "{third:?}");
    assert!(!third.is_retryable());
    assert!(matches!(fourth, TransportError::Network(_)), "{fourth:?}");
    assert!(fourth.is_retryable());
}

#[tokio::test]
async fn a_server_that_is_not_listening_is_a_network_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let transport = HttpTransport::new(&url).unwrap();

    let err = transport.me(&SessionToken::new("t")).await.unwrap_err();

    // A refused connection reached nobody: retryable, and the records it carried were not sent.
    assert!(matches!(err, TransportError::Unsent(_)), "{err:?}");
    assert!(err.is_retryable() && !err.maybe_delivered());
    assert!(!format!("{err}").contains("Bearer"));
}
