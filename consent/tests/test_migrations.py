"""Data migrations of the consent ledger, run on rows as they stood before them."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from careerperfect.tests.migrations import _latest_schema_after, migrate  # noqa: F401
from consent.models import email_digest


def una_filed_under_idna_2003(apps):
    """Una's account at straße.de, and its subject as filed before: strasse.de."""
    user = apps.get_model("accounts", "User").objects.create(
        email="una@straße.de", name="Una", password="!"
    )
    subject = apps.get_model("consent", "Subject").objects.create(
        email="una@strasse.de", email_digest=email_digest("una@strasse.de"), user=user
    )
    return user, subject


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_account_filed_under_the_idna_2003_form_of_its_domain_moves_to_its_own():
    old = migrate(("consent", "0006_election_awaiting"))
    una_filed_under_idna_2003(old)
    Subject = old.get_model("consent", "Subject")
    Subject.objects.create(email="bare@strasse.de", email_digest=email_digest("bare@strasse.de"))

    new = migrate(("consent", "0007_subjects_renormalized"))

    Subject = new.get_model("consent", "Subject")
    moved = Subject.objects.get(user__isnull=False)
    assert (moved.email, moved.email_digest) == (
        "una@xn--strae-oqa.de",
        email_digest("una@xn--strae-oqa.de"),
    )
    assert Subject.objects.filter(email="bare@strasse.de").exists()


def _marketing(apps, subject, *, granted, at):
    event = apps.get_model("consent", "ConsentEvent").objects.create(
        subject=subject,
        purpose="marketing",
        granted=granted,
        source="signup" if granted else "e-mail",
        occurred_at=at,
        evidence={},
    )
    apps.get_model("consent", "Election").objects.create(
        subject=subject, purpose="marketing", granted=granted, occurred_at=at, event=event
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_remove_filed_under_the_new_form_is_merged_into_the_account():
    # Her "remove" came from una@xn--strae-oqa.de, as mail systems write the address,
    # and was filed apart from her account's subject (una@strasse.de).
    old = migrate(("consent", "0006_election_awaiting"))
    user, account = una_filed_under_idna_2003(old)
    EmailAddress.objects.create(user_id=user.pk, email="una@straße.de", verified=True)
    Subject = old.get_model("consent", "Subject")
    removal = Subject.objects.create(
        email="una@xn--strae-oqa.de", email_digest=email_digest("una@xn--strae-oqa.de")
    )
    now = timezone.now()
    _marketing(old, account, granted=True, at=now - timedelta(days=10))
    _marketing(old, removal, granted=False, at=now)

    new = migrate(("consent", "0007_subjects_renormalized"))

    election = new.get_model("consent", "Election").objects.get(subject__user=user.pk)
    assert election.subject.email == "una@xn--strae-oqa.de"
    assert not election.granted


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_erased_subject_holding_the_new_key_is_left_alone():
    old = migrate(("consent", "0006_election_awaiting"))
    user, _ = una_filed_under_idna_2003(old)
    Subject = old.get_model("consent", "Subject")
    Subject.objects.create(email=None, email_digest=email_digest("una@xn--strae-oqa.de"))

    new = migrate(("consent", "0007_subjects_renormalized"))

    # Her address is not verified: nothing of the erased address's becomes hers.
    account = new.get_model("consent", "Subject").objects.get(user=user.pk)
    assert account.email == "una@strasse.de"
