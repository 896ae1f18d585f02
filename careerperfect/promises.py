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
    Promise("P7", "No disclosure to outside parties except as the policy describes."),
    Promise(
        "P8", "Data entered on co-branded pages belongs to both; the partner's policy applies."
    ),
    Promise("P9", "Service providers act only on our behalf, and are listed."),
    Promise("P10", "Resumes are strictly private."),
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
        ),
    ),
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
