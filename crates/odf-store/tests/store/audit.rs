//! Village status through the status machine, and the hash-chained audit log.

use odf_domain::VillageStatus;
use odf_domain::{EventKind, Scope};
use odf_store::testing::RawDb;
use odf_store::*;

use crate::common::*;

pub(crate) async fn village_status_follows_the_machine_and_is_audited(store: AnyStore, _raw: RawDb) {
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
    let statuses: Vec<&Change> = feed.changes.iter().filter(|c| c.kind != ChangeKind::Place).collect();
    assert_eq!(statuses.len(), 4);
    assert!(statuses.iter().all(|c| c.kind == ChangeKind::VillageStatus));
    assert_eq!(statuses[3].payload["status"], "dipicu");
}

pub(crate) async fn the_audit_chain_detects_tampering(store: AnyStore, raw: RawDb) {
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
