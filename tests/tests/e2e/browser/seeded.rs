//! The demo's seeded database for the browser tests: `odf_server::demo::seed` (places, boundaries, the demo
//! accounts) and the demo's field campaign (seed 7, the same figures every run) on a throw-away
//! SQLite database, served on `127.0.0.1:0`; and an API client to read the figures the pages must
//! show.
//!
//! SQLite only: the pages read the store through the same roll-up as the API, whose figures are
//! already tested equal on both databases (`demo_campaign`, the API suites).

use odf_server::demo::{CampaignOptions, DEMO_PASSWORD, run_campaign, seed};
use odf_server::{AppState, ServerConfig};
use odf_store::Backend;
use odf_store::testing;
use serde_json::{Value, json};

/// The demo's viewer of province 74 (a dashboard account: aggregates only).
pub const VIEWER: &str = "dasbor";
/// The demo's admin of province 74.
pub const ADMIN: &str = "admin";
pub const PASSWORD: &str = DEMO_PASSWORD;

/// The demo's sanitarian of a kecamatan: `san` and the kecamatan code without dots.
pub fn sanitarian_of(kecamatan: &str) -> String {
    format!("san{}", kecamatan.replace('.', ""))
}

/// A served demo database.
#[derive(Debug, Clone)]
pub struct Demo {
    pub url: String,
}

/// Runs `test` against a server over the demo's seeded and campaigned SQLite database; the
/// server stops and the database is removed afterwards, also when `test` panics.
pub async fn with_demo<F, Fut>(test: F)
where
    F: FnOnce(Demo) -> Fut,
    Fut: Future<Output = ()>,
{
    testing::run_as("browser", Backend::Sqlite, |store, _raw| async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let url = format!("http://{}", listener.local_addr().expect("the listener's address"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let config = ServerConfig { public_url: url.clone(), ..ServerConfig::default() };
        let state = AppState::new(store.clone(), config);
        let server = tokio::spawn(odf_server::serve(listener, state, async {
            let _ = stopped.await;
        }));
        seed(&store).await.expect("seed the demo places and accounts");
        let phones = tempfile::tempdir().expect("a folder for the demo's phones");
        run_campaign(&store, &url, phones.path(), CampaignOptions { seed: 7, scale: 1 })
            .await
            .expect("the demo's campaign");
        test(Demo { url }).await;
        let _ = stop.send(());
        server.await.expect("server task").expect("server");
    })
    .await;
}

/// The API as a signed-in account sees it.
#[derive(Debug, Clone)]
pub struct Api {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl Api {
    pub async fn sign_in(base: &str, username: &str) -> Api {
        let http = reqwest::Client::new();
        let response = http
            .post(format!("{base}/v1/auth/login"))
            .json(&json!({ "username": username, "password": PASSWORD }))
            .send()
            .await
            .expect("POST /v1/auth/login");
        assert!(response.status().is_success(), "login {username}: {}", response.status());
        let body: Value = response.json().await.expect("the login answer");
        let token = body["token"].as_str().expect("a token").to_owned();
        Api { base: base.to_owned(), token, http }
    }

    /// `GET {path}` as JSON, which must answer 200.
    pub async fn get(&self, path: &str) -> Value {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap_or_else(|err| panic!("GET {path}: {err}"));
        assert!(response.status().is_success(), "GET {path}: {}", response.status());
        response.json().await.unwrap_or_else(|err| panic!("GET {path}: not JSON: {err}"))
    }

    /// `/v1/coverage/{area}`, optionally at a day.
    pub async fn coverage(&self, area: &str, as_of: Option<&str>) -> Coverage {
        let query = as_of.map(|day| format!("?as_of={day}")).unwrap_or_default();
        Coverage(self.get(&format!("/v1/coverage/{area}{query}")).await)
    }
}

/// One `/v1/coverage/{area}` answer.
#[derive(Debug, Clone)]
pub struct Coverage(pub Value);

/// A numerator and denominator of one measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fraction {
    pub numerator: i64,
    pub denominator: i64,
}

impl Coverage {
    /// The day the figures are for (`YYYY-MM-DD`).
    pub fn date(&self) -> String {
        self.0["date"].as_str().expect("date").to_owned()
    }

    /// `kk_akses` or `desa_sbs` of the area itself.
    pub fn area(&self, measure: &str) -> Fraction {
        fraction(&self.0["area"][measure])
    }

    /// The children's codes, in the API's order.
    pub fn child_codes(&self) -> Vec<String> {
        self.children()
            .iter()
            .map(|child| child["code"].as_str().expect("a child's code").to_owned())
            .collect()
    }

    pub fn children(&self) -> Vec<Value> {
        self.0["children"].as_array().expect("children").clone()
    }

    /// A child's `measure`.
    pub fn child(&self, code: &str, measure: &str) -> Fraction {
        let child = self.children().into_iter().find(|c| c["code"] == json!(code));
        fraction(&child.unwrap_or_else(|| panic!("no child {code}"))[measure])
    }
}

fn fraction(figure: &Value) -> Fraction {
    Fraction {
        numerator: figure["numerator"].as_i64().expect("numerator"),
        denominator: figure["denominator"].as_i64().expect("denominator"),
    }
}
