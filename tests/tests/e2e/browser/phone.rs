//! `odf-field ui` (issue 19), the client core's phone screen, in Chromium at 412 × 915: a
//! sanitarian signs in and adds a household, records a visit while the server is down and sees
//! "not sent", syncs once it is back and sees the visit stored, with the village's figures equal to
//! the server's `/v1/coverage`; a verifier records a sampled visit and a decision offline and both
//! sync; and requests without the secret or from another Host or Origin are refused. The server
//! runs on SQLite and PostgreSQL; the UI runs in this process on 127.0.0.1:0 over a fresh home.

use std::net::SocketAddr;

use odf_client::Client;
use odf_e2e_tests::server::{KECAMATAN, PASSWORD, SAN_A, VILLAGE_1, seed};
use odf_field_ui::Ui;
use odf_server::{AppState, ServerConfig};
use odf_store::{AnyStore, Backend, testing};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use super::seeded::Coverage;
use super::{Browser, PHONE, attr, click, skipped, text, with_browser};

/// The real server, which a test can stop and start again on the same address.
struct Restartable {
    addr: SocketAddr,
    state: AppState,
    running: Option<(oneshot::Sender<()>, tokio::task::JoinHandle<std::io::Result<()>>)>,
}

impl Restartable {
    async fn start(store: AnyStore) -> Restartable {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("the server's address");
        let state = AppState::new(store, ServerConfig::default());
        let mut server = Restartable { addr, state, running: None };
        server.serve(listener);
        server
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn serve(&mut self, listener: tokio::net::TcpListener) {
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(odf_server::serve(listener, self.state.clone(), async {
            let _ = stopped.await;
        }));
        self.running = Some((stop, task));
    }

    async fn stop(&mut self) {
        if let Some((stop, task)) = self.running.take() {
            let _ = stop.send(());
            task.await.expect("server task").expect("server");
        }
    }

    async fn restart(&mut self) {
        let listener = tokio::net::TcpListener::bind(self.addr).await.expect("bind the same address again");
        self.serve(listener);
    }
}

/// The UI over a fresh home folder, served until the returned sender is dropped or fired.
async fn start_ui() -> (tempfile::TempDir, String, String, oneshot::Sender<()>) {
    let home = tempfile::tempdir().expect("a home folder");
    let client = Client::open(home.path()).await.expect("open the client home");
    let ui = Ui::bind(client, 0, odf_web::Lang::Id).await.expect("bind the UI");
    let (first, base) = (ui.first_url(), ui.base_url());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(ui.serve(async {
        let _ = stopped.await;
    }));
    (home, first, base, stop)
}

/// `/v1/coverage/{area}` as `username` sees it.
async fn api_coverage(server: &str, username: &str, area: &str) -> Coverage {
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{server}/v1/auth/login"))
        .json(&json!({ "username": username, "password": PASSWORD }))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("the login answer");
    let token = login["token"].as_str().expect("a token");
    let body = http
        .get(format!("{server}/v1/coverage/{area}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET /v1/coverage")
        .json()
        .await
        .expect("coverage JSON");
    Coverage(body)
}

/// Scrolls `css` to the middle of the screen (clear of the fixed tabs at the bottom), then taps it.
async fn tap(browser: &Browser, css: &str) {
    let element = browser.wait(css).await;
    let arg = serde_json::to_value(&element).expect("an element as a script argument");
    browser.script("arguments[0].scrollIntoView({block: 'center'});", vec![arg]).await;
    click(&element).await;
}

async fn type_into(browser: &Browser, css: &str, value: &str) {
    let field = browser.wait(css).await;
    field.clear().await.expect("clear a field");
    field.send_keys(value).await.expect("type into a field");
}

/// Signs in through the UI's form; a first sync starts by itself and must end well.
async fn sign_in(browser: &Browser, first_url: &str, server: &str, username: &str) {
    browser.goto(first_url, "form#phone-login").await;
    // The secret left the address bar for a cookie.
    assert!(!browser.current_url().await.as_str().contains("k="), "the secret stays in the URL");
    type_into(browser, "#server", server).await;
    type_into(browser, "#username", username).await;
    type_into(browser, "#password", PASSWORD).await;
    tap(browser, "form#phone-login button[type=submit]").await;
    browser.wait("#sync-run[data-sync-run=done]").await;
}

async fn sanitarian_offline_visit_then_sync(backend: Backend) {
    if skipped() {
        return;
    }
    testing::run_as("phone", backend, |store, _raw| async move {
        let mut server = Restartable::start(store.clone()).await;
        seed(&store).await;
        let (home, first, base, stop_ui) = start_ui().await;
        let url = server.url();
        let name = format!("phone-sanitarian-{backend:?}").to_lowercase();
        let home_ref = &home;
        let server_ref = &mut server;
        with_browser(&name, PHONE, |b| async move {
            let server = server_ref;
            let home = home_ref;
            sign_in(&b, &first, &url, SAN_A).await;
            b.goto(&format!("{base}/"), &format!("li[data-village='{VILLAGE_1}']")).await;
            let (png, _) = b.screenshot("villages").await;
            Browser::publish_screenshot(&png, "phone-villages.png");

            b.goto(&format!("{base}/desa/{VILLAGE_1}"), "#add-household").await;
            tap(&b, "#add-household").await;
            type_into(&b, "#head", "Wa Ode Sitti").await;
            type_into(&b, "#kk", "2").await;
            type_into(&b, "#rt", "3").await;
            tap(&b, "form#household button[type=submit]").await;
            b.wait("#message").await;
            let row = b.wait("li[data-household]").await;
            let household = attr(&row, "data-household").await;
            let row_css = format!("li[data-household='{household}']");
            b.wait(&format!("{row_css} .sync[data-sync=not_sent]")).await;

            // The server goes away; the phone records on.
            server.stop().await;
            tap(&b, &format!("{row_css} a.visit")).await;
            b.wait("form#visit").await;
            tap(&b, "input[name=category][value=layak_sendiri]").await;
            for check in ["closed_toilet", "safe_from_well", "strong_slab", "all_members_use"] {
                tap(&b, &format!("input[name={check}][value=ya]")).await;
            }
            // A photo from the "camera": the smallest bytes the core takes as a JPEG.
            let photo = home.path().join("jamban.jpg");
            let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
            jpeg.resize(64, 0);
            std::fs::write(&photo, &jpeg).expect("write the photo");
            let input = b.wait("input#photo").await;
            input.send_keys(&photo.display().to_string()).await.expect("choose the photo");
            let (png, _) = b.full_page_screenshot("visit-form").await;
            Browser::publish_screenshot(&png, "phone-visit.png");
            tap(&b, "form#visit button[type=submit]").await;
            let badge = b.wait(&format!("{row_css} .visit-sync [data-sync=not_sent]")).await;
            assert_eq!(text(&badge).await, "belum terkirim");
            b.screenshot("visit-not-sent").await;

            b.goto(&format!("{base}/kirim"), "#sync-run[data-sync-run]").await;
            let waiting = b.wait("[data-count=not_sent] strong").await;
            assert_eq!(text(&waiting).await, "2", "the household and the visit wait");
            let (png, _) = b.full_page_screenshot("sync-waiting").await;
            Browser::publish_screenshot(&png, "phone-sync.png");

            // The server is back: sync, and both are stored.
            server.restart().await;
            tap(&b, "form#sync button[type=submit]").await;
            // The page reloads itself while the sync runs; the outbox empties when it is done.
            b.wait("#all-stored").await;
            b.wait("#sync-run[data-sync-run=done]").await;
            b.screenshot("sync-done").await;

            b.goto(&format!("{base}/desa/{VILLAGE_1}"), &format!("{row_css} .visit-sync [data-sync=stored]"))
                .await;
            b.wait(&format!("{row_css} .sync[data-sync=stored]")).await;
            let figure = b.wait(".phone-figure[data-measure=kk_akses]").await;
            let shown = (
                attr(&figure, "data-numerator").await.parse::<i64>().expect("a numerator"),
                attr(&figure, "data-denominator").await.parse::<i64>().expect("a denominator"),
            );
            let api = api_coverage(&url, SAN_A, KECAMATAN).await.child(VILLAGE_1, "kk_akses");
            assert_eq!(shown, (api.numerator, api.denominator), "the phone's figure is the server's");
            assert_eq!(shown, (2, 2));
            let twin = Client::open(home.path()).await.expect("the same home");
            let photos = twin.photos().await.expect("the photos");
            twin.close().await;
            assert_eq!(photos.len(), 1, "the photo was kept");
            assert!(photos[0].uploaded_at.is_some(), "and uploaded at sync: {photos:?}");
            b.screenshot("village-stored").await;
        })
        .await;
        let _ = stop_ui.send(());
        server.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_sanitarian_records_offline_sees_not_sent_then_stored_with_the_servers_figures() {
    sanitarian_offline_visit_then_sync(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_sanitarian_records_offline_sees_not_sent_then_stored_with_the_servers_figures() {
    sanitarian_offline_visit_then_sync(Backend::Postgres).await;
}

/// Plain HTTP, no browser: the secret, the Host and the Origin are checked on every request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_without_the_secret_or_from_another_host_or_origin_are_refused() {
    let (_home, first, base, stop_ui) = start_ui().await;
    let http =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let code = |response: reqwest::Response| async move {
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        (status, body["error"]["code"].as_str().unwrap_or_default().to_owned())
    };
    assert_eq!(
        code(http.get(format!("{base}/")).send().await.unwrap()).await,
        (403, "secret_missing".to_owned())
    );
    assert_eq!(
        code(http.get(format!("{base}/?k=0123")).send().await.unwrap()).await,
        (403, "secret_wrong".to_owned())
    );
    let entry = http.get(&first).send().await.unwrap();
    assert_eq!(entry.status().as_u16(), 303);
    assert_eq!(entry.headers()["location"], "/");
    let set_cookie = entry.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let with = |request: reqwest::RequestBuilder| request.header("cookie", cookie.clone());

    let ok = with(http.get(format!("{base}/masuk"))).send().await.unwrap();
    assert_eq!(ok.status().as_u16(), 200, "the cookie lets a page in");
    let port = base.rsplit(':').next().unwrap();
    let rebound = with(http.get(format!("{base}/masuk"))).header("host", format!("evil.example:{port}"));
    assert_eq!(code(rebound.send().await.unwrap()).await, (403, "host_refused".to_owned()));
    let foreign = with(http.post(format!("{base}/kirim"))).header("origin", "http://evil.example");
    assert_eq!(code(foreign.send().await.unwrap()).await, (403, "origin_refused".to_owned()));
    let no_origin = with(http.post(format!("{base}/kirim")));
    assert_eq!(code(no_origin.send().await.unwrap()).await, (403, "origin_required".to_owned()));
    let own = with(http.post(format!("{base}/kirim"))).header("origin", base.clone());
    assert_eq!(own.send().await.unwrap().status().as_u16(), 303, "its own page may post");
    let _ = stop_ui.send(());
}

/// A claimed village of two households, both with access (recorded on another phone through the
/// core, as the demo's sanitarian would).
async fn claimed_village(server: &str) {
    use odf_e2e_tests::Phone;
    let sanitarian = Phone::log_in(server, SAN_A).await;
    sanitarian.sync_until_done(5).await;
    for head in ["La Ode Hamid", "Wa Ode Nur"] {
        let home = sanitarian.register(VILLAGE_1, head, 1).await;
        sanitarian.visit(home, "layak_sendiri", chrono::Utc::now() - chrono::Duration::days(7)).await;
    }
    let village = odf_e2e_tests::server::code(VILLAGE_1);
    let triggered_on = (chrono::Utc::now() - chrono::Duration::days(60)).date_naive();
    sanitarian.client.trigger_village(village, triggered_on, None).await.expect("trigger");
    sanitarian.client.claim_village(village, None).await.expect("claim");
    sanitarian.sync_until_done(10).await;
    assert!(sanitarian.refused().await.is_empty(), "{:?}", sanitarian.refused().await);
    sanitarian.close().await;
}

async fn sync_until_stored(b: &Browser, base: &str) {
    b.goto(&format!("{base}/kirim"), "form#sync").await;
    tap(b, "form#sync button[type=submit]").await;
    b.wait("#all-stored").await;
    b.wait("#sync-run[data-sync-run=done]").await;
}

async fn verifier_offline_visit_and_decision(backend: Backend) {
    use odf_e2e_tests::server::{VERIFIER, VERIFIER_2, VERIFIER_3};
    use odf_mobile_api::{PlanKind, SamplingPlanDto, TeamMemberDto};
    if skipped() {
        return;
    }
    testing::run_as("phone", backend, |store, _raw| async move {
        let mut server = Restartable::start(store.clone()).await;
        seed(&store).await;
        let url = server.url();
        claimed_village(&url).await;
        let (home, first, base, stop_ui) = start_ui().await;
        let name = format!("phone-verifier-{backend:?}").to_lowercase();
        let server_ref = &mut server;
        let store_ref = &store;
        with_browser(&name, PHONE, |b| async move {
            let server = server_ref;
            sign_in(&b, &first, &url, VERIFIER).await;
            // Opening the verification is `odf-field verification open` on the same phone folder.
            let twin = Client::open(home.path()).await.expect("the same home");
            let team = [VERIFIER, VERIFIER_2, VERIFIER_3]
                .iter()
                .map(|u| TeamMemberDto {
                    username: (*u).to_owned(),
                    name: format!("Tim {u}"),
                    position: None,
                })
                .collect();
            let plan = SamplingPlanDto { kind: PlanKind::AllHouseholds, level: None, count: None };
            let village = odf_e2e_tests::server::code(VILLAGE_1);
            let id = twin.open_verification(village, team, plan).await.expect("open the verification");
            twin.close().await;
            sync_until_stored(&b, &base).await;

            // Offline from here: the sample's visits, the community criteria and the decision.
            server.stop().await;
            b.goto(&format!("{base}/verifikasi"), &format!("li[data-verification='{id}']")).await;
            b.screenshot("verifications").await;
            tap(&b, &format!("li[data-verification='{id}'] a")).await;
            let sampled: Vec<String> = {
                let mut ids = Vec::new();
                for row in b.all("#samples li[data-household]").await {
                    ids.push(attr(&row, "data-household").await);
                }
                ids
            };
            assert_eq!(sampled.len(), 2, "every household is sampled");
            for household in &sampled {
                tap(&b, &format!("li[data-household='{household}'] a.visit")).await;
                tap(&b, "input[name=category][value=layak_sendiri]").await;
                tap(&b, "form#visit button[type=submit]").await;
                b.wait(&format!("li[data-household='{household}'][data-visited=true]")).await;
            }
            for criterion in ["bebas_tinja", "aturan", "pemantauan"] {
                tap(&b, &format!("form#community input[name={criterion}][value=ya]")).await;
            }
            tap(&b, "form#community button[type=submit]").await;
            b.wait("#community-recorded").await;
            b.wait("#suggestion[data-suggestion=lulus]").await;
            tap(&b, "form#decide button[value=lulus]").await;
            b.wait("#decision-recorded").await;
            let pending = b.all("#verification-actions [data-sync=not_sent]").await;
            assert_eq!(pending.len(), 2, "the criteria and the decision wait for the server");
            b.full_page_screenshot("decided-offline").await;

            server.restart().await;
            sync_until_stored(&b, &base).await;
            let state = store_ref.village_state(village).await.expect("the village's state");
            assert_eq!(state.status, odf_domain::VillageStatus::Sbs, "the decision reached the server");
            b.goto(&format!("{base}/verifikasi/{id}"), "#verification-actions").await;
            assert!(b.all("#verification-actions [data-sync=not_sent]").await.is_empty());
            assert!(b.all("#verification-actions [data-sync=stored]").await.len() >= 2);
            b.goto(&format!("{base}/verifikasi"), "#certificates [data-signature=valid]").await;
            b.screenshot("certificate").await;
        })
        .await;
        let _ = stop_ui.send(());
        server.stop().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_verifier_records_a_sampled_visit_and_a_decision_offline_and_both_sync() {
    verifier_offline_visit_and_decision(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_verifier_records_a_sampled_visit_and_a_decision_offline_and_both_sync() {
    verifier_offline_visit_and_decision(Backend::Postgres).await;
}
