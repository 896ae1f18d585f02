"""Pages of the lists that grow with a person's history (My orders, feedback sent, the
consent history and the disclosures on My privacy), and the raw-SQL rows they page."""

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection


class RawRows:
    """The rows of a raw SQL query, as Paginator takes them: counted and sliced by the
    database, so that a page reads only its own rows however long the list grows.

    source is what follows FROM (the tables and the WHERE clause), select the columns
    and order_by the order, all written in code; params are the parameters of source
    (the only values that come from outside)."""

    def __init__(self, model, *, select: str, source: str, order_by: str, params: list):
        self.model = model
        self.select = select
        self.source = source
        self.order_by = order_by
        self.params = params

    def _sql(self) -> str:
        return f"SELECT {self.select} FROM {self.source} ORDER BY {self.order_by}"  # noqa: S608 - SQL from code, values are parameters

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {self.source}", self.params)  # noqa: S608 - as above
            return cursor.fetchone()[0]

    def __getitem__(self, rows: slice) -> list:
        """The rows of a slice with both ends (as Paginator takes a page)."""
        start = rows.start or 0
        if rows.stop <= start:
            return []
        return list(
            self.model.objects.raw(
                f"{self._sql()} LIMIT %s OFFSET %s", [*self.params, rows.stop - start, start]
            )
        )

    def __iter__(self):
        return iter(self.model.objects.raw(self._sql(), self.params))


def page_of(request, rows, *, param: str = "page") -> Page:
    """The page of rows that the query string's param asks for (settings.LIST_PAGE_SIZE
    rows). A value that is no whole number, or below 1, is the first page, and one
    beyond the last page is the last, as on the success stories (a link kept from
    when the list was longer still leads somewhere)."""
    size = settings.LIST_PAGE_SIZE
    paginator = Paginator(rows, size)
    try:
        number = int(request.GET.get(param, 1))
    except ValueError:
        number = 1
    if number <= 1:
        # Most people's lists fit on the first page: reading one row more than a page
        # tells whether there is a second, so the rows are counted apart only then.
        head = list(rows[: size + 1])
        if len(head) <= size:
            paginator.count = len(head)
        page = Page(head[:size], 1, paginator)
    else:
        page = paginator.page(min(number, paginator.num_pages))
    page.param = param
    page.links = list(paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))
    return page
