//! Opening the local database and the small key/value settings beside the records.
//!
//! Durability: WAL journal with `synchronous=FULL`, so a saved record survives the phone losing
//! power the instant the call returns (WAL with NORMAL may lose the last transactions on power loss).

pub mod outbox;
pub mod photos;
pub(crate) mod pulled;
pub mod records;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Executor, Sqlite, SqlitePool, Transaction};

use crate::error::{ClientError, Result};

/// A write transaction on the phone's database (records and their outbox entries commit together).
pub(crate) type Tx<'c> = Transaction<'c, Sqlite>;

/// File name of the database inside the home folder.
pub const DB_FILE: &str = "odf-client.sqlite";

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Opens (creating when missing) the database in `home` and brings its schema up to date.
pub async fn open(home: &Path) -> Result<SqlitePool> {
    let fresh = !home.exists();
    std::fs::create_dir_all(home)
        .map_err(|source| ClientError::Home { path: home.display().to_string(), source })?;
    // The database holds the session token: a folder we create is readable by its owner only. A
    // folder the user chose that already exists keeps its permissions.
    #[cfg(unix)]
    if fresh {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(home, std::fs::Permissions::from_mode(0o700))
            .map_err(|source| ClientError::Home { path: home.display().to_string(), source })?;
    }
    #[cfg(not(unix))]
    let _ = fresh;
    let options = SqliteConnectOptions::new()
        .filename(home.join(DB_FILE))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    // A phone app has one user at a time; a few connections let a read run beside a sync.
    let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
    MIGRATOR.run(&pool).await?;
    Ok(pool)
}

/// Keys of the settings table. Kept in one place so a typo cannot create a second key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    DeviceId,
    ServerUrl,
    Username,
    /// The `UserDto` of the last login, as JSON.
    User,
    Token,
    TokenExpiresAt,
    PullCursor,
    LastPushAt,
    LastPullAt,
    LastSyncAt,
    /// Server time minus phone time at the last response, in milliseconds.
    ClockOffsetMs,
    ClockCheckedAt,
    /// The login being tried, until one succeeds: server, username and idempotency key as JSON, so
    /// that a login tried again after a lost answer sends the same key (see `Client::login`).
    LoginAttempt,
}

impl Key {
    pub fn as_str(self) -> &'static str {
        match self {
            Key::DeviceId => "device_id",
            Key::ServerUrl => "server_url",
            Key::Username => "username",
            Key::User => "user",
            Key::Token => "token",
            Key::TokenExpiresAt => "token_expires_at",
            Key::PullCursor => "pull_cursor",
            Key::LastPushAt => "last_push_at",
            Key::LastPullAt => "last_pull_at",
            Key::LastSyncAt => "last_sync_at",
            Key::ClockOffsetMs => "clock_offset_ms",
            Key::ClockCheckedAt => "clock_checked_at",
            Key::LoginAttempt => "login_attempt",
        }
    }
}

pub async fn get<'e, E>(db: E, key: Key) -> Result<Option<String>>
where
    E: Executor<'e, Database = Sqlite>,
{
    let value = sqlx::query_scalar::<_, String>("SELECT value FROM settings WHERE key = $1")
        .bind(key.as_str())
        .fetch_optional(db)
        .await?;
    Ok(value)
}

/// Reads and parses a setting; a value that does not parse is corrupt local data, not a panic.
pub async fn get_parsed<'e, E, T>(db: E, key: Key) -> Result<Option<T>>
where
    E: Executor<'e, Database = Sqlite>,
    T: FromStr,
    T::Err: std::fmt::Display,
{
    get(db, key)
        .await?
        .map(|text| text.parse::<T>().map_err(|err| ClientError::corrupt(format!("{}: {err}", key.as_str()))))
        .transpose()
}

