import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.tests.factories import UserFactory
from feedback import personal_data
from feedback.models import Feedback
from feedback.tests.factories import FeedbackFactory, story


@pytest.mark.django_db
def test_the_export_holds_feedback_sent_signed_in_or_from_a_verified_address():
    alice = UserFactory(email="alice@example.com")
    EmailAddress.objects.create(user=alice, email="unproven@example.com", verified=False)
    FeedbackFactory(user=alice, body="Signed in.")
    FeedbackFactory(email="ALICE@example.com", body="As a guest, before signing up.")
    FeedbackFactory(email="unproven@example.com", body="Not proven hers.")
    FeedbackFactory(email="bob@example.com", body="Bob's.")

    bodies = {f["feedback"] for f in personal_data.export(alice)["feedback"]}

    assert bodies == {"Signed in.", "As a guest, before signing up."}


@pytest.mark.django_db
def test_erasing_unlinks_and_unpublishes_but_keeps_the_text():
    alice = UserFactory(email="alice@example.com")
    mine = story(user=alice, name="Alice", email="alice@example.com", body="Kept text.")
    bobs = story(email="bob@example.com")

    personal_data.erase(alice)

    mine.refresh_from_db()
    assert (mine.user, mine.name, mine.email, mine.display_name, mine.publish) == (
        None,
        "",
        "",
        "",
        False,
    )
    assert mine.body == "Kept text."
    assert mine.status == Feedback.Status.APPROVED
    bobs.refresh_from_db()
    assert bobs.is_published


@pytest.mark.django_db
def test_a_story_sent_with_the_address_in_its_unicode_form_is_erased_with_the_account(client):
    alice = UserFactory(email="alice@xn--bcher-kva.de")
    client.post(
        reverse("feedback:new"),
        {
            "body": "Sent before signing up.",
            "email": "alice@bücher.de",
            "publish": "on",
            "display_name": "Alice",
        },
    )
    Feedback.objects.update(status=Feedback.Status.APPROVED)

    assert [f["feedback"] for f in personal_data.export(alice)["feedback"]] == [
        "Sent before signing up."
    ]
    personal_data.erase(alice)

    assert not Feedback.objects.get().is_published
