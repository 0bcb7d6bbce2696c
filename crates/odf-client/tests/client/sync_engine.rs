//! The outbox and the sync state machine against a fake server: acknowledgements, refusals,
//! failures at every point of a request, paging, 401 and the clock-skew guard.

use crate::support::*;
use chrono::Duration;
use odf_client::{ClientError, NoSleep, OutboxState, SyncEvent, TransportError};

#[tokio::test]
async fn pushed_records_leave_the_outbox_once_the_server_accepts_them() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    let household = add_household(&client, "La Ode Hamid").await;
    add_visit(&client, household, "JSP").await;
    assert_eq!(client.status().await.unwrap().pending, 2);

    let (report, _) = sync(&client, &server, &options(200)).await;

    let report = report.unwrap();
    assert_eq!((report.stored, report.conflicts, report.rejected), (2, 0, 0));
    assert_eq!(client.status().await.unwrap().pending, 0);
    assert!(client.outbox(None).await.unwrap().is_empty());
    server.with(|s| assert_eq!((s.households.len(), s.visits.len()), (1, 1)));
    let listed = client.households(None).await.unwrap();
    assert_eq!(listed[0].sync, odf_client::SyncState::Synced);
}

#[tokio::test]
async fn a_duplicate_answer_counts_as_acknowledged() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    let household = add_household(&client, "Wa Ode Sitti").await;
    // The server already holds exactly this record (an earlier push whose answer was lost).
    let frozen = client.outbox(None).await.unwrap();
    assert_eq!(frozen.len(), 1);
    server.with(|s| s.push_failures.push_back(Failure::AfterCommit));

    let mut events = Vec::new();
    let report =
        client.push(&server, &NoSleep::default(), &options(200), &mut |e| events.push(e.clone())).await;

    assert_eq!(report.unwrap().stored, 1);
    assert!(client.outbox(None).await.unwrap().is_empty());
    server.with(|s| {
        assert_eq!(s.pushes.len(), 2, "sent once, answer lost, sent again");
        assert_eq!(s.pushes[0].households, s.pushes[1].households, "the same frozen content");
        assert_eq!(s.households.len(), 1);
        assert!(s.households.contains_key(&household));
    });
}

#[tokio::test]
async fn a_rejected_record_stays_visible_with_the_servers_reason_and_is_not_resent() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    let refused = add_household(&client, "Di Luar Wilayah").await;
    let accepted = add_household(&client, "La Ode Hamid").await;
    server.with(|s| s.refuse.insert(refused, "out_of_scope".to_owned()));

    let (report, _) = sync(&client, &server, &options(200)).await;
    let report = report.unwrap();
    assert_eq!((report.stored, report.rejected), (1, 1));

    let status = client.status().await.unwrap();
    assert_eq!(status.pending, 0);
    assert_eq!(status.rejected.len(), 1);
    assert_eq!(status.rejected[0].record_id, refused);
    assert_eq!(status.rejected[0].code.as_deref(), Some("out_of_scope"));
    assert_eq!(status.rejected[0].message.as_deref(), Some("ditolak: out_of_scope"));
    let views = client.households(None).await.unwrap();
    let view = views.iter().find(|v| v.household.id == refused).unwrap();
    assert!(matches!(view.sync, odf_client::SyncState::Rejected { .. }));
    assert!(views.iter().any(|v| v.household.id == accepted && v.sync == odf_client::SyncState::Synced));

    // A second sync does not send it again; after a requeue it is sent once more.
    let (_, _) = sync(&client, &server, &options(200)).await;
    server.with(|s| assert_eq!(s.pushes.len(), 1));
    client.requeue(refused).await.unwrap();
    server.with(|s| s.refuse.clear());
    let (report, _) = sync(&client, &server, &options(200)).await;
    assert_eq!(report.unwrap().stored, 1);
    assert!(client.status().await.unwrap().rejected.is_empty());
}

#[tokio::test]
async fn a_conflict_is_kept_and_shown_but_not_retried() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    let household = add_household(&client, "La Ode Hamid").await;
    server.with(|s| s.households.insert(household, serde_json::json!({"different": "content"})));

    let (report, _) = sync(&client, &server, &options(200)).await;

    assert_eq!(report.unwrap().conflicts, 1);
    let status = client.status().await.unwrap();
    assert_eq!(status.conflicts.len(), 1);
    assert_eq!(status.conflicts[0].state, OutboxState::Conflict);
    assert_eq!(status.pending, 0);
}

