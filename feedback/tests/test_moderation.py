"""Moderation in the admin: Marketing moves feedback through new → reviewed → approved /
archived; nobody changes what the author wrote or chose."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import MARKETING, SUPPORT
from accounts.tests.factories import UserFactory
from feedback.models import Feedback
from feedback.tests.factories import FeedbackFactory

CHANGELIST = reverse("admin:feedback_feedback_changelist")


def staff(role: str):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def marketer(client):
    user = staff(MARKETING)
    client.force_login(user)
    return user


@pytest.mark.django_db
def test_marketing_approves_with_the_action_and_it_is_recorded(client, marketer):
    feedback = FeedbackFactory(publish=True, display_name="Sam")

    client.post(CHANGELIST, {"action": "approve", "_selected_action": [feedback.pk]})

    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.APPROVED
    assert feedback.moderated_by == marketer
    assert feedback.moderated_at is not None
    assert feedback.is_published


@pytest.mark.django_db
def test_approving_says_which_feedback_stays_off_the_public_page(client, marketer):
    asked = FeedbackFactory(publish=True, display_name="Sam")
    private = FeedbackFactory(publish=False)

    response = client.post(
        CHANGELIST,
        {"action": "approve", "_selected_action": [asked.pk, private.pk]},
        follow=True,
    )

    [message] = [str(m) for m in response.context["messages"]]
    assert message == (
        "2 marked “Approved”. 1 of them stays off the success-stories page: its author did "
        "not ask for publication."
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "status"),
    [("mark_reviewed", Feedback.Status.REVIEWED), ("archive", Feedback.Status.ARCHIVED)],
)
def test_marketing_reviews_and_archives(client, marketer, action, status):
    feedback = FeedbackFactory(status=Feedback.Status.APPROVED, publish=True, display_name="S")

    client.post(CHANGELIST, {"action": action, "_selected_action": [feedback.pk]})

    feedback.refresh_from_db()
    assert feedback.status == status
    assert not feedback.is_published


@pytest.mark.django_db
def test_the_change_form_changes_only_the_status(client, marketer):
    feedback = FeedbackFactory(body="Original words.", publish=False, display_name="")
    url = reverse("admin:feedback_feedback_change", args=[feedback.pk])

    response = client.post(
        url,
        {
            "status": Feedback.Status.APPROVED,
            "body": "Words put in the author's mouth.",
            "publish": "on",
            "display_name": "Invented",
        },
    )

    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.APPROVED
    assert feedback.moderated_by == marketer
    assert feedback.body == "Original words."
    assert not feedback.publish
    assert feedback.display_name == ""
    assert not feedback.is_published


@pytest.mark.django_db
def test_staff_cannot_add_or_delete_feedback(client, marketer):
    feedback = FeedbackFactory()

    add = client.get(reverse("admin:feedback_feedback_add"))
    delete = client.post(reverse("admin:feedback_feedback_delete", args=[feedback.pk]))

    assert add.status_code == 403
    assert delete.status_code == 403
    assert Feedback.objects.count() == 1


@pytest.mark.django_db
def test_support_cannot_see_feedback(client):
    client.force_login(staff(SUPPORT))

    assert client.get(CHANGELIST).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("items", [1, 30])
def test_changelist_query_count_does_not_grow(client, marketer, django_assert_num_queries, items):
    for _ in range(items):
        FeedbackFactory()

    # session, user, permissions (user's, groups'), count, count of all, the page,
    # first/last date and the days for the date hierarchy
    with django_assert_num_queries(9):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
