//! ODF verification, certificates, slips, notifications and village actions.

use chrono::{Datelike, Duration, Utc};
use odf_certificate::{Signer, verify};
use odf_domain::{
    Category, Checklist, CommunityCriteria, Criterion, EventKind, Household, HouseholdUnits, Outcome, Place,
    SamplingPlan, Scope, StatusEvent, TeamMember, UnitLevel, VillageStatus, Visit, draw_sample,
};
use odf_store::testing::RawDb;
use odf_store::*;
use uuid::Uuid;

use crate::common::{VILLAGE_A, VILLAGE_B, code};

const KECAMATAN: &str = "74.04.81";
const TEAM: [&str; 3] = ["ver", "ver2", "ver3"];

fn signer() -> Signer {
    Signer::from_secret_bytes(&[7u8; 32])
}

fn team() -> Vec<TeamMember> {
    TEAM.iter()
        .map(|u| TeamMember { username: (*u).to_owned(), name: format!("Nama {u}"), position: None })
        .collect()
}

fn household(village: &str, rt: &str) -> Household {
    Household {
        id: Uuid::now_v7(),
        village: code(village),
        head_name: "La Ode Hamid".to_owned(),
        kk_count: 1,
        dusun: Some("Dusun I".to_owned()),
        rw: Some("1".to_owned()),
        rt: Some(rt.to_owned()),
        gps: None,
    }
}

fn visit(h: &Household, by: &str, category: Category, at: chrono::DateTime<Utc>) -> Visit {
    Visit {
        id: Uuid::now_v7(),
        household_id: h.id,
        sanitarian: by.to_owned(),
        visited_at: at,
        category,
        checklist: Checklist { closed_toilet: Some(true), ..Checklist::default() },
        gps: None,
        photo_sha256: None,
        device_id: "hp-01".to_owned(),
    }
}

async fn push(store: &AnyStore, households: &[Household], visits: &[Visit]) {
    let batch = IngestBatch {
        received_from: "san_a".to_owned(),
        households: households.to_vec(),
        visits: visits.iter().cloned().map(FlaggedVisit::from).collect(),
        edits: vec![],
        device: None,
    };
    let outcomes = store.ingest(batch).await.unwrap();
    assert!(outcomes.iter().all(|o| o.outcome == odf_store::Outcome::Accepted), "{outcomes:?}");
}

async fn event(store: &AnyStore, village: &str, kind: EventKind) {
    let event = StatusEvent { kind, actor: "san_a".to_owned(), at: Utc::now(), reason: None };
    store.apply_status_event(code(village), event).await.unwrap();
}

/// Places, `n` households in `village` each visited with access, and the village claimed.
async fn claimed_village(store: &AnyStore, village: &str, n: usize) -> Vec<Household> {
    if store.areas(None).await.unwrap().is_empty() {
        let places: Vec<Place> = odf_fixtures::demo_wilayah().iter().cloned().collect();
        store.import_areas(&places).await.unwrap();
    }
    let homes: Vec<Household> = (0..n).map(|i| household(village, &(i % 3 + 1).to_string())).collect();
    let visits: Vec<Visit> =
        homes.iter().map(|h| visit(h, "san_a", Category::Aman, Utc::now() - Duration::days(2))).collect();
    push(store, &homes, &visits).await;
    event(store, village, EventKind::Trigger).await;
    event(store, village, EventKind::Claim).await;
    homes
}

async fn open(store: &AnyStore, village: &str, plan: SamplingPlan, seed: u64) -> VerificationRecord {
    let new = NewVerification {
        id: Uuid::now_v7(),
        village: code(village),
        opened_by: "ver".to_owned(),
        team: team(),
        plan,
        seed,
    };
    store.open_verification(new).await.unwrap()
}

fn criteria(met: bool) -> CommunityCriteria {
    let c = Criterion { met, note: Some("dicek".to_owned()) };
    CommunityCriteria { no_visible_faeces: c.clone(), rules_and_sanctions: c.clone(), monitoring: c }
}

fn decision(id: Uuid, outcome: Outcome, reasons: &[&str]) -> DecisionInput {
    DecisionInput {
        verification_id: id,
        outcome,
        reasons: reasons.iter().map(|r| (*r).to_owned()).collect(),
        actor: "ver".to_owned(),
        decided_at: None,
        certificate: CertificateIssue {
            id: Uuid::now_v7(),
            issued_on: Utc::now().date_naive(),
            issuer_name: "La Ode Amir".to_owned(),
            issuer_role: "Camat Contoh".to_owned(),
            signer: signer(),
        },
    }
}

