"""Concurrent changes to one person's consent, on PostgreSQL's real row locks."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from careerperfect.tests.row_locks import wait_for_a_blocked_lock
from consent.models import ConsentEvent, Subject
from consent.purposes import Purpose, Source
from consent.selectors import consent_is_granted
from consent.services import consent_grant, consent_withdraw_for_address, subjects_get_or_create

EMAIL = "racer@example.com"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_that_waited_for_the_lock_sees_what_was_decided_meanwhile():
    now = timezone.now()
    consent_grant(
        email=EMAIL,
        purpose=Purpose.MARKETING,
        source=Source.SIGNUP,
        occurred_at=now - timedelta(hours=2),
    )
    subject = Subject.objects.get(email=EMAIL)
    errors = []

    def remove_sent_an_hour_ago():
        try:
            consent_withdraw_for_address(
                email=EMAIL,
                purposes=[Purpose.MARKETING],
                source=Source.EMAIL,
                occurred_at=now - timedelta(hours=1),
            )
        except Exception as error:  # Reported below, from the test's own thread.
            errors.append(error)
        finally:
            connection.close()

    other = threading.Thread(target=remove_sent_an_hour_ago)
    with transaction.atomic():
        Subject.objects.select_for_update().get(pk=subject.pk)
        other.start()
        wait_for_a_blocked_lock()
        # While the "remove" waits, the person opts in again, later than it was sent.
        consent_grant(email=EMAIL, purpose=Purpose.MARKETING, source=Source.PREFERENCES)
    other.join(timeout=30)

    assert not other.is_alive()
    assert errors == []
    assert ConsentEvent.objects.filter(subject=subject).count() == 3
    assert consent_is_granted(email=EMAIL, purpose=Purpose.MARKETING)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_grant_that_waited_while_the_address_changed_waits_for_the_new_one():
    from accounts.tests.factories import UserFactory
    from consent.selectors import consent_granted_subjects

    user = UserFactory(email="before@example.com")
    consent_grant(user=user, purpose=Purpose.SITE_UPDATES, source=Source.SIGNUP)
    subject = Subject.objects.get(user=user)
    errors = []

    def opt_in_on_my_privacy():
        try:
            consent_grant(user=user, purpose=Purpose.MARKETING, source=Source.PREFERENCES)
        except Exception as error:  # Reported below, from the test's own thread.
            errors.append(error)
        finally:
            connection.close()

    other = threading.Thread(target=opt_in_on_my_privacy)
    with transaction.atomic():
        Subject.objects.select_for_update().get(pk=subject.pk)
        other.start()
        wait_for_a_blocked_lock()
        # Meanwhile staff type in a new address for the account, not verified.
        user.email = "typed@example.com"
        user.save()
    other.join(timeout=30)

    assert not other.is_alive()
    assert errors == []
    assert consent_is_granted(user=user, purpose=Purpose.MARKETING)
    assert list(consent_granted_subjects(purpose=Purpose.MARKETING)) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_batches_creating_one_address_at_once_end_with_its_one_subject():
    found, errors = [], []

    def export_meanwhile():
        try:
            found.append(subjects_get_or_create(emails=["shared@example.com", "own@example.com"]))
        except Exception as error:  # Reported below, from the test's own thread.
            errors.append(error)
        finally:
            connection.close()

    other = threading.Thread(target=export_meanwhile)
    with transaction.atomic():
        _, ours = subjects_get_or_create(emails=["shared@example.com"])
        other.start()
        # The other batch did not see our subject, and waits to create its own.
        wait_for_a_blocked_lock()
    other.join(timeout=30)

    assert not other.is_alive()
    assert errors == []
    _, theirs = found[0]
    assert theirs["shared@example.com"] == ours["shared@example.com"]
    assert theirs["own@example.com"].email == "own@example.com"
    assert Subject.objects.count() == 2
