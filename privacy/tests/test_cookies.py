"""P13: the cookie registry, the banner and the choices it records."""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD
from consent.models import ConsentEvent
from consent.purposes import Purpose, Source
from consent.selectors import consent_is_granted
from orders.models import Product
from orders.tests.factories import ProductFactory
from privacy.cookies import (
    CATEGORY_PURPOSE,
    CHOICES_COOKIE,
    COOKIES,
    REMEMBERED_EMAIL_COOKIE,
    Category,
    categories_offered,
)
from privacy.tests.test_cookie_crawl import cookie_problems

CHOICES_URL = reverse("privacy:cookie_choices")
LOGIN_URL = reverse("account_login")


def login_field(html: str) -> str:
    return re.search(r'<input[^>]*name="login"[^>]*>', html).group(0)


# --- The registry ----------------------------------------------------------------------


def test_every_cookie_has_a_category_purpose_and_lifetime_and_a_unique_name():
    assert len({cookie.name for cookie in COOKIES}) == len(COOKIES)
    for cookie in COOKIES:
        assert cookie.category in Category
        assert cookie.purpose.strip()
        assert cookie.lifetime.strip()


def test_every_optional_category_in_use_is_a_consent_purpose():
    assert categories_offered() == [Category.PREFERENCES]
    for category in categories_offered():
        assert CATEGORY_PURPOSE[category] in Purpose


@pytest.mark.django_db
def test_cookies_page_is_generated_from_the_registry(client):
    html = client.get(reverse("privacy:cookies")).content.decode()

    for cookie in COOKIES:
        assert f"<code>{cookie.name}</code></td><td>{cookie.purpose}</td><td>{cookie.lifetime}" in (
            html
        )
    for category in Category:
        assert f">{category.label}</h2>" in html


@pytest.mark.django_db
def test_cookies_page_query_count(client, django_assert_num_queries):
    # partner for the host; no cookie choice is read from the database
    with django_assert_num_queries(1):
        assert client.get(reverse("privacy:cookies")).status_code == 200


# --- The banner ------------------------------------------------------------------------


@pytest.mark.django_db
def test_banner_is_shown_until_a_choice_is_made_and_works_as_plain_forms(client):
    html = client.get(reverse("home")).content.decode()

    assert 'class="cookie-banner"' in html
    assert f'<form method="post" action="{CHOICES_URL}"' in html
    assert 'name="choice" value="all"' in html
    assert 'name="choice" value="necessary"' in html
    assert f'action="{reverse("privacy:cookies")}#choose"' in html
    assert "<script" not in html

    client.post(CHOICES_URL, {"choice": "necessary", "next": "/"})

    assert 'class="cookie-banner"' not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_rejecting_stores_only_necessary_in_a_necessary_cookie_and_redirects_back(client):
    response = client.post(CHOICES_URL, {"choice": "necessary", "next": "/contact/"})

    assert response.status_code == 302
    assert response.url == "/contact/"
    stored = response.cookies[CHOICES_COOKIE]
    assert stored.value == "necessary"
    assert stored["httponly"]
    assert stored["samesite"] == "Lax"
    assert int(stored["max-age"]) == 182 * 24 * 3600
    assert cookie_problems("choices", response, None) == []


@pytest.mark.django_db
def test_accepting_all_allows_preferences(client):
    response = client.post(CHOICES_URL, {"choice": "all", "next": "/"})

    assert response.cookies[CHOICES_COOKIE].value == "necessary:preferences"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ticked", "stored"), [(True, "necessary:preferences"), (False, "necessary")]
)
def test_choosing_stores_exactly_what_was_ticked(client, ticked, stored):
    data = {"choice": "custom", "next": "/"} | ({"preferences": "on"} if ticked else {})

    response = client.post(CHOICES_URL, data)

    assert response.cookies[CHOICES_COOKIE].value == stored


@pytest.mark.django_db
def test_cookies_page_shows_the_current_choice_ticked(client):
    client.cookies[CHOICES_COOKIE] = "necessary:preferences"

    html = client.get(reverse("privacy:cookies")).content.decode()

    assert "You have allowed necessary cookies and preferences cookies." in html
    assert re.search(r'<input type="checkbox" name="preferences"[^>]*checked', html)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "",
        # This site's address, with a path that is itself an address elsewhere.
        "http://testserver//evil.example/x",
        "http://testserver/\\evil.example/x",
    ],
)
def test_it_never_redirects_off_site(client, target):
    response = client.post(CHOICES_URL, {"choice": "all", "next": target})

    assert response.url == reverse("privacy:cookies")


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["0", "home", "accounts:privacy", "cookies"])
def test_a_target_that_is_not_a_path_goes_back_to_the_cookies_page(client, target):
    response = client.post(CHOICES_URL, {"choice": "all", "next": target})

    assert response.status_code == 302
    assert response.url == reverse("privacy:cookies")


