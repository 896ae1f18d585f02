"""P8: a partner's pages show its logo beside its name; the logo is one of the site's
own static files, so no visitor's browser asks the partner for it."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from partners.models import Partner, PartnerHost

HOST = "acme.careerperfect.localhost"
LOGO = '<img class="co-brand-logo" src="/static/partners/acme.svg" alt="" height="24">'


@pytest.fixture
def static_logo(settings, tmp_path):
    (tmp_path / "partners").mkdir()
    (tmp_path / "partners" / "acme.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24"/>'
    )
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, tmp_path]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    return "partners/acme.svg"


def acme(**fields) -> Partner:
    partner = Partner.objects.create(
        name="Acme Careers", slug="acme", privacy_policy_url="https://acme.example/p", **fields
    )
    PartnerHost.objects.create(partner=partner, host=HOST)
    return partner


@pytest.mark.django_db
def test_the_logo_is_shown_on_the_partners_pages_only(client, static_logo):
    acme(logo_url=static_logo)

    partner_page = client.get(reverse("home"), HTTP_HOST=HOST).content.decode()
    main_page = client.get(reverse("home")).content.decode()

    assert f"with {LOGO}Acme Careers</span>" in partner_page
    assert "co-brand-logo" not in main_page


@pytest.mark.django_db
def test_a_partner_without_a_logo_shows_its_name_alone(client):
    acme()

    html = client.get(reverse("home"), HTTP_HOST=HOST).content.decode()

    assert "with Acme Careers</span>" in html
    assert "co-brand-logo" not in html


def test_a_logo_whose_file_has_gone_is_left_out_instead_of_failing_the_page(settings):
    # In production a static file missing from the manifest raises when its URL is
    # asked for; every page of the partner would fail with it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }

    assert Partner(slug="acme", logo_url="partners/gone.svg").logo_src == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "logo",
    [
        "https://acme.example/logo.svg",  # the partner's host would see every visitor
        "//acme.example/logo.svg",
        "/static/partners/acme.svg",
        "partners/missing.svg",
        "css/site.css",  # a static file, but not an image
        "../../outside.svg",  # out of the static folders: a form error, not a Bad Request
        "partners/../partners/acme.svg",
    ],
)
def test_a_logo_must_be_an_image_among_our_static_files(static_logo, logo):
    partner = Partner(name="Acme", slug="acme", privacy_policy_url="https://acme.example/p")
    partner.logo_url = logo

    with pytest.raises(ValidationError) as error:
        partner.full_clean()

    assert "logo_url" in error.value.message_dict


@pytest.mark.django_db
def test_a_static_image_is_accepted_as_a_logo(static_logo):
    partner = Partner(name="Acme", slug="acme", privacy_policy_url="https://acme.example/p")
    partner.logo_url = static_logo

    partner.full_clean()
