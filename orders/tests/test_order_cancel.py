"""Cancelling an unpaid order asks first, on a page of its own that says what
cancelling does; only the POST from that page cancels."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from orders.models import Order
from orders.selectors import order_access_token
from orders.tests.factories import placed_order, sandbox_paid


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@example.com")


@pytest.fixture
def alices_order(alice, resume):
    return placed_order(resume, user=alice)


@pytest.fixture
def guest_order(resume):
    return placed_order(resume, email="gina@example.com")


def status(order: Order) -> str:
    order.refresh_from_db(fields=["status"])
    return order.status


def test_the_order_page_links_to_the_question_instead_of_cancelling_at_once(
    client, alice, alices_order
):
    client.force_login(alice)
    cancel = reverse("orders:cancel", args=[alices_order.public_id])

    html = client.get(reverse("orders:detail", args=[alices_order.public_id])).content.decode()

    assert f'href="{cancel}">Cancel this order…</a>' in html
    assert f'action="{cancel}"' not in html


def test_asking_to_cancel_says_what_happens_and_changes_nothing(client, alice, alices_order):
    client.force_login(alice)

    response = client.get(reverse("orders:cancel", args=[alices_order.public_id]))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"Cancel order {alices_order.reference}?" in html
    assert "nothing has been charged, so there is\n      nothing to refund" in html
    assert "Cancelling cannot be undone" in html
    assert re.search(
        r'<form method="post">\s*<input type="hidden" name="csrfmiddlewaretoken"', html
    )
    assert (
        f'<a href="{reverse("orders:detail", args=[alices_order.public_id])}">Keep the order</a>'
        in (html)
    )
    assert status(alices_order) == Order.Status.PENDING


def test_the_post_from_the_question_cancels_the_order(client, alice, alices_order):
    client.force_login(alice)

    response = client.post(reverse("orders:cancel", args=[alices_order.public_id]), follow=True)

    assert status(alices_order) == Order.Status.CANCELLED
    assert response.redirect_chain[-1][0] == reverse("orders:detail", args=[alices_order.public_id])
    assert "Your order is cancelled. Nothing was charged." in response.content.decode()


def test_a_guest_is_asked_first_too_and_goes_back_to_their_link(client, guest_order):
    token = order_access_token(guest_order)
    link = reverse("orders:link", args=[token])
    cancel = reverse("orders:link_cancel", args=[token])

    assert f'href="{cancel}">Cancel this order…</a>' in client.get(link).content.decode()
    html = client.get(cancel).content.decode()
    assert f'<a href="{link}">Keep the order</a>' in html
    assert status(guest_order) == Order.Status.PENDING

    response = client.post(cancel)

    assert response.url == link
    assert status(guest_order) == Order.Status.CANCELLED


def test_asking_to_cancel_a_paid_order_says_it_cannot_be_cancelled_here(
    client, alice, alices_order
):
    sandbox_paid(alices_order)
    client.force_login(alice)

    response = client.get(reverse("orders:cancel", args=[alices_order.public_id]), follow=True)

    assert response.redirect_chain == [
        (reverse("orders:detail", args=[alices_order.public_id]), 302)
    ]
    assert "This order is paid, so it can no longer be cancelled here" in response.content.decode()
    assert status(alices_order) == Order.Status.PAID


def test_asking_to_cancel_someone_elses_order_is_not_found(client, alices_order, guest_order):
    client.force_login(UserFactory(email="bob@example.com"))
    forged = order_access_token(guest_order)[:-2] + "xx"

    assert client.get(reverse("orders:cancel", args=[alices_order.public_id])).status_code == 404
    assert client.get(reverse("orders:link_cancel", args=[forged])).status_code == 404


def test_asking_to_cancel_while_signed_out_asks_to_sign_in(client, alices_order):
    cancel = reverse("orders:cancel", args=[alices_order.public_id])

    response = client.get(cancel)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert status(alices_order) == Order.Status.PENDING


def test_cancelling_without_the_forms_csrf_token_is_refused(alice, alices_order):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(reverse("orders:cancel", args=[alices_order.public_id]))

    assert response.status_code == 403
    assert status(alices_order) == Order.Status.PENDING