/// Opens, visits every sampled household as a team member, records the criteria and decides Lulus.
async fn certify(store: &AnyStore, village: &str, homes: &[Household]) -> DecisionOutcome {
    let record = open(store, village, SamplingPlan::AllHouseholds, 11).await;
    let visits: Vec<Visit> =
        homes.iter().map(|h| visit(h, "ver2", Category::LayakSendiri, Utc::now())).collect();
    push(store, &[], &visits).await;
    store.record_community(record.id, criteria(true), "ver").await.unwrap();
    store.decide_verification(decision(record.id, Outcome::Lulus, &[])).await.unwrap()
}

async fn status(store: &AnyStore, village: &str) -> VillageStatus {
    store.village_state(code(village)).await.unwrap().status
}

async fn audit_actions(store: &AnyStore, village: &str) -> Vec<String> {
    store.audit_entries(Some(code(village)), 0, 1000).await.unwrap().into_iter().map(|e| e.action).collect()
}

pub(crate) async fn a_verification_opens_only_for_a_claimed_village_and_draws_a_reproducible_sample(
    store: AnyStore,
    _raw: RawDb,
) {
    let homes = claimed_village(&store, VILLAGE_A, 9).await;
    let plan = SamplingPlan::RandomUnits { level: UnitLevel::Rt, count: 2 };
    let record = open(&store, VILLAGE_A, plan, 42).await;
    assert_eq!(status(&store, VILLAGE_A).await, VillageStatus::Verifikasi);
    let expected = draw_sample(homes.iter().map(HouseholdUnits::from), plan, 42).unwrap();
    assert_eq!(record.sample, expected);
    assert_eq!(record.sample.units.len(), 2);
    assert_eq!(record.sample.household_ids.len(), 6);
    assert!(record.is_open() && record.community.is_none() && record.certificate_id.is_none());
    assert_eq!(store.verification(record.id).await.unwrap(), Some(record.clone()));
    assert_eq!(store.verifications_of(code(VILLAGE_A)).await.unwrap(), vec![record.clone()]);
    assert_eq!(store.verification(Uuid::now_v7()).await.unwrap(), None);
    assert!(audit_actions(&store, VILLAGE_A).await.contains(&"verification.open".to_owned()));
    let feed = store.changes_since(&Scope::Areas(vec![code(VILLAGE_A)]), 0, 1000).await.unwrap();
    let announced = feed.changes.iter().find(|c| c.kind == ChangeKind::Verification).unwrap();
    assert_eq!(announced.entity_id, record.id.to_string());
    assert_eq!(announced.payload["sample"]["seed"], 42);

    // A second verification while one is under way, or one for a village that has not claimed, is
    // refused by the status machine; a village without households has nothing to sample.
    let again = store.open_verification(NewVerification { id: Uuid::now_v7(), ..new_for(VILLAGE_A) }).await;
    assert_eq!(again.unwrap_err().code(), "transition_not_allowed");
    let unclaimed = store.open_verification(new_for(VILLAGE_B)).await;
    assert_eq!(unclaimed.unwrap_err().code(), "transition_not_allowed");
    event(&store, VILLAGE_B, EventKind::Trigger).await;
    event(&store, VILLAGE_B, EventKind::Claim).await;
    let empty = store.open_verification(new_for(VILLAGE_B)).await;
    assert_eq!(empty.unwrap_err().code(), "sample_no_households");
    // The refused opening changed nothing.
    assert_eq!(status(&store, VILLAGE_B).await, VillageStatus::KlaimSbs);
    assert!(store.verifications_of(code(VILLAGE_B)).await.unwrap().is_empty());
}

fn new_for(village: &str) -> NewVerification {
    NewVerification {
        id: Uuid::now_v7(),
        village: code(village),
        opened_by: "ver".to_owned(),
        team: team(),
        plan: SamplingPlan::AllHouseholds,
        seed: 1,
    }
}