pub async fn set<'e, E>(db: E, key: Key, value: &str) -> Result<()>
where
    E: Executor<'e, Database = Sqlite>,
{
    sqlx::query(
        "INSERT INTO settings (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key.as_str())
    .bind(value)
    .execute(db)
    .await?;
    Ok(())
}

pub async fn delete<'e, E>(db: E, key: Key) -> Result<()>
where
    E: Executor<'e, Database = Sqlite>,
{
    sqlx::query("DELETE FROM settings WHERE key = $1").bind(key.as_str()).execute(db).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn settings_survive_reopening_the_database() {
        let home = tempfile::tempdir().unwrap();
        let pool = open(home.path()).await.unwrap();
        set(&pool, Key::PullCursor, "42").await.unwrap();
        set(&pool, Key::PullCursor, "43").await.unwrap();
        pool.close().await;

        let pool = open(home.path()).await.unwrap();
        assert_eq!(get_parsed::<_, i64>(&pool, Key::PullCursor).await.unwrap(), Some(43));
        set(&pool, Key::PullCursor, "not a number").await.unwrap();
        assert!(matches!(get_parsed::<_, i64>(&pool, Key::PullCursor).await, Err(ClientError::Corrupt(_))));
        delete(&pool, Key::PullCursor).await.unwrap();
        assert_eq!(get(&pool, Key::PullCursor).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_database_of_the_first_release_upgrades_with_its_outbox_intact() {
        let home = tempfile::tempdir().unwrap();
        let first_release = tempfile::tempdir().unwrap();
        let migrations = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        std::fs::copy(
            migrations.join("0001_local_store.sql"),
            first_release.path().join("0001_local_store.sql"),
        )
        .unwrap();
        let old = sqlx::migrate::Migrator::new(first_release.path()).await.unwrap();
        let options = SqliteConnectOptions::new().filename(home.path().join(DB_FILE)).create_if_missing(true);
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await.unwrap();
        old.run(&pool).await.unwrap();
        sqlx::query(
            "INSERT INTO outbox (kind, record_id, payload, created_at, state, code) VALUES \
             ('household', 'h1', '{}', '2025-01-01', 'pending', NULL), \
             ('visit', 'v1', '{}', '2025-01-02', 'rejected', 'unknown_household')",
        )
        .execute(&pool)
        .await
        .unwrap();
        let action = "INSERT INTO outbox (kind, record_id, payload, created_at) \
                      VALUES ('village_action', 'a1', '{}', '2025-01-03')";
        assert!(sqlx::query(action).execute(&pool).await.is_err(), "the first release knows no actions");
        pool.close().await;

        let pool = open(home.path()).await.unwrap();

        let rows: Vec<(i64, String, String, String, Option<String>)> =
            sqlx::query_as("SELECT seq, kind, record_id, state, code FROM outbox ORDER BY seq")
                .fetch_all(&pool)
                .await
                .unwrap();
        let expected = [
            (1, "household", "h1", "pending", None),
            (2, "visit", "v1", "rejected", Some("unknown_household")),
        ];
        let rows: Vec<_> = rows
            .iter()
            .map(|(s, k, r, st, c)| (*s, k.as_str(), r.as_str(), st.as_str(), c.as_deref()))
            .collect();
        assert_eq!(rows, expected);
        sqlx::query(action).execute(&pool).await.unwrap();
        let seq: i64 = sqlx::query_scalar("SELECT seq FROM outbox WHERE record_id = 'a1'")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(seq, 3, "new entries still go after the old ones");
        for table in ["village_actions", "verifications", "certificates"] {
            let count: i64 =
                sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(&pool).await.unwrap();
            assert_eq!(count, 0, "{table}");
        }
    }

    #[tokio::test]
    async fn the_journal_is_wal_and_writes_are_fully_synchronous() {
        let home = tempfile::tempdir().unwrap();
        let pool = open(home.path()).await.unwrap();
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&pool).await.unwrap();
        let sync: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(&pool).await.unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(sync, 2, "2 is FULL");
    }
}
