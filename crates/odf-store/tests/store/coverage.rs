//! Tallies, their recount, and history facts.

use chrono::Utc;
use odf_domain::VillageStatus;
use odf_domain::{Category, EventKind, HouseholdChanges, Visit};
use odf_store::testing::RawDb;
use odf_store::*;
use uuid::Uuid;

use crate::common::*;

pub(crate) async fn tallies_follow_the_latest_visit_and_agree_with_a_recount(store: AnyStore, _raw: RawDb) {
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
    assert_eq!(report.area_differences, vec![]);
    assert_eq!((report.households, report.visits, report.villages_checked), (4, 5, 2));

    // The per-level sums: the kabupaten's own row and one per kecamatan with data; A has full
    // access (3 of 3 KK), C does not (one KK never visited).
    store.apply_status_event(code(VILLAGE_A), event(EventKind::Trigger, 0, None)).await.unwrap();
    let read = store.area_sums(Some(code("74.04"))).await.unwrap();
    let sum = |area: &str| read.sums.iter().find(|(c, _)| *c == Some(code(area))).map(|(_, s)| *s).unwrap();
    assert_eq!(read.sums.len(), 3);
    assert_eq!(sum("74.04").tally, village_a + village_c);
    assert_eq!((sum("74.04").villages_with_data, sum("74.04").villages_full_access), (2, 1));
    assert_eq!((sum("74.04.81").tally, sum("74.04.81").villages_full_access), (village_a, 1));
    assert_eq!((sum("74.04.82").tally, sum("74.04.82").villages_full_access), (village_c, 0));
    assert_eq!(read.statuses, vec![(code("74.04.81"), VillageStatus::Dipicu, 1)]);
    let nation = store.area_sums(None).await.unwrap();
    let own = nation.sums.iter().find(|(c, _)| c.is_none()).map(|(_, s)| *s).unwrap();
    assert_eq!((own.tally, own.villages_with_data), (village_a + village_c, 2));
    assert!(nation.sums.iter().any(|(c, s)| *c == Some(code("74")) && *s == own));
    assert_eq!(nation.statuses, vec![(code("74"), VillageStatus::Dipicu, 1)]);
}

pub(crate) async fn a_recount_reports_a_tampered_tally(store: AnyStore, raw: RawDb) {
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
    assert!(report.area_differences.is_empty(), "only the village row was tampered with");

    // A per-level row tampered with on its own is reported too, named by its area.
    raw.execute(&format!("UPDATE village_tallies SET kk_access = 1 WHERE village_code = '{VILLAGE_A}'"))
        .await;
    raw.execute("UPDATE area_tallies SET villages_full_access = 0 WHERE prefix = '74.04'").await;
    let report = store.recount().await.unwrap();
    assert_eq!(report.differences, vec![]);
    let areas: Vec<_> = report.area_differences.iter().map(|d| d.area).collect();
    assert_eq!(areas, vec![Some(code("74.04"))]);
    let d = &report.area_differences[0];
    assert_eq!((d.stored.villages_full_access, d.recounted.villages_full_access), (0, 1));
}

pub(crate) async fn history_facts_hold_the_areas_households_visits_and_status_changes(
    store: AnyStore,
    _raw: RawDb,
) {
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
pub(crate) fn history_time(v: &Visit) -> chrono::DateTime<Utc> {
    use chrono::SubsecRound;
    v.visited_at.trunc_subsecs(6)
}

/// What `last_change_at` must answer: the latest `at` of the change feed at or under `area`,
/// computed the slow way from the whole feed, place names left out (they are not field data).
async fn latest_change_under(
    store: &AnyStore,
    area: Option<odf_domain::AreaCode>,
) -> Option<chrono::DateTime<Utc>> {
    let mut latest = None;
    let mut cursor = 0;
    loop {
        let page = store.changes_since(&odf_domain::Scope::All, cursor, 1000).await.unwrap();
        for change in &page.changes {
            if change.kind != ChangeKind::Place && area.is_none_or(|a| a.contains(change.area)) {
                latest = latest.max(Some(change.at));
            }
        }
        cursor = page.next_cursor;
        if !page.has_more {
            return latest;
        }
    }
}

pub(crate) async fn freshness_follows_ingest_edits_and_status_changes_at_every_level(
    store: AnyStore,
    _raw: RawDb,
) {
    let areas = [
        None,
        Some(code("74")),
        Some(code("74.04")),
        Some(code("74.04.81")),
        Some(code(VILLAGE_A)),
        Some(code(VILLAGE_C)),
        Some(code("74.71")),
    ];
    let check = async |step: &str| {
        for area in areas {
            let read = store.last_change_at(area).await.unwrap();
            assert_eq!(read, latest_change_under(&store, area).await, "{step}: freshness of {area:?}");
        }
    };
    check("empty").await;
    with_demo_places(&store).await;
    check("places").await;
    let home = household(VILLAGE_A, 2);
    let other = household(VILLAGE_C, 1);
    store.ingest(batch(&[home.clone(), other.clone()], &[visit(&home, Category::Aman, 3)])).await.unwrap();
    check("households and a visit").await;
    let before = store.last_change_at(Some(code(VILLAGE_C))).await.unwrap();
    store.ingest(batch(&[], &[visit(&home, Category::BelumLayak, 1)])).await.unwrap();
    check("a later visit").await;
    // Only the areas the visit lies in moved.
    assert_eq!(store.last_change_at(Some(code(VILLAGE_C))).await.unwrap(), before);
    assert!(store.last_change_at(Some(code(VILLAGE_A))).await.unwrap() > before);

    let renamed =
        HouseholdChanges { head_name: Some("Wa Ode Sitti".to_owned()), ..HouseholdChanges::default() };
    let edited = crate::edits::push_edits(&store, &[crate::edits::edit(&other, 1, 5, renamed)]).await;
    assert_eq!(edited[0].outcome, Outcome::Accepted);
    check("an edit").await;
    assert!(store.last_change_at(Some(code(VILLAGE_C))).await.unwrap() > before);

    store.apply_status_event(code(VILLAGE_C), event(EventKind::Trigger, 1, None)).await.unwrap();
    check("a status change").await;
    assert_eq!(store.last_change_at(Some(code("74.09"))).await.unwrap(), None);
}
