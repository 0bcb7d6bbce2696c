//! The end-to-end tests, in one test binary because each binary links the whole stack: the real
//! server on `127.0.0.1:0`, phones running the client core over HTTP, a TCP proxy that cuts
//! connections, and the demo's campaign.
//!
//! - `sync_through_proxy`: offline phones sync through a cutting proxy; nothing lost or doubled.
//! - `field_verification`: the way to ODF done on phones, certificate and revocation included.
//! - `honest_phone`: what the phone says is true: one sync at a time per folder, sent but not
//!   confirmed, login failures, one language per message.
//! - `photos`: photos taken offline are uploaded at sync through cuts; the verifier pulls them.
//! - `demo_campaign`: the demo's campaign ends with the same figures on both databases.
//! - `browser`: headless Chromium over chromedriver: the harness, and the web dashboard on the
//!   demo's seeded database (SQLite only; SKIPPED without chromedriver unless
//!   `ODF_BROWSER_TESTS=required`).
//!
//! The tests listed below run on SQLite as `sqlite::name` and on PostgreSQL as `postgres::name`
//! (skipped, saying so, without `ODF_TEST_POSTGRES_URL`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod browser;
mod demo_campaign;
mod field_verification;
mod honest_phone;
mod photos;
mod sync_through_proxy;

odf_e2e_tests::e2e_tests!(
    sync_through_proxy::a_client_records_500_visits_offline_and_syncs_through_a_proxy_that_cuts_every_third_connection,
    sync_through_proxy::two_phones_record_offline_and_both_end_with_everything_in_their_scope,
    sync_through_proxy::a_pull_cut_mid_response_is_resumed_from_the_saved_cursor_without_doubling,
    sync_through_proxy::a_push_cut_mid_request_or_mid_response_is_sent_again_and_stored_once,
    field_verification::a_village_is_claimed_verified_and_certified_from_phones_offline_through_a_cutting_proxy,
    field_verification::a_claim_the_phone_finds_ineligible_is_refused_on_the_phone_and_nothing_is_queued,
    photos::photos_taken_offline_are_uploaded_at_sync_through_cuts_and_the_verifier_pulls_them,
    honest_phone::two_concurrent_syncs_on_one_phone_folder_both_end_without_error_and_confirm_each_record_once,
    honest_phone::a_cut_response_is_sent_not_confirmed_until_the_next_sync_confirms_it,
    honest_phone::a_failed_or_cut_login_is_told_truthfully_and_leaves_no_session_it_could_revoke,
);
