//! End to end: the real server on `127.0.0.1:0`, phones running the client core over HTTP, and a TCP
//! proxy between them that cuts connections mid-request and mid-response on a deterministic plan.
//! Afterwards the server holds exactly what the phones recorded, once each, and its tallies agree
//! with a recount. Every test runs on SQLite and, when `ODF_TEST_POSTGRES_URL` is set, on
//! PostgreSQL. Nothing sleeps: retries go through `NoSleep`.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use chrono::{Duration, Utc};
use odf_client::{
    ClientError, HttpTransport, OutboxState, RetryPolicy, SessionToken, Transport, TransportError,
};
use odf_e2e_tests::server::{
    Backend, SAN_A, SAN_B, Server, VERIFIER, VILLAGE_1, VILLAGE_2, VILLAGE_3, assert_recount_clean, holdings,
    run,
};
use odf_e2e_tests::{Cut, CutPlan, Phone, Proxy};
use odf_mobile_api::LoginRequest;
use uuid::Uuid;

const CATEGORIES: [&str; 6] = ["aman", "layak_sendiri", "JSP", "SHARING", "babs_tertutup", "BABS"];

fn cut_kinds(proxy: &Proxy) -> BTreeMap<String, usize> {
    let mut kinds = BTreeMap::new();
    for exchange in proxy.cuts() {
        *kinds.entry(format!("{:?}", exchange.cut.unwrap())).or_default() += 1;
    }
    kinds
}

/// The proxy itself: one exchange per connection, cuts exactly where the plan says, the rest
/// untouched. Independent of the database, so it runs on SQLite only.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_proxy_cuts_exactly_the_planned_exchanges_and_passes_the_rest() {
    run(Backend::Sqlite, |server: Server| async move {
        let proxy = Proxy::start(&server.url).await.unwrap();
        let transport = HttpTransport::new(proxy.url()).unwrap();
        let login = LoginRequest {
            username: SAN_A.to_owned(),
            password: odf_e2e_tests::server::PASSWORD.to_owned(),
            idempotency_key: None,
        };
        let token = SessionToken::new(transport.login(&login).await.unwrap().token);

        proxy.set_plan(CutPlan::every(2, &[Cut::MidRequest, Cut::MidResponse]));
        let mut answers = Vec::new();
        for _ in 0..6 {
            answers.push(transport.me(&token).await.map(|user| user.username));
        }

        for (i, answer) in answers.iter().enumerate() {
            if i % 2 == 0 {
                assert_eq!(answer.as_deref(), Ok(SAN_A), "exchange {} passes", i + 2);
            } else {
                assert!(
                    matches!(answer, Err(TransportError::Network(_))),
                    "exchange {} is cut: {answer:?}",
                    i + 2
                );
            }
        }
        let log = proxy.log();
        assert_eq!(log.len(), 7, "one exchange per connection: {log:?}");
        assert_eq!(log[0].request_line, "POST /v1/auth/login");
        assert!(log[1..].iter().all(|e| e.request_line == "GET /v1/me"));
        let cuts: Vec<_> = log.iter().map(|e| e.cut).collect();
        let expected =
            [None, None, Some(Cut::MidRequest), None, Some(Cut::MidResponse), None, Some(Cut::MidRequest)];
        assert_eq!(cuts, expected);

        // Only the matching requests are counted, and the budget stops the cutting.
        proxy.set_plan(CutPlan::every(1, &[Cut::MidResponse]).only("POST /v1/auth/login").at_most(1));
        assert!(transport.me(&token).await.is_ok());
        let lost = transport.login(&login).await;
        assert!(matches!(lost, Err(TransportError::Network(_))), "{lost:?}");
        assert!(transport.login(&login).await.is_ok());
        assert!(transport.me(&token).await.is_ok());
        let tail: Vec<_> = proxy.log()[7..].iter().map(|e| (e.request_line.clone(), e.cut)).collect();
        assert_eq!(
            tail,
            vec![
                ("GET /v1/me".to_owned(), None),
                ("POST /v1/auth/login".to_owned(), Some(Cut::MidResponse)),
                ("POST /v1/auth/login".to_owned(), None),
                ("GET /v1/me".to_owned(), None),
            ]
        );
        assert_eq!(proxy.errors(), Vec::<String>::new());
    })
    .await;
}

