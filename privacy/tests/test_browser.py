"""The cookie banner in a real browser (P13), with and without JavaScript."""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory
from orders.models import Product
from orders.tests.factories import ProductFactory
from privacy.cookies import CHOICES_COOKIE, REGISTRY, REMEMBERED_EMAIL_COOKIE, Category


def sign_in(page, base_url: str, email: str):
    page.goto(base_url + reverse("account_login"))
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(re.compile(r"/account/privacy/$"))


def optional_cookies(context) -> list[str]:
    return [
        c["name"] for c in context.cookies() if REGISTRY[c["name"]].category != Category.NECESSARY
    ]


@pytest.mark.browser
def test_rejecting_non_essential_cookies_leaves_the_site_working(page, live_server):
    UserFactory(email="reject.person@example.com")
    page.goto(live_server.url + reverse("contact"))
    banner = page.get_by_role("region", name="Cookies")
    assert banner.is_visible()

    banner.get_by_role("button", name="Reject non-essential").click()

    page.wait_for_url(re.compile(r"/contact/$"))
    assert page.get_by_role("region", name="Cookies").count() == 0
    sign_in(page, live_server.url, "reject.person@example.com")
    assert page.get_by_role("heading", name="My privacy").is_visible()
    names = [c["name"] for c in page.context.cookies()]
    assert set(names) <= set(REGISTRY), names
    assert optional_cookies(page.context) == []
    assert {c["name"]: c["value"] for c in page.context.cookies()}[CHOICES_COOKIE] == "necessary"


@pytest.mark.browser
def test_without_javascript_choosing_preferences_remembers_the_email(page, live_server):
    UserFactory(email="nojs.person@example.com")
    context = page.context.browser.new_context(java_script_enabled=False)
    try:
        nojs = context.new_page()
        nojs.goto(live_server.url + reverse("home"))
        nojs.get_by_role("button", name="Choose").click()
        nojs.get_by_label("Preferences cookies").check()
        nojs.get_by_role("button", name="Save my choices").click()
        # Back on the page the banner was on, told that the choice is kept.
        nojs.get_by_text("Your cookie choices are saved.").wait_for()
        assert nojs.url == live_server.url + reverse("home")
        nojs.goto(live_server.url + reverse("privacy:cookies"))
        nojs.get_by_text("You have allowed necessary cookies and preferences cookies.").wait_for()

        sign_in(nojs, live_server.url, "nojs.person@example.com")
        nojs.get_by_role("button", name="Sign out").click()
        nojs.goto(live_server.url + reverse("account_login"))

        assert nojs.get_by_label("E-mail address").input_value() == "nojs.person@example.com"
        assert optional_cookies(context) == [REMEMBERED_EMAIL_COOKIE]
    finally:
        context.close()


@pytest.mark.browser
def test_without_javascript_the_banner_under_a_refused_form_goes_back_to_the_product(
    page, live_server
):
    software = ProductFactory(kind=Product.Kind.SOFTWARE, name="Career planner", slug="planner")
    product_page = live_server.url + reverse("orders:product", args=[software.slug])
    context = page.context.browser.new_context(java_script_enabled=False)
    try:
        nojs = context.new_page()
        nojs.goto(product_page)
        # No computer chosen: the product page again, at the address that takes POST only.
        nojs.get_by_role("button", name="Add to cart").click()
        nojs.get_by_role("region", name="Cookies").get_by_role("button", name="Accept all").click()

        nojs.get_by_text("Your cookie choices are saved.").wait_for()
        assert nojs.url == product_page
        assert nojs.get_by_role("button", name="Add to cart").is_visible()
    finally:
        context.close()
