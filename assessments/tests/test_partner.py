"""P11: the scoring partner receives a random sitting token, the instrument code and
the answers, and nothing else; when it fails, the person sees "scoring delayed"."""

import json
import re
import time

import pytest
from django.urls import reverse

from assessments import tasks
from assessments.models import Result, Sitting
from assessments.scoring import signature_is_valid
from assessments.tests.factories import (
    RIASEC,
    StubScoringPartner,
    instrument,
    owner_with_software,
    sitting_answered,
)
from careerperfect.celery import app as celery_app
from orders.models import Entitlement

SECRET = "partner-shared-secret"
# What any HTTP client sends on its own; everything else would be our choice to send.
ALLOWED_HEADERS = {
    "host",
    "user-agent",
    "accept-encoding",
    "accept",
    "connection",
    "content-type",
    "content-length",
    "x-scoring-timestamp",
    "x-scoring-signature",
}
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{32}")


def strict_inspector(*, sitting: Sitting, client_ip: str):
    """The P11 check: a list of every key or value in a request beyond the token, the
    instrument code and the answers (empty when the request keeps the promise)."""
    user = sitting.user
    entitlement = Entitlement.objects.select_related("order_line__order").get(
        user=user, kind=Entitlement.Kind.ASSESSMENTS
    )
    order = entitlement.order_line.order
    item_codes = set(sitting.instrument.items.values_list("code", flat=True))
    given = dict(sitting.answers.values_list("item__code", "value"))
    identifying = {
        str(user.pk),
        user.email,
        user.email.split("@")[0],
        user.name,
        client_ip,
        str(sitting.pk),
        str(sitting.public_id),
        sitting.public_id.hex,
        str(order.pk),
        str(order.public_id),
        order.public_id.hex,
        order.email,
        order.name,
        str(entitlement.pk),
    }

    def inspect(request: dict) -> list[str]:
        problems = []
        extra_headers = {name.lower() for name in request["headers"]} - ALLOWED_HEADERS
        if extra_headers:
            problems.append(f"extra headers {sorted(extra_headers)}")
        if request["headers"].get("User-Agent") != "CareerPerfect-Scoring/1":
            problems.append("unexpected user agent")
        if not signature_is_valid(
            secret=SECRET,
            timestamp=request["headers"].get("X-Scoring-Timestamp", ""),
            body=request["body"],
            claimed=request["headers"].get("X-Scoring-Signature", ""),
        ):
            problems.append("bad signature")
        raw = request["body"].decode()
        # Short ids (a user id of 3) are caught by the exact checks of every value below.
        problems += [
            f"body contains {value!r}" for value in identifying if len(value) >= 6 and value in raw
        ]
        payload = json.loads(raw)
        if set(payload) != {"token", "instrument", "answers"}:
            problems.append(f"keys {sorted(payload)}")
        token = payload.get("token")
        if not (isinstance(token, str) and TOKEN_PATTERN.fullmatch(token)):
            problems.append(f"token {token!r} is not a random token")
        if token in identifying:
            problems.append("token is an identifier")
        if token != sitting.scoring_token:
            problems.append("token is not the sitting's scoring token")
        if payload.get("instrument") != sitting.instrument.code:
            problems.append(f"instrument {payload.get('instrument')!r}")
        answers = payload.get("answers")
        if not isinstance(answers, dict) or set(answers) != item_codes:
            problems.append("answers are not exactly the instrument's items")
        elif answers != given:
            problems.append("answers differ from what the person gave")
        elif not all(type(value) is int and 1 <= value <= 5 for value in answers.values()):
            problems.append("an answer is not an integer from 1 to 5")
        return problems

    return inspect


@pytest.fixture
def eager_retries():
    # In-process, Celery replays a retried task at once, but only when task errors are
    # not propagated to the caller. A worker waits 30 s, 1, 2 … minutes between tries.
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = True


