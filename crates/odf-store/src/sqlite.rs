//! The embedded default: one SQLite file, zero set-up.
//!
//! Durability: WAL journal with `synchronous = FULL`, so every committed transaction survives not
//! only a killed process (NORMAL would too) but also a power cut or kernel crash, where NORMAL may
//! lose the last commits. With set-wise batches the extra fsync per commit costs little (see
//! `PERFORMANCE-NOTES.md` and `benches/ingest.rs`).
//!
//! Writers go through a pool of exactly one connection, so transactions never fight over SQLite's
//! single write lock (no `SQLITE_BUSY` mid-transaction) and change-feed seqs commit in order;
//! readers use their own pool and, in WAL mode, never wait for the writer.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::error::StoreError;
use crate::group::GroupCommit;
use crate::url::{Backend, DatabaseUrl};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

const BACKEND_NAME: &str = "sqlite";
const READERS: u32 = 4;

/// The SQLite store. Cheap to clone (it holds two pools and the group-commit queue).
#[derive(Clone, Debug)]
pub struct SqliteStore {
    reader: SqlitePool,
    writer: SqlitePool,
    group: Arc<GroupCommit>,
}

impl SqliteStore {
    /// Opens (creating if missing) the file named by a `sqlite://` URL and applies migrations.
    pub async fn open(url: &DatabaseUrl) -> Result<SqliteStore, StoreError> {
        match (url.backend(), url.sqlite_path()) {
            (Backend::Sqlite, Some(path)) if !path.is_empty() => {
                SqliteStore::open_path(Path::new(path)).await
            }
            _ => Err(StoreError::InvalidUrl(format!("{url} bukan URL sqlite:// (not a sqlite:// URL)"))),
        }
    }

    pub async fn open_path(path: &Path) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        let reader = SqlitePoolOptions::new().max_connections(READERS).connect_with(options).await?;
        let store = SqliteStore { reader, writer, group: Arc::default() };
        store.run_migrations().await?;
        Ok(store)
    }

    async fn run_migrations(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.writer).await?;
        Ok(())
    }

    fn reader(&self) -> &SqlitePool {
        &self.reader
    }

    fn group(&self) -> &GroupCommit {
        &self.group
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        Ok(self.writer.begin().await?)
    }

    /// A read transaction: in WAL mode it sees one snapshot from its first read to its end.
    async fn begin_snapshot(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        Ok(self.reader.begin().await?)
    }

    /// Closes both pools, checkpointing the WAL.
    async fn close_pools(&self) {
        self.reader.close().await;
        self.writer.close().await;
    }
}

/// The shared SQL and trait implementations (`sql/mod.rs`), compiled for this backend. Loading the
/// same files once per backend is the point: one text, type-checked against each driver.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

type Db = sqlx::Sqlite;
type ThisStore = SqliteStore;
