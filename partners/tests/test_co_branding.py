"""P8: on a partner's pages people are told their data belongs to both companies; the
records made there say so; a partner's export holds only those records, and every
export is a recorded disclosure (P7)."""

import csv
import io
import re

import pytest
from django.contrib.admin import helpers
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import User
from accounts.roles import PRIVACY_OFFICER, SUPPORT
from accounts.tests.factories import UserFactory
from consent.models import Subject
from consent.services import subject_get_or_create
from contests.tests.factories import ContestEntryFactory
from orders.tests.factories import ProductFactory, placed_order
from partners import personal_data
from partners.models import CoBrandedRegistration, Partner, PartnerHost
from partners.services import partner_cache_clear, partner_records_export, partner_save
from privacy.models import Disclosure

MONSTER_HOST = "monster.careerperfect.localhost"
OTHER_HOST = "other.careerperfect.localhost"
SIGNUP = reverse("account_signup")
PARTNERS = reverse("admin:partners_partner_changelist")


def partner(name, slug, host, **fields):
    created = Partner.objects.create(
        name=name, slug=slug, privacy_policy_url=f"https://{slug}.example/privacy", **fields
    )
    PartnerHost.objects.create(partner=created, host=host)
    return created


@pytest.fixture
def monster(db):
    return partner("Monster", "monster", MONSTER_HOST, notice_version=2)


@pytest.fixture
def other(db):
    return partner("Other Jobs", "other", OTHER_HOST)


def notice_version_shown(html: str) -> str:
    shown = re.search(r'name="notice_version" value="([^"]+)"', html)
    return shown.group(1) if shown else ""


def sign_up(client, email="new.person@example.com", **host):
    """Open the sign-up page, then send it, as a browser does."""
    page = client.get(SIGNUP, **host).content.decode()
    return client.post(
        SIGNUP,
        {
            "email": email,
            "password1": "a-long-enough-passphrase-42",
            "name": "New Person",
            "age_confirmed": "on",
            "notice_version": notice_version_shown(page),
        },
        **host,
    )


def test_signup_on_a_partner_host_shows_the_co_brand_notice(client, monster):
    html = client.get(SIGNUP, HTTP_HOST=MONSTER_HOST).content.decode()

    assert "belongs to both CareerPerfect and Monster" in html
    assert "Monster uses it as" in html
    assert 'href="https://monster.example/privacy"' in html
    assert "Co-brand notice, version 2." in html


@pytest.mark.django_db
def test_signup_on_the_main_host_shows_no_notice_and_records_no_partner(client, monster):
    html = client.get(SIGNUP).content.decode()
    sign_up(client)

    assert "belongs to both" not in html
    assert User.objects.filter(email="new.person@example.com").exists()
    assert CoBrandedRegistration.objects.count() == 0


def test_signup_on_a_partner_host_records_the_partner_and_the_notice_version(client, monster):
    sign_up(client, HTTP_HOST=MONSTER_HOST)

    registration = CoBrandedRegistration.objects.get()
    assert registration.user == User.objects.get(email="new.person@example.com")
    assert (registration.partner, registration.notice_version) == (monster, 2)
    assert (registration.email, registration.name) == ("new.person@example.com", "New Person")


def test_a_signup_sent_after_the_notice_changed_is_shown_the_new_notice_first(
    client, monster, django_capture_on_commit_callbacks
):
    page = client.get(SIGNUP, HTTP_HOST=MONSTER_HOST).content.decode()
    monster.privacy_policy_url = "https://monster.example/new-privacy"
    with django_capture_on_commit_callbacks(execute=True):
        partner_save(partner=monster, changed_fields=["privacy_policy_url"])
    data = {
        "email": "new.person@example.com",
        "password1": "a-long-enough-passphrase-42",
        "name": "New Person",
        "age_confirmed": "on",
        "notice_version": notice_version_shown(page),
    }

    again = client.post(SIGNUP, data, HTTP_HOST=MONSTER_HOST).content.decode()

    assert "The notice of Monster on this page has changed" in again
    assert "Co-brand notice, version 3." in again
    assert 'href="https://monster.example/new-privacy"' in again
    assert not User.objects.exists()
    client.post(
        SIGNUP, {**data, "notice_version": notice_version_shown(again)}, HTTP_HOST=MONSTER_HOST
    )
    assert CoBrandedRegistration.objects.get().notice_version == 3


