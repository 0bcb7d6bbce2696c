//! The server's one test binary: the `/v1` API over real HTTP, each test on SQLite as
//! `sqlite::<name>` and (with `ODF_TEST_POSTGRES_URL`) on PostgreSQL as `postgres::<name>`, and the
//! check that `mobile-api/openapi.json` is exactly what the server generates. After changing a
//! handler or a wire type, regenerate it:
//! `ODF_UPDATE_OPENAPI=1 cargo test -p odf-server --test api the_checked_in_openapi_document`.
//!
//! One binary rather than one per area: each links the whole stack, which makes CI slow.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
mod common;
mod admin_web;
mod auth_and_sync;
mod authz;
mod backup;
mod contract;
mod coverage;
mod crash;
mod desk;
mod desk_forms;
mod export;
mod extractors;
mod fuzz;
mod hostile;
mod hostile_cases;
mod key_rotation;
mod national;
mod photos;
mod verification;
mod village_actions;
mod web;

use std::path::PathBuf;

api_tests! {
    admin_web (odf_server::ServerConfig::default()) {
        an_admin_adds_a_sanitarian_with_two_villages_who_then_logs_in,
        accounts_are_disabled_enabled_reset_and_given_tokens_within_the_admins_area,
        a_places_import_is_previewed_then_confirmed_and_shows_at_once,
        an_admin_lists_and_resolves_edit_conflicts_on_the_page,
        devices_of_the_area_show_their_last_sync_and_pending_records,
    }
    auth_and_sync (crate::auth_and_sync::config()) {
        a_login_gives_a_token_that_identifies_the_user_until_logout,
        wrong_passwords_are_refused_and_repeated_failures_are_rate_limited,
        a_login_retried_with_its_idempotency_key_gets_the_same_session,
        a_batch_pushed_twice_stores_each_record_once,
        a_push_to_a_village_outside_the_sanitarians_scope_is_refused_and_stores_nothing,
        bad_records_are_rejected_one_by_one_with_codes_and_fields,
        visits_far_from_home_or_outside_the_village_are_stored_but_flagged,
        pull_pages_through_the_callers_scope_by_cursor,
        viewers_and_anonymous_callers_cannot_touch_household_data,
        gzip_pushes_are_accepted_and_oversized_or_malformed_bodies_get_json_errors,
        operations_endpoints_answer,
        edits_from_two_phones_merge_and_an_admin_resolves_the_conflict,
        logins_beyond_the_bound_wait_for_a_permit_and_then_succeed,
    }
    coverage (odf_server::ServerConfig::default()) {
        a_kabupaten_roll_up_names_both_measures_and_counts_villages_without_data,
        coverage_comes_as_csv_geojson_stbm_recap_and_dhis2,
        a_viewer_cannot_read_coverage_outside_their_area,
        past_dates_and_monthly_series_are_rebuilt_from_visit_and_status_dates,
        the_streamed_monthly_trend_equals_the_series_of_all_the_facts,
    }
    national (odf_server::ServerConfig::default()) {
        a_national_viewer_reads_the_nation_and_every_area_below_it,
        only_viewers_and_admins_can_cover_the_whole_country,
    }
    contract (odf_server::ServerConfig::default()) {
        as_of_reaches_every_coverage_route_and_unknown_parameters_are_refused,
        a_date_is_the_local_day_of_the_area,
        certificates_carry_their_issue_time_and_timestamps_have_one_format,
        any_rfc_9562_uuid_is_an_id_but_nil_and_max_are_not,
        refusals_name_their_field_in_human_words,
        past_figures_of_every_export_equal_a_brute_force_recount,
    }
    verification (odf_server::ServerConfig::default()) {
        the_full_path_from_visits_to_a_certificate_slipping_and_revocation,
        a_gagal_returns_the_village_to_dipicu_with_reasons_its_sanitarians_can_read,
        verifiers_outside_the_kecamatan_and_other_roles_are_refused,
        a_team_with_a_member_from_the_village_or_of_the_wrong_size_is_refused,
        a_tampered_certificate_or_certified_visit_fails_the_public_check,
        the_certificate_pdf_opens_and_names_the_village_and_number,
    }
    village_actions (odf_server::ServerConfig::default()) {
        a_village_goes_from_visits_to_a_certificate_by_pushed_actions_alone,
        a_replayed_action_is_a_duplicate_and_other_content_under_its_id_a_conflict,
        refused_actions_name_their_code_and_field_and_store_nothing,
    }
    hostile (crate::hostile::config()) {
        hostile_text_is_rejected_per_record_and_at_the_door,
        a_team_with_hostile_names_is_refused_when_opening_so_the_village_is_not_stuck,
        enabling_a_user_does_not_revive_tokens_from_before_the_disable,
        a_device_record_cannot_be_taken_over_or_inflated,
        dates_outside_the_plausible_window_are_refused,
        free_text_is_bounded,
        long_decision_reasons_and_notes_are_refused,
        every_error_is_in_the_error_shape,
        csv_exports_neutralise_formula_cells,
        a_slow_client_cannot_hold_a_connection,
        a_corrupt_certificate_row_does_not_break_the_history,
    }
    hostile_cases (odf_server::ServerConfig::default()) {
        the_hostile_input_cases_are_refused_and_change_nothing,
    }
    authz (odf_server::ServerConfig::default()) {
        every_route_role_and_scope_answers_as_the_matrix_says,
    }
    crash (odf_server::ServerConfig::default()) {
        acknowledged_records_survive_sigkill_exactly_once,
    }
    fuzz (odf_server::ServerConfig::default()) {
        fuzzed_pushes_and_query_strings_never_answer_5xx,
    }
    key_rotation (crate::key_rotation::config()) {
        a_rotated_key_keeps_old_certificates_genuine_until_marked_compromised,
    }
    backup (odf_server::ServerConfig::default()) {
        a_backup_taken_under_load_restores_every_record_acknowledged_before_it,
    }
    web (odf_server::ServerConfig::default()) {
        pages_show_the_apis_figures_with_the_contracts_ids,
        a_viewer_sees_aggregates_of_their_area_only_and_never_names,
        sign_in_refuses_forged_forms_and_wrong_passwords,
        a_national_account_opens_the_national_page_from_home,
    }
    desk (odf_server::ServerConfig::default()) {
        a_verifier_sees_the_claims_and_open_verifications_of_their_kecamatan,
        a_slipped_village_is_a_notification_linking_to_its_page,
    }
    export (odf_server::ServerConfig::default()) {
        admins_export_every_visit_in_scope_as_csv_and_ndjson,
        viewers_get_no_names_phones_or_gps_and_field_roles_are_refused,
        formula_cells_are_neutralised,
        keyset_pages_join_up_to_the_whole_export,
        the_stream_gives_the_rows_of_the_pages,
        a_row_that_cannot_be_read_breaks_the_download,
    }
    desk_forms (odf_server::ServerConfig::default()) {
        a_verifier_opens_records_decides_prints_and_revokes_through_the_desk,
        forged_forms_other_roles_and_other_kecamatan_change_nothing,
        a_slipped_village_is_verified_again_from_its_notification,
        a_gagal_from_the_desk_keeps_one_reason_per_line_and_returns_the_village_to_dipicu,
    }
    photos (crate::photos::config()) {
        a_photo_is_uploaded_in_chunks_resumed_and_stored_once,
        a_chunk_cut_off_mid_body_keeps_what_arrived_and_the_upload_resumes,
        wrong_hashes_sizes_and_types_are_refused_in_the_error_shape,
        photos_are_read_only_by_staff_whose_scope_covers_a_visit_naming_them,
    }
    extractors (odf_server::ServerConfig::default()) {
        a_bad_query_parameter_answers_400_in_the_error_shape,
        a_bad_path_parameter_answers_400_in_the_error_shape,
    }
}

#[test]
fn the_checked_in_openapi_document_matches_the_server() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(odf_mobile_api::OPENAPI_PATH);
    let generated = odf_server::openapi::api_doc_json();
    if std::env::var_os("ODF_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "{} is stale: run ODF_UPDATE_OPENAPI=1 cargo test -p odf-server --test api the_checked_in_openapi_document",
        path.display()
    );
}
