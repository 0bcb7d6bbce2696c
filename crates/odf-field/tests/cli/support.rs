//! Running the `odf-field` binary in a temporary data folder, and reading HTTP requests for the
//! small scripted servers of the tests.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

pub const VILLAGE: &str = "74.04.81.2001";

pub fn odf(home: &Path, args: &[&str]) -> Output {
    odf_with_stdin(home, args, "")
}

pub fn odf_with_stdin(home: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_odf-field"))
        .arg("--home")
        .arg(home)
        .args(args)
        .env_remove("ODF_HOME")
        .env_remove("ODF_LANG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

pub fn ok_json(home: &Path, args: &[&str]) -> Value {
    let out = odf(home, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

pub fn read_request(stream: &mut std::net::TcpStream) -> (String, Vec<u8>) {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        let n = stream.read(&mut chunk).unwrap();
        assert!(n > 0);
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..end]).to_string();
    let length = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
        .map_or(0, |v| v.parse::<usize>().unwrap());
    while buffer.len() < end + length {
        let n = stream.read(&mut chunk).unwrap();
        buffer.extend_from_slice(&chunk[..n]);
    }
    (head, buffer[end..end + length].to_vec())
}

/// A server on 127.0.0.1:0 that answers every request with `handler(request head, body)`: a status
/// line and a JSON body. Returns its base URL.
pub fn serve(handler: impl Fn(&str, &[u8]) -> (&'static str, Value) + Send + 'static) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (head, body) = read_request(&mut stream);
            let (status, answer) = handler(&head, &body);
            let body = answer.to_string();
            let response = format!(
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(response.as_bytes()).ok();
        }
    });
    url
}
