from django.db.models import Q, QuerySet

from .models import Region, Unit


def counties() -> QuerySet[Region]:
    return Region.objects.filter(level__in=[Region.Level.COUNTY, Region.Level.ZONE])


def townships(county: Region | None = None) -> QuerySet[Region]:
    qs = Region.objects.filter(level=Region.Level.TOWNSHIP).select_related("parent")
    return qs.filter(parent=county) if county else qs


def active_units() -> QuerySet[Unit]:
    return Unit.objects.filter(is_active=True).select_related("region")


def units_in_county(county: Region, prefix: str = "responsible_unit__") -> Q:
    """A condition on `<prefix>`: units whose region is the county itself or a township (or a village) in it."""
    return (
        Q(**{f"{prefix}region": county})
        | Q(**{f"{prefix}region__parent": county})
        | Q(**{f"{prefix}region__parent__parent": county})
    )
