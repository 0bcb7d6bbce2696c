//! Working with no network: registering, recording, validation, GPS warnings, scope, the lists.

use crate::support::*;
use chrono::{Duration, Utc};
use odf_client::{Client, ClientError, HouseholdDraft, Need, Saved, SyncState, VisitDraft};
use odf_domain::GpsFlag;
use odf_mobile_api::GpsDto;

fn code<T: std::fmt::Debug>(result: Result<T, ClientError>) -> &'static str {
    match result {
        Err(ClientError::Invalid { problem }) => problem.code.as_str(),
        other => panic!("{other:?}"),
    }
}

fn draft(village: &str, head: &str) -> HouseholdDraft {
    HouseholdDraft {
        village: village.to_owned(),
        head_name: head.to_owned(),
        kk_count: 2,
        ..HouseholdDraft::default()
    }
}

async fn set_up(home: &std::path::Path) -> Client {
    let client = Client::open(home).await.unwrap();
    client.set_up("http://odf.example.invalid", "sani").await.unwrap();
    client
}

#[tokio::test]
async fn a_household_and_its_visit_are_saved_offline_with_v7_ids_and_queued() {
    let home = tempfile::tempdir().unwrap();
    let client = set_up(home.path()).await;

    let household = add_household(&client, "La Ode Hamid").await;
    let visit = add_visit(&client, household, "jssp").await;

    assert_eq!(household.get_version_num(), 7);
    assert_eq!(visit.get_version_num(), 7);
    let outbox = client.outbox(None).await.unwrap();
    assert_eq!(outbox.iter().map(|e| e.record_id).collect::<Vec<_>>(), vec![household, visit]);
    let status = client.status().await.unwrap();
    assert_eq!(status.pending, 2);
    assert!(!status.logged_in);
    let views = client.households(None).await.unwrap();
    assert_eq!(views[0].sync, SyncState::Pending);
    assert_eq!(views[0].unsynced_visits, 1);
    assert_eq!(views[0].latest_visit.as_ref().unwrap().category, odf_domain::Category::LayakSendiri);
}

#[tokio::test]
async fn records_survive_closing_and_reopening_the_home_with_the_same_device_id() {
    let home = tempfile::tempdir().unwrap();
    let client = set_up(home.path()).await;
    let device = client.device_id().to_owned();
    let household = add_household(&client, "La Ode Hamid").await;
    client.close().await;

    let client = Client::open(home.path()).await.unwrap();

    assert_eq!(client.device_id(), device);
    assert_eq!(client.find_household(&household.to_string()).await.unwrap().head_name, "La Ode Hamid");
    assert_eq!(client.status().await.unwrap().pending, 1);
}

#[tokio::test]
async fn the_servers_validation_refuses_bad_records_before_saving() {
    let home = tempfile::tempdir().unwrap();
    let client = set_up(home.path()).await;

    assert_eq!(code(client.register_household(draft("74.04.81", "A"), false).await), "not_a_village");
    assert_eq!(code(client.register_household(draft("74.4", "A"), false).await), "invalid_area_code");
    assert_eq!(code(client.register_household(draft(VILLAGE, "  "), false).await), "field_missing");
    let mut zero = draft(VILLAGE, "A");
    zero.kk_count = 0;
    assert_eq!(code(client.register_household(zero, false).await), "kk_out_of_range");
    let mut abroad = draft(VILLAGE, "A");
    abroad.gps = Some(GpsDto { lat: 51.5, lng: -0.1 });
    assert_eq!(code(client.register_household(abroad, false).await), "invalid_gps");

    let household = add_household(&client, "La Ode Hamid").await;
    let visit = |category: &str| VisitDraft {
        household_id: household,
        category: category.to_owned(),
        ..VisitDraft::default()
    };
    assert_eq!(code(client.record_visit(visit("kakus"), false).await), "unknown_category");
    let mut future = visit("JSP");
    future.visited_at = Some(Utc::now() + Duration::hours(2));
    assert_eq!(code(client.record_visit(future, false).await), "visit_in_future");
    let mut photo = visit("JSP");
    photo.photo_sha256 = Some("abc".to_owned());
    assert_eq!(code(client.record_visit(photo, false).await), "bad_photo_hash");
    assert_eq!(client.status().await.unwrap().pending, 1, "only the good household was saved");
}

