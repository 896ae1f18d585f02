"""allauth's e-mails name the site and the address they are about.

They are rendered by our adapter, which queues them; the site's name used to be
left out ("Hello from !") because the adapter skipped the context allauth adds.
"""

import pytest
from django.urls import reverse

from accounts.adapter import MailSite, mail_site
from accounts.tests.factories import UserFactory
from accounts.tests.test_signup import SIGNUP_URL, signup_data

BLANK_SITE_NAMES = ("from !", " on .", "using !", "on \n")


def assert_names_the_site(message):
    assert "CareerPerfect" in message.body
    for blank in BLANK_SITE_NAMES:
        assert blank not in message.body


@pytest.mark.django_db
def test_the_signup_confirmation_names_the_site(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP_URL, signup_data())

    [message] = mailoutbox
    assert_names_the_site(message)
    assert "Hello from CareerPerfect!" in message.body
    assert "register an account on testserver." in message.body


@pytest.mark.django_db
def test_the_password_reset_names_the_site(client, django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": user.email})

    [message] = mailoutbox
    assert message.to == [user.email]
    assert_names_the_site(message)
    assert "/accounts/password/reset/key/" in message.body


@pytest.mark.django_db
def test_signing_up_again_mails_the_owner_with_the_address(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    user = UserFactory(email="taken@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGNUP_URL, signup_data(email=user.email))

    [message] = mailoutbox
    assert message.to == ["taken@example.com"]
    assert_names_the_site(message)
    assert "\ntaken@example.com\n" in message.body


@pytest.mark.django_db
def test_a_reset_for_an_unknown_address_names_it_and_the_site(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})

    [message] = mailoutbox
    assert_names_the_site(message)
    assert "with email nobody@example.com." in message.body


def test_mail_rendered_outside_a_request_takes_the_domain_from_site_url(settings):
    settings.SITE_URL = "https://careers.example.com"

    assert mail_site(None) == MailSite(name="CareerPerfect", domain="careers.example.com")


@pytest.mark.django_db
def test_reset_mail_to_one_address_stops_after_ten_a_day_from_however_many_machines(
    client, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    import time
    from types import SimpleNamespace

    from allauth.core.internal import ratelimit

    user = UserFactory()
    now = [time.time()]
    # The rate limiter's clock only: a request every ten minutes of a day.
    monkeypatch.setattr(
        ratelimit, "time", SimpleNamespace(time=lambda: now[0], monotonic=time.monotonic)
    )
    statuses = []
    for n in range(11):
        now[0] += 600
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("account_reset_password"),
                {"email": user.email},
                REMOTE_ADDR=f"192.0.2.{n + 1}",
            )
        statuses.append(response.status_code)

    assert statuses == [302] * 10 + [429]
    assert len(mailoutbox) == 10
