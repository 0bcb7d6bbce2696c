//! One conformance suite for every `Store` implementation: each test runs as `sqlite::<name>` and
//! `postgres::<name>` (the latter when `ODF_TEST_POSTGRES_URL` is set).

// Test code: a failed unwrap is a failed test, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod harness;

use chrono::{Duration, TimeZone, Utc};
use harness::RawDb;
use odf_domain::{AreaCode, Category, Checklist, EventKind, Household, Place, Scope, StatusEvent, Visit};
use odf_domain::{AreaKind, HouseholdChanges, HouseholdField, VillageStatus};
use odf_store::*;
use uuid::Uuid;

conformance!(
    migrations_can_run_again_and_the_backend_is_named,
    places_import_idempotently_and_renames_are_updates,
    boundaries_import_idempotently_and_reach_the_change_feed,
    users_and_sessions_round_trip,
    a_batch_pushed_twice_is_stored_once,
    a_changed_record_under_a_known_id_is_a_conflict_and_changes_nothing,
    records_for_unknown_villages_or_households_are_rejected_and_not_stored,
    tallies_follow_the_latest_visit_and_agree_with_a_recount,
    a_recount_reports_a_tampered_tally,
    the_change_feed_pages_by_cursor_within_a_scope,
    village_status_follows_the_machine_and_is_audited,
    the_audit_chain_detects_tampering,
    concurrent_overlapping_batches_store_each_record_once,
    households_are_found_by_id_in_one_call,
    device_reports_are_kept_with_the_batch_and_replaced_by_newer_ones,
    household_edits_apply_merge_field_by_field_and_leave_conflicts_to_resolve,
    history_facts_hold_the_areas_households_visits_and_status_changes,
);

fn code(text: &str) -> AreaCode {
    AreaCode::parse(text).unwrap()
}

const VILLAGE_A: &str = "74.04.81.2001";
const VILLAGE_B: &str = "74.04.81.2002";
const VILLAGE_C: &str = "74.04.82.2001";
const KELURAHAN: &str = "74.71.81.1001";

async fn with_demo_places<S: Store>(store: &S) {
    let places: Vec<Place> = odf_fixtures::demo_wilayah().iter().cloned().collect();
    store.import_areas(&places).await.unwrap();
}

fn household(village: &str, kk: u16) -> Household {
    Household {
        id: Uuid::now_v7(),
        village: code(village),
        head_name: "La Ode Hamid".to_owned(),
        kk_count: kk,
        dusun: Some("Dusun I".to_owned()),
        rw: Some("002".to_owned()),
        rt: None,
        gps: Some(odf_domain::GeoPoint::new(-5.59, 122.71).unwrap()),
    }
}

fn visit(h: &Household, category: Category, days_ago: i64) -> Visit {
    Visit {
        id: Uuid::now_v7(),
        household_id: h.id,
        sanitarian: "sanitarian1".to_owned(),
        // A fixed time with nanoseconds: the store keeps microseconds on both backends.
        visited_at: Utc.with_ymd_and_hms(2026, 10, 1, 8, 0, 0).unwrap() - Duration::days(days_ago)
            + Duration::nanoseconds(123_456_789),
        category,
        checklist: Checklist { closed_toilet: Some(true), ..Checklist::default() },
        gps: None,
        photo_sha256: None,
        device_id: "hp-01".to_owned(),
    }
}

fn batch(households: &[Household], visits: &[Visit]) -> IngestBatch {
    IngestBatch {
        received_from: "sanitarian1".to_owned(),
        households: households.to_vec(),
        visits: visits.iter().cloned().map(FlaggedVisit::from).collect(),
        edits: vec![],
        device: None,
    }
}

fn statuses(outcomes: &[RecordOutcome]) -> Vec<Outcome> {
    outcomes.iter().map(|o| o.outcome.clone()).collect()
}

async fn migrations_can_run_again_and_the_backend_is_named<S: Store>(store: S, _raw: RawDb) {
    store.ping().await.unwrap();
    store.migrate().await.unwrap();
    store.migrate().await.unwrap();
    assert!(["sqlite", "postgres"].contains(&store.backend_name()));
    assert!(store.areas(None).await.unwrap().is_empty());
}

