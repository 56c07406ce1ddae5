"""Indicators of the yearly work plans for evaluations, assessment and the dashboard."""

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from fanguai.core.indicators import register_indicator

from .models import ProgressReport


def reports_on_time(year, unit=None, county=None):
    # A withdrawn report does not count; a corrected one counts with its corrected values.
    reports = ProgressReport.objects.filter(due_date__year=year, withdrawn_at__isnull=True)
    if unit is not None:
        reports = reports.filter(unit=unit)
    if county is not None:
        reports = reports.filter(unit__region=county)
    total = reports.count()
    on_time = reports.filter(submitted_at__date__lte=F("due_date")).count()
    return round(100 * on_time / total, 1) if total else None


register_indicator(
    "plans.reports_on_time",
    label=_("Progress reports submitted on time"),
    measure="%",
    compute=reports_on_time,
)
