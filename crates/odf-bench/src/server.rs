//! The real server in this process on 127.0.0.1:0, with accounts for the simulated phones and
//! dashboards, reached over loopback HTTP exactly as phones reach it.

use odf_domain::{AreaRef, Role};
use odf_mobile_api::sync::PushResponse;
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
        area: impl Into<AreaRef>,
    ) -> BenchResult<String> {
        add_account(store, username, role, area, vec![]).await?;
        login(&self.http, &self.base, username).await
    }

    pub async fn stop(self) -> BenchResult {
        let _ = self.shutdown.send(());
        self.task.await??;
        Ok(())
    }
}

/// Creates `username` (role, area, assigned villages) in the store, with the bench's password.
pub async fn add_account(
    store: &AnyStore,
    username: &str,
    role: Role,
    area: impl Into<AreaRef>,
    villages: Vec<odf_domain::AreaCode>,
) -> BenchResult {
    let spec = UserSpec {
        username: username.to_owned(),
        display_name: None,
        role,
        area: area.into(),
        villages,
        password: PASSWORD.to_owned(),
    };
    commands::add_user(store, spec, "bench").await?;
    Ok(())
}

/// Signs `username` in at the server at `base` (in this process or not) and returns its token.
pub async fn login(http: &reqwest::Client, base: &str, username: &str) -> BenchResult<String> {
    let response = http
        .post(format!("{base}/v1/auth/login"))
        .json(&json!({ "username": username, "password": PASSWORD }))
        .send()
        .await?
        .error_for_status()?;
    let body: Value = response.json().await?;
    Ok(body["token"].as_str().ok_or("login answered no token")?.to_owned())
}

/// Sends one push body (gzipped JSON, as `data::push_body` makes it) to the server at `base` as
/// the phone signed in with `token`, and returns the server's answer: the one HTTP push of the
/// ingest and memory parts.
pub async fn push(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    body: Vec<u8>,
) -> BenchResult<PushResponse> {
    let answer = http
        .post(format!("{base}/v1/sync/push"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .header("content-encoding", "gzip")
        .body(body)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    Ok(answer)
}

/// The bench's password, for a phone (`odf-client`) that signs in itself.
pub fn password() -> &'static str {
    PASSWORD
}