def test_a_signup_sent_after_the_host_went_to_another_partner_is_shown_its_notice_first(
    client, monster, django_capture_on_commit_callbacks
):
    page = client.get(SIGNUP, HTTP_HOST=MONSTER_HOST).content.decode()
    # The host is given to another partner, whose notice has the same version number.
    with django_capture_on_commit_callbacks(execute=True):
        other = partner("Other Jobs", "other", OTHER_HOST, notice_version=2)
        PartnerHost.objects.filter(host=MONSTER_HOST).update(partner=other)
        partner_cache_clear(partner=other)

    again = client.post(
        SIGNUP,
        {
            "email": "new.person@example.com",
            "password1": "a-long-enough-passphrase-42",
            "name": "New Person",
            "age_confirmed": "on",
            "notice_version": notice_version_shown(page),
        },
        HTTP_HOST=MONSTER_HOST,
    ).content.decode()

    assert "The notice of Other Jobs on this page has changed" in again
    assert not User.objects.exists()
    assert not CoBrandedRegistration.objects.exists()


def test_a_signup_refused_for_age_records_nothing_for_the_partner(client, monster):
    response = client.post(
        SIGNUP,
        {"email": "kid@example.com", "password1": "a-long-enough-passphrase-42", "name": "Kid"},
        HTTP_HOST=MONSTER_HOST,
    )

    assert "Tick this box if you are 13 or older" in response.content.decode()
    assert CoBrandedRegistration.objects.count() == 0
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "version"),
    [
        ("name", "Monster Worldwide", 3),
        ("privacy_policy_url", "https://monster.example/privacy-2", 3),
        ("primary_colour", "#123456", 2),
    ],
)
def test_the_notice_version_rises_when_what_the_notice_says_changes(monster, field, value, version):
    setattr(monster, field, value)

    partner_save(partner=monster, changed_fields=[field])

    monster.refresh_from_db()
    assert monster.notice_version == version


def test_editing_a_partner_in_admin_shows_its_new_notice_at_once(
    client, monster, django_capture_on_commit_callbacks
):
    client.get(SIGNUP, HTTP_HOST=MONSTER_HOST)  # The partner is now cached for its host.
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:partners_partner_change", args=[monster.pk]),
            {
                "name": "Monster",
                "slug": "monster",
                "privacy_policy_url": "https://monster.example/new-privacy",
                "logo_url": "",
                "primary_colour": "#6e45a5",
                "active": "on",
                "hosts-TOTAL_FORMS": "1",
                "hosts-INITIAL_FORMS": "1",
                "hosts-0-id": monster.hosts.get().pk,
                "hosts-0-partner": monster.pk,
                "hosts-0-host": MONSTER_HOST,
            },
        )
    client.logout()

    html = client.get(SIGNUP, HTTP_HOST=MONSTER_HOST).content.decode()
    assert 'href="https://monster.example/new-privacy"' in html
    assert "Co-brand notice, version 3." in html


@pytest.fixture
def records(monster, other, client):
    """Registrations, contest entries and orders on two partners' pages and on the main
    site."""
    sign_up(client, "reg.monster@example.com", HTTP_HOST=MONSTER_HOST)
    sign_up(client, "reg.other@example.com", HTTP_HOST=OTHER_HOST)
    sign_up(client, "reg.main@example.com")
    ContestEntryFactory(
        email="entrant.monster@example.com",
        postal_code="45402",
        site_partner=monster,
        site_notice_version=monster.notice_version,
    )
    ContestEntryFactory(email="entrant.other@example.com", site_partner=other)
    ContestEntryFactory(email="entrant.main@example.com")
    executive = ProductFactory(
        name="Executive", phone_reason="For the call.", postal_address_reason="For the copies."
    )
    placed_order(
        executive,
        email="buyer.monster@example.com",
        name="Mona Buyer",
        partner=monster,
        phone="555-0101",
        address={"address_line1": "1 Main St", "city": "Springfield", "country": "USA"},
    )
    placed_order(email="buyer.other@example.com", partner=other)
    placed_order(email="buyer.main@example.com")


