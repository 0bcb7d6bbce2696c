//! PostgreSQL, for a kabupaten, province or national deployment. Ordinary durable commits
//! (`synchronous_commit` left at its default, on): a commit returns only after its WAL is flushed.
//!
//! Every write transaction first takes one transaction-scoped advisory lock, which serialises writers
//! the way SQLite's single write connection does. That keeps the two backends' behaviour identical
//! and guarantees that change-feed seqs become visible in order: without it a transaction holding
//! seq 11 could commit after one holding seq 12, and a client that had pulled up to 12 would never
//! see 11.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use crate::error::StoreError;
use crate::group::GroupCommit;
use crate::url::{Backend, DatabaseUrl};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

const BACKEND_NAME: &str = "postgres";
/// Arbitrary, fixed: the key of the writers' advisory lock ("ODF" in ASCII).
const WRITE_LOCK_KEY: i64 = 0x004F_4446;
const CONNECTIONS: u32 = 8;

/// The PostgreSQL store. Cheap to clone.
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
    group: Arc<GroupCommit>,
}

impl PgStore {
    /// The visits export streamed by one `COPY … TO STDOUT` (`postgres_export.rs`).
    fn fast_export(
        &self,
        filter: crate::VisitFilter,
        writer: Box<dyn crate::RowWriter>,
    ) -> Result<crate::ExportBody, Box<dyn crate::RowWriter>> {
        Ok(crate::postgres_export::stream(self.pool.clone(), filter, writer))
    }

    /// Connects to a `postgres://` URL and applies migrations.
    pub async fn open(url: &DatabaseUrl) -> Result<PgStore, StoreError> {
        if url.backend() != Backend::Postgres {
            return Err(StoreError::InvalidUrl(format!(
                "{url} bukan URL postgres:// (not a postgres:// URL)"
            )));
        }
        let options = PgConnectOptions::from_str(url.expose())?;
        let pool = PgPoolOptions::new().max_connections(CONNECTIONS).connect_with(options).await?;
        let store = PgStore { pool, group: Arc::default() };
        store.run_migrations().await?;
        Ok(store)
    }

    async fn run_migrations(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    fn reader(&self) -> &PgPool {
        &self.pool
    }

    fn group(&self) -> &GroupCommit {
        &self.group
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(WRITE_LOCK_KEY).execute(&mut *tx).await?;
        Ok(tx)
    }

    /// A read transaction that sees one snapshot throughout.
    async fn begin_snapshot(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(&mut *tx).await?;
        Ok(tx)
    }

    async fn close_pools(&self) {
        self.pool.close().await;
    }

    /// A write transaction committed: nothing to do (SQLite wakes its checkpointer here).
    fn committed(&self) {}

    /// PostgreSQL has its own online backup, `pg_dump`, which also keeps roles and settings; a copy
    /// made row by row here would only be a slower, weaker one.
    async fn backup_into(&self, _target: &Path) -> Result<(), StoreError> {
        Err(StoreError::Backup(
            "PostgreSQL dicadangkan dengan pg_dump (lihat README, \"Cadangan\") (back up PostgreSQL with pg_dump)"
                .to_owned(),
        ))
    }
}

/// The shared SQL and trait implementations (`sql/mod.rs`), compiled for this backend. Loading the
/// same files once per backend is the point: one text, type-checked against each driver.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

type Db = sqlx::Postgres;
type ThisStore = PgStore;
