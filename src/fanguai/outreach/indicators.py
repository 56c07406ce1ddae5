from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from fanguai.core.indicators import register_indicator

from .models import Activity


def _activities(year: int, unit=None, county=None):
    rows = Activity.objects.filter(held_on__year=year)
    if unit is not None:
        rows = rows.filter(unit=unit)
    if county is not None:
        rows = rows.filter(county=county)
    return rows


def publicity_events(year, unit=None, county=None):
    return _activities(year, unit, county).filter(kind=Activity.Kind.PUBLICITY).count()


def people_reached(year, unit=None, county=None):
    return _activities(year, unit, county).aggregate(total=Sum("people_reached"))["total"] or 0


def training_sessions(year, unit=None, county=None):
    return _activities(year, unit, county).filter(kind=Activity.Kind.TRAINING).count()


def governance_rectified_share(year, unit=None, county=None):
    counts = (
        _activities(year, unit, county)
        .filter(kind=Activity.Kind.GOVERNANCE)
        .aggregate(total=Count("id"), done=Count("id", filter=Q(status=Activity.Status.RECTIFIED)))
    )
    return round(100 * counts["done"] / counts["total"], 1) if counts["total"] else None


register_indicator(
    "outreach.publicity_events",
    label=_("Publicity and education events"),
    measure=_("events"),
    compute=publicity_events,
)
register_indicator(
    "outreach.people_reached",
    label=_("People reached by publicity"),
    measure=_("people"),
    compute=people_reached,
)
register_indicator(
    "outreach.training_sessions",
    label=_("Training sessions"),
    measure=_("sessions"),
    compute=training_sessions,
)
register_indicator(
    "outreach.governance_rectified",
    label=_("Source-governance problems rectified"),
    measure="%",
    compute=governance_rectified_share,
)
