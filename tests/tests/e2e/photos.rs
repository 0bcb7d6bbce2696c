//! Photos end to end: a sanitarian takes photos offline with the visits, sync pushes the visits
//! and then uploads the photos in chunks through a proxy that cuts connections (each cut upload
//! resumes from the server's offset); the verifier's phone, once its sample is pulled, pulls the
//! photos of the sampled households. Every photo arrives whole and is stored once. SQLite always;
//! PostgreSQL with `ODF_TEST_POSTGRES_URL`.

use chrono::{Duration, Utc};
use odf_client::{Saved, SyncEvent, VisitDraft};
use odf_e2e_tests::server::{SAN_A, Server, VERIFIER, VERIFIER_2, VERIFIER_3, VILLAGE_1, code};
use odf_e2e_tests::{Cut, CutPlan, Phone, Proxy};
use odf_mobile_api::{PlanKind, SamplingPlanDto, TeamMemberDto};

/// A "JPEG" of `len` bytes (the checks read its first bytes), different for each `seed`.
fn jpeg(seed: u8, len: usize) -> Vec<u8> {
    let mut bytes = vec![0xFF, 0xD8, 0xFF, 0xE0];
    bytes
        .extend((0..len - 4).map(|i| seed.wrapping_mul(31).wrapping_add(u8::try_from(i % 241).unwrap_or(0))));
    bytes
}

pub(crate) async fn photos_taken_offline_are_uploaded_at_sync_through_cuts_and_the_verifier_pulls_them(
    server: Server,
) {
    let proxy = Proxy::start(&server.url).await.unwrap();
    let mut sanitarian = Phone::log_in(proxy.url(), SAN_A).await;
    let lead = Phone::log_in(proxy.url(), VERIFIER).await;
    // Chunks small enough that every photo takes several requests, so the cuts land mid-photo.
    sanitarian.options.photo_chunk_bytes = 48 * 1024;
    proxy.set_plan(CutPlan::every(3, &[Cut::MidRequest, Cut::MidResponse]));
    sanitarian.sync_until_done(10).await;

    // Offline: three households, each visited with a photo of about 150 KB.
    let mut photos = Vec::new();
    for i in 0..3u8 {
        let home = sanitarian.register(VILLAGE_1, &format!("Kepala {i}"), 1).await;
        let bytes = jpeg(i, 150_000 + usize::from(i));
        let name = sanitarian.client.keep_photo(&bytes).await.unwrap();
        let draft = VisitDraft {
            household_id: home,
            category: "layak_sendiri".to_owned(),
            photo_sha256: Some(name.clone()),
            visited_at: Some(Utc::now() - Duration::days(3)),
            ..VisitDraft::default()
        };
        assert!(matches!(sanitarian.client.record_visit(draft, false).await.unwrap(), Saved::Saved { .. }));
        photos.push((name, bytes));
    }
    assert!(sanitarian.client.photos().await.unwrap().iter().all(|p| p.uploaded_at.is_none()));

    let runs = sanitarian.sync_until_done(40).await;
    let uploaded: usize = runs.iter().filter_map(|r| r.result.as_ref().ok()).map(|r| r.photos_uploaded).sum();
    assert_eq!(uploaded, 3, "each photo confirmed once");
    let progress =
        runs.iter().flat_map(|r| &r.events).filter(|e| matches!(e, SyncEvent::PhotoProgress { .. }));
    assert!(progress.count() >= 9, "progress reported chunk by chunk");
    for photo in sanitarian.client.photos().await.unwrap() {
        assert!(photo.uploaded_at.is_some(), "{photo:?}");
    }
    // Another sync sends nothing again.
    let again = sanitarian.sync_until_done(10).await;
    let last = again.last().unwrap().result.as_ref().unwrap();
    assert_eq!((last.photos_uploaded, last.photo_bytes_sent), (0, 0));

    // The verifier opens a verification of every household; the sample and its photos arrive.
    let team: Vec<TeamMemberDto> = [VERIFIER, VERIFIER_2, VERIFIER_3]
        .iter()
        .map(|u| TeamMemberDto { username: (*u).to_owned(), name: format!("Tim {u}"), position: None })
        .collect();
    let triggered_on = (Utc::now() - Duration::days(60)).date_naive();
    sanitarian.client.trigger_village(code(VILLAGE_1), triggered_on, None).await.unwrap();
    sanitarian.client.claim_village(code(VILLAGE_1), None).await.unwrap();
    sanitarian.sync_until_done(20).await;
    lead.sync_until_done(20).await;
    let plan = SamplingPlanDto { kind: PlanKind::AllHouseholds, level: None, count: None };
    lead.client.open_verification(code(VILLAGE_1), team, plan).await.unwrap();
    lead.sync_until_done(20).await;
    // A run cut during the photos leaves some for the next: sync until every photo is here.
    for _ in 0..10 {
        if lead.client.photos().await.unwrap().len() == photos.len() {
            break;
        }
        lead.sync_until_done(20).await;
    }
    for (name, bytes) in &photos {
        assert_eq!(lead.client.photo_bytes(name).await.unwrap().as_ref(), Some(bytes), "{name}");
        let view = lead.client.photo(name).await.unwrap().unwrap();
        assert!(!view.own && view.uploaded_at.is_none());
    }
    let verifications = lead.client.verifications(None).await.unwrap();
    assert_eq!(verifications[0].village, VILLAGE_1);
    assert!(verifications[0].village_name.is_some(), "the village's name, pulled with the places");
}
