"""Reporting periods of a year under a report cycle. A report for a period is due a few days after the
period ends (setting PLAN_REPORT_DUE_DAYS, 10 by default)."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

from .models import ReportCycle

MONTHS_PER_PERIOD = {
    ReportCycle.MONTHLY: 1,
    ReportCycle.QUARTERLY: 3,
    ReportCycle.HALF_YEARLY: 6,
    ReportCycle.ANNUAL: 12,
}
LABEL_PREFIX = {ReportCycle.MONTHLY: "M", ReportCycle.QUARTERLY: "Q", ReportCycle.HALF_YEARLY: "H"}


@dataclass(frozen=True)
class ReportingPeriod:
    label: str
    start: date
    end: date
    due: date


def due_days() -> int:
    return int(getattr(settings, "PLAN_REPORT_DUE_DAYS", 10))


def periods_of(year: int, cycle: str) -> list[ReportingPeriod]:
    step = MONTHS_PER_PERIOD[ReportCycle(cycle)]
    periods = []
    for index, first_month in enumerate(range(1, 13, step), start=1):
        last_month = first_month + step - 1
        start = date(year, first_month, 1)
        end = date(year, last_month, calendar.monthrange(year, last_month)[1])
        prefix = LABEL_PREFIX.get(ReportCycle(cycle))
        label = f"{year}-{prefix}{index:02d}" if prefix == "M" else f"{year}-{prefix}{index}"
        periods.append(
            ReportingPeriod(label if prefix else str(year), start, end, end + timedelta(due_days()))
        )
    return periods


def period_by_label(year: int, cycle: str, label: str) -> ReportingPeriod | None:
    return next((p for p in periods_of(year, cycle) if p.label == label), None)
