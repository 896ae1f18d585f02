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
        ),
    ),
    Promise("P5", "Anyone can opt out by e-mailing “remove” in the subject line."),
    Promise("P6", "Questions about interests, likes and job types are optional."),
    Promise(
        "P7",
        "No disclosure to outside parties except as the policy describes.",
        (
            "partners/tests/test_co_branding.py::test_every_export_is_recorded_as_a_disclosure_to_the_partner",
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
    Promise("P9", "Service providers act only on our behalf, and are listed."),
    Promise("P10", "Resumes are strictly private."),
    Promise("P11", "Assessment results are strictly private."),
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
        "P13", "Every cookie is listed with its purpose, and non-essential ones can be refused."
    ),
    Promise("P14", "Feedback may be used in marketing; success stories only with opt-in."),
    Promise(
        "P15",
        "Nothing is collected from children below the minimum age.",
        (
            "accounts/tests/test_signup.py::test_signup_below_minimum_age_stores_nothing",
            "accounts/tests/test_signup.py::test_minimum_age_comes_from_settings",
            "orders/tests/test_checkout.py::test_checkout_below_minimum_age_stores_nothing",
        ),
    ),
    Promise("P16", "Changes to the policy are posted, with the versions kept."),
    Promise("P17", "The contact address and phone are published."),
)
