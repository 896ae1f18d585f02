"""django-allauth's pages speak as the rest of the site does (locale/en: sentence case)."""

import gettext
import re

import pytest
from django.conf import settings
from django.urls import reverse

CATALOG = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES"


def po_entries() -> dict[str, str]:
    text = (CATALOG / "django.po").read_text()
    return dict(re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', text, re.M))


def test_the_compiled_catalog_says_what_the_po_file_says():
    with (CATALOG / "django.mo").open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)

    entries = po_entries()
    assert entries
    # Out of step: run `msgfmt -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po`.
    assert {msgid: translations.gettext(msgid) for msgid in entries} == entries


@pytest.mark.django_db
def test_allauth_pages_use_the_sites_wording(client):
    from accounts.tests.factories import UserFactory

    reset = client.get(reverse("account_reset_password")).content.decode()
    client.force_login(UserFactory())
    addresses = client.get(reverse("account_email")).content.decode()

    assert re.search(r"<h1>\s*Reset your password\s*</h1>", reset)
    assert '<label for="id_email">E-mail address</label>' in reset
    assert "Reset my password" in reset
    assert "Password Reset" not in reset
    assert "E-mail addresses" in addresses
    assert "Make primary" in addresses
