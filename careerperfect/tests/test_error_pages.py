"""Error pages: a short message and a way back to the site, on a phone too."""

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def assert_offers_a_way_on(html):
    for name in ("home", "orders:products", "contact"):
        assert f'href="{reverse(name)}"' in html


@pytest.mark.django_db
def test_a_missing_page_has_the_site_layout_and_a_way_on(client, settings):
    settings.DEBUG = False

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert VIEWPORT in html
    assert 'class="site-header"' in html
    assert "find that page" in html
    assert_offers_a_way_on(html)


@pytest.mark.django_db
def test_a_missing_object_shows_the_same_page(client, settings):
    settings.DEBUG = False

    response = client.get(reverse("orders:product", args=["no-such-product"]))

    assert response.status_code == 404
    assert "find that page" in response.content.decode()


@pytest.mark.django_db
def test_a_form_failing_its_csrf_check_explains_what_to_do(settings):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("feedback:new"), {"message": "Hello"})

    assert response.status_code == 403
    html = response.content.decode()
    assert VIEWPORT in html
    assert 'class="site-header"' in html
    assert "This form could not be sent" in html
    # The advice itself: the word "cookies" alone is in the banner and footer of every page.
    text = " ".join(html.split())
    assert "allow cookies for this site" in text
    # Reloading first would lose the typing that the back button usually keeps.
    assert "what you typed is usually still in the form, so copy anything long first" in text
    assert_offers_a_way_on(html)
    # The footer's contact details come from the context processors.
    assert settings.CONTACT_EMAIL in html


@pytest.mark.django_db
def test_a_refusal_has_the_site_layout_and_a_way_on(client, settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "careerperfect.tests.error_urls"

    response = client.get("/_test/forbidden/")

    assert response.status_code == 403
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert "open this page" in html
    assert_offers_a_way_on(html)


@pytest.mark.django_db
def test_a_server_error_page_stands_alone(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "careerperfect.tests.error_urls"
    client = Client(raise_request_exception=False)

    response = client.get("/_test/server-error/")

    assert response.status_code == 500
    html = response.content.decode()
    assert VIEWPORT in html
    assert 'href="/static/css/site.css"' in html
    assert "Something went wrong on our side" in html
    assert_offers_a_way_on(html)


def test_the_server_error_page_needs_no_request_or_database():
    # Django renders 500.html with an empty context: no context processors, no
    # request, and (here) no database access allowed.
    html = render_to_string("500.html")

    assert VIEWPORT in html
    assert "Something went wrong on our side" in html


@pytest.mark.django_db
def test_a_bad_request_page_stands_alone(client, settings):
    settings.DEBUG = False

    response = client.get("/", headers={"host": "bad host name"})

    assert response.status_code == 400
    html = response.content.decode()
    assert VIEWPORT in html
    assert "could not understand" in html
    assert_offers_a_way_on(html)


@pytest.mark.django_db
def test_opening_an_address_that_takes_only_forms_explains_and_offers_a_way_on(client):
    response = client.get(reverse("privacy:cookie_choices"))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    html = response.content.decode()
    assert VIEWPORT in html
    assert 'class="site-header"' in html
    assert "nothing to show at this address" in html
    assert_offers_a_way_on(html)
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_sending_a_form_to_a_page_that_takes_none_says_so(client):
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory())

    response = client.post(reverse("resumes:list"))

    assert response.status_code == 405
    assert "This address takes no forms" in response.text
    assert_offers_a_way_on(response.text)
