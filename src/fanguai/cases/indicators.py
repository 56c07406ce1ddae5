"""发一破一: the clearance rate of the cases filed in a year, for evaluations, assessment and the dashboard."""

from django.utils.translation import gettext_lazy as _

from fanguai.core.indicators import register_indicator

from .models import Case


def clearance_rate(year, unit=None, county=None):
    cases = Case.objects.filter(filed_on__year=year)
    if unit is not None:
        cases = cases.filter(owner_unit=unit)
    if county is not None:
        cases = cases.filter(county=county)
    filed = cases.count()
    return round(100 * cases.filter(solved_on__isnull=False).count() / filed, 1) if filed else None


register_indicator(
    "cases.clearance_rate", label=_("Clearance rate of cases filed"), measure="%", compute=clearance_rate
)