pub(crate) async fn a_lulus_issues_a_signed_certificate_bound_to_the_certified_data(
    store: AnyStore,
    _raw: RawDb,
) {
    let homes = claimed_village(&store, VILLAGE_A, 3).await;
    let record = open(&store, VILLAGE_A, SamplingPlan::AllHouseholds, 5).await;
    // Counted: visits by team members after the opening. Not counted: a sanitarian's visit, and a
    // team member's visit from before the opening.
    let counted: Vec<Visit> = homes.iter().map(|h| visit(h, "VER3", Category::Aman, Utc::now())).collect();
    let other = visit(&homes[0], "san_a", Category::Aman, Utc::now());
    let before = visit(&homes[1], "ver", Category::Aman, record.opened_at - Duration::minutes(5));
    push(&store, &[], &[counted.clone(), vec![other, before]].concat()).await;
    let mut seen: Vec<Uuid> =
        store.verification_visits(record.id).await.unwrap().iter().map(|v| v.id).collect();
    seen.sort();
    let mut expected: Vec<Uuid> = counted.iter().map(|v| v.id).collect();
    expected.sort();
    assert_eq!(seen, expected);

    store.record_community(record.id, criteria(true), "ver").await.unwrap();
    let done = store.decide_verification(decision(record.id, Outcome::Lulus, &[])).await.unwrap();
    assert_eq!(status(&store, VILLAGE_A).await, VillageStatus::Sbs);
    let decided = done.verification.decision.clone().unwrap();
    assert_eq!(decided.decision.outcome, Outcome::Lulus);
    assert!(decided.decision.follows_suggestion());
    let certificate = done.certificate.unwrap();
    let c = &certificate.signed.certificate;
    assert_eq!(done.verification.certificate_id, Some(c.id));
    assert_eq!(c.number.to_string(), format!("ODF/74.04/{}/0001", Utc::now().year()));
    assert_eq!((c.village_code, c.village_name.is_empty()), (code(VILLAGE_A), false));
    assert_eq!(c.team, team());
    assert_eq!(c.data_hash, decided.data_hash);
    assert_eq!(verify(&certificate.signed, &signer().public_key()), Ok(()));
    assert_eq!(store.certificate(c.id).await.unwrap(), Some(certificate.clone()));

    // The certified data is every household's latest visit and the counted verification visits.
    let data = store.certified_data(record.id).await.unwrap();
    assert_eq!((data.household_ids.len(), data.latest.len(), data.verification.len()), (3, 3, 3));
    assert_eq!((data.missing_visits, data.hash()), (0, decided.data_hash.clone()));
    let mut after: Vec<Uuid> =
        store.verification_visits(record.id).await.unwrap().iter().map(|v| v.id).collect();
    after.sort();
    assert_eq!(after, expected);

    // Numbers count up per kabupaten and year.
    let homes_b = claimed_village(&store, VILLAGE_B, 2).await;
    let second = certify(&store, VILLAGE_B, &homes_b).await.certificate.unwrap();
    assert_eq!(second.signed.certificate.number.sequence(), 2);
    assert_eq!(store.certificates(Some(code(KECAMATAN))).await.unwrap().len(), 2);
    assert!(store.certificates(Some(code("74.09"))).await.unwrap().is_empty());
    let actions = audit_actions(&store, VILLAGE_A).await;
    for action in
        ["verification.community", "verification.decide", "village_status.pass", "certificate.issue"]
    {
        assert!(actions.contains(&action.to_owned()), "{action} in {actions:?}");
    }
    let feed = store.changes_since(&Scope::All, 0, 1000).await.unwrap();
    assert_eq!(feed.changes.iter().filter(|c| c.kind == ChangeKind::Certificate).count(), 2);
    assert!(store.verify_audit_chain().await.unwrap().first_broken.is_none());
}

