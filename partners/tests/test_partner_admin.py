"""A partner or host changed or deleted in admin stops selecting the partner at once,
not when its cached lookup expires."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from accounts.tests.factories import UserFactory
from contests.models import ContestEntry
from contests.tests.factories import ContestFactory
from partners.models import Partner, PartnerHost

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
