"""``{{ n|bounded }}``: a count made with a limit (core.queries.total_of(..., limit=...), core.pagination), shown
as "1000+" once it passes the limit."""

from django import template

from fanguai.core.pagination import COUNT_LIMIT

register = template.Library()


@register.filter
def bounded(count: int, limit: int = COUNT_LIMIT) -> str:
    return f"{limit}+" if count is not None and count > limit else str(count or 0)
