//! Migrations, areas and boundaries.

use odf_domain::AreaKind;
use odf_domain::{Place, Scope};
use odf_store::testing::RawDb;
use odf_store::*;

use crate::common::*;

pub(crate) async fn migrations_can_run_again_and_the_backend_is_named(store: AnyStore, _raw: RawDb) {
    store.ping().await.unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    assert!(["sqlite", "postgres"].contains(&store.backend_name()));
    assert!(store.areas(None).await.unwrap().is_empty());
}

pub(crate) async fn places_import_idempotently_and_renames_are_updates(store: AnyStore, _raw: RawDb) {
    let mut places: Vec<Place> = odf_fixtures::demo_wilayah().iter().cloned().collect();
    let total = places.len();
    let first = store.import_areas(&places).await.unwrap();
    assert_eq!((first.inserted, first.updated, first.unchanged), (total, 0, 0));

    let again = store.import_areas(&places).await.unwrap();
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, total));

    let buton = places.iter_mut().find(|p| p.code == code("74.04")).unwrap();
    buton.name = "Kabupaten Buton (baru)".to_owned();
    let orphan = Place { code: code("74.99.01.2001"), name: "Yatim".to_owned(), kind: AreaKind::Desa };
    places.push(orphan);
    let renamed = store.import_areas(&places).await.unwrap();
    assert_eq!((renamed.inserted, renamed.updated, renamed.unchanged), (0, 1, total - 1));
    assert_eq!(renamed.unknown, vec![code("74.99.01.2001")]);

    let area = store.area(code("74.04")).await.unwrap().unwrap();
    assert_eq!(area.name, "Kabupaten Buton (baru)");
    assert_eq!(area.kind, AreaKind::Kabupaten);
    assert_eq!(area.parent, Some(code("74")));
    let kelurahan = store.area(code(KELURAHAN)).await.unwrap().unwrap();
    assert_eq!(kelurahan.kind, AreaKind::Kelurahan);
    assert!(store.area(code("75")).await.unwrap().is_none());

    let under_buton = store.areas(Some(code("74.04"))).await.unwrap();
    assert_eq!(under_buton.len(), 1 + 3 + 18);
    assert!(under_buton.windows(2).all(|w| w[0].code < w[1].code));
    assert_eq!(store.areas(None).await.unwrap().len(), total);
}

pub(crate) async fn boundaries_import_idempotently_and_reach_the_change_feed(store: AnyStore, _raw: RawDb) {
    with_demo_places(&store).await;
    let (mut boundaries, problems) = parse_boundaries(odf_fixtures::BOUNDARIES_GEOJSON_FILE).unwrap();
    assert!(problems.is_empty());
    let count = boundaries.len();
    let first = store.import_boundaries(&boundaries).await.unwrap();
    assert_eq!((first.inserted, first.updated, first.unchanged), (count, 0, 0));
    let again = store.import_boundaries(&boundaries).await.unwrap();
    assert_eq!((again.inserted, again.updated, again.unchanged), (0, 0, count));

    let mut stray = boundaries[0].clone();
    stray.code = code("74.04.99.2001");
    boundaries.push(stray);
    let report = store.import_boundaries(&boundaries).await.unwrap();
    assert_eq!(report.unknown, vec![code("74.04.99.2001")]);

    let village = store.area(code(VILLAGE_A)).await.unwrap().unwrap();
    let shape = boundary_from_geojson(village.boundary.as_ref().unwrap()).unwrap();
    assert!(shape.contains(village.centroid.unwrap()));

    // The province has no boundary in the demo places: it is left out, and asking twice gives one.
    let shapes =
        store.boundaries_of(&[code("74"), code(VILLAGE_B), code(VILLAGE_A), code(VILLAGE_A)]).await.unwrap();
    assert_eq!(shapes.iter().map(|(c, _)| *c).collect::<Vec<_>>(), vec![code(VILLAGE_A), code(VILLAGE_B)]);
    assert_eq!(shapes[0].1["type"], "Polygon");

    let page = store.changes_since(&Scope::Areas(vec![code(VILLAGE_A)]), 0, 100).await.unwrap();
    let kinds: Vec<ChangeKind> = page.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [ChangeKind::Place, ChangeKind::Boundary]);
    assert_eq!(page.changes[1].payload["code"], VILLAGE_A);
}

fn place_changes(page: &ChangePage) -> Vec<(String, serde_json::Value)> {
    page.changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Place)
        .map(|c| (c.entity_id.clone(), c.payload.clone()))
        .collect()
}