async fn places_import_idempotently_and_renames_are_updates<S: Store>(store: S, _raw: RawDb) {
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

async fn boundaries_import_idempotently_and_reach_the_change_feed<S: Store>(store: S, _raw: RawDb) {
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

    let shapes = store
        .boundaries_of(&[code("74.71"), code(VILLAGE_B), code(VILLAGE_A), code(VILLAGE_A)])
        .await
        .unwrap();
    assert_eq!(shapes.iter().map(|(c, _)| *c).collect::<Vec<_>>(), vec![code(VILLAGE_A), code(VILLAGE_B)]);
    assert_eq!(shapes[0].1["type"], "Polygon");

    let page = store.changes_since(&Scope::Areas(vec![code(VILLAGE_A)]), 0, 100).await.unwrap();
    assert_eq!(page.changes.len(), 1);
    assert_eq!(page.changes[0].kind, ChangeKind::Boundary);
    assert_eq!(page.changes[0].payload["code"], VILLAGE_A);
}

fn new_user(username: &str, role: odf_domain::Role) -> NewUser {
    NewUser {
        username: username.to_owned(),
        display_name: format!("Pengguna {username}"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
        role,
        area: code("74.04.81"),
        villages: vec![code(VILLAGE_A), code(VILLAGE_B)],
    }
}

async fn users_and_sessions_round_trip<S: Store>(store: S, _raw: RawDb) {
    let sanitarian = store.create_user(new_user("wa_ode", odf_domain::Role::Sanitarian)).await.unwrap();
    store.create_user(new_user("admin", odf_domain::Role::Admin)).await.unwrap();
    let taken = store.create_user(new_user("wa_ode", odf_domain::Role::Viewer)).await.unwrap_err();
    assert_eq!(taken.code(), "username_taken");

    let by_id = store.user(sanitarian.id).await.unwrap().unwrap();
    assert_eq!(by_id, sanitarian);
    let by_name = store.user_by_username("wa_ode").await.unwrap().unwrap();
    assert_eq!(by_name.villages, vec![code(VILLAGE_A), code(VILLAGE_B)]);
    assert!(store.user_by_username("nobody").await.unwrap().is_none());
    let names: Vec<String> = store.list_users().await.unwrap().into_iter().map(|u| u.username).collect();
    assert_eq!(names, vec!["admin", "wa_ode"]);

    store.set_user_disabled("wa_ode", true).await.unwrap();
    assert!(store.user(sanitarian.id).await.unwrap().unwrap().disabled);
    assert_eq!(store.set_user_disabled("nobody", true).await.unwrap_err().code(), "not_found");

    let token_hash = [7u8; 32];
    let expires_at = Utc::now() + Duration::hours(12);
    let session = NewSession { token_hash, user_id: sanitarian.id, kind: SessionKind::Login, expires_at };
    store.create_session(session).await.unwrap();
    let stored = store.session(token_hash).await.unwrap().unwrap();
    assert_eq!(stored.user_id, sanitarian.id);
    assert!(stored.is_active(Utc::now()));
    assert!(!stored.is_active(expires_at + Duration::seconds(1)));
    assert!(store.revoke_session(token_hash).await.unwrap());
    assert!(!store.revoke_session(token_hash).await.unwrap());
    assert!(!store.session(token_hash).await.unwrap().unwrap().is_active(Utc::now()));
    assert!(store.session([9u8; 32]).await.unwrap().is_none());
}

async fn a_batch_pushed_twice_is_stored_once<S: Store>(store: S, _raw: RawDb) {
    with_demo_places(&store).await;
    let homes = [household(VILLAGE_A, 1), household(VILLAGE_A, 2), household(VILLAGE_B, 1)];
    let visits = [
        visit(&homes[0], Category::BabsTerbuka, 20),
        visit(&homes[0], Category::Aman, 10),
        visit(&homes[1], Category::LayakBersama, 5),
        visit(&homes[2], Category::BabsTertutup, 3),
    ];
    let first = store.ingest(batch(&homes, &visits)).await.unwrap();
    assert_eq!(first.len(), 7);
    assert!(statuses(&first).iter().all(|o| *o == Outcome::Accepted), "{first:?}");
    assert_eq!(first[0].kind, RecordKind::Household);
    assert_eq!(first[3].kind, RecordKind::Visit);
    assert_eq!(first[3].id, visits[0].id);

    let second = store.ingest(batch(&homes, &visits)).await.unwrap();
    assert!(statuses(&second).iter().all(|o| *o == Outcome::Duplicate), "{second:?}");
    assert_eq!(store.visit_count().await.unwrap(), 4);
    assert_eq!(store.households_in(code(VILLAGE_A)).await.unwrap().len(), 2);

    let stored = store.household(homes[0].id).await.unwrap().unwrap();
    assert_eq!(stored.household, homes[0]);
    assert_eq!(stored.revision, 1);
    let latest = stored.latest_visit.unwrap();
    assert_eq!((latest.visit_id, latest.category), (visits[1].id, Category::Aman));

    let history = store.visits_of(homes[0].id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].visit.id, visits[0].id);
    assert_eq!(history[1].village, code(VILLAGE_A));
    // Read back exactly as stored: microsecond precision on both backends.
    assert_eq!(history[1].visit.visited_at.timestamp_subsec_nanos(), 123_456_000);
    assert_eq!(history[1].visit.checklist, visits[1].checklist);
    assert_eq!(store.household(Uuid::now_v7()).await.unwrap(), None);

    let tally = store.village_tally(code(VILLAGE_A)).await.unwrap();
    assert_eq!((tally.houses, tally.kk, tally.kk_visited, tally.kk_access), (2, 3, 3, 3));
}

async fn a_changed_record_under_a_known_id_is_a_conflict_and_changes_nothing<S: Store>(
    store: S,
    _raw: RawDb,
) {
    with_demo_places(&store).await;
    let home = household(VILLAGE_A, 1);
    let seen = visit(&home, Category::Aman, 1);
    store.ingest(batch(std::slice::from_ref(&home), std::slice::from_ref(&seen))).await.unwrap();
    let tally_before = store.village_tally(code(VILLAGE_A)).await.unwrap();
    let feed_before = store.changes_since(&Scope::All, 0, 1000).await.unwrap().changes.len();

    let mut renamed = home.clone();
    renamed.head_name = "Someone Else".to_owned();
    renamed.kk_count = 4;
    let mut recategorised = seen.clone();
    recategorised.category = Category::BabsTerbuka;
    let outcomes = store.ingest(batch(&[renamed], &[recategorised])).await.unwrap();
    assert_eq!(statuses(&outcomes), vec![Outcome::Conflict, Outcome::Conflict]);

    assert_eq!(store.household(home.id).await.unwrap().unwrap().household, home);
    assert_eq!(store.visits_of(home.id).await.unwrap()[0].visit.category, Category::Aman);
    assert_eq!(store.village_tally(code(VILLAGE_A)).await.unwrap(), tally_before);
    assert_eq!(store.changes_since(&Scope::All, 0, 1000).await.unwrap().changes.len(), feed_before);
}

async fn records_for_unknown_villages_or_households_are_rejected_and_not_stored<S: Store>(
    store: S,
    _raw: RawDb,
) {
    with_demo_places(&store).await;
    let stray = household("74.04.81.2999", 1);
    let kecamatan_level = Household { village: code("74.04.81"), ..household(VILLAGE_A, 1) };
    let orphan_visit = visit(&household(VILLAGE_A, 1), Category::Aman, 1);
    let outcomes = store.ingest(batch(&[stray.clone(), kecamatan_level], &[orphan_visit])).await.unwrap();
    let codes: Vec<String> = outcomes
        .iter()
        .map(|o| match &o.outcome {
            Outcome::Rejected { code, message } => {
                assert!(!message.is_empty());
                code.clone()
            }
            other => panic!("expected a rejection, got {other:?}"),
        })
        .collect();
    assert_eq!(codes, vec!["unknown_village", "unknown_village", "unknown_household"]);
    assert!(store.household(stray.id).await.unwrap().is_none());
    assert_eq!(store.visit_count().await.unwrap(), 0);
    assert!(store.tallies(None).await.unwrap().is_empty());
    assert!(store.changes_since(&Scope::All, 0, 10).await.unwrap().changes.is_empty());
}

async fn tallies_follow_the_latest_visit_and_agree_with_a_recount<S: Store>(store: S, _raw: RawDb) {
    with_demo_places(&store).await;
    let a = household(VILLAGE_A, 2);
    let b = household(VILLAGE_A, 1);
    let c = household(VILLAGE_C, 3);
    let never = household(VILLAGE_C, 1);
    store.ingest(batch(&[a.clone(), b.clone(), c.clone(), never], &[])).await.unwrap();
    // Visits arrive out of order: the older BABS visit to `a` comes after the newer Aman one.
    store
        .ingest(batch(&[], &[visit(&a, Category::Aman, 2), visit(&b, Category::BabsTerbuka, 2)]))
        .await
        .unwrap();
    store
        .ingest(batch(&[], &[visit(&a, Category::BabsTerbuka, 9), visit(&c, Category::BelumLayak, 1)]))
        .await
        .unwrap();
    store.ingest(batch(&[], &[visit(&b, Category::LayakSendiri, 1)])).await.unwrap();

    let village_a = store.village_tally(code(VILLAGE_A)).await.unwrap();
    assert_eq!((village_a.houses, village_a.kk, village_a.kk_visited, village_a.kk_access), (2, 3, 3, 3));
    assert_eq!(village_a.kk_in(Category::Aman), 2);
    assert_eq!(village_a.kk_in(Category::LayakSendiri), 1);
    assert_eq!(village_a.kk_babs(), 0);
    let village_c = store.village_tally(code(VILLAGE_C)).await.unwrap();
    assert_eq!((village_c.houses, village_c.kk, village_c.kk_visited, village_c.kk_access), (2, 4, 3, 3));
    assert_eq!(village_c.kk_never_visited(), 1);
    assert_eq!(store.village_tally(code(VILLAGE_B)).await.unwrap(), odf_domain::Tally::default());

    let buton = store.tallies(Some(code("74.04"))).await.unwrap();
    assert_eq!(buton.iter().map(|(v, _)| *v).collect::<Vec<_>>(), vec![code(VILLAGE_A), code(VILLAGE_C)]);
    assert!(store.tallies(Some(code("74.71"))).await.unwrap().is_empty());

    let report = store.recount().await.unwrap();
    assert_eq!(report.differences, vec![]);
    assert_eq!((report.households, report.visits, report.villages_checked), (4, 5, 2));
}

async fn a_recount_reports_a_tampered_tally<S: Store>(store: S, raw: RawDb) {
    with_demo_places(&store).await;
    let home = household(VILLAGE_A, 1);
    store.ingest(batch(std::slice::from_ref(&home), &[visit(&home, Category::Aman, 1)])).await.unwrap();
    raw.execute(&format!("UPDATE village_tallies SET kk_access = 0 WHERE village_code = '{VILLAGE_A}'"))
        .await;
    let report = store.recount().await.unwrap();
    assert_eq!(report.differences.len(), 1);
    let difference = &report.differences[0];
    assert_eq!(difference.village, code(VILLAGE_A));
    assert_eq!((difference.stored.kk_access, difference.recounted.kk_access), (0, 1));
}

async fn the_change_feed_pages_by_cursor_within_a_scope<S: Store>(store: S, _raw: RawDb) {
    with_demo_places(&store).await;
    let homes: Vec<Household> =
        (0..5).map(|i| household(if i % 2 == 0 { VILLAGE_A } else { KELURAHAN }, 1)).collect();
    let visits: Vec<Visit> = homes.iter().map(|h| visit(h, Category::Aman, 1)).collect();
    store.ingest(batch(&homes, &visits)).await.unwrap();

    let mut cursor = 0;
    let mut seen = Vec::new();
    loop {
        let page = store.changes_since(&Scope::All, cursor, 3).await.unwrap();
        assert!(page.changes.len() <= 3);
        seen.extend(page.changes.iter().map(|c| (c.seq, c.kind, c.entity_id.clone())));
        cursor = page.next_cursor;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(seen.len(), 10);
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0));
    let mut ids: Vec<&String> = seen.iter().map(|(_, _, id)| id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 10);

    let last = store.last_change_at(Some(code("74.71"))).await.unwrap().unwrap();
    assert!((Utc::now() - last).num_minutes() < 5);
    assert_eq!(store.last_change_at(Some(code("74.09"))).await.unwrap(), None);
    assert!(store.last_change_at(None).await.unwrap().is_some());

    let end = store.changes_since(&Scope::All, cursor, 3).await.unwrap();
    assert!(end.changes.is_empty() && !end.has_more && end.next_cursor == cursor);

    let kota = store.changes_since(&Scope::Areas(vec![code("74.71")]), 0, 100).await.unwrap();
    assert_eq!(kota.changes.len(), 4);
    assert!(kota.changes.iter().all(|c| c.area == code(KELURAHAN)));
    let household_change = kota.changes.iter().find(|c| c.kind == ChangeKind::Household).unwrap();
    let payload: Household = serde_json::from_value(household_change.payload.clone()).unwrap();
    assert_eq!(payload.village, code(KELURAHAN));

    let two = Scope::Areas(vec![code("74.71"), code(VILLAGE_A)]);
    assert_eq!(store.changes_since(&two, 0, 100).await.unwrap().changes.len(), 10);
    let none = store.changes_since(&Scope::Areas(vec![]), 0, 100).await.unwrap();
    assert!(none.changes.is_empty());
    let elsewhere = store.changes_since(&Scope::Areas(vec![code("74.09")]), 0, 100).await.unwrap();
    assert!(elsewhere.changes.is_empty());
}

