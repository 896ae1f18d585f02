"""Contest entry: only what a contest needs (P3), the age check (P15), unticked
elections (P4) and the co-sponsor notice (P8)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from consent.models import ConsentEvent, Subject
from consent.purposes import Purpose, Source
from consent.selectors import consent_is_granted
from contests import personal_data
from contests.models import POSTAL_ADDRESS_FIELDS, ContestEntry
from contests.tests.factories import ContestFactory, PartnerFactory
from mail.models import OutboundMessage
from partners.forms import notice_shown
from partners.models import PartnerHost
from partners.services import partner_records_export
from privacy.models import Disclosure

ENTRY = {
    "name": "Casey Entrant",
    "email": "Casey@Example.com",
    "address_line1": "12 Elm Street",
    "address_line2": "Apt 3",
    "city": "Dayton",
    "region": "Ohio",
    "postal_code": "45402",
    "country": "United States",
    "age_confirmed": "on",
}


def entry_data(contest, **overrides):
    data = {**ENTRY, "notice_version": notice_shown(contest.partner) if contest.partner else ""}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def without_tokens(response) -> str:
    """A page without what differs on every request (CSRF token, CSP nonces)."""
    return re.sub(r'(value|nonce)="[A-Za-z0-9+/=_-]{20,}"', "", response.content.decode())


def url(contest):
    return reverse("contests:detail", args=[contest.slug])


def inputs(html: str) -> dict[str, str]:
    form = re.search(r'<form method="post" action="/contests/.*?</form>', html, re.S).group(0)
    return {
        match.group(1): match.group(0)
        for match in re.finditer(r'<(?:input|textarea|select)[^>]*name="([^"]+)"[^>]*>', form)
    }


@pytest.mark.django_db
def test_the_entry_form_asks_only_what_a_contest_needs(client):
    contest = ContestFactory()

    fields = set(inputs(client.get(url(contest)).content.decode()))

    assert fields == {
        "csrfmiddlewaretoken",
        "notice_version",
        "site_notice_version",
        "name",
        "email",
        "address_line1",
        "address_line2",
        "city",
        "region",
        "postal_code",
        "country",
        "age_confirmed",
        "marketing",
        "site_updates",
    }


@pytest.mark.django_db
def test_a_contest_whose_prize_is_not_posted_asks_no_postal_address(client):
    contest = ContestFactory(prize_is_posted=False)

    html = client.get(url(contest)).content.decode()

    assert set(inputs(html)) == {
        "csrfmiddlewaretoken",
        "notice_version",
        "site_notice_version",
        "name",
        "email",
        "age_confirmed",
        "marketing",
        "site_updates",
    }
    assert "Where to send the prize" not in html
    assert "address your prize" not in html


@pytest.mark.django_db
def test_a_contest_whose_prize_is_not_posted_is_entered_without_an_address(client):
    contest = ContestFactory(prize_is_posted=False)

    response = client.post(
        url(contest), entry_data(contest, **dict.fromkeys(POSTAL_ADDRESS_FIELDS, None))
    )

    assert response.url == reverse("contests:entered", args=[contest.slug])
    entry = ContestEntry.objects.get()
    assert (entry.name, entry.email) == ("Casey Entrant", "casey@example.com")
    assert [getattr(entry, field) for field in POSTAL_ADDRESS_FIELDS] == [""] * 6


@pytest.mark.django_db
def test_an_address_sent_anyway_to_a_contest_whose_prize_is_not_posted_is_not_kept(client):
    contest = ContestFactory(prize_is_posted=False)

    client.post(url(contest), entry_data(contest))  # as an older page would send it

    entry = ContestEntry.objects.get()
    assert [getattr(entry, field) for field in POSTAL_ADDRESS_FIELDS] == [""] * 6


@pytest.mark.django_db
def test_each_personal_field_says_why_it_is_asked(client):
    html = client.get(url(ContestFactory())).content.decode()

    for name, purpose in [
        ("name", "To tell you apart from other entrants"),
        ("email", "To tell you if you win"),
        ("address_line1", "Where we send the prize if you win"),
    ]:
        assert re.search(rf'id="id_{name}_helptext">{purpose}', html), name
    assert "Where to send the prize" in html


@pytest.mark.django_db
def test_elections_are_unticked_and_optional(client):
    found = inputs(client.get(url(ContestFactory())).content.decode())

    for name in ("marketing", "site_updates"):
        assert 'type="checkbox"' in found[name]
        assert "checked" not in found[name]
        assert "required" not in found[name]


@pytest.mark.django_db
def test_an_entry_is_stored_with_the_age_attestation_and_no_consent_unless_ticked(client):
    contest = ContestFactory()

    response = client.post(url(contest), entry_data(contest))

    assert response.url == reverse("contests:entered", args=[contest.slug])
    entry = ContestEntry.objects.get()
    assert entry.email == "casey@example.com"
    assert (entry.address_line1, entry.city, entry.postal_code) == (
        "12 Elm Street",
        "Dayton",
        "45402",
    )
    assert entry.age_confirmed_at is not None
    assert entry.partner is None
    assert entry.notice_version is None
    assert ConsentEvent.objects.count() == 0
    assert not consent_is_granted(email="casey@example.com", purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_each_ticked_election_is_granted_with_the_contest_as_source(client):
    contest = ContestFactory(slug="spring")

    client.post(url(contest), entry_data(contest, site_updates="on"))

    event = ConsentEvent.objects.get()
    assert (event.purpose, event.granted, event.source) == (
        Purpose.SITE_UPDATES,
        True,
        Source.CONTEST,
    )
    assert event.evidence["contest"] == "spring"
    assert consent_is_granted(email="casey@example.com", purpose=Purpose.SITE_UPDATES)
    assert not consent_is_granted(email="casey@example.com", purpose=Purpose.MARKETING)


@pytest.mark.django_db
def test_an_entrants_opt_in_waits_for_the_owner_of_the_address_to_confirm_it(client):
    contest = ContestFactory()

    response = client.post(url(contest), entry_data(contest, marketing="on"), follow=True)
    client.post(url(contest), entry_data(contest, marketing="on"))  # Entered once only.

    request = OutboundMessage.objects.get(kind=OutboundMessage.Kind.ADDRESS_CONFIRMATION)
    assert request.to == "casey@example.com"
    assert "entering a contest" in request.text
    assert "a link is on its way to it" in response.content.decode()


@pytest.mark.django_db
def test_an_entry_without_ticks_asks_no_confirmation(client):
    contest = ContestFactory()

    client.post(url(contest), entry_data(contest))

    assert not OutboundMessage.objects.filter(kind=OutboundMessage.Kind.ADDRESS_CONFIRMATION)


@pytest.mark.django_db
def test_below_the_minimum_age_nothing_is_stored_and_the_page_says_why(client):
    contest = ContestFactory()

    response = client.post(
        url(contest), entry_data(contest, age_confirmed=None, marketing="on", site_updates="on")
    )

    assert response.status_code == 200
    html = response.content.decode()
    # At the box itself, and in the summary as the link to the box.
    assert html.count("Tick this box if you are 13 or older") == 2
    assert '<a href="#id_age_confirmed">I am 13 or older. Tick this box' in html
    assert "Please correct the fields marked below." in html
    assert "nothing you entered has been saved" in html
    assert ContestEntry.objects.count() == 0
    assert Subject.objects.count() == 0
    assert ConsentEvent.objects.count() == 0


@pytest.mark.django_db
def test_the_minimum_age_comes_from_settings(client, settings):
    settings.MINIMUM_AGE = 18
    contest = ContestFactory()

    page = client.get(url(contest)).content.decode()
    refused = client.post(url(contest), entry_data(contest, age_confirmed=None)).content.decode()

    assert "I am 18 or older." in page
    assert "if you are 18 or older" in refused
    assert ContestEntry.objects.count() == 0


@pytest.mark.django_db
def test_a_co_sponsored_contest_shows_the_notice_naming_the_partner(client):
    partner = PartnerFactory(name="Monster", privacy_policy_url="https://monster.example/privacy")
    contest = ContestFactory(partner=partner)

    html = client.get(url(contest)).content.decode()

    notice = re.search(r'<div class="notice co-brand-notice".*?</div>', html, re.S).group(0)
    assert "co-sponsored by Monster" in notice
    assert "belongs to both CareerPerfect and Monster" in notice
    assert 'href="https://monster.example/privacy"' in notice


@pytest.mark.django_db
def test_an_entry_records_the_co_sponsor_and_the_notice_version_shown(client):
    partner = PartnerFactory(notice_version=4)
    contest = ContestFactory(partner=partner)

    client.post(url(contest), entry_data(contest))

    entry = ContestEntry.objects.get()
    assert (entry.partner, entry.notice_version) == (partner, 4)


@pytest.mark.django_db
def test_a_notice_changed_since_the_page_was_shown_must_be_read_again(client):
    partner = PartnerFactory(slug="monster", notice_version=2)
    contest = ContestFactory(partner=partner)

    response = client.post(url(contest), entry_data(contest, notice_version="monster:1"))

    assert response.status_code == 200
    assert "has changed since this page was opened" in response.content.decode()
    assert 'name="notice_version" value="monster:2"' in response.content.decode()
    assert ContestEntry.objects.count() == 0

    client.post(url(contest), entry_data(contest, notice_version="monster:2"))
    assert ContestEntry.objects.get().notice_version == 2


@pytest.mark.django_db
def test_an_entry_sent_after_the_co_sponsor_was_switched_must_read_the_new_notice(client):
    monster = PartnerFactory(name="Monster", notice_version=1)
    other = PartnerFactory(name="Other Jobs", notice_version=1)
    contest = ContestFactory(partner=monster)
    page = client.get(url(contest)).content.decode()
    shown = re.search(r'name="notice_version" value="([^"]*)"', page).group(1)
    # Staff switch the co-sponsor to one whose notice has the same version number.
    contest.partner = other
    contest.save()

    response = client.post(url(contest), entry_data(contest, notice_version=shown))

    html = response.content.decode()
    assert "The notice of Other Jobs on this page has changed" in html
    assert "co-sponsored by Other Jobs" in html
    assert not ContestEntry.objects.exists()


def on_site_of(partner) -> dict:
    host = f"{partner.slug}.careerperfect.localhost"
    PartnerHost.objects.get_or_create(partner=partner, host=host)
    return {"HTTP_HOST": host}


@pytest.mark.django_db
def test_an_entry_on_a_partners_site_shows_its_notice_and_records_it(client):
    site = PartnerFactory(name="Monster", slug="monster", notice_version=3)
    contest = ContestFactory()
    host = on_site_of(site)

    html = client.get(url(contest), **host).content.decode()
    client.post(url(contest), entry_data(contest, site_notice_version="monster:3"), **host)

    assert "belongs to both CareerPerfect and Monster" in html
    assert "Co-brand notice, version 3." in html
    assert 'name="site_notice_version" value="monster:3"' in html
    entry = ContestEntry.objects.get()
    assert (entry.site_partner, entry.site_notice_version) == (site, 3)
    assert (entry.partner, entry.notice_version) == (None, None)


@pytest.mark.django_db
def test_a_site_notice_changed_since_the_page_was_shown_must_be_read_again(client):
    site = PartnerFactory(slug="monster", notice_version=2)
    contest = ContestFactory()
    host = on_site_of(site)

    response = client.post(
        url(contest), entry_data(contest, site_notice_version="monster:1"), **host
    )

    assert "has changed since this page was opened" in response.content.decode()
    assert 'name="site_notice_version" value="monster:2"' in response.content.decode()
    assert ContestEntry.objects.count() == 0


@pytest.mark.django_db
def test_a_form_refused_for_both_notices_carries_both_notices_it_shows(client):
    alpha = PartnerFactory(name="Alpha", slug="alpha")
    beta = PartnerFactory(name="Beta", slug="beta")
    contest = ContestFactory(partner=alpha)
    host = on_site_of(alpha)
    # Opened on the co-sponsor's own site: one notice, Alpha's.
    data = entry_data(contest, site_notice_version="")
    contest.partner = beta
    contest.save()

    refused = client.post(url(contest), data, **host).content.decode()

    assert 'name="notice_version" value="beta:1"' in refused
    assert 'name="site_notice_version" value="alpha:1"' in refused
    data.update(notice_version="beta:1", site_notice_version="alpha:1")
    client.post(url(contest), data, **host)
    entry = ContestEntry.objects.get()
    assert (entry.partner, entry.site_partner) == (beta, alpha)


@pytest.mark.django_db
def test_on_the_co_sponsors_own_site_its_notice_is_shown_once(client):
    partner = PartnerFactory(name="Monster", notice_version=4)
    contest = ContestFactory(partner=partner)
    host = on_site_of(partner)

    html = client.get(url(contest), **host).content.decode()
    client.post(url(contest), entry_data(contest), **host)

    assert html.count("belongs to both CareerPerfect and Monster") == 1
    assert "co-sponsored by Monster" in html
    entry = ContestEntry.objects.get()
    assert (entry.partner, entry.site_partner, entry.site_notice_version) == (partner, partner, 4)


@pytest.mark.django_db
def test_a_contest_without_co_sponsor_shows_no_notice(client):
    html = client.get(url(ContestFactory())).content.decode()

    assert "co-brand-notice" not in html


@pytest.mark.django_db
def test_entering_twice_with_one_address_changes_nothing(client):
    contest = ContestFactory()
    client.post(url(contest), entry_data(contest))

    again = client.post(url(contest), entry_data(contest, city="Elsewhere"))

    assert again.url == reverse("contests:entered", args=[contest.slug])
    assert ContestEntry.objects.get().city == "Dayton"
    assert ConsentEvent.objects.count() == 0


@pytest.mark.django_db
def test_a_double_click_on_enter_shows_its_message_once(client):
    contest = ContestFactory()
    data = entry_data(contest, marketing="on")

    client.post(url(contest), data)
    page = client.post(url(contest), data, follow=True)

    assert page.text.count("If your address still needs confirming") == 1


@pytest.mark.django_db
def test_ticks_on_entering_again_are_recorded_and_the_page_does_not_tell_it_apart(client):
    contest = ContestFactory()
    first_time = client.post(
        url(contest), entry_data(contest, email="new@example.com", marketing="on"), follow=True
    )
    client.post(url(contest), entry_data(contest))  # casey@example.com, no ticks

    again = client.post(url(contest), entry_data(contest, marketing="on"), follow=True)

    # Recorded as a first entry's ticks are: waiting for the owner of the address.
    assert consent_is_granted(email="casey@example.com", purpose=Purpose.MARKETING)
    assert not consent_is_granted(
        email="casey@example.com", purpose=Purpose.MARKETING, in_force=True
    )
    assert ContestEntry.objects.filter(email="casey@example.com").count() == 1
    # A stranger typing someone's address learns nothing of whether it entered before.
    assert without_tokens(again) == without_tokens(first_time)


@pytest.mark.django_db
def test_an_address_longer_than_an_entry_can_store_is_refused_clearly(client):
    contest = ContestFactory()

    response = client.post(url(contest), entry_data(contest, email="x" * 250 + "@example.com"))

    assert response.status_code == 200
    assert "Ensure this value has at most 254 characters" in response.content.decode()
    assert not ContestEntry.objects.exists()


@pytest.mark.django_db
def test_a_closed_contest_takes_no_entries(client):
    contest = ContestFactory(
        opens_at=timezone.now() - timedelta(days=10), closes_at=timezone.now() - timedelta(days=1)
    )

    response = client.post(url(contest), entry_data(contest))

    assert response.status_code == 200
    assert "This contest closed" in response.content.decode()
    assert ContestEntry.objects.count() == 0


@pytest.mark.django_db
def test_a_contest_not_yet_open_is_not_found(client):
    contest = ContestFactory(opens_at=timezone.now() + timedelta(days=1))

    assert client.get(url(contest)).status_code == 404


@pytest.mark.django_db
def test_signed_in_the_form_is_prefilled_and_the_entry_linked(client):
    alice = UserFactory(email="alice@example.com", name="Alice Example")
    client.force_login(alice)
    contest = ContestFactory()

    html = client.get(url(contest)).content.decode()
    client.post(url(contest), entry_data(contest, name="Alice Example", email="alice@example.com"))

    assert 'value="alice@example.com"' in html
    assert ContestEntry.objects.get().user == alice


@pytest.mark.django_db
def test_an_entry_made_signed_in_for_another_address_is_that_addresss_owners(client):
    alice = UserFactory(email="alice@example.com")
    bob = UserFactory(email="bob@example.com")
    monster = PartnerFactory()
    PartnerHost.objects.create(partner=monster, host="monster.careerperfect.localhost")
    client.force_login(alice)
    contest = ContestFactory()

    client.post(
        url(contest),
        entry_data(
            contest,
            name="Bob Example",
            email="bob@example.com",
            site_notice_version=notice_shown(monster),
        ),
        HTTP_HOST="monster.careerperfect.localhost",
    )
    partner_records_export(partner=monster, staff=None)

    assert [s.email for s in Disclosure.objects.get().subjects.all()] == ["bob@example.com"]
    assert personal_data.export(alice)["entries"] == []
    assert [e["name"] for e in personal_data.export(bob)["entries"]] == ["Bob Example"]
    personal_data.erase(bob)
    assert not ContestEntry.objects.exists()


@pytest.mark.django_db
def test_entering_is_rate_limited(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "contest_entry": "1/h/ip"}
    contest = ContestFactory()

    first = client.post(url(contest), entry_data(contest))
    second = client.post(url(contest), entry_data(contest, email="other@example.com"))

    assert (first.status_code, second.status_code) == (302, 429)
    assert ContestEntry.objects.count() == 1


@pytest.mark.django_db
def test_past_the_rate_limit_the_entry_form_is_shown_again_with_what_was_typed(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "contest_entry": "1/h/ip"}
    contest = ContestFactory()
    client.post(url(contest), entry_data(contest))

    response = client.post(
        url(contest), entry_data(contest, email="other@example.com", name="Dana Other")
    )

    assert response.status_code == 429
    html = response.content.decode()
    assert "too many times in a short time. Please try again later" in html
    assert 'value="Dana Other"' in html
    assert 'value="other@example.com"' in html


@pytest.mark.django_db
def test_correcting_mistakes_does_not_use_up_the_entry_rate_limit(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "contest_entry": "1/h/ip"}
    contest = ContestFactory()

    refused = [
        client.post(url(contest), entry_data(contest, city=None)).status_code for _ in range(3)
    ]
    entered = client.post(url(contest), entry_data(contest))

    assert refused == [200, 200, 200]
    assert entered.status_code == 302
    assert ContestEntry.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("contests", [1, 12])
def test_list_query_count_does_not_grow(client, django_assert_num_queries, contests):
    for _ in range(contests):
        ContestFactory(partner=PartnerFactory())

    # partner for the host (cold cache), open contests with their co-sponsors
    with django_assert_num_queries(2):
        response = client.get(reverse("contests:list"))
    assert response.status_code == 200
    assert response.content.decode().count("Co-sponsored by") == contests