#[tokio::test]
async fn a_push_cut_before_or_after_the_server_stored_it_loses_nothing_and_doubles_nothing() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    let household = add_household(&client, "La Ode Hamid").await;
    let mut visits = Vec::new();
    for category in ["BABS", "JSSP", "JSP", "SHARING", "aman"] {
        visits.push(add_visit(&client, household, category).await);
    }
    server.with(|s| {
        s.push_failures.push_back(Failure::Before(network("no route to host")));
        s.push_failures.push_back(Failure::AfterCommit);
        s.push_failures.push_back(Failure::Before(status(503, "unavailable")));
    });

    let (report, events) = sync(&client, &server, &options(2)).await;

    let report = report.unwrap();
    assert_eq!(report.stored, 6);
    assert_eq!(report.retries, 3);
    assert_eq!(events.iter().filter(|e| matches!(e, SyncEvent::Retrying { .. })).count(), 3);
    server.with(|s| {
        assert_eq!(s.households.len(), 1);
        let mut stored: Vec<_> = s.visits.keys().copied().collect();
        stored.sort();
        let mut made = visits.clone();
        made.sort();
        assert_eq!(stored, made, "exactly the ids made on the phone, once each");
    });
    assert!(client.outbox(None).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_sync_that_gives_up_keeps_every_record_for_the_next_try() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    add_household(&client, "La Ode Hamid").await;
    server.with(|s| {
        for _ in 0..4 {
            s.push_failures.push_back(Failure::Before(network("timeout")));
        }
    });
    let sleeper = NoSleep::default();

    let result = client.push(&server, &sleeper, &options(200), &mut |_| {}).await;

    assert!(matches!(result, Err(ClientError::Unreachable { attempts: 4, .. })), "{result:?}");
    assert_eq!(sleeper.asked().len(), 3, "waits between four attempts");
    let policy = options(200).retry;
    for (n, wait) in sleeper.asked().iter().enumerate() {
        assert!(*wait <= policy.ceiling(u32::try_from(n).unwrap()));
    }
    let entries = client.outbox(None).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].attempts, 1, "counted once per push, not per retry");
    let (report, _) = sync(&client, &server, &options(200)).await;
    assert_eq!(report.unwrap().stored, 1);
}

#[tokio::test]
async fn a_client_error_other_than_401_or_429_is_not_retried() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    add_household(&client, "La Ode Hamid").await;
    server.with(|s| {
        s.push_failures.push_back(Failure::Before(status(429, "too_many_attempts")));
        s.push_failures.push_back(Failure::Before(status(400, "malformed_body")));
    });

    let (result, events) = sync(&client, &server, &options(200)).await;

    match result {
        Err(ClientError::Server { status: 400, code, .. }) => assert_eq!(code, "malformed_body"),
        other => panic!("{other:?}"),
    }
    assert_eq!(events.iter().filter(|e| matches!(e, SyncEvent::Retrying { .. })).count(), 1, "429 only");
    assert_eq!(client.status().await.unwrap().pending, 1);
}

#[tokio::test]
async fn a_401_forgets_the_token_and_asks_for_a_new_login() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    add_household(&client, "La Ode Hamid").await;
    server.with(|s| s.push_failures.push_back(Failure::Before(status(401, "unauthenticated"))));

    let (result, _) = sync(&client, &server, &options(200)).await;

    assert!(matches!(result, Err(ClientError::SessionExpired)), "{result:?}");
    assert!(!client.status().await.unwrap().logged_in);
    let (again, _) = sync(&client, &server, &options(200)).await;
    assert!(matches!(again, Err(ClientError::NotLoggedIn)));
    // Nothing recorded was lost; after a new login the record goes.
    client.login(&server, "http://fake.invalid", "sani", "rahasia").await.unwrap();
    let (report, _) = sync(&client, &server, &options(200)).await;
    assert_eq!(report.unwrap().stored, 1);
}

#[tokio::test]
async fn a_wrong_password_is_reported_as_bad_credentials_not_as_an_expired_session() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = odf_client::Client::open(home.path()).await.unwrap();

    let result = client.login(&server, "http://fake.invalid", "sani", "salah").await;

    assert!(matches!(&result, Err(ClientError::WrongCredentials)), "{result:?}");
    assert!(!client.status().await.unwrap().logged_in);
}

