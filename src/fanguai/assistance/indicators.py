"""Indicators of the care of rescued persons for evaluations, assessment and the dashboard."""

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fanguai.core.indicators import register_indicator

from .models import AssistanceCase, Referral


def persons_assisted(year, unit=None, county=None):
    cases = AssistanceCase.objects.filter(handed_over_at__year=year)
    if unit is not None:
        cases = cases.filter(shelter=unit)
    if county is not None:
        cases = cases.filter(shelter__region=county)
    return cases.count()


def referrals_delivered_on_time(year, unit=None, county=None):
    referrals = Referral.objects.filter(created_at__year=year).exclude(status=Referral.Status.WITHDRAWN)
    if unit is not None:
        referrals = referrals.filter(to_unit=unit)
    if county is not None:
        referrals = referrals.filter(to_unit__region=county)
    due = referrals.filter(Q(delivered_at__isnull=False) | Q(is_overdue=True))
    total = due.count()
    on_time = due.filter(delivered_at__lte=F("deliver_by")).count()
    return round(100 * on_time / total, 1) if total else None


register_indicator(
    "assistance.persons_assisted",
    label=_("Rescued persons assisted"),
    measure=_("people"),
    compute=persons_assisted,
)
register_indicator(
    "assistance.referrals_on_time",
    label=_("Services delivered on time"),
    measure="%",
    compute=referrals_delivered_on_time,
)
