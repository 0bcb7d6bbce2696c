//! [`Client`]: the facade an app (or `odf-field`) calls. Opening, who the user is, logging in and
//! syncing live here; recording is in [`crate::recording`], the read views in [`crate::views`].

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use odf_mobile_api::{FieldRulesDto, LoginRequest, LoginResponse, UserDto};
use sqlx::SqlitePool;
use uuid::Uuid;

use crate::error::{ClientError, Result};
use crate::http::parse_base;
use crate::lock::SyncLock;
use crate::retry::Sleeper;
use crate::secret::SessionToken;
use crate::store::outbox::{self, OutboxEntry, OutboxState};
use crate::store::{self, Key};
use crate::sync::{Engine, SyncEvent, SyncOptions, SyncReport};
use crate::transport::{Transport, TransportError};

/// One user's data on one device. Cheap to share by reference; every method is `&self`.
#[derive(Debug, Clone)]
pub struct Client {
    pool: SqlitePool,
    home: PathBuf,
    device_id: String,
}

impl Client {
    /// Opens the home folder (creating it and its database when missing). The device id is made
    /// once, on first open, and kept.
    pub async fn open(home: &Path) -> Result<Client> {
        let pool = store::open(home).await?;
        let device_id = match store::get(&pool, Key::DeviceId).await? {
            Some(id) => id,
            None => {
                let id = Uuid::now_v7().to_string();
                store::set(&pool, Key::DeviceId, &id).await?;
                id
            }
        };
        Ok(Client { pool, home: home.to_path_buf(), device_id })
    }

    /// Closes the database cleanly (checkpointing the WAL).
    pub async fn close(self) {
        self.pool.close().await;
    }

    pub fn home(&self) -> &Path {
        &self.home
    }

    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub async fn username(&self) -> Result<Option<String>> {
        store::get(&self.pool, Key::Username).await
    }

    pub async fn server_url(&self) -> Result<Option<String>> {
        store::get(&self.pool, Key::ServerUrl).await
    }

    /// The user as the server described them at the last login (scope and assigned villages).
    pub async fn user(&self) -> Result<Option<UserDto>> {
        store::get(&self.pool, Key::User)
            .await?
            .map(|text| serde_json::from_str(&text).map_err(ClientError::corrupt))
            .transpose()
    }

    /// The server's verification rules as last heard (at login and every sync), or the domain's
    /// defaults before the first login.
    pub async fn rules(&self) -> Result<FieldRulesDto> {
        Ok(self.user().await?.map(|u| u.rules).unwrap_or_default())
    }

    pub async fn token(&self) -> Result<Option<SessionToken>> {
        Ok(store::get(&self.pool, Key::Token).await?.map(SessionToken::new))
    }

