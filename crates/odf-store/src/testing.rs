//! The one harness that runs a test on SQLite and on PostgreSQL, for this crate and the crates above
//! it. [`TestDb`] is a fresh, throw-away database: a temporary SQLite file, or a newly created
//! PostgreSQL database when `ODF_TEST_POSTGRES_URL` names a server (it must allow `CREATE DATABASE`).
//! [`run`] gives one test a fresh store and removes the database afterwards, even when the test
//! panics; without the variable, PostgreSQL tests print `SKIPPED: PostgreSQL ...` and pass, and with
//! it a server that cannot be used fails the test loudly. [`store_tests!`](crate::store_tests)
//! declares each test as `sqlite::<name>` and `postgres::<name>` (CI counts tests by those names).
//!
//! Stores are opened through [`AnyStore`], as the server does.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use sqlx::Connection;

use crate::{AnyStore, Backend, DatabaseUrl, Result, StoreError};

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

/// Raw SQL access to the database under a store, for tests that tamper with stored data behind the
/// store's back.
#[derive(Clone, Debug)]
pub struct RawDb {
    url: String,
}

impl RawDb {
    /// The database's URL (a [`TestDb::url`]).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Runs `sql`, failing the test if it fails.
    #[allow(clippy::panic)] // A test helper: a failed statement is a failed test.
    pub async fn execute(&self, sql: &str) {
        if let Err(err) = execute_raw(&self.url, sql).await {
            panic!("raw sql failed: {err}\n{sql}");
        }
    }
}

/// Runs `test` on a fresh store of `backend` and removes its database afterwards, also when the test
/// panics (the panic is then resumed, failing the test). PostgreSQL without [`POSTGRES_URL_VAR`]:
/// prints `SKIPPED: PostgreSQL <kind> test (...)` and returns.
#[allow(clippy::panic)] // A test harness: an unusable database is a failed test.
pub async fn run_as<F, Fut>(kind: &str, backend: Backend, test: F)
where
    F: FnOnce(AnyStore, RawDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let db = match backend {
        Backend::Sqlite => TestDb::sqlite().await.unwrap_or_else(|err| panic!("open sqlite store: {err}")),
        Backend::Postgres => {
            let db = TestDb::postgres()
                .await
                .unwrap_or_else(|err| panic!("{POSTGRES_URL_VAR} is set but PostgreSQL is unusable: {err}"));
            let Some(db) = db else {
                eprintln!("SKIPPED: PostgreSQL {kind} test ({POSTGRES_URL_VAR} not set)");
                return;
            };
            db
        }
    };
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(db.store.backend_name(), expected);
    let raw = RawDb { url: db.url.clone() };
    let outcome = AssertUnwindSafe(test(db.store.clone(), raw)).catch_unwind().await;
    if let Err(err) = db.cleanup().await {
        panic!("remove test database: {err}");
    }
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// [`run_as`] for the store's conformance tests.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(AnyStore, RawDb) -> Fut,
    Fut: Future<Output = ()>,
{
    run_as("conformance", backend, test).await;
}

/// Declares each listed `async fn name(store: AnyStore, raw: RawDb)` (or `module::name`) as a test on
/// both backends, `sqlite::name` and `postgres::name`, each run by [`testing::run`](crate::testing::run).
/// The calling crate needs `tokio` (with `macros` and `rt-multi-thread`).
#[macro_export]
macro_rules! store_tests {
    (@both $($test:path => $name:ident),*) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::testing::run($crate::Backend::Sqlite, $test).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::testing::run($crate::Backend::Postgres, $test).await;
                }
            )*
        }
    };
    ($($module:ident :: $name:ident),* $(,)?) => {
        $crate::store_tests!(@both $(super::$module::$name => $name),*);
    };
    ($($name:ident),* $(,)?) => {
        $crate::store_tests!(@both $(super::$name => $name),*);
    };
}
