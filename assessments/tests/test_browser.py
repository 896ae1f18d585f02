"""End to end in a real browser: take the RIASEC assessment, leave half-way, resume,
submit, and see the chart of the result."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from assessments.instrument_data import instrument_definition
from assessments.models import Sitting
from assessments.tests.factories import instruments_reload, owner_with_software

SOCIAL_ITEMS = {
    item["text"]
    for item in instrument_definition("riasec-interests.toml")["items"]
    if item["code"].startswith("S")
}
ARTISTIC_ITEMS = {
    item["text"]
    for item in instrument_definition("riasec-interests.toml")["items"]
    if item["code"].startswith("A")
}


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def answer_page(page):
    for group in page.get_by_role("group").all():
        statement = group.locator("legend").inner_text()
        if statement in SOCIAL_ITEMS:
            choice = "Strongly like"
        elif statement in ARTISTIC_ITEMS:
            choice = "Like"
        else:
            choice = "Dislike"
        group.get_by_label(choice, exact=True).check()


@pytest.mark.browser
def test_take_the_riasec_assessment_resume_it_and_see_the_chart(page, live_server):
    instruments_reload()
    user = owner_with_software()
    sign_in(page, live_server, user)

    page.goto(live_server.url + reverse("assessments:index"))
    page.get_by_role("button", name=re.compile(r"^Start\W+Work interests")).click()
    page.get_by_text("page 1 of 8").wait_for()
    for _ in range(3):
        answer_page(page)
        page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("18 of 48 answered").wait_for()

    # A blank answer is a clear error, and the page keeps what was chosen.
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_text("Please correct the fields marked below.").wait_for()
    assert (
        page.locator(".likert .errors").get_by_text("Choose an answer for this statement.").count()
        == 6
    )
    # The summary, focused on load, links each blank statement to its first answer.
    summary = page.locator(".form-errors")
    assert summary.evaluate("element => element === document.activeElement")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.type") == "radio"

    answer_page(page)
    page.get_by_role("button", name="Save and finish later").click()
    page.get_by_text("Your answers are saved.").wait_for()

    page.get_by_role("link", name=re.compile("Continue where you left off")).click()
    page.get_by_text("page 5 of 8").wait_for()
    assert page.locator("progress#sitting-progress").get_attribute("value") == "24"
    for _ in range(4):
        answer_page(page)
        page.get_by_role("button", name=re.compile("Save and continue|Submit my answers")).click()

    page.get_by_role("heading", name=re.compile("Your interest code")).wait_for()
    assert page.locator(".interest-code").inner_text() == "SAR"
    chart = page.get_by_role("img", name="Work interests (RIASEC): scores")
    assert chart.is_visible()
    assert chart.locator("rect.chart-bar-top").count() == 3
    assert page.get_by_role("row", name=re.compile(r"Social \(S\) 32 32 1")).count() == 1
    assert page.get_by_role("table", name="Occupations matching SAR").is_visible()
    assert Sitting.objects.get(user=user).status == Sitting.Status.SCORED

    page.get_by_role("link", name="Printable version").click()
    assert page.get_by_role("img", name="Work interests (RIASEC): scores").is_visible()