@pytest.mark.django_db
def test_an_invalid_choice_shows_the_cookies_page_with_an_error(client):
    response = client.post(CHOICES_URL, {"choice": "everything"})

    assert response.status_code == 400
    assert CHOICES_COOKIE not in response.cookies
    assert "Please correct the fields marked below." in response.content.decode()


@pytest.mark.django_db
def test_only_post_is_accepted(client):
    assert client.get(CHOICES_URL).status_code == 405


# --- Coming back to where the visitor was ------------------------------------------------


def banner_next(html: str) -> str:
    form = re.search(r'<section class="cookie-banner".*?</section>', html, re.S).group(0)
    return re.search(r'<input type="hidden" name="next" value="([^"]*)"', form).group(1)


@pytest.mark.django_db
def test_the_banner_brings_the_visitor_back_to_the_page_they_are_on(client):
    html = client.get(reverse("contact"), {"topic": "orders"}).content.decode()

    assert banner_next(html) == "/contact/?topic=orders"


@pytest.mark.django_db
def test_a_choice_made_on_a_page_with_a_long_address_is_saved(client):
    # A link from a newsletter or a search can carry a long query string.
    html = client.get(reverse("contact"), {"ref": "x" * 2100}).content.decode()
    target = banner_next(html)

    response = client.post(CHOICES_URL, {"choice": "all", "next": target})

    assert len(target) > 2000
    assert response.status_code == 302
    assert response.cookies[CHOICES_COOKIE].value == "necessary:preferences"


@pytest.mark.django_db
def test_a_form_shown_again_after_a_post_sends_the_banner_back_to_the_page_it_came_from(client):
    software = ProductFactory(kind=Product.Kind.SOFTWARE, slug="career-starter-bundle")
    product_page = reverse("orders:product", args=[software.slug])

    # "Add to cart" without a computer: the product page again, at the POST-only address.
    response = client.post(
        reverse("orders:cart_add", args=[software.slug]),
        {},
        headers={"referer": f"http://testserver{product_page}"},
    )
    assert response.status_code == 200
    target = banner_next(response.content.decode())

    accepted = client.post(CHOICES_URL, {"choice": "all", "next": target})

    assert target == product_page
    assert accepted.url == product_page
    assert client.get(accepted.url).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "referer",
    [None, "https://evil.example/shop/", "http://testserver/cart/add/career-starter-bundle/"],
)
def test_without_a_page_of_ours_to_go_back_to_the_banner_sends_the_visitor_home(client, referer):
    software = ProductFactory(kind=Product.Kind.SOFTWARE, slug="career-starter-bundle")

    response = client.post(
        reverse("orders:cart_add", args=[software.slug]),
        {},
        headers={"referer": referer} if referer else {},
    )

    assert banner_next(response.content.decode()) == reverse("home")


@pytest.mark.django_db
def test_choose_in_the_banner_opens_the_cookies_page_remembering_the_page(client):
    html = client.get(reverse("contact")).content.decode()

    assert f'method="get" action="{reverse("privacy:cookies")}#choose"' in html
    page = client.get(reverse("privacy:cookies"), {"next": "/contact/"}).content.decode()
    form = re.search(
        rf'<form method="post" action="{CHOICES_URL}" novalidate>.*?</form>', page, re.S
    )
    assert '<input type="hidden" name="next" value="/contact/">' in form.group(0)


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/cookies/"])
def test_the_cookies_page_keeps_only_a_page_of_ours_to_go_back_to(client, target):
    page = client.get(reverse("privacy:cookies"), {"next": target}).content.decode()

    form = re.search(
        rf'<form method="post" action="{CHOICES_URL}" novalidate>.*?</form>', page, re.S
    )
    assert f'<input type="hidden" name="next" value="{reverse("privacy:cookies")}">' in form.group(
        0
    )


@pytest.mark.django_db
def test_saving_choices_says_so_on_the_page_the_visitor_goes_back_to(client):
    response = client.post(
        CHOICES_URL, {"choice": "custom", "preferences": "on", "next": "/contact/"}, follow=True
    )

    assert response.redirect_chain == [("/contact/", 302)]
    assert "Your cookie choices are saved." in response.content.decode()


@pytest.mark.django_db
def test_saving_choices_without_a_page_to_go_back_to_stays_on_the_cookies_page(client):
    response = client.post(CHOICES_URL, {"choice": "necessary", "next": ""}, follow=True)

    assert response.redirect_chain == [(reverse("privacy:cookies"), 302)]
    html = response.content.decode()
    assert "Your cookie choices are saved." in html
    assert "You have allowed necessary cookies." in html


