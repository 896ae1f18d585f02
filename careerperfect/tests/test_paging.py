"""The pages of a person's lists (careerperfect.paging) and the links between them
(includes/pager.html)."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from careerperfect.paging import page_of

ROWS = list(range(45))  # three pages of 20


@pytest.fixture(autouse=True)
def page_size(settings):
    settings.LIST_PAGE_SIZE = 20


def page(query: str = "", *, param: str = "page", rows=ROWS):
    return page_of(RequestFactory().get(f"/list/{query}"), rows, param=param)


def test_it_shows_the_page_asked_for():
    assert page("?page=2").object_list == ROWS[20:40]
    assert page("?page=3").object_list == ROWS[40:]


@pytest.mark.parametrize("value", ["", "abc", "0", "-1", "2.5", "1e3", "%00", "9" * 5000], ids=repr)
def test_a_value_that_is_no_page_number_or_below_one_shows_the_first_page(value):
    assert page(f"?page={value}").number == 1


@pytest.mark.parametrize("value", ["4", "999", "9" * 100])
def test_a_page_beyond_the_last_shows_the_last(value):
    assert page(f"?page={value}").number == 3


def test_an_empty_list_is_one_empty_page():
    shown = page("?page=2", rows=[])

    assert (shown.number, list(shown), shown.paginator.num_pages) == (1, [], 1)


def test_it_reads_its_own_parameter_only():
    assert page("?page=3&history_page=2", param="history_page").number == 2


def pager(query: str, *, param: str = "page", rows=ROWS, **context) -> str:
    request = RequestFactory().get(f"/list/{query}")
    shown = page_of(request, rows, param=param)
    return render_to_string(
        "includes/pager.html",
        {"page": shown, "label": "Pages of your orders", **context},
        request=request,
    )


def test_one_page_has_no_links_to_other_pages():
    assert pager("", rows=ROWS[:20]).strip() == ""


def test_the_links_say_where_they_lead_and_which_page_is_shown():
    html = pager("?page=2")

    assert '<nav class="pager" aria-label="Pages of your orders">' in html
    assert "Page 2 of 3" in html
    assert '<a href="/list/" rel="prev">Previous page</a>' in html
    assert '<a href="?page=3" rel="next">Next page</a>' in html
    current = re.findall(r'<a href="([^"]*)" aria-current="page">', html)
    assert current == ["?page=2"]


def test_the_first_and_last_pages_have_no_link_beyond_them():
    assert "Previous page" not in pager("")
    assert "Next page" not in pager("?page=3")


def test_far_pages_are_left_out_but_the_ends_and_neighbours_stay():
    html = pager("?page=10", rows=list(range(400)))  # 20 pages

    numbers = re.findall(r'<span class="visually-hidden">Page </span>(\d+)</a>', html)
    assert numbers == ["1", "9", "10", "11", "20"]
    assert html.count("…") == 2


def test_the_links_keep_the_other_lists_page_and_land_on_the_list():
    html = pager("?history_page=2&disclosures_page=3", param="history_page", anchor="history-title")

    assert 'href="?disclosures_page=3&amp;history_page=3#history-title" rel="next"' in html
    assert 'href="?disclosures_page=3#history-title" rel="prev"' in html