fn event(kind: EventKind, minutes: i64, reason: Option<&str>) -> StatusEvent {
    StatusEvent {
        kind,
        actor: "verifikator".to_owned(),
        at: Utc.with_ymd_and_hms(2026, 11, 1, 9, 0, 0).unwrap() + Duration::minutes(minutes),
        reason: reason.map(str::to_owned),
    }
}

async fn village_status_follows_the_machine_and_is_audited<S: Store>(store: S, _raw: RawDb) {
    with_demo_places(&store).await;
    let village = code(VILLAGE_A);
    assert_eq!(store.village_state(village).await.unwrap().status, VillageStatus::BelumDipicu);

    let not_allowed = store.apply_status_event(village, event(EventKind::Pass, 0, None)).await.unwrap_err();
    assert_eq!(not_allowed.code(), "transition_not_allowed");
    let unknown =
        store.apply_status_event(code("74.04.81"), event(EventKind::Trigger, 0, None)).await.unwrap_err();
    assert_eq!(unknown.code(), "unknown_village");

    store.apply_status_event(village, event(EventKind::Trigger, 1, None)).await.unwrap();
    store.apply_status_event(village, event(EventKind::Claim, 2, None)).await.unwrap();
    store.apply_status_event(village, event(EventKind::StartVerification, 3, None)).await.unwrap();
    let failed =
        store.apply_status_event(village, event(EventKind::Fail, 4, Some("BABS di dusun II"))).await.unwrap();
    assert_eq!((failed.from, failed.to), (VillageStatus::Verifikasi, VillageStatus::Dipicu));
    let no_reason = store.apply_status_event(village, event(EventKind::Withdraw, 5, None)).await.unwrap_err();
    assert_eq!(no_reason.code(), "reason_required");
    let backwards = store.apply_status_event(village, event(EventKind::Claim, 0, None)).await.unwrap_err();
    assert_eq!(backwards.code(), "transition_out_of_order");

    let state = store.village_state(village).await.unwrap();
    assert_eq!(state.status, VillageStatus::Dipicu);
    assert_eq!(state.history.len(), 4);
    assert_eq!(state.history[3].event.reason.as_deref(), Some("BABS di dusun II"));
    assert_eq!(state.history[3].event.at, event(EventKind::Fail, 4, None).at);

    let listed = store.statuses(Some(code("74.04"))).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].village, listed[0].status), (village, VillageStatus::Dipicu));
    assert!(store.statuses(Some(code("74.71"))).await.unwrap().is_empty());

    let audit = store.audit_entries(Some(code("74.04.81")), 0, 100).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(
        actions,
        vec![
            "village_status.trigger",
            "village_status.claim",
            "village_status.start_verification",
            "village_status.fail"
        ]
    );
    assert_eq!(audit[3].details["reason"], "BABS di dusun II");
    assert!(store.audit_entries(Some(code("74.71")), 0, 100).await.unwrap().is_empty());

    let feed = store.changes_since(&Scope::Areas(vec![village]), 0, 100).await.unwrap();
    assert_eq!(feed.changes.len(), 4);
    assert!(feed.changes.iter().all(|c| c.kind == ChangeKind::VillageStatus));
    assert_eq!(feed.changes[3].payload["status"], "dipicu");
}