/// A login whose answer was lost is tried again with the same idempotency key (the server then
/// answers the session it opened), also across a wrong password or a failed send in between; the
/// next login after a success is a new attempt with a new key.
#[tokio::test]
async fn a_login_tried_again_after_a_lost_answer_sends_the_same_idempotency_key() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = odf_client::Client::open(home.path()).await.unwrap();
    server.with(|s| {
        s.login_failures.push_back(Failure::AfterCommit);
        s.login_failures.push_back(Failure::Before(TransportError::Unsent("no route".to_owned())));
    });
    let url = "http://fake.invalid";

    let lost = client.login(&server, url, "sani", "rahasia").await;
    assert!(matches!(lost, Err(ClientError::LoginUnconfirmed { .. })), "{lost:?}");
    let unsent = client.login(&server, url, "sani", "rahasia").await;
    assert!(matches!(unsent, Err(ClientError::LoginUnreachable { .. })), "{unsent:?}");
    let wrong = client.login(&server, url, "sani", "salah").await;
    assert!(matches!(wrong, Err(ClientError::WrongCredentials)), "{wrong:?}");
    client.login(&server, url, "sani", "rahasia").await.unwrap();
    // A reopened phone (the app restarted) is a new login after the success.
    client.close().await;
    let client = odf_client::Client::open(home.path()).await.unwrap();
    client.login(&server, url, "sani", "rahasia").await.unwrap();

    let keys = server.with(|s| s.login_keys.clone());
    assert_eq!(keys.len(), 4, "the unsent one never arrived: {keys:?}");
    let first = keys[0].expect("every login carries a key");
    assert_eq!(&keys[..3], &[Some(first); 3], "the same attempt until it succeeds");
    assert!(keys[3].is_some_and(|k| k != first), "a new attempt, a new key: {keys:?}");
}

#[tokio::test]
async fn the_outbox_is_pushed_in_batches_each_with_a_device_report() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    let household = add_household(&client, "La Ode Hamid").await;
    for _ in 0..6 {
        add_visit(&client, household, "JSP").await;
    }
    let oldest = client.outbox(None).await.unwrap()[0].created_at;

    let (report, events) = sync(&client, &server, &options(3)).await;

    assert_eq!(report.unwrap().batches, 3);
    server.with(|s| {
        let sizes: Vec<usize> = s.pushes.iter().map(|p| p.households.len() + p.visits.len()).collect();
        assert_eq!(sizes, vec![3, 3, 1]);
        let pending: Vec<u32> = s.pushes.iter().map(|p| p.device.pending_count).collect();
        assert_eq!(pending, vec![7, 4, 1], "outbox size including this batch");
        assert_eq!(s.pushes[0].device.oldest_pending_at, Some(oldest));
        assert_eq!(s.pushes[0].device.device_id, client.device_id());
        assert_eq!(s.pushes[0].device.app_version, env!("CARGO_PKG_VERSION"));
        assert_eq!(s.pushes[0].households.len(), 1, "the household travels first");
    });
    let remaining: Vec<u32> = events
        .iter()
        .filter_map(|e| if let SyncEvent::Pushed { remaining, .. } = e { Some(*remaining) } else { None })
        .collect();
    assert_eq!(remaining, vec![4, 1, 0]);
}

#[tokio::test]
async fn a_payload_too_large_answer_halves_the_batch() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    let household = add_household(&client, "La Ode Hamid").await;
    for _ in 0..4 {
        add_visit(&client, household, "BABS").await;
    }
    server.with(|s| s.max_records = 2);

    let (report, _) = sync(&client, &server, &options(8)).await;

    assert_eq!(report.unwrap().stored, 5);
    server.with(|s| assert!(s.pushes.iter().all(|p| p.households.len() + p.visits.len() <= 2)));
}

#[tokio::test]
async fn five_hundred_visits_arrive_exactly_once_through_a_link_that_fails_every_third_call() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    let household = add_household(&client, "La Ode Hamid").await;
    for _ in 0..500 {
        add_visit(&client, household, "JSP").await;
    }
    server.with(|s| s.fail_every = 3);

    let (report, _) = sync(&client, &server, &options(40)).await;

    assert_eq!(report.unwrap().stored, 501);
    server.with(|s| assert_eq!((s.households.len(), s.visits.len()), (1, 500)));
    assert_eq!(client.status().await.unwrap().pending, 0);
}