    /// Binds this home to a server and a username without contacting the server, so a phone set up
    /// at the office (or a training session) can record before its first login. A home belongs to
    /// one user: another username is refused.
    pub async fn set_up(&self, server_url: &str, username: &str) -> Result<()> {
        let server = parse_base(server_url).map_err(|_| ClientError::BadServerUrl(server_url.to_owned()))?;
        let username = username.trim();
        if username.is_empty() {
            return Err(ClientError::NoUser);
        }
        self.check_same_user(username).await?;
        let mut tx = self.pool.begin().await?;
        if store::get(&mut *tx, Key::ServerUrl).await?.as_deref() != Some(server.as_str()) {
            // Another server numbers its changes differently: pull again from the start (pulled
            // records are upserts, so seeing them twice is harmless).
            store::delete(&mut *tx, Key::PullCursor).await?;
        }
        store::set(&mut *tx, Key::ServerUrl, server.as_str()).await?;
        store::set(&mut *tx, Key::Username, username).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn check_same_user(&self, username: &str) -> Result<()> {
        match self.username().await? {
            Some(existing) if existing != username => {
                Err(ClientError::OtherUser { existing, requested: username.to_owned() })
            }
            _ => Ok(()),
        }
    }

    /// `POST /v1/auth/login`; keeps the token (never printed), its expiry and the user's scope.
    /// One attempt: a person is waiting and can try again.
    ///
    /// Sessions left on the server: a login whose answer is lost ([`ClientError::LoginUnconfirmed`])
    /// may have opened a session whose token never reached this phone. Each login therefore carries
    /// an idempotency key, kept on the phone until a login of the same user on the same server
    /// succeeds: trying again sends the same key, and the server answers the session the lost
    /// answer carried instead of opening a second one (within its window of 15 minutes). Every
    /// session this phone did receive is accounted for: one it cannot keep (its local database
    /// failed) is revoked at once, and the session a new login replaces is revoked too, so a phone
    /// holds at most one.
    pub async fn login<T: Transport>(
        &self,
        transport: &T,
        server_url: &str,
        username: &str,
        password: &str,
    ) -> Result<UserDto> {
        self.check_same_user(username.trim()).await?;
        let key = self.login_key(server_url, username.trim()).await?;
        let request = LoginRequest {
            username: username.trim().to_owned(),
            password: password.to_owned(),
            idempotency_key: Some(key),
        };
        let response = transport.login(&request).await.map_err(|err| match err {
            // On login a 401 means wrong credentials, not an expired session.
            TransportError::Status { status: 401, .. } => ClientError::WrongCredentials,
            TransportError::Unsent(_) | TransportError::BadUrl(_) => {
                ClientError::LoginUnreachable { last: err.to_string() }
            }
            // The request went out; whether the server opened a session is unknown.
            TransportError::Network(_) | TransportError::BadResponse(_) => {
                ClientError::LoginUnconfirmed { last: err.to_string() }
            }
            other => other.into(),
        })?;
        let token = SessionToken::new(response.token.clone());
        let previous = self.token().await.ok().flatten();
        if let Err(err) = self.keep_session(server_url, &response).await {
            if let Err(revoke) = transport.logout(&token).await {
                tracing::warn!(%revoke, "could not revoke a session this phone cannot keep");
            }
            return Err(err);
        }
        if let Some(previous) = previous.filter(|old| old.expose() != token.expose()) {
            // Best effort: an expired or already revoked session answers 401, which is fine.
            if let Err(err) = transport.logout(&previous).await {
                tracing::info!(%err, "could not revoke the session this login replaces");
            }
        }
        Ok(response.user)
    }

    /// The idempotency key of a login by `username` on `server_url`: the one of the attempt that
    /// has not succeeded yet (its answer may have been lost), or a new random one, kept before the
    /// login is sent.
    async fn login_key(&self, server_url: &str, username: &str) -> Result<Uuid> {
        let attempt = LoginAttempt {
            server_url: server_url.to_owned(),
            username: username.to_owned(),
            key: Uuid::nil(),
        };
        if let Some(text) = store::get(&self.pool, Key::LoginAttempt).await?
            && let Ok(earlier) = serde_json::from_str::<LoginAttempt>(&text)
            && earlier.server_url == attempt.server_url
            && earlier.username == attempt.username
        {
            return Ok(earlier.key);
        }
        let attempt = LoginAttempt { key: Uuid::new_v4(), ..attempt };
        let text = serde_json::to_string(&attempt).map_err(ClientError::corrupt)?;
        store::set(&self.pool, Key::LoginAttempt, &text).await?;
        Ok(attempt.key)
    }

    async fn keep_session(&self, server_url: &str, response: &LoginResponse) -> Result<()> {
        self.set_up(server_url, &response.user.username).await?;
        let user_json = serde_json::to_string(&response.user).map_err(ClientError::corrupt)?;
        let mut tx = self.pool.begin().await?;
        store::set(&mut *tx, Key::Token, &response.token).await?;
        store::set(&mut *tx, Key::TokenExpiresAt, &response.expires_at.to_rfc3339()).await?;
        store::set(&mut *tx, Key::User, &user_json).await?;
        // This login is done: the next one is a new attempt with a new key.
        store::delete(&mut *tx, Key::LoginAttempt).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forgets the session token on this phone (records and outbox stay).
    pub async fn logout(&self) -> Result<()> {
        store::delete(&self.pool, Key::Token).await?;
        store::delete(&self.pool, Key::TokenExpiresAt).await
    }

    /// Revokes the session on the server, then forgets it here. Offline (or with a server that
    /// no longer knows the session) it is still forgotten here; `Ok(false)` says the server did not
    /// confirm the revocation (the session then ends at its expiry).
    pub async fn logout_from_server<T: Transport>(&self, transport: &T) -> Result<bool> {
        let revoked = match self.token().await? {
            Some(token) => match transport.logout(&token).await {
                Ok(()) => true,
                Err(err) => {
                    tracing::info!(%err, "could not revoke the session on the server");
                    err.is_unauthenticated()
                }
            },
            None => true,
        };
        self.logout().await?;
        Ok(revoked)
    }

    pub async fn token_expires_at(&self) -> Result<Option<DateTime<Utc>>> {
        store::get_parsed(&self.pool, Key::TokenExpiresAt).await
    }

    /// Outbox entries in one state (or all), oldest first.
    pub async fn outbox(&self, state: Option<OutboxState>) -> Result<Vec<OutboxEntry>> {
        outbox::list(&self.pool, state).await
    }

    /// Sends a conflict or rejected record again at the next push (after its cause was fixed).
    pub async fn requeue(&self, record_id: Uuid) -> Result<()> {
        outbox::requeue(&self.pool, record_id).await
    }

    /// One sync at a time per home: waits for (or, without `wait_for_other_sync`, refuses beside)
    /// a sync that holds the lock.
    async fn sync_lock(
        &self,
        options: &SyncOptions,
        progress: &mut (dyn FnMut(&SyncEvent) + Send),
    ) -> Result<SyncLock> {
        if let Some(lock) = SyncLock::try_acquire(&self.home)? {
            return Ok(lock);
        }
        if !options.wait_for_other_sync {
            return Err(ClientError::SyncRunning);
        }
        progress(&SyncEvent::WaitingForOtherSync);
        SyncLock::wait(&self.home).await
    }

    /// A network failure tells how many records went out without an answer.
    async fn told_truthfully<R>(&self, result: Result<R>) -> Result<R> {
        match result {
            Err(ClientError::Unreachable { attempts, last, .. }) => {
                let (_, sent_not_confirmed) = outbox::waiting_counts(&self.pool).await?;
                Err(ClientError::Unreachable { attempts, last, sent_not_confirmed })
            }
            other => other,
        }
    }

    async fn engine<'a, T: Transport, S: Sleeper>(
        &'a self,
        transport: &'a T,
        sleeper: &'a S,
        options: &'a SyncOptions,
        progress: &'a mut (dyn FnMut(&SyncEvent) + Send),
    ) -> Result<Engine<'a, T, S>> {
        let token = self.token().await?.ok_or(ClientError::NotLoggedIn)?;
        Ok(Engine::new(
            (&self.pool, &self.home),
            transport,
            sleeper,
            options,
            &self.device_id,
            token,
            progress,
        ))
    }

