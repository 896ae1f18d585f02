"""My orders a page at a time (careerperfect.paging), newest first."""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from orders.tests.factories import placed_order

URL = reverse("orders:list")
PAGE_SIZE = 3  # short pages: few orders to place


@pytest.fixture(autouse=True)
def page_size(settings):
    settings.LIST_PAGE_SIZE = PAGE_SIZE


@pytest.fixture
def alice(client, db):
    user = UserFactory(email="alice@example.com")
    client.force_login(user)
    return user


def references(html: str) -> list[str]:
    return re.findall(r'href="/orders/[0-9a-f-]{36}/">([^<]+)</a>', html)


def placed(user, count: int) -> list[str]:
    """References of count orders of user's, newest first."""
    return [placed_order(user=user).reference for _ in range(count)][::-1]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, PAGE_SIZE])
def test_a_page_worth_of_orders_has_no_links_to_other_pages(client, alice, count):
    orders = placed(alice, count)

    html = client.get(URL).content.decode()

    assert references(html) == orders
    assert 'class="pager"' not in html


@pytest.mark.django_db
def test_one_order_more_than_a_page_goes_on_a_second_page(client, alice):
    orders = placed(alice, PAGE_SIZE + 1)

    first = client.get(URL).content.decode()
    second = client.get(URL, {"page": 2}).content.decode()

    assert references(first) == orders[:PAGE_SIZE]
    assert "Page 1 of 2" in first
    assert 'href="?page=2" rel="next">Next page</a>' in first
    assert references(second) == orders[PAGE_SIZE:]
    assert "Page 2 of 2" in second
    assert f'href="{URL}" rel="prev">Previous page</a>' in second


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "shown"), [("abc", 1), ("-1", 1), ("0", 1), ("999", 2), ("", 1)])
def test_a_page_that_is_not_there_shows_the_nearest_one(client, alice, value, shown):
    orders = placed(alice, PAGE_SIZE + 1)

    response = client.get(URL, {"page": value})

    assert response.status_code == 200
    assert (
        references(response.content.decode()) == [orders[:PAGE_SIZE], orders[PAGE_SIZE:]][shown - 1]
    )


@pytest.mark.django_db
def test_no_orders_is_no_page_links_and_a_way_to_the_shop(client, alice):
    html = client.get(URL, {"page": 3}).content.decode()

    assert "You have no orders yet" in html
    assert 'class="pager"' not in html
