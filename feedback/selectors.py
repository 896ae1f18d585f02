import functools
import math
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from feedback.models import Feedback


def success_stories_published() -> QuerySet[Feedback]:
    """P14: approved by staff AND opted in by the author, right now."""
    return Feedback.objects.filter(publish=True, status=Feedback.Status.APPROVED).order_by(
        "-moderated_at", "-id"
    )


@functools.cache
def _published_ids_sql() -> tuple[str, tuple]:
    """The SQL that reads the published stories' ids, compiled from the queryset above
    once per process: on the success stories page, building and compiling the query
    cost the web process more than the database spends running it. Its parameters
    are frozen with it: the rule must not compare with the current time."""
    return success_stories_published().values_list("pk", flat=True).query.sql_with_params()


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
    offset = (number - 1) * per_page
    sql, params = _published_ids_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT %s OFFSET %s", [*params, per_page + 1, offset])
        ids = [pk for (pk,) in cursor.fetchall()]
    if not ids and number > 1:
        last = max(math.ceil(success_stories_published().count() / per_page), 1)
        return success_stories_page(number=last, per_page=per_page)
    return StoriesPage(number=number, ids=ids[:per_page], has_next=len(ids) > per_page)


def feedback_for_user(*, user) -> QuerySet[Feedback]:
    return Feedback.objects.filter(user=user)
