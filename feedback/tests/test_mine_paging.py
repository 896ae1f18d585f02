"""Feedback you have sent us, a page at a time (careerperfect.paging), newest first."""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from feedback.tests.factories import FeedbackFactory

URL = reverse("feedback:mine")
PAGE_SIZE = 3  # short pages: little feedback to send


@pytest.fixture(autouse=True)
def page_size(settings):
    settings.LIST_PAGE_SIZE = PAGE_SIZE


@pytest.fixture
def alice(client, db):
    user = UserFactory(email="alice@example.com")
    client.force_login(user)
    return user


def bodies(html: str) -> list[str]:
    return re.findall(r"<blockquote>(Item \d+)</blockquote>", html)


def sent(user, count: int) -> list[str]:
    """The bodies of count items of feedback user sent, newest first."""
    return [FeedbackFactory(user=user, body=f"Item {n}").body for n in range(count)][::-1]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, PAGE_SIZE])
def test_a_page_worth_of_feedback_has_no_links_to_other_pages(client, alice, count):
    items = sent(alice, count)

    html = client.get(URL).content.decode()

    assert bodies(html) == items
    assert 'class="pager"' not in html


@pytest.mark.django_db
def test_one_item_more_than_a_page_goes_on_a_second_page(client, alice):
    items = sent(alice, PAGE_SIZE + 1)

    first = client.get(URL).content.decode()
    second = client.get(URL, {"page": 2}).content.decode()

    assert bodies(first) == items[:PAGE_SIZE]
    assert "Page 1 of 2" in first
    assert f"1 to {PAGE_SIZE} of {PAGE_SIZE + 1}" in first
    assert 'href="?page=2" rel="next">Next page</a>' in first
    assert bodies(second) == items[PAGE_SIZE:]
    assert '<a href="?page=2" aria-current="page">' in second


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "shown"), [("abc", 1), ("-1", 1), ("999", 2)])
def test_a_page_that_is_not_there_shows_the_nearest_one(client, alice, value, shown):
    items = sent(alice, PAGE_SIZE + 1)

    response = client.get(URL, {"page": value})

    assert response.status_code == 200
    assert bodies(response.content.decode()) == [items[:PAGE_SIZE], items[PAGE_SIZE:]][shown - 1]
