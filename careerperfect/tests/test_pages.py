import pytest
from django.urls import reverse
from django.utils.csp import CSP

from accounts.tests.factories import UserFactory

PUBLIC_PAGES = [
    "home",
    "contact",
    "privacy:policy",
    "privacy:cookies",
    "privacy:safe_and_secure",
    "account_signup",
    "account_login",
    "feedback:new",
    "feedback:success_stories",
    "contests:list",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_render_with_the_policy_links(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    html = response.content.decode()
    for link in (reverse("privacy:policy"), reverse("privacy:cookies"), reverse("contact")):
        assert f'href="{link}"' in html


@pytest.mark.django_db
def test_pages_carry_a_csp_without_inline_scripts(client, settings):
    response = client.get(reverse("home"))

    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    # Scripts a template marks with {{ csp_nonce }} are allowed by that nonce only.
    assert CSP.NONCE in settings.SECURE_CSP["script-src"]


@pytest.mark.django_db
def test_pages_carry_the_other_security_headers(client):
    headers = client.get(reverse("home")).headers

    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]


@pytest.mark.django_db
def test_contact_details_come_from_settings(client, settings):
    settings.CONTACT_EMAIL = "privacy@example.org"
    settings.CONTACT_PHONE = "+1 555 0100"

    html = client.get(reverse("contact")).content.decode()

    assert "privacy@example.org" in html
    assert "+1 555 0100" in html


@pytest.mark.django_db
def test_privacy_page_shows_the_current_policy_version(client):
    html = client.get(reverse("privacy:policy")).content.decode()

    assert "Version 2" in html
    assert "<h1>Privacy policy</h1>" in html


@pytest.mark.django_db
def test_cookie_page_lists_the_registry(client, settings):
    html = client.get(reverse("privacy:cookies")).content.decode()

    assert settings.SESSION_COOKIE_NAME in html
    assert settings.CSRF_COOKIE_NAME in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [reverse("accounts:privacy"), reverse("orders:list"), "/accounts/email/", reverse("home")],
)
def test_a_page_shown_to_a_signed_in_person_is_never_stored(client, url):
    # A shared cache, or the browser's after signing out, would show it to someone else.
    client.force_login(UserFactory())

    response = client.get(url)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_public_page_seen_by_a_visitor_may_be_stored(client):
    assert not client.get(reverse("privacy:policy")).has_header("Cache-Control")
