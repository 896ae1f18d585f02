"""Changes to how an account is reached or signed into need the password again, and
the account is told of each by e-mail: a session left open on a shared computer is
not enough to take the account over (OWASP ASVS V2.2.3, V3.7.1)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory
from accounts.tests.test_account_erasure import REAUTH_URL, reauthenticate, sign_in

EMAIL_URL = reverse("account_email")
NEW_PASSWORD = "a-new-long-passphrase-2"


@pytest.fixture
def alice(client):
    user = UserFactory(email="alice@example.com")
    sign_in(client, user)
    return user


@pytest.mark.django_db
def test_adding_an_address_asks_for_the_password_again_first(client, alice):
    response = client.post(EMAIL_URL, {"action_add": "", "email": "mallory@example.com"})

    assert response.status_code == 302
    assert response.url.startswith(REAUTH_URL)
    assert not EmailAddress.objects.filter(email="mallory@example.com").exists()


@pytest.mark.django_db
def test_after_reauthentication_an_address_is_added(client, alice):
    reauthenticate(client)

    client.post(EMAIL_URL, {"action_add": "", "email": "alice@work.example"})

    assert EmailAddress.objects.filter(user=alice, email="alice@work.example").exists()


@pytest.mark.django_db
def test_removing_an_address_asks_for_the_password_again_first(client, alice):
    EmailAddress.objects.create(user=alice, email="alice@work.example", verified=True)

    response = client.post(EMAIL_URL, {"action_remove": "", "email": "alice@work.example"})

    assert response.url.startswith(REAUTH_URL)
    assert EmailAddress.objects.filter(email="alice@work.example").exists()


@pytest.mark.django_db
def test_a_password_change_is_told_to_the_account_by_mail(
    client, alice, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_change_password"),
            {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        )

    [message] = mailoutbox
    assert message.to == ["alice@example.com"]
    assert "password" in message.subject.lower()


@pytest.mark.django_db
def test_a_new_main_address_is_told_to_the_former_one(
    client, alice, django_capture_on_commit_callbacks, mailoutbox
):
    EmailAddress.objects.create(user=alice, email="alice@work.example", verified=True)
    reauthenticate(client)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(EMAIL_URL, {"action_primary": "", "email": "alice@work.example"})

    [message] = mailoutbox
    assert message.to == ["alice@example.com"]
    assert "alice@work.example" in message.body


@pytest.mark.django_db
def test_a_password_reset_is_told_to_the_account_as_done_not_as_a_request(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    UserFactory(email="alice@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "alice@example.com"})
    link = re.search(r"http\S+/password/reset/key/\S+/", mailoutbox[0].body).group(0)
    form_url = client.get(link).url

    with django_capture_on_commit_callbacks(execute=True):
        client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    notice = mailoutbox[-1]
    assert len(mailoutbox) == 2
    assert notice.subject == "[CareerPerfect] Your password was reset"
