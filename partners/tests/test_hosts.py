import pytest
from django.test import RequestFactory

from partners.middleware import PartnerMiddleware
from partners.models import Partner, PartnerHost
from partners.selectors import partner_for_host


@pytest.fixture
def monster(db):
    partner = Partner.objects.create(
        name="Monster", slug="monster", privacy_policy_url="https://partner.example/privacy"
    )
    PartnerHost.objects.create(partner=partner, host="Monster.CareerPerfect.localhost")
    return partner


def test_a_partner_host_selects_the_partner(monster):
    assert partner_for_host("monster.careerperfect.localhost:8000") == monster


@pytest.mark.django_db
def test_the_main_host_has_no_partner(monster):
    assert partner_for_host("careerperfect.localhost") is None


def test_an_inactive_partner_is_not_selected(monster):
    monster.active = False
    monster.save()

    assert partner_for_host("monster.careerperfect.localhost") is None


def test_middleware_sets_request_partner(monster):
    request = RequestFactory().get("/", HTTP_HOST="monster.careerperfect.localhost")

    PartnerMiddleware(lambda r: None)(request)

    assert request.partner == monster


def test_pages_on_a_partner_host_carry_its_brand(client, monster):
    response = client.get("/", HTTP_HOST="monster.careerperfect.localhost")

    html = response.content.decode()
    assert "with Monster" in html
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">:root {{ --brand: #0b5cab; }}</style>' in html


@pytest.mark.django_db
def test_pages_on_the_main_host_have_no_partner_brand(client, monster):
    html = client.get("/").content.decode()

    assert "with Monster" not in html
    assert "<style" not in html
