//! The visits export for analysts (`/v1/export/{area}/visits.csv` and `.ndjson`), over real HTTP
//! on both databases: scope, roles, what viewers never see, `as_of`, formula cells, and the store's
//! keyset pages.

use std::sync::Arc;

use crate::common::*;
use chrono::{Duration, Utc};
use odf_domain::AreaCode;
use odf_store::{ExportCursor, ExportRow, RowWriter, VisitFilter};
use serde_json::{Value, json};
use uuid::Uuid;

const HEAD: &str = "Hamid Sitorus";

/// Three households in village A and B with five visits: one visited four days ago, the rest an
/// hour ago; GPS and a photo hash on the first visit.
async fn visits(app: &TestApp) -> Vec<Uuid> {
    let token = app.login("san_a").await;
    let homes = [
        json!({ "id": Uuid::now_v7(), "village": VILLAGE_A, "head_name": HEAD, "kk_count": 2, "dusun": "Dusun I" }),
        json!({ "id": Uuid::now_v7(), "village": VILLAGE_A, "head_name": "Wa Ode", "kk_count": 1 }),
        json!({ "id": Uuid::now_v7(), "village": VILLAGE_B, "head_name": "La Ode", "kk_count": 1 }),
    ];
    let recent = Utc::now() - Duration::hours(1);
    let old = Utc::now() - Duration::days(4);
    let plan =
        [(0, old, "BABS"), (0, recent, "JSP"), (1, recent, "SHARING"), (2, recent, "BABS"), (2, old, "JSSP")];
    let mut ids = Vec::new();
    let visits: Vec<Value> = plan
        .iter()
        .enumerate()
        .map(|(i, (home, at, category))| {
            let id = Uuid::now_v7();
            ids.push(id);
            let mut visit = json!({
                "id": id, "household_id": homes[*home]["id"], "sanitarian": "san_a",
                "visited_at": at, "category": category, "device_id": "hp-san-a",
                "checklist": { "closed_toilet": true, "water_and_soap": false },
            });
            if i == 0 {
                visit["gps"] = json!({ "lat": -5.3, "lng": 122.9 });
                visit["photo_sha256"] = json!("ab".repeat(32));
            }
            visit
        })
        .collect();
    let body = json!({
        "device": { "device_id": "hp-san-a", "app_version": "t", "pending_count": 0 },
        "households": homes, "visits": visits,
    });
    let (status, answer) = app.post("/v1/sync/push", &token, &body).await;
    assert_eq!(status, 200, "{answer}");
    ids
}

async fn text(app: &TestApp, path: &str, token: &str) -> (u16, String, String) {
    let response = app.http.get(app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = response.status().as_u16();
    let content_type =
        response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, content_type, response.text().await.unwrap())
}

