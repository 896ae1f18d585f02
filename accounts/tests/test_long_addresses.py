"""An e-mail address longer than the 254 characters our tables keep is refused with a
clear message wherever allauth takes one (PostgreSQL would refuse to store it)."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import UserFactory
from accounts.tests.test_account_erasure import reauthenticate

TOO_LONG = "x" * 250 + "@example.com"
LONGEST = "x" * 64 + "@" + ".".join(["y" * 61] * 3) + ".com"


@pytest.mark.django_db
def test_signup_refuses_an_address_longer_than_we_store(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": TOO_LONG,
            "password1": "a-long-enough-passphrase-42",
            "name": "Long Address",
            "age_confirmed": "on",
        },
    )

    assert response.status_code == 200
    assert "at most 254 characters" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_adding_an_address_longer_than_we_store_is_refused(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("account_email"), {"email": TOO_LONG, "action_add": ""})

    assert response.status_code == 200
    assert "at most 254 characters" in response.content.decode()
    assert EmailAddress.objects.filter(user=user).count() == 1


@pytest.mark.django_db
def test_an_address_of_exactly_254_characters_can_be_added(client):
    assert len(LONGEST) == 254
    user = UserFactory()
    client.force_login(user)
    reauthenticate(client)

    client.post(reverse("account_email"), {"email": LONGEST, "action_add": ""})

    assert EmailAddress.objects.filter(user=user, email=LONGEST.lower()).exists()