#[tokio::test]
async fn a_visit_needs_a_user_and_a_household_the_phone_knows() {
    let home = tempfile::tempdir().unwrap();
    let client = Client::open(home.path()).await.unwrap();
    let household = add_household(&client, "La Ode Hamid").await;
    let visit = VisitDraft { household_id: household, category: "JSP".to_owned(), ..VisitDraft::default() };
    assert!(matches!(client.record_visit(visit.clone(), false).await, Err(ClientError::NoUser)));

    client.set_up("http://odf.example.invalid", "sani").await.unwrap();
    let unknown = VisitDraft { household_id: uuid::Uuid::now_v7(), ..visit };
    assert!(matches!(client.record_visit(unknown, false).await, Err(ClientError::UnknownHousehold(_))));
}

#[tokio::test]
async fn a_gps_point_outside_the_village_boundary_needs_confirmation_before_saving() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    server.publish(
        "boundary",
        VILLAGE,
        serde_json::json!({"code": VILLAGE, "geometry": {"type": "Polygon", "coordinates": [[[122.60, -5.50], [122.62, -5.50], [122.62, -5.48], [122.60, -5.48], [122.60, -5.50]]]}, "centroid": null}),
    );
    client.pull(&server, &odf_client::NoSleep::default(), &options(200), &mut |_| {}).await.unwrap();
    let mut inside = draft(VILLAGE, "La Ode Hamid");
    inside.gps = Some(GpsDto { lat: -5.49, lng: 122.61 });
    let Saved::Saved { record: household, warnings } =
        client.register_household(inside, false).await.unwrap()
    else {
        panic!("a point inside is saved at once");
    };
    assert!(warnings.is_empty());

    let outside = VisitDraft {
        household_id: household.id,
        category: "BABS".to_owned(),
        gps: Some(GpsDto { lat: -5.40, lng: 122.61 }),
        ..VisitDraft::default()
    };
    let answer = client.record_visit(outside.clone(), false).await.unwrap();
    assert_eq!(
        answer,
        Saved::NeedsConfirmation { warnings: vec![GpsFlag::OutsideVillage, GpsFlag::FarFromHousehold] }
    );
    assert_eq!(client.status().await.unwrap().pending, 1, "nothing saved without confirmation");

    let confirmed = client.record_visit(outside, true).await.unwrap();
    assert!(matches!(confirmed, Saved::Saved { ref warnings, .. } if warnings.len() == 2));
    assert_eq!(client.status().await.unwrap().pending, 2);
}

#[tokio::test]
async fn a_village_outside_the_assignment_is_refused_before_saving() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;

    let result = client.register_household(draft("74.04.81.2003", "Di Luar"), false).await;

    assert!(matches!(result, Err(ClientError::OutOfScope(_))), "{result:?}");
    assert!(client.register_household(draft("74.04.81.2002", "Di Dalam"), false).await.is_ok());
}

#[tokio::test]
async fn a_village_assigned_after_login_is_allowed_after_the_next_pull() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    server.with(|s| s.new_villages.push("74.04.81.2003".to_owned()));
    let before = client.register_household(draft("74.04.81.2003", "Baru"), false).await;
    assert!(matches!(before, Err(ClientError::OutOfScope(_))), "{before:?}");

    client.pull(&server, &odf_client::NoSleep::default(), &options(200), &mut |_| {}).await.unwrap();

    assert!(client.register_household(draft("74.04.81.2003", "Baru"), false).await.is_ok());
}

#[tokio::test]
async fn a_home_belongs_to_one_user() {
    let home = tempfile::tempdir().unwrap();
    let client = set_up(home.path()).await;
    let server = FakeServer::default();

    let other = client.login(&server, "http://fake.invalid", "budi", "rahasia").await;

    assert!(matches!(other, Err(ClientError::OtherUser { .. })), "{other:?}");
    assert!(client.login(&server, "http://fake.invalid", "sani", "rahasia").await.is_ok());
}