pub async fn admins_export_every_visit_in_scope_as_csv_and_ndjson(app: Arc<TestApp>) {
    let ids = visits(&app).await;
    let admin = app.login("admin").await;

    let (status, content_type, csv) = text(&app, "/v1/export/74.04.81/visits.csv", &admin).await;
    assert_eq!((status, content_type.as_str()), (200, "text/csv; charset=utf-8"), "{csv}");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + ids.len(), "{csv}");
    let header: Vec<&str> = lines[0].split(',').collect();
    assert_eq!(header[0], "id_kunjungan");
    assert!(header.contains(&"nama_kepala_keluarga") && header.contains(&"lintang"), "{header:?}");
    assert!(csv.contains(HEAD) && csv.contains("hp-san-a") && csv.contains("-5.3"), "{csv}");
    for line in &lines[1..] {
        assert_eq!(line.split(',').count(), header.len(), "{line}");
    }
    // Every visit once, in village then id order.
    let mut exported: Vec<(String, Uuid)> = lines[1..]
        .iter()
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[2].to_owned(), cells[0].parse().unwrap())
        })
        .collect();
    let listed = exported.clone();
    exported.sort();
    assert_eq!(listed, exported);
    let mut expected = ids.clone();
    expected.sort();
    let mut got: Vec<Uuid> = exported.iter().map(|(_, id)| *id).collect();
    got.sort();
    assert_eq!(got, expected);

    let (_, _, english) = text(&app, "/v1/export/74.04.81/visits.csv?lang=en", &admin).await;
    assert!(english.starts_with("visit_id,household_id,village_code,"), "{english}");

    let (status, content_type, ndjson) = text(&app, "/v1/export/74.04.81/visits.ndjson", &admin).await;
    assert_eq!((status, content_type.as_str()), (200, "application/x-ndjson"));
    let rows: Vec<Value> = ndjson.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), ids.len());
    let first = rows.iter().find(|r| r["visit_id"] == json!(ids[0])).unwrap();
    assert_eq!(first["head_name"], HEAD);
    assert_eq!(first["dusun"], "Dusun I");
    assert_eq!(
        (first["category"].as_str(), first["legacy_code"].as_str()),
        (Some("babs_terbuka"), Some("BABS"))
    );
    assert_eq!(first["has_access"], false);
    assert_eq!(first["checklist"]["closed_toilet"], true);
    assert_eq!(first["lat"], -5.3);
    assert_eq!(first["photo_sha256"], "ab".repeat(32));
    assert_eq!(first["device_id"], "hp-san-a");

    // Another kecamatan's export has none of them; the whole province has them all.
    let (status, _, other) = text(&app, "/v1/export/74.71/visits.ndjson", &admin).await;
    assert_eq!((status, other.as_str()), (200, ""));
    let (_, _, province) = text(&app, "/v1/export/74/visits.ndjson", &admin).await;
    assert_eq!(province.lines().count(), ids.len());

    // As of two days ago in the village's zone (WITA): only the two visits made four days ago.
    let day = AreaCode::parse(VILLAGE_A).unwrap().local_date(Utc::now()) - Duration::days(2);
    let (status, _, past) = text(&app, &format!("/v1/export/74.04/visits.ndjson?as_of={day}"), &admin).await;
    assert_eq!(status, 200, "{past}");
    let mut past: Vec<Uuid> = past
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["visit_id"].as_str().unwrap().parse().unwrap())
        .collect();
    let mut old = vec![ids[0], ids[4]];
    old.sort();
    past.sort();
    assert_eq!(past, old);
}

pub async fn viewers_get_no_names_phones_or_gps_and_field_roles_are_refused(app: Arc<TestApp>) {
    let ids = visits(&app).await;
    let viewer = app.login("viewer_buton").await;
    let (status, _, csv) = text(&app, "/v1/export/74.04/visits.csv", &viewer).await;
    assert_eq!(status, 200, "{csv}");
    assert_eq!(csv.lines().count(), 1 + ids.len());
    let header = csv.lines().next().unwrap();
    for personal in ["nama_kepala_keluarga", "petugas", "perangkat", "lintang", "bujur"] {
        assert!(!header.split(',').any(|c| c == personal), "{header}");
    }
    for secret in [HEAD, "Wa Ode", "san_a", "hp-san-a", "-5.3", "122.9"] {
        assert!(!csv.contains(secret), "{secret} in {csv}");
    }
    let (status, _, ndjson) = text(&app, "/v1/export/74.04/visits.ndjson", &viewer).await;
    assert_eq!(status, 200);
    for line in ndjson.lines() {
        let row: Value = serde_json::from_str(line).unwrap();
        for key in ["head_name", "sanitarian", "device_id", "lat", "lng"] {
            assert!(row.get(key).is_none(), "{key} in {row}");
        }
    }
    // Outside the viewer's kabupaten: refused.
    let (status, body) = app.get("/v1/export/74.71/visits.csv", &viewer).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("out_of_scope")));
    for field in ["san_a", "ver"] {
        let token = app.login(field).await;
        let (status, body) = app.get("/v1/export/74.04.81/visits.ndjson", &token).await;
        assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden")), "{field}");
    }
}

/// A name a spreadsheet would run as a formula is exported as text (as the coverage CSVs do).
pub async fn formula_cells_are_neutralised(app: Arc<TestApp>) {
    visits(&app).await;
    app.raw_sql(&format!(
        "UPDATE households SET head_name = '=HYPERLINK(\"http://x\")' WHERE head_name = '{HEAD}'"
    ))
    .await;
    app.raw_sql("UPDATE households SET dusun = '@SUM(1)' WHERE dusun = 'Dusun I'").await;
    let admin = app.login("admin").await;
    let (status, _, csv) = text(&app, "/v1/export/74.04.81/visits.csv", &admin).await;
    assert_eq!(status, 200);
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
    assert!(csv.contains(",'@SUM(1),"), "{csv}");
    for cell in csv.lines().flat_map(|l| l.split(',')) {
        assert!(!cell.trim_start_matches('"').starts_with(['=', '+', '@']), "{cell}");
    }
}