@pytest.fixture
def http_scoring(settings, eager_retries):
    settings.ASSESSMENT_SCORING_PROVIDER = "http"
    settings.ASSESSMENT_SCORING_SECRET = SECRET
    settings.ASSESSMENT_SCORING_TIMEOUT = 5

    def use(partner: StubScoringPartner):
        settings.ASSESSMENT_SCORING_URL = partner.url

    return use


def take_riasec(client, user) -> Sitting:
    """Take the whole RIASEC assessment through its pages, as the person would."""
    client.force_login(user)
    client.post(reverse("assessments:start", args=[RIASEC]))
    sitting = Sitting.objects.get(user=user)
    items = list(instrument(RIASEC).items.order_by("position"))
    for number in range(1, 9):
        page_items = items[(number - 1) * 6 : number * 6]
        data = {f"item_{item.pk}": 1 + (item.position % 5) for item in page_items}
        action = "submit" if number == 8 else "next"
        response = client.post(
            reverse("assessments:page", args=[sitting.public_id, number]),
            data | {"action": action},
            REMOTE_ADDR="203.0.113.77",
        )
    assert response.status_code == 302
    return sitting


def structural_inspector(request: dict) -> list[str]:
    """What the stub can check on its own, as each request arrives."""
    payload = json.loads(request["body"])
    problems = []
    if set(payload) != {"token", "instrument", "answers"}:
        problems.append(f"keys {sorted(payload)}")
    extra_headers = {name.lower() for name in request["headers"]} - ALLOWED_HEADERS
    if extra_headers:
        problems.append(f"extra headers {sorted(extra_headers)}")
    return problems


@pytest.mark.django_db
def test_the_partner_receives_only_the_token_the_instrument_and_the_answers(
    client, http_scoring, django_capture_on_commit_callbacks
):
    user = owner_with_software(email="private.person@example.com", name="Private Person")
    with StubScoringPartner(secret=SECRET, inspect=structural_inspector) as partner:
        http_scoring(partner)

        with django_capture_on_commit_callbacks(execute=True):
            sitting = take_riasec(client, user)

    sitting.refresh_from_db()
    assert len(partner.requests) == 1
    assert partner.violations == []
    inspect = strict_inspector(sitting=sitting, client_ip="203.0.113.77")
    assert inspect(partner.requests[0]) == []
    assert sitting.status == Sitting.Status.SCORED
    assert sitting.result.provider == "http"
    # The partner's scores are the ones shown to the person.
    html = client.get(reverse("assessments:result", args=[sitting.public_id])).content.decode()
    assert f'<span class="interest-code">{sitting.result.top_code}</span>' in html


@pytest.mark.django_db
def test_the_strict_check_catches_a_payload_with_anything_more(sitting_for_check):
    sitting, request = sitting_for_check
    inspect = strict_inspector(sitting=sitting, client_ip="203.0.113.77")
    payload = json.loads(request["body"])
    tampered = [
        payload | {"email": sitting.user.email},
        payload | {"user_id": sitting.user.pk},
        payload | {"token": str(sitting.public_id)},
        payload | {"answers": payload["answers"] | {"ip": "203.0.113.77"}},
        payload | {"instrument": f"{payload['instrument']} for {sitting.user.name}"},
    ]
    assert inspect(request) == []
    for variant in tampered:
        # Signed as the scorer would sign it: caught for what it holds, not its signature.
        problems = inspect(signed(request, json.dumps(variant).encode()))
        assert problems, variant
        assert "bad signature" not in problems, variant
    headers = request["headers"] | {"X-Forwarded-For": "203.0.113.77"}
    assert inspect(request | {"headers": headers}) == ["extra headers ['x-forwarded-for']"]


def signed(request: dict, body: bytes) -> dict:
    """The request with this body and a signature made now, as the HTTP scorer makes it."""
    from assessments.scoring import signature

    timestamp = str(int(time.time()))
    return request | {
        "body": body,
        "headers": request["headers"]
        | {
            "X-Scoring-Timestamp": timestamp,
            "X-Scoring-Signature": signature(secret=SECRET, timestamp=timestamp, body=body),
        },
    }


