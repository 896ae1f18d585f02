import pytest
from allauth.account.models import EmailAddress

from accounts.tests.factories import UserFactory
from consent import personal_data
from consent.models import ConsentEvent, Subject, email_digest
from consent.purposes import Purpose, Source
from consent.selectors import consent_is_granted, subjects_for_user
from consent.services import (
    consent_grant,
    consent_withdraw,
    consent_withdraw_for_address,
    subject_erase,
    subject_get_or_create,
)
from privacy.selectors import policy_version_current


@pytest.mark.django_db
def test_the_export_holds_current_elections_and_the_full_history():
    alice = UserFactory(email="alice@example.com")
    consent_grant(user=alice, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    consent_withdraw(user=alice, purpose=Purpose.MARKETING, source=Source.EMAIL)
    consent_grant(user=alice, purpose=Purpose.SITE_UPDATES, source=Source.PREFERENCES)

    address = personal_data.export(alice)["addresses"][0]

    assert address["email"] == "alice@example.com"
    assert {(e["code"], e["granted"]) for e in address["current_elections"]} == {
        ("marketing", False),
        ("site_updates", True),
    }
    assert [(e["code"], e["granted"], e["source"]) for e in address["history"]] == [
        ("marketing", True, "Signup form"),
        ("marketing", False, "E-mail with “remove” in the subject"),
        ("site_updates", True, "My privacy page"),
    ]
    assert address["history"][0]["policy_version"] == policy_version_current().version


@pytest.mark.django_db
def test_the_export_includes_an_unlinked_verified_address_but_nobody_elses():
    alice = UserFactory(email="alice@example.com")
    EmailAddress.objects.create(user=alice, email="alice@work.example", verified=True)
    EmailAddress.objects.create(user=alice, email="not-proven@example.com", verified=False)
    consent_withdraw(email="alice@work.example", purpose=Purpose.MARKETING, source=Source.EMAIL)
    consent_withdraw(email="not-proven@example.com", purpose=Purpose.MARKETING, source=Source.EMAIL)
    consent_grant(
        user=UserFactory(email="bob@example.com"), purpose=Purpose.MARKETING, source=Source.SIGNUP
    )

    emails = [a["email"] for a in personal_data.export(alice)["addresses"]]

    assert emails == ["alice@work.example"]


@pytest.mark.django_db
def test_erasing_a_subject_withdraws_then_forgets_the_address():
    subject = subject_get_or_create(email="carol@example.com")
    consent_grant(email="carol@example.com", purpose=Purpose.MARKETING, source=Source.CHECKOUT)

    subject_erase(subject=subject)

    subject.refresh_from_db()
    assert (subject.email, subject.user) == (None, None)
    assert subject.email_digest == email_digest("carol@example.com")
    assert not consent_is_granted(email="carol@example.com", purpose=Purpose.MARKETING)
    assert [(e.purpose, e.granted, e.source) for e in ConsentEvent.objects.order_by("id")] == [
        ("marketing", True, "checkout"),
        ("marketing", False, "account-deletion"),
        ("site_updates", False, "account-deletion"),
    ]


@pytest.mark.django_db
def test_erasing_records_no_second_withdrawal_of_what_is_already_withdrawn():
    subject = subject_get_or_create(email="carol@example.com")
    consent_withdraw(email="carol@example.com", purpose=Purpose.MARKETING, source=Source.EMAIL)
    consent_withdraw(email="carol@example.com", purpose=Purpose.SITE_UPDATES, source=Source.EMAIL)

    subject_erase(subject=subject)

    assert ConsentEvent.objects.count() == 2


@pytest.mark.django_db
def test_a_remove_email_after_erasure_still_finds_the_suppressed_address():
    subject = subject_get_or_create(email="carol@example.com")
    subject_erase(subject=subject)

    consent_withdraw_for_address(
        email="Carol@Example.com", purposes=[Purpose.MARKETING], source=Source.EMAIL
    )

    assert Subject.objects.count() == 1


@pytest.mark.django_db
def test_signing_up_again_keeps_the_suppression_and_knows_the_address_again():
    subject = subject_get_or_create(email="carol@example.com")
    consent_grant(email="carol@example.com", purpose=Purpose.MARKETING, source=Source.SIGNUP)
    subject_erase(subject=subject)

    carol = UserFactory(email="carol@example.com")
    again = subject_get_or_create(user=carol)

    assert again.pk == subject.pk
    assert (again.email, again.user) == ("carol@example.com", carol)
    assert not consent_is_granted(user=carol, purpose=Purpose.MARKETING)
    assert again.events.count() == 3


@pytest.mark.django_db
def test_subjects_for_user_leaves_out_a_subject_linked_to_someone_else():
    bob = UserFactory(email="shared@example.com")
    bobs = subject_get_or_create(user=bob)
    # Bob moves to another address; Alice later proves she holds his old one.
    EmailAddress.objects.filter(user=bob).update(email="bob@example.com")
    bob.email = "bob@example.com"
    bob.save()
    alice = UserFactory(email="alice@example.com")
    EmailAddress.objects.create(user=alice, email="shared@example.com", verified=True)

    assert bobs not in subjects_for_user(user=alice)
    assert subjects_for_user(user=bob).get() == bobs