fn household_change(id: uuid::Uuid, head: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "village": VILLAGE, "head_name": head, "kk_count": 2,
        "dusun": "Dusun II", "rw": null, "rt": null, "gps": null, "revision": 3
    })
}

fn visit_change(id: uuid::Uuid, household: uuid::Uuid, category: &str) -> serde_json::Value {
    serde_json::json!({
        "id": id, "household_id": household, "sanitarian": "other", "visited_at": "2025-03-01T02:00:00Z",
        "category": category, "checklist": {}, "gps": null, "photo_sha256": null, "device_id": "hp-lain"
    })
}

#[tokio::test]
async fn pull_pages_until_has_more_is_false_and_saves_the_cursor() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    let other = uuid::Uuid::now_v7();
    server.publish("household", &other.to_string(), household_change(other, "Wa Ode Lain"));
    server.publish("visit", "v1", visit_change(uuid::Uuid::now_v7(), other, "BABS"));
    server.publish(
        "village_status",
        VILLAGE,
        serde_json::json!({"village": VILLAGE, "status": "dipicu", "since": "2025-01-05T00:00:00Z"}),
    );
    server.publish(
        "boundary",
        VILLAGE,
        serde_json::json!({"code": VILLAGE, "geometry": {"type": "Polygon", "coordinates": [[[122.60, -5.50], [122.62, -5.50], [122.62, -5.48], [122.60, -5.48], [122.60, -5.50]]]}, "centroid": {"lat": -5.49, "lng": 122.61}}),
    );
    // A certificate that does not read as one, and a kind this version does not know: both skipped.
    server.publish("certificate", "cert-1", serde_json::json!({"number": "001/SBS/2025"}));
    server.publish("something_new", "x", serde_json::json!({}));

    let (report, events) = sync(&client, &server, &options(200)).await;

    let report = report.unwrap();
    assert_eq!((report.pages, report.changes, report.skipped_changes), (3, 6, 2));
    server.with(|s| assert_eq!(s.pulls.iter().map(|p| p.0).collect::<Vec<_>>(), vec![0, 2, 4]));
    assert_eq!(events.iter().filter(|e| matches!(e, SyncEvent::Pulled { .. })).count(), 3);
    let status = client.status().await.unwrap();
    assert_eq!(status.pull_cursor, 6);
    assert!(status.last_pull_at.is_some() && status.last_sync_at.is_some());
    let households = client.households(None).await.unwrap();
    assert_eq!(households.len(), 1);
    assert_eq!(households[0].origin, "server");
    assert_eq!(households[0].need, odf_client::Need::Babs);
    let villages = client.villages().await.unwrap();
    let village = villages.iter().find(|v| v.code == VILLAGE).unwrap();
    assert_eq!(village.status.as_deref(), Some("dipicu"));
    assert!(village.has_boundary && village.assigned);

    // Nothing new: one more page request from the saved cursor, nothing stored twice.
    let (report, _) = sync(&client, &server, &options(200)).await;
    assert_eq!(report.unwrap().changes, 0);
    server.with(|s| assert_eq!(s.pulls.last().unwrap().0, 6));
}

#[tokio::test]
async fn an_interrupted_pull_resumes_after_the_last_stored_page() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    for n in 0..5 {
        let id = uuid::Uuid::now_v7();
        server.publish("household", &id.to_string(), household_change(id, &format!("KK {n}")));
    }
    let mut no_retry = options(200);
    no_retry.retry.max_attempts = 1;
    // Page one arrives whole; the answer with page two is cut; this run gives up.
    server.with(|s| s.pull_failures.extend([Failure::Pass, Failure::AfterCommit]));

    let result = client.pull(&server, &NoSleep::default(), &no_retry, &mut |_| {}).await;

    assert!(matches!(result, Err(ClientError::Unreachable { attempts: 1, .. })), "{result:?}");
    assert_eq!(client.status().await.unwrap().pull_cursor, 2);
    assert_eq!(client.households(None).await.unwrap().len(), 2);

    let (report, _) = sync(&client, &server, &options(200)).await;

    assert_eq!(report.unwrap().changes, 3);
    server.with(|s| assert_eq!(s.pulls.iter().map(|p| p.0).collect::<Vec<_>>(), vec![0, 2, 2, 4]));
    assert_eq!(client.households(None).await.unwrap().len(), 5);
    assert_eq!(client.status().await.unwrap().pull_cursor, 5);
}

