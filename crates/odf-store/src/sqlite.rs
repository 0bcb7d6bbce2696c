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

mod checkpoint;
use crate::url::{Backend, DatabaseUrl};
use checkpoint::Checkpointer;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");

const BACKEND_NAME: &str = "sqlite";
const READERS: u32 = 4;

/// The SQLite store. Cheap to clone (it holds two pools and the group-commit queue).
#[derive(Clone, Debug)]
pub struct SqliteStore {
    reader: SqlitePool,
    writer: SqlitePool,
    group: Arc<GroupCommit>,
    /// Copies the WAL into the database file beside the writer (`checkpoint.rs`).
    checkpointer: Arc<Checkpointer>,
    /// The database file, for the visits export's own read-only connection (`sqlite_export.rs`).
    file: Arc<Path>,
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
            // Statement journals (a multi-row statement inside a group's transaction must be
            // undoable on its own) in memory, not in a temporary file: they were 9 % of the
            // writer's CPU, all of it `pwrite`, in a profile of ingest (README "Performance").
            .pragma("temp_store", "memory")
            // Checkpoints are made beside the writer (`checkpoint.rs`); this is only the bound on
            // the WAL's length should they fall behind.
            .pragma("wal_autocheckpoint", checkpoint::WAL_BOUND_PAGES.to_string())
            .busy_timeout(Duration::from_secs(30));
        let writer = SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        let checkpointer = Arc::new(Checkpointer::start(&options).await?);
        let reader = SqlitePoolOptions::new().max_connections(READERS).connect_with(options).await?;
        let store =
            SqliteStore { reader, writer, group: Arc::default(), checkpointer, file: Arc::from(path) };
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

    /// The visits export read by its own connection to the file (`sqlite_export.rs`).
    fn fast_export(
        &self,
        filter: crate::VisitFilter,
        writer: Box<dyn crate::RowWriter>,
    ) -> Result<crate::ExportBody, Box<dyn crate::RowWriter>> {
        // An in-memory database (none is opened today) cannot be shared with a second connection.
        if self.file.as_os_str() == ":memory:" {
            return Err(writer);
        }
        Ok(crate::sqlite_export::stream(self.file.to_path_buf(), filter, writer))
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        Ok(self.writer.begin().await?)
    }

    /// A read transaction: in WAL mode it sees one snapshot from its first read to its end.
    async fn begin_snapshot(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        Ok(self.reader.begin().await?)
    }

    /// `VACUUM INTO` a file beside `target`, made durable, then renamed into place: it reads one
    /// snapshot (WAL readers never block the writer, so pushes go on meanwhile), and a crash midway
    /// leaves no half-written file under the backup's name.
    async fn backup_into(&self, target: &Path) -> Result<(), StoreError> {
        refuse_existing(target)?;
        let partial = partial_of(target)?;
        let _ = std::fs::remove_file(&partial);
        let partial_text = partial.to_str().ok_or_else(|| {
            StoreError::Backup(format!("{} bukan UTF-8 (path not UTF-8)", partial.display()))
        })?;
        sqlx::query("VACUUM INTO ?").bind(partial_text).execute(&self.reader).await?;
        publish(partial, target.to_path_buf()).await
    }

    /// Makes a new database at `target` from a backup file: checked whole (`PRAGMA
    /// integrity_check`) first, copied beside `target`, made durable, renamed into place, then
    /// opened (applying any migrations newer than the backup). `target` must not exist, so a restore
    /// can never overwrite a database a running server holds.
    pub async fn restore(backup: &Path, target: &Path) -> Result<SqliteStore, StoreError> {
        refuse_existing(target)?;
        for suffix in ["-wal", "-shm"] {
            let mut side = target.as_os_str().to_owned();
            side.push(suffix);
            refuse_existing(Path::new(&side))?;
        }
        check_backup(backup).await?;
        let partial = partial_of(target)?;
        let (from, to) = (backup.to_path_buf(), partial.clone());
        tokio::task::spawn_blocking(move || std::fs::copy(from, to))
            .await
            .map_err(|err| StoreError::Backup(err.to_string()))?
            .map_err(|err| StoreError::Backup(format!("{}: {err}", backup.display())))?;
        publish(partial, target.to_path_buf()).await?;
        SqliteStore::open_path(target).await
    }

    /// A write transaction committed (`sql/mod.rs`, `ThisStore::write`).
    fn committed(&self) {
        self.checkpointer.committed();
    }

    /// Closes both pools and the checkpointer's connection; the last to close checkpoints the WAL.
    async fn close_pools(&self) {
        self.checkpointer.close().await;
        self.reader.close().await;
        self.writer.close().await;
    }
}

fn refuse_existing(target: &Path) -> Result<(), StoreError> {
    if target.exists() {
        return Err(StoreError::Backup(format!(
            "{} sudah ada; pindahkan dulu, berkas tidak ditimpa (target exists; move it away first)",
            target.display()
        )));
    }
    Ok(())
}

/// Where a file is written before it is renamed to `target`.
fn partial_of(target: &Path) -> Result<std::path::PathBuf, StoreError> {
    let name = target.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
        StoreError::Backup(format!("{} bukan nama berkas (not a file name)", target.display()))
    })?;
    Ok(target.with_file_name(format!(".{name}.partial")))
}

/// fsyncs `partial`, renames it to `target` and fsyncs the folder, off the async threads.
async fn publish(partial: std::path::PathBuf, target: std::path::PathBuf) -> Result<(), StoreError> {
    tokio::task::spawn_blocking(move || {
        std::fs::File::open(&partial).and_then(|f| f.sync_all())?;
        std::fs::rename(&partial, &target)?;
        match target.parent().filter(|d| !d.as_os_str().is_empty()) {
            Some(dir) => std::fs::File::open(dir).and_then(|d| d.sync_all()),
            None => Ok(()),
        }
    })
    .await
    .map_err(|err| StoreError::Backup(err.to_string()))?
    .map_err(|err| StoreError::Backup(format!("menulis cadangan (writing the copy): {err}")))
}

impl SqliteStore {
    /// Checks a backup file whole (`PRAGMA integrity_check`) without changing it, and counts its
    /// visits. Opened immutable: nobody writes a backup, so no lock or WAL index is made beside it.
    pub async fn check_backup(backup: &Path) -> Result<i64, StoreError> {
        check_backup(backup).await
    }
}

async fn check_backup(backup: &Path) -> Result<i64, StoreError> {
    let options =
        SqliteConnectOptions::from_str("sqlite://")?.filename(backup).read_only(true).immutable(true);
    let mut connection = sqlx::ConnectOptions::connect(&options)
        .await
        .map_err(|err| StoreError::Backup(format!("{}: {err}", backup.display())))?;
    let verdict: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut connection)
        .await
        .map_err(|err| StoreError::Backup(format!("{}: {err}", backup.display())))?;
    if verdict != "ok" {
        return Err(StoreError::Backup(format!("{} rusak (corrupt backup): {verdict}", backup.display())));
    }
    let visits: i64 = sqlx::query_scalar("SELECT count(*) FROM visits")
        .fetch_one(&mut connection)
        .await
        .map_err(|err| StoreError::Backup(format!("{}: {err}", backup.display())))?;
    sqlx::Connection::close(connection).await?;
    Ok(visits)
}

/// The shared SQL and trait implementations (`sql/mod.rs`), compiled for this backend. Loading the
/// same files once per backend is the point: one text, type-checked against each driver.
#[allow(clippy::duplicate_mod)]
#[path = "sql/mod.rs"]
mod sql;

type Db = sqlx::Sqlite;
type ThisStore = SqliteStore;
