from django.db.models import QuerySet

from feedback.models import Feedback


def success_stories_published() -> QuerySet[Feedback]:
    """P14: approved by staff AND opted in by the author, right now."""
    return Feedback.objects.filter(publish=True, status=Feedback.Status.APPROVED).order_by(
        "-moderated_at", "-id"
    )


def feedback_for_user(*, user) -> QuerySet[Feedback]:
    return Feedback.objects.filter(user=user)
