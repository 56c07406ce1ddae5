"""Small query helpers shared by the lists and home-page panels."""

from django.db.models import Count, Field, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import In
from django.db.models.sql import Query


def total_of(queryset: QuerySet, limit: int | None = None) -> Coalesce:
    """The number of rows of ``queryset``, as an uncorrelated scalar subquery to annotate onto the first rows of
    a list: one query instead of a list and a count. The database evaluates it once (an InitPlan), so unlike a
    window count (``COUNT(*) OVER ()``) it does not make the database join and sort every row before the
    LIMIT, which let a year of data cost a home-page panel 200 ms.

    With ``limit``, at most ``limit + 1`` rows are counted (shown as "1000+" by the ``bounded`` filter): a
    home-page badge need not read the 9,000 clues a busy unit has in progress to say that there are many."""
    if limit is not None:
        return Coalesce(_CountOfRows(queryset.order_by().values("pk")[: limit + 1]), 0)
    counted = queryset.order_by().values(one=Value(1)).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class _CountOfRows(Subquery):
    """The number of rows a (possibly LIMITed) subquery returns."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted_rows)"
    output_field = IntegerField()


@Field.register_lookup
class AnyOfSubquery(In):
    """``field__any=<queryset>``: the rows whose field is among the subquery's values, for one branch of an OR.

    On PostgreSQL it is written ``field = ANY(ARRAY(SELECT ...))``: the subquery runs once and the condition
    can use the field's index, so an OR of such branches becomes a BitmapOr of index scans. ``field IN
    (SELECT ...)`` inside an OR is a hashed SubPlan that PostgreSQL tests row by row, which made every
    visibility filter read the whole table (30 ms for 40,000 clues, whatever the user could see). Elsewhere it is
    the plain ``IN``. Only for subqueries: a list of values already gets ``IN (...)``, which is indexable."""

    lookup_name = "any"

    def get_prep_lookup(self):
        if not isinstance(self.rhs, QuerySet | Query):
            raise TypeError("the 'any' lookup takes a queryset (a subquery); use 'in' for a list of values")
        return super().get_prep_lookup()

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if not rhs.startswith("("):
            rhs = f"({rhs})"
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)
