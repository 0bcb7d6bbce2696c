//! The coverage API for dashboards, over real HTTP on both databases.

use std::sync::Arc;

use crate::common::*;
use chrono::{Duration, Utc};
use odf_domain::{AreaCode, EventKind, StatusEvent};
use serde_json::{Value, json};
use uuid::Uuid;

/// Two households in village A (3 KK, all with access) and one in B (1 KK, BABS); village A
/// declared ODF.
pub async fn campaign(app: &TestApp) {
    let token = app.login("san_a").await;
    let homes = [
        json!({ "id": Uuid::now_v7(), "village": VILLAGE_A, "head_name": "A1", "kk_count": 2 }),
        json!({ "id": Uuid::now_v7(), "village": VILLAGE_A, "head_name": "A2", "kk_count": 1 }),
        json!({ "id": Uuid::now_v7(), "village": VILLAGE_B, "head_name": "B1", "kk_count": 1 }),
    ];
    let visits: Vec<Value> = homes
        .iter()
        .zip(["JSP", "SHARING", "BABS"])
        .map(|(h, category)| {
            json!({
                "id": Uuid::now_v7(), "household_id": h["id"], "sanitarian": "san_a",
                "visited_at": Utc::now() - Duration::days(1), "category": category, "device_id": "hp",
            })
        })
        .collect();
    let body = json!({
        "device": { "device_id": "hp", "app_version": "t", "pending_count": 0 },
        "households": homes, "visits": visits,
    });
    let (status, _) = app.post("/v1/sync/push", &token, &body).await;
    assert_eq!(status, 200);
    let village = AreaCode::parse(VILLAGE_A).unwrap();
    for (i, kind) in [EventKind::Trigger, EventKind::Claim, EventKind::StartVerification, EventKind::Pass]
        .into_iter()
        .enumerate()
    {
        let at = Utc::now() - Duration::hours(10) + Duration::minutes(i as i64);
        let event = StatusEvent { kind, actor: "ver".to_owned(), at, reason: None };
        app.store.apply_status_event(village, event).await.unwrap();
    }
}

pub async fn a_kabupaten_roll_up_names_both_measures_and_counts_villages_without_data(app: Arc<TestApp>) {
    campaign(&app).await;
    let viewer = app.login("viewer").await;
    let (status, body) = app.get("/v1/coverage/74.04", &viewer).await;
    assert_eq!(status, 200, "{body}");
    let area = &body["area"];
    assert_eq!(area["name"], "Kabupaten Buton");
    assert_eq!(area["kk_akses"]["measure"], "kk_akses");
    assert_eq!(area["kk_akses"]["label"], "% KK akses");
    assert_eq!(
        (area["kk_akses"]["numerator"].as_i64(), area["kk_akses"]["denominator"].as_i64()),
        (Some(3), Some(4))
    );
    assert_eq!(area["kk_akses"]["percent"].as_f64(), Some(75.0));
    assert_eq!(area["desa_sbs"]["label"], "% desa SBS");
    // All 18 villages of Buton's generated kecamatan count, though only two have data.
    assert_eq!(
        (area["desa_sbs"]["numerator"].as_i64(), area["desa_sbs"]["denominator"].as_i64()),
        (Some(1), Some(18))
    );
    assert!(area["kk_akses"]["as_of"].is_string());
    assert_eq!(body["children"].as_array().unwrap().len(), 3);
    assert_eq!(body["children"][0]["desa_sbs"]["denominator"], 6);
    assert!(body["freshness"]["last_change_at"].is_string());
    // The phone is listed, but a viewer does not see which phone or whose (issue 17, class 4).
    assert!(body["freshness"]["devices"][0]["last_sync_at"].is_string());
    assert!(body["freshness"]["devices"][0].get("device_id").is_none());

    let (_, ranked) = app.get("/v1/coverage/74/ranking?by=kk_akses", &viewer).await;
    assert_eq!(ranked["measure"], "kk_akses");
    assert_eq!(ranked["children"][0]["name"], "Kabupaten Buton");
    assert_eq!(ranked["children"].as_array().unwrap().len(), 17);

    let (_, villages) = app.get("/v1/coverage/74.04.81/villages", &viewer).await;
    let list = villages["children"].as_array().unwrap();
    assert_eq!(list.len(), 6);
    assert_eq!(list[0]["village"]["status"], "sbs");
    assert_eq!(list[1]["kk_akses"]["percent"].as_f64(), Some(0.0));
    assert!(list[2]["kk_akses"]["percent"].is_null());
    // Counts only: no names of household heads anywhere.
    assert!(!villages.to_string().contains("A1"));
}