    /// Pushes the outbox until nothing is pending (conflict and rejected entries stay).
    pub async fn push<T: Transport, S: Sleeper>(
        &self,
        transport: &T,
        sleeper: &S,
        options: &SyncOptions,
        progress: &mut (dyn FnMut(&SyncEvent) + Send),
    ) -> Result<SyncReport> {
        let _lock = self.sync_lock(options, progress).await?;
        let mut engine = self.engine(transport, sleeper, options, progress).await?;
        let pushed = engine.push().await;
        self.told_truthfully(pushed).await?;
        Ok(engine.finish())
    }

    /// Pulls changes after the saved cursor until the server has no more.
    pub async fn pull<T: Transport, S: Sleeper>(
        &self,
        transport: &T,
        sleeper: &S,
        options: &SyncOptions,
        progress: &mut (dyn FnMut(&SyncEvent) + Send),
    ) -> Result<SyncReport> {
        let _lock = self.sync_lock(options, progress).await?;
        let mut engine = self.engine(transport, sleeper, options, progress).await?;
        engine.pull().await?;
        Ok(engine.finish())
    }

    /// Push, then pull, then the photos: own ones up (resuming cut uploads), a verifier's sample's
    /// down. Safe to interrupt anywhere and run again.
    pub async fn sync<T: Transport, S: Sleeper>(
        &self,
        transport: &T,
        sleeper: &S,
        options: &SyncOptions,
        progress: &mut (dyn FnMut(&SyncEvent) + Send),
    ) -> Result<SyncReport> {
        let _lock = self.sync_lock(options, progress).await?;
        let mut engine = self.engine(transport, sleeper, options, progress).await?;
        let pushed = engine.push().await;
        self.told_truthfully(pushed).await?;
        engine.pull().await?;
        // Photos after the records, which matter more and are smaller: a slow link that gives out
        // during a photo has already carried every record both ways.
        engine.upload_photos().await?;
        let wanted = self.sample_photos_missing().await?;
        engine.pull_photos(&wanted).await?;
        store::set(&self.pool, Key::LastSyncAt, &Utc::now().to_rfc3339()).await?;
        Ok(engine.finish())
    }
}

/// A login not yet answered successfully ([`Key::LoginAttempt`]).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct LoginAttempt {
    server_url: String,
    username: String,
    key: Uuid,
}
