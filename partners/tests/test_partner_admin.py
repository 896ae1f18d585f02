"""Partners and their hosts in admin: a partner or host changed or deleted stops
selecting the partner at once, not when its cached lookup expires; a host is stored as
requests are looked up (lower case, no port, no final dot), and one that another row
already holds, however spelt, is a form error."""

from datetime import timedelta

import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from contests.models import ContestEntry
from contests.tests.factories import ContestFactory
from partners.models import Partner, PartnerHost
from privacy.models import DailyCount
from privacy.services import PartnerReportScope, partner_report_export

HOST = "mistake.careerperfect.localhost"
ENTRY = {
    "name": "Casey Entrant",
    "email": "casey@example.com",
    "address_line1": "12 Elm Street",
    "city": "Dayton",
    "postal_code": "45402",
    "country": "United States",
    "age_confirmed": "on",
    "notice_version": "",
    "site_notice_version": "1",
}


@pytest.fixture
def mistake(db):
    partner = Partner.objects.create(
        name="Mistake Co", slug="mistake", privacy_policy_url="https://mistake.example/privacy"
    )
    PartnerHost.objects.create(partner=partner, host=HOST)
    return partner


@pytest.fixture
def superuser(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def delete_from_changelist(client, partner):
    return client.post(
        reverse("admin:partners_partner_changelist"),
        {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [partner.pk], "post": "yes"},
    )


def delete_from_its_page(client, partner):
    return client.post(reverse("admin:partners_partner_delete", args=[partner.pk]), {"post": "yes"})


@pytest.mark.parametrize("delete", [delete_from_changelist, delete_from_its_page])
def test_a_partner_deleted_in_admin_no_longer_brands_its_former_host(
    client, mistake, superuser, delete, django_capture_on_commit_callbacks
):
    contest = ContestFactory()
    page = reverse("contests:detail", args=[contest.slug])
    assert "Mistake Co" in client.get(page, HTTP_HOST=HOST).content.decode()  # now cached

    with django_capture_on_commit_callbacks(execute=True):
        response = delete(client, mistake)
    client.logout()

    assert response.status_code == 302
    assert not Partner.objects.exists()
    assert "Mistake Co" not in client.get(page, HTTP_HOST=HOST).content.decode()
    entered = client.post(page, ENTRY, HTTP_HOST=HOST)
    assert entered.status_code == 302
    assert ContestEntry.objects.get().site_partner is None


def test_a_host_taken_off_a_partner_in_admin_no_longer_brands_it(
    client, mistake, superuser, django_capture_on_commit_callbacks
):
    client.get("/", HTTP_HOST=HOST)  # The partner is now cached for its host.

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:partners_partner_change", args=[mistake.pk]),
            {
                "name": "Mistake Co",
                "slug": "mistake",
                "privacy_policy_url": "https://mistake.example/privacy",
                "logo_url": "",
                "primary_colour": "#0b5cab",
                "active": "on",
                "hosts-TOTAL_FORMS": "1",
                "hosts-INITIAL_FORMS": "1",
                "hosts-0-id": mistake.hosts.get().pk,
                "hosts-0-partner": mistake.pk,
                "hosts-0-host": HOST,
                "hosts-0-DELETE": "on",
            },
        )

    assert not PartnerHost.objects.exists()
    assert "with Mistake Co" not in client.get("/", HTTP_HOST=HOST).content.decode()


def change_hosts(client, partner, *hosts):
    """Send a partner's admin page with its hosts replaced by these."""
    existing = list(partner.hosts.all())
    data = {
        "name": partner.name,
        "slug": partner.slug,
        "privacy_policy_url": partner.privacy_policy_url,
        "logo_url": "",
        "primary_colour": "#0b5cab",
        "active": "on",
        "hosts-TOTAL_FORMS": str(len(existing) + len(hosts)),
        "hosts-INITIAL_FORMS": str(len(existing)),
    }
    for n, old in enumerate(existing):
        data |= {f"hosts-{n}-id": old.pk, f"hosts-{n}-partner": partner.pk}
        data |= {f"hosts-{n}-host": old.host, f"hosts-{n}-DELETE": "on"}
    for n, host in enumerate(hosts, start=len(existing)):
        data |= {f"hosts-{n}-partner": partner.pk, f"hosts-{n}-host": host}
    return client.post(reverse("admin:partners_partner_change", args=[partner.pk]), data)


@pytest.fixture
def acme(db):
    return Partner.objects.create(
        name="Acme", slug="acme", privacy_policy_url="https://acme.example/privacy"
    )


@pytest.mark.parametrize(
    "spelling",
    [
        "Mistake.CareerPerfect.localhost",
        "mistake.careerperfect.localhost.",
        "mistake.careerperfect.localhost:8000",
    ],
)
def test_another_partners_host_spelt_differently_is_refused_with_a_form_error(
    client, mistake, acme, superuser, spelling
):
    client.raise_request_exception = False

    response = change_hosts(client, acme, spelling)

    assert response.status_code == 200
    assert "Partner host with this Host already exists." in response.content.decode()
    assert list(PartnerHost.objects.values_list("host", flat=True)) == [HOST]