async fn the_audit_chain_detects_tampering<S: Store>(store: S, raw: RawDb) {
    for i in 0..4 {
        let entry = NewAuditEntry {
            actor: "admin".to_owned(),
            action: "user.create".to_owned(),
            area: if i % 2 == 0 { Some(code("74.04")) } else { None },
            details: serde_json::json!({ "username": format!("user{i}") }),
        };
        let appended = store.append_audit(entry).await.unwrap();
        assert_eq!(appended.hash.len(), 64);
    }
    let all = store.audit_entries(None, 0, 100).await.unwrap();
    assert_eq!(all.len(), 4);
    assert!(all.windows(2).all(|w| w[1].prev_hash == w[0].hash));
    assert_eq!(store.audit_entries(None, all[1].seq, 1).await.unwrap()[0].seq, all[2].seq);
    assert_eq!(store.audit_entries(Some(code("74.04.81")), 0, 100).await.unwrap().len(), 0);
    assert_eq!(store.audit_entries(Some(code("74")), 0, 100).await.unwrap().len(), 2);
    assert_eq!(store.verify_audit_chain().await.unwrap(), AuditCheck { entries: 4, first_broken: None });

    let target = all[2].seq;
    raw.execute(&format!(
        "UPDATE audit_log SET details = '{{\"username\":\"mallory\"}}' WHERE seq = {target}"
    ))
    .await;
    let check = store.verify_audit_chain().await.unwrap();
    assert_eq!(check, AuditCheck { entries: 4, first_broken: Some(target) });
}

