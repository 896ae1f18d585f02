"""Who can see an order: its owner (My orders), or whoever holds its signed link.
Anyone else gets 404 on every order URL."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from orders.models import Order
from orders.selectors import order_access_token
from orders.tests.factories import ProductFactory, placed_order, sandbox_paid

ORDER_LINK = re.compile(r'href="/orders/[0-9a-f-]{36}/"')


@pytest.fixture
def alice(db):
    return UserFactory(email="alice@example.com")


@pytest.fixture
def bob(db):
    return UserFactory(email="bob@example.com")


@pytest.fixture
def alices_order(alice, resume):
    return placed_order(resume, user=alice)


def order_urls(order: Order, token: str) -> dict[str, str]:
    return {
        "orders:detail": reverse("orders:detail", args=[order.public_id]),
        "orders:pay": reverse("orders:pay", args=[order.public_id]),
        "orders:cancel": reverse("orders:cancel", args=[order.public_id]),
        "orders:link": reverse("orders:link", args=[token]),
        "orders:link_pay": reverse("orders:link_pay", args=[token]),
        "orders:link_cancel": reverse("orders:link_cancel", args=[token]),
        "orders:link_renew": reverse("orders:link_renew", args=[token]),
        "orders:download": reverse("orders:download", args=[order.public_id, 1]),
        "orders:link_download": reverse("orders:link_download", args=[token, 1]),
    }


def test_the_list_covers_every_order_url():
    # A new URL that takes an order (by id or token) must be added to the walk below.
    orders_app = next(
        pattern
        for pattern in get_resolver().url_patterns
        if getattr(pattern, "namespace", None) == "orders"
    )
    names = {
        f"orders:{pattern.name}"
        for pattern in orders_app.url_patterns
        if isinstance(pattern, URLPattern)
        and {"public_id", "token"} & set(pattern.pattern.converters)
    }

    assert names == {*order_urls(Order(), "token"), "orders:sandbox_pay"}


def test_the_owner_sees_their_order_with_its_timeline(client, alice, alices_order):
    sandbox_paid(alices_order)
    client.force_login(alice)

    html = client.get(reverse("orders:detail", args=[alices_order.public_id])).content.decode()

    assert f"Order {alices_order.reference}" in html
    assert "Order placed" in html
    assert "Payment received" in html
    assert "Keep this order in an account" not in html


def test_a_stranger_gets_404_on_every_order_url(client, bob, alices_order):
    forged = order_access_token(alices_order)[:-2] + "xx"
    client.force_login(bob)

    for name, url in order_urls(alices_order, forged).items():
        gets = {"orders:detail", "orders:link", "orders:download", "orders:link_download"}
        method = client.get if name in gets else client.post
        assert method(url).status_code == 404, name
    alices_order.refresh_from_db()
    assert alices_order.status == "pending"


def test_a_stranger_cannot_use_a_sandbox_payment_page_without_its_token(client, bob, alices_order):
    from orders.providers import SandboxProvider

    _, url = SandboxProvider().start(order=alices_order, return_url="", cancel_url="")
    client.force_login(bob)
    other_order = placed_order(user=bob)
    _, bobs_url = SandboxProvider().start(order=other_order, return_url="", cancel_url="")

    forged = bobs_url.rsplit(":", 1)[0] + ":" + url.rsplit(":", 1)[1]
    assert client.get(forged).status_code == 404
    assert client.post(forged, {"outcome": "success"}).status_code == 404


def test_someone_signed_out_is_sent_to_sign_in_for_an_account_order(client, alices_order):
    response = client.get(reverse("orders:detail", args=[alices_order.public_id]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("action", ["orders:pay", "orders:cancel"])
def test_pressing_pay_or_cancel_after_being_signed_out_asks_to_sign_in(
    client, alices_order, action
):
    # The order page was open when alice signed out in another tab.
    page = reverse("orders:detail", args=[alices_order.public_id])

    response = client.post(
        reverse(action, args=[alices_order.public_id]), HTTP_REFERER=f"http://testserver{page}"
    )

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={page}"
    alices_order.refresh_from_db()
    assert alices_order.status == Order.Status.PENDING


def test_a_guest_sees_their_order_only_through_its_signed_link(client, resume):
    order = placed_order(resume, email="gina@example.com")
    link = reverse("orders:link", args=[order_access_token(order)])

    assert client.get(link).status_code == 200
    assert "gina@example.com" in client.get(link).content.decode()
    client.force_login(UserFactory())
    assert client.get(reverse("orders:detail", args=[order.public_id])).status_code == 404
    client.logout()
    assert client.get(link[:-3] + "abc/").status_code == 404
    other = placed_order(resume, email="other@example.com")
    mixed = link.replace(order.public_id.hex, other.public_id.hex)
    assert mixed != link
    assert client.get(mixed).status_code == 404


def test_a_guest_is_offered_an_account_with_their_address(client, resume):
    order = placed_order(resume, email="gina@example.com")

    html = client.get(reverse("orders:link", args=[order_access_token(order)])).content.decode()

    assert "Keep this order in an account" in html
    assert f"{reverse('account_signup')}?email=gina%40example.com" in html


def test_my_orders_lists_only_my_orders(client, alice, bob, alices_order, resume):
    placed_order(resume, user=bob, name="Bob Other")
    client.force_login(alice)

    html = client.get(reverse("orders:list")).content.decode()

    assert alices_order.reference in html
    assert len(ORDER_LINK.findall(html)) == 1


def test_my_orders_lists_the_newest_first(client, alice, resume):
    older = placed_order(resume, user=alice)
    Order.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=5))
    newer = placed_order(resume, user=alice)
    client.force_login(alice)

    html = client.get(reverse("orders:list")).content.decode()

    assert html.index(newer.reference) < html.index(older.reference)


# The order of the names is the database's to keep on PostgreSQL and on SQLite 3.44 or
# newer; older SQLite cannot be told, and this passes there only by its habit.
def test_my_orders_names_each_orders_products_in_the_order_added(client, alice, resume):
    placed_order(resume, ProductFactory(name="Career Planner"), user=alice)
    placed_order(ProductFactory(name="Interview Kit"), user=alice)
    client.force_login(alice)

    html = client.get(reverse("orders:list")).content.decode()

    assert "Resume: Essentials, Career Planner" in html
    assert "Interview Kit<" in html


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 50])
def test_my_orders_query_count_is_constant(client, alice, resume, django_assert_num_queries, count):
    for _ in range(count):
        placed_order(resume, user=alice)
    client.force_login(alice)
    client.get(reverse("orders:list"))

    # session, user, the page's orders (with their partners and product names), and how
    # many orders, counted only when there are more than a page of them
    with django_assert_num_queries({1: 3, 50: 4}[count]):
        response = client.get(reverse("orders:list"))
    assert len(ORDER_LINK.findall(response.content.decode())) == min(count, settings.LIST_PAGE_SIZE)
