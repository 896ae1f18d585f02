"""Entries go to the contest's co-sponsor only (P8), and each export is recorded as a
disclosure naming every entrant (P7)."""

import csv
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.roles import MARKETING, SUPPORT
from accounts.tests.factories import UserFactory
from consent.purposes import Purpose, Source
from consent.services import consent_grant, subject_find, subject_get_or_create
from contests.services import contest_entries_export
from contests.tests.factories import ContestEntryFactory, ContestFactory, PartnerFactory
from privacy.models import Disclosure

CHANGELIST = reverse("admin:contests_contest_changelist")


def staff(role: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def marketer(client):
    user = staff(MARKETING)
    client.force_login(user)
    return user


def export(client, contest):
    return client.post(CHANGELIST, {"action": "export_entries", "_selected_action": [contest.pk]})


def rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.mark.django_db
def test_the_export_is_a_csv_of_the_entries_for_the_co_sponsor(client, marketer):
    contest = ContestFactory(partner=PartnerFactory(slug="monster", name="Monster"))
    ContestEntryFactory(contest=contest, name="Ann Entrant", email="ann@example.com")
    ContestEntryFactory(contest=contest, name="Ben Entrant", email="ben@example.com")

    response = export(client, contest)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "entries-for-monster" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert [(r["Name"], r["E-mail"], r["Postal code"]) for r in rows(response)] == [
        ("Ann Entrant", "ann@example.com", "12345"),
        ("Ben Entrant", "ben@example.com", "12345"),
    ]


@pytest.mark.django_db
def test_each_export_is_recorded_as_a_co_brand_disclosure_naming_every_entrant(client, marketer):
    contest = ContestFactory(partner=PartnerFactory(name="Monster"))
    entries = [ContestEntryFactory(contest=contest) for _ in range(3)]

    export(client, contest)
    export(client, contest)

    assert Disclosure.objects.count() == 2
    disclosure = Disclosure.objects.first()
    assert disclosure.recipient == "Monster"
    assert disclosure.basis == Disclosure.Basis.CO_BRAND
    assert disclosure.recorded_by == marketer
    assert "postal address" in disclosure.data_categories
    assert "3 entries" in disclosure.reference
    assert set(disclosure.subjects.all()) == {subject_find(email=e.email) for e in entries}


@pytest.mark.django_db
def test_an_account_holders_entry_is_disclosed_as_theirs_after_a_change_of_address(
    client, marketer
):
    alice = UserFactory(email="alice@example.com")
    consent_grant(user=alice, purpose=Purpose.MARKETING, source=Source.SIGNUP)
    contest = ContestFactory(partner=PartnerFactory())
    ContestEntryFactory(contest=contest, user=alice, email="alice@example.com")
    alice.email = "alice@new.example"
    alice.save()

    export(client, contest)

    assert list(Disclosure.objects.get().subjects.all()) == [subject_find(user=alice)]


@pytest.mark.django_db
def test_only_entries_made_under_that_co_sponsors_notice_are_exported(client, marketer):
    monster = PartnerFactory(name="Monster")
    contest = ContestFactory(partner=None)
    ContestEntryFactory(contest=contest, email="before@example.com")
    contest.partner = monster
    contest.save()
    ContestEntryFactory(contest=contest, email="after@example.com")
    other = ContestFactory(partner=monster)
    ContestEntryFactory(contest=other, email="other-contest@example.com")

    emails = [row["E-mail"] for row in rows(export(client, contest))]

    assert emails == ["after@example.com"]
    assert Disclosure.objects.get().subjects.count() == 1


@pytest.mark.django_db
def test_entries_without_postal_address_are_exported_and_disclosed_without_one(client, marketer):
    contest = ContestFactory(partner=PartnerFactory(), prize_is_posted=False)
    blank = {"address_line1": "", "city": "", "postal_code": "", "country": ""}
    ContestEntryFactory(contest=contest, name="Ann Entrant", email="ann@example.com", **blank)

    response = export(client, contest)

    [row] = rows(response)
    assert list(row) == ["Entered at (UTC)", "Name", "E-mail"]
    assert (row["Name"], row["E-mail"]) == ("Ann Entrant", "ann@example.com")
    assert "postal address" not in Disclosure.objects.get().data_categories


@pytest.mark.django_db
def test_marketing_says_in_admin_whether_a_contests_prize_is_posted(client, marketer):
    contest = ContestFactory(prize_is_posted=True)
    change = reverse("admin:contests_contest_change", args=[contest.pk])

    page = client.get(change).content.decode()
    response = client.post(
        change,
        {
            "title": contest.title,
            "slug": contest.slug,
            "summary": contest.summary,
            "description": contest.description,
            "prize": "A licence for the career-planning software",
            "opens_at_0": f"{contest.opens_at:%Y-%m-%d}",
            "opens_at_1": f"{contest.opens_at:%H:%M:%S}",
            "closes_at_0": f"{contest.closes_at:%Y-%m-%d}",
            "closes_at_1": f"{contest.closes_at:%H:%M:%S}",
            "partner": "",
        },
    )

    assert 'name="prize_is_posted"' in page
    assert response.status_code == 302
    contest.refresh_from_db()
    assert not contest.prize_is_posted


@pytest.mark.django_db
def test_a_contest_without_co_sponsor_cannot_be_exported_and_nothing_is_recorded(client, marketer):
    contest = ContestFactory(partner=None)
    ContestEntryFactory(contest=contest)

    response = export(client, contest)

    assert response.status_code == 302
    assert Disclosure.objects.count() == 0
    follow = client.get(response.url).content.decode()
    assert "has no co-sponsor, so its entries go to nobody" in follow


@pytest.mark.django_db
def test_staff_without_the_export_permission_cannot_export(client):
    editor = UserFactory(is_staff=True)
    editor.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="contests", codename__in=["view_contest", "change_contest"]
        )
    )
    client.force_login(editor)
    contest = ContestFactory(partner=PartnerFactory())
    ContestEntryFactory(contest=contest)

    listing = client.get(CHANGELIST).content.decode()
    response = export(client, contest)

    assert 'value="export_entries"' not in listing
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert Disclosure.objects.count() == 0