async fn concurrent_overlapping_batches_store_each_record_once<S: Store>(store: S, _raw: RawDb) {
    with_demo_places(&store).await;
    let homes: Vec<Household> =
        (0..20).map(|i| household(if i % 2 == 0 { VILLAGE_A } else { VILLAGE_C }, 1)).collect();
    store.ingest(batch(&homes, &[])).await.unwrap();
    let visits: Vec<Visit> =
        (0..300).map(|i| visit(&homes[i % homes.len()], Category::ALL[i % 6], i as i64)).collect();

    // Task one pushes visits 0..200, task two 100..300, both in batches of 25, at the same time.
    // (Joined on one task rather than spawned: their awaits interleave, and each clone of the store
    // uses its own pooled connection, so the two streams really do overlap in the database.)
    let push = |range: std::ops::Range<usize>| {
        let store = store.clone();
        let slice: Vec<Visit> = visits[range].to_vec();
        async move {
            let mut accepted = 0;
            for chunk in slice.chunks(25) {
                let outcomes = store.ingest(batch(&[], chunk)).await.unwrap();
                for outcome in outcomes {
                    assert!(matches!(outcome.outcome, Outcome::Accepted | Outcome::Duplicate), "{outcome:?}");
                    accepted += usize::from(outcome.outcome == Outcome::Accepted);
                }
            }
            accepted
        }
    };
    let (one, two) = tokio::join!(push(0..200), push(100..300));
    assert_eq!(one + two, 300);
    assert_eq!(store.visit_count().await.unwrap(), 300);
    assert_eq!(store.recount().await.unwrap().differences, vec![]);
    let feed_visits = store.changes_since(&Scope::All, 0, 1000).await.unwrap();
    let visit_changes = feed_visits.changes.iter().filter(|c| c.kind == ChangeKind::Visit).count();
    assert_eq!(visit_changes, 300);
}

