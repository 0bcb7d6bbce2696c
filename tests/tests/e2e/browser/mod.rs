//! Browser tests: headless Chromium driven over WebDriver (`fantoccini`) by a chromedriver this
//! harness starts itself, against the real server on `127.0.0.1:0`.
//!
//! - One chromedriver serves every browser test that runs at the same time in this binary: the
//!   first [`Browser::open`] starts it on a free port and waits for its `/status` to say ready;
//!   the last browser to close stops it (a [`Driver`] guard, so also when a test panics).
//! - Each test gets its own Chromium session (own profile, own cookies) at phone or desktop size.
//! - Waits are for a CSS selector describing the state expected next (for example
//!   `#map-box[data-measure="desa_sbs"]`), bounded by [`TIMEOUT`]; never a fixed sleep.
//! - Screenshots are test artefacts under `target/browser-screenshots/`.
//!
//! Without chromedriver the tests print `SKIPPED: browser (chromedriver not found)` and pass,
//! unless `ODF_BROWSER_TESTS=required` (set by `.ci/run`), where they fail.

mod admin_flow;
mod dashboard;
mod desk_flow;
mod phone;
mod seeded;
mod smoke;

use std::io::{Read as _, Write as _};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, OnceLock, Weak};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use futures_util::FutureExt as _;
use serde_json::{Value, json};

/// Set to `required` (as `.ci/run` does) to make a missing chromedriver or Chromium a failure.
pub const REQUIRED_VAR: &str = "ODF_BROWSER_TESTS";
/// Set to `1` to also write the README's screenshots under `docs/screenshots/`.
pub const UPDATE_SCREENSHOTS_VAR: &str = "ODF_UPDATE_SCREENSHOTS";
/// How long any one wait (an element, chromedriver's readiness) may take: generous, because CI's
/// two cores also build and run the other tests meanwhile; a wait ends as soon as its state shows.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// How often a wait looks again.
const POLL: Duration = Duration::from_millis(50);

/// A browser window size in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    pub name: &'static str,
    pub width: u32,
    pub height: u32,
}

/// A common Android phone (issue 19's phone UI is tested at this size).
pub const PHONE: Size = Size { name: "phone", width: 412, height: 915 };
pub const DESKTOP: Size = Size { name: "desktop", width: 1280, height: 900 };

fn required() -> bool {
    std::env::var(REQUIRED_VAR).is_ok_and(|v| v == "required")
}

/// `ODF_CHROMEDRIVER`, else Debian's `/usr/bin/chromedriver`, else `chromedriver` on `PATH`; `None`
/// when the file is not there (also for a wrong `ODF_CHROMEDRIVER`, which is how the SKIPPED path
/// is tried on a machine that has chromedriver).
fn chromedriver_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ODF_CHROMEDRIVER") {
        return Some(PathBuf::from(path)).filter(|p| p.is_file());
    }
    let debian = PathBuf::from("/usr/bin/chromedriver");
    if debian.is_file() {
        return Some(debian);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join("chromedriver")).find(|p| p.is_file())
}

/// `ODF_CHROMIUM`, else Debian's `/usr/bin/chromium`.
fn chromium_path() -> PathBuf {
    std::env::var_os("ODF_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// The workspace's target directory: `CARGO_TARGET_DIR` when set, else the one this test binary
/// was built into (`<target>/debug/deps/e2e-…`).
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.ancestors()
        .find(|dir| dir.file_name().is_some_and(|name| name == "target"))
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"), Path::to_path_buf)
}

/// Where screenshots go: `target/browser-screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    target_dir().join("browser-screenshots")
}

/// A running chromedriver. Dropping it (when the last browser using it closes, also during a
/// panic) asks it to shut down, which closes the Chromium sessions it still has, then kills its
/// whole process group so that no Chromium outlives the test binary's tests.
#[derive(Debug)]
pub struct Driver {
    child: Child,
    port: u16,
    /// chromedriver's and Chromium's `TMPDIR`: the profiles and the socket folders Chromium leaves
    /// behind even after a clean quit go with it. Declared last, so it is removed after the kill.
    _tmp: tempfile::TempDir,
}

