//! The phone tells the truth (issue 18), through the cutting proxy: one sync at a time per phone
//! folder, a record whose answer was cut is "sent, not confirmed" until the next sync confirms it,
//! a login that fails says so in terms of logging in (and leaves no session the phone could have
//! revoked), and every message is in one language with the technical cause apart.

use chrono::{Duration, Utc};
use odf_client::i18n::{ENGLISH_WORDS, INDONESIAN_WORDS};
use odf_client::{
    ClientError, HttpTransport, Lang, NoSleep, RetryPolicy, SyncEvent, SyncLock, SyncOptions, SyncState,
    Transport, TransportError,
};
use odf_e2e_tests::server::{PASSWORD, SAN_A, Server, VILLAGE_1, assert_recount_clean, holdings};
use odf_e2e_tests::{Cut, CutPlan, Phone, Proxy};

/// Words of the other language in a message said in `lang` (placeholders filled).
fn foreign_words(message: &str, lang: Lang) -> Vec<String> {
    let foreign = match lang {
        Lang::Id => ENGLISH_WORDS,
        Lang::En => INDONESIAN_WORDS,
    };
    message
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .map(str::to_lowercase)
        .filter(|w| foreign.contains(&w.as_str()))
        .collect()
}

/// The error's message in each language holds no word of the other; the cause is apart.
fn assert_said_in_one_language(err: &ClientError) {
    for lang in [Lang::Id, Lang::En] {
        let message = err.message(lang);
        assert!(foreign_words(&message, lang).is_empty(), "{lang:?}: {message:?}");
        if let Some(detail) = err.detail() {
            assert!(!message.contains(&detail), "the detail is not inside the message: {message:?}");
        }
    }
}

/// An address where nothing listens: the port of a listener that was closed.
fn closed_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}", listener.local_addr().unwrap())
}

/// Two syncs on one phone folder at once (a background sync and a tap on "sync"), through a proxy
/// that cuts every third connection: both end without error, and every record is confirmed once.
pub(crate) async fn two_concurrent_syncs_on_one_phone_folder_both_end_without_error_and_confirm_each_record_once(
    server: Server,
) {
    let proxy = Proxy::start(&server.url).await.unwrap();
    let mut phone = Phone::log_in(proxy.url(), SAN_A).await;
    phone.options.batch_size = 10;
    let at = Utc::now() - Duration::hours(3);
    for i in 0..25 {
        let household = phone.register(VILLAGE_1, &format!("Keluarga {i}"), 2).await;
        for k in 0..3 {
            phone.visit(household, "babs_terbuka", at + Duration::minutes(k)).await;
        }
    }
    let records = 100;
    assert_eq!(phone.pending().await, records);

    // While another sync holds the folder, a sync waits (or, if asked not to, says so).
    let held = SyncLock::try_acquire(phone.home()).unwrap().expect("the folder is free");
    let impatient = SyncOptions { wait_for_other_sync: false, ..phone.options.clone() };
    let mut ignore = |_: &SyncEvent| {};
    let refused = phone.client.sync(&phone.transport, &phone.sleeper, &impatient, &mut ignore).await;
    assert!(matches!(refused, Err(ClientError::SyncRunning)), "{refused:?}");
    assert_said_in_one_language(&refused.unwrap_err());
    drop(held);

    proxy.set_plan(CutPlan::every(3, &[Cut::MidRequest, Cut::MidResponse]));
    let twin = phone.twin().await;
    let mut events_a = Vec::new();
    let mut events_b = Vec::new();
    let mut progress_a = |event: &SyncEvent| events_a.push(event.clone());
    let mut progress_b = |event: &SyncEvent| events_b.push(event.clone());
    let sleeper_b = NoSleep::default();
    let (a, b) = tokio::join!(
        phone.client.sync(&phone.transport, &phone.sleeper, &phone.options, &mut progress_a),
        twin.sync(&phone.transport, &sleeper_b, &phone.options, &mut progress_b),
    );
    let (a, b) = (a.expect("the first sync ends without error"), b.expect("the second too"));

    assert_eq!(a.stored + b.stored, 100, "each record confirmed exactly once: {a:?} {b:?}");
    let waited = [&events_a, &events_b]
        .iter()
        .filter(|events| events.contains(&SyncEvent::WaitingForOtherSync))
        .count();
    assert_eq!(waited, 1, "one of them waited for the other");
    assert_eq!(phone.pending().await, 0);
    assert!(phone.refused().await.is_empty());
    let held = holdings(&server.store, &[VILLAGE_1]).await;
    assert_eq!((held.households.len(), held.visits.len()), (25, 75));
    assert_recount_clean(&server.store, 25, 75).await;
    assert!(!proxy.cuts().is_empty(), "the proxy did cut");
    assert_eq!(proxy.errors(), Vec::<String>::new());
    twin.close().await;
    phone.close().await;
}

