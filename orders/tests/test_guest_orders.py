"""Guest orders join the account of whoever verifies their address."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from accounts.tests.factories import PASSWORD, UserFactory
from orders.models import Entitlement
from orders.services import orders_attach_to_user
from orders.tests.factories import OrderFactory, placed_order, sandbox_paid


@pytest.fixture
def guest_order(resume, software):
    order = placed_order(resume, software, email="Gina@Example.com")
    sandbox_paid(order)
    return order


def test_an_account_with_the_verified_address_gets_the_orders_and_what_they_unlock(guest_order):
    gina = UserFactory(email="gina@example.com")
    someone_else = placed_order(email="other@example.com")

    attached = orders_attach_to_user(user=gina)

    assert attached == 1
    guest_order.refresh_from_db()
    someone_else.refresh_from_db()
    assert guest_order.user == gina
    assert someone_else.user is None
    assert set(Entitlement.objects.values_list("user", flat=True)) == {gina.pk}
    assert orders_attach_to_user(user=gina) == 0


def test_an_unverified_address_gets_nothing(guest_order):
    gina = UserFactory(email="gina@example.com", verified_email=False)
    EmailAddress.objects.create(user=gina, email=gina.email, verified=False, primary=True)

    assert orders_attach_to_user(user=gina) == 0
    guest_order.refresh_from_db()
    assert guest_order.user is None


def test_a_verified_second_address_counts_too(guest_order):
    gina = UserFactory(email="gina.work@example.com")
    EmailAddress.objects.create(user=gina, email="gina@example.com", verified=True)

    assert orders_attach_to_user(user=gina) == 1


def test_an_order_of_another_account_is_never_moved(resume):
    bob = UserFactory(email="bob@example.com")
    # Bob bought with an address he later gave up, which Gina now holds.
    order = OrderFactory(user=bob, email="gina@example.com")
    gina = UserFactory(email="gina@example.com")

    assert orders_attach_to_user(user=gina) == 0
    order.refresh_from_db()
    assert order.user == bob


def test_signing_up_and_confirming_the_address_brings_the_guest_order_into_my_orders(
    client, guest_order, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            {
                "email": "gina@example.com",
                "password1": "a-long-enough-passphrase-42",
                "name": "Gina Guest",
                "age_confirmed": "on",
            },
        )
    guest_order.refresh_from_db()
    assert guest_order.user is None  # Not before the address is confirmed.

    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mailoutbox[-1].body)
    client.post(link.group(1))

    gina = User.objects.get(email="gina@example.com")
    guest_order.refresh_from_db()
    assert guest_order.user == gina
    html = client.get(reverse("orders:list")).content.decode()
    assert guest_order.reference in html


def test_signing_in_brings_guest_orders_placed_while_signed_out(client, resume):
    gina = UserFactory(email="gina@example.com")
    order = placed_order(resume, email="gina@example.com")

    client.post(reverse("account_login"), {"login": "gina@example.com", "password": PASSWORD})

    order.refresh_from_db()
    assert order.user == gina
