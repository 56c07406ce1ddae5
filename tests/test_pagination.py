"""Long lists count only as far as anyone pages (core.pagination), and the visibility rules' subquery branches
are written so that PostgreSQL can use an index for each (core.queries' `any` lookup)."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test import RequestFactory

from fanguai.core.pagination import BoundedPaginator, page_of
from fanguai.org.models import Unit

pytestmark = pytest.mark.django_db


def test_a_short_list_is_counted_exactly():
    units = Unit.objects.order_by("pk")
    total = units.count()
    paginator = BoundedPaginator(units, 10, count_limit=total + 5)
    assert paginator.count == total
    assert not paginator.count_is_bounded
    assert paginator.num_pages == -(-total // 10)


def test_a_long_list_is_counted_up_to_the_limit_and_offers_the_pages_within_it():
    units = Unit.objects.order_by("pk")
    total = units.count()
    assert total > 30  # the Lu'an units
    paginator = BoundedPaginator(units, 10, count_limit=30)
    assert paginator.count == 30
    assert paginator.count_is_bounded
    assert paginator.num_pages == 3
    last = paginator.get_page(99)
    assert last.number == 3
    assert not last.has_next()
    assert list(last.object_list) == list(units[20:30])


def test_the_limit_itself_is_not_reported_as_more():
    units = Unit.objects.order_by("pk")
    total = units.count()
    paginator = BoundedPaginator(units, 10, count_limit=total)
    assert paginator.count == total
    assert not paginator.count_is_bounded


def test_page_of_reads_the_page_parameter_and_a_list_is_counted_by_length():
    request = RequestFactory().get("/", {"page": "2"})
    page = page_of(request, list(range(25)), 10)
    assert page.number == 2
    assert list(page.object_list) == list(range(10, 20))
    assert not page.paginator.count_is_bounded


def test_the_pagination_says_more_than_when_bounded():
    from django.template.loader import render_to_string

    units = Unit.objects.order_by("pk")
    page = BoundedPaginator(units, 10, count_limit=30).get_page(3)
    html = render_to_string("partials/pagination.html", {"page": page, "request": RequestFactory().get("/")})
    assert "of more than 3" in html or "页以上" in html
    exact = BoundedPaginator(units, 10, count_limit=10_000).get_page(1)
    html = render_to_string("partials/pagination.html", {"page": exact, "request": RequestFactory().get("/")})
    assert "页以上" not in html and "of more than" not in html


def test_the_any_lookup_selects_the_same_rows_as_in():
    city = Unit.objects.filter(code__startswith="341500").values("pk")
    named = Q(name__contains="公安")
    with_in = set(Unit.objects.filter(Q(pk__in=city) | named).values_list("pk", flat=True))
    with_any = set(Unit.objects.filter(Q(pk__any=city) | named).values_list("pk", flat=True))
    assert with_in and with_any == with_in
    assert with_any != set(Unit.objects.values_list("pk", flat=True))


def test_the_any_lookup_is_an_indexable_array_on_postgresql():
    sql = str(Unit.objects.filter(pk__any=Unit.objects.filter(code="x").values("pk")).query)
    if connection.vendor == "postgresql":
        assert "= ANY(ARRAY(SELECT" in sql
    else:
        assert " IN (SELECT" in sql


def test_the_any_lookup_refuses_a_list():
    with pytest.raises(TypeError):
        Unit.objects.filter(pk__any=[1, 2])


def test_a_bounded_total_counts_up_to_the_limit_and_is_shown_with_a_plus():
    from fanguai.core.queries import total_of
    from fanguai.core.templatetags.counts import bounded

    units = Unit.objects.order_by("pk")
    total = units.count()
    exact = units.annotate(n=total_of(units)).first().n
    capped = units.annotate(n=total_of(units, limit=10)).first().n
    roomy = units.annotate(n=total_of(units, limit=total)).first().n
    assert exact == total and capped == 11 and roomy == total
    assert bounded(capped, 10) == "10+"
    assert bounded(roomy, total) == str(total)
    assert bounded(None) == "0"
