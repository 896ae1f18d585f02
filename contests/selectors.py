from django.db.models import QuerySet
from django.utils import timezone

from contests.models import Contest


def contests_open() -> QuerySet[Contest]:
    now = timezone.now()
    return (
        Contest.objects.filter(opens_at__lte=now, closes_at__gt=now)
        .select_related("partner")
        .order_by("closes_at", "title")
    )


def contest_for_entry(*, slug: str) -> Contest | None:
    """A contest that has opened (closed ones still show, without the form)."""
    return (
        Contest.objects.filter(slug=slug, opens_at__lte=timezone.now())
        .select_related("partner")
        .first()
    )
