import math
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Window

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
    num_pages: int
    ids: list[int]

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def success_stories_page(*, number: int, per_page: int) -> StoriesPage:
    """A page of published stories' ids and the number of pages, in one query; a page
    past the last is the last page."""
    # Beyond any real page, and small enough for the database's OFFSET.
    number = min(max(number, 1), 1_000_000)
    published = success_stories_published()
    rows = list(
        published.annotate(total=Window(Count("pk"))).values_list("pk", "total")[
            (number - 1) * per_page : number * per_page
        ]
    )
    total = rows[0][1] if rows else published.count()
    num_pages = max(math.ceil(total / per_page), 1)
    if number > num_pages:
        return success_stories_page(number=num_pages, per_page=per_page)
    return StoriesPage(number=number, num_pages=num_pages, ids=[pk for pk, _ in rows])


def feedback_for_user(*, user) -> QuerySet[Feedback]:
    return Feedback.objects.filter(user=user)