pub async fn coverage_comes_as_csv_geojson_stbm_recap_and_dhis2(app: Arc<TestApp>) {
    campaign(&app).await;
    let viewer = app.login("viewer").await;
    let text = |path: &'static str| {
        let app = app.clone();
        let viewer = viewer.clone();
        async move {
            let response = app.http.get(app.url(path)).bearer_auth(&viewer).send().await.unwrap();
            assert_eq!(response.status(), 200, "{path}");
            response.text().await.unwrap()
        }
    };
    let csv = text("/v1/coverage/74.04.81?format=csv").await;
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("kode,nama,tingkat,kk_terdaftar,kk_dikunjungi,kk_akses,persen_kk_akses"));
    assert_eq!(lines.len(), 1 + 1 + 6);
    assert!(lines[1].starts_with("74.04.81,Contoh Satu,kecamatan,4,4,3,75.00,6,1,16.67"), "{}", lines[1]);
    let english = text("/v1/coverage/74.04.81?format=csv&lang=en").await;
    assert!(english.starts_with("code,name,level,kk_registered"));

    let geojson: Value = serde_json::from_str(&text("/v1/coverage/74.04.81?format=geojson").await).unwrap();
    let features = geojson["features"].as_array().unwrap();
    assert_eq!(features.len(), 6);
    assert_eq!(features[0]["geometry"]["type"], "Polygon");
    assert_eq!(features[0]["properties"]["kode"], VILLAGE_A);
    assert_eq!(features[0]["properties"]["desa_sbs_pembilang"], 1);

    let recap = text("/v1/coverage/74.04.81/stbm.csv").await;
    let rows: Vec<&str> = recap.lines().collect();
    assert!(rows[0].starts_with("kode_desa,nama_desa,kecamatan,jumlah_kk,jsp,jssp,sharing,babs"));
    assert!(
        rows[1].starts_with(&format!("{VILLAGE_A},Desa Contoh Satu 1,Contoh Satu,3,2,0,1,0,0,100.00,sbs")),
        "{}",
        rows[1]
    );
    assert!(
        rows[2].starts_with(&format!("{VILLAGE_B},Desa Contoh Satu 2,Contoh Satu,1,0,0,0,1,0,0.00")),
        "{}",
        rows[2]
    );

    let (status, dhis2) = app.get("/v1/coverage/74.04.81/dhis2?period=202611", &viewer).await;
    assert_eq!(status, 200);
    let values = dhis2["dataValues"].as_array().unwrap();
    assert_eq!(values.len(), 6 * 4);
    let value_of = |element: &str, org: &str| {
        values.iter().find(|v| v["dataElement"] == element && v["orgUnit"] == org).unwrap()["value"].clone()
    };
    assert_eq!(value_of("ODF_KK_AKSES", VILLAGE_A), "3");
    assert_eq!(value_of("ODF_DESA_SBS", VILLAGE_A), "1");
    assert_eq!(value_of("ODF_DESA_SBS", VILLAGE_B), "0");
    assert_eq!(values[0]["period"], "202611");
    let (status, body) = app.get("/v1/coverage/74.04.81/dhis2?period=2026-11", &viewer).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid_query")));
}

pub async fn a_viewer_cannot_read_coverage_outside_their_area(app: Arc<TestApp>) {
    let buton = app.login("viewer_buton").await;
    let (status, _) = app.get("/v1/coverage/74.04.81", &buton).await;
    assert_eq!(status, 200);
    for path in
        ["/v1/coverage/74.71", "/v1/coverage/74", "/v1/coverage/nasional", "/v1/coverage/74.71/villages"]
    {
        let (status, body) = app.get(path, &buton).await;
        assert_eq!((status, body["error"]["code"].as_str()), (403, Some("out_of_scope")), "{path}");
    }
    let (status, body) = app.get("/v1/coverage/74.4", &buton).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid_area_code")));
    let (status, _) = app.get("/v1/coverage/74.04.99", &buton).await;
    assert_eq!(status, 404);
    let (status, _) = app.get("/v1/coverage/74.04", "odf_nope").await;
    assert_eq!(status, 401);
}

