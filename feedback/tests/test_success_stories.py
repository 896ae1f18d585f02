"""P14: only approved feedback whose author opted in is public; withdrawal is immediate."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import UserFactory
from feedback.models import Feedback
from feedback.services import feedback_withdraw_token
from feedback.tests.factories import FeedbackFactory, story

URL = reverse("feedback:success_stories")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("publish", "status", "shown"),
    [
        (True, Feedback.Status.APPROVED, True),
        (False, Feedback.Status.APPROVED, False),
        (True, Feedback.Status.NEW, False),
        (True, Feedback.Status.REVIEWED, False),
        (True, Feedback.Status.ARCHIVED, False),
    ],
)
def test_only_approved_feedback_whose_author_opted_in_is_shown(client, publish, status, shown):
    FeedbackFactory(
        body="The story under test.", publish=publish, display_name="Sam", status=status
    )

    html = client.get(URL).content.decode()

    assert ("The story under test." in html) is shown


@pytest.mark.django_db
def test_a_story_shows_the_chosen_name_and_never_the_real_name_or_address(client):
    story(name="Samantha Realname", email="sam.real@example.com", display_name="Sam, Ohio")

    html = client.get(URL).content.decode()

    assert "Sam, Ohio" in html
    assert "Realname" not in html
    assert "sam.real@example.com" not in html


@pytest.mark.django_db
def test_the_author_withdrawing_unpublishes_at_once(client):
    alice = UserFactory()
    feedback = story(user=alice, body="The story of Alice.")
    client.force_login(alice)
    assert "The story of Alice." in client.get(URL).content.decode()

    client.post(reverse("feedback:withdraw", args=[feedback.public_id]))

    assert "The story of Alice." not in client.get(URL).content.decode()
    feedback.refresh_from_db()
    assert not feedback.publish
    assert feedback.publish_withdrawn_at is not None
    assert feedback.status == Feedback.Status.APPROVED


@pytest.mark.django_db
def test_a_stranger_cannot_withdraw_someone_elses_story(client):
    feedback = story(user=UserFactory())
    client.force_login(UserFactory())

    response = client.post(reverse("feedback:withdraw", args=[feedback.public_id]))

    assert response.status_code == 404
    feedback.refresh_from_db()
    assert feedback.publish


@pytest.mark.django_db
def test_my_feedback_lists_only_my_own(client):
    alice = UserFactory()
    story(user=alice, body="Mine, published.")
    FeedbackFactory(user=UserFactory(), body="Someone else's.")
    client.force_login(alice)

    html = client.get(reverse("feedback:mine")).content.decode()

    assert "Mine, published." in html
    assert "Published as a success story" in html
    assert "Someone else" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "said"),
    [
        (Feedback.Status.NEW, "it is waiting for our team's approval"),
        (Feedback.Status.REVIEWED, "it is waiting for our team's approval"),
        (Feedback.Status.ARCHIVED, "we have decided not to"),
    ],
)
def test_my_feedback_says_whether_a_story_still_awaits_approval(client, status, said):
    alice = UserFactory()
    FeedbackFactory(user=alice, publish=True, display_name="Alice", status=status)
    client.force_login(alice)

    html = client.get(reverse("feedback:mine")).content.decode()

    assert said in html.replace("&#x27;", "'")
    assert html.count("approval") == (status != Feedback.Status.ARCHIVED)


@pytest.mark.django_db
def test_a_guest_withdraws_through_the_emailed_link_and_get_alone_changes_nothing(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("feedback:new"),
            {
                "body": "Guest story.",
                "email": "g@example.com",
                "publish": "on",
                "display_name": "G",
            },
        )
    Feedback.objects.update(status=Feedback.Status.APPROVED)
    path = re.search(r"http://[^/\s]+(/feedback/withdraw/\S+/)", mail.outbox[0].body).group(1)

    confirm = client.get(path)
    assert "Guest story." in client.get(URL).content.decode()
    done = client.post(path)

    assert confirm.status_code == 200
    assert "publish my story</button>" in confirm.content.decode()
    assert done.status_code == 200
    assert "Guest story." not in client.get(URL).content.decode()


@pytest.mark.django_db
def test_a_tampered_withdraw_link_is_refused(client):
    feedback = story()
    token = feedback_withdraw_token(feedback=feedback)

    response = client.post(reverse("feedback:withdraw_by_link", args=[token[:-2] + "xx"]))

    assert response.status_code == 404
    feedback.refresh_from_db()
    assert feedback.publish


@pytest.mark.django_db
@pytest.mark.parametrize("stories", [1, 25])
def test_query_count_does_not_grow_with_stories(client, django_assert_num_queries, stories):
    for _ in range(stories):
        story()

    # partner for the host (cold cache), the page's story ids, and the stories
    with django_assert_num_queries(3):
        first = client.get(URL)
    # The page's stories come from the cache while the same ones are published.
    with django_assert_num_queries(1):
        again = client.get(URL)
    assert again.status_code == 200
    assert again.content.decode().count("<figure") == min(stories, 20)
    assert first.content.decode().count("<figure") == min(stories, 20)


@pytest.mark.django_db
def test_stories_are_paged_newest_first_and_a_page_past_the_end_is_the_last(client):
    for n in range(45):
        story(body=f"Story number {n}.")

    first = client.get(URL).content.decode()
    third = client.get(URL, {"page": 3}).content.decode()
    past_the_end = client.get(URL, {"page": 9}).content.decode()
    not_a_number = client.get(URL, {"page": "two"}).content.decode()
    huge = client.get(URL, {"page": "9" * 30}).content.decode()

    assert first.count("<figure") == 20
    assert "Story number 44." in first
    assert "Page 1<" in first
    assert "Older stories" in first and "Newer stories" not in first
    assert third.count("<figure") == 5
    assert "Story number 0." in third
    assert "Page 3<" in third
    assert "Newer stories" in third and "Older stories" not in third
    assert "Story number 0." in past_the_end
    assert "Page 3<" in past_the_end
    assert "Page 1<" in not_a_number
    assert "Page 3<" in huge


@pytest.mark.django_db
def test_no_stories(client):
    html = client.get(URL, {"page": 2}).content.decode()

    assert "No stories yet." in html
    assert "Page " not in html


@pytest.mark.django_db
def test_staff_taking_a_story_down_unpublishes_it_at_once(client):
    from feedback.services import feedback_moderate

    kept = story(body="A story that stays.")
    taken_down = story(body="A story staff archive.")
    assert "A story staff archive." in client.get(URL).content.decode()

    feedback_moderate(
        feedback=taken_down, status=Feedback.Status.ARCHIVED, by=UserFactory(is_staff=True)
    )

    html = client.get(URL).content.decode()
    assert "A story staff archive." not in html
    assert kept.body in html


@pytest.mark.django_db
@pytest.mark.parametrize("items", [1, 25])
def test_my_feedback_query_count_does_not_grow(client, django_assert_num_queries, items):
    alice = UserFactory()
    for _ in range(items):
        story(user=alice)
    client.force_login(alice)

    # session, user, partner for the host (cold cache), the page's items, and how many
    # the author sent, counted only when there are more than a page of them
    with django_assert_num_queries({1: 4, 25: 5}[items]):
        response = client.get(reverse("feedback:mine"))
    assert response.content.decode().count("<blockquote>") == min(items, settings.LIST_PAGE_SIZE)
