"""The registry of the privacy policy's promises and the tests that prove each.

A promise is "proved" when at least one test that fails if the promise is broken is
listed here. Test ids are pytest node ids relative to the repository root.
`python manage.py promises` prints the registry; careerperfect/tests/test_promises.py
fails if a listed test does not exist.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Promise:
    code: str
    text: str
    tests: tuple[str, ...] = ()

    @property
    def proved(self) -> bool:
        return bool(self.tests)


PROMISES = (
    Promise(
        "P1",
        "Visitor data is used only anonymously and in aggregate.",
        (
            "privacy/tests/test_analytics.py::test_nothing_that_identifies_a_visitor_is_kept",
            "privacy/tests/test_analytics.py::test_a_request_never_writes_a_count_to_the_database",
            "privacy/tests/test_analytics.py::test_a_page_visit_is_counted_per_area_in_the_buffer_not_the_database",
            "privacy/tests/test_analytics.py::test_flush_moves_the_counts_into_daily_rows_once",
            "privacy/tests/test_analytics.py::test_a_failed_flush_leaves_its_counts_to_the_next_flush",
            "privacy/tests/test_analytics.py::test_a_flush_killed_before_its_commit_loses_no_count",
            "privacy/tests/test_analytics.py::test_a_flush_killed_after_its_commit_counts_nothing_twice",
            "privacy/tests/test_analytics.py::test_the_embedded_default_shares_the_buffer_between_processes_through_files",
            "privacy/tests/test_analytics.py::test_a_real_worker_flushes_what_the_web_process_counted",
        ),
    ),
    Promise(
        "P2",
        "Partners receive aggregate figures only.",
        (
            "privacy/tests/test_analytics.py::test_partner_report_suppresses_every_cell_below_k",
            "privacy/tests/test_analytics.py::test_k_comes_from_settings",
            "privacy/tests/test_analytics.py::test_partner_scope_reports_only_the_partners_site",
            "privacy/tests/test_analytics.py::test_each_export_is_recorded_as_a_disclosure_of_aggregates",
            "privacy/tests/test_analytics.py::test_privacy_officer_sees_the_analytics_but_cannot_export",
        ),
    ),
    Promise(
        "P3",
        "Specific personal data is asked for only at signup, contest entry or purchase.",
        (
            "contests/tests/test_entry.py::test_the_entry_form_asks_only_what_a_contest_needs",
            "contests/tests/test_entry.py::test_each_personal_field_says_why_it_is_asked",
            "orders/tests/test_checkout.py::test_checkout_asks_a_guest_only_name_email_and_age_for_a_resume",
            "orders/tests/test_checkout.py::test_every_field_checkout_asks_says_why",
            "orders/tests/test_catalog_and_cart.py::test_only_software_asks_for_the_type_of_computer",
        ),
    ),
    Promise(
        "P4",
        "Marketing and site-change e-mail is sent only with the person's permission.",
        (
            "accounts/tests/test_signup.py::test_elections_are_unticked_by_default",
            "accounts/tests/test_signup.py::test_signup_without_ticks_records_no_consent",
            "accounts/tests/test_signup.py::test_each_ticked_election_records_one_signup_grant",
            "orders/tests/test_checkout.py::test_checkout_elections_start_unticked",
            "orders/tests/test_checkout.py::test_checkout_without_ticks_records_no_consent",
            "orders/tests/test_checkout.py::test_each_ticked_election_records_one_checkout_grant",
            # Campaigns: only granted elections, checked again when each message is sent.
            "mail/tests/test_campaigns.py::test_a_campaign_goes_only_to_granted_elections_of_its_kind",
            "mail/tests/test_campaigns.py::test_a_queued_campaign_does_not_reach_an_address_withdrawn_after_queueing",
            "mail/tests/test_campaigns.py::test_a_campaign_message_already_handed_over_is_checked_again_when_it_is_sent",
            "mail/tests/test_campaigns.py::test_running_the_fan_out_again_creates_no_second_delivery",
            "mail/tests/test_campaigns.py::test_one_click_get_shows_a_button_and_changes_nothing",
            "mail/tests/test_campaigns.py::test_one_click_post_unsubscribes_without_login_or_csrf_token",
            # Permission from the owner of the address, not from whoever typed it.
            "mail/tests/test_address_confirmation.py::test_a_grant_typed_in_sends_nothing_until_the_owner_follows_the_link",
            "mail/tests/test_address_confirmation.py::test_after_a_remove_a_stranger_typing_the_address_in_restarts_nothing",
            "mail/tests/test_address_confirmation.py::test_a_guest_order_cannot_opt_an_account_holder_in",
            "mail/tests/test_address_confirmation.py::test_a_signup_grant_is_in_force_once_the_account_verifies_its_address",
            "mail/tests/test_address_confirmation.py::test_a_link_confirms_only_the_grants_it_was_sent_for",
            "orders/tests/test_checkout.py::test_a_guests_opt_in_waits_for_the_owner_of_the_address_to_confirm_it",
            "contests/tests/test_entry.py::test_an_entrants_opt_in_waits_for_the_owner_of_the_address_to_confirm_it",
        ),
    ),
    Promise(
        "P5",
        "Anyone can opt out by e-mailing “remove” in the subject line.",
        (
            "mail/tests/test_inbound.py::test_a_remove_email_withdraws_both_elections_of_the_sender",
            "mail/tests/test_inbound.py::test_it_withdraws_for_every_account_with_that_verified_address",
            "mail/tests/test_inbound.py::test_an_unknown_address_becomes_a_suppression",
            "mail/tests/test_inbound.py::test_the_event_records_source_received_time_and_message_evidence",
            "mail/tests/test_inbound.py::test_the_same_message_processed_twice_has_one_effect_and_a_duplicate_record",
            "mail/tests/test_inbound.py::test_a_remove_received_before_a_newer_opt_in_does_not_undo_it",
            "mail/tests/test_inbound.py::test_the_command_prints_one_line_per_message_of_the_sample_folder",
            "mail/tests/test_inbound.py::test_the_inbound_webhook_feeds_the_same_pipeline",
            "mail/tests/test_inbound.py::test_a_webhook_with_a_bad_signature_is_rejected_and_records_nothing",
            "mail/tests/test_inbound.py::test_opt_out_tasks_have_a_queue_of_their_own",
            "mail/tests/test_matching.py::test_the_word_remove_or_unsubscribe_anywhere_in_the_subject_matches",
            "mail/tests/test_matching.py::test_other_words_do_not_match",
            "mail/tests/test_matching.py::test_an_rfc2047_encoded_subject_is_decoded_before_matching",
            "mail/tests/test_matching.py::test_automatic_mail_is_recognised",
            "mail/tests/test_matching.py::test_real_world_messages_never_crash_the_parser",
            "mail/tests/test_imap_live.py::test_the_poller_processes_the_mailbox_and_flags_each_message_after_commit",
            "mail/tests/test_imap_live.py::test_a_worker_killed_mid_processing_leaves_the_message_to_be_processed_again",
        ),
    ),
    Promise(
        "P6",
        "Questions about interests, likes and job types are optional.",
        (
            "accounts/tests/test_profile.py::test_every_question_is_marked_optional_and_none_is_required",
            "accounts/tests/test_profile.py::test_signup_does_not_ask_these_questions",
            "accounts/tests/test_profile.py::test_sending_the_form_empty_stores_nothing",
            "accounts/tests/test_profile.py::test_answers_can_be_changed_one_by_one",
            "accounts/tests/test_profile.py::test_answers_can_be_deleted",
            "accounts/tests/test_profile.py::test_deleting_answers_also_drops_answers_kept_from_a_form_sent_signed_out",
        ),
    ),
    Promise(
        "P7",
        "No disclosure to outside parties except as the policy describes.",
        (
            "privacy/tests/test_disclosures.py::test_privacy_officer_records_a_legal_requirement_disclosure_in_admin",
            "privacy/tests/test_disclosures.py::test_the_admin_records_through_the_one_function",
            "privacy/tests/test_disclosures.py::test_only_a_legal_requirement_may_be_hidden",
            "privacy/tests/test_disclosures.py::test_nobody_edits_or_deletes_an_entry_even_a_superuser",
            "privacy/tests/test_disclosures.py::test_my_privacy_shows_the_disclosures_of_my_data",
            "privacy/tests/test_disclosures.py::test_my_privacy_hides_entries_marked_not_to_be_shown",
            "privacy/tests/test_disclosures.py::test_my_privacy_shows_only_my_own_disclosures",
            "privacy/tests/test_analytics.py::test_each_export_is_recorded_as_a_disclosure_of_aggregates",
            "partners/tests/test_co_branding.py::test_every_export_is_recorded_as_a_disclosure_to_the_partner",
            "resumes/tests/test_disclosure.py::test_an_authorized_send_is_recorded_as_a_disclosure_of_the_owner",
            "resumes/tests/test_disclosure.py::test_sending_needs_the_resume_disclosure_election",
            "resumes/tests/test_disclosure.py::test_nothing_is_sent_without_an_authorization_for_that_recipient",
            "resumes/tests/test_disclosure.py::test_after_revocation_no_further_disclosure_to_that_recipient",
            "resumes/tests/test_disclosure.py::test_withdrawing_the_election_stops_sends_and_links",
        ),
    ),
    Promise(
        "P8",
        "Data entered on co-branded pages belongs to both; the partner's policy applies.",
        (
            "partners/tests/test_co_branding.py::test_signup_on_a_partner_host_shows_the_co_brand_notice",
            "partners/tests/test_co_branding.py::test_signup_on_a_partner_host_records_the_partner_and_the_notice_version",
            "orders/tests/test_checkout.py::test_checkout_on_a_partner_host_shows_the_notice_and_keeps_partner_and_version",
            "orders/tests/test_checkout.py::test_the_order_keeps_the_notice_version_in_force_when_it_was_placed",
            "partners/tests/test_co_branding.py::test_a_partner_export_holds_only_records_made_on_its_pages",
            "partners/tests/test_co_branding.py::test_a_partner_export_holds_only_the_fields_entered_there",
            "partners/tests/test_co_branding.py::test_every_export_is_recorded_as_a_disclosure_to_the_partner",
            "orders/tests/test_browser.py::test_buying_on_a_partner_site_with_the_sandbox",
        ),
    ),
    Promise(
        "P9",
        "Service providers act only on our behalf, and are listed.",
        (
            "privacy/tests/test_policy.py::test_listed_service_providers_are_shown_on_the_policy",
            "privacy/tests/test_policy.py::test_privacy_officer_maintains_the_provider_list_in_admin",
            "privacy/tests/test_policy.py::test_current_policy_covers_every_promise",
        ),
    ),
    Promise(
        "P10",
        "Resumes are strictly private.",
        (
            "resumes/tests/test_access.py::test_customer_pages_are_the_owners_alone",
            "resumes/tests/test_access.py::test_customer_actions_are_refused_to_everyone_else",
            "resumes/tests/test_access.py::test_admin_list_shows_each_role_only_what_it_may_see",
            "resumes/tests/test_access.py::test_admin_change_page_shows_content_only_to_writer_and_privacy_officer",
            "resumes/tests/test_access.py::test_admin_file_download_only_for_writer_and_privacy_officer",
            "resumes/tests/test_access.py::test_admin_draft_upload_only_for_the_assigned_writer",
            "resumes/tests/test_access.py::test_each_staff_view_and_download_is_logged",
            "resumes/tests/test_access.py::test_only_privacy_officers_read_the_access_log",
            "resumes/tests/test_access.py::test_nobody_can_edit_the_access_log",
            "resumes/tests/test_uploads.py::test_private_files_are_stored_outside_any_public_folder",
            "resumes/tests/test_uploads.py::test_an_upload_is_stored_privately_under_a_random_name",
            "resumes/tests/test_uploads.py::test_the_owner_downloads_an_upload_as_an_attachment_with_nosniff",
            "resumes/tests/test_uploads.py::test_a_refused_file_gets_a_clear_error_and_leaves_nothing_behind",
            "resumes/tests/test_disclosure.py::test_sending_needs_the_resume_disclosure_election",
            "resumes/tests/test_disclosure.py::test_after_revocation_no_further_disclosure_to_that_recipient",
            "resumes/tests/test_personal_data.py::test_erase_removes_the_files_from_storage_and_the_content",
            # The access walker: every URL of the site, resumes' among them.
            "careerperfect/tests/test_access_walker.py::test_every_named_url_is_in_exactly_one_table",
            "careerperfect/tests/test_access_walker.py::test_owned_urls_answer_another_person_with_404_and_change_nothing",
            "careerperfect/tests/test_access_walker.py::test_owned_urls_send_a_visitor_to_sign_in_or_answer_404",
            "careerperfect/tests/test_access_walker.py::test_capability_links_work_with_their_token_and_refuse_a_forged_one",
            "careerperfect/tests/test_access_walker.py::test_staff_only_urls_are_refused_to_everyone_without_the_permission",
            "careerperfect/tests/test_access_walker.py::test_signed_in_pages_show_another_person_nothing_of_alices",
        ),
    ),
    Promise(
        "P11",
        "Assessment results are strictly private.",
        (
            "assessments/tests/test_partner.py::test_the_partner_receives_only_the_token_the_instrument_and_the_answers",
            "assessments/tests/test_partner.py::test_the_strict_check_catches_a_payload_with_anything_more",
            "assessments/tests/test_access.py::test_nobody_but_the_owner_reaches_a_sitting_or_its_result",
            "assessments/tests/test_access.py::test_only_the_privacy_officer_permission_opens_the_staff_view",
            "assessments/tests/test_access.py::test_every_privacy_officer_view_is_logged",
            "assessments/tests/test_access.py::test_answers_and_results_are_not_in_the_admin",
            "assessments/tests/test_access.py::test_the_sittings_admin_shows_status_and_timing_only",
            "assessments/tests/test_results.py::test_results_are_not_cached_by_browsers_or_proxies",
            "assessments/tests/test_personal_data.py::test_the_export_holds_every_sitting_with_answers_and_results",
            # The access walker: every URL of the site, assessments' among them.
            "careerperfect/tests/test_access_walker.py::test_every_named_url_is_in_exactly_one_table",
            "careerperfect/tests/test_access_walker.py::test_owned_urls_answer_another_person_with_404_and_change_nothing",
            "careerperfect/tests/test_access_walker.py::test_owned_urls_send_a_visitor_to_sign_in_or_answer_404",
            "careerperfect/tests/test_access_walker.py::test_staff_only_urls_are_refused_to_everyone_without_the_permission",
            "careerperfect/tests/test_access_walker.py::test_signed_in_pages_show_another_person_nothing_of_alices",
        ),
    ),
    Promise(
        "P12",
        "Card data never reaches or is stored by our servers.",
        (
            "orders/tests/test_card_data.py::test_after_checkout_no_table_holds_a_card_number",
            "orders/tests/test_card_data.py::test_no_form_on_the_site_has_a_card_field",
            "orders/tests/test_card_data.py::test_payments_keep_only_references_brand_last4_amount_currency_and_status",
            "orders/tests/test_sandbox_payment.py::test_the_sandbox_page_asks_for_no_card_details",
            "orders/tests/test_stripe.py::test_a_bad_signature_is_answered_400_and_changes_nothing",
            "orders/tests/test_stripe.py::test_a_stale_timestamp_is_answered_400",
            "orders/tests/test_stripe.py::test_a_payment_that_does_not_match_the_order_does_not_pay_it",
        ),
    ),
    Promise(
        "P13",
        "Every cookie is listed with its purpose, and non-essential ones can be refused.",
        (
            "privacy/tests/test_cookie_crawl.py::test_no_page_sets_an_unlisted_cookie_or_an_optional_one_without_consent",
            "privacy/tests/test_cookie_crawl.py::test_the_crawl_finds_a_page_added_later_that_sets_an_unlisted_cookie",
            "privacy/tests/test_cookie_crawl.py::test_the_crawl_finds_an_optional_cookie_set_without_consent",
            "privacy/tests/test_cookies.py::test_cookies_page_is_generated_from_the_registry",
            "privacy/tests/test_cookies.py::test_rejecting_stores_only_necessary_in_a_necessary_cookie_and_redirects_back",
            "privacy/tests/test_cookies.py::test_signing_in_sets_no_preferences_cookie_without_consent",
            "privacy/tests/test_cookies.py::test_rejecting_preferences_deletes_the_remembered_email",
            "privacy/tests/test_cookies.py::test_a_signed_in_persons_choice_is_a_cookie_banner_ledger_event",
            "privacy/tests/test_browser.py::test_rejecting_non_essential_cookies_leaves_the_site_working",
        ),
    ),
    Promise(
        "P14",
        "Feedback may be used in marketing; success stories only with opt-in.",
        (
            "feedback/tests/test_feedback_form.py::test_the_form_says_feedback_becomes_ours_and_may_be_used_in_marketing",
            "feedback/tests/test_feedback_form.py::test_publishing_is_a_separate_unticked_opt_in",
            "feedback/tests/test_success_stories.py::test_only_approved_feedback_whose_author_opted_in_is_shown",
            "feedback/tests/test_success_stories.py::test_the_author_withdrawing_unpublishes_at_once",
            "feedback/tests/test_success_stories.py::test_a_guest_withdraws_through_the_emailed_link_and_get_alone_changes_nothing",
            "feedback/tests/test_moderation.py::test_the_change_form_changes_only_the_status",
        ),
    ),
    Promise(
        "P15",
        "Nothing is collected from children below the minimum age.",
        (
            "accounts/tests/test_signup.py::test_signup_below_minimum_age_stores_nothing",
            "accounts/tests/test_signup.py::test_minimum_age_comes_from_settings",
            "contests/tests/test_entry.py::test_below_the_minimum_age_nothing_is_stored_and_the_page_says_why",
            "contests/tests/test_entry.py::test_the_minimum_age_comes_from_settings",
            "orders/tests/test_checkout.py::test_checkout_below_minimum_age_stores_nothing",
        ),
    ),
    Promise(
        "P16",
        "Changes to the policy are posted, with the versions kept.",
        (
            "privacy/tests/test_policy.py::test_privacy_page_shows_version_2_in_force",
            "privacy/tests/test_policy.py::test_archive_lists_every_published_version_with_summaries_but_no_drafts",
            "privacy/tests/test_policy.py::test_an_old_version_stays_readable_and_says_it_is_not_current",
            "privacy/tests/test_policy.py::test_changes_page_shows_the_words_changed_in_a_paragraph",
            "privacy/tests/test_policy.py::test_publishing_makes_a_draft_current_from_its_effective_date",
            "privacy/tests/test_policy.py::test_a_version_taking_effect_later_does_not_replace_the_current_one_yet",
            "privacy/tests/test_policy.py::test_consent_events_record_the_version_in_force_when_they_happen",
            "privacy/tests/test_policy.py::test_a_published_version_cannot_be_edited_or_deleted_in_admin",
            "privacy/tests/test_policy.py::test_policy_markdown_is_sanitised",
            "privacy/tests/test_policy.py::test_publishing_mails_a_change_notice_to_those_who_allowed_site_updates_only",
        ),
    ),
    Promise(
        "P17",
        "The contact address and phone are published.",
        (
            "privacy/tests/test_policy.py::test_policy_text_shows_the_contact_details_and_age_from_settings",
            "privacy/tests/test_policy.py::test_safe_and_secure_page_shows_its_own_current_version",
            "careerperfect/tests/test_pages.py::test_contact_details_come_from_settings",
        ),
    ),
)
