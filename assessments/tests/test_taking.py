"""Taking an assessment: entitlement, pages, saving as you go, resuming, submitting."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from assessments.forms import MISSING_ANSWER
from assessments.models import Answer, Instrument, Sitting
from assessments.services import SittingClosed, sitting_answers_save, sitting_start
from assessments.tests.factories import (
    RIASEC,
    VALUES,
    instrument,
    owner_with_software,
    sitting_scored,
)
from orders.models import Entitlement, Product
from orders.tests.factories import ProductFactory, paid_entitlement


@pytest.fixture
def owner(client):
    user = owner_with_software()
    client.force_login(user)
    return user


def start(client, code=RIASEC):
    response = client.post(reverse("assessments:start", args=[code]))
    return Sitting.objects.get(pk=Sitting.objects.latest("id").pk), response


def page_url(sitting, number):
    return reverse("assessments:page", args=[sitting.public_id, number])


def page_data(sitting, number, value=4, action="next", skip=0):
    """Answers for every item of a page (leaving the last `skip` blank)."""
    per_page = sitting.instrument.items_per_page
    items = list(sitting.instrument.items.order_by("position"))[
        (number - 1) * per_page : number * per_page
    ]
    data = {f"item_{item.pk}": value for item in items[: len(items) - skip]}
    return data | {"action": action}


@pytest.mark.django_db
def test_the_list_offers_both_assessments_to_an_owner_of_the_software(client, owner):
    html = client.get(reverse("assessments:index")).content.decode()

    assert "Work interests (RIASEC)" in html
    assert "What matters to you at work" in html
    assert html.count(">Start<span") == 2


@pytest.mark.django_db
def test_results_of_an_assessment_no_longer_offered_stay_on_the_list(client, owner):
    sitting = sitting_scored(owner, code=VALUES)
    Instrument.objects.filter(code=VALUES).update(active=False)

    html = client.get(reverse("assessments:index")).content.decode()

    assert "What matters to you at work" in html
    assert "We no longer offer this assessment" in html
    assert reverse("assessments:result", args=[sitting.public_id]) in html
    assert html.count(">Start<span") == 1
    assert html.count("Take it again") == 0


@pytest.mark.django_db
def test_without_the_software_nothing_can_be_started(client):
    client.force_login(UserFactory())

    html = client.get(reverse("assessments:index")).content.decode()
    response = client.post(reverse("assessments:start", args=[RIASEC]), follow=True)

    assert "come with our career-planning software" in html
    assert ">Start<span" not in html
    assert Sitting.objects.count() == 0
    assert "come with our career-planning software" in response.content.decode()


@pytest.mark.django_db
def test_a_revoked_entitlement_stops_saving(client, owner):
    sitting, _ = start(client)
    Entitlement.objects.filter(user=owner).update(revoked_at="2026-01-01T00:00Z")

    response = client.post(page_url(sitting, 1), page_data(sitting, 1))

    assert response.status_code == 302
    assert response.url == reverse("assessments:index")
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_starting_opens_page_one_with_a_progress_bar(client, owner):
    sitting, response = start(client)

    page = client.get(response.url, follow=True)
    html = page.content.decode()
    assert page.redirect_chain[-1][0] == page_url(sitting, 1)
    assert '<progress id="sitting-progress" max="48" value="0">' in html
    assert "page 1 of 8" in html
    assert html.count('type="radio"') == 6 * 5
    assert "Strongly dislike" in html and "Strongly like" in html


@pytest.mark.django_db
def test_starting_again_returns_the_open_sitting(client, owner):
    first, _ = start(client)
    second, _ = start(client)

    assert first == second
    assert Sitting.objects.count() == 1


@pytest.mark.django_db
def test_each_page_is_saved_and_moves_on(client, owner):
    sitting, _ = start(client)

    response = client.post(page_url(sitting, 1), page_data(sitting, 1, value=5))

    assert response.status_code == 302
    assert response.url == page_url(sitting, 2)
    assert list(Answer.objects.values_list("value", flat=True)) == [5] * 6
    sitting.refresh_from_db()
    assert sitting.last_saved_at is not None
    assert (
        '<progress id="sitting-progress" max="48" value="6">'
        in client.get(response.url).content.decode()
    )


@pytest.mark.django_db
def test_a_blank_answer_is_a_clear_error_and_the_others_are_kept(client, owner):
    sitting, _ = start(client)

    response = client.post(page_url(sitting, 1), page_data(sitting, 1, skip=1))

    assert response.status_code == 200
    html = response.content.decode()
    assert MISSING_ANSWER in html
    assert "Please correct the fields marked below." in html
    assert 'aria-describedby="id_item_' in html
    assert Answer.objects.count() == 5


@pytest.mark.django_db
def test_the_summary_links_a_blank_answer_to_the_first_option_of_its_statement(client, owner):
    sitting, _ = start(client)
    data = page_data(sitting, 1, skip=1)
    per_page = sitting.instrument.items_per_page
    blank = list(sitting.instrument.items.order_by("position"))[per_page - 1]

    response = client.post(page_url(sitting, 1), data)

    html = response.content.decode()
    link = f'<a href="#id_item_{blank.pk}_0">{blank.text}: {MISSING_ANSWER}</a>'
    assert link in html
    assert f'id="id_item_{blank.pk}_0"' in html


@pytest.mark.django_db
def test_an_invalid_value_is_refused(client, owner):
    sitting, _ = start(client)
    data = page_data(sitting, 1)
    data[next(key for key in data if key.startswith("item_"))] = 9

    response = client.post(page_url(sitting, 1), data)

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert Answer.objects.count() == 5


@pytest.mark.django_db
def test_save_and_finish_later_keeps_a_partial_page(client, owner):
    sitting, _ = start(client)

    response = client.post(page_url(sitting, 1), page_data(sitting, 1, action="later", skip=2))

    assert response.url == reverse("assessments:index")
    assert Answer.objects.count() == 4


@pytest.mark.django_db
def test_changing_an_answer_replaces_it(client, owner):
    sitting, _ = start(client)
    client.post(page_url(sitting, 1), page_data(sitting, 1, value=1))

    client.post(page_url(sitting, 1), page_data(sitting, 1, value=4))

    assert sorted(Answer.objects.values_list("value", flat=True)) == [4] * 6


@pytest.mark.django_db
def test_back_saves_and_goes_to_the_previous_page(client, owner):
    sitting, _ = start(client)

    response = client.post(page_url(sitting, 3), page_data(sitting, 3, action="back", skip=6))

    assert response.url == page_url(sitting, 2)


@pytest.mark.django_db
def test_a_page_past_the_end_is_not_found(client, owner):
    sitting, _ = start(client)

    assert client.get(page_url(sitting, 9)).status_code == 404
    assert client.get(page_url(sitting, 0)).status_code == 404


@pytest.mark.django_db
def test_resuming_later_opens_the_first_unanswered_page_with_answers_filled_in(client, owner):
    sitting, _ = start(client)
    for number in (1, 2):
        client.post(page_url(sitting, number), page_data(sitting, number, value=2))
    client.post(page_url(sitting, 3), page_data(sitting, 3, value=2, action="later", skip=1))
    client.logout()

    later = Client()
    later.force_login(owner)
    listing = later.get(reverse("assessments:index")).content.decode()
    response = later.get(reverse("assessments:resume", args=[sitting.public_id]), follow=True)

    assert "You have answered 17 of 48 so far." in listing
    assert "Continue where you left off" in listing
    assert response.redirect_chain[-1][0] == page_url(sitting, 3)
    html = response.content.decode()
    assert html.count("checked") == 5


@pytest.mark.django_db
def test_submitting_with_gaps_names_the_pages_to_revisit(client, owner):
    sitting, _ = start(client)
    chosen = instrument(RIASEC)
    all_but_page_two = {
        item.pk: 3 for item in chosen.items.order_by("position") if not 7 <= item.position <= 12
    }
    sitting_answers_save(sitting=sitting, answers=all_but_page_two)

    response = client.post(page_url(sitting, 8), page_data(sitting, 8, action="submit"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "A few statements are still unanswered" in html
    assert f'href="{page_url(sitting, 2)}">page 2</a>' in html
    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.IN_PROGRESS


@pytest.mark.django_db
def test_submitting_a_complete_sitting_scores_it_and_shows_the_result(
    client, owner, django_capture_on_commit_callbacks
):
    sitting, _ = start(client, VALUES)
    for number in (1, 2):
        client.post(page_url(sitting, number), page_data(sitting, number, value=4))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page_url(sitting, 3), page_data(sitting, 3, action="submit"))

    assert response.url == reverse("assessments:result", args=[sitting.public_id])
    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.SCORED
    assert sitting.submitted_at is not None
    html = client.get(response.url).content.decode()
    assert "What matters most to you" in html


@pytest.mark.django_db
def test_submitting_while_the_broker_is_down_shows_the_scoring_page_not_a_server_error(
    client, owner, django_capture_on_commit_callbacks
):
    from unittest import mock

    from kombu.exceptions import OperationalError

    from assessments.tasks import sitting_score_task

    sitting, _ = start(client, VALUES)
    for number in (1, 2):
        client.post(page_url(sitting, number), page_data(sitting, number, value=4))
    client.raise_request_exception = False
    down = OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    with (
        mock.patch.object(sitting_score_task, "apply_async", side_effect=down) as apply_async,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(page_url(sitting, 3), page_data(sitting, 3, action="submit"))

    assert apply_async.called
    assert response.status_code == 302
    assert response.url == reverse("assessments:result", args=[sitting.public_id])
    sitting.refresh_from_db()
    assert sitting.status == Sitting.Status.SCORING
    assert sitting.scoring_queued_at is not None
    assert "Scoring your answers" in client.get(response.url).content.decode()


@pytest.mark.django_db
def test_a_submitted_sitting_can_no_longer_be_changed(client, owner):
    sitting, _ = start(client)
    Sitting.objects.filter(pk=sitting.pk).update(status=Sitting.Status.SCORING)

    response = client.post(page_url(sitting, 1), page_data(sitting, 1))

    assert response.url == reverse("assessments:result", args=[sitting.public_id])
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_a_finished_assessment_can_be_taken_again_as_a_new_sitting(client, owner):
    first, _ = start(client)
    Sitting.objects.filter(pk=first.pk).update(status=Sitting.Status.SCORED)

    second, _ = start(client)

    assert second != first
    assert "Take it again" not in client.get(reverse("assessments:index")).content.decode()


@pytest.mark.django_db
def test_the_page_works_with_a_second_entitlement_too(client, owner):
    paid_entitlement(user=owner, kind=Entitlement.Kind.ASSESSMENTS)

    sitting, _ = start(client)

    assert sitting.entitlement.user == owner


@pytest.mark.django_db
def test_the_assessment_page_takes_a_fixed_number_of_queries(
    client, owner, django_assert_num_queries
):
    sitting, _ = start(client)
    client.post(page_url(sitting, 1), page_data(sitting, 1))

    # session, user, sitting + instrument, items, answers, the host's partner (then cached)
    with django_assert_num_queries(6):
        response = client.get(page_url(sitting, 2))
    assert response.status_code == 200


@pytest.mark.django_db
def test_answers_of_a_submitted_sitting_cannot_be_saved_even_in_a_race(owner):
    chosen = instrument(RIASEC)
    sitting = sitting_start(user=owner, instrument=chosen)
    # Submitted in another tab after this one loaded the sitting.
    Sitting.objects.filter(pk=sitting.pk).update(status=Sitting.Status.SCORING)

    with pytest.raises(SittingClosed):
        sitting_answers_save(sitting=sitting, answers={chosen.items.first().pk: 3})
    assert not Answer.objects.exists()


@pytest.mark.django_db
def test_without_the_software_the_list_links_to_it_in_the_shop(client):
    ProductFactory(kind=Product.Kind.SOFTWARE, slug="planner-deluxe", price_minor=9900)
    software = ProductFactory(kind=Product.Kind.SOFTWARE, slug="planner", price_minor=4900)
    ProductFactory(
        kind=Product.Kind.SOFTWARE, slug="retired-planner", price_minor=100, active=False
    )
    ProductFactory(kind=Product.Kind.RESUME_PACKAGE, slug="essentials", price_minor=50)
    client.force_login(UserFactory())

    html = client.get(reverse("assessments:index")).content.decode()

    assert f'href="{reverse("orders:product", args=[software.slug])}"' in html


@pytest.mark.django_db
def test_without_the_software_in_the_shop_the_list_links_to_the_shop(client):
    client.force_login(UserFactory())

    html = client.get(reverse("assessments:index")).content.decode()

    assert f'href="{reverse("orders:products")}"' in html.split('<main id="main"')[1]


@pytest.mark.django_db
def test_an_owner_of_the_software_is_not_sent_to_the_shop(client, owner):
    ProductFactory(kind=Product.Kind.SOFTWARE, slug="planner")

    html = client.get(reverse("assessments:index")).content.decode()

    assert 'href="/shop/planner/"' not in html
