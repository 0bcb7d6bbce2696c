//! The store's tests, in one binary (each test binary links the whole stack, so fewer build faster).
//! Every test runs on both backends as `sqlite::<name>` and `postgres::<name>`, through
//! `odf_store::testing`: a fresh database each, dropped afterwards even when the test fails;
//! PostgreSQL when `ODF_TEST_POSTGRES_URL` is set (otherwise it prints `SKIPPED`). Tests live in one
//! module per concern of the store.

// Test code: a failed unwrap is a failed test, which is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod accounts;
mod audit;
mod common;
mod coverage;
mod edits;
mod feed;
mod ingest;
mod lean_visits;
mod places;
mod verification;

odf_store::store_tests!(
    feed::a_database_written_before_the_lean_feed_pulls_the_same_changes,
    feed::feed_entries_keep_what_they_announced_when_a_household_is_edited,
    lean_visits::a_database_written_before_the_lean_visits_answers_resent_visits_the_same,
    places::migrations_can_run_again_and_the_backend_is_named,
    places::places_import_idempotently_and_renames_are_updates,
    places::boundaries_import_idempotently_and_reach_the_change_feed,
    places::new_and_renamed_villages_reach_the_feed_with_their_names_in_scope,
    places::the_migration_names_villages_stored_before_it,
    accounts::users_and_sessions_round_trip,
    accounts::disabling_a_user_revokes_their_sessions_for_good,
    accounts::a_password_reset_revokes_logins_but_not_dashboard_tokens,
    accounts::an_account_covering_the_whole_country_round_trips,
    accounts::a_login_retried_with_its_key_finds_the_session_it_opened,
    ingest::a_batch_pushed_twice_is_stored_once,
    ingest::a_changed_record_under_a_known_id_is_a_conflict_and_changes_nothing,
    ingest::records_for_unknown_villages_or_households_are_rejected_and_not_stored,
    ingest::the_change_feed_pages_by_cursor_within_a_scope,
    ingest::concurrent_overlapping_batches_store_each_record_once,
    ingest::concurrent_pushes_share_commits_and_each_hears_only_its_own_records,
    ingest::households_are_found_by_id_in_one_call,
    ingest::device_reports_are_kept_with_the_batch_and_replaced_by_newer_ones,
    ingest::a_device_id_stays_with_the_user_who_first_reported_it,
    ingest::batches_of_one_group_answer_as_if_written_one_after_the_other,
    edits::household_edits_apply_merge_field_by_field_and_leave_conflicts_to_resolve,
    coverage::tallies_follow_the_latest_visit_and_agree_with_a_recount,
    coverage::a_recount_reports_a_tampered_tally,
    coverage::history_facts_hold_the_areas_households_visits_and_status_changes,
    coverage::freshness_follows_ingest_edits_and_status_changes_at_every_level,
    audit::village_status_follows_the_machine_and_is_audited,
    audit::the_audit_chain_detects_tampering,
    verification::a_verification_opens_only_for_a_claimed_village_and_draws_a_reproducible_sample,
    verification::a_lulus_issues_a_signed_certificate_bound_to_the_certified_data,
    verification::decisions_need_community_criteria_and_a_gagal_or_an_override_needs_reasons,
    verification::a_babs_visit_in_a_certified_village_slips_it_and_notifies_its_kecamatan,
    verification::a_revocation_needs_a_reason_moves_the_village_and_happens_once,
    verification::changed_visits_or_certificate_columns_no_longer_match,
    verification::a_village_action_applies_once_with_its_receipt_and_a_refused_one_leaves_none,
    verification::a_decision_recorded_offline_is_dated_when_made_and_counts_only_visits_before_it,
);
