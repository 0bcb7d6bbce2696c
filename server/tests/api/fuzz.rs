//! Fuzzing of the parsers (issue 17), property-based with proptest on the stable toolchain: push
//! bodies (JSON, gzip or not, valid records with fields replaced by anything), the area CSV, the
//! boundaries GeoJSON, area codes, and query strings. The properties: no panic anywhere; through the
//! router, no 5xx (a panic would be caught as 500) and every refusal in the error shape; a parsed
//! area code prints back as itself.
//!
//! `ODF_FUZZ_CASES` sets the cases per pure parser (default 3,000; the router targets, a
//! hundred times slower each, get a hundredth, default 300); each target prints its executions. The
//! long run (over 10 million): `ODF_FUZZ_CASES=3400000 cargo test -p odf-server --test api fuzz`.

use std::io::Write as _;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, header};
use odf_domain::{AreaCode, AreaRef, Wilayah};
use odf_server::{AppState, ServerConfig};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::common::*;

fn cases(default: u32) -> u32 {
    let from_env = std::env::var("ODF_FUZZ_CASES").ok().and_then(|v| v.parse::<u32>().ok());
    from_env.map_or(default, |n| if default < 1000 { (n / 100).max(1) } else { n })
}

fn config(cases: u32) -> Config {
    // No failure files in the source tree: a failure prints its input, which is enough to reproduce.
    Config { cases, failure_persistence: None, ..Config::default() }
}

fn report(target: &str, executions: u64) {
    let line = format!("fuzz executions: {executions} ({target}), no panic\n");
    std::io::stderr().write_all(line.as_bytes()).unwrap();
}

/// Any JSON value, a few levels deep, with the strings that break things more often than chance.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,40}".prop_map(Value::from),
        prop_oneof![
            Just("\u{0}"),
            Just("\u{202e}x"),
            Just("-262143-01-01T00:00:00Z"),
            Just("9999-12-31T23:59:59Z"),
            Just("74.04.81.2001"),
            Just("0192f000-0000-7000-8000-000000000001"),
            Just("aman"),
            Just(""),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,12}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Places in a valid push where a fuzzed value goes.
const POINTERS: &[&str] = &[
    "",
    "/device",
    "/device/device_id",
    "/device/pending_count",
    "/households",
    "/households/0",
    "/households/0/id",
    "/households/0/village",
    "/households/0/head_name",
    "/households/0/kk_count",
    "/households/0/gps",
    "/households/0/rt",
    "/visits",
    "/visits/0/id",
    "/visits/0/household_id",
    "/visits/0/visited_at",
    "/visits/0/category",
    "/visits/0/checklist",
    "/visits/0/gps",
    "/visits/0/device_id",
    "/household_edits",
    "/village_actions",
];

fn valid_push(n: u64) -> Value {
    let household = format!("0192f000-0000-7000-8000-{n:012x}");
    json!({
        "device": { "device_id": "hp-fuzz", "app_version": "t", "pending_count": 0 },
        "households": [{ "id": household, "village": VILLAGE_A, "head_name": "Kepala", "kk_count": 1 }],
        "visits": [{
            "id": format!("0192f001-0000-7000-8000-{n:012x}"), "household_id": household, "sanitarian": "san_a",
            "visited_at": "2026-01-05T08:00:00Z", "category": "aman", "device_id": "hp-fuzz",
        }],
    })
}

/// A push body: a valid push with fields replaced, or raw bytes; gzip-encoded or not (or a gzip
/// stream cut short).
fn push_body() -> impl Strategy<Value = (Vec<u8>, u8)> {
    let mutated = (any::<u64>(), prop::collection::vec((0..POINTERS.len(), any_json()), 0..4)).prop_map(
        |(n, edits)| {
            let mut body = valid_push(n % 4096);
            for (at, value) in edits {
                if let Some(slot) = body.pointer_mut(POINTERS[at]) {
                    *slot = value;
                }
            }
            body.to_string().into_bytes()
        },
    );
    let raw = prop::collection::vec(any::<u8>(), 0..256);
    (prop_oneof![4 => mutated, 1 => raw], 0_u8..3)
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Sends `request` through the router (no network); fails on a 5xx or a refusal out of shape.
async fn check(router: &axum::Router, request: Request<Body>, shown: &dyn Fn() -> String) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status().as_u16();
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 24).await.unwrap();
    assert!(status < 500, "{status} for {}: {}", shown(), String::from_utf8_lossy(&bytes));
    if status >= 400 && !is_html {
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        assert!(
            body["error"]["code"].is_string() && body["error"]["message"].is_string(),
            "{status} out of the error shape for {}: {}",
            shown(),
            String::from_utf8_lossy(&bytes)
        );
    }
}

