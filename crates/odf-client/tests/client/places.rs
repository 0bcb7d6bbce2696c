//! Village names from `place` changes: stored, shown in the views, replaced by a rename.

use crate::support::*;

fn place(name: &str, kecamatan: &str) -> serde_json::Value {
    serde_json::json!({
        "code": VILLAGE, "name": name, "kind": "desa", "kecamatan": kecamatan, "kabupaten": "Buton",
    })
}

#[tokio::test]
async fn pulled_names_show_in_the_views_and_a_rename_replaces_them() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    let before = client.villages().await.unwrap();
    assert!(before.iter().all(|v| v.name.is_none()), "no names before a pull");

    server.publish("place", VILLAGE, place("Wakaokili", "Pasarwajo"));
    // A name that does not read as a village's is skipped, not stored.
    server.publish("place", "x", serde_json::json!({"code": "74.04", "name": "Buton", "kind": "kabupaten"}));
    let (report, _) = sync(&client, &server, &options(200)).await;
    let report = report.unwrap();
    assert_eq!((report.changes, report.skipped_changes), (2, 1));
    let villages = client.villages().await.unwrap();
    assert!(villages.iter().all(|v| v.code != "74.04"));
    let village = villages.iter().find(|v| v.code == VILLAGE).unwrap();
    assert_eq!(village.name.as_deref(), Some("Wakaokili"));
    assert_eq!(village.place_kind.as_deref(), Some("desa"));
    assert_eq!(village.kecamatan.as_deref(), Some("Pasarwajo"));
    assert_eq!(village.kabupaten.as_deref(), Some("Buton"));
    assert!(village.assigned, "the name joins the assignment's row");
    let eligibility =
        client.village_eligibility(odf_domain::AreaCode::parse(VILLAGE).unwrap()).await.unwrap();
    assert_eq!(eligibility.village_name.as_deref(), Some("Wakaokili"));

    server.publish("place", VILLAGE, place("Wakaokili Baru", "Pasarwajo Utara"));
    let (report, _) = sync(&client, &server, &options(200)).await;
    assert_eq!(report.unwrap().changes, 1);
    let villages = client.villages().await.unwrap();
    let village = villages.iter().find(|v| v.code == VILLAGE).unwrap();
    assert_eq!(village.name.as_deref(), Some("Wakaokili Baru"));
    assert_eq!(village.kecamatan.as_deref(), Some("Pasarwajo Utara"));
}
