"""Subjects found or created for many people at once answer as one at a time would."""

import pytest
from allauth.account.models import EmailAddress

from accounts.tests.factories import UserFactory
from consent.models import Subject
from consent.purposes import Purpose, Source
from consent.services import (
    consent_grant,
    consent_withdraw,
    subject_erase,
    subject_get_or_create,
    subjects_get_or_create,
)

pytestmark = pytest.mark.django_db


def make_primary(user, email: str) -> None:
    """What allauth does when the person makes a verified address their primary one."""
    address, _ = EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True}
    )
    address.set_as_primary()


def test_an_address_with_a_subject_gets_that_subject_in_any_writing():
    subject = subject_get_or_create(email="ann@example.com")

    _, by_email = subjects_get_or_create(emails=[" Ann@Example.COM "])

    assert by_email == {" Ann@Example.COM ": subject}
    assert Subject.objects.count() == 1


def test_one_address_written_several_ways_in_a_batch_gets_one_new_subject():
    writings = ["bo@bücher.example", "BO@xn--bcher-kva.example", "bo@bücher.example"]

    _, by_email = subjects_get_or_create(emails=writings)

    subject = Subject.objects.get()
    assert subject.email == "bo@xn--bcher-kva.example"
    assert by_email == dict.fromkeys(writings, subject)
    assert subject_get_or_create(email="bo@bücher.example") == subject


def test_an_erased_address_given_again_keeps_its_subject_and_is_known_once_more():
    consent_withdraw(email="gone@example.com", purpose=Purpose.MARKETING, source=Source.EMAIL)
    subject = Subject.objects.get()
    subject_erase(subject=subject)

    _, by_email = subjects_get_or_create(emails=["gone@example.com"])

    assert by_email["gone@example.com"] == subject
    subject.refresh_from_db()
    assert subject.email == "gone@example.com"
    assert subject.elections.get(purpose=Purpose.MARKETING).granted is False


def test_an_account_without_a_subject_takes_over_its_addresss_subject():
    guest = subject_get_or_create(email="cy@example.com")
    cy = UserFactory(email="cy@example.com")

    by_user, by_email = subjects_get_or_create(users=[cy], emails=["cy@example.com"])

    assert by_user == {cy.pk: guest}
    assert by_email == {"cy@example.com": guest}
    guest.refresh_from_db()
    assert guest.user == cy


def test_an_account_keeps_its_subject_while_a_new_address_is_not_confirmed():
    dee = UserFactory(email="dee@example.com")
    subject = subject_get_or_create(user=dee)
    stranger = subject_get_or_create(email="typed-by-staff@example.com")
    dee.email = "typed-by-staff@example.com"
    dee.save()

    by_user, by_email = subjects_get_or_create(
        users=[dee], emails=["dee@example.com", "typed-by-staff@example.com"]
    )

    assert by_user == {dee.pk: subject}
    # Its subject still answers for the address it is on; the typed one's stays apart.
    assert by_email == {"dee@example.com": subject, "typed-by-staff@example.com": stranger}
    stranger.refresh_from_db()
    assert stranger.user is None


def test_an_address_merged_into_an_account_gets_the_accounts_subject():
    consent_grant(email="new@example.com", purpose=Purpose.MARKETING, source=Source.CONTEST)
    merged = Subject.objects.get()
    eve = UserFactory(email="old@example.com")
    account = subject_get_or_create(user=eve)
    make_primary(eve, "new@example.com")
    merged.refresh_from_db()
    assert merged.merged_into == account

    by_user, by_email = subjects_get_or_create(users=[eve], emails=["new@example.com"])

    assert by_user == {eve.pk: account}
    assert by_email == {"new@example.com": account}
    assert Subject.objects.count() == 2


def test_two_accounts_with_one_address_in_a_batch_are_answered_as_one_at_a_time():
    # One address, written in two forms (its domain in Unicode and in ASCII) by two
    # accounts: the subject is one per address.
    first = UserFactory(email="fay@straße.de")
    second = UserFactory(email="fay@xn--strae-oqa.de")

    by_user, _ = subjects_get_or_create(users=[first, second])

    subject = Subject.objects.get()
    assert subject.user == first
    assert by_user == {first.pk: subject, second.pk: subject}
    assert subject_get_or_create(user=second) == subject


def test_a_batch_finds_what_one_at_a_time_would_have_created():
    gil = UserFactory(email="gil@example.com")
    hal = UserFactory(email="hal@example.com")
    subject_get_or_create(user=hal)
    subject_get_or_create(email="guest@example.com")

    by_user, by_email = subjects_get_or_create(
        users=[gil, hal, gil], emails=["guest@example.com", "new@example.com", "gil@example.com"]
    )
    count = Subject.objects.count()

    assert by_user == {user.pk: subject_get_or_create(user=user) for user in (gil, hal)}
    assert by_email == {
        email: subject_get_or_create(email=email)
        for email in ("guest@example.com", "new@example.com", "gil@example.com")
    }
    assert by_email["gil@example.com"] == by_user[gil.pk]
    assert Subject.objects.count() == count == 4


def test_an_empty_address_is_refused():
    with pytest.raises(ValueError, match="needs an e-mail address"):
        subjects_get_or_create(emails=["ivy@example.com", ""])


@pytest.mark.parametrize("people", [1, 20])
def test_the_query_count_does_not_grow_with_the_people(django_assert_num_queries, people):
    users, emails = [], []
    for n in range(people):
        with_subject = UserFactory()
        subject_get_or_create(user=with_subject)
        without = UserFactory()
        subject_get_or_create(email=without.email)
        users += [with_subject, without, UserFactory()]
        subject_erase(subject=subject_get_or_create(email=f"erased{n}@example.com"))
        subject_get_or_create(email=f"known{n}@example.com")
        emails += [f"erased{n}@example.com", f"known{n}@example.com", f"new{n}@example.com"]

    # subjects of the accounts, subjects of the addresses, those missing created, read
    # back, erased addresses known again, accounts linked to theirs
    with django_assert_num_queries(6):
        by_user, by_email = subjects_get_or_create(users=users, emails=emails)

    assert len(by_user) == len(by_email) == 3 * people
