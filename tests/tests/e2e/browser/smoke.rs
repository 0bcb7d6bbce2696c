//! The harness itself: Chromium starts at the asked size, loads a page of the real server, runs
//! script, takes screenshots, and two browsers open at once share one chromedriver.

use serde_json::json;

use super::{Browser, DESKTOP, PHONE, with_browser};

/// A page made in the test, so the harness is proven independently of the dashboard.
const PAGE: &str = "data:text/html;charset=utf-8,<!doctype html><html lang=id><meta name=viewport \
                    content='width=device-width'><title>uji</title><h1 id=judul>Uji peramban</h1>\
                    <button id=tombol onclick=\"this.dataset.diklik='ya'\">Klik</button></html>";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_opens_at_phone_and_desktop_size_and_reads_a_page_of_the_real_server() {
    odf_e2e_tests::server::run(odf_e2e_tests::Backend::Sqlite, |server| async move {
        for size in [PHONE, DESKTOP] {
            with_browser("smoke", size, |browser| {
                let url = server.url.clone();
                async move {
                    // The viewport is the asked size: the phone layout is really tested at 412 px.
                    browser.goto(PAGE, "h1#judul").await;
                    let inner =
                        browser.script("return [window.innerWidth, window.innerHeight];", vec![]).await;
                    assert_eq!(inner, json!([size.width, size.height]), "viewport of {}", size.name);

                    // Clicking runs the page's script; the wait is for the state it makes.
                    super::click(&browser.wait("button#tombol").await).await;
                    browser.wait("button#tombol[data-diklik='ya']").await;
                    let (png, path) = browser.screenshot("data-page").await;
                    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
                    assert!(path.is_file(), "{} saved", path.display());

                    // A page of the real server on 127.0.0.1:0: Chromium shows JSON in a <pre>.
                    let pre = browser.goto(&format!("{url}/v1/openapi.json"), "pre").await;
                    let document: serde_json::Value =
                        serde_json::from_str(&super::text(&pre).await).expect("openapi.json in the browser");
                    assert!(
                        document["paths"]["/v1/coverage/{area}"].is_object(),
                        "the coverage route is documented"
                    );
                    browser.screenshot("openapi").await;
                }
            })
            .await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_browsers_open_at_once_share_one_chromedriver_and_not_their_pages() {
    let Some(first) = Browser::open("smoke-shared", PHONE).await else { return };
    let Some(second) = Browser::open("smoke-shared", DESKTOP).await else {
        first.close().await;
        return;
    };
    assert_eq!(first.driver_port(), second.driver_port(), "one chromedriver for both");
    first.goto(&PAGE.replace("Uji peramban", "satu"), "h1#judul").await;
    second.goto(&PAGE.replace("Uji peramban", "dua"), "h1#judul").await;
    assert_eq!(super::text(&first.wait("h1#judul").await).await, "satu");
    assert_eq!(super::text(&second.wait("h1#judul").await).await, "dua");
    first.close().await;
    second.close().await;
}