def read_csv(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_a_partner_export_holds_only_records_made_on_its_pages(records, monster):
    staff = UserFactory(is_staff=True)

    rows = read_csv(partner_records_export(partner=monster, staff=staff))

    assert [(row["record"], row["email"]) for row in rows] == [
        ("registration", "reg.monster@example.com"),
        ("contest entry", "entrant.monster@example.com"),
        ("order", "buyer.monster@example.com"),
    ]
    entry = rows[1]
    assert (entry["postal_code"], entry["notice_version"]) == ("45402", "2")
    order = rows[2]
    assert (order["name"], order["phone"], order["city"], order["products"]) == (
        "Mona Buyer",
        "555-0101",
        "Springfield",
        "Executive",
    )
    assert order["notice_version"] == "2"


def test_a_partner_export_holds_only_the_fields_entered_there(records, monster):
    user = User.objects.get(email="reg.monster@example.com")
    user.name = "Changed Later On The Main Site"
    user.save()

    text = partner_records_export(partner=monster, staff=UserFactory(is_staff=True))

    assert list(read_csv(text)[0]) == [
        "record",
        "reference",
        "created_at",
        "notice_version",
        "name",
        "email",
        "phone",
        "address_line1",
        "address_line2",
        "city",
        "region",
        "postal_code",
        "country",
        "products",
    ]
    assert "Changed Later" not in text
    for absent in ("status", "total", "paid", "password", "marketing", "age", "card", "last4"):
        assert absent not in text.splitlines()[0]


def test_every_export_is_recorded_as_a_disclosure_to_the_partner(records, monster):
    staff = UserFactory(is_staff=True)

    partner_records_export(partner=monster, staff=staff)
    partner_records_export(partner=monster, staff=staff)

    assert Disclosure.objects.count() == 2
    disclosure = Disclosure.objects.first()
    assert (disclosure.recipient, disclosure.basis, disclosure.recorded_by) == (
        "Monster",
        Disclosure.Basis.CO_BRAND,
        staff,
    )
    assert disclosure.data_categories == [
        "contest entry",
        "e-mail address",
        "name",
        "phone number",
        "postal address",
        "products ordered",
    ]
    assert "3 records" in disclosure.reference
    assert {subject.email for subject in disclosure.subjects.all()} == {
        "reg.monster@example.com",
        "entrant.monster@example.com",
        "buyer.monster@example.com",
    }


def test_anonymised_orders_are_left_out_of_exports(monster):
    order = placed_order(email="gone@example.com", partner=monster)
    order.email = order.name = ""
    order.save()

    assert read_csv(partner_records_export(partner=monster, staff=None)) == []
    assert Subject.objects.count() == 0


def test_entries_without_postal_address_are_not_disclosed_as_having_one(monster):
    ContestEntryFactory(
        contest__prize_is_posted=False,
        email="entrant@example.com",
        site_partner=monster,
        address_line1="",
        city="",
        postal_code="",
        country="",
    )

    (row,) = read_csv(partner_records_export(partner=monster, staff=None))

    assert (row["email"], row["address_line1"], row["country"]) == ("entrant@example.com", "", "")
    assert Disclosure.objects.get().data_categories == ["contest entry", "e-mail address", "name"]


def test_cells_that_a_spreadsheet_would_run_are_quoted(monster):
    placed_order(email="x@example.com", name='=HYPERLINK("http://evil")', partner=monster)

    (row,) = read_csv(partner_records_export(partner=monster, staff=None))

    assert row["name"] == '\'=HYPERLINK("http://evil")'


@pytest.mark.parametrize("people", [1, 20])
def test_a_partner_export_query_count_does_not_grow(monster, django_assert_num_queries, people):
    staff = UserFactory(is_staff=True)
    for n in range(people):
        account = UserFactory()
        CoBrandedRegistration.objects.create(
            partner=monster, user=account, notice_version=2, email=account.email, name="A"
        )
        ContestEntryFactory(user=account, email=account.email, site_partner=monster)
        ContestEntryFactory(site_partner=monster)
        placed_order(user=account, partner=monster)
        subject_get_or_create(email=f"guest{n}@example.com")
        placed_order(email=f"guest{n}@example.com", partner=monster)

    # registrations, orders, their lines, contest entries, savepoint, subjects of the
    # accounts, subjects of the addresses, those missing created, read back, accounts
    # linked to theirs, savepoint, disclosure, its subjects (none), subjects added,
    # release, release
    with django_assert_num_queries(16):
        partner_records_export(partner=monster, staff=staff)


def _staff(client, role):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


def test_the_privacy_officer_downloads_the_export_from_admin(client, records, monster):
    officer = _staff(client, PRIVACY_OFFICER)

    response = client.post(
        PARTNERS,
        {"action": "export_records", helpers.ACTION_CHECKBOX_NAME: [monster.pk], "index": 0},
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="monster-records-' in response["Content-Disposition"]
    assert len(read_csv(response.content.decode())) == 3
    assert Disclosure.objects.get().recorded_by == officer


def test_staff_without_the_export_permission_cannot_export(client, records, monster):
    _staff(client, SUPPORT)

    listing = client.get(PARTNERS).content.decode()
    response = client.post(
        PARTNERS,
        {"action": "export_records", helpers.ACTION_CHECKBOX_NAME: [monster.pk], "index": 0},
    )

    assert "export_records" not in listing
    assert "text/csv" not in response.get("Content-Type", "")
    assert Disclosure.objects.count() == 0


def test_personal_data_export_and_erase_of_a_registration(client, monster):
    sign_up(client, HTTP_HOST=MONSTER_HOST)
    user = User.objects.get(email="new.person@example.com")

    exported = personal_data.export(user)
    personal_data.erase(user)

    assert exported["co_branded_registration"]["partner"] == "Monster"
    assert exported["co_branded_registration"]["notice_version"] == 2
    assert CoBrandedRegistration.objects.count() == 0
    assert personal_data.export(user) == {"co_branded_registration": None}
