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
    assert_eq!(page.changes.len(), 1);
    assert_eq!(page.changes[0].kind, ChangeKind::Boundary);
    assert_eq!(page.changes[0].payload["code"], VILLAGE_A);
}
