import re
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import MD5PasswordHasher
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from consent.models import ConsentEvent, Election, Subject
from consent.purposes import Purpose, Source
from consent.selectors import consent_is_granted
from privacy.selectors import policy_version_current

SIGNUP_URL = reverse("account_signup")


def signup_data(**overrides):
    data = {
        "email": "new.person@example.com",
        "password1": "a-long-enough-passphrase-42",
        "name": "New Person",
        "age_confirmed": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def checkbox(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, f"no {name} input on the page"
    return match.group(0)


@pytest.mark.django_db
def test_elections_are_unticked_by_default(client):
    html = client.get(SIGNUP_URL).content.decode()

    for name in ("marketing", "site_updates"):
        box = checkbox(html, name)
        assert 'type="checkbox"' in box
        assert "checked" not in box
        assert "required" not in box


@pytest.mark.django_db
def test_signup_without_ticks_records_no_consent(client):
    response = client.post(SIGNUP_URL, signup_data())

    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.com")
    assert ConsentEvent.objects.count() == 0
    assert Election.objects.count() == 0
    assert not consent_is_granted(user=user, purpose=Purpose.MARKETING)
    assert not consent_is_granted(user=user, purpose=Purpose.SITE_UPDATES)


@pytest.mark.django_db
def test_each_ticked_election_records_one_signup_grant(client):
    client.post(SIGNUP_URL, signup_data(site_updates="on"))

    user = User.objects.get(email="new.person@example.com")
    event = ConsentEvent.objects.get()
    assert (event.purpose, event.granted, event.source) == (
        Purpose.SITE_UPDATES,
        True,
        Source.SIGNUP,
    )
    assert event.subject.user == user
    assert event.policy_version == policy_version_current()
    assert consent_is_granted(user=user, purpose=Purpose.SITE_UPDATES)
    assert not consent_is_granted(user=user, purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_signup_stores_name_and_age_attestation(client):
    client.post(SIGNUP_URL, signup_data())

    user = User.objects.get()
    assert user.name == "New Person"
    assert user.age_confirmed_at is not None
    assert not EmailAddress.objects.get(user=user).verified


@pytest.mark.django_db
def test_signup_below_minimum_age_stores_nothing(client, mailoutbox):
    response = client.post(
        SIGNUP_URL, signup_data(age_confirmed=None, marketing="on", site_updates="on")
    )

    assert response.status_code == 200
    assert "Tick this box if you are 13 or older" in response.content.decode()
    assert "nothing you entered has been saved" in response.content.decode()
    assert User.objects.count() == 0
    assert EmailAddress.objects.count() == 0
    assert Subject.objects.count() == 0
    assert ConsentEvent.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.django_db
def test_minimum_age_comes_from_settings(client, settings):
    settings.MINIMUM_AGE = 16

    page = client.get(SIGNUP_URL).content.decode()
    refused = client.post(SIGNUP_URL, signup_data(age_confirmed=None)).content.decode()

    assert "I am 16 or older." in page
    assert "if you are 16 or older" in refused
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_signup_sends_a_verification_link_and_requires_it(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(SIGNUP_URL, signup_data())

    assert response.url == reverse("account_email_verification_sent")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new.person@example.com"]
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mailoutbox[0].body)
    assert link

    client.logout()
    login = client.post(
        reverse("account_login"),
        {"login": "new.person@example.com", "password": "a-long-enough-passphrase-42"},
    )
    assert login.url == reverse("account_email_verification_sent")

    client.post(link.group(1))
    assert EmailAddress.objects.get(email="new.person@example.com").verified


@pytest.mark.django_db
def test_the_confirm_page_tells_how_to_have_the_link_sent_again(
    client, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "confirm_email": None}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP_URL, signup_data())
    html = client.get(reverse("account_email_verification_sent")).content.decode()
    client.logout()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_login"),
            {"login": "new.person@example.com", "password": "a-long-enough-passphrase-42"},
        )

    assert "sign in</a> with your address and password" in html
    assert reverse("contact") in html
    assert [message.to for message in mailoutbox] == [["new.person@example.com"]] * 2


@pytest.mark.django_db
def test_signup_links_an_existing_subject_to_the_new_account(client):
    from consent.services import consent_withdraw

    consent_withdraw(email="New.Person@Example.com", purpose=Purpose.MARKETING, source=Source.EMAIL)

    client.post(SIGNUP_URL, signup_data())

    subject = Subject.objects.get()
    assert subject.user == User.objects.get()
    assert subject.events.count() == 1


@pytest.mark.django_db
def test_signing_up_with_a_taken_address_hashes_the_password_as_a_new_signup_does(client):
    # Hashing the password is most of what a signup costs: skipped for an address that
    # already has an account, the quicker answer told anyone that it has one.
    UserFactory(email="taken@example.com")
    hashed = {}
    for email in ("fresh@example.com", "taken@example.com"):
        with mock.patch.object(
            MD5PasswordHasher, "encode", autospec=True, side_effect=MD5PasswordHasher.encode
        ) as encode:
            response = client.post(SIGNUP_URL, signup_data(email=email))
        hashed[email] = encode.call_count
        assert response.url == reverse("account_email_verification_sent")

    assert hashed["taken@example.com"] == hashed["fresh@example.com"] >= 1