/// The store's pages, however small, join up to the whole export: each row once, in order.
pub async fn keyset_pages_join_up_to_the_whole_export(app: Arc<TestApp>) {
    visits(&app).await;
    visits(&app).await;
    let filter = VisitFilter { under: Some(AreaCode::parse("74.04").unwrap()), visited_by: None };
    let whole = app.store.export_visits(&filter, None, 1000).await.unwrap();
    assert_eq!(whole.len(), 10);
    for size in [1, 3, 4] {
        let mut after: Option<ExportCursor> = None;
        let mut paged = Vec::new();
        loop {
            let page = app.store.export_visits(&filter, after, size).await.unwrap();
            after = page.last().map(|r| r.cursor());
            let end = page.len() < size as usize;
            paged.extend(page);
            if end {
                break;
            }
        }
        assert_eq!(paged, whole, "pages of {size}");
    }
    let none = VisitFilter { under: Some(AreaCode::parse("74.71").unwrap()), visited_by: None };
    assert!(app.store.export_visits(&none, None, 10).await.unwrap().is_empty());
}

/// Writes each row's `Debug` on a line: the stream's rows compared with the pages'.
struct DebugLines;

impl RowWriter for DebugLines {
    fn start(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"start\n");
    }

    fn row(&mut self, out: &mut Vec<u8>, row: &ExportRow<'_>) {
        out.extend_from_slice(format!("{:?}\n", row.to_visit()).as_bytes());
    }
}

/// The streamed export (SQLite's own connection, PostgreSQL's `COPY`) reads exactly the rows, in
/// the order and with the values, that the store's pages read, with and without a time bound.
pub async fn the_stream_gives_the_rows_of_the_pages(app: Arc<TestApp>) {
    visits(&app).await;
    visits(&app).await;
    app.raw_sql("UPDATE households SET rt = '=1', rw = NULL WHERE head_name = 'Wa Ode'").await;
    // A household in another village than its visits: SQLite's reader holds one village's
    // households at a time and must find this one by id.
    app.raw_sql(&format!("UPDATE households SET village_code = '{VILLAGE_B}' WHERE head_name = '{HEAD}'"))
        .await;
    let bounds = [None, Some(Utc::now() - Duration::days(2)), Some(Utc::now() + Duration::days(1))];
    let areas = [None, Some("74"), Some("74.04.81"), Some("74.71")];
    for (under, visited_by) in areas.iter().flat_map(|a| bounds.iter().map(move |b| (a, b))) {
        let filter =
            VisitFilter { under: under.map(|a| AreaCode::parse(a).unwrap()), visited_by: *visited_by };
        let mut expected = String::from("start\n");
        for row in app.store.export_visits(&filter, None, 1000).await.unwrap() {
            expected.push_str(&format!("{row:?}\n"));
        }
        let mut body = app.store.export_stream(filter, Box::new(DebugLines)).await.unwrap();
        let mut streamed = Vec::new();
        while let Some(chunk) = body.next_chunk().await.unwrap() {
            streamed.extend(chunk);
        }
        assert_eq!(String::from_utf8(streamed).unwrap(), expected, "{filter:?}");
    }
}

/// A stored row the export cannot read ends the download as a failed transfer, not a short file.
pub async fn a_row_that_cannot_be_read_breaks_the_download(app: Arc<TestApp>) {
    visits(&app).await;
    app.raw_sql("UPDATE visits SET flags = 'not json' WHERE village_code = '74.04.81.2001'").await;
    let admin = app.login("admin").await;
    // The error may come before the response's head left the server (the connection is then
    // closed at once) or after (the body stops without its last chunk): a failure either way.
    match app.http.get(app.url("/v1/export/74.04.81/visits.csv")).bearer_auth(&admin).send().await {
        Ok(response) => {
            assert_eq!(response.status().as_u16(), 200);
            assert!(response.text().await.is_err(), "the body ended as if complete");
        }
        Err(err) => assert!(err.is_request() || err.is_body(), "{err}"),
    }
}
