"""Links between the pages of a list (includes/pager.html)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, page, number) -> str:
    """The current page's address showing the given page of this list, and whatever
    else its query string asked for (another list's page on the same page)."""
    query = context["request"].GET.copy()
    query.pop(page.param, None)
    if number != 1:
        query[page.param] = number
    return f"?{query.urlencode()}" if query else context["request"].path
