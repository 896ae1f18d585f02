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
    Promise("P1", "Visitor data is used only anonymously and in aggregate."),
    Promise("P2", "Partners receive aggregate figures only."),
    Promise(
        "P3",
        "Specific personal data is asked for only at signup, contest entry or purchase.",
    ),
    Promise(
        "P4",
        "Marketing and site-change e-mail is sent only with the person's permission.",
        (
            "accounts/tests/test_signup.py::test_elections_are_unticked_by_default",
            "accounts/tests/test_signup.py::test_signup_without_ticks_records_no_consent",
            "accounts/tests/test_signup.py::test_each_ticked_election_records_one_signup_grant",
            # Campaigns: only granted elections, checked again when each message is sent.
            "mail/tests/test_campaigns.py::test_a_campaign_goes_only_to_granted_elections_of_its_kind",
            "mail/tests/test_campaigns.py::test_a_queued_campaign_does_not_reach_an_address_withdrawn_after_queueing",
            "mail/tests/test_campaigns.py::test_a_campaign_message_already_handed_over_is_checked_again_when_it_is_sent",
            "mail/tests/test_campaigns.py::test_running_the_fan_out_again_creates_no_second_delivery",
            "mail/tests/test_campaigns.py::test_one_click_get_shows_a_button_and_changes_nothing",
            "mail/tests/test_campaigns.py::test_one_click_post_unsubscribes_without_login_or_csrf_token",
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
    Promise("P6", "Questions about interests, likes and job types are optional."),
    Promise("P7", "No disclosure to outside parties except as the policy describes."),
    Promise(
        "P8", "Data entered on co-branded pages belongs to both; the partner's policy applies."
    ),
    Promise("P9", "Service providers act only on our behalf, and are listed."),
    Promise("P10", "Resumes are strictly private."),
    Promise("P11", "Assessment results are strictly private."),
    Promise("P12", "Card data never reaches or is stored by our servers."),
    Promise(
        "P13", "Every cookie is listed with its purpose, and non-essential ones can be refused."
    ),
    Promise("P14", "Feedback may be used in marketing; success stories only with opt-in."),
    Promise(
        "P15",
        "Nothing is collected from children below the minimum age.",
        (
            "accounts/tests/test_signup.py::test_signup_below_minimum_age_stores_nothing",
            "accounts/tests/test_signup.py::test_minimum_age_comes_from_settings",
        ),
    ),
    Promise("P16", "Changes to the policy are posted, with the versions kept."),
    Promise("P17", "The contact address and phone are published."),
)
