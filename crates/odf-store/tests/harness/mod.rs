//! Gives each conformance test a fresh store: a temporary SQLite file, or a freshly created
//! PostgreSQL database (dropped afterwards, even when the test fails) when `ODF_TEST_POSTGRES_URL`
//! is set. Without the variable, PostgreSQL tests print `SKIPPED` and pass; with it, a connection
//! failure fails the test loudly. Stores are opened through `AnyStore`, as the server does.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;

use odf_store::{AnyStore, DatabaseUrl, Store};
use sqlx::Connection;

pub const POSTGRES_URL_VAR: &str = "ODF_TEST_POSTGRES_URL";

/// Raw SQL access to the database under a store, for tests that tamper with stored data.
#[derive(Clone, Debug)]
pub enum RawDb {
    Sqlite(String),
    Postgres(String),
}

impl RawDb {
    pub async fn execute(&self, sql: &str) {
        match self {
            RawDb::Sqlite(url) => {
                let mut conn = sqlx::SqliteConnection::connect(url).await.expect("open sqlite");
                sqlx::raw_sql(sql).execute(&mut conn).await.expect("raw sql");
            }
            RawDb::Postgres(url) => {
                let mut conn = sqlx::PgConnection::connect(url).await.expect("open postgres");
                sqlx::raw_sql(sql).execute(&mut conn).await.expect("raw sql");
            }
        }
    }
}

pub async fn with_sqlite<F, Fut>(test: F)
where
    F: FnOnce(AnyStore, RawDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("odf.db");
    let url = format!("sqlite://{}", path.display());
    let store = AnyStore::open(&DatabaseUrl::parse(&url).expect("url")).await.expect("open sqlite store");
    assert_eq!(store.backend_name(), "sqlite");
    let outcome = AssertUnwindSafe(test(store.clone(), RawDb::Sqlite(url))).catch_unwind().await;
    store.close().await;
    drop(dir);
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

pub async fn with_postgres<F, Fut>(test: F)
where
    F: FnOnce(AnyStore, RawDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
        eprintln!("SKIPPED: PostgreSQL conformance test ({POSTGRES_URL_VAR} not set)");
        return;
    };
    let name = format!("odf_test_{}", uuid::Uuid::now_v7().simple());
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|err| panic!("{POSTGRES_URL_VAR} is set but PostgreSQL is unreachable: {err}"));
    sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create test database");
    let mut url = url::Url::parse(&admin_url).expect("postgres url");
    url.set_path(&name);
    let url = url.to_string();
    let store = AnyStore::open(&DatabaseUrl::parse(&url).expect("url")).await.expect("open postgres store");
    assert_eq!(store.backend_name(), "postgres");
    let outcome = AssertUnwindSafe(test(store.clone(), RawDb::Postgres(url))).catch_unwind().await;
    store.close().await;
    sqlx::raw_sql(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .expect("drop test database");
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// Declares each listed `async fn name(store: impl Store, raw: RawDb)` as a test on both backends:
/// `sqlite::name` and `postgres::name`.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::harness::with_sqlite(super::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::harness::with_postgres(super::$name).await;
                }
            )*
        }
    };
}
