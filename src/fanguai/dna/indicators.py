"""Indicators of the DNA database for evaluations, assessment and the dashboard (counts only)."""

from django.utils.translation import gettext_lazy as _

from fanguai.core.indicators import register_indicator

from .models import Candidate, Specimen


def _specimens(year, unit=None, county=None):
    rows = Specimen.objects.filter(collected_on__year=year)
    if unit is not None:
        rows = rows.filter(collecting_unit=unit)
    if county is not None:
        rows = rows.filter(county=county)
    return rows


def samples_collected(year, unit=None, county=None):
    return _specimens(year, unit, county).count()


def confirmed_matches(year, unit=None, county=None):
    rows = Candidate.objects.filter(status=Candidate.Status.CONFIRMED, decided_at__year=year)
    if unit is not None:
        rows = rows.filter(family_specimen__collecting_unit=unit)
    if county is not None:
        rows = rows.filter(family_specimen__county=county)
    return rows.count()


register_indicator(
    "dna.samples_collected", label=_("DNA samples collected"), measure=_("samples"), compute=samples_collected
)
register_indicator(
    "dna.confirmed_matches", label=_("Confirmed DNA matches"), measure=_("matches"), compute=confirmed_matches
)
