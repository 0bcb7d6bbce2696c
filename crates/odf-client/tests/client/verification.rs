//! Verifications and certificates pulled from the server, as the phone shows them: progress of the
//! verification visits, the rules' suggestion computed on the phone, the community criteria and the
//! decision recorded offline, and certificates with their signature checked here.

use crate::support::*;
use chrono::{Duration, NaiveDate, Utc};
use odf_certificate::{Certificate, CertificateNumber, Signer};
use odf_client::{CertificateStatus, Client, ClientError, SignatureCheck, VerificationState};
use odf_domain::{AreaCode, TeamMember};
use odf_mobile_api::{
    CertificateChangeDto, CertificateTextDto, CommunityCriteriaDto, CriterionDto, DecisionRequest,
    OutcomeDto, RevocationDto, SignedCertificateDto, TeamMemberDto,
};
use serde_json::json;
use uuid::Uuid;

fn village() -> AreaCode {
    AreaCode::parse(VILLAGE).unwrap()
}

fn code<T: std::fmt::Debug>(result: Result<T, ClientError>) -> String {
    match result {
        Err(err) => err.code().to_owned(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn household(id: Uuid, head: &str) -> serde_json::Value {
    json!({"id": id, "village": VILLAGE, "head_name": head, "kk_count": 1, "dusun": "Dusun I", "rw": "1", "rt": "2", "gps": null, "revision": 1})
}

fn visit(household: Uuid, by: &str, category: &str, at: chrono::DateTime<Utc>) -> serde_json::Value {
    json!({"id": Uuid::now_v7(), "household_id": household, "sanitarian": by, "visited_at": at, "category": category,
        "checklist": {}, "gps": null, "photo_sha256": null, "device_id": "hp-lain"})
}

fn verification(id: Uuid, sample: &[Uuid], opened_at: chrono::DateTime<Utc>) -> serde_json::Value {
    let mut ids = sample.to_vec();
    ids.sort();
    let team: Vec<_> = ["sani", "budi", "wati"]
        .iter()
        .map(|u| json!({"username": u, "name": format!("Nama {u}"), "position": null}))
        .collect();
    json!({"id": id, "village": VILLAGE, "opened_by": "sani", "opened_at": opened_at, "team": team,
        "sample": {"plan": {"kind": "random_units", "level": "rt", "count": 1}, "seed": 42, "units": ["Dusun I / RW 1 / RT 2"], "household_ids": ids}})
}

fn criteria(monitoring: bool) -> CommunityCriteriaDto {
    let met = |met| CriterionDto { met, note: None };
    CommunityCriteriaDto {
        no_visible_faeces: met(true),
        rules_and_sanctions: met(true),
        monitoring: CriterionDto { met: monitoring, note: Some(" belum ada jadwal ".to_owned()) },
    }
}

fn decision(outcome: OutcomeDto, reasons: &[&str]) -> DecisionRequest {
    DecisionRequest {
        outcome,
        reasons: reasons.iter().map(|r| (*r).to_owned()).collect(),
        issuer_name: None,
        issuer_role: None,
    }
}

async fn verifier(home: &std::path::Path, server: &FakeServer) -> Client {
    server.with(|s| s.role = Some("verifier".to_owned()));
    logged_in(home, server).await
}

async fn pull(client: &Client, server: &FakeServer) {
    client.pull(server, &odf_client::NoSleep::default(), &options(200), &mut |_| {}).await.unwrap();
}

#[tokio::test]
async fn a_pulled_verification_shows_progress_and_the_rules_suggestion_on_the_phone() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = verifier(home.path(), &server).await;
    let now = Utc::now();
    let (a, b, outside) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    for (id, head) in [(a, "La Ode A"), (b, "Wa Ode B"), (outside, "Di Luar Sampel")] {
        server.publish("household", &id.to_string(), household(id, head));
        server.with(|s| s.households.insert(id, household(id, head)));
    }
    // Only a team member's visit to a sampled household since the opening counts.
    server.publish("visit", "v1", visit(b, "sani", "JSP", now - Duration::hours(3)));
    server.publish("visit", "v2", visit(b, "budi", "babs_tertutup", now - Duration::hours(1)));
    server.publish("visit", "v3", visit(a, "other", "JSP", now - Duration::hours(1)));
    server.publish("visit", "v4", visit(outside, "wati", "BABS", now - Duration::hours(1)));
    let id = Uuid::now_v7();
    server.publish("verification", &id.to_string(), verification(id, &[a, b], now - Duration::hours(2)));
    pull(&client, &server).await;

    let view = client.verification(id).await.unwrap();
    assert_eq!(view.state, VerificationState::Open);
    assert_eq!((view.sampled, view.visited), (2, 1));
    let row = |view: &odf_client::VerificationView, id| {
        view.households.iter().find(|h| h.id == id).cloned().unwrap()
    };
    let (ra, rb) = (row(&view, a), row(&view, b));
    assert_eq!((ra.on_phone, ra.head_name.as_deref(), ra.visited), (true, Some("La Ode A"), false));
    assert_eq!(
        (rb.visited_by.as_deref(), rb.category),
        (Some("budi"), Some(odf_domain::Category::BabsTertutup))
    );
    assert_eq!(view.suggestion, None, "no suggestion before the community criteria");

    add_visit(&client, a, "JSP").await;
    client.record_community(id, criteria(false)).await.unwrap();

    let view = client.verification(id).await.unwrap();
    assert_eq!((view.sampled, view.visited), (2, 2));
    let community = view.community.as_ref().unwrap();
    assert!(community.pending_sync);
    assert_eq!(community.criteria.monitoring.note.as_deref(), Some("belum ada jadwal"));
    let suggestion = view.suggestion.as_ref().unwrap();
    assert_eq!(suggestion.outcome, OutcomeDto::Gagal);
    let codes: Vec<&str> = suggestion.reasons.iter().map(|r| r.code.as_str()).collect();
    assert_eq!(codes, ["open_defecation", "no_monitoring"]);
    assert_eq!(suggestion.reasons[0].household_ids, [b]);

    // Gagal needs a reason, and so does Lulus against the rules' Gagal; nothing is saved.
    let pending = client.status().await.unwrap().pending;
    assert_eq!(
        code(client.decide_verification(id, decision(OutcomeDto::Gagal, &[" "])).await),
        "decision_reason_required"
    );
    assert_eq!(
        code(client.decide_verification(id, decision(OutcomeDto::Lulus, &[])).await),
        "decision_override_reason_required"
    );
    assert_eq!(client.status().await.unwrap().pending, pending);
    client.decide_verification(id, decision(OutcomeDto::Gagal, &["BABS di rumah Wa Ode B"])).await.unwrap();

    let view = client.verification(id).await.unwrap();
    assert_eq!(view.state, VerificationState::Decided);
    let decided = view.decision.as_ref().unwrap();
    assert_eq!((decided.outcome, decided.pending_sync), (OutcomeDto::Gagal, true));
    assert_eq!(code(client.record_community(id, criteria(true)).await), "decision_pending");
    assert_eq!(
        code(client.decide_verification(id, decision(OutcomeDto::Gagal, &["x"])).await),
        "decision_pending"
    );

    // The server takes both; its verification comes back decided by the next pull.
    let mut decided = verification(id, &[a, b], now - Duration::hours(2));
    decided["community"] = json!({"criteria": criteria(false), "recorded_by": "sani", "recorded_at": now});
    decided["decision"] = json!({"decision": {"outcome": "gagal", "reasons": ["BABS di rumah Wa Ode B"]},
        "decided_by": "sani", "decided_at": Utc::now(), "data_hash": "ab".repeat(32)});
    server.publish("verification", &id.to_string(), decided);
    let (report, _) = sync(&client, &server, &options(200)).await;
    assert_eq!(report.unwrap().rejected, 0);

    let views = client.verifications(Some(village())).await.unwrap();
    assert_eq!(views.len(), 1);
    let decided = views[0].decision.as_ref().unwrap();
    assert_eq!((decided.pending_sync, decided.decided_by.as_deref()), (false, Some("sani")));
    assert_eq!(views[0].suggestion.as_ref().unwrap().outcome, OutcomeDto::Gagal);
    assert_eq!(code(client.record_community(id, criteria(true)).await), "verification_decided");
}

#[tokio::test]
async fn community_and_decision_need_a_known_open_verification_and_a_verifier() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = verifier(home.path(), &server).await;
    let a = Uuid::now_v7();
    server.publish("household", &a.to_string(), household(a, "La Ode A"));
    let id = Uuid::now_v7();
    server.publish("verification", &id.to_string(), verification(id, &[a], Utc::now() - Duration::hours(2)));
    pull(&client, &server).await;

    let unknown = client.record_community(Uuid::now_v7(), criteria(true)).await;
    assert!(matches!(unknown, Err(ClientError::UnknownVerification(_))), "{unknown:?}");
    let before = decision(OutcomeDto::Lulus, &[]);
    assert_eq!(code(client.decide_verification(id, before).await), "community_not_recorded");

    server.with(|s| s.role = None);
    let home = tempfile::tempdir().unwrap();
    let sanitarian = logged_in(home.path(), &server).await;
    pull(&sanitarian, &server).await;
    assert_eq!(code(sanitarian.record_community(id, criteria(true)).await), "forbidden");
}

fn certificate(village_name: &str) -> (Certificate, CertificateTextDto) {
    let team = vec![TeamMember { username: "budi".into(), name: "Budi Santoso".into(), position: None }];
    let certificate = Certificate {
        id: Uuid::now_v7(),
        number: CertificateNumber::parse("ODF/74.04/2026/0007").unwrap(),
        village_code: village(),
        village_name: village_name.to_owned(),
        kecamatan_name: "Pasarwajo".to_owned(),
        kabupaten_name: "Buton".to_owned(),
        issued_on: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        issuer_name: "La Ode Amir".to_owned(),
        issuer_role: "Camat Pasarwajo".to_owned(),
        team: team.clone(),
        verification_id: Uuid::now_v7(),
        data_hash: "ab".repeat(32),
    };
    let text = CertificateTextDto {
        id: certificate.id,
        number: "ODF/74.04/2026/0007".to_owned(),
        village_code: VILLAGE.to_owned(),
        village_name: certificate.village_name.clone(),
        kecamatan_name: certificate.kecamatan_name.clone(),
        kabupaten_name: certificate.kabupaten_name.clone(),
        issued_on: certificate.issued_on,
        issuer_name: certificate.issuer_name.clone(),
        issuer_role: certificate.issuer_role.clone(),
        team: team.iter().map(TeamMemberDto::from).collect(),
        verification_id: certificate.verification_id,
        data_hash: certificate.data_hash.clone(),
    };
    (certificate, text)
}

#[tokio::test]
async fn pulled_certificates_are_listed_with_their_status_and_a_signature_checked_on_the_phone() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    let signer = Signer::from_secret_bytes(&[7u8; 32]);
    let change = |text: CertificateTextDto, certificate: &Certificate, revocation: Option<RevocationDto>| {
        let signed = signer.sign(certificate);
        serde_json::to_value(CertificateChangeDto {
            signed: SignedCertificateDto {
                certificate: text,
                public_key: signed.public_key,
                signature: signed.signature,
            },
            issued_at: Utc::now(),
            revocation,
        })
        .unwrap()
    };
    let (good, good_text) = certificate("Wakoko");
    let (tampered, mut tampered_text) = certificate("Holimombo");
    tampered_text.village_name = "Holimombo Jaya".to_owned();
    server.publish("certificate", &good.id.to_string(), change(good_text.clone(), &good, None));
    server.publish("certificate", &tampered.id.to_string(), change(tampered_text, &tampered, None));
    pull(&client, &server).await;

    let list = client.certificates(Some(village())).await.unwrap();
    assert_eq!(list.len(), 2);
    let find = |list: &[odf_client::CertificateView], id| list.iter().find(|c| c.id == id).cloned().unwrap();
    let first = find(&list, good.id);
    assert_eq!((first.number.as_str(), first.village_name.as_str()), ("ODF/74.04/2026/0007", "Wakoko"));
    assert_eq!(
        (first.status, first.signature, first.signature_valid),
        (CertificateStatus::Valid, SignatureCheck::Valid, true)
    );
    assert_eq!(first.public_key_fingerprint.len(), 19);
    assert_eq!(find(&list, tampered.id).signature, SignatureCheck::Invalid);
    assert!(client.certificates(Some(AreaCode::parse("74.04.81.2002").unwrap())).await.unwrap().is_empty());

    let revocation = RevocationDto { at: Utc::now(), by: "admin".to_owned(), reason: "desa slip".to_owned() };
    server.publish("certificate", &good.id.to_string(), change(good_text, &good, Some(revocation)));
    pull(&client, &server).await;

    let revoked = find(&client.certificates(None).await.unwrap(), good.id);
    assert_eq!(revoked.status, CertificateStatus::Revoked);
    assert_eq!(revoked.revocation_reason.as_deref(), Some("desa slip"));
    assert!(revoked.signature_valid, "revoking does not touch the signed text");
}
