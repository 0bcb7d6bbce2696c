//! Fresh, throw-away databases for tests of this crate and of the crates above it: a temporary
//! SQLite file, or a newly created PostgreSQL database when `ODF_TEST_POSTGRES_URL` names a server
//! (it must allow `CREATE DATABASE`). [`TestDb::cleanup`] removes either.

use sqlx::Connection;

use crate::{AnyStore, DatabaseUrl, Result, StoreError};

/// The variable that names the PostgreSQL server for tests.
pub const POSTGRES_URL_VAR: &str = "ODF_TEST_POSTGRES_URL";

#[derive(Debug)]
enum Cleanup {
    Dir(tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

/// A store on a database that exists only for one test.
#[derive(Debug)]
pub struct TestDb {
    pub store: AnyStore,
    /// The store's URL, for tests that need a second connection.
    pub url: String,
    cleanup: Cleanup,
}

impl TestDb {
    pub async fn sqlite() -> Result<TestDb> {
        let dir = tempfile::tempdir().map_err(|err| StoreError::InvalidUrl(err.to_string()))?;
        let url = format!("sqlite://{}", dir.path().join("odf.db").display());
        let store = AnyStore::open(&DatabaseUrl::parse(&url)?).await?;
        Ok(TestDb { store, url, cleanup: Cleanup::Dir(dir) })
    }

    /// `Ok(None)` when the variable is not set (the caller reports the test as skipped); an error
    /// when it is set but the server cannot be used, so CI fails loudly.
    pub async fn postgres() -> Result<Option<TestDb>> {
        let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
            return Ok(None);
        };
        let name = format!("odf_test_{}", uuid::Uuid::now_v7().simple());
        let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
        sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut admin).await?;
        admin.close().await?;
        let mut url = url::Url::parse(&admin_url).map_err(|err| StoreError::InvalidUrl(err.to_string()))?;
        url.set_path(&name);
        let url = url.to_string();
        let store = AnyStore::open(&DatabaseUrl::parse(&url)?).await?;
        Ok(Some(TestDb { store, url, cleanup: Cleanup::Postgres { admin_url, name } }))
    }

    /// Closes the store and deletes its database.
    pub async fn cleanup(self) -> Result<()> {
        self.store.close().await;
        match self.cleanup {
            Cleanup::Dir(dir) => drop(dir),
            Cleanup::Postgres { admin_url, name } => {
                let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
                sqlx::raw_sql(&format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut admin).await?;
            }
        }
        Ok(())
    }
}

/// Runs raw SQL on the database at `url` (a [`TestDb::url`]), outside any store: for tests that
/// tamper with stored data behind the store's back.
pub async fn execute_raw(url: &str, sql: &str) -> Result<()> {
    if url.starts_with("sqlite:") {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        sqlx::raw_sql(sql).execute(&mut conn).await?;
        conn.close().await?;
    } else {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        sqlx::raw_sql(sql).execute(&mut conn).await?;
        conn.close().await?;
    }
    Ok(())
}