def test_one_host_twice_in_one_submission_is_refused_with_a_form_error(client, acme, superuser):
    client.raise_request_exception = False

    response = change_hosts(
        client, acme, "acme.careerperfect.localhost", "ACME.careerperfect.localhost"
    )

    assert response.status_code == 200
    assert "Please correct the duplicate data for host" in response.content.decode()
    assert not PartnerHost.objects.exists()


@pytest.mark.parametrize(
    "spelling",
    [
        "Acme.CareerPerfect.localhost",
        "acme.careerperfect.localhost:8000",
        "acme.careerperfect.localhost.",
    ],
)
def test_a_host_entered_with_capitals_port_or_final_dot_selects_the_partner(
    client, acme, superuser, spelling, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = change_hosts(client, acme, spelling)
    client.logout()

    assert response.status_code == 302
    assert acme.hosts.get().host == "acme.careerperfect.localhost"
    for requested in ("acme.careerperfect.localhost", "acme.careerperfect.localhost:8000"):
        html = client.get(reverse("account_signup"), HTTP_HOST=requested).content.decode()
        assert "run with Acme" in html


def test_what_is_not_a_host_name_is_refused(client, acme, superuser):
    response = change_hosts(client, acme, "acme careerperfect")

    assert "Enter a host name, such as monster.careerperfect.com." in response.content.decode()
    assert not PartnerHost.objects.exists()


@pytest.mark.parametrize("spelling", ["careerperfect.localhost", "CareerPerfect.localhost:8000"])
def test_the_main_sites_own_host_cannot_be_given_to_a_partner(
    client, acme, superuser, settings, spelling
):
    settings.SITE_URL = "https://careerperfect.localhost"

    response = change_hosts(client, acme, spelling)

    assert response.status_code == 200
    assert "is the host of the main site itself" in response.content.decode()
    assert not PartnerHost.objects.exists()


@pytest.mark.django_db
def test_the_migration_stores_hosts_saved_before_normalizing_as_lookups_find_them(mistake):
    from importlib import import_module

    from django.apps import apps

    from partners.selectors import partner_for_host

    migration = import_module("partners.migrations.0005_hosts_normalized")
    # As stored before hosts were normalized on save (save() would normalize them now).
    legacy = PartnerHost.objects.create(partner=mistake, host="placeholder-1")
    clash = PartnerHost.objects.create(partner=mistake, host="placeholder-2")
    PartnerHost.objects.filter(pk=legacy.pk).update(host="Legacy.Example.com:8080")
    PartnerHost.objects.filter(pk=clash.pk).update(host=f"{HOST}.")

    migration.normalize(apps, None)

    assert partner_for_host("legacy.example.com:8000") == mistake
    assert set(PartnerHost.objects.values_list("host", flat=True)) == {
        HOST,
        f"{HOST}.",  # its normalized form is taken: left as it was
        "legacy.example.com",
    }


def test_a_partners_slug_cannot_change_once_created(client, mistake, superuser):
    """Usage is counted under the slug: another one would leave the counts so far, and
    those still waiting to be flushed, out of every later report to the partner."""
    today = timezone.now().date()
    week = today - timedelta(days=today.weekday(), weeks=1)
    DailyCount.objects.create(
        day=week, kind=DailyCount.Kind.VISIT, site="mistake", name="home", count=25
    )
    change = reverse("admin:partners_partner_change", args=[mistake.pk])

    page = client.get(change).content.decode()
    response = client.post(
        change,
        {
            "name": "Mistake Co",
            "slug": "renamed",
            "privacy_policy_url": "https://mistake.example/privacy",
            "logo_url": "",
            "primary_colour": "#0b5cab",
            "active": "on",
            "hosts-TOTAL_FORMS": "1",
            "hosts-INITIAL_FORMS": "1",
            "hosts-0-id": mistake.hosts.get().pk,
            "hosts-0-partner": mistake.pk,
            "hosts-0-host": HOST,
        },
    )
    mistake.refresh_from_db()
    _, report = partner_report_export(
        partner=mistake, scope=PartnerReportScope.PARTNER_SITE, weeks=1, exported_by=superuser
    )

    assert response.status_code == 302
    assert report.splitlines()[1] == f"{week.isoformat()},25"
    assert mistake.slug == "mistake"
    assert 'name="slug"' not in page


def test_a_new_partners_slug_is_entered_with_it(client, db, superuser):
    response = client.post(
        reverse("admin:partners_partner_add"),
        {
            "name": "Acme Jobs",
            "slug": "acme-jobs",
            "privacy_policy_url": "https://acme.example/privacy",
            "logo_url": "",
            "primary_colour": "#0b5cab",
            "active": "on",
            "hosts-TOTAL_FORMS": "0",
            "hosts-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    assert Partner.objects.get().slug == "acme-jobs"
