//! Household edits: field-wise merges of stale edits and the conflicts they leave.

use chrono::{Duration, TimeZone, Utc};
use odf_domain::{Category, Household, Scope};
use odf_domain::{HouseholdChanges, HouseholdField};
use odf_store::testing::RawDb;
use odf_store::*;
use uuid::Uuid;

use crate::common::*;

pub(crate) fn edit(home: &Household, base: i64, minutes: i64, changes: HouseholdChanges) -> HouseholdEdit {
    HouseholdEdit {
        edit_id: Uuid::now_v7(),
        household_id: home.id,
        base_revision: base,
        edited_at: Utc.with_ymd_and_hms(2026, 11, 3, 8, 0, 0).unwrap() + Duration::minutes(minutes),
        edited_by: "sanitarian1".to_owned(),
        changes,
    }
}

pub(crate) async fn push_edits(store: &AnyStore, edits: &[HouseholdEdit]) -> Vec<RecordOutcome> {
    let mut b = batch(&[], &[]);
    b.edits = edits.to_vec();
    store.ingest(b).await.unwrap()
}

pub(crate) async fn household_edits_apply_merge_field_by_field_and_leave_conflicts_to_resolve(
    store: AnyStore,
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