@pytest.mark.django_db
def test_support_cannot_see_contests(client):
    client.force_login(staff(SUPPORT))

    assert client.get(CHANGELIST).status_code == 403


@pytest.mark.django_db
def test_an_entrants_text_cannot_become_a_spreadsheet_formula(client, marketer):
    contest = ContestFactory(partner=PartnerFactory())
    ContestEntryFactory(contest=contest, name='=HYPERLINK("http://evil")', city="+1+1")

    row = rows(export(client, contest))[0]

    assert row["Name"] == '\'=HYPERLINK("http://evil")'
    assert row["Town or city"] == "'+1+1"


@pytest.mark.django_db
@pytest.mark.parametrize("contests", [1, 15])
def test_changelist_query_count_does_not_grow(
    client, marketer, django_assert_num_queries, contests
):
    for _ in range(contests):
        ContestEntryFactory(contest=ContestFactory(partner=PartnerFactory()))

    # session, user, permissions (user's, groups'), count, count of all, the page with
    # co-sponsors and entry counts, co-sponsors for the filter
    with django_assert_num_queries(8):
        response = client.get(CHANGELIST)
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("entries", [1, 15])
def test_entries_changelist_query_count_does_not_grow(
    client, marketer, django_assert_num_queries, entries
):
    for _ in range(entries):
        ContestEntryFactory(contest=ContestFactory(partner=PartnerFactory()))

    # session, user, permissions (user's, groups'), contests for the filter, count,
    # count of all, the page with contests and co-sponsors
    with django_assert_num_queries(8):
        response = client.get(reverse("admin:contests_contestentry_changelist"))
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("people", [1, 20])
def test_the_export_query_count_does_not_grow(django_assert_num_queries, people):
    contest = ContestFactory(partner=PartnerFactory())
    for _ in range(people):
        account = UserFactory()
        ContestEntryFactory(contest=contest, user=account, email=account.email)
        subject_get_or_create(email=ContestEntryFactory(contest=contest).email)
        ContestEntryFactory(contest=contest)

    # entries, savepoint, subjects of the accounts, subjects of the addresses, those
    # missing created, read back, accounts linked to theirs, savepoint, disclosure, its
    # subjects (none), subjects added, release, release
    with django_assert_num_queries(13):
        contest_entries_export(contest=contest, by=None)
