"""A form sent with mistakes, as a person on a phone or with a screen reader meets it
without JavaScript: the page says so in its title and opens on a summary of the
mistakes, each linking to its field (templates/includes/form_errors.html)."""

import re

import pytest
from django.urls import reverse

from partners.models import Partner, PartnerHost

PARTNER_HOST = "monster.careerperfect.localhost"


def summary_of(html: str) -> str:
    match = re.search(r'<div class="errors form-errors"[^>]*>.*?</div>', html, re.S)
    assert match, "no error summary on the page"
    return match.group(0)


def title_of(html: str) -> str:
    return " ".join(re.search(r"<title>(.*?)</title>", html, re.S).group(1).split())


@pytest.fixture
def feedback_with_mistakes(client, db):
    response = client.post(
        reverse("feedback:new"), {"body": "", "name": "Kim Kept", "email": "not-an-address"}
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_summary_of_mistakes_is_focused_when_the_page_loads(feedback_with_mistakes):
    summary = summary_of(feedback_with_mistakes)

    # autofocus: the browser moves focus to it without any script, so a screen reader
    # reads it and a phone scrolls to it; tabindex="-1" makes a div focusable.
    assert re.match(r'<div[^>]*\btabindex="-1"[^>]*\bautofocus\b', summary)
    assert feedback_with_mistakes.count("autofocus") == 1


def test_each_mistake_in_the_summary_links_to_its_field(feedback_with_mistakes):
    summary = summary_of(feedback_with_mistakes)

    assert '<a href="#id_body">Your feedback: This field is required.</a>' in summary
    assert '<a href="#id_email">E-mail address: Enter a valid email address.</a>' in summary
    assert 'id="id_body"' in feedback_with_mistakes
    assert "#id_name" not in summary


def test_the_page_title_says_there_is_an_error(client, feedback_with_mistakes):
    assert title_of(feedback_with_mistakes) == "Error: Send us feedback · CareerPerfect"
    assert title_of(client.get(reverse("feedback:new")).content.decode()) == (
        "Send us feedback · CareerPerfect"
    )


def test_what_was_typed_is_kept_beside_the_summary(feedback_with_mistakes):
    assert 'value="Kim Kept"' in feedback_with_mistakes
    assert 'value="not-an-address"' in feedback_with_mistakes


@pytest.mark.django_db
def test_allauths_forms_get_the_same_summary_and_title(client):
    response = client.post(reverse("account_reset_password"), {"email": "not-an-address"})

    html = response.content.decode()
    assert '<a href="#id_email">E-mail address: Enter a valid email address.</a>' in summary_of(
        html
    )
    assert title_of(html).startswith("Error: ")


@pytest.mark.django_db
def test_a_form_refused_as_a_whole_still_lists_the_mistakes_in_its_fields(client):
    partner = Partner.objects.create(
        name="Monster", slug="monster", privacy_policy_url="https://partner.example/privacy"
    )
    PartnerHost.objects.create(partner=partner, host=PARTNER_HOST)

    response = client.post(
        reverse("account_signup"),
        {"email": "not-an-address", "password1": "a-long-enough-passphrase-42", "name": "N"},
        HTTP_HOST=PARTNER_HOST,
    )

    summary = summary_of(response.content.decode())
    assert "The notice of Monster on this page has changed" in summary
    assert '<a href="#id_email">' in summary
    assert '<a href="#id_age_confirmed">I am 13 or older. Tick this box' in summary
