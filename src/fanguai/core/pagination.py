"""Pages of long lists that count only as far as anyone pages.

Counting every visible row of a year of clues or persons (tens of thousands, filtered by the user's scope) was the
most expensive query of the list pages on PostgreSQL: 20-60 ms for a number that only served "page 3 of 712".
Nobody pages through 700 pages; they filter. So a list counts at most ``COUNT_LIMIT`` rows (the database stops
reading there) and, beyond it, says "more than 1,000" and offers the pages up to that point, with a hint to
narrow the filters. Exports and the API still count exactly."""

from functools import cached_property

from django.core.paginator import Paginator
from django.db.models import QuerySet

COUNT_LIMIT = 1000


class BoundedPaginator(Paginator):
    """Django's paginator, except that a query set is counted only up to ``count_limit`` rows.

    ``count`` is then the exact number when it is at most the limit and the limit otherwise; ``count_is_bounded``
    says which. Pages beyond the limit are not offered (``get_page`` answers the last page within it)."""

    def __init__(self, object_list, per_page, *, count_limit: int = COUNT_LIMIT, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_limit = count_limit

    @cached_property
    def _counted(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return len(self.object_list)
        # Without ORDER BY the database stops after count_limit + 1 matching rows instead of sorting them all.
        return self.object_list.order_by()[: self.count_limit + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.count_limit)

    @property
    def count_is_bounded(self) -> bool:
        return self._counted > self.count_limit


def page_of(request, object_list, per_page: int, **kwargs):
    """The page of ``object_list`` that the request's ``page`` parameter asks for (the first one by default)."""
    return BoundedPaginator(object_list, per_page, **kwargs).get_page(request.GET.get("page"))
