"""Results: scoring states, the chart and its table, occupations, the printable view."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Result, Sitting
from assessments.services import sitting_scoring_retry, sitting_submit
from assessments.tests.factories import (
    VALUES,
    owner_with_software,
    sitting_answered,
    sitting_scored,
)

RIASEC_SCORES = {"R": 4, "I": 10, "A": 27, "S": 30, "E": 22, "C": 8}


@pytest.fixture
def owner(client):
    user = owner_with_software()
    client.force_login(user)
    return user


def result_url(sitting, name="assessments:result"):
    return reverse(name, args=[sitting.public_id])


@pytest.mark.django_db
def test_the_result_shows_the_code_the_chart_its_table_and_occupations(client, owner):
    sitting = sitting_scored(owner, scores=RIASEC_SCORES)

    html = client.get(result_url(sitting)).content.decode()

    assert 'Your interest code: <span class="interest-code">SAE</span>' in html
    svg = re.search(r"<svg class=\"bar-chart\" role=\"img\".*?</svg>", html, re.S).group(0)
    assert svg.count('class="chart-bar') == 6
    assert svg.count("chart-bar-top") == 3
    # The chart's text alternative and the table carry the same figures.
    assert (
        '<desc id="chart-desc">Realistic 4 out of 32; Investigative 10 out of 32; Artistic 27 out '
        "of 32; Social 30 out of 32; Enterprising 22 out of 32; Conventional 8 out of 32.</desc>"
    ) in svg
    assert '<th scope="row">Social (S)</th><td>30</td><td>32</td><td>1</td>' in html
    # Bars are proportional: 30 of 32 of the 200-unit bar space.
    assert 'width="188"' in svg
    # Drawn about a phone's width (343 px inside the page's margins at 375): its 15-unit
    # labels are not shrunk below 13 px there.
    view_width = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))
    assert 15 * 343 / view_width >= 13
    assert "Occupations matching SAE" in html
    assert "<td>Clergy</td><td>SEA</td><td>13 of 14</td>" in html
    assert "O*NET" in html


@pytest.mark.django_db
def test_a_result_stays_as_scored_when_the_instrument_changes_later(
    client, owner, django_capture_on_commit_callbacks
):
    from assessments.models import Item, Scale
    from assessments.services import sitting_score

    sitting = sitting_answered(owner)
    with django_capture_on_commit_callbacks(execute=False):
        sitting_submit(sitting=sitting)
    sitting_score(sitting_id=sitting.pk)
    chosen = sitting.instrument
    # Later: a new scale, and more items on an old one.
    Scale.objects.create(instrument=chosen, code="X", name="Extra", description="-", position=99)
    realistic = chosen.scales.get(code="R")
    for n in range(10):
        Item.objects.create(
            instrument=chosen, scale=realistic, code=f"RX{n}", text="New", position=200 + n
        )

    response = client.get(result_url(sitting))

    assert response.status_code == 200
    assert "Extra" not in response.text
    assert "Realistic 16 out of 32;" in response.text


@pytest.mark.django_db
def test_a_work_values_result_lists_the_top_values_without_occupations(client, owner):
    sitting = sitting_scored(
        owner,
        code=VALUES,
        scores={"ACH": 3, "IND": 12, "REC": 1, "REL": 9, "SEC": 9, "BAL": 0},
    )

    html = client.get(result_url(sitting)).content.decode()

    top = re.findall(r"<li><strong>(\w+)</strong>", html)
    assert top == ["Independence", "Relationships", "Security"]
    assert "Occupations matching" not in html


@pytest.mark.django_db
def test_the_printable_view_has_the_chart_and_no_site_navigation(client, owner):
    sitting = sitting_scored(owner, scores=RIASEC_SCORES)

    html = client.get(result_url(sitting, "assessments:result_print")).content.decode()

    assert '<body class="print-view">' in html
    assert "<svg" in html
    assert "Occupations matching SAE" in html
    assert "site-header" not in html


@pytest.mark.django_db
def test_while_scoring_the_page_shows_progress_and_checks_again(client, owner):
    sitting = sitting_answered(owner)
    sitting_submit(sitting=sitting)  # the task waits for a commit that never comes

    response = client.get(result_url(sitting))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Scoring your answers" in html
    assert "<progress" in html
    assert "Check again" in html
    assert "Try scoring again now" not in html
    assert "js/assessment-status.js" in html


REFRESH = re.compile(r'<meta http-equiv="refresh" content="(\d+)">')


@pytest.mark.django_db
def test_without_javascript_the_scoring_page_reloads_itself_until_scored(client, owner):
    sitting = sitting_answered(owner)
    sitting_submit(sitting=sitting)  # the task waits for a commit that never comes

    waiting = client.get(result_url(sitting)).content.decode()
    refresh = REFRESH.search(waiting)
    assert refresh
    assert 2 <= int(refresh.group(1)) <= 10
    # Only for browsers without the script, which reloads once the result is ready.
    assert f"<noscript>{refresh.group(0)}</noscript>" in waiting

    Sitting.objects.filter(pk=sitting.pk).update(status=Sitting.Status.DELAYED)
    delayed = client.get(result_url(sitting)).content.decode()
    assert "Scoring delayed" in delayed
    assert not REFRESH.search(delayed)


@pytest.mark.django_db
def test_a_scored_result_does_not_reload_itself(client, owner):
    sitting = sitting_scored(owner, scores=RIASEC_SCORES)

    html = client.get(result_url(sitting)).content.decode()

    assert "Your interest code" in html
    assert "http-equiv" not in html


@pytest.mark.django_db
def test_the_status_answers_for_the_script(client, owner):
    sitting = sitting_answered(owner)

    response = client.get(result_url(sitting, "assessments:status"))

    assert response.json() == {"status": "in_progress"}


@pytest.mark.django_db
def test_a_stuck_sitting_can_be_sent_for_scoring_again(
    client, owner, django_capture_on_commit_callbacks
):
    sitting = sitting_answered(owner)
    sitting_submit(sitting=sitting)
    Sitting.objects.filter(pk=sitting.pk).update(
        scoring_queued_at=timezone.now() - timezone.timedelta(minutes=10)
    )
    assert "Try scoring again now" in client.get(result_url(sitting)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(result_url(sitting, "assessments:retry"))

    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.SCORED


@pytest.mark.django_db
def test_a_sitting_just_sent_again_is_not_offered_or_sent_once_more(
    client, owner, django_capture_on_commit_callbacks
):
    sitting = sitting_answered(owner)
    with django_capture_on_commit_callbacks(execute=False):
        sitting_submit(sitting=sitting)
    Sitting.objects.filter(pk=sitting.pk).update(
        status=Sitting.Status.DELAYED,
        submitted_at=timezone.now() - timezone.timedelta(minutes=40),
        scoring_queued_at=timezone.now() - timezone.timedelta(minutes=40),
    )
    # The worker has yet to take the task this click queues.
    with django_capture_on_commit_callbacks(execute=False) as first:
        client.post(result_url(sitting, "assessments:retry"))

    html = client.get(result_url(sitting)).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as second:
        client.post(result_url(sitting, "assessments:retry"))

    assert len(first) == 1
    assert "Scoring your answers" in html
    assert "Try scoring again now" not in html
    assert second == []


@pytest.mark.django_db
def test_trying_again_while_the_broker_is_down_is_not_a_server_error(
    client, owner, django_capture_on_commit_callbacks
):
    from unittest import mock

    from kombu.exceptions import OperationalError

    from assessments.tasks import sitting_score_task

    sitting = sitting_answered(owner)
    with django_capture_on_commit_callbacks(execute=False):
        sitting_submit(sitting=sitting)
    Sitting.objects.filter(pk=sitting.pk).update(status=Sitting.Status.DELAYED)
    client.raise_request_exception = False

    with (
        mock.patch.object(sitting_score_task, "apply_async", side_effect=OperationalError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(result_url(sitting, "assessments:retry"))

    assert response.status_code == 302
    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.SCORING


@pytest.mark.django_db
def test_retrying_a_scored_sitting_does_nothing(client, owner):
    sitting = sitting_scored(owner)

    response = client.post(result_url(sitting, "assessments:retry"))

    assert response.status_code == 302
    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.SCORED


@pytest.mark.django_db
def test_a_retry_click_arriving_after_scoring_leaves_the_sitting_scored(
    owner, django_capture_on_commit_callbacks
):
    sitting = sitting_answered(owner)
    sitting_submit(sitting=sitting)
    Sitting.objects.filter(pk=sitting.pk).update(status=Sitting.Status.DELAYED)
    # Two clicks on "Try scoring again now", each request with the sitting it loaded.
    first_click, second_click = (
        Sitting.objects.get(pk=sitting.pk),
        Sitting.objects.get(pk=sitting.pk),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert sitting_scoring_retry(sitting=first_click)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert not sitting_scoring_retry(sitting=second_click)

    assert callbacks == []
    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.SCORED
    assert Result.objects.filter(sitting=sitting).count() == 1


@pytest.mark.django_db
def test_an_unfinished_sitting_has_no_result_yet(client, owner):
    sitting = sitting_answered(owner)

    response = client.get(result_url(sitting))

    assert response.url == reverse("assessments:resume", args=[sitting.public_id])


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["list", "result"])
def test_the_person_is_told_who_else_can_see_their_results(client, owner, page):
    url = reverse("assessments:index") if page == "list" else result_url(sitting_scored(owner))

    html = client.get(url).content.decode()

    assert "only our Privacy Officer can open" in html
    assert "each such look is logged" in html


@pytest.mark.django_db
def test_results_are_not_cached_by_browsers_or_proxies(client, owner):
    sitting = sitting_scored(owner)

    response = client.get(result_url(sitting))

    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_result_page_takes_a_fixed_number_of_queries(client, owner, django_assert_num_queries):
    sitting = sitting_scored(owner, scores=RIASEC_SCORES)

    # session, user, sitting + instrument, result, scales, scales and items for the
    # maxima, occupations, the host's partner
    with django_assert_num_queries(9):
        response = client.get(result_url(sitting))
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_assessments_list_takes_a_fixed_number_of_queries(
    client, owner, django_assert_num_queries
):
    for _ in range(3):
        sitting_scored(owner)
    sitting_answered(owner, code=VALUES)

    # session, user, entitlement, instruments (+ item counts), their sittings
    # (+ answer counts), the host's partner
    with django_assert_num_queries(6):
        response = client.get(reverse("assessments:index"))
    assert response.status_code == 200
