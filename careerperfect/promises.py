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
        ),
    ),
    Promise("P5", "Anyone can opt out by e-mailing “remove” in the subject line."),
    Promise("P6", "Questions about interests, likes and job types are optional."),
    Promise(
        "P7",
        "No disclosure to outside parties except as the policy describes.",
        (
            "resumes/tests/test_disclosure.py::test_an_authorized_send_is_recorded_as_a_disclosure_of_the_owner",
            "resumes/tests/test_disclosure.py::test_sending_needs_the_resume_disclosure_election",
            "resumes/tests/test_disclosure.py::test_nothing_is_sent_without_an_authorization_for_that_recipient",
            "resumes/tests/test_disclosure.py::test_after_revocation_no_further_disclosure_to_that_recipient",
            "resumes/tests/test_disclosure.py::test_withdrawing_the_election_stops_sends_and_links",
        ),
    ),
    Promise(
        "P8", "Data entered on co-branded pages belongs to both; the partner's policy applies."
    ),
    Promise("P9", "Service providers act only on our behalf, and are listed."),
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
        ),
    ),
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