pub(crate) async fn decisions_need_community_criteria_and_a_gagal_or_an_override_needs_reasons(
    store: AnyStore,
    _raw: RawDb,
) {
    let homes = claimed_village(&store, VILLAGE_A, 2).await;
    let record = open(&store, VILLAGE_A, SamplingPlan::AllHouseholds, 3).await;
    let early = store.decide_verification(decision(record.id, Outcome::Lulus, &[])).await;
    assert_eq!(early.unwrap_err().code(), "community_not_recorded");
    // Only one household visited and a criterion not met: the rules suggest Gagal.
    push(&store, &[], &[visit(&homes[0], "ver", Category::Aman, Utc::now())]).await;
    let mut community = criteria(true);
    community.monitoring.met = false;
    store.record_community(record.id, community, "ver").await.unwrap();
    let gagal = store.decide_verification(decision(record.id, Outcome::Gagal, &["  "])).await;
    assert_eq!(gagal.unwrap_err().code(), "decision_reason_required");
    let against = store.decide_verification(decision(record.id, Outcome::Lulus, &[])).await;
    assert_eq!(against.unwrap_err().code(), "decision_override_reason_required");
    assert_eq!(status(&store, VILLAGE_A).await, VillageStatus::Verifikasi);

    let done =
        store.decide_verification(decision(record.id, Outcome::Gagal, &["belum ada pemantauan"])).await;
    let done = done.unwrap();
    assert!(done.certificate.is_none());
    let decided = done.verification.decision.unwrap();
    let codes: Vec<&str> = decided.decision.suggestion.reasons.iter().map(|r| r.code()).collect();
    assert_eq!(codes, ["not_visited", "no_monitoring"]);
    let state = store.village_state(code(VILLAGE_A)).await.unwrap();
    assert_eq!(state.status, VillageStatus::Dipicu);
    assert_eq!(state.history.last().unwrap().event.reason.as_deref(), Some("belum ada pemantauan"));
    assert!(store.certificates(None).await.unwrap().is_empty());

    let twice = store.decide_verification(decision(record.id, Outcome::Gagal, &["lagi"])).await;
    assert_eq!(twice.unwrap_err().code(), "verification_decided");
    let late = store.record_community(record.id, criteria(true), "ver").await;
    assert_eq!(late.unwrap_err().code(), "verification_decided");
    let unknown = store.decide_verification(decision(Uuid::now_v7(), Outcome::Lulus, &[])).await;
    assert_eq!(unknown.unwrap_err().code(), "not_found");
}

pub(crate) async fn a_babs_visit_in_a_certified_village_slips_it_and_notifies_its_kecamatan(
    store: AnyStore,
    _raw: RawDb,
) {
    let homes = claimed_village(&store, VILLAGE_A, 2).await;
    let first = certify(&store, VILLAGE_A, &homes).await.certificate.unwrap();
    // Open defecation in a village that is not certified notifies nobody.
    let homes_b = claimed_village(&store, VILLAGE_B, 1).await;
    push(&store, &[], &[visit(&homes_b[0], "san_a", Category::BabsTerbuka, Utc::now())]).await;
    assert_eq!(status(&store, VILLAGE_B).await, VillageStatus::KlaimSbs);
    // A BABS visit synced late but made before the certificate does not slip the village either.
    let late_home = household(VILLAGE_A, "1");
    let old_babs = visit(&late_home, "san_a", Category::BabsTerbuka, Utc::now() - Duration::days(1));
    push(&store, std::slice::from_ref(&late_home), &[old_babs]).await;
    assert_eq!(status(&store, VILLAGE_A).await, VillageStatus::Sbs);
    assert!(store.notifications(None, 0, 100).await.unwrap().is_empty());

    let babs = visit(&homes[1], "san_a", Category::BabsTertutup, Utc::now());
    push(&store, &[], std::slice::from_ref(&babs)).await;
    let state = store.village_state(code(VILLAGE_A)).await.unwrap();
    assert_eq!(state.status, VillageStatus::Slipped);
    let slip = state.history.last().unwrap();
    assert_eq!((slip.event.kind, slip.event.actor.as_str()), (EventKind::SlipDetected, "system"));
    assert!(slip.event.reason.as_deref().unwrap().contains(&babs.id.to_string()));
    let notes = store.notifications(Some(code(KECAMATAN)), 0, 100).await.unwrap();
    assert_eq!(notes.len(), 1);
    let note = &notes[0];
    assert_eq!(
        (note.kind, note.village, note.kecamatan),
        (NotificationKind::VillageSlipped, code(VILLAGE_A), code(KECAMATAN))
    );
    assert_eq!(note.details["visit_id"], babs.id.to_string());
    assert!(note.message.contains("tergelincir"));
    assert!(store.notifications(Some(code(KECAMATAN)), note.seq, 100).await.unwrap().is_empty());
    assert!(store.notifications(Some(code("74.04.82")), 0, 100).await.unwrap().is_empty());
    // Still slipped, not slipped twice: another BABS visit adds no notification.
    push(&store, &[], &[visit(&homes[0], "san_a", Category::BabsTerbuka, Utc::now())]).await;
    assert_eq!(store.notifications(None, 0, 100).await.unwrap().len(), 1);

    // Re-verification follows the same path; a Lulus supersedes the old certificate.
    let everyone = [homes.clone(), vec![late_home]].concat();
    let again = certify(&store, VILLAGE_A, &everyone).await.certificate.unwrap();
    assert_eq!(again.signed.certificate.number.sequence(), 2);
    assert_eq!(status(&store, VILLAGE_A).await, VillageStatus::Sbs);
    let old = store.certificate(first.id()).await.unwrap().unwrap();
    assert!(old.revocation.unwrap().reason.contains("superseded"));
    assert!(!store.certificate(again.id()).await.unwrap().unwrap().is_revoked());
}