async fn households_are_found_by_id_in_one_call<S: Store>(store: S, _raw: RawDb) {
    with_demo_places(&store).await;
    let homes: Vec<Household> = (0..3).map(|_| household(VILLAGE_B, 1)).collect();
    store.ingest(batch(&homes, &[visit(&homes[1], Category::Aman, 1)])).await.unwrap();
    let unknown = Uuid::now_v7();
    let mut found = store.households_by_id(&[homes[2].id, unknown, homes[1].id, homes[1].id]).await.unwrap();
    found.sort_by_key(|h| h.household.id);
    assert_eq!(found.iter().map(|h| h.household.id).collect::<Vec<_>>(), vec![homes[1].id, homes[2].id]);
    assert!(found[0].latest_visit.is_some());
    assert!(found[1].latest_visit.is_none());
    assert!(store.households_by_id(&[]).await.unwrap().is_empty());
}

async fn device_reports_are_kept_with_the_batch_and_replaced_by_newer_ones<S: Store>(store: S, _raw: RawDb) {
    with_demo_places(&store).await;
    let report = |pending: i64, minutes: i64| DeviceRecord {
        device_id: "hp-01".to_owned(),
        username: "sanitarian1".to_owned(),
        app_version: "0.1.0".to_owned(),
        pending_count: pending,
        oldest_pending_at: (pending > 0).then(|| Utc.with_ymd_and_hms(2026, 11, 1, 7, 0, 0).unwrap()),
        last_sync_at: Utc.with_ymd_and_hms(2026, 11, 2, 7, 0, 0).unwrap() + Duration::minutes(minutes),
    };
    let home = household(VILLAGE_A, 1);
    let mut first = batch(std::slice::from_ref(&home), &[]);
    first.device = Some(report(40, 0));
    store.ingest(first).await.unwrap();
    assert_eq!(store.devices().await.unwrap(), vec![report(40, 0)]);

    let mut second = batch(&[], &[]);
    second.device = Some(report(0, 5));
    store.ingest(second).await.unwrap();
    let other = DeviceRecord { device_id: "hp-02".to_owned(), ..report(3, 1) };
    let mut third = batch(&[], &[]);
    third.device = Some(other.clone());
    store.ingest(third).await.unwrap();
    assert_eq!(store.devices().await.unwrap(), vec![report(0, 5), other]);
}