#[tokio::test]
async fn a_server_clock_far_off_raises_a_warning_once_per_sync() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    add_household(&client, "La Ode Hamid").await;
    server.with(|s| s.clock_offset = Duration::minutes(-47));

    let (report, events) = sync(&client, &server, &options(200)).await;

    let skew = report.unwrap().clock.unwrap();
    assert!(skew.is_warning());
    assert_eq!(skew.phone_ahead_minutes(), 47);
    assert_eq!(events.iter().filter(|e| matches!(e, SyncEvent::ClockWarning { .. })).count(), 1);
    let status = client.status().await.unwrap();
    assert!(status.clock_warning);

    server.with(|s| s.clock_offset = Duration::seconds(20));
    let (report, events) = sync(&client, &server, &options(200)).await;
    assert!(!report.unwrap().clock.unwrap().is_warning());
    assert!(!events.iter().any(|e| matches!(e, SyncEvent::ClockWarning { .. })));
    assert!(!client.status().await.unwrap().clock_warning);
}

#[tokio::test]
async fn pulled_visits_from_other_phones_count_in_the_phones_coverage() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    let other = uuid::Uuid::now_v7();
    server.publish("household", &other.to_string(), household_change(other, "Wa Ode Lain"));
    server.publish("visit", "v1", visit_change(uuid::Uuid::now_v7(), other, "SHARING"));
    let mine = add_household(&client, "La Ode Hamid").await;
    add_visit(&client, mine, "BABS").await;

    let (report, _) = sync(&client, &server, &options(200)).await;
    report.unwrap();
    let coverage = client.coverage(Some(odf_domain::AreaCode::parse(VILLAGE).unwrap())).await.unwrap();

    assert_eq!(coverage.len(), 1);
    let c = &coverage[0];
    assert_eq!((c.numerator, c.denominator, c.houses), (2, 3, 2), "2 KK pulled with access, 1 own KK BABS");
    assert_eq!(c.kk_babs, 1);
    assert_eq!(c.measure, "kk_akses");
    assert!(c.pulled_at.is_some());
}

#[tokio::test]
async fn a_transport_error_keeps_the_servers_code_for_the_caller() {
    let err: ClientError = TransportError::Status { status: 403, error: None, retry_after: None }.into();
    assert!(matches!(err, ClientError::Server { status: 403, .. }));
    assert!(!err.is_transient());
}

#[tokio::test]
async fn a_record_is_not_sent_then_sent_not_confirmed_then_stored_as_the_core_tells_an_app() {
    let home = tempfile::tempdir().unwrap();
    let server = FakeServer::default();
    let client = logged_in(home.path(), &server).await;
    let household = add_household(&client, "La Ode Hamid").await;
    let state = async || client.households(None).await.unwrap()[0].sync.clone();
    assert_eq!(state().await, odf_client::SyncState::Pending, "not sent");

    // Connections that could not be opened reached nobody: still "not sent".
    server.with(|s| {
        for _ in 0..4 {
            s.push_failures.push_back(Failure::Before(TransportError::Unsent("refused".to_owned())));
        }
    });
    let result = client.push(&server, &NoSleep::default(), &options(200), &mut |_| {}).await;
    assert!(matches!(result, Err(ClientError::Unreachable { sent_not_confirmed: 0, .. })), "{result:?}");
    assert_eq!(state().await, odf_client::SyncState::Pending);

    // Stored by the server, every answer lost: "sent, not confirmed", and the error says so.
    server.with(|s| {
        for _ in 0..4 {
            s.push_failures.push_back(Failure::AfterCommit);
        }
    });
    let result = client.push(&server, &NoSleep::default(), &options(200), &mut |_| {}).await;
    assert!(matches!(result, Err(ClientError::Unreachable { sent_not_confirmed: 1, .. })), "{result:?}");
    assert_eq!(state().await, odf_client::SyncState::SentNotConfirmed { attempts: 1 });
    let status = client.status().await.unwrap();
    assert_eq!((status.pending, status.not_sent, status.sent_not_confirmed), (1, 0, 1));
    server.with(|s| assert!(s.households.contains_key(&household)));

    // The next push is answered `duplicate`: stored.
    let report = client.push(&server, &NoSleep::default(), &options(200), &mut |_| {}).await.unwrap();
    assert_eq!(report.stored, 1);
    assert_eq!(state().await, odf_client::SyncState::Synced);
}