@pytest.fixture
def sitting_for_check(settings):
    """A request as the HTTP scorer builds it, for checking the checker."""
    from assessments.scoring import scoring_request_body
    from assessments.selectors import scoring_key, sitting_answers_by_code

    sitting = sitting_answered(owner_with_software(name="Checked Person"))
    body = scoring_request_body(
        token=sitting.scoring_token,
        key=scoring_key(instrument=sitting.instrument),
        answers=sitting_answers_by_code(sitting=sitting),
    )
    headers = {
        "Host": "127.0.0.1",
        "User-Agent": "CareerPerfect-Scoring/1",
        "Content-Type": "application/json",
    }
    return sitting, signed({"path": "/score", "headers": headers}, body)


@pytest.mark.django_db
def test_a_failing_partner_means_scoring_delayed_never_an_error_page(
    client, http_scoring, django_capture_on_commit_callbacks
):
    user = owner_with_software()
    with StubScoringPartner(secret=SECRET) as partner:
        partner.status = 503
        http_scoring(partner)

        with django_capture_on_commit_callbacks(execute=True):
            sitting = take_riasec(client, user)
        response = client.get(reverse("assessments:result", args=[sitting.public_id]))

    sitting.refresh_from_db()
    assert response.status_code == 200
    assert "Scoring delayed" in response.content.decode()
    assert "Try scoring again now" in response.content.decode()
    assert sitting.status == Sitting.Status.DELAYED
    assert sitting.scoring_error == "scoring partner answered HTTP 503"
    # The first try and the bounded retries, then it stops.
    assert len(partner.requests) == tasks.MAX_RETRIES + 1
    assert sitting.scoring_attempts == tasks.MAX_RETRIES + 1
    assert not Result.objects.filter(sitting=sitting).exists()


@pytest.mark.django_db
def test_a_partner_that_does_not_answer_in_time_delays_scoring(
    client, http_scoring, settings, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks, "MAX_RETRIES", 1)
    with StubScoringPartner(secret=SECRET) as partner:
        partner.delay = 1.5
        http_scoring(partner)
        settings.ASSESSMENT_SCORING_TIMEOUT = 0.5

        with django_capture_on_commit_callbacks(execute=True):
            sitting = take_riasec(client, owner_with_software())

    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.DELAYED
    assert "ReadTimeout" in sitting.scoring_error
    assert len(partner.requests) == 2


@pytest.mark.django_db
def test_after_a_delay_a_retry_scores_once_the_partner_is_back(
    client, http_scoring, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(tasks, "MAX_RETRIES", 0)
    user = owner_with_software()
    with StubScoringPartner(secret=SECRET) as partner:
        http_scoring(partner)
        partner.status = 500
        with django_capture_on_commit_callbacks(execute=True):
            sitting = take_riasec(client, user)
        partner.status = 200

        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("assessments:retry", args=[sitting.public_id]))

    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.SCORED
    assert len(partner.requests) == 2
    # The same token both times: it names the sitting for the partner and nothing else.
    tokens = {json.loads(request["body"])["token"] for request in partner.requests}
    assert tokens == {sitting.scoring_token}


@pytest.mark.django_db
def test_an_unreachable_partner_delays_scoring(
    client, http_scoring, settings, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks, "MAX_RETRIES", 0)
    with StubScoringPartner(secret=SECRET) as partner:
        http_scoring(partner)
    # The stub has stopped: nothing listens on that port any more.

    with django_capture_on_commit_callbacks(execute=True):
        sitting = take_riasec(client, owner_with_software())

    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.DELAYED
    assert "unreachable" in sitting.scoring_error


def test_http_scoring_needs_a_url_and_a_secret():
    import subprocess
    import sys

    env = {"ASSESSMENT_SCORING_PROVIDER": "http", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
            "'careerperfect.settings'; django.setup()",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "ASSESSMENT_SCORING_URL and ASSESSMENT_SCORING_SECRET must be set" in result.stderr
