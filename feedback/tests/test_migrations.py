"""Data migrations of feedback, run on rows as they stood before them."""

import pytest

from careerperfect.tests.migrations import _latest_schema_after, migrate  # noqa: F401


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_addresses_kept_as_typed_are_normalized():
    old = migrate(("feedback", "0003_feedback_submission_key"))
    Feedback = old.get_model("feedback", "Feedback")
    # Kept before forms refused it: 214 characters as typed, 256 in ASCII.
    too_long = "a" * 64 + "@" + ".".join(["ü" * 20] * 7) + ".de"
    for email in ["Alice@Bücher.de", "bob@example.com", "", too_long]:
        Feedback.objects.create(body=email or "No address.", email=email)

    new = migrate(("feedback", "0004_feedback_email_normalized"))

    emails = new.get_model("feedback", "Feedback").objects.values_list("email", flat=True)
    assert sorted(emails) == ["", too_long, "alice@xn--bcher-kva.de", "bob@example.com"]
