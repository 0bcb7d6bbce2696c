//! The field side of ODF verification end to end: phones running the client core record everything
//! offline (visits, the claim, the verification, its visits, the community criteria, the decision)
//! and sync through a proxy that cuts connections; the server checks and applies it once, issues the
//! certificate, and the phones pull the status and the certificate back. Then a BABS visit slips the
//! village and a revocation reaches the phones. SQLite always; PostgreSQL with
//! `ODF_TEST_POSTGRES_URL`.

use chrono::{Duration, Utc};
use odf_client::ClientError;
use odf_domain::VillageStatus;
use odf_e2e_tests::server::{SAN_A, Server, VERIFIER, VERIFIER_2, VERIFIER_3, VILLAGE_1, code};
use odf_e2e_tests::{Cut, CutPlan, Phone, Proxy};
use odf_mobile_api::{
    CommunityCriteriaDto, CriterionDto, DecisionRequest, OutcomeDto, PlanKind, SamplingPlanDto, TeamMemberDto,
};

fn team() -> Vec<TeamMemberDto> {
    [VERIFIER, VERIFIER_2, VERIFIER_3]
        .iter()
        .map(|u| TeamMemberDto { username: (*u).to_owned(), name: format!("Tim {u}"), position: None })
        .collect()
}

fn met(note: &str) -> CriterionDto {
    CriterionDto { met: true, note: Some(note.to_owned()) }
}

async fn status_on(phone: &Phone) -> String {
    let villages = phone.client.villages().await.expect("villages");
    let village = villages.iter().find(|v| v.code == VILLAGE_1).expect("village on the phone");
    village.status.clone().unwrap_or_default()
}

