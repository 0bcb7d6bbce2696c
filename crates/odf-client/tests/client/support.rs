//! A fake server behind the `Transport` trait: idempotent by record id like the real one, with a
//! change feed, scripted failures and a settable clock. Everything is in memory and synchronous
//! inside, so tests are deterministic and never sleep.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::Mutex;

use chrono::{Duration, Utc};
use odf_client::{
    Client, HouseholdDraft, NoSleep, RetryPolicy, Saved, SessionToken, SyncOptions, Transport,
    TransportError, VisitDraft,
};
use odf_mobile_api::{
    ChangeDto, ErrorDetail, LoginRequest, LoginResponse, PullResponse, PushRequest, PushResponse,
    RecordKindDto, RecordResult, RecordStatus, UserDto,
};
use uuid::Uuid;

pub const VILLAGE: &str = "74.04.81.2001";
pub const TOKEN: &str = "token-for-sani";

/// When a scripted failure strikes.
#[derive(Debug, Clone)]
pub enum Failure {
    /// This call goes through (to script a failure on a later call).
    Pass,
    /// The request never reaches the server.
    Before(TransportError),
    /// The server does the work, then the answer is lost (a connection cut mid-response).
    AfterCommit,
}

#[derive(Debug, Default)]
pub struct State {
    pub households: HashMap<Uuid, serde_json::Value>,
    pub visits: HashMap<Uuid, serde_json::Value>,
    pub actions: HashMap<Uuid, serde_json::Value>,
    /// The role `login` and `GET /v1/me` give (sanitarian when unset).
    pub role: Option<String>,
    pub feed: Vec<ChangeDto>,
    pub pushes: Vec<PushRequest>,
    pub pulls: Vec<(i64, u32)>,
    pub push_failures: VecDeque<Failure>,
    pub pull_failures: VecDeque<Failure>,
    /// Ids the server refuses, with the code it gives.
    pub refuse: HashMap<Uuid, String>,
    /// Fail every n-th call of any kind (0: never).
    pub fail_every: usize,
    pub calls: usize,
    pub clock_offset: Duration,
    /// Villages assigned after the login, seen by `GET /v1/me`.
    pub new_villages: Vec<String>,
    /// Most records accepted in one push before answering 413.
    pub max_records: usize,
    /// Sessions revoked by `POST /v1/auth/logout`.
    pub logouts: usize,
    /// The idempotency key of every login that reached the server, in order.
    pub login_keys: Vec<Option<Uuid>>,
    pub login_failures: VecDeque<Failure>,
}

#[derive(Debug)]
pub struct FakeServer {
    pub state: Mutex<State>,
}

impl Default for FakeServer {
    fn default() -> Self {
        FakeServer { state: Mutex::new(State { max_records: usize::MAX, ..State::default() }) }
    }
}

pub fn network(text: &str) -> TransportError {
    TransportError::Network(text.to_owned())
}

pub fn status(status: u16, code: &str) -> TransportError {
    TransportError::Status {
        status,
        error: Some(ErrorDetail { code: code.to_owned(), message: format!("{code} message"), field: None }),
        retry_after: None,
    }
}

impl FakeServer {
    pub fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    /// Appends a change to the feed, as another phone or an admin would cause.
    pub fn publish(&self, kind: &str, id: &str, data: serde_json::Value) {
        self.with(|s| {
            let seq = s.feed.len() as i64 + 1;
            s.feed.push(ChangeDto {
                seq,
                kind: kind.to_owned(),
                id: id.to_owned(),
                area: VILLAGE.to_owned(),
                at: Utc::now(),
                data,
            });
        });
    }

    fn check_token(token: &SessionToken) -> Result<(), TransportError> {
        if token.expose() == TOKEN { Ok(()) } else { Err(status(401, "unauthenticated")) }
    }

    fn scripted(state: &mut State, push: bool) -> Option<Failure> {
        state.calls += 1;
        if state.fail_every > 0 && state.calls.is_multiple_of(state.fail_every) {
            return Some(Failure::Before(network("connection reset by proxy")));
        }
        if push { state.push_failures.pop_front() } else { state.pull_failures.pop_front() }
    }

    fn store(state: &mut State, kind: RecordKindDto, id: Uuid, value: serde_json::Value) -> RecordResult {
        let refused = state.refuse.get(&id).cloned();
        let result = |status, code: Option<String>| RecordResult {
            kind,
            id,
            status,
            message: code.as_ref().map(|c| format!("ditolak: {c}")),
            code,
            field: None,
            flags: Vec::new(),
            revision: None,
            conflict_id: None,
        };
        if let Some(code) = refused {
            return result(RecordStatus::Rejected, Some(code));
        }
        if kind == RecordKindDto::Visit {
            let household = value["household_id"].as_str().and_then(|h| Uuid::parse_str(h).ok());
            if !household.is_some_and(|h| state.households.contains_key(&h)) {
                return result(RecordStatus::Rejected, Some("unknown_household".to_owned()));
            }
        }
        let table = match kind {
            RecordKindDto::Household => &mut state.households,
            RecordKindDto::VillageAction => &mut state.actions,
            _ => &mut state.visits,
        };
        match table.get(&id) {
            Some(stored) if *stored == value => result(RecordStatus::Duplicate, None),
            Some(_) => result(RecordStatus::Conflict, Some("conflict".to_owned())),
            None => {
                table.insert(id, value);
                result(RecordStatus::Accepted, None)
            }
        }
    }
}

