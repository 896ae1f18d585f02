"""An account's consent follows the person when their address changes, and a "stop"
on My privacy covers every address of theirs (P4)."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.utils import timezone

from accounts.models import User
from accounts.services import account_elections_update, account_signup_complete
from accounts.tests.factories import UserFactory
from consent.models import Subject
from consent.personal_data import export as export_consent
from consent.purposes import Purpose, Source
from consent.selectors import (
    consent_current_elections,
    consent_granted_subjects,
    consent_history,
    consent_is_granted,
)
from consent.services import consent_grant, consent_withdraw, subject_find

pytestmark = pytest.mark.django_db


def signed_up(email: str, *elections: Purpose):
    user = UserFactory(email=email)
    account_signup_complete(user=user, name="Una", elections=elections)
    return user


def make_primary(user, email: str) -> None:
    """What allauth does when the person makes a verified address their primary one."""
    address, _ = EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True}
    )
    address.set_as_primary()


def marketing_recipients() -> list[str]:
    return [email for _, email in consent_granted_subjects(purpose=Purpose.MARKETING)]


def test_campaigns_follow_the_account_to_its_new_address():
    user = signed_up("old@example.com", Purpose.MARKETING)

    make_primary(user, "new@example.com")

    assert marketing_recipients() == ["new@example.com"]
    assert consent_is_granted(user=user, purpose=Purpose.MARKETING)
    assert subject_find(email="old@example.com") is None
    assert [event.source for event in consent_history(user=user)] == [Source.SIGNUP]


def test_the_next_owner_of_a_given_up_address_starts_with_no_consent():
    una = signed_up("old@example.com", Purpose.MARKETING)
    make_primary(una, "new@example.com")
    EmailAddress.objects.filter(user=una, email="old@example.com").delete()

    vic = signed_up("old@example.com")
    account_elections_update(user=vic, wanted={Purpose.SITE_UPDATES: True})

    assert marketing_recipients() == ["new@example.com"]
    assert consent_is_granted(user=una, purpose=Purpose.MARKETING)
    assert not consent_is_granted(user=una, purpose=Purpose.SITE_UPDATES)
    assert not consent_is_granted(user=vic, purpose=Purpose.MARKETING)
    assert [event.source for event in consent_history(user=vic)] == [Source.PREFERENCES]
    assert Subject.objects.get(user=vic) != Subject.objects.get(user=una)


def test_a_newer_remove_of_the_new_address_wins_over_the_accounts_older_grant():
    now = timezone.now()
    user = UserFactory(email="old@example.com")
    consent_grant(
        user=user, purpose=Purpose.MARKETING, source=Source.SIGNUP, occurred_at=now - timedelta(3)
    )
    consent_withdraw(
        email="new@example.com",
        purpose=Purpose.MARKETING,
        source=Source.EMAIL,
        occurred_at=now - timedelta(1),
    )

    make_primary(user, "new@example.com")

    assert marketing_recipients() == []
    history = list(consent_history(user=user))
    assert [(e.source, e.granted) for e in history] == [
        (Source.ADDRESS_CHANGE, False),
        (Source.EMAIL, False),
        (Source.SIGNUP, True),
    ]
    assert history[0].occurred_at == now - timedelta(1)
    assert consent_current_elections(user=user) == [history[0]]


def test_an_older_guest_choice_of_the_new_address_does_not_override_the_account():
    now = timezone.now()
    consent_grant(
        email="new@example.com",
        purpose=Purpose.MARKETING,
        source=Source.CHECKOUT,
        occurred_at=now - timedelta(5),
    )
    user = UserFactory(email="old@example.com")
    consent_withdraw(
        user=user,
        purpose=Purpose.MARKETING,
        source=Source.PREFERENCES,
        occurred_at=now - timedelta(1),
    )

    make_primary(user, "new@example.com")

    assert not consent_is_granted(user=user, purpose=Purpose.MARKETING)
    assert marketing_recipients() == []
    # The guest choice is still shown as the person's history, and is not current.
    assert [e.source for e in consent_history(user=user)] == [Source.PREFERENCES, Source.CHECKOUT]
    assert [e.source for e in consent_current_elections(user=user)] == [Source.PREFERENCES]


def test_a_change_that_is_not_the_address_leaves_the_subject_alone(
    django_assert_num_queries,
):
    user = signed_up("una@example.com", Purpose.MARKETING)
    subject = Subject.objects.get(user=user)

    user.name = "Una Other"
    user.save(update_fields=["name"])
    with django_assert_num_queries(2):  # the save, and finding nothing to follow
        user.save()

    assert Subject.objects.get(pk=subject.pk).email == "una@example.com"


def test_stopping_on_my_privacy_covers_a_second_address_with_its_own_consent():
    consent_grant(
        email="second@example.com",
        purpose=Purpose.MARKETING,
        source=Source.CHECKOUT,
        owner_confirmed=True,
    )
    user = signed_up("first@example.com")
    EmailAddress.objects.create(user=user, email="second@example.com", verified=True)
    assert marketing_recipients() == ["second@example.com"]

    changed = account_elections_update(user=user, wanted={Purpose.MARKETING: False})

    assert changed == [Purpose.MARKETING]
    assert marketing_recipients() == []
    assert not consent_is_granted(email="second@example.com", purpose=Purpose.MARKETING)


def test_an_unverified_second_address_is_not_stopped_by_the_account():
    consent_grant(
        email="claimed@example.com",
        purpose=Purpose.MARKETING,
        source=Source.CHECKOUT,
        owner_confirmed=True,  # By its owner, through our link.
    )
    user = signed_up("first@example.com")
    EmailAddress.objects.create(user=user, email="claimed@example.com", verified=False)

    account_elections_update(user=user, wanted={Purpose.MARKETING: False})

    assert marketing_recipients() == ["claimed@example.com"]


def test_an_unconfirmed_address_set_by_staff_takes_no_strangers_consent_until_confirmed():
    consent_grant(email="typed@example.com", purpose=Purpose.MARKETING, source=Source.CONTEST)
    user = signed_up("una@example.com")

    user.email = "typed@example.com"
    user.save()

    assert [e.source for e in consent_history(user=user)] == []
    assert Subject.objects.get(user=user).email == "una@example.com"
    address = EmailAddress.objects.create(user=user, email="typed@example.com")
    address.verified = True
    address.save()
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    assert Subject.objects.get(user=user).email == "typed@example.com"
    assert [e.source for e in consent_history(user=user)] == [
        Source.ADDRESS_CHANGE,
        Source.CONTEST,
    ]


def test_a_subject_left_on_a_former_address_by_another_account_moves_out_of_the_way():
    # As an address change before subjects followed addresses left it.
    ann = signed_up("shared@example.com", Purpose.MARKETING)
    User.objects.filter(pk=ann.pk).update(email="ann.now@example.com")
    EmailAddress.objects.filter(user=ann).update(email="ann.now@example.com")
    ann.refresh_from_db()
    bob = signed_up("bob@example.com")

    make_primary(bob, "shared@example.com")

    assert Subject.objects.get(user=bob).email == "shared@example.com"
    assert Subject.objects.get(user=ann).email == "ann.now@example.com"
    assert consent_is_granted(user=ann, purpose=Purpose.MARKETING)
    assert not consent_is_granted(user=bob, purpose=Purpose.MARKETING)


def test_erasing_after_a_merge_leaves_the_merged_history_to_no_one():
    from accounts.services import account_erase

    consent_grant(email="new@example.com", purpose=Purpose.SITE_UPDATES, source=Source.CONTEST)
    una = signed_up("old@example.com", Purpose.MARKETING)
    make_primary(una, "new@example.com")
    merged = Subject.objects.get(merged_into__user=una)
    exported = [entry["merged_into_account"] for entry in export_consent(una)["addresses"]]

    account_erase(user=una)
    vic = signed_up("new@example.com")

    assert sorted(exported) == [False, True]
    assert not merged.events.exclude(source=Source.CONTEST).exists()
    assert not merged.elections.exists()
    assert Source.CONTEST not in [event.source for event in consent_history(user=vic)]
    assert not consent_is_granted(user=vic, purpose=Purpose.SITE_UPDATES)


def test_a_choice_on_its_way_when_its_address_is_merged_lands_on_the_account():
    from unittest import mock

    from consent import services

    stale = services.subject_get_or_create(email="new@example.com")
    una = signed_up("old@example.com")
    make_primary(una, "new@example.com")

    with mock.patch.object(services, "subject_get_or_create", return_value=stale):
        consent_grant(
            email="new@example.com",
            purpose=Purpose.MARKETING,
            source=Source.UNDO_LINK,
            owner_confirmed=True,
        )

    assert consent_is_granted(user=una, purpose=Purpose.MARKETING)
    assert not stale.events.exists()
    assert marketing_recipients() == ["new@example.com"]