pub(crate) async fn a_village_is_claimed_verified_and_certified_from_phones_offline_through_a_cutting_proxy(
    server: Server,
) {
    let proxy = Proxy::start(&server.url).await.unwrap();
    let cuts = CutPlan::every(3, &[Cut::MidRequest, Cut::MidResponse]);
    // Logging in is done once, in signal; everything after it goes through the cuts.
    let sanitarian = Phone::log_in(proxy.url(), SAN_A).await;
    let lead = Phone::log_in(proxy.url(), VERIFIER).await;
    let second = Phone::log_in(proxy.url(), VERIFIER_2).await;
    let third = Phone::log_in(proxy.url(), VERIFIER_3).await;
    proxy.set_plan(cuts);
    sanitarian.sync_until_done(10).await;

    // Offline: six households, all with access, visited last week; the phone says eligible.
    let mut homes = Vec::new();
    for i in 0..6 {
        let home = sanitarian.register(VILLAGE_1, &format!("Kepala {i}"), 1).await;
        sanitarian.visit(home, "layak_sendiri", Utc::now() - Duration::days(7)).await;
        homes.push(home);
    }
    let eligibility = sanitarian.client.village_eligibility(code(VILLAGE_1)).await.unwrap();
    assert!(eligibility.eligible, "{}", eligibility.message);
    let triggered_on = (Utc::now() - Duration::days(60)).date_naive();
    sanitarian.client.trigger_village(code(VILLAGE_1), triggered_on, None).await.unwrap();
    sanitarian.client.claim_village(code(VILLAGE_1), Some("100% akses".to_owned())).await.unwrap();
    sanitarian.sync_until_done(20).await;
    assert!(sanitarian.refused().await.is_empty(), "{:?}", sanitarian.refused().await);
    assert_eq!(server.store.village_state(code(VILLAGE_1)).await.unwrap().status, VillageStatus::KlaimSbs);

    // The lead verifier opens the verification; the sample comes back by pull.
    lead.sync_until_done(20).await;
    assert_eq!(status_on(&lead).await, "klaim_sbs");
    let plan = SamplingPlanDto { kind: PlanKind::AllHouseholds, level: None, count: None };
    let id = lead.client.open_verification(code(VILLAGE_1), team(), plan).await.unwrap();
    lead.sync_until_done(20).await;
    let opened = lead.client.verification(id).await.unwrap();
    let sample = opened.sample.clone().expect("the sample, pulled").household_ids;
    assert_eq!(sample.len(), 6);

    // The team visits the sample offline, shared out among three phones.
    let members = [&lead, &second, &third];
    for (i, phone) in members.iter().enumerate() {
        phone.sync_until_done(20).await;
        for home in sample.iter().skip(i).step_by(3) {
            phone.visit(*home, "layak_sendiri", Utc::now()).await;
        }
        phone.sync_until_done(20).await;
    }
    lead.sync_until_done(20).await;
    let progress = lead.client.verification(id).await.unwrap();
    assert_eq!((progress.sampled, progress.visited), (6, 6));

    // On the spot, still offline: the community criteria and Lulus; the rules on the phone agree.
    let criteria = CommunityCriteriaDto {
        no_visible_faeces: met("tidak ada tinja terlihat"),
        rules_and_sanctions: met("perdes BABS"),
        monitoring: met("kader memantau"),
    };
    lead.client.record_community(id, criteria).await.unwrap();
    let suggested = lead.client.verification(id).await.unwrap().suggestion.expect("a suggestion");
    assert_eq!(suggested.outcome, OutcomeDto::Lulus, "{suggested:?}");
    let decision = DecisionRequest {
        outcome: OutcomeDto::Lulus,
        reasons: Vec::new(),
        issuer_name: None,
        issuer_role: None,
    };
    lead.client.decide_verification(id, decision).await.unwrap();
    lead.sync_until_done(20).await;
    assert!(lead.refused().await.is_empty(), "{:?}", lead.refused().await);
    proxy.set_plan(CutPlan::pass());
    assert!(!proxy.cuts().is_empty(), "the proxy cut nothing");

    // Applied once, whatever the cuts repeated; the phones pull the status and the certificate.
    assert_eq!(server.store.village_state(code(VILLAGE_1)).await.unwrap().status, VillageStatus::Sbs);
    assert_eq!(server.store.verifications_of(code(VILLAGE_1)).await.unwrap().len(), 1);
    let certificates = server.store.certificates(Some(code(VILLAGE_1))).await.unwrap();
    assert_eq!(certificates.len(), 1);
    sanitarian.sync_until_done(10).await;
    assert_eq!(status_on(&sanitarian).await, "sbs");
    let on_phone = sanitarian.client.certificates(Some(code(VILLAGE_1))).await.unwrap();
    assert_eq!(on_phone.len(), 1);
    assert_eq!(on_phone[0].number, certificates[0].signed.certificate.number.to_string());
    assert!(on_phone[0].signature_valid);
    let decided = lead.client.verification(id).await.unwrap();
    assert_eq!(decided.certificate_id, Some(certificates[0].id()));

    // A follow-up visit finds BABS: the village slips, and the phones learn it.
    sanitarian.visit(homes[0], "babs_terbuka", Utc::now()).await;
    sanitarian.sync_until_done(10).await;
    assert_eq!(status_on(&sanitarian).await, "slipped");
    // The kecamatan revokes the certificate from the office; the phones see it revoked.
    server.store.revoke_certificate(certificates[0].id(), VERIFIER, "BABS ditemukan lagi").await.unwrap();
    lead.sync_until_done(10).await;
    let revoked = lead.client.certificates(Some(code(VILLAGE_1))).await.unwrap();
    assert_eq!(revoked[0].revocation_reason.as_deref(), Some("BABS ditemukan lagi"));
    assert_eq!(status_on(&lead).await, "revoked");
    for phone in members {
        assert!(phone.refused().await.is_empty());
    }
}

pub(crate) async fn a_claim_the_phone_finds_ineligible_is_refused_on_the_phone_and_nothing_is_queued(
    server: Server,
) {
    let sanitarian = Phone::log_in(&server.url, SAN_A).await;
    sanitarian.sync_until_done(5).await;
    let home = sanitarian.register(VILLAGE_1, "Kepala BABS", 2).await;
    sanitarian.visit(home, "babs_terbuka", Utc::now() - Duration::days(2)).await;
    let eligibility = sanitarian.client.village_eligibility(code(VILLAGE_1)).await.unwrap();
    assert!(!eligibility.eligible);
    assert_eq!(eligibility.code, "not_all_access");
    let pending = sanitarian.pending().await;
    let refused = sanitarian.client.claim_village(code(VILLAGE_1), None).await.unwrap_err();
    assert!(matches!(refused, ClientError::Invalid { .. } | ClientError::Refused { .. }), "{refused:?}");
    assert_eq!(sanitarian.pending().await, pending);
    sanitarian.sync_until_done(5).await;
    assert_eq!(server.store.village_state(code(VILLAGE_1)).await.unwrap().status, VillageStatus::BelumDipicu);
}