fn edit(home: &Household, base: i64, minutes: i64, changes: HouseholdChanges) -> HouseholdEdit {
    HouseholdEdit {
        edit_id: Uuid::now_v7(),
        household_id: home.id,
        base_revision: base,
        edited_at: Utc.with_ymd_and_hms(2026, 11, 3, 8, 0, 0).unwrap() + Duration::minutes(minutes),
        edited_by: "sanitarian1".to_owned(),
        changes,
    }
}

async fn push_edits<S: Store>(store: &S, edits: &[HouseholdEdit]) -> Vec<RecordOutcome> {
    let mut b = batch(&[], &[]);
    b.edits = edits.to_vec();
    store.ingest(b).await.unwrap()
}

async fn household_edits_apply_merge_field_by_field_and_leave_conflicts_to_resolve<S: Store>(
    store: S,
    _raw: RawDb,
) {
    with_demo_places(&store).await;
    let home = household(VILLAGE_A, 1);
    store.ingest(batch(std::slice::from_ref(&home), &[visit(&home, Category::Aman, 1)])).await.unwrap();
    let name = |n: &str| HouseholdChanges { head_name: Some(n.to_owned()), ..HouseholdChanges::default() };

    // On the current revision: applies whole. Sent again: a duplicate.
    let renamed = edit(&home, 1, 10, name("Wa Ode X"));
    let first = push_edits(&store, std::slice::from_ref(&renamed)).await;
    assert_eq!(
        (first[0].kind, &first[0].outcome, first[0].revision),
        (RecordKind::HouseholdEdit, &Outcome::Accepted, Some(2))
    );
    assert_eq!(push_edits(&store, std::slice::from_ref(&renamed)).await[0].outcome, Outcome::Duplicate);

    // Stale, other field: merged, and the village tally follows the new KK count.
    let more_kk = edit(&home, 1, 5, HouseholdChanges { kk_count: Some(3), ..HouseholdChanges::default() });
    let merged = push_edits(&store, &[more_kk]).await;
    assert_eq!(
        (&merged[0].outcome, merged[0].revision, merged[0].conflict_id),
        (&Outcome::Merged, Some(3), None)
    );
    let tally = store.village_tally(code(VILLAGE_A)).await.unwrap();
    assert_eq!((tally.kk, tally.kk_access), (3, 3));

    // The same phone's own earlier edit is no clash: a second rename on the same base just applies.
    let mut own_again = edit(&home, 1, 11, name("Wa Ode X"));
    own_again.changes.rt = Some(Some("004".to_owned()));
    let own = push_edits(&store, &[own_again]).await;
    assert_eq!((&own[0].outcome, own[0].revision, own[0].conflict_id), (&Outcome::Merged, Some(4), None));

    // Another phone, stale, same field, made earlier than the rename: the rename stays, the other
    // name is kept aside.
    let mut older_name = edit(&home, 1, 5, name("Wa Ode Y"));
    older_name.edited_by = "sanitarian2".to_owned();
    let clash = push_edits(&store, &[older_name]).await;
    assert_eq!((&clash[0].outcome, clash[0].revision), (&Outcome::Merged, Some(4)));
    let conflict_id = clash[0].conflict_id.expect("a conflict is recorded");
    let stored = store.household(home.id).await.unwrap().unwrap();
    assert_eq!(
        (stored.household.head_name.as_str(), stored.household.kk_count, stored.revision),
        ("Wa Ode X", 3, 4)
    );

    // Bad edits change nothing.
    let stranger = household(VILLAGE_A, 1);
    let bad = push_edits(
        &store,
        &[
            edit(&home, 9, 30, name("Z")),
            edit(&stranger, 1, 30, name("Z")),
            edit(&home, 4, 30, HouseholdChanges { kk_count: Some(0), ..HouseholdChanges::default() }),
        ],
    )
    .await;
    let codes: Vec<&str> = bad
        .iter()
        .map(|o| match &o.outcome {
            Outcome::Rejected { code, .. } => code.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(codes, vec!["bad_revision", "unknown_household", "kk_out_of_range"]);

    let open = store.conflicts(Some(code("74.04")), true).await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].id, conflict_id);
    assert_eq!(open[0].fields, vec![HouseholdField::HeadName]);
    assert_eq!(open[0].kept.head_name.as_deref(), Some("Wa Ode X"));
    assert_eq!(open[0].other.head_name.as_deref(), Some("Wa Ode Y"));
    assert!(store.conflicts(Some(code("74.71")), true).await.unwrap().is_empty());

    let resolved = store.resolve_conflict(conflict_id, true, "admin").await.unwrap();
    assert_eq!(
        (resolved.resolution.as_deref(), resolved.resolved_by.as_deref()),
        (Some("other"), Some("admin"))
    );
    let stored = store.household(home.id).await.unwrap().unwrap();
    assert_eq!((stored.household.head_name.as_str(), stored.revision), ("Wa Ode Y", 5));
    assert!(store.conflicts(None, true).await.unwrap().is_empty());
    assert_eq!(store.conflicts(None, false).await.unwrap().len(), 1);
    assert_eq!(
        store.resolve_conflict(conflict_id, false, "admin").await.unwrap_err().code(),
        "already_resolved"
    );
    assert_eq!(store.resolve_conflict(Uuid::now_v7(), false, "admin").await.unwrap_err().code(), "not_found");

    // The feed carries each revision; tallies still agree with a recount; the decision is audited.
    let feed = store.changes_since(&Scope::All, 0, 100).await.unwrap();
    let revisions: Vec<i64> = feed
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Household)
        .map(|c| c.payload["revision"].as_i64().unwrap())
        .collect();
    assert_eq!(revisions, vec![1, 2, 3, 4, 5]);
    assert!(store.recount().await.unwrap().differences.is_empty());
    let audit = store.audit_entries(Some(code(VILLAGE_A)), 0, 10).await.unwrap();
    assert_eq!(audit.last().unwrap().action, "household.conflict_resolve");
}

