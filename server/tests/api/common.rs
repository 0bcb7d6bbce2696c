//! A real server on 127.0.0.1:0 over a fresh database with the demo places, their boundaries and a
//! set of users, driven over HTTP with reqwest. No sleeps: the listener is bound before the server
//! task starts, so the first request already finds it.

use std::future::Future;
use std::sync::Arc;

use odf_domain::{AreaCode, Role};
use odf_server::commands::{self, UserSpec};
use odf_server::{AppState, ServerConfig};
use odf_store::AnyStore;
use odf_store::{Backend, testing};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub const PASSWORD: &str = "rahasia-123";
pub const VILLAGE_A: &str = "74.04.81.2001";
pub const VILLAGE_B: &str = "74.04.81.2002";
/// In the same kecamatan as A and B but not assigned to `san_a`.
pub const VILLAGE_UNASSIGNED: &str = "74.04.81.2003";
pub const KELURAHAN: &str = "74.71.81.1001";
/// Every item of the visit checklist, for visits that answer yes to all.
pub const ALL_YES: [&str; 7] = [
    "closed_toilet",
    "safe_from_well",
    "strong_slab",
    "child_faeces_safe",
    "all_members_use",
    "water_and_soap",
    "no_faeces_around",
];

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub store: AnyStore,
    /// The database's URL, for tests that tamper with stored data behind the server's back.
    pub db_url: String,
    /// The settings the server runs with.
    pub config: ServerConfig,
    /// The server's state, for tests that hold its limits (e.g. the password-check permits).
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    server: JoinHandle<std::io::Result<()>>,
}

fn code(text: &str) -> AreaCode {
    AreaCode::parse(text).unwrap()
}

async fn seed(store: &AnyStore) {
    commands::import_areas_csv(store, odf_fixtures::WILAYAH_CSV_FILE, "test").await.unwrap();
    commands::import_boundaries_geojson(store, odf_fixtures::BOUNDARIES_GEOJSON_FILE, "test").await.unwrap();
    let users = [
        ("admin", Role::Admin, "74", vec![]),
        ("san_a", Role::Sanitarian, "74.04.81", vec![code(VILLAGE_A), code(VILLAGE_B)]),
        ("san_k", Role::Sanitarian, "74.71.81", vec![]),
        ("ver", Role::Verifier, "74.04.81", vec![]),
        // The rest of a verification team for 74.04.81, and a verifier of the next kecamatan.
        ("ver2", Role::Verifier, "74.04.81", vec![]),
        ("ver3", Role::Verifier, "74.04.81", vec![]),
        ("ver_luar", Role::Verifier, "74.04.82", vec![]),
        ("viewer", Role::Viewer, "74", vec![]),
        ("viewer_buton", Role::Viewer, "74.04", vec![]),
        ("off", Role::Sanitarian, "74.04.81", vec![]),
    ];
    for (username, role, area, villages) in users {
        let spec = UserSpec {
            username: username.to_owned(),
            display_name: None,
            role,
            area: code(area).into(),
            villages,
            password: PASSWORD.to_owned(),
        };
        commands::add_user(store, spec, "test").await.unwrap();
    }
    commands::set_disabled(store, "off", true, "test").await.unwrap();
}

impl TestApp {
    pub async fn spawn(store: AnyStore, config: ServerConfig) -> TestApp {
        seed(&store).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = oneshot::channel::<()>();
        let state = AppState::new(store.clone(), config.clone());
        let server = tokio::spawn(odf_server::serve(listener, state.clone(), async {
            let _ = rx.await;
        }));
        TestApp {
            base,
            http: reqwest::Client::new(),
            store,
            db_url: String::new(),
            config,
            state,
            shutdown: Some(tx),
            server,
        }
    }

    /// Runs raw SQL on the database, outside the server.
    pub async fn raw_sql(&self, sql: &str) {
        testing::execute_raw(&self.db_url, sql).await.unwrap();
    }

    /// PUTs JSON with a bearer token; returns status and JSON body.
    pub async fn put(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        let response = self.http.put(self.url(path)).bearer_auth(token).json(body).send().await.unwrap();
        split(response).await
    }

    /// GETs without a token.
    pub async fn get_public(&self, path: &str) -> (u16, Value) {
        split(self.http.get(self.url(path)).send().await.unwrap()).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn login(&self, username: &str) -> String {
        let response = self
            .http
            .post(self.url("/v1/auth/login"))
            .json(&serde_json::json!({ "username": username, "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "login {username}");
        let body: Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    /// POSTs JSON with a bearer token; returns status and JSON body (Null when empty).
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        let response = self.http.post(self.url(path)).bearer_auth(token).json(body).send().await.unwrap();
        split(response).await
    }

    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let response = self.http.get(self.url(path)).bearer_auth(token).send().await.unwrap();
        split(response).await
    }

    async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.server.await.unwrap().unwrap();
    }
}

pub async fn split(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}

/// Runs `test` against a fresh seeded server on `backend`, through the one harness for both databases
/// (`odf_store::testing::run_as`: fresh database, dropped even when the test panics, `SKIPPED` for
/// PostgreSQL without `ODF_TEST_POSTGRES_URL`).
pub async fn run<F, Fut>(backend: Backend, config: ServerConfig, test: F)
where
    F: FnOnce(Arc<TestApp>) -> Fut,
    Fut: Future<Output = ()>,
{
    testing::run_as("API", backend, |store, raw| async move {
        let mut app = TestApp::spawn(store, config).await;
        app.db_url = raw.url().to_owned();
        let app = Arc::new(app);
        test(app.clone()).await;
        if let Ok(app) = Arc::try_unwrap(app) {
            app.stop().await;
        }
    })
    .await;
}

/// Declares each listed `async fn name(app: Arc<TestApp>)` of each module as a test on both
/// backends, `sqlite::name` and `postgres::name`, with the module's server configuration.
macro_rules! api_tests {
    ($($module:ident ($config:expr) { $($name:ident),* $(,)? })*) => {
        mod sqlite {
            $($(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::common::run(odf_store::Backend::Sqlite, $config, super::$module::$name).await;
                }
            )*)*
        }
        mod postgres {
            $($(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::common::run(odf_store::Backend::Postgres, $config, super::$module::$name).await;
                }
            )*)*
        }
    };
}