/// The must-show: 500 visits recorded offline reach the server exactly once through a
/// connection that drops every third request, half the time after the server already stored them.
pub(crate) async fn a_client_records_500_visits_offline_and_syncs_through_a_proxy_that_cuts_every_third_connection(
    server: Server,
) {
    let started = Instant::now();
    let proxy = Proxy::start(&server.url).await.unwrap();
    let mut phone = Phone::log_in(proxy.url(), SAN_A).await;
    // Smaller batches and pages than the defaults, so the sync needs many requests and meets many cuts.
    phone.options.batch_size = 50;
    phone.options.pull_limit = 100;
    assert_eq!(phone.options.retry, RetryPolicy::default(), "the production retry policy");

    // Offline: 50 households in two villages, 10 visits each, all in the past.
    let first_visit = Utc::now() - Duration::days(3);
    let mut households = BTreeSet::new();
    let mut visits = BTreeSet::new();
    let mut minute: i64 = 0;
    for h in 0..50_usize {
        let village = if h % 2 == 0 { VILLAGE_1 } else { VILLAGE_2 };
        let household = phone.register(village, &format!("Kepala Keluarga {h}"), [1, 2, 3][h % 3]).await;
        households.insert(household);
        for v in 0..10 {
            minute += 1;
            let category = CATEGORIES[(h + v) % CATEGORIES.len()];
            visits.insert(phone.visit(household, category, first_visit + Duration::minutes(minute)).await);
        }
    }
    let recorded = started.elapsed();
    assert_eq!((households.len(), visits.len()), (50, 500));
    assert_eq!(phone.pending().await, 550);
    assert_eq!(server.store.visit_count().await.unwrap(), 0, "nothing left the phone yet");

    proxy.set_plan(CutPlan::every(3, &[Cut::MidRequest, Cut::MidResponse]));
    let exchanges_before = proxy.log().len();
    let runs = phone.sync_until_done(10).await;

    // The phone: nothing pending, nothing refused, and its own records pulled back without doubles.
    assert_eq!(phone.pending().await, 0);
    assert_eq!(phone.refused().await, vec![]);
    let on_phone = phone.visits_per_household().await;
    assert_eq!(on_phone.keys().copied().collect::<BTreeSet<_>>(), households);
    assert!(on_phone.values().all(|n| *n == 10), "{on_phone:?}");

    // The server: exactly the 500 visits and 50 households, once each, tallies equal to a recount.
    let held = holdings(&server.store, &[VILLAGE_1, VILLAGE_2]).await;
    assert_eq!(held.households.len(), 50);
    assert_eq!(held.household_set(), households);
    assert_eq!(held.visits.len(), 500);
    assert_eq!(held.visit_set(), visits);
    assert_recount_clean(&server.store, 50, 500).await;
    assert_eq!(server.store.visit_count().await.unwrap(), 500);

    // Every third exchange was cut, both ways; each cut cost exactly one retry (or ended a run).
    let log = proxy.log();
    let synced: Vec<_> = log[exchanges_before..].to_vec();
    for (i, exchange) in synced.iter().enumerate() {
        assert_eq!(exchange.cut.is_some(), (i + 1) % 3 == 0, "{exchange:?}");
    }
    let kinds = cut_kinds(&proxy);
    assert!(kinds.get("MidRequest").is_some_and(|n| *n >= 2), "{kinds:?}");
    assert!(kinds.get("MidResponse").is_some_and(|n| *n >= 2), "{kinds:?}");
    let pushes_cut = synced.iter().filter(|e| e.cut.is_some() && e.request_line.starts_with("POST")).count();
    assert!(pushes_cut >= 2, "pushes were cut: {synced:?}");
    let given_up = runs.iter().filter(|r| r.result.is_err()).count();
    assert_eq!(phone.sleeper.asked().len() + given_up, proxy.cuts().len());
    assert!(phone.sleeper.asked().iter().all(|d| *d <= RetryPolicy::default().max_delay));
    assert_eq!(proxy.errors(), Vec::<String>::new());
    eprintln!(
        "500 visits: recorded offline in {recorded:?}, synced in {} run(s), {} exchanges, cuts {kinds:?}, \
         total {:?}",
        runs.len(),
        synced.len(),
        started.elapsed()
    );
    phone.close().await;
}

