"""Indicators of listing supervision for evaluations, assessment and the dashboard."""

from django.utils.translation import gettext_lazy as _

from fanguai.core.indicators import register_indicator

from .models import ListingWarning


def red_warnings(year, unit=None, county=None):
    rows = ListingWarning.objects.filter(level=ListingWarning.Level.RED, created_at__year=year)
    if unit is not None:
        rows = rows.filter(listing__responsible_unit=unit)
    if county is not None:
        rows = rows.filter(listing__responsible_unit__region=county)
    return rows.values("listing").distinct().count()


register_indicator(
    "supervision.red_warnings",
    label=_("Listed items with a red warning"),
    measure=_("items"),
    compute=red_warnings,
    higher_is_better=False,
)
