from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.tests.factories import UserFactory
from consent.models import ConsentEvent, Election, Subject, email_normalize
from consent.purposes import Purpose, Source
from consent.selectors import (
    consent_current_elections,
    consent_history,
    consent_is_granted,
    consent_withdrawn_since,
)
from consent.services import (
    consent_grant,
    consent_withdraw,
    consent_withdraw_for_address,
    subject_get_or_create,
)
from privacy.selectors import policy_version_current

EMAIL = "jobseeker@example.com"


@pytest.fixture
def now():
    return timezone.now()


@pytest.mark.django_db
def test_an_older_withdrawal_does_not_undo_a_newer_grant(now):
    consent_grant(
        email=EMAIL, purpose=Purpose.MARKETING, source=Source.PREFERENCES, occurred_at=now
    )

    late = consent_withdraw(
        email=EMAIL,
        purpose=Purpose.MARKETING,
        source=Source.EMAIL,
        occurred_at=now - timedelta(minutes=5),
    )

    assert consent_is_granted(email=EMAIL, purpose=Purpose.MARKETING)
    assert ConsentEvent.objects.filter(pk=late.pk).exists(), "the late event is still recorded"


@pytest.mark.django_db
def test_a_newer_withdrawal_undoes_an_older_grant(now):
    consent_grant(email=EMAIL, purpose=Purpose.MARKETING, source=Source.SIGNUP, occurred_at=now)

    consent_withdraw(
        email=EMAIL,
        purpose=Purpose.MARKETING,
        source=Source.EMAIL,
        occurred_at=now + timedelta(seconds=1),
    )

    assert not consent_is_granted(email=EMAIL, purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_an_older_grant_does_not_undo_a_newer_withdrawal(now):
    consent_withdraw(
        email=EMAIL, purpose=Purpose.SITE_UPDATES, source=Source.EMAIL, occurred_at=now
    )

    consent_grant(
        email=EMAIL,
        purpose=Purpose.SITE_UPDATES,
        source=Source.CHECKOUT,
        occurred_at=now - timedelta(hours=1),
    )

    assert not consent_is_granted(email=EMAIL, purpose=Purpose.SITE_UPDATES)
    election = Election.objects.get()
    assert election.event.source == Source.EMAIL


@pytest.mark.django_db
def test_a_withdrawal_after_a_moment_is_known_whatever_was_granted_again_since():
    user = UserFactory()
    purpose = Purpose.RESUME_DISCLOSURE
    consent_withdraw(user=user, purpose=purpose, source=Source.PREFERENCES)
    consent_grant(user=user, purpose=purpose, source=Source.PREFERENCES)
    moment = timezone.now()
    assert not consent_withdrawn_since(user=user, purpose=purpose, since=moment)

    consent_withdraw(user=user, purpose=Purpose.MARKETING, source=Source.PREFERENCES)
    assert not consent_withdrawn_since(user=user, purpose=purpose, since=moment)

    # Happened before the moment, but we learned of it only after.
    consent_withdraw(
        user=user,
        purpose=purpose,
        source=Source.EMAIL,
        occurred_at=moment - timedelta(minutes=5),
    )
    consent_grant(user=user, purpose=purpose, source=Source.PREFERENCES)
    assert consent_withdrawn_since(user=user, purpose=purpose, since=moment)
    assert not consent_withdrawn_since(user=UserFactory(), purpose=purpose, since=moment)


@pytest.mark.django_db
def test_purposes_are_independent():
    consent_grant(email=EMAIL, purpose=Purpose.SITE_UPDATES, source=Source.SIGNUP)

    assert consent_is_granted(email=EMAIL, purpose=Purpose.SITE_UPDATES)
    assert not consent_is_granted(email=EMAIL, purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_no_record_means_not_granted():
    assert not consent_is_granted(email="nobody@example.com", purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_addresses_are_one_subject_whatever_their_case():
    consent_grant(email="JobSeeker@Example.COM", purpose=Purpose.MARKETING, source=Source.SIGNUP)
    consent_withdraw(
        email=" jobseeker@example.com ", purpose=Purpose.MARKETING, source=Source.EMAIL
    )

    assert Subject.objects.count() == 1
    assert Subject.objects.get().email == "jobseeker@example.com"
    assert not consent_is_granted(email="JOBSEEKER@example.com", purpose=Purpose.MARKETING)


def test_normalization_lowercases_and_encodes_the_domain():
    assert email_normalize("  Jo.Seeker@Exämple.COM ") == "jo.seeker@xn--exmple-cua.com"
    with pytest.raises(ValueError):
        email_normalize("not-an-address")


@pytest.mark.django_db
def test_events_are_append_only():
    event = consent_grant(email=EMAIL, purpose=Purpose.MARKETING, source=Source.SIGNUP)

    event.granted = False
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        ConsentEvent.objects.filter(pk=event.pk).update(granted=False)
    with pytest.raises(TypeError):
        ConsentEvent.objects.all().delete()
    assert ConsentEvent.objects.get(pk=event.pk).granted


@pytest.mark.django_db
def test_an_event_records_source_version_actor_and_evidence():
    staff = UserFactory(is_staff=True)

    event = consent_withdraw(
        email=EMAIL,
        purpose=Purpose.MARKETING,
        source=Source.ADMIN,
        actor=staff,
        evidence={"ticket": "T-1"},
    )

    event.refresh_from_db()
    assert event.source == Source.ADMIN
    assert event.actor == staff
    assert event.evidence == {"ticket": "T-1"}
    assert event.policy_version == policy_version_current()
    assert event.recorded_at is not None


@pytest.mark.django_db
def test_a_user_and_their_address_are_one_subject():
    user = UserFactory(email="Person@Example.com")

    consent_grant(user=user, purpose=Purpose.MARKETING, source=Source.SIGNUP)

    assert consent_is_granted(email="person@example.com", purpose=Purpose.MARKETING)
    assert Subject.objects.get().user == user


@pytest.mark.django_db
def test_withdraw_for_address_covers_every_account_with_it_verified():
    owner = UserFactory(email="main@example.com")
    EmailAddress.objects.create(user=owner, email="alias@example.com", verified=True)
    unverified = UserFactory(email="other@example.com")
    EmailAddress.objects.create(user=unverified, email="alias2@example.com", verified=False)
    for user in (owner, unverified):
        consent_grant(user=user, purpose=Purpose.MARKETING, source=Source.SIGNUP)

    consent_withdraw_for_address(
        email="ALIAS@example.com", purposes=[Purpose.MARKETING], source=Source.EMAIL
    )
    consent_withdraw_for_address(
        email="alias2@example.com", purposes=[Purpose.MARKETING], source=Source.EMAIL
    )

    assert not consent_is_granted(user=owner, purpose=Purpose.MARKETING)
    assert consent_is_granted(user=unverified, purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_withdraw_for_an_unknown_address_leaves_a_suppression():
    consent_withdraw_for_address(
        email="stranger@example.com",
        purposes=[Purpose.MARKETING, Purpose.SITE_UPDATES],
        source=Source.EMAIL,
    )

    subject = Subject.objects.get(email="stranger@example.com")
    assert subject.user is None
    assert set(subject.elections.values_list("purpose", "granted")) == {
        ("marketing", False),
        ("site_updates", False),
    }


@pytest.mark.django_db
def test_withdraw_for_address_when_every_subject_exists(django_assert_max_num_queries):
    owner = UserFactory(email="main@example.com")
    EmailAddress.objects.create(user=owner, email="shared@example.com", verified=True)
    consent_grant(user=owner, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    consent_grant(email="shared@example.com", purpose=Purpose.MARKETING, source=Source.PREFERENCES)

    # 6 for the address and the account; 6 more as the account has another address
    # (main@), which might hold consent of its own.
    with django_assert_max_num_queries(12):
        recorded = consent_withdraw_for_address(
            email="Shared@Example.com", purposes=[Purpose.MARKETING], source=Source.EMAIL
        )

    assert {r.event.subject.email for r in recorded} == {"main@example.com", "shared@example.com"}
    assert all(r.decides and r.was_granted for r in recorded)
    assert recorded[0].event.policy_version == policy_version_current()
    assert not consent_is_granted(user=owner, purpose=Purpose.MARKETING)
    assert not consent_is_granted(email="shared@example.com", purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_withdraw_for_address_reaches_the_accounts_other_addresses_consent(
    django_assert_max_num_queries,
):
    owner = UserFactory(email="main@example.com")
    EmailAddress.objects.create(user=owner, email="second@example.com", verified=True)
    consent_grant(user=owner, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    # A guest order placed with the second address before it was the account's.
    consent_grant(
        email="second@example.com",
        purpose=Purpose.MARKETING,
        source=Source.CHECKOUT,
        owner_confirmed=True,
    )

    recorded = consent_withdraw_for_address(
        email="main@example.com", purposes=[Purpose.MARKETING], source=Source.EMAIL
    )

    assert {r.event.subject.email for r in recorded} == {"main@example.com", "second@example.com"}
    assert not consent_is_granted(email="second@example.com", purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_withdraw_for_address_of_a_one_address_account_takes_no_query_more(
    django_assert_max_num_queries,
):
    owner = UserFactory(email="main@example.com")
    consent_grant(user=owner, purpose=Purpose.MARKETING, source=Source.SIGNUP)

    # The accounts with the address and their addresses (none other), the subjects
    # found and locked, the events and elections: as for an address of no account.
    with django_assert_max_num_queries(6):
        consent_withdraw_for_address(
            email="main@example.com", purposes=[Purpose.MARKETING], source=Source.EMAIL
        )

    assert not consent_is_granted(user=owner, purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_withdraw_for_address_gives_an_account_without_a_subject_its_own():
    user = UserFactory(email="new@example.com")  # verified
    assert not Subject.objects.exists()

    consent_withdraw_for_address(
        email="new@example.com", purposes=[Purpose.MARKETING], source=Source.EMAIL
    )

    subject = Subject.objects.get()
    assert subject.user == user
    assert subject.elections.get().granted is False


@pytest.mark.django_db
def test_withdraw_for_an_erased_address_knows_it_again():
    subject = subject_get_or_create(email="gone@example.com")
    Subject.objects.filter(pk=subject.pk).update(email=None)

    consent_withdraw_for_address(
        email="gone@example.com", purposes=[Purpose.SITE_UPDATES], source=Source.EMAIL
    )

    subject.refresh_from_db()
    assert subject.email == "gone@example.com"
    assert subject.elections.get().granted is False


@pytest.mark.django_db
def test_history_lists_every_event_newest_first_and_the_current_elections_are_the_latest(now):
    user = UserFactory(email=EMAIL)
    subject_get_or_create(user=user)
    first = consent_grant(
        user=user, purpose=Purpose.MARKETING, source=Source.SIGNUP, occurred_at=now
    )
    second = consent_withdraw(
        user=user, purpose=Purpose.MARKETING, source=Source.EMAIL, occurred_at=now + timedelta(1)
    )
    # Arrives last but happened first: recorded, yet not the current election.
    late = consent_grant(
        user=user, purpose=Purpose.MARKETING, source=Source.EMAIL, occurred_at=now - timedelta(1)
    )
    updates = consent_grant(
        user=user, purpose=Purpose.SITE_UPDATES, source=Source.SIGNUP, occurred_at=now
    )
    consent_grant(email="someone.else@example.com", purpose=Purpose.MARKETING, source=Source.SIGNUP)

    assert list(consent_history(user=user)) == [second, updates, first, late]
    assert consent_history(user=user)[0:2] == [second, updates]
    assert consent_history(user=user).count() == 4
    assert consent_current_elections(user=user) == [second, updates]


@pytest.mark.django_db
def test_no_account_has_no_history():
    consent_grant(email=EMAIL, purpose=Purpose.MARKETING, source=Source.SIGNUP)

    assert consent_history(user=AnonymousUser()) == []
    assert consent_current_elections(user=AnonymousUser()) == []
