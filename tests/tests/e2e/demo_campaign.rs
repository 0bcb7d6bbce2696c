//! The demo's field campaign, run through the real client core over HTTP (households, visits,
//! claims, verifications with sampling, Lulus and Gagal, certificates, a slip and a revocation), must
//! end with exactly the same figures on SQLite and PostgreSQL for a given seed.

use odf_domain::{AreaCode, HouseholdUnits, Sample, VillageStatus, draw_sample};
use odf_server::demo::{CampaignOptions, CampaignReport, run_campaign, seed};
use odf_server::{AppState, ServerConfig};
use odf_store::testing::{POSTGRES_URL_VAR, TestDb};
use odf_store::{AnyStore, VerificationRecord};

/// The sample drawn again from the village's households with the recorded plan and seed.
async fn redrawn(store: &AnyStore, verification: &VerificationRecord) -> Sample {
    let units = store.households_in(verification.village).await.unwrap().into_iter().map(|stored| {
        let h = stored.household;
        HouseholdUnits { id: h.id, dusun: h.dusun, rw: h.rw, rt: h.rt }
    });
    draw_sample(units, verification.sample.plan, verification.sample.seed).unwrap()
}

async fn campaign_on(db: TestDb) {
    let store = db.store.clone();
    seed(&store).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = AppState::new(store.clone(), ServerConfig::default());
    let public_key = state.signer().unwrap().public_key();
    let server = tokio::spawn(odf_server::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let phones = tempfile::tempdir().unwrap();
    let report =
        run_campaign(&store, &base, phones.path(), CampaignOptions { seed: 7, scale: 1 }).await.unwrap();

    // The figures of seed 7, exactly. The verification visits depend on the samples, whose seeds the
    // server draws at random; below, each sample is re-derived from its recorded seed instead.
    assert!((18..=report.households).contains(&report.verification_visits), "{}", report.verification_visits);
    let expected = CampaignReport {
        households: 177,
        visits: 357,
        verification_visits: report.verification_visits,
        kk_registered: 350,
        kk_with_access: 296,
        villages_sbs: 16,
        villages_failed: 1,
        villages_slipped: 2,
        villages_revoked: 1,
        certificates_issued: 17,
        certificates_revoked: 1,
    };
    assert_eq!(report, expected);

    // What the phones sent is what the server holds, once each.
    let all_visits = 357 + i64::try_from(report.verification_visits).unwrap();
    assert_eq!(store.visit_count().await.unwrap(), all_visits);
    let province = AreaCode::parse("74").unwrap();
    let tallies = store.tallies(Some(province)).await.unwrap();
    let kk: i64 = tallies.iter().map(|(_, t)| t.kk).sum();
    let access: i64 = tallies.iter().map(|(_, t)| t.kk_access).sum();
    assert_eq!((kk, access), (350, 296));
    assert!(store.recount().await.unwrap().differences.is_empty());
    let statuses = store.statuses(Some(province)).await.unwrap();
    let count = |s: VillageStatus| statuses.iter().filter(|r| r.status == s).count();
    assert_eq!(
        (count(VillageStatus::Sbs), count(VillageStatus::Slipped), count(VillageStatus::Revoked)),
        (14, 2, 1)
    );
    let certified = statuses.iter().filter(|r| r.status.counts_as_sbs()).count();
    assert_eq!(certified, 16);
    assert_eq!(count(VillageStatus::Dipicu), 15);

    // Every certificate was issued by a verification decided on a phone, and signed.
    let certificates = store.certificates(Some(province)).await.unwrap();
    assert_eq!(certificates.len(), 17);
    assert_eq!(certificates.iter().filter(|c| c.is_revoked()).count(), 1);
    for certificate in &certificates {
        let verification = store.verification(certificate.signed.certificate.verification_id).await.unwrap();
        let verification = verification.unwrap();
        assert_eq!(verification.certificate_id, Some(certificate.id()));
        assert_eq!(verification.team.len(), 3);
        assert_eq!(redrawn(&store, &verification).await, verification.sample);
        odf_certificate::verify(&certificate.signed, &public_key).unwrap();
    }

    let _ = stop.send(());
    server.await.unwrap().unwrap();
    db.cleanup().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_the_demo_campaign_ends_with_the_same_figures_every_time() {
    campaign_on(TestDb::sqlite().await.unwrap()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_the_demo_campaign_ends_with_the_same_figures_every_time() {
    let db = TestDb::postgres()
        .await
        .unwrap_or_else(|err| panic!("{POSTGRES_URL_VAR} is set but PostgreSQL is unusable: {err}"));
    let Some(db) = db else {
        eprintln!("SKIPPED: PostgreSQL demo campaign test ({POSTGRES_URL_VAR} not set)");
        return;
    };
    campaign_on(db).await;
}