/// Two sanitarians whose assignments overlap on one village, and a verifier of the kecamatan.
pub(crate) async fn two_phones_record_offline_and_both_end_with_everything_in_their_scope(server: Server) {
    let proxy = Proxy::start(&server.url).await.unwrap();
    let phone_a = Phone::log_in(proxy.url(), SAN_A).await; // villages 1 and 2
    let phone_b = Phone::log_in(proxy.url(), SAN_B).await; // villages 2 and 3
    let at = Utc::now() - Duration::days(1);

    // Offline on both phones: two households per assigned village, two visits each.
    let mut made: BTreeMap<&str, BTreeSet<Uuid>> = BTreeMap::new();
    let mut visits = BTreeSet::new();
    for (phone, village, name) in [
        (&phone_a, VILLAGE_1, "A1"),
        (&phone_a, VILLAGE_2, "A2"),
        (&phone_b, VILLAGE_2, "B2"),
        (&phone_b, VILLAGE_3, "B3"),
    ] {
        for i in 0..2 {
            let household = phone.register(village, &format!("Keluarga {name}-{i}"), 2).await;
            made.entry(name).or_default().insert(household);
            for (minutes, category) in [(0, "BABS"), (30, "JSP")] {
                visits.insert(phone.visit(household, category, at + Duration::minutes(minutes)).await);
            }
        }
    }
    let a_only = made["A1"].clone(); // village 1: A's alone
    let shared: BTreeSet<Uuid> = made["A2"].union(&made["B2"]).copied().collect(); // village 2: both
    let b_only = made["B3"].clone(); // village 3: B's alone
    // Out of scope is refused on the phone already.
    let refused = phone_b
        .client
        .register_household(
            odf_client::HouseholdDraft {
                village: VILLAGE_1.to_owned(),
                head_name: "Bukan wilayah B".to_owned(),
                kk_count: 1,
                ..Default::default()
            },
            false,
        )
        .await;
    assert!(matches!(refused, Err(ClientError::OutOfScope(_))), "{refused:?}");

    proxy.set_plan(CutPlan::every(3, &[Cut::MidResponse, Cut::MidRequest]));
    phone_a.sync_until_done(10).await;
    phone_b.sync_until_done(10).await;
    phone_a.sync_until_done(10).await;

    // B visits one of A's households in the shared village, which it only knows from the pull.
    let a_in_shared = *made["A2"].first().unwrap();
    let later = Utc::now() - Duration::minutes(5);
    let b_visit = phone_b.visit(a_in_shared, "layak_bersama", later).await;
    visits.insert(b_visit);
    phone_b.sync_until_done(10).await;
    phone_a.sync_until_done(10).await;

    // A login is one attempt (a person is waiting), so it goes through uncut.
    proxy.set_plan(CutPlan::pass());
    let verifier = Phone::log_in(proxy.url(), VERIFIER).await;
    proxy.set_plan(CutPlan::every(3, &[Cut::MidRequest, Cut::MidResponse]));
    verifier.sync_until_done(10).await;

    // Each phone holds exactly its scope: its own records and the other's in the shared village.
    let in_a: BTreeSet<Uuid> = a_only.union(&shared).copied().collect();
    let in_b: BTreeSet<Uuid> = shared.union(&b_only).copied().collect();
    let all: BTreeSet<Uuid> = in_a.union(&b_only).copied().collect();
    assert_eq!(phone_a.household_ids().await, in_a, "A sees villages 1 and 2, not 3");
    assert_eq!(phone_b.household_ids().await, in_b, "B sees villages 2 and 3, not 1");
    assert_eq!(verifier.household_ids().await, all, "the verifier sees the whole kecamatan");
    for phone in [&phone_a, &phone_b, &verifier] {
        let counts = phone.visits_per_household().await;
        for (household, n) in counts {
            let expected = if household == a_in_shared { 3 } else { 2 };
            assert_eq!(n, expected, "visits of {household}");
        }
        assert_eq!(phone.pending().await, 0);
        assert_eq!(phone.refused().await, vec![]);
    }
    // A sees B's visit as the latest of its household, recorded by B.
    let views = phone_a.client.households(None).await.unwrap();
    let view = views.iter().find(|v| v.household.id == a_in_shared).unwrap();
    let latest = view.latest_visit.as_ref().unwrap();
    assert_eq!((latest.id, latest.sanitarian.as_str()), (b_visit, SAN_B));
    assert_eq!(view.origin, "local");
    let b_view = views.iter().find(|v| shared.contains(&v.household.id) && v.origin == "server");
    assert!(b_view.is_some(), "B's households reach A as pulled records");

    // The server holds each record once.
    let held = holdings(&server.store, &[VILLAGE_1, VILLAGE_2, VILLAGE_3]).await;
    assert_eq!(held.households.len(), 8);
    assert_eq!(held.household_set(), all);
    assert_eq!(held.visits.len(), 17);
    assert_eq!(held.visit_set(), visits);
    assert_recount_clean(&server.store, 8, 17).await;
    assert!(!proxy.cuts().is_empty());
    assert_eq!(proxy.errors(), Vec::<String>::new());
    for phone in [phone_a, phone_b, verifier] {
        phone.close().await;
    }
}

