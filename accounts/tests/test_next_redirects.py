"""Where sign-in and signup send people next: only to this site, and a malformed
address is ignored rather than answered with a server error."""

import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory

MALFORMED = ["x://[", "http://[::1", "//[bad"]


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["account_login", "account_signup", "account_reset_password"])
@pytest.mark.parametrize("target", MALFORMED)
def test_a_page_reached_with_a_malformed_next_opens(client, page, target):
    response = client.get(reverse(page), {"next": target})

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("target", MALFORMED)
def test_signing_in_with_a_malformed_next_goes_to_my_privacy(client, target):
    user = UserFactory()

    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD, "next": target}
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:privacy")


@pytest.mark.django_db
def test_signing_in_still_goes_to_a_next_page_on_this_site(client):
    user = UserFactory()

    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD, "next": "/orders/"}
    )

    assert response.url == "/orders/"
