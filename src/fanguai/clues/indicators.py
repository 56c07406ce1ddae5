"""Indicators of the clue network: transfers acknowledged within their deadline."""

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from fanguai.core.indicators import register_indicator

from .models import ClueTransfer


def transfers_acknowledged_on_time(year, unit=None, county=None):
    transfers = ClueTransfer.objects.filter(transferred_at__year=year)
    if unit is not None:
        transfers = transfers.filter(to_unit=unit)
    if county is not None:
        transfers = transfers.filter(to_unit__region=county)
    total = transfers.count()
    on_time = transfers.filter(acknowledged_at__lte=F("due_at")).count()
    return round(100 * on_time / total, 1) if total else None


register_indicator(
    "clues.acknowledged_on_time",
    label=_("Clues transferred and acknowledged on time"),
    measure="%",
    compute=transfers_acknowledged_on_time,
)