pub(crate) async fn a_revocation_needs_a_reason_moves_the_village_and_happens_once(
    store: AnyStore,
    _raw: RawDb,
) {
    let homes = claimed_village(&store, VILLAGE_A, 1).await;
    let certificate = certify(&store, VILLAGE_A, &homes).await.certificate.unwrap();
    let blank = store.revoke_certificate(certificate.id(), "ver", " ").await;
    assert_eq!(blank.unwrap_err().code(), "reason_required");
    // The shared text rule: bounded, no control characters (NUL cannot even be stored on PostgreSQL).
    let long = store.revoke_certificate(certificate.id(), "ver", &"x".repeat(1_000_000)).await;
    assert_eq!(long.unwrap_err().code(), "field_too_long");
    let nul = store.revoke_certificate(certificate.id(), "ver", "BABS\0lagi").await;
    assert_eq!(nul.unwrap_err().code(), "field_bad_character");
    let revoked = store.revoke_certificate(certificate.id(), "ver", "BABS ditemukan lagi").await.unwrap();
    let revocation = revoked.revocation.clone().unwrap();
    assert_eq!((revocation.by.as_str(), revocation.reason.as_str()), ("ver", "BABS ditemukan lagi"));
    assert_eq!(store.certificate(certificate.id()).await.unwrap(), Some(revoked));
    assert_eq!(status(&store, VILLAGE_A).await, VillageStatus::Revoked);
    let twice = store.revoke_certificate(certificate.id(), "ver", "lagi").await;
    assert_eq!(twice.unwrap_err().code(), "certificate_revoked");
    let unknown = store.revoke_certificate(Uuid::now_v7(), "ver", "x").await;
    assert_eq!(unknown.unwrap_err().code(), "not_found");
    assert!(audit_actions(&store, VILLAGE_A).await.contains(&"certificate.revoke".to_owned()));
    // A revoked village may claim again.
    event(&store, VILLAGE_A, EventKind::Claim).await;
    assert_eq!(status(&store, VILLAGE_A).await, VillageStatus::KlaimSbs);
}

pub(crate) async fn changed_visits_or_certificate_columns_no_longer_match(store: AnyStore, raw: RawDb) {
    let homes = claimed_village(&store, VILLAGE_A, 2).await;
    let done = certify(&store, VILLAGE_A, &homes).await;
    let certificate = done.certificate.unwrap();
    let verification_id = done.verification.id;
    let hash = done.verification.decision.unwrap().data_hash;
    assert_eq!(store.certified_data(verification_id).await.unwrap().hash(), hash);

    // A certified visit rewritten behind the store's back changes the recomputed hash.
    raw.execute(
        // 6: babs_terbuka (the stored category codes, migration 0010).
        "UPDATE visits SET category = 6 WHERE id IN \
         (SELECT visit_id FROM verification_data WHERE kind = 'verification')",
    )
    .await;
    assert_ne!(store.certified_data(verification_id).await.unwrap().hash(), hash);

    // A certificate column rewritten breaks the signature.
    raw.execute("UPDATE certificates SET village_name = 'Desa Palsu'").await;
    let tampered = store.certificate(certificate.id()).await.unwrap().unwrap();
    assert_eq!(tampered.signed.certificate.village_name, "Desa Palsu");
    assert_eq!(verify(&tampered.signed, &signer().public_key()).unwrap_err().code(), "signature_invalid");
}

fn receipt(id: Uuid, kind: &str, hash: &str) -> VillageActionReceipt {
    VillageActionReceipt {
        id,
        kind: kind.to_owned(),
        actor: "ver".to_owned(),
        content_hash: hash.to_owned(),
        recorded_at: Utc::now(),
    }
}