async fn history_facts_hold_the_areas_households_visits_and_status_changes<S: Store>(store: S, _raw: RawDb) {
    with_demo_places(&store).await;
    let home = household(VILLAGE_A, 2);
    let elsewhere = household(KELURAHAN, 1);
    let visits = [
        visit(&home, Category::BabsTerbuka, 40),
        visit(&home, Category::Aman, 5),
        visit(&elsewhere, Category::Aman, 1),
    ];
    store.ingest(batch(&[home.clone(), elsewhere], &visits)).await.unwrap();
    store.apply_status_event(code(VILLAGE_A), event(EventKind::Trigger, 0, None)).await.unwrap();

    let facts = store.history_facts(Some(code("74.04"))).await.unwrap();
    assert_eq!(facts.households.len(), 1);
    assert_eq!((facts.households[0].id, facts.households[0].kk_count), (home.id, 2));
    let mut seen: Vec<(Uuid, Category)> = facts.visits.iter().map(|v| (v.id, v.category)).collect();
    seen.sort();
    let mut expected = vec![(visits[0].id, Category::BabsTerbuka), (visits[1].id, Category::Aman)];
    expected.sort();
    assert_eq!(seen, expected);
    assert_eq!(
        facts.visits.iter().find(|v| v.id == visits[1].id).unwrap().visited_at,
        history_time(&visits[1])
    );
    assert_eq!(facts.statuses.len(), 1);
    assert_eq!(
        (facts.statuses[0].village, facts.statuses[0].status),
        (code(VILLAGE_A), VillageStatus::Dipicu)
    );
    assert_eq!(store.history_facts(None).await.unwrap().households.len(), 2);
}

/// Visit times as stored: microseconds.
fn history_time(v: &Visit) -> chrono::DateTime<Utc> {
    use chrono::SubsecRound;
    v.visited_at.trunc_subsecs(6)
}