pub async fn fuzzed_pushes_and_query_strings_never_answer_5xx(app: Arc<TestApp>) {
    let router = odf_server::router(AppState::new(app.store.clone(), ServerConfig::default()));
    let token = app.login("san_a").await;
    let admin = app.login("admin").await;
    let mut runner = TestRunner::new(config(cases(300)));
    let strategy = push_body();
    let mut executions = 0_u64;
    for _ in 0..cases(300) {
        let (body, encoding) = strategy.new_tree(&mut runner).unwrap().current();
        let mut request = Request::post("/v1/sync/push")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json");
        let sent = match encoding {
            0 => body.clone(),
            1 => gzip(&body),
            _ => {
                let whole = gzip(&body);
                whole[..whole.len() / 2].to_vec()
            }
        };
        if encoding > 0 {
            request = request.header(header::CONTENT_ENCODING, "gzip");
        }
        let shown = || format!("push ({encoding}) {}", String::from_utf8_lossy(&body));
        check(&router, request.body(Body::from(sent)).unwrap(), &shown).await;
        executions += 1;
    }
    report("push bodies through the router, gzip or not", executions);

    // Query strings and path parameters on the routes that read them.
    let paths = [
        "/v1/sync/pull",
        "/v1/coverage/74",
        "/v1/coverage/74.04/series",
        "/v1/coverage/74.04/ranking",
        "/v1/coverage/74.04/villages",
        "/v1/coverage/74.04/stbm.csv",
        "/v1/coverage/74.04/dhis2",
        "/v1/admin/conflicts",
        "/v1/notifications",
        "/v1/villages/74.04.81.2001/history",
        "/wilayah/74.04",
    ];
    let keys = prop_oneof![
        Just("as_of"),
        Just("from"),
        Just("to"),
        Just("cursor"),
        Just("limit"),
        Just("period"),
        Just("format"),
        Just("lang"),
        Just("ukuran"),
        Just("all"),
    ];
    let value = prop_oneof![
        "[-0-9]{0,12}",
        "-?[0-9]{1,7}-[0-9]{1,3}(-[0-9]{1,3})?",
        "(%[0-9A-Fa-f]{2}|[a-zA-Z0-9.&=+])*",
    ];
    let segment = prop_oneof![
        3 => Just(String::new()),
        1 => "(%[0-9A-Fa-f]{2}|[a-zA-Z0-9.~-]){0,16}",
    ];
    let query = (0..paths.len(), prop::collection::vec((keys, value), 0..4), segment);
    let mut executions = 0_u64;
    for _ in 0..cases(300) {
        let (at, pairs, segment) = query.new_tree(&mut runner).unwrap().current();
        let path =
            if segment.is_empty() { paths[at].to_owned() } else { paths[at].replace("74.04", &segment) };
        let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let uri = format!("{path}?{}", query.join("&"));
        let Ok(request) = Request::get(uri.as_str())
            .header(header::AUTHORIZATION, format!("Bearer {admin}"))
            .header(header::COOKIE, format!("odf_session={admin}"))
            .body(Body::empty())
        else {
            continue; // Not a URI at all: the HTTP layer would refuse it before the router.
        };
        check(&router, request, &|| uri.clone()).await;
        executions += 1;
    }
    report("query strings and path parameters through the router", executions);
}

#[test]
fn fuzzed_area_codes_parse_back_to_themselves_or_are_refused() {
    let executions = std::cell::Cell::new(0_u64);
    let mut runner = TestRunner::new(config(cases(3000)));
    let text = prop_oneof![".{0,24}", "[0-9]{1,3}(\\.[0-9]{1,5}){0,4}", "(?i)nasional|[ .]{0,2}[0-9.]{0,16}"];
    runner
        .run(&text, |text| {
            executions.set(executions.get() + 1);
            if let Ok(code) = AreaCode::parse(&text) {
                prop_assert_eq!(AreaCode::parse(&code.to_string()).ok(), Some(code));
            }
            if let Ok(area) = text.parse::<AreaRef>() {
                prop_assert_eq!(area.to_string().parse::<AreaRef>().ok(), Some(area));
            }
            Ok(())
        })
        .unwrap();
    report("area codes", executions.get());
}

#[test]
fn fuzzed_area_csv_never_panics_and_takes_only_valid_places() {
    let executions = std::cell::Cell::new(0_u64);
    let mut runner = TestRunner::new(config(cases(3000)));
    let line = prop_oneof![
        ".{0,40}",
        "[0-9]{2}(\\.[0-9]{2}(\\.[0-9]{2}(\\.[0-9]{4})?)?)?,[A-Za-z \"',]{0,12}(,[0-9a-z]{0,8}){0,3}",
        Just("kode,nama,level,kind".to_owned()),
    ];
    let text = prop::collection::vec(line, 0..12).prop_map(|lines| lines.join("\n"));
    runner
        .run(&text, |text| {
            executions.set(executions.get() + 1);
            let load = Wilayah::from_csv(&text);
            for place in load.wilayah.iter() {
                prop_assert!(AreaCode::parse(&place.code.to_string()).is_ok());
            }
            Ok(())
        })
        .unwrap();
    report("area CSV", executions.get());
}

#[test]
fn fuzzed_boundaries_geojson_never_panics() {
    let executions = std::cell::Cell::new(0_u64);
    let mut runner = TestRunner::new(config(cases(3000)));
    let coordinate =
        prop_oneof![any::<f64>().prop_map(Value::from), (-200.0..200.0_f64).prop_map(Value::from)];
    let ring = prop::collection::vec(prop::collection::vec(coordinate, 0..4).prop_map(Value::Array), 0..6)
        .prop_map(Value::Array);
    let feature =
        (any_json(), "[0-9.]{0,16}", prop_oneof![Just("Polygon"), Just("MultiPolygon"), Just("Point")], ring)
            .prop_map(|(extra, code, kind, ring)| {
                let coordinates = if kind == "MultiPolygon" { json!([[ring]]) } else { json!([ring]) };
                json!({
                    "type": "Feature",
                    "properties": { "kode": code, "extra": extra },
                    "geometry": { "type": kind, "coordinates": coordinates },
                })
            });
    let text = prop_oneof![
        3 => prop::collection::vec(feature, 0..3)
            .prop_map(|features| json!({ "type": "FeatureCollection", "features": features }).to_string()),
        1 => ".{0,60}",
        1 => any_json().prop_map(|v| v.to_string()),
    ];
    runner
        .run(&text, |text| {
            executions.set(executions.get() + 1);
            let _ = odf_store::parse_boundaries(&text);
            Ok(())
        })
        .unwrap();
    report("boundaries GeoJSON", executions.get());
}
