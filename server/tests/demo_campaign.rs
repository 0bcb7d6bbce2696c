//! The demo's field campaign, run through the real client core over HTTP, must end with exactly the
//! same figures on SQLite and PostgreSQL for a given seed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use odf_domain::{AreaCode, VillageStatus};
use odf_server::demo::{CampaignOptions, CampaignReport, run_campaign, seed};
use odf_server::{AppState, ServerConfig};
use odf_store::Store;
use odf_store::testing::{POSTGRES_URL_VAR, TestDb};

async fn campaign_on(db: TestDb) {
    let store = db.store.clone();
    seed(&store).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(odf_server::serve(
        listener,
        AppState::new(store.clone(), ServerConfig::default()),
        async {
            let _ = stopped.await;
        },
    ));
    let phones = tempfile::tempdir().unwrap();
    let report =
        run_campaign(&store, &base, phones.path(), CampaignOptions { seed: 7, scale: 1 }).await.unwrap();

    // The figures of seed 7, exactly.
    let expected = CampaignReport {
        households: 177,
        visits: 357,
        kk_registered: 350,
        kk_with_access: 296,
        villages_sbs: 16,
        villages_failed: 1,
        villages_slipped: 2,
        villages_revoked: 1,
    };
    assert_eq!(report, expected);

    // What the phones sent is what the server holds, once each.
    assert_eq!(store.visit_count().await.unwrap(), 357);
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