/// A pull page lost mid-response ends the sync (one attempt per request here); the app is killed and
/// restarted; the next sync starts at the cursor saved with the last whole page, and every change is
/// stored exactly once.
pub(crate) async fn a_pull_cut_mid_response_is_resumed_from_the_saved_cursor_without_doubling(
    server: Server,
) {
    // Another phone has put 20 households with 2 visits each in village 2.
    let phone_a = Phone::log_in(&server.url, SAN_A).await;
    let at = Utc::now() - Duration::hours(6);
    let mut households = BTreeSet::new();
    for i in 0..20 {
        let household = phone_a.register(VILLAGE_2, &format!("Keluarga {i}"), 1).await;
        households.insert(household);
        phone_a.visit(household, "BABS", at).await;
        phone_a.visit(household, "aman", at + Duration::hours(1)).await;
    }
    phone_a.sync_until_done(1).await;
    phone_a.close().await;

    // What a whole pull in B's scope brings, measured on another phone of B's, without the proxy.
    let control = Phone::log_in(&server.url, SAN_B).await;
    let total = control.sync_until_done(1).await.pop().unwrap().result.unwrap().changes;
    assert!(total >= 60, "{total}");
    control.close().await;

    let proxy = Proxy::start(&server.url).await.unwrap();
    let mut phone_b = Phone::log_in(proxy.url(), SAN_B).await;
    phone_b.options.pull_limit = 10;
    phone_b.options.retry = RetryPolicy { max_attempts: 1, ..RetryPolicy::default() };
    proxy.set_plan(CutPlan::every(3, &[Cut::MidResponse]).only("GET /v1/sync/pull").at_most(1));

    let first = phone_b.sync().await;
    assert!(matches!(&first.result, Err(err) if err.is_transient()), "{:?}", first.result);
    let saved = first.last_cursor().expect("two pages stored before the cut");
    assert_eq!(first.pulled_changes(), 20, "two whole pages of 10");
    let cut = proxy.cuts().pop().unwrap();
    assert_eq!(cut.request_line, format!("GET /v1/sync/pull?cursor={saved}&limit=10"));

    let phone_b = phone_b.reopen().await;
    assert_eq!(phone_b.client.status().await.unwrap().pull_cursor, saved, "the cursor survived the restart");
    proxy.set_plan(CutPlan::pass());
    let seen = proxy.log().len();
    let second = phone_b.sync().await;
    second.result.as_ref().unwrap();

    let cursors: Vec<i64> = proxy.log()[seen..]
        .iter()
        .filter_map(|e| e.request_line.strip_prefix("GET /v1/sync/pull?cursor="))
        .map(|rest| rest.split('&').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(cursors.first(), Some(&saved), "resumed at the saved cursor: {cursors:?}");
    assert!(cursors.windows(2).all(|w| w[0] < w[1]), "no page asked twice: {cursors:?}");
    assert_eq!(first.pulled_changes() + second.pulled_changes(), total, "every change stored exactly once");

    let on_phone = phone_b.visits_per_household().await;
    assert_eq!(on_phone.keys().copied().collect::<BTreeSet<_>>(), households);
    assert!(on_phone.values().all(|n| *n == 2), "{on_phone:?}");
    assert_recount_clean(&server.store, 20, 40).await;
    assert_eq!(proxy.errors(), Vec::<String>::new());
    phone_b.close().await;
}

/// A push that never reached the server and a push whose answer was lost are both sent again under
/// the same ids; the server stores each record once and answers the repeat `duplicate`.
pub(crate) async fn a_push_cut_mid_request_or_mid_response_is_sent_again_and_stored_once(server: Server) {
    let proxy = Proxy::start(&server.url).await.unwrap();
    let mut phone = Phone::log_in(proxy.url(), SAN_A).await;
    phone.options.retry = RetryPolicy { max_attempts: 1, ..RetryPolicy::default() };
    let at = Utc::now() - Duration::hours(2);
    let mut households = BTreeSet::new();
    let mut visits = BTreeSet::new();
    for i in 0..3 {
        let household = phone.register(VILLAGE_1, &format!("Keluarga {i}"), 3).await;
        households.insert(household);
        visits.insert(phone.visit(household, "babs_terbuka", at).await);
        visits.insert(phone.visit(household, "layak_sendiri", at + Duration::minutes(20)).await);
    }

    // Cut before the server saw the whole request: nothing stored.
    proxy.set_plan(CutPlan::every(1, &[Cut::MidRequest]).only("POST /v1/sync/push").at_most(1));
    let run = phone.sync().await;
    assert!(matches!(&run.result, Err(err) if err.is_transient()), "{:?}", run.result);
    assert_eq!(server.store.visit_count().await.unwrap(), 0);
    assert_eq!(phone.pending().await, 9);
    assert_eq!(pending_attempts(&phone).await, BTreeSet::from([1]));

    // Cut after the server stored everything: the phone does not know, so keeps all nine.
    proxy.set_plan(CutPlan::every(1, &[Cut::MidResponse]).only("POST /v1/sync/push").at_most(1));
    let run = phone.sync().await;
    assert!(matches!(&run.result, Err(err) if err.is_transient()), "{:?}", run.result);
    assert_recount_clean(&server.store, 3, 6).await;
    assert_eq!(phone.pending().await, 9);
    assert_eq!(pending_attempts(&phone).await, BTreeSet::from([2]));

    // The third push is answered: all nine are duplicates of what the server holds, stored once.
    proxy.set_plan(CutPlan::pass());
    let report = phone.sync().await.result.unwrap();
    assert_eq!((report.stored, report.conflicts, report.rejected), (9, 0, 0));
    assert_eq!(phone.pending().await, 0);
    let held = holdings(&server.store, &[VILLAGE_1]).await;
    assert_eq!((held.household_set(), held.visit_set()), (households, visits));
    assert_eq!((held.households.len(), held.visits.len()), (3, 6));
    assert_recount_clean(&server.store, 3, 6).await;
    assert_eq!(proxy.errors(), Vec::<String>::new());
    phone.close().await;
}

/// How many pushes carried each pending outbox entry (as a set of distinct counts).
async fn pending_attempts(phone: &Phone) -> BTreeSet<i64> {
    let entries = phone.client.outbox(Some(OutboxState::Pending)).await.unwrap();
    entries.iter().map(|e| e.attempts).collect()
}
