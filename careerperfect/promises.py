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
        (
            "contests/tests/test_entry.py::test_the_entry_form_asks_only_what_a_contest_needs",
            "contests/tests/test_entry.py::test_each_personal_field_says_why_it_is_asked",
        ),
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
    Promise(
        "P6",
        "Questions about interests, likes and job types are optional.",
        (
            "accounts/tests/test_profile.py::test_every_question_is_marked_optional_and_none_is_required",
            "accounts/tests/test_profile.py::test_signup_does_not_ask_these_questions",
            "accounts/tests/test_profile.py::test_sending_the_form_empty_stores_nothing",
            "accounts/tests/test_profile.py::test_answers_can_be_changed_one_by_one",
            "accounts/tests/test_profile.py::test_answers_can_be_deleted",
        ),
    ),
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
        ),
    ),
    Promise("P16", "Changes to the policy are posted, with the versions kept."),
    Promise("P17", "The contact address and phone are published."),
)