@pytest.mark.django_db
def test_an_invalid_choice_keeps_the_page_to_go_back_to(client):
    response = client.post(CHOICES_URL, {"choice": "everything", "next": "/contact/"})

    assert response.status_code == 400
    form = re.search(
        rf'<form method="post" action="{CHOICES_URL}" novalidate>.*?</form>',
        response.content.decode(),
        re.S,
    )
    assert '<input type="hidden" name="next" value="/contact/">' in form.group(0)


# --- Ledger events for signed-in people ------------------------------------------------


@pytest.mark.django_db
def test_a_signed_in_persons_choice_is_a_cookie_banner_ledger_event(client, alice):
    client.force_login(alice)

    client.post(CHOICES_URL, {"choice": "all", "next": "/"})
    client.post(CHOICES_URL, {"choice": "necessary", "next": "/"})

    events = list(ConsentEvent.objects.order_by("id"))
    assert [(e.purpose, e.granted, e.source) for e in events] == [
        (Purpose.COOKIES_PREFERENCES, True, Source.COOKIE_BANNER),
        (Purpose.COOKIES_PREFERENCES, False, Source.COOKIE_BANNER),
    ]
    assert events[0].subject.user == alice
    assert not consent_is_granted(user=alice, purpose=Purpose.COOKIES_PREFERENCES)


@pytest.mark.django_db
def test_a_first_refusal_is_recorded_and_an_unchanged_choice_is_not(client, alice):
    client.force_login(alice)

    client.post(CHOICES_URL, {"choice": "necessary", "next": "/"})
    client.post(CHOICES_URL, {"choice": "custom", "next": "/"})

    event = ConsentEvent.objects.get()
    assert (event.purpose, event.granted) == (Purpose.COOKIES_PREFERENCES, False)


@pytest.mark.django_db
def test_an_anonymous_choice_writes_nothing_to_the_ledger(client):
    client.post(CHOICES_URL, {"choice": "all", "next": "/"})

    assert ConsentEvent.objects.count() == 0


@pytest.mark.django_db
def test_cookie_choices_appear_in_my_privacy_history(client, alice):
    client.force_login(alice)
    client.post(CHOICES_URL, {"choice": "all", "next": "/"})

    html = client.get(reverse("accounts:privacy")).content.decode()

    assert "Cookies that remember my preferences" in html
    assert "Cookie banner" in html


# --- The preferences cookie: e-mail remembered on the sign-in form ---------------------


def sign_in(client, user):
    return client.post(LOGIN_URL, {"login": user.email, "password": PASSWORD})


@pytest.mark.django_db
def test_signing_in_remembers_the_email_only_when_preferences_are_accepted(client, alice):
    client.cookies[CHOICES_COOKIE] = "necessary:preferences"

    response = sign_in(client, alice)

    assert response.status_code == 302
    remembered = response.cookies[REMEMBERED_EMAIL_COOKIE]
    assert remembered.value == "alice@example.com"
    assert remembered["httponly"]
    assert int(remembered["max-age"]) == 365 * 24 * 3600


@pytest.mark.django_db
@pytest.mark.parametrize("choice", [None, "necessary"])
def test_signing_in_sets_no_preferences_cookie_without_consent(client, alice, choice):
    if choice:
        client.cookies[CHOICES_COOKIE] = choice

    response = sign_in(client, alice)

    assert response.status_code == 302
    assert REMEMBERED_EMAIL_COOKIE not in response.cookies
    assert cookie_problems("login", response, None) == []


@pytest.mark.django_db
def test_the_sign_in_form_is_prefilled_only_while_preferences_are_allowed(client):
    client.cookies[REMEMBERED_EMAIL_COOKIE] = "alice@example.com"
    client.cookies[CHOICES_COOKIE] = "necessary:preferences"
    assert 'value="alice@example.com"' in login_field(client.get(LOGIN_URL).content.decode())

    client.cookies[CHOICES_COOKIE] = "necessary"
    assert "value=" not in login_field(client.get(LOGIN_URL).content.decode())


@pytest.mark.django_db
def test_rejecting_preferences_deletes_the_remembered_email(client):
    client.cookies[REMEMBERED_EMAIL_COOKIE] = "alice@example.com"
    client.cookies[CHOICES_COOKIE] = "necessary:preferences"

    response = client.post(CHOICES_URL, {"choice": "necessary", "next": "/"})

    deleted = response.cookies[REMEMBERED_EMAIL_COOKIE]
    assert deleted.value == ""
    assert str(deleted["max-age"]) == "0"
    assert (
        REMEMBERED_EMAIL_COOKIE not in client.cookies
        or not client.cookies[REMEMBERED_EMAIL_COOKIE].value
    )