pub(crate) async fn a_village_action_applies_once_with_its_receipt_and_a_refused_one_leaves_none(
    store: AnyStore,
    _raw: RawDb,
) {
    claimed_village(&store, VILLAGE_A, 3).await;
    let new = new_for(VILLAGE_A);
    let id = new.id;
    assert_eq!(store.village_action_hash(id).await.unwrap(), None);
    let applied =
        store.apply_village_action(receipt(id, "open_verification", "aa"), VillageEffect::Open(new.clone()));
    assert!(matches!(applied.await.unwrap(), VillageActionOutcome::Applied));
    assert_eq!(store.village_action_hash(id).await.unwrap().as_deref(), Some("aa"));
    assert_eq!(store.verifications_of(code(VILLAGE_A)).await.unwrap().len(), 1);
    // A replay changes nothing, whatever its effect would now do.
    let again =
        store.apply_village_action(receipt(id, "open_verification", "aa"), VillageEffect::Open(new.clone()));
    assert!(matches!(again.await.unwrap(), VillageActionOutcome::Duplicate));
    let other = store.apply_village_action(receipt(id, "open_verification", "bb"), VillageEffect::Open(new));
    assert!(matches!(other.await.unwrap(), VillageActionOutcome::Conflict));
    assert_eq!(store.verifications_of(code(VILLAGE_A)).await.unwrap().len(), 1);

    // A refused effect (a second opening while in verifikasi) rolls back with its receipt.
    let refused_id = Uuid::now_v7();
    let refused = store.apply_village_action(
        receipt(refused_id, "open_verification", "cc"),
        VillageEffect::Open(new_for(VILLAGE_A)),
    );
    assert!(matches!(refused.await.unwrap_err(), StoreError::Transition(_)));
    assert_eq!(store.village_action_hash(refused_id).await.unwrap(), None);
    assert_eq!(store.verifications_of(code(VILLAGE_A)).await.unwrap().len(), 1);
    assert_eq!(status(&store, VILLAGE_A).await, VillageStatus::Verifikasi);
}

pub(crate) async fn a_decision_recorded_offline_is_dated_when_made_and_counts_only_visits_before_it(
    store: AnyStore,
    _raw: RawDb,
) {
    let homes = claimed_village(&store, VILLAGE_A, 3).await;
    let record = open(&store, VILLAGE_A, SamplingPlan::AllHouseholds, 5).await;
    let team_visits: Vec<Visit> =
        homes.iter().map(|h| visit(h, "ver2", Category::LayakSendiri, Utc::now())).collect();
    push(&store, &[], &team_visits).await;
    let decided_at = Utc::now();
    // A visit after the decision was made on the phone, but arriving before it: not part of it.
    let later = Utc::now().max(decided_at + Duration::milliseconds(1));
    push(&store, &[], &[visit(&homes[0], "ver3", Category::BabsTerbuka, later)]).await;
    store.record_community(record.id, criteria(true), "ver").await.unwrap();
    let mut input = decision(record.id, Outcome::Lulus, &[]);
    input.decided_at = Some(decided_at);
    let decided = store.decide_verification(input).await.unwrap();
    let recorded = decided.verification.decision.unwrap();
    assert_eq!(recorded.decided_at.timestamp_micros(), decided_at.timestamp_micros());
    assert_eq!(decided.certificate.unwrap().issued_at, recorded.decided_at);
    assert_eq!(recorded.decision.suggestion.outcome, Outcome::Lulus);
    let used = store.verification_visits(record.id).await.unwrap();
    assert_eq!(used.len(), 3);
    assert!(used.iter().all(|v| v.sanitarian == "ver2"));
    // A phone clock before the opening is kept at the opening.
    let homes = claimed_village(&store, VILLAGE_B, 3).await;
    let record = open(&store, VILLAGE_B, SamplingPlan::AllHouseholds, 6).await;
    let team_visits: Vec<Visit> =
        homes.iter().map(|h| visit(h, "ver2", Category::LayakSendiri, record.opened_at)).collect();
    push(&store, &[], &team_visits).await;
    store.record_community(record.id, criteria(true), "ver").await.unwrap();
    let mut input = decision(record.id, Outcome::Lulus, &[]);
    input.decided_at = Some(record.opened_at - Duration::days(2));
    input.certificate.issued_on = chrono::NaiveDate::MIN;
    let decided = store.decide_verification(input).await.unwrap();
    assert_eq!(decided.verification.decision.unwrap().decided_at, record.opened_at);
    // The certificate is issued when the decision was made, dated by that moment's day in the
    // village (whatever date the caller proposed), and reads back the same.
    let certificate = decided.certificate.unwrap();
    assert_eq!(certificate.issued_at, record.opened_at);
    assert_eq!(certificate.signed.certificate.issued_on, code(VILLAGE_B).local_date(record.opened_at));
    let stored = store.certificate(certificate.id()).await.unwrap().unwrap();
    assert_eq!(
        (stored.issued_at, stored.signed.certificate.issued_on),
        (certificate.issued_at, certificate.signed.certificate.issued_on)
    );
}
