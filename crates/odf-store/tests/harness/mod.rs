//! Gives each conformance test a fresh store (`odf_store::testing::TestDb`): a temporary SQLite
//! file, or a freshly created PostgreSQL database (dropped afterwards, even when the test fails)
//! when `ODF_TEST_POSTGRES_URL` is set. Without the variable, PostgreSQL tests print `SKIPPED` and
//! pass; with it, a connection failure fails the test loudly. Stores are opened through `AnyStore`,
//! as the server does.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use odf_store::testing::{POSTGRES_URL_VAR, TestDb};
use odf_store::{AnyStore, Store};
use sqlx::Connection;

/// Raw SQL access to the database under a store, for tests that tamper with stored data.
#[derive(Clone, Debug)]
pub struct RawDb(String);

impl RawDb {
    pub async fn execute(&self, sql: &str) {
        if self.0.starts_with("sqlite:") {
            let mut conn = sqlx::SqliteConnection::connect(&self.0).await.expect("open sqlite");
            sqlx::raw_sql(sql).execute(&mut conn).await.expect("raw sql");
        } else {
            let mut conn = sqlx::PgConnection::connect(&self.0).await.expect("open postgres");
            sqlx::raw_sql(sql).execute(&mut conn).await.expect("raw sql");
        }
    }
}

async fn run<F, Fut>(db: TestDb, backend: &str, test: F)
where
    F: FnOnce(AnyStore, RawDb) -> Fut,
    Fut: Future<Output = ()>,
{
    assert_eq!(db.store.backend_name(), backend);
    let outcome = AssertUnwindSafe(test(db.store.clone(), RawDb(db.url.clone()))).catch_unwind().await;
    db.cleanup().await.expect("remove test database");
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

pub async fn with_sqlite<F, Fut>(test: F)
where
    F: FnOnce(AnyStore, RawDb) -> Fut,
    Fut: Future<Output = ()>,
{
    run(TestDb::sqlite().await.expect("open sqlite store"), "sqlite", test).await;
}

pub async fn with_postgres<F, Fut>(test: F)
where
    F: FnOnce(AnyStore, RawDb) -> Fut,
    Fut: Future<Output = ()>,
{
    let db = TestDb::postgres()
        .await
        .unwrap_or_else(|err| panic!("{POSTGRES_URL_VAR} is set but PostgreSQL is unusable: {err}"));
    let Some(db) = db else {
        eprintln!("SKIPPED: PostgreSQL conformance test ({POSTGRES_URL_VAR} not set)");
        return;
    };
    run(db, "postgres", test).await;
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
