//! The real server on `127.0.0.1:0` over a throw-away database (SQLite always, PostgreSQL when
//! `ODF_TEST_POSTGRES_URL` is set) with the demo places, their boundaries and five users, run around
//! one test and stopped, with its database removed, whether the test passes or panics.

use std::collections::BTreeSet;
use std::future::Future;

use odf_domain::{AreaCode, Role};
use odf_server::commands::{self, UserSpec};
use odf_server::{AppState, ServerConfig};
use odf_store::AnyStore;
use odf_store::testing;
use tokio::sync::oneshot;
use uuid::Uuid;

/// Every seeded user's password.
pub const PASSWORD: &str = "rahasia-123";
/// The kecamatan all seeded users work in.
pub const KECAMATAN: &str = "74.04.81";
pub const VILLAGE_1: &str = "74.04.81.2001";
pub const VILLAGE_2: &str = "74.04.81.2002";
pub const VILLAGE_3: &str = "74.04.81.2003";
/// Sanitarian assigned villages 1 and 2.
pub const SAN_A: &str = "san_a";
/// Sanitarian assigned villages 2 and 3: overlaps `san_a` on village 2 only.
pub const SAN_B: &str = "san_b";
/// Verifier of the whole kecamatan.
pub const VERIFIER: &str = "ver";
/// The rest of the kecamatan's verification team of three.
pub const VERIFIER_2: &str = "ver2";
pub const VERIFIER_3: &str = "ver3";

pub use odf_store::Backend;

/// What a test gets: the server's address and its store, to check what it holds.
#[derive(Debug, Clone)]
pub struct Server {
    pub url: String,
    pub store: AnyStore,
}

pub fn code(text: &str) -> AreaCode {
    AreaCode::parse(text).unwrap_or_else(|err| panic!("{text}: {err}"))
}

/// The demo places, their boundaries and the five users (`SAN_A` ... `VERIFIER_3`).
pub async fn seed(store: &AnyStore) {
    commands::import_areas_csv(store, odf_fixtures::WILAYAH_CSV_FILE, "e2e").await.expect("import areas");
    commands::import_boundaries_geojson(store, odf_fixtures::BOUNDARIES_GEOJSON_FILE, "e2e")
        .await
        .expect("import boundaries");
    let users = [
        (SAN_A, Role::Sanitarian, vec![code(VILLAGE_1), code(VILLAGE_2)]),
        (SAN_B, Role::Sanitarian, vec![code(VILLAGE_2), code(VILLAGE_3)]),
        (VERIFIER, Role::Verifier, vec![]),
        (VERIFIER_2, Role::Verifier, vec![]),
        (VERIFIER_3, Role::Verifier, vec![]),
    ];
    for (username, role, villages) in users {
        let spec = UserSpec {
            username: username.to_owned(),
            display_name: None,
            role,
            area: code(KECAMATAN).into(),
            villages,
            password: PASSWORD.to_owned(),
        };
        commands::add_user(store, spec, "e2e").await.expect("add user");
    }
}

/// Runs `test` against a fresh seeded server on `backend`, through the one harness for both databases
/// (`odf_store::testing::run_as`): on PostgreSQL without `ODF_TEST_POSTGRES_URL` it prints `SKIPPED`
/// and returns; with the variable set but the server unusable it panics, so CI cannot pass by
/// skipping. The database is removed whether the test passes or panics.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(Server) -> Fut,
    Fut: Future<Output = ()>,
{
    testing::run_as("end-to-end", backend, |store, _raw| async move {
        // Bound before the server task starts, so the first request already finds it: no waiting.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let url = format!("http://{}", listener.local_addr().expect("the listener's address"));
        let (stop, stopped) = oneshot::channel::<()>();
        let state = AppState::new(store.clone(), ServerConfig::default());
        let server = tokio::spawn(odf_server::serve(listener, state, async {
            let _ = stopped.await;
        }));
        seed(&store).await;
        test(Server { url, store }).await;
        let _ = stop.send(());
        server.await.expect("server task").expect("server");
    })
    .await;
}

/// What the server holds in some villages: household ids and visit ids, each listed once per row
/// the store returned (so a record stored twice would show up twice).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Holdings {
    pub households: Vec<Uuid>,
    pub visits: Vec<Uuid>,
}

impl Holdings {
    pub fn household_set(&self) -> BTreeSet<Uuid> {
        self.households.iter().copied().collect()
    }

    pub fn visit_set(&self) -> BTreeSet<Uuid> {
        self.visits.iter().copied().collect()
    }
}

/// Reads the households of `villages` and all their visits from the store.
pub async fn holdings(store: &AnyStore, villages: &[&str]) -> Holdings {
    let mut held = Holdings::default();
    for village in villages {
        for stored in store.households_in(code(village)).await.expect("households_in") {
            let id = stored.household.id;
            held.households.push(id);
            for visit in store.visits_of(id).await.expect("visits_of") {
                assert_eq!(visit.visit.household_id, id);
                held.visits.push(visit.visit.id);
            }
        }
    }
    held
}

/// The store's own recount agrees with its tallies, and it holds `households` households and
/// `visits` visits in all.
pub async fn assert_recount_clean(store: &AnyStore, households: usize, visits: usize) {
    let report = store.recount().await.expect("recount");
    assert!(report.differences.is_empty(), "tallies differ from a recount: {:?}", report.differences);
    assert_eq!(
        (report.households, report.visits),
        (households, visits),
        "households and visits in the store"
    );
    let count = store.visit_count().await.expect("visit_count");
    assert_eq!(count, i64::try_from(visits).expect("count fits"), "visit_count");
}

/// Declares each listed `module::name`, an `async fn name(server: Server)` in `module`, as the tests
/// `sqlite::name` and `postgres::name` (one pair of modules for the whole test binary).
#[macro_export]
macro_rules! e2e_tests {
    ($($module:ident :: $name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::server::run($crate::server::Backend::Sqlite, super::$module::$name).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    $crate::server::run($crate::server::Backend::Postgres, super::$module::$name).await;
                }
            )*
        }
    };
}
