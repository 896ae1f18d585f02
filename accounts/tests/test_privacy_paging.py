"""My privacy's two long lists, the consent history and the disclosures, a page at a
time (careerperfect.paging), each with its own page in the address; the elections
form above them shows and judges the elections in force whatever page is shown."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone

from accounts.tests.factories import UserFactory
from accounts.tests.test_privacy_dashboard import _form_as_shown
from consent.models import ConsentEvent
from consent.purposes import Purpose, Source
from consent.selectors import consent_is_granted
from consent.services import consent_grant, consent_withdraw, subject_get_or_create
from privacy.models import Disclosure
from privacy.services import disclosure_record

URL = reverse("accounts:privacy")
PAGE_SIZE = 3  # short pages: few events and disclosures to record


@pytest.fixture(autouse=True)
def page_size(settings):
    settings.LIST_PAGE_SIZE = PAGE_SIZE


@pytest.fixture
def alice(client, db):
    user = UserFactory(email="alice@example.com")
    client.force_login(user)
    return user


def section(html: str, heading: str) -> str:
    """The part of the page under the heading with this id, to the end of its section."""
    part = html[html.index(f'id="{heading}"') :]
    return part[: part.index("</section>")]


def history_rows(html: str) -> list[str]:
    return re.findall(r'<td><time datetime="([^"]+)">', section(html, "history-title"))


def recipients(html: str) -> list[str]:
    return re.findall(r"<td>(Recipient \d+)</td>", section(html, "disclosures-title"))


def chosen(user, count: int) -> list[str]:
    """count marketing choices of user's, a day apart, as the history shows when each
    was made, newest first."""
    now = timezone.now()
    times = []
    for n in range(count):
        record = consent_grant if n % 2 == 0 else consent_withdraw
        event = record(
            user=user,
            purpose=Purpose.MARKETING,
            source=Source.PREFERENCES,
            occurred_at=now - timedelta(days=count - n),
        )
        times.append(dateformat.format(timezone.localtime(event.occurred_at), r"Y-m-d\TH:i:sO"))
    return times[::-1]


def disclosed(user, count: int) -> list[str]:
    """count disclosures of user's data, as the list names them, newest first."""
    subject = subject_get_or_create(user=user)
    for n in range(count):
        disclosure_record(
            recipient=f"Recipient {n}",
            data_categories=["name"],
            basis=Disclosure.Basis.AUTHORIZATION,
            subjects=[subject],
        )
    return [f"Recipient {n}" for n in range(count)][::-1]


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, PAGE_SIZE])
def test_a_page_worth_of_either_list_has_no_links_to_other_pages(client, alice, count):
    events = chosen(alice, count)
    disclosures = disclosed(alice, count)

    html = client.get(URL).content.decode()

    assert history_rows(html) == events
    assert recipients(html) == disclosures
    assert 'class="pager"' not in html


@pytest.mark.django_db
def test_one_event_more_than_a_page_goes_on_a_second_page_of_the_history(client, alice):
    events = chosen(alice, PAGE_SIZE + 1)

    first = client.get(URL).content.decode()
    second = client.get(URL, {"history_page": 2}).content.decode()

    assert history_rows(first) == events[:PAGE_SIZE]
    history = section(first, "history-title")
    assert '<nav class="pager" aria-label="Pages of your consent history">' in history
    assert "Page 1 of 2" in history
    assert 'href="?history_page=2#history-title" rel="next"' in history
    assert history_rows(second) == events[PAGE_SIZE:]


@pytest.mark.django_db
def test_one_disclosure_more_than_a_page_goes_on_a_second_page_of_them(client, alice):
    disclosures = disclosed(alice, PAGE_SIZE + 1)

    first = client.get(URL).content.decode()
    second = client.get(URL, {"disclosures_page": 2}).content.decode()

    assert recipients(first) == disclosures[:PAGE_SIZE]
    listed = section(first, "disclosures-title")
    assert '<nav class="pager" aria-label="Pages of disclosures">' in listed
    assert "Page 1 of 2" in listed
    assert 'href="?disclosures_page=2#disclosures-title" rel="next"' in listed
    assert recipients(second) == disclosures[PAGE_SIZE:]


@pytest.mark.django_db
def test_each_lists_links_keep_the_page_shown_of_the_other(client, alice):
    events = chosen(alice, PAGE_SIZE + 1)
    disclosures = disclosed(alice, PAGE_SIZE + 1)

    html = client.get(URL, {"history_page": 2, "disclosures_page": 2}).content.decode()

    assert history_rows(html) == events[PAGE_SIZE:]
    assert recipients(html) == disclosures[PAGE_SIZE:]
    history = section(html, "history-title")
    assert 'href="?disclosures_page=2#history-title" rel="prev"' in history
    listed = section(html, "disclosures-title")
    assert 'href="?history_page=2#disclosures-title" rel="prev"' in listed


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "shown"), [("abc", 1), ("-1", 1), ("0", 1), ("999", 2), ("", 1)])
def test_a_page_that_is_not_there_shows_the_nearest_one(client, alice, value, shown):
    events = chosen(alice, PAGE_SIZE + 1)
    disclosures = disclosed(alice, PAGE_SIZE + 1)

    response = client.get(URL, {"history_page": value, "disclosures_page": value})

    assert response.status_code == 200
    html = response.content.decode()
    assert history_rows(html) == [events[:PAGE_SIZE], events[PAGE_SIZE:]][shown - 1]
    assert recipients(html) == [disclosures[:PAGE_SIZE], disclosures[PAGE_SIZE:]][shown - 1]


@pytest.mark.django_db
@pytest.mark.parametrize("history_page", [1, 2])
def test_an_election_whose_event_is_on_another_page_is_shown_and_kept(client, alice, history_page):
    # Site updates allowed long ago: that event is on the history's last page only.
    consent_grant(
        user=alice,
        purpose=Purpose.SITE_UPDATES,
        source=Source.SIGNUP,
        occurred_at=timezone.now() - timedelta(days=400),
    )
    chosen(alice, PAGE_SIZE + 1)  # marketing, now withdrawn
    html = client.get(URL, {"history_page": history_page}).content.decode()

    assert re.search(r'<input type="checkbox" name="site_updates"[^>]* checked>', html)
    assert not re.search(r'<input type="checkbox" name="marketing"[^>]* checked>', html)
    assert "Allowed since" in " ".join(section(html, "elections-title").split())

    # Saved as shown, it changes nothing.
    events = ConsentEvent.objects.count()
    response = client.post(URL, _form_as_shown(html), follow=True)

    assert "Nothing changed." in response.content.decode()
    assert ConsentEvent.objects.count() == events
    assert consent_is_granted(user=alice, purpose=Purpose.SITE_UPDATES)
