"""A form sent after its author's session ended is kept for them, not lost."""

import re
import uuid
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import RESUME_WRITER
from accounts.tests.factories import PASSWORD, UserFactory
from accounts.unsent_forms import OWNER_FIELD, SESSION_KEY, owner_token
from resumes.models import ResumeEvent
from resumes.selectors import resume_latest_draft
from resumes.tests.conftest import private_storage  # noqa: F401 - fixture
from resumes.tests.factories import staff_member, workspace_open, workspace_with_draft

pytestmark = pytest.mark.django_db
LOGIN_URL = reverse("account_login")
HISTORY = "Led the move of our payroll to a new system.\nTrained 12 colleagues."


def step_url(workspace, step):
    return reverse("resumes:questionnaire", args=[workspace.public_id, step])


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]


def sign_in(client, user, next_url=""):
    return client.post(
        LOGIN_URL,
        {
            "login": user.email,
            "password": PASSWORD,
            "next": next_url,
            "csrfmiddlewaretoken": csrf_token(client.get(LOGIN_URL).text),
        },
        follow=True,
    )


def sign_out_and_in_again(client, user):
    """What the person does in another tab: signing in again rotates the CSRF secret."""
    token = csrf_token(client.get(reverse("accounts:profile")).text)
    client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token})
    sign_in(client, user)


def session_expires(client):
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )


def kept_fields(html: str) -> dict:
    """The hidden fields of the "Send it now" form, as the browser would post them."""
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)Send it now', html, re.S)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[2]))
    fields.pop("csrfmiddlewaretoken")
    return unescape(form[1]), {name: unescape(value) for name, value in fields.items()}


def writer():
    return staff_member(RESUME_WRITER, email="writer@example.com")


def kept_signed_out(client, owner, **fields) -> str:
    """A questionnaire step sent by its author after their session ended; its address."""
    url = step_url(workspace_open(owner=owner), 1)
    client.post(url, {"target_job": "Payroll lead", **fields, OWNER_FIELD: owner_token(owner)})
    return url


@pytest.fixture
def owner():
    return UserFactory(email="owner@example.com")


def test_a_form_sent_after_the_session_expired_is_offered_again_after_signing_in(owner):
    client = Client()
    sign_in(client, owner)
    workspace = workspace_open(owner=owner)
    url = step_url(workspace, 1)
    form_page = client.get(url).content.decode()
    token = re.search(rf'name="{OWNER_FIELD}" value="([^"]+)"', form_page)[1]
    session_expires(client)

    response = client.post(
        url,
        {"target_job": "Payroll lead", "industry": HISTORY, "go": "next", OWNER_FIELD: token},
    )

    assert response.status_code == 302
    assert response.url == f"{LOGIN_URL}?next={url}"
    workspace.questionnaire.refresh_from_db()
    assert workspace.questionnaire.saved_steps == []  # Nothing saved as if it was sent.
    login_page = client.get(response.url).content.decode()
    assert "Your form was not sent: you had been signed out." in login_page

    page = sign_in(client, owner, next_url=url)

    assert page.redirect_chain[-1][0] == url
    html = page.content.decode()
    assert "Your form was not sent" in html
    assert "Trained 12 colleagues." in html
    action, fields = kept_fields(html)
    assert action == url
    assert fields == {"target_job": "Payroll lead", "industry": HISTORY, "go": "next"}

    sent = client.post(action, fields)

    assert sent.status_code == 302
    workspace.questionnaire.refresh_from_db()
    assert (workspace.questionnaire.target_job, workspace.questionnaire.industry) == (
        "Payroll lead",
        HISTORY,
    )
    assert "Your form was not sent" not in client.get(url).content.decode()


def test_someone_else_signing_in_on_that_browser_never_sees_it(owner):
    client = Client()
    kept_signed_out(client, owner)
    assert SESSION_KEY in client.session

    stranger = UserFactory(email="stranger@example.com")
    html = sign_in(client, stranger, next_url=reverse("accounts:profile")).content.decode()

    assert "Payroll lead" not in html
    assert SESSION_KEY not in client.session


def test_a_form_posting_elsewhere_brings_its_author_back_to_its_page(owner):
    workspace = workspace_with_draft(owner=owner, writer=writer())
    page_url = reverse("resumes:workspace", args=[workspace.public_id])
    review_url = reverse("resumes:review", args=[workspace.public_id])
    draft = resume_latest_draft(workspace=workspace)
    client = Client()

    response = client.post(
        review_url,
        {
            "draft": draft.public_id,
            "decision": "revise",
            "comment": "Please put the payroll project first.",
            OWNER_FIELD: owner_token(owner),
        },
        HTTP_REFERER=f"http://testserver{page_url}",
    )

    assert response.url == f"{LOGIN_URL}?next={page_url}"  # Not the review address: POST only.
    page = sign_in(client, owner, next_url=page_url)
    assert page.status_code == 200
    action, fields = kept_fields(page.content.decode())
    assert action == review_url
    client.post(action, fields)
    assert workspace.events.filter(action=ResumeEvent.Action.REVISION_REQUESTED).exists()


def test_any_form_sent_signed_out_returns_to_its_page_not_to_where_it_posted(owner):
    workspace = workspace_with_draft(owner=owner, writer=writer())
    page_url = reverse("resumes:workspace", args=[workspace.public_id])
    review_url = reverse("resumes:review", args=[workspace.public_id])

    ours = Client().post(review_url, {}, HTTP_REFERER=f"http://testserver{page_url}")
    foreign = Client().post(review_url, {}, HTTP_REFERER=f"https://elsewhere.example{page_url}")

    assert ours.url == f"{LOGIN_URL}?next={page_url}"
    assert foreign.url == f"{LOGIN_URL}?next={review_url}"