#[tokio::test]
async fn the_household_list_says_what_each_still_needs_by_its_latest_visit() {
    let home = tempfile::tempdir().unwrap();
    let client = set_up(home.path()).await;
    let never = add_household(&client, "A Belum").await;
    let babs = add_household(&client, "B Babs").await;
    let ok = add_household(&client, "C Akses").await;
    let earlier = |h, category: &str, hours| VisitDraft {
        household_id: h,
        category: category.to_owned(),
        visited_at: Some(Utc::now() - Duration::hours(hours)),
        ..VisitDraft::default()
    };
    // B had access, then slipped; C was BABS, then got a toilet.
    client.record_visit(earlier(babs, "JSP", 48), false).await.unwrap();
    client.record_visit(earlier(babs, "babs_tertutup", 2), false).await.unwrap();
    client.record_visit(earlier(ok, "BABS", 48), false).await.unwrap();
    client.record_visit(earlier(ok, "sharing", 2), false).await.unwrap();

    let views = client.households(None).await.unwrap();
    let need = |id| views.iter().find(|v| v.household.id == id).unwrap().need;

    assert_eq!(need(never), Need::NeverVisited);
    assert_eq!(need(babs), Need::Babs);
    assert_eq!(need(ok), Need::Ok);
    let coverage = client.coverage(None).await.unwrap();
    assert_eq!((coverage[0].numerator, coverage[0].denominator), (1, 3));
}

#[tokio::test]
async fn a_household_is_found_by_an_unambiguous_start_or_end_of_its_id() {
    let home = tempfile::tempdir().unwrap();
    let client = set_up(home.path()).await;
    let first = add_household(&client, "La Ode Hamid").await;
    add_household(&client, "Wa Ode Sitti").await;
    let text = first.to_string();

    assert_eq!(client.find_household(&text[text.len() - 8..]).await.unwrap().id, first);
    assert_eq!(client.find_household(&text.to_uppercase()).await.unwrap().id, first);
    // Ids made in the same millisecond range share their first characters.
    assert!(matches!(
        client.find_household(&text[..4]).await,
        Err(ClientError::AmbiguousHousehold { count: 2, .. })
    ));
    assert!(matches!(client.find_household("zz%_").await, Err(ClientError::UnknownHousehold(_))));
}

#[tokio::test]
async fn an_edit_changes_the_phones_copy_at_once_and_is_queued_on_the_known_revision() {
    let home = tempfile::tempdir().unwrap();
    let client = set_up(home.path()).await;
    let household = add_household(&client, "La Ode Hamid").await;

    let changes = odf_domain::HouseholdChanges {
        head_name: Some("Wa Ode Sitti".to_owned()),
        kk_count: Some(3),
        dusun: Some(None),
        ..odf_domain::HouseholdChanges::default()
    };
    let after = client.edit_household(household, changes).await.unwrap();

    assert_eq!((after.head_name.as_str(), after.kk_count, after.dusun.as_deref()), ("Wa Ode Sitti", 3, None));
    let views = client.households(None).await.unwrap();
    assert_eq!(views[0].household.head_name, "Wa Ode Sitti");
    let outbox = client.outbox(None).await.unwrap();
    assert_eq!(outbox.len(), 2);
    assert_eq!(outbox[1].kind, odf_mobile_api::RecordKindDto::HouseholdEdit);
    let db = format!("sqlite://{}", home.path().join("odf-client.sqlite").display());
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&db).await.unwrap();
    let payload: String = sqlx::query_scalar("SELECT payload FROM outbox WHERE record_id = $1")
        .bind(outbox[1].record_id.to_string())
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let edit: odf_mobile_api::HouseholdEditDto = serde_json::from_str(&payload).unwrap();
    assert_eq!((edit.household_id, edit.base_revision), (household, 1));
    assert_eq!(
        edit.changes,
        serde_json::json!({ "head_name": "Wa Ode Sitti", "kk_count": 3, "dusun": null })
    );

    let nothing = client.edit_household(household, odf_domain::HouseholdChanges::default()).await;
    assert_eq!(code(nothing), "field_missing");
    let zero = odf_domain::HouseholdChanges { kk_count: Some(0), ..odf_domain::HouseholdChanges::default() };
    assert_eq!(code(client.edit_household(household, zero).await), "invalid_field");
    assert!(matches!(
        client
            .edit_household(
                uuid::Uuid::now_v7(),
                odf_domain::HouseholdChanges { kk_count: Some(2), ..Default::default() }
            )
            .await,
        Err(ClientError::UnknownHousehold(_))
    ));
}