pub(crate) async fn new_and_renamed_villages_reach_the_feed_with_their_names_in_scope(
    store: AnyStore,
    _raw: RawDb,
) {
    let mut places: Vec<Place> = odf_fixtures::demo_wilayah().iter().cloned().collect();
    store.import_areas(&places).await.unwrap();
    let scope = Scope::Areas(vec![code(VILLAGE_A)]);
    let first = store.changes_since(&scope, 0, 100).await.unwrap();
    let named = place_changes(&first);
    assert_eq!(named.len(), 1, "only the village in scope: {named:?}");
    let (id, payload) = &named[0];
    assert_eq!(id, VILLAGE_A);
    let village = store.area(code(VILLAGE_A)).await.unwrap().unwrap();
    let kecamatan = store.area(village.parent.unwrap()).await.unwrap().unwrap();
    let kabupaten = store.area(kecamatan.parent.unwrap()).await.unwrap().unwrap();
    assert_eq!(payload["name"], village.name.as_str());
    assert_eq!(payload["kind"], "desa");
    assert_eq!(payload["kecamatan"], kecamatan.name.as_str());
    assert_eq!(payload["kabupaten"], kabupaten.name.as_str());

    // Importing the same names again sends nothing; a rename sends the new name.
    store.import_areas(&places).await.unwrap();
    let cursor = first.next_cursor;
    assert!(place_changes(&store.changes_since(&scope, cursor, 100).await.unwrap()).is_empty());
    places.iter_mut().find(|p| p.code == code(VILLAGE_A)).unwrap().name = "Desa Baru".to_owned();
    places.iter_mut().find(|p| p.code == code(VILLAGE_B)).unwrap().name = "Desa Lain".to_owned();
    store.import_areas(&places).await.unwrap();
    let renamed = place_changes(&store.changes_since(&scope, cursor, 100).await.unwrap());
    assert_eq!(renamed.len(), 1, "{renamed:?}");
    assert_eq!(renamed[0].1["name"], "Desa Baru");
    let page = store.changes_since(&Scope::Areas(vec![code(VILLAGE_B)]), cursor, 100).await.unwrap();
    assert_eq!(place_changes(&page).last().unwrap().1["name"], "Desa Lain");

    // A renamed kecamatan is sent again with each of its villages.
    let cursor = store.changes_since(&Scope::All, 0, 10_000).await.unwrap().next_cursor;
    places.iter_mut().find(|p| p.code == kecamatan.code).unwrap().name = "Kecamatan Baru".to_owned();
    store.import_areas(&places).await.unwrap();
    let again = place_changes(&store.changes_since(&scope, cursor, 100).await.unwrap());
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].1["kecamatan"], "Kecamatan Baru");
    assert_eq!(again[0].1["name"], "Desa Baru");
    let under_kecamatan = store.areas(Some(kecamatan.code)).await.unwrap().len() - 1;
    let everywhere = place_changes(&store.changes_since(&Scope::All, cursor, 10_000).await.unwrap());
    assert_eq!(everywhere.len(), under_kecamatan);
}

pub(crate) async fn the_migration_names_villages_stored_before_it(store: AnyStore, raw: RawDb) {
    with_demo_places(&store).await;
    raw.execute("DELETE FROM changes").await;
    let sql = if store.backend_name() == "sqlite" {
        include_str!("../../migrations/sqlite/0007_place_changes.sql")
    } else {
        include_str!("../../migrations/postgres/0007_place_changes.sql")
    };
    raw.execute(sql).await;
    let villages = store.areas(None).await.unwrap().into_iter().filter(|a| a.code.is_village()).count();
    let page = store.changes_since(&Scope::All, 0, 10_000).await.unwrap();
    assert_eq!(place_changes(&page).len(), villages);
    let page = store.changes_since(&Scope::Areas(vec![code(KELURAHAN)]), 0, 100).await.unwrap();
    let named = place_changes(&page);
    assert_eq!(named.len(), 1);
    let kelurahan = store.area(code(KELURAHAN)).await.unwrap().unwrap();
    assert_eq!(named[0].1["name"], kelurahan.name.as_str());
    assert_eq!(named[0].1["kind"], "kelurahan");
    assert!(named[0].1["kecamatan"].is_string() && named[0].1["kabupaten"].is_string());
    assert!(page.changes[0].at <= chrono::Utc::now());
}