impl Driver {
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts chromedriver on a free port and waits until its `/status` says ready.
    async fn start(binary: &Path) -> Driver {
        // The port is picked by the kernel, then handed to chromedriver; another `127.0.0.1:0`
        // bind in this binary could get it in between, so a chromedriver that exits at start
        // (port taken) is tried again on another port.
        const ATTEMPTS: usize = 3;
        for attempt in 1..=ATTEMPTS {
            match Self::try_start(binary).await {
                Ok(driver) => return driver,
                Err(why) if attempt < ATTEMPTS => eprintln!("{why}; trying another port"),
                Err(why) => panic!("{why} ({ATTEMPTS} ports tried)"),
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    /// One start on a fresh port: the driver once ready, or why it exited; panics when it neither
    /// gets ready nor exits within [`TIMEOUT`].
    async fn try_start(binary: &Path) -> Result<Driver, String> {
        let port = {
            let probe = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
            probe.local_addr().expect("the probe's address").port()
        };
        std::fs::create_dir_all(screenshot_dir()).expect("create target/browser-screenshots");
        let log = screenshot_dir().join(format!("chromedriver-{port}.log"));
        let tmp = tempfile::Builder::new().prefix("odf-browser-").tempdir().expect("a folder for Chromium");
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .env("TMPDIR", tmp.path())
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so that one kill reaches the Chromium processes it starts.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|err| panic!("start {}: {err}", binary.display()));
        let mut driver = Driver { child, port, _tmp: tmp };
        let status = format!("{}/status", driver.url());
        let http = reqwest::Client::new();
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Ok(Some(exit)) = driver.child.try_wait() {
                return Err(format!("chromedriver exited at start ({exit}); its log: {}", log.display()));
            }
            let ready = match http.get(&status).send().await {
                Ok(response) => {
                    response.json::<Value>().await.is_ok_and(|body| body["value"]["ready"] == json!(true))
                }
                Err(_) => false,
            };
            if ready {
                return Ok(driver);
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver not ready within {TIMEOUT:?}: {}",
                log.display()
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// chromedriver's own `GET /shutdown`, sent without an async runtime (this runs in `Drop`).
    fn ask_to_shut_down(&self) {
        let Ok(mut stream) = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)) else { return };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let request =
            format!("GET /shutdown HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n", self.port);
        if stream.write_all(request.as_bytes()).is_ok() {
            let mut answer = Vec::new();
            let _ = stream.read_to_end(&mut answer);
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.ask_to_shut_down();
        // Whatever is left of the group (chromedriver, a Chromium it could not close) goes now.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The chromedriver shared by the browsers open at the same time.
static DRIVER: OnceLock<tokio::sync::Mutex<Weak<Driver>>> = OnceLock::new();

/// Whether the browser tests skip here: no chromedriver or no Chromium, and `ODF_BROWSER_TESTS` is
/// not `required` (then this fails the test instead). Says `SKIPPED: browser (…)` when skipping.
/// Tests that prepare costly data call it first; [`Browser::open`] calls it too.
pub fn skipped() -> bool {
    let missing = if chromedriver_path().is_none() {
        "chromedriver not found".to_owned()
    } else if !chromium_path().is_file() {
        format!("Chromium not found at {}", chromium_path().display())
    } else {
        return false;
    };
    assert!(
        !required(),
        "{REQUIRED_VAR}=required but {missing} (Debian: apt-get install chromium chromium-driver)"
    );
    eprintln!("SKIPPED: browser ({missing})");
    true
}

/// The running chromedriver, started if none is; `None` when the browser tests skip.
async fn shared_driver() -> Option<Arc<Driver>> {
    if skipped() {
        return None;
    }
    let binary = chromedriver_path()?;
    let mut shared = DRIVER.get_or_init(|| tokio::sync::Mutex::new(Weak::new())).lock().await;
    if let Some(driver) = shared.upgrade() {
        return Some(driver);
    }
    let driver = Arc::new(Driver::start(&binary).await);
    *shared = Arc::downgrade(&driver);
    Some(driver)
}

/// One Chromium session. Close it with [`Browser::close`]; [`with_browser`] does that for you,
/// also when the test panics.
#[derive(Debug, Clone)]
pub struct Browser {
    pub client: Client,
    pub size: Size,
    /// Prefix of this test's screenshot files.
    test: String,
    driver: Arc<Driver>,
}

/// Runs `test` in a fresh headless Chromium of `size`, then closes it, also when `test` panics
/// (the panic is then resumed, failing the test). `name` prefixes its screenshots. Returns without
/// running `test` when the browser tests are skipped.
pub async fn with_browser<F, Fut>(name: &str, size: Size, test: F)
where
    F: FnOnce(Browser) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(browser) = Browser::open(name, size).await else { return };
    let started = Instant::now();
    let outcome = std::panic::AssertUnwindSafe(test(browser.clone())).catch_unwind().await;
    if outcome.is_err() {
        browser.screenshot("failed").await;
    }
    browser.close().await;
    record_time(name, size, started.elapsed());
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// Appends `{test} {size} {seconds}` to `target/browser-screenshots/times.txt`, which `.ci/run`
/// sums up for its summary (libtest keeps a passing test's output to itself).
fn record_time(name: &str, size: Size, took: Duration) {
    let line = format!("{name} {} {:.2}\n", size.name, took.as_secs_f64());
    let file = std::fs::OpenOptions::new().create(true).append(true).open(screenshot_dir().join("times.txt"));
    if let Err(err) = file.and_then(|mut file| file.write_all(line.as_bytes())) {
        eprintln!("browser test times: {err}");
    }
}

impl Browser {
    /// A new session on the shared chromedriver; `None` when browser tests are skipped.
    pub async fn open(test: &str, size: Size) -> Option<Browser> {
        let driver = shared_driver().await?;
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-extensions".to_owned(),
            "--no-first-run".to_owned(),
            "--hide-scrollbars".to_owned(),
            "--lang=id".to_owned(),
            format!("--window-size={},{}", size.width, size.height),
        ];
        // The viewport is set through device metrics: a window alone cannot be narrower than
        // 500 px, and its frame would eat into the height. The phone is a touch device that
        // honours `<meta name=viewport>`, at a pixel ratio of 1 to keep screenshots small.
        let phone = size == PHONE;
        let metrics = json!({
            "width": size.width, "height": size.height, "pixelRatio": 1.0, "mobile": phone, "touch": phone,
        });
        let options = json!({ "binary": chromium_path(), "args": args, "mobileEmulation": { "deviceMetrics": metrics } });
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".to_owned(), json!("chrome"));
        capabilities.insert("goog:chromeOptions".to_owned(), options);
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&driver.url())
            .await
            .unwrap_or_else(|err| panic!("a Chromium session from chromedriver at {}: {err}", driver.url()));
        Some(Browser { client, size, test: test.to_owned(), driver })
    }

    pub async fn close(self) {
        // Closing can only fail when the session is already gone; chromedriver's shutdown in
        // `Driver::drop` would close it anyway.
        let _ = self.client.close().await;
    }

    /// Opens `url` and waits for `ready` (a CSS selector) to be on the page.
    pub async fn goto(&self, url: &str, ready: &str) -> Element {
        self.client.goto(url).await.unwrap_or_else(|err| panic!("open {url}: {err}"));
        self.wait(ready).await
    }

    /// Waits, at most [`TIMEOUT`], for an element matching `css`.
    pub async fn wait(&self, css: &str) -> Element {
        match self.client.wait().at_most(TIMEOUT).every(POLL).for_element(Locator::Css(css)).await {
            Ok(element) => element,
            Err(err) => {
                let url = self.current_url().await;
                self.screenshot("timeout").await;
                panic!("no `{css}` on {url} within {TIMEOUT:?}: {err}");
            }
        }
    }

    /// Every element matching `css` now (no waiting).
    pub async fn all(&self, css: &str) -> Vec<Element> {
        self.client.find_all(Locator::Css(css)).await.unwrap_or_else(|err| panic!("find `{css}`: {err}"))
    }

    /// Whether any element matches `css` now (no waiting: use after waiting for the page itself).
    pub async fn has(&self, css: &str) -> bool {
        !self.all(css).await.is_empty()
    }

    pub async fn current_url(&self) -> url::Url {
        self.client.current_url().await.unwrap_or_else(|err| panic!("the current URL: {err}"))
    }

    /// Runs `script` (a function body; `arguments` are `args`) in the page and returns its result.
    pub async fn script(&self, script: &str, args: Vec<Value>) -> Value {
        self.client.execute(script, args).await.unwrap_or_else(|err| panic!("script {script:?}: {err}"))
    }

    /// Saves the viewport as `target/browser-screenshots/{test}-{size}-{step}.png` and returns the
    /// PNG and its path. A failure to take or save it is reported, not fatal: it is an artefact.
    pub async fn screenshot(&self, step: &str) -> (Vec<u8>, PathBuf) {
        let png = self.client.screenshot().await.unwrap_or_else(|err| {
            eprintln!("screenshot {step}: {err}");
            Vec::new()
        });
        self.save(step, png)
    }

    /// Like [`Browser::screenshot`], but the whole page at the window's width, below the fold
    /// included (Chromium's DevTools `Page.captureScreenshot`, which WebDriver lacks).
    pub async fn full_page_screenshot(&self, step: &str) -> (Vec<u8>, PathBuf) {
        let metrics = self.devtools("Page.getLayoutMetrics", json!({})).await;
        let size = &metrics["cssContentSize"];
        let clip = json!({ "x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1 });
        let params = json!({ "format": "png", "captureBeyondViewport": true, "clip": clip });
        let shot = self.devtools("Page.captureScreenshot", params).await;
        let data = shot["data"].as_str().unwrap_or_default();
        let png =
            base64::Engine::decode(&base64::engine::general_purpose::STANDARD, data).unwrap_or_else(|err| {
                eprintln!("full-page screenshot {step}: {err}");
                Vec::new()
            });
        self.save(step, png)
    }

    fn save(&self, step: &str, png: Vec<u8>) -> (Vec<u8>, PathBuf) {
        let path = screenshot_dir().join(format!("{}-{}-{step}.png", self.test, self.size.name));
        if !png.is_empty() {
            let saved = std::fs::create_dir_all(screenshot_dir()).and_then(|()| std::fs::write(&path, &png));
            if let Err(err) = saved {
                eprintln!("screenshot {}: {err}", path.display());
            }
        }
        (png, path)
    }

    /// A Chrome DevTools Protocol command through chromedriver; its result.
    pub async fn devtools(&self, cmd: &'static str, params: Value) -> Value {
        let command = Devtools { cmd, params };
        self.client.issue_cmd(command).await.unwrap_or_else(|err| panic!("DevTools {cmd}: {err}"))
    }

    /// Also writes `png` to `docs/screenshots/{file}` (for the README) when
    /// `ODF_UPDATE_SCREENSHOTS=1`.
    pub fn publish_screenshot(png: &[u8], file: &str) {
        if std::env::var(UPDATE_SCREENSHOTS_VAR).is_ok_and(|v| v == "1") && !png.is_empty() {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/screenshots");
            std::fs::create_dir_all(&dir).expect("create docs/screenshots");
            std::fs::write(dir.join(file), png).expect("write the README's screenshot");
            eprintln!("updated docs/screenshots/{file}");
        }
    }

    /// The chromedriver this session runs on (for tests that check the harness itself).
    pub fn driver_port(&self) -> u16 {
        self.driver.port
    }
}

/// chromedriver's `POST /session/{id}/goog/cdp/execute`: a DevTools command in the session's tab.
#[derive(Debug)]
struct Devtools {
    cmd: &'static str,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Devtools {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(json!({ "cmd": self.cmd, "params": self.params }).to_string()))
    }
}

/// An attribute that must be there.
pub async fn attr(element: &Element, attribute: &str) -> String {
    element
        .attr(attribute)
        .await
        .unwrap_or_else(|err| panic!("read attribute {attribute}: {err}"))
        .unwrap_or_else(|| panic!("the element has no attribute {attribute}"))
}

/// Visible text of an element.
pub async fn text(element: &Element) -> String {
    element.text().await.unwrap_or_else(|err| panic!("read an element's text: {err}"))
}

/// Clicks an element, failing the test if the browser refuses.
pub async fn click(element: &Element) {
    element.click().await.unwrap_or_else(|err| panic!("click: {err}"));
}
