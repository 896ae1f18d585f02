import math
from dataclasses import dataclass

from django.db.models import QuerySet

from feedback.models import Feedback


def success_stories_published() -> QuerySet[Feedback]:
    """P14: approved by staff AND opted in by the author, right now."""
    return Feedback.objects.filter(publish=True, status=Feedback.Status.APPROVED).order_by(
        "-moderated_at", "-id"
    )


def success_stories_with_ids(*, ids: list[int]) -> list[Feedback]:
    return list(success_stories_published().filter(pk__in=ids))


@dataclass(frozen=True)
class StoriesPage:
    """Which published stories one page of success stories holds."""

    number: int
    ids: list[int]
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def success_stories_page(*, number: int, per_page: int) -> StoriesPage:
    """A page of published stories' ids, in one query (one more row tells whether
    there is a next page); a page past the last is the last page."""
    # Beyond any real page, and small enough for the database's OFFSET.
    number = min(max(number, 1), 1_000_000)
    published = success_stories_published()
    offset = (number - 1) * per_page
    ids = list(published.values_list("pk", flat=True)[offset : offset + per_page + 1])
    if not ids and number > 1:
        last = max(math.ceil(published.count() / per_page), 1)
        return success_stories_page(number=last, per_page=per_page)
    return StoriesPage(number=number, ids=ids[:per_page], has_next=len(ids) > per_page)


def feedback_for_user(*, user) -> QuerySet[Feedback]:
    return Feedback.objects.filter(user=user)