impl Transport for FakeServer {
    async fn login(&self, request: &LoginRequest) -> Result<LoginResponse, TransportError> {
        match self.with(|s| s.login_failures.pop_front()) {
            Some(Failure::Before(err)) => return Err(err),
            Some(Failure::AfterCommit) => {
                self.with(|s| s.login_keys.push(request.idempotency_key));
                return Err(network("connection cut mid-response"));
            }
            Some(Failure::Pass) | None => {}
        }
        self.with(|s| s.login_keys.push(request.idempotency_key));
        if request.password != "rahasia" {
            return Err(status(401, "invalid_credentials"));
        }
        Ok(LoginResponse {
            token: TOKEN.to_owned(),
            expires_at: Utc::now() + Duration::days(30),
            user: self.with(|s| with_role(user(&request.username), s.role.as_deref())),
        })
    }

    async fn me(&self, token: &SessionToken) -> Result<UserDto, TransportError> {
        Self::check_token(token)?;
        let mut user = self.with(|s| with_role(user("sani"), s.role.as_deref()));
        user.villages.extend(self.with(|s| s.new_villages.clone()));
        Ok(user)
    }

    async fn logout(&self, token: &SessionToken) -> Result<(), TransportError> {
        Self::check_token(token)?;
        self.with(|s| s.logouts += 1);
        Ok(())
    }

    async fn push(
        &self,
        token: &SessionToken,
        request: &PushRequest,
    ) -> Result<PushResponse, TransportError> {
        Self::check_token(token)?;
        self.with(|s| {
            let failure = Self::scripted(s, true);
            if let Some(Failure::Before(err)) = failure {
                return Err(err);
            }
            if request.households.len() + request.visits.len() + request.village_actions.len() > s.max_records
            {
                return Err(status(413, "too_many_records"));
            }
            s.pushes.push(request.clone());
            let mut results = Vec::new();
            for h in &request.households {
                let value = serde_json::to_value(h).unwrap();
                results.push(Self::store(s, RecordKindDto::Household, h.id, value));
            }
            for v in &request.visits {
                let value = serde_json::to_value(v).unwrap();
                results.push(Self::store(s, RecordKindDto::Visit, v.id, value));
            }
            for a in &request.village_actions {
                let value = serde_json::to_value(a).unwrap();
                results.push(Self::store(s, RecordKindDto::VillageAction, a.id, value));
            }
            if let Some(Failure::AfterCommit) = failure {
                return Err(network("connection closed before the answer"));
            }
            Ok(PushResponse { results, server_time: Utc::now() + s.clock_offset })
        })
    }

    async fn pull(
        &self,
        token: &SessionToken,
        cursor: i64,
        limit: u32,
    ) -> Result<PullResponse, TransportError> {
        Self::check_token(token)?;
        self.with(|s| {
            let failure = Self::scripted(s, false);
            if let Some(Failure::Before(err)) = failure {
                return Err(err);
            }
            s.pulls.push((cursor, limit));
            let after: Vec<ChangeDto> = s.feed.iter().filter(|c| c.seq > cursor).cloned().collect();
            let page: Vec<ChangeDto> = after.iter().take(limit as usize).cloned().collect();
            let has_more = after.len() > page.len();
            let next_cursor = page.last().map_or(cursor, |c| c.seq);
            if let Some(Failure::AfterCommit) = failure {
                return Err(network("connection closed mid-page"));
            }
            Ok(PullResponse {
                changes: page,
                next_cursor,
                has_more,
                server_time: Utc::now() + s.clock_offset,
            })
        })
    }
}

pub fn user(username: &str) -> UserDto {
    UserDto {
        username: username.to_owned(),
        display_name: "Sani Tarian".to_owned(),
        role: "sanitarian".to_owned(),
        area: "74.04.81".to_owned(),
        villages: vec![VILLAGE.to_owned(), "74.04.81.2002".to_owned()],
        rules: odf_mobile_api::FieldRulesDto::default(),
    }
}

/// A verifier works in the whole kecamatan, with no village list.
fn with_role(mut user: UserDto, role: Option<&str>) -> UserDto {
    if let Some(role) = role {
        user.role = role.to_owned();
        if role == "verifier" {
            user.villages.clear();
        }
    }
    user
}

/// Options that never wait and retry a little.
pub fn options(batch_size: usize) -> SyncOptions {
    SyncOptions {
        batch_size,
        pull_limit: 2,
        retry: RetryPolicy { max_attempts: 4, ..RetryPolicy::default() },
        ..SyncOptions::default()
    }
}

/// A client in `home`, logged in to the fake server as `sani`.
pub async fn logged_in(home: &Path, server: &FakeServer) -> Client {
    let client = Client::open(home).await.unwrap();
    client.login(server, "http://fake.invalid", "sani", "rahasia").await.unwrap();
    client
}

pub async fn add_household(client: &Client, head: &str) -> Uuid {
    let draft = HouseholdDraft {
        village: VILLAGE.to_owned(),
        head_name: head.to_owned(),
        kk_count: 1,
        ..HouseholdDraft::default()
    };
    match client.register_household(draft, false).await.unwrap() {
        Saved::Saved { record, .. } => record.id,
        other => panic!("not saved: {other:?}"),
    }
}

pub async fn add_visit(client: &Client, household: Uuid, category: &str) -> Uuid {
    let draft =
        VisitDraft { household_id: household, category: category.to_owned(), ..VisitDraft::default() };
    match client.record_visit(draft, false).await.unwrap() {
        Saved::Saved { record, .. } => record.id,
        other => panic!("not saved: {other:?}"),
    }
}

/// Runs a sync that never sleeps, collecting its progress events.
pub async fn sync(
    client: &Client,
    server: &FakeServer,
    options: &SyncOptions,
) -> (Result<odf_client::SyncReport, odf_client::ClientError>, Vec<odf_client::SyncEvent>) {
    let mut events = Vec::new();
    let result = client.sync(server, &NoSleep::default(), options, &mut |e| events.push(e.clone())).await;
    (result, events)
}