def test_a_forged_owner_keeps_nothing(owner):
    client = Client()
    workspace = workspace_open(owner=owner)

    client.post(
        step_url(workspace, 1), {"target_job": "Payroll lead", OWNER_FIELD: f"{owner.pk}:forged"}
    )

    assert SESSION_KEY not in client.session


def test_a_kept_form_can_be_discarded(owner):
    client = Client()
    url = kept_signed_out(client, owner)
    sign_in(client, owner, next_url=url)

    response = client.post(reverse("accounts:unsent_form_discard"), follow=True)

    assert response.redirect_chain[-1][0] == url
    html = response.content.decode()
    assert "The form you had filled in is discarded." in html
    assert "Payroll lead" not in html
    assert SESSION_KEY not in client.session


def test_a_kept_form_is_dropped_after_a_day(owner):
    client = Client()
    url = kept_signed_out(client, owner)
    assert client.session.get_expiry_age() == 24 * 3600  # The anonymous session, too.
    sign_in(client, owner)
    session = client.session
    session[SESSION_KEY] = {
        **session[SESSION_KEY],
        "kept_at": (timezone.now() - timedelta(days=1, seconds=1)).isoformat(),
    }
    session.save()

    assert "Payroll lead" not in client.get(url).content.decode()
    assert SESSION_KEY not in client.session


def _stale_token_post(client, owner, url, **headers):
    """The form as a page shown before the person signed in again in another tab."""
    stale = csrf_token(client.get(url).text)
    sign_out_and_in_again(client, owner)
    return client.post(
        url,
        {
            "target_job": "Payroll lead",
            "csrfmiddlewaretoken": stale,
            OWNER_FIELD: owner_token(owner),
        },
        **headers,
    )


def test_a_form_refused_for_a_stale_token_is_kept_for_its_author(owner):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, owner)
    url = step_url(workspace_open(owner=owner), 1)

    response = _stale_token_post(client, owner, url, HTTP_ORIGIN="http://testserver")

    assert response.status_code == 302
    assert response.url == url
    html = client.get(url).content.decode()
    assert "you had signed in again since this page was shown" in html
    assert "Payroll lead" in html


def test_without_an_origin_header_a_stale_token_still_gets_the_csrf_page(owner):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, owner)
    url = step_url(workspace_open(owner=owner), 1)

    response = _stale_token_post(client, owner, url)

    assert response.status_code == 403
    assert "This form could not be sent" in response.text
    assert SESSION_KEY not in client.session


def test_a_stale_form_of_someone_else_is_refused_as_before(owner):
    client = Client(enforce_csrf_checks=True)
    other = UserFactory(email="other@example.com")
    sign_in(client, other)
    url = step_url(workspace_open(owner=other), 1)
    stale = csrf_token(client.get(url).text)
    sign_out_and_in_again(client, other)

    response = client.post(
        url,
        {"target_job": "x", "csrfmiddlewaretoken": stale, OWNER_FIELD: owner_token(owner)},
        HTTP_ORIGIN="http://testserver",
    )

    assert response.status_code == 403
    assert SESSION_KEY not in client.session


def test_the_owner_field_is_only_in_forms_of_a_signed_in_person(client):
    html = client.get(reverse("feedback:new")).content.decode()

    assert OWNER_FIELD not in html


def test_feedback_written_signed_in_and_sent_signed_out_stays_the_authors(owner):
    from feedback.models import Feedback

    client = Client()
    url = reverse("feedback:new")
    fields = {"body": "The writer was great.", "form_key": str(uuid.uuid4())}

    response = client.post(url, {**fields, OWNER_FIELD: owner_token(owner)})

    assert response.url == f"{LOGIN_URL}?next={url}"
    assert not Feedback.objects.exists()  # Not sent as a visitor's.
    action, kept = kept_fields(sign_in(client, owner, next_url=url).text)
    client.post(action, kept)
    assert Feedback.objects.get().user == owner


def test_a_referer_that_names_another_site_as_a_path_is_not_followed(owner):
    workspace = workspace_open(owner=owner)
    url = step_url(workspace, 1)

    response = Client().post(
        url,
        {"target_job": "x", OWNER_FIELD: owner_token(owner)},
        HTTP_REFERER="http://testserver//elsewhere.example/page",
    )

    assert response.url == f"{LOGIN_URL}?next={url}"


def test_a_form_too_large_for_a_session_is_not_kept(owner):
    client = Client()

    # Fewer characters than bytes: 25,000 of these are 75,000 bytes.
    kept_signed_out(client, owner, target_job="職" * 25_000)

    assert SESSION_KEY not in client.session


def test_keeping_forms_is_rate_limited(owner, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "unsent_form": "2/h/ip"}
    kept = []
    for _ in range(3):
        client = Client()
        kept_signed_out(client, owner)
        kept.append(SESSION_KEY in client.session)

    assert kept == [True, True, False]


def test_discarding_signed_out_gives_the_session_its_usual_lifetime_back(owner, settings):
    client = Client()
    kept_signed_out(client, owner)
    assert client.session.get_expiry_age() == 24 * 3600

    response = client.post(reverse("accounts:unsent_form_discard"))

    assert response.url == reverse("home")
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE
