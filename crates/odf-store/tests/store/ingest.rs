//! Pushed batches: duplicates, conflicts, rejections, concurrency, device reports, and the change feed.

use chrono::{Duration, TimeZone, Utc};
use odf_domain::{Category, Household, Scope, Visit};
use odf_store::testing::RawDb;
use odf_store::*;
use uuid::Uuid;

use crate::common::*;

pub(crate) async fn a_batch_pushed_twice_is_stored_once(store: AnyStore, _raw: RawDb) {
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

pub(crate) async fn a_changed_record_under_a_known_id_is_a_conflict_and_changes_nothing(
    store: AnyStore,
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

pub(crate) async fn records_for_unknown_villages_or_households_are_rejected_and_not_stored(
    store: AnyStore,
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
    let feed = store.changes_since(&Scope::All, 0, 1000).await.unwrap();
    assert!(feed.changes.iter().all(|c| c.kind == ChangeKind::Place), "only the imported names");
}

pub(crate) async fn the_change_feed_pages_by_cursor_within_a_scope(store: AnyStore, _raw: RawDb) {
    with_demo_places(&store).await;
    let homes: Vec<Household> =
        (0..5).map(|i| household(if i % 2 == 0 { VILLAGE_A } else { KELURAHAN }, 1)).collect();
    let visits: Vec<Visit> = homes.iter().map(|h| visit(h, Category::Aman, 1)).collect();
    // After the villages' names.
    let names = store.changes_since(&Scope::All, 0, 1000).await.unwrap().next_cursor;
    let mut cursor = names;
    store.ingest(batch(&homes, &visits)).await.unwrap();

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

    let kota = store.changes_since(&Scope::Areas(vec![code("74.71")]), names, 100).await.unwrap();
    assert_eq!(kota.changes.len(), 4);
    assert!(kota.changes.iter().all(|c| c.area == code(KELURAHAN)));
    let household_change = kota.changes.iter().find(|c| c.kind == ChangeKind::Household).unwrap();
    let payload: Household = serde_json::from_value(household_change.payload.clone()).unwrap();
    assert_eq!(payload.village, code(KELURAHAN));

    let two = Scope::Areas(vec![code("74.71"), code(VILLAGE_A)]);
    assert_eq!(store.changes_since(&two, names, 100).await.unwrap().changes.len(), 10);
    let none = store.changes_since(&Scope::Areas(vec![]), names, 100).await.unwrap();
    assert!(none.changes.is_empty());
    let elsewhere = store.changes_since(&Scope::Areas(vec![code("74.09")]), names, 100).await.unwrap();
    assert!(elsewhere.changes.is_empty());
}

pub(crate) async fn concurrent_overlapping_batches_store_each_record_once(store: AnyStore, _raw: RawDb) {
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

pub(crate) async fn households_are_found_by_id_in_one_call(store: AnyStore, _raw: RawDb) {
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
    // The narrow read a push's checks make: the same households, village and point only.
    let mut places = store.household_places(&[homes[2].id, unknown, homes[1].id, homes[1].id]).await.unwrap();
    places.sort_by_key(|p| p.id);
    let expected: Vec<HouseholdPlace> = found
        .iter()
        .map(|h| HouseholdPlace { id: h.household.id, village: h.household.village, gps: h.household.gps })
        .collect();
    assert_eq!(places, expected);
    assert!(store.household_places(&[]).await.unwrap().is_empty());
}

pub(crate) async fn device_reports_are_kept_with_the_batch_and_replaced_by_newer_ones(
    store: AnyStore,
    _raw: RawDb,
) {
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

pub(crate) async fn a_device_id_stays_with_the_user_who_first_reported_it(store: AnyStore, _raw: RawDb) {
    with_demo_places(&store).await;
    let report = |username: &str, pending: i64| DeviceRecord {
        device_id: "hp-01".to_owned(),
        username: username.to_owned(),
        app_version: "0.1.0".to_owned(),
        pending_count: pending,
        oldest_pending_at: None,
        last_sync_at: Utc.with_ymd_and_hms(2026, 11, 2, 7, 0, 0).unwrap(),
    };
    let mut first = batch(&[], &[]);
    first.device = Some(report("sanitarian1", 4));
    store.ingest(first).await.unwrap();
    // Another user reporting the same id changes nothing of that phone's record.
    let mut taken = batch(&[], &[]);
    taken.device = Some(report("someone_else", 0));
    store.ingest(taken).await.unwrap();
    assert_eq!(store.devices().await.unwrap(), vec![report("sanitarian1", 4)]);
}

/// Group commit: many pushes at once share transactions, yet each call hears only about its own
/// records, in its own order, including a rejection and a duplicate of its own, and everything it
/// was told is stored.
pub(crate) async fn concurrent_pushes_share_commits_and_each_hears_only_its_own_records(
    store: AnyStore,
    _raw: RawDb,
) {
    with_demo_places(&store).await;
    let homes: Vec<Household> =
        (0..8).map(|i| household(if i % 2 == 0 { VILLAGE_A } else { VILLAGE_C }, 1)).collect();
    store.ingest(batch(&homes, &[])).await.unwrap();
    let stranger = household(VILLAGE_B, 1);
    let pushes: Vec<Vec<Visit>> = (0..16)
        .map(|p| {
            let mut visits: Vec<Visit> = (0..5)
                .map(|i| visit(&homes[(p + i) % homes.len()], Category::ALL[i % 6], i as i64))
                .collect();
            if p % 4 == 0 {
                // A household the store does not know: rejected, for this push only.
                visits.push(visit(&stranger, Category::Aman, 1));
            }
            visits
        })
        .collect();
    let calls = pushes.iter().map(|visits| {
        let store = store.clone();
        let visits = visits.clone();
        async move {
            let outcomes = store.ingest(batch(&[], &visits)).await.unwrap();
            // Answered only after the commit: a separate reader already sees what it was told.
            let first = visits[0].clone();
            let stored = store.visits_of(first.household_id).await.unwrap();
            assert!(stored.iter().any(|s| s.visit.id == first.id), "answered before the commit");
            (visits, outcomes)
        }
    });
    let answers = futures_util::future::join_all(calls).await;
    for (visits, outcomes) in &answers {
        let ids: Vec<Uuid> = outcomes.iter().map(|o| o.id).collect();
        assert_eq!(ids, visits.iter().map(|v| v.id).collect::<Vec<_>>());
        for (visit, outcome) in visits.iter().zip(outcomes) {
            if visit.household_id == stranger.id {
                assert!(matches!(outcome.outcome, Outcome::Rejected { .. }), "{outcome:?}");
            } else {
                assert_eq!(outcome.outcome, Outcome::Accepted);
            }
        }
    }
    assert_eq!(store.visit_count().await.unwrap(), 16 * 5);
    assert_eq!(store.recount().await.unwrap().differences, vec![]);
    // Sent again, all at once: every record is a duplicate, except the still unknown household's.
    let again = pushes.iter().map(|visits| store.ingest(batch(&[], visits)));
    for outcomes in futures_util::future::join_all(again).await {
        for outcome in outcomes.unwrap() {
            assert!(matches!(outcome.outcome, Outcome::Duplicate | Outcome::Rejected { .. }), "{outcome:?}");
        }
    }
    assert_eq!(store.visit_count().await.unwrap(), 16 * 5);
}

/// Group commit plans a group as one: the batches queued together must still each be answered
/// exactly as if they had been written one after the other in queue order, across batches too (a
/// record of an earlier batch makes a later copy a duplicate or a conflict; a visit may refer to a
/// household an earlier batch of the group registered), and device reports end as one by one.
pub(crate) async fn batches_of_one_group_answer_as_if_written_one_after_the_other(
    store: AnyStore,
    _raw: RawDb,
) {
    with_demo_places(&store).await;
    let first = household(VILLAGE_A, 2);
    let second = household(VILLAGE_C, 1);
    let v1 = visit(&first, Category::BabsTerbuka, 3);
    let v2 = visit(&first, Category::Aman, 1);
    let mut v2_changed = v2.clone();
    v2_changed.category = Category::BelumLayak;
    let mut first_changed = first.clone();
    first_changed.kk_count = 5;
    let v3 = visit(&second, Category::LayakSendiri, 2);
    let stranger = visit(&household(VILLAGE_B, 1), Category::Aman, 1);
    let report = |user: &str, pending: i64| DeviceRecord {
        device_id: "hp-group".to_owned(),
        username: user.to_owned(),
        app_version: "0.1.0".to_owned(),
        pending_count: pending,
        oldest_pending_at: None,
        last_sync_at: Utc.with_ymd_and_hms(2026, 11, 2, 7, 0, 0).unwrap() + Duration::minutes(pending),
    };
    let with_device = |mut b: IngestBatch, device: Option<DeviceRecord>| {
        b.device = device;
        b
    };
    // The first call writes alone; the rest queue behind it and form one group.
    let opener = batch(&[household(VILLAGE_B, 1)], &[]);
    let batches = vec![
        with_device(batch(std::slice::from_ref(&first), std::slice::from_ref(&v1)), Some(report("u1", 9))),
        with_device(batch(&[], &[v1.clone(), v2.clone(), stranger.clone()]), Some(report("u2", 8))),
        with_device(batch(&[first_changed, second.clone()], &[v2_changed]), Some(report("u1", 7))),
        batch(&[], &[v3.clone(), v1.clone()]),
        batch(&[], &[v1.clone(), v2.clone(), stranger]),
    ];
    let calls = std::iter::once(opener).chain(batches).map(|b| store.ingest(b));
    let answers: Vec<Vec<Outcome>> =
        futures_util::future::join_all(calls).await.into_iter().map(|o| statuses(&o.unwrap())).collect();
    let unknown = |o: &Outcome| matches!(o, Outcome::Rejected { code, .. } if code == "unknown_household");
    use Outcome::{Accepted, Conflict, Duplicate};
    assert_eq!(answers[0], vec![Accepted]);
    assert_eq!(answers[1], vec![Accepted, Accepted]);
    assert_eq!(answers[2][..2], [Duplicate, Accepted]);
    assert!(unknown(&answers[2][2]), "{:?}", answers[2]);
    assert_eq!(answers[3], vec![Conflict, Accepted, Conflict]);
    assert_eq!(answers[4], vec![Accepted, Duplicate]);
    assert_eq!(answers[5][..2], [Duplicate, Duplicate]);
    assert!(unknown(&answers[5][2]), "{:?}", answers[5]);

    assert_eq!(store.visit_count().await.unwrap(), 3);
    assert_eq!(store.household(first.id).await.unwrap().unwrap().household, first);
    let latest = store.household(first.id).await.unwrap().unwrap().latest_visit.unwrap();
    assert_eq!((latest.visit_id, latest.category), (v2.id, Category::Aman));
    assert_eq!(store.visits_of(first.id).await.unwrap()[1].visit.category, Category::Aman);
    assert_eq!(store.recount().await.unwrap().differences, vec![]);
    let tally = store.village_tally(code(VILLAGE_A)).await.unwrap();
    assert_eq!((tally.houses, tally.kk, tally.kk_visited, tally.kk_access), (1, 2, 2, 2));
    // u1 reported the id first: u2's report changed nothing, u1's later one replaced the first.
    assert_eq!(store.devices().await.unwrap(), vec![report("u1", 7)]);
    let feed = store.changes_since(&Scope::All, 0, 1000).await.unwrap().changes;
    assert_eq!(feed.iter().filter(|c| c.kind == ChangeKind::Visit).count(), 3);
    assert_eq!(feed.iter().filter(|c| c.kind == ChangeKind::Household).count(), 3);
}
