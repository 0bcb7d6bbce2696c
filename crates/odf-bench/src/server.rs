//! The real server in this process on 127.0.0.1:0, with accounts for the simulated phones and
//! dashboards, reached over loopback HTTP exactly as phones reach it.

use odf_domain::{AreaCode, Role};
use odf_server::commands::{self, UserSpec};
use odf_server::{AppState, ServerConfig};
use odf_store::AnyStore;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::BenchResult;

const PASSWORD: &str = "bench-rahasia-123";

#[derive(Debug)]
pub struct Server {
    pub base: String,
    pub http: reqwest::Client,
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    pub async fn spawn(store: &AnyStore) -> BenchResult<Server> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (shutdown, stop) = oneshot::channel::<()>();
        let state = AppState::new(store.clone(), ServerConfig::default());
        let task = tokio::spawn(odf_server::serve(listener, state, async {
            let _ = stop.await;
        }));
        Ok(Server { base, http: reqwest::Client::new(), shutdown, task })
    }

    /// Creates `username` (role, area) and returns a bearer token for it.
    pub async fn account(
        &self,
        store: &AnyStore,
        username: &str,
        role: Role,
        area: AreaCode,
    ) -> BenchResult<String> {
        let spec = UserSpec {
            username: username.to_owned(),
            display_name: None,
            role,
            area: area.into(),
            villages: vec![],
            password: PASSWORD.to_owned(),
        };
        commands::add_user(store, spec, "bench").await?;
        let response = self
            .http
            .post(format!("{}/v1/auth/login", self.base))
            .json(&json!({ "username": username, "password": PASSWORD }))
            .send()
            .await?
            .error_for_status()?;
        let body: Value = response.json().await?;
        Ok(body["token"].as_str().ok_or("login answered no token")?.to_owned())
    }

    pub async fn stop(self) -> BenchResult {
        let _ = self.shutdown.send(());
        self.task.await??;
        Ok(())
    }
}