/// A push whose every answer is cut: the phone says "sent, not confirmed" (not "not sent"), the
/// server holds the record, and the next sync confirms it as a duplicate. A phone that could not
/// connect at all still says "not sent".
pub(crate) async fn a_cut_response_is_sent_not_confirmed_until_the_next_sync_confirms_it(server: Server) {
    let proxy = Proxy::start(&server.url).await.unwrap();
    let mut phone = Phone::log_in(proxy.url(), SAN_A).await;
    let household = phone.register(VILLAGE_1, "Keluarga Putus", 4).await;

    // Nothing listens: the record never left the phone.
    let online = std::mem::replace(&mut phone.transport, HttpTransport::new(&closed_address()).unwrap());
    let run = phone.sync().await;
    assert!(
        matches!(&run.result, Err(ClientError::Unreachable { sent_not_confirmed: 0, .. })),
        "{:?}",
        run.result
    );
    let status = phone.client.status().await.unwrap();
    assert_eq!((status.not_sent, status.sent_not_confirmed), (1, 0));
    assert_eq!(phone.client.households(None).await.unwrap()[0].sync, SyncState::Pending);
    phone.transport = online;

    // Every answer to the push is cut after the server stored it.
    proxy.set_plan(CutPlan::every(1, &[Cut::MidResponse]).only("POST /v1/sync/push"));
    let run = phone.sync().await;
    let err = run.result.expect_err("no answer arrived");
    let ClientError::Unreachable { attempts, sent_not_confirmed, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!((*attempts, *sent_not_confirmed), (RetryPolicy::default().max_attempts, 1));
    assert!(err.message(Lang::En).contains("1 records were sent but the server's answer did not arrive"));
    assert!(err.message(Lang::Id).contains("1 catatan sudah dikirim"));
    assert!(err.detail().is_some_and(|d| !d.is_empty()), "the cause is on its own line");
    assert_said_in_one_language(&err);
    assert_eq!(holdings(&server.store, &[VILLAGE_1]).await.households.len(), 1, "the server has it");
    let status = phone.client.status().await.unwrap();
    assert_eq!((status.pending, status.not_sent, status.sent_not_confirmed), (1, 0, 1));
    let view = phone.client.households(None).await.unwrap().remove(0);
    assert_eq!(view.household.id, household);
    assert!(
        matches!(view.sync, SyncState::SentNotConfirmed { attempts } if attempts >= 1),
        "{:?}",
        view.sync
    );

    // The next sync is answered: the server already held it (duplicate), and now the phone knows.
    proxy.set_plan(CutPlan::pass());
    let report = phone.sync().await.result.unwrap();
    assert_eq!(report.stored, 1);
    assert_eq!(phone.client.households(None).await.unwrap()[0].sync, SyncState::Synced);
    let status = phone.client.status().await.unwrap();
    assert_eq!((status.pending, status.not_sent, status.sent_not_confirmed), (0, 0, 0));
    assert_recount_clean(&server.store, 1, 0).await;
    phone.close().await;
}

/// A failed login says what to do about the login; a cut login answer is told as such, keeps no
/// half session, and the next login resumes the session the cut one opened; a new login and a
/// logout revoke the session they end.
pub(crate) async fn a_failed_or_cut_login_is_told_truthfully_and_leaves_no_session_it_could_revoke(
    server: Server,
) {
    let proxy = Proxy::start(&server.url).await.unwrap();
    let home = tempfile::tempdir().unwrap();
    let client = odf_client::Client::open(home.path()).await.unwrap();
    let transport = HttpTransport::new(proxy.url()).unwrap();
    let url = proxy.url().to_owned();

    let wrong = client.login(&transport, &url, SAN_A, "salah").await.unwrap_err();
    assert!(matches!(wrong, ClientError::WrongCredentials), "{wrong:?}");
    let dead = HttpTransport::new(&closed_address()).unwrap();
    let unreachable = client.login(&dead, &url, SAN_A, PASSWORD).await.unwrap_err();
    assert!(matches!(unreachable, ClientError::LoginUnreachable { .. }), "{unreachable:?}");
    proxy.set_plan(CutPlan::every(1, &[Cut::MidResponse]).only("POST /v1/auth/login").at_most(1));
    let cut = client.login(&transport, &url, SAN_A, PASSWORD).await.unwrap_err();
    assert!(matches!(cut, ClientError::LoginUnconfirmed { .. }), "{cut:?}");
    assert!(cut.message(Lang::En).contains("the server may have accepted the login"));
    for err in [&wrong, &unreachable, &cut] {
        assert_said_in_one_language(err);
        for lang in [Lang::Id, Lang::En] {
            let message = err.message(lang);
            assert!(message.contains("login") || message.contains("log in"), "login advice: {message}");
            assert!(!message.contains("sync"), "no sync advice before a login: {message}");
        }
    }
    assert!(client.token().await.unwrap().is_none(), "no half session is kept");

    // The next login works, and it gets the session the cut answer carried (it sends the same
    // idempotency key): that session was opened before this login began, so none is left an orphan.
    let before_retry = Utc::now();
    client.login(&transport, &url, SAN_A, PASSWORD).await.unwrap();
    let first = client.token().await.unwrap().unwrap();
    let session = server.store.session(odf_server::auth::token_hash(first.expose())).await.unwrap().unwrap();
    assert!(session.created_at < before_retry, "the cut login's session, resumed: {session:?}");
    // Logging in again revokes the session it replaces.
    client.login(&transport, &url, SAN_A, PASSWORD).await.unwrap();
    let second = client.token().await.unwrap().unwrap();
    assert_ne!(first.expose(), second.expose());
    let replaced = transport.me(&first).await;
    assert!(matches!(replaced, Err(TransportError::Status { status: 401, .. })), "{replaced:?}");
    assert!(transport.me(&second).await.is_ok());

    // Logging out revokes the session on the server too.
    assert!(client.logout_from_server(&transport).await.unwrap());
    assert!(client.token().await.unwrap().is_none());
    let revoked = transport.me(&second).await;
    assert!(matches!(revoked, Err(TransportError::Status { status: 401, .. })), "{revoked:?}");
    assert_eq!(proxy.errors(), Vec::<String>::new());
    client.close().await;
}
