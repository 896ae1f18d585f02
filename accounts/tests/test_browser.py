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
