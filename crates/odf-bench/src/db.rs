//! A fresh database per measurement, SQLite in a temporary folder or a throw-away PostgreSQL
//! database (`odf_bench_<hex>`, dropped at the end), with what the report needs of it: its size on
//! disk and a way to seed rows behind the store's back.

use std::path::PathBuf;

use odf_store::{AnyStore, DatabaseUrl, PgStore, SqliteStore};
use sqlx::Connection;
use uuid::Uuid;

use crate::BenchResult;

/// Which database a run measures.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    /// The administrative URL databases are created from.
    Postgres(String),
}

impl Backend {
    pub fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}

#[derive(Debug)]
enum Place {
    Sqlite { _dir: tempfile::TempDir, path: PathBuf },
    Postgres { admin_url: String, url: String, name: String },
}

/// One fresh, migrated database and its store.
#[derive(Debug)]
pub struct BenchDb {
    pub store: AnyStore,
    place: Place,
}

impl BenchDb {
    pub async fn fresh(backend: &Backend) -> BenchResult<BenchDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::TempDir::new()?;
                let path = dir.path().join("bench.db");
                let store = AnyStore::new(SqliteStore::open_path(&path).await?);
                Ok(BenchDb { store, place: Place::Sqlite { _dir: dir, path } })
            }
            Backend::Postgres(admin_url) => {
                let name = format!("odf_bench_{}", Uuid::now_v7().simple());
                let mut admin = sqlx::PgConnection::connect(admin_url).await?;
                sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await?;
                admin.close().await?;
                let mut url = url::Url::parse(admin_url)?;
                url.set_path(&name);
                let url = url.to_string();
                let store = AnyStore::new(PgStore::open(&DatabaseUrl::parse(&url)?).await?);
                Ok(BenchDb { store, place: Place::Postgres { admin_url: admin_url.clone(), url, name } })
            }
        }
    }

    /// The database's URL, for a server started as its own process.
    pub fn url(&self) -> String {
        match &self.place {
            Place::Sqlite { path, .. } => format!("sqlite://{}", path.display()),
            Place::Postgres { url, .. } => url.clone(),
        }
    }

    /// Bytes on disk: the SQLite file with its WAL, or `pg_database_size`.
    pub async fn size_bytes(&self) -> BenchResult<u64> {
        match &self.place {
            Place::Sqlite { path, .. } => {
                let mut total = 0;
                for suffix in ["", "-wal"] {
                    let mut name = path.clone().into_os_string();
                    name.push(suffix);
                    total += std::fs::metadata(&name).map_or(0, |m| m.len());
                }
                Ok(total)
            }
            Place::Postgres { url, name, .. } => {
                let mut conn = sqlx::PgConnection::connect(url).await?;
                let size: i64 =
                    sqlx::query_scalar("SELECT pg_database_size($1)").bind(name).fetch_one(&mut conn).await?;
                conn.close().await?;
                Ok(u64::try_from(size)?)
            }
        }
    }

    /// Runs one SQL statement (valid in both dialects) on the database, outside the store.
    pub async fn execute(&self, sql: &str) -> BenchResult<u64> {
        match &self.place {
            Place::Sqlite { path, .. } => {
                let url = format!("sqlite://{}", path.display());
                let mut conn = sqlx::SqliteConnection::connect(&url).await?;
                let done = sqlx::query(sql).execute(&mut conn).await?.rows_affected();
                conn.close().await?;
                Ok(done)
            }
            Place::Postgres { url, .. } => {
                let mut conn = sqlx::PgConnection::connect(url).await?;
                let done = sqlx::query(sql).execute(&mut conn).await?.rows_affected();
                conn.close().await?;
                Ok(done)
            }
        }
    }

    /// Closes the store and removes the database.
    pub async fn finish(self) -> BenchResult {
        self.store.close().await;
        if let Place::Postgres { admin_url, name, .. } = &self.place {
            let mut admin = sqlx::PgConnection::connect(admin_url).await?;
            sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut admin).await?;
            admin.close().await?;
        }
        Ok(())
    }
}
