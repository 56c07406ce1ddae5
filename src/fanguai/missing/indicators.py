"""Indicators of the missing-child rapid search and alerts."""

from django.utils.translation import gettext_lazy as _

from fanguai.core.indicators import register_indicator

from .models import Alert


def alerts_published(year, unit=None, county=None):
    alerts = Alert.objects.filter(published_at__year=year)
    if unit is not None:
        alerts = alerts.filter(report__owner_unit=unit)
    if county is not None:
        alerts = alerts.filter(report__county=county)
    return alerts.count()


register_indicator(
    "missing.alerts_published",
    label=_("Missing-child alerts issued"),
    measure=_("alerts"),
    compute=alerts_published,
)