pub async fn past_dates_and_monthly_series_are_rebuilt_from_visit_and_status_dates(app: Arc<TestApp>) {
    campaign(&app).await;
    let viewer = app.login("viewer").await;
    let today = Utc::now().date_naive();

    // Before any visit: nothing known, every village still in the denominator.
    let before = (today - Duration::days(3)).format("%Y-%m-%d");
    let (status, body) = app.get(&format!("/v1/coverage/74.04?as_of={before}"), &viewer).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["area"]["kk_akses"]["denominator"].as_i64(), body["area"]["kk_akses"]["percent"].is_null()),
        (Some(0), true)
    );
    assert_eq!(
        (body["area"]["desa_sbs"]["numerator"].as_i64(), body["area"]["desa_sbs"]["denominator"].as_i64()),
        (Some(0), Some(18))
    );
    assert!(body["area"]["kk_akses"]["as_of"].as_str().unwrap().starts_with(&before.to_string()));

    // Today, rebuilt from dates, equals the running tallies.
    let (_, rebuilt) =
        app.get(&format!("/v1/coverage/74.04?as_of={}", today.format("%Y-%m-%d")), &viewer).await;
    let (_, current) = app.get("/v1/coverage/74.04", &viewer).await;
    for measure in ["kk_akses", "desa_sbs"] {
        for part in ["numerator", "denominator"] {
            assert_eq!(rebuilt["area"][measure][part], current["area"][measure][part], "{measure} {part}");
        }
    }

    let last_month = (today - chrono::Months::new(1)).format("%Y-%m");
    let (status, series) = app.get(&format!("/v1/coverage/74.04/series?from={last_month}"), &viewer).await;
    assert_eq!(status, 200, "{series}");
    let points = series["points"].as_array().unwrap();
    assert_eq!(points.len(), 2);
    assert_eq!(points[1]["period"], today.format("%Y-%m").to_string());
    assert_eq!(
        (points[1]["kk_akses"]["numerator"].as_i64(), points[1]["kk_akses"]["denominator"].as_i64()),
        (Some(3), Some(4))
    );
    assert_eq!(points[1]["desa_sbs"]["label"], "% desa SBS");
    assert_eq!(series["area"]["name"], "Kabupaten Buton");

    let (status, body) = app.get("/v1/coverage/74.04/series?from=2026-13", &viewer).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid_query")));
    let (status, _) = app.get("/v1/coverage/74.04/series?from=2000-01&to=2026-01", &viewer).await;
    assert_eq!(status, 400);
    let (status, _) = app.get("/v1/coverage/74.04?as_of=yesterday", &viewer).await;
    assert_eq!(status, 400);
}

/// Households of `village` pushed by `sanitarian`, each with up to three visits spread over the
/// past year (two at the same moment now and then), so the months differ.
async fn a_year_of_visits(app: &TestApp, sanitarian: &str, village: &str, seed: i64) {
    let token = app.login(sanitarian).await;
    let categories = ["JSP", "SHARING", "BABS", "JSSP", "babs_tertutup", "belum_layak"];
    let mut homes = Vec::new();
    let mut visits = Vec::new();
    for h in 0..8_i64 {
        let home = json!({
            "id": Uuid::now_v7(), "village": village, "head_name": format!("H{h}"), "kk_count": 1 + h % 3,
        });
        let first = Utc::now() - Duration::hours((seed * 977 + h * 1_291) % (24 * 330));
        for v in 0..(seed + h) % 4 {
            let at = if v == 2 { first } else { first + Duration::hours(v * 700) };
            visits.push(json!({
                "id": Uuid::now_v7(), "household_id": home["id"], "sanitarian": sanitarian,
                "visited_at": at.min(Utc::now()), "category": categories[usize::try_from((seed + h + v) % 6).unwrap()],
                "device_id": "hp",
            }));
        }
        homes.push(home);
    }
    let body = json!({
        "device": { "device_id": "hp", "app_version": "t", "pending_count": 0 },
        "households": homes, "visits": visits,
    });
    let (status, body) = app.post("/v1/sync/push", &token, &body).await;
    assert_eq!(status, 200, "{body}");
}

/// The dashboard's trend is streamed from the store household by household
/// (`odf_server::web::monthly_from_store`); it must give exactly the figures of the series rebuilt
/// from every fact at once (`Facts::monthly`, as `/series` computes them).
pub async fn the_streamed_monthly_trend_equals_the_series_of_all_the_facts(app: Arc<TestApp>) {
    campaign(&app).await;
    a_year_of_visits(&app, "san_a", VILLAGE_A, 1).await;
    a_year_of_visits(&app, "san_a", VILLAGE_B, 2).await;
    a_year_of_visits(&app, "san_k", KELURAHAN, 3).await;
    let wilayah = odf_server::places::load_wilayah(&app.store).await.unwrap();
    let now = Utc::now();
    let today = now.date_naive();
    let windows = [
        (today - chrono::Months::new(11), today),
        (today - chrono::Months::new(7), today - chrono::Months::new(2)),
    ];
    for text in ["nasional", "74", "74.04", "74.04.81", VILLAGE_A, VILLAGE_B, "74.71", KELURAHAN] {
        let area: odf_domain::AreaRef = text.parse().unwrap();
        let facts =
            odf_server::routes::coverage::facts_from(app.store.history_facts(area.code()).await.unwrap());
        for (from, to) in windows {
            let old = facts.monthly(&wilayah, area, from, to, now);
            let streamed =
                odf_server::web::monthly_from_store(&app.store, &wilayah, area, from, to, now).await.unwrap();
            assert!(!old.is_empty());
            assert_eq!(streamed, old, "{text} {from}..{to}");
        }
    }
}
