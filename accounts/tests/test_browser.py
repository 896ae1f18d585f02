"""End to end in a real browser: signup → verification link → change an election."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from consent.purposes import Purpose
from consent.selectors import consent_is_granted


@pytest.mark.browser
def test_signup_verify_and_change_an_election(page, live_server, mailoutbox):
    page.goto(live_server.url + reverse("account_signup"))
    assert not page.get_by_label("E-mail me now and then").is_checked()
    assert not page.get_by_label("E-mail me when the site").is_checked()

    page.get_by_label("E-mail address").fill("browser.person@example.com")
    page.get_by_label("Password").fill("a-long-enough-passphrase-42")
    page.get_by_label("Your name").fill("Browser Person")
    page.get_by_label("I am 13 or older.").check()
    page.get_by_label("E-mail me when the site").check()
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))

    link = re.search(r"http://[^/\s]+(/accounts/confirm-email/\S+/)", mailoutbox[0].body)
    page.goto(live_server.url + link.group(1))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/account/privacy/$"))

    page.get_by_label("E-mail me now and then").check()
    page.get_by_role("button", name="Save my choices").click()
    page.get_by_text("Your choices are saved.").wait_for()

    user = User.objects.get(email="browser.person@example.com")
    assert consent_is_granted(user=user, purpose=Purpose.MARKETING)
    assert consent_is_granted(user=user, purpose=Purpose.SITE_UPDATES)
    assert page.get_by_role("row", name=re.compile("My privacy page")).count() == 1


@pytest.mark.browser
def test_on_a_phone_my_privacy_tables_fit_and_a_wider_table_shows_it_scrolls(chromium, live_server):
    from accounts.tests.factories import PASSWORD, UserFactory
    from consent.purposes import Source
    from consent.services import consent_grant
    from orders.tests.factories import ProductFactory, placed_order

    user = UserFactory(email="phone.person@example.com")
    for purpose in (Purpose.MARKETING, Purpose.SITE_UPDATES):
        consent_grant(user=user, purpose=purpose, source=Source.SIGNUP)
    placed_order(ProductFactory(name="Career-planning software"), user=user)
    context = chromium.new_context(viewport={"width": 375, "height": 800})
    phone = context.new_page()
    try:
        phone.goto(live_server.url + reverse("account_login"))
        phone.get_by_label("E-mail address").fill(user.email)
        phone.get_by_label("Password").fill(PASSWORD)
        phone.get_by_role("button", name="Sign In").click()
        phone.wait_for_url(re.compile(r"/account/privacy/$"))

        # Consent history and signed-in sessions: nothing cut off at the right edge.
        for table in phone.locator(".table-wrap").all():
            width, visible = table.evaluate("box => [box.scrollWidth, box.clientWidth]")
            assert width <= visible, table.inner_text()[:80]

        # My orders has more columns than a phone can show: a shadow at the right edge
        # says there is more, and it goes once scrolled to the end.
        phone.goto(live_server.url + reverse("orders:list"))
        box = phone.locator(".table-wrap")
        assert box.evaluate("box => box.scrollWidth > box.clientWidth")
        background = box.evaluate("box => getComputedStyle(box).backgroundAttachment")
        assert background.split(", ") == ["local", "local", "scroll", "scroll"]
    finally:
        context.close()
