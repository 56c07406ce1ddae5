from fanguai.core.indicators import compute_all, indicators
from fanguai.org.models import Region, Unit


def test_every_app_registers_indicators_that_compute_for_every_scope(db):
    codes = {i.code for i in indicators()}
    assert {
        "outreach.publicity_events",
        "assistance.persons_assisted",
        "dna.samples_collected",
        "supervision.red_warnings",
        "plans.reports_on_time",
        "cases.clearance_rate",
        "missing.alerts_published",
        "clues.acknowledged_on_time",
    } <= codes
    county = Region.objects.get(code="341522")
    unit = Unit.objects.get(code="341522-police")
    for scope in ({}, {"county": county}, {"unit": unit}):
        values = compute_all(2026, **scope)
        assert set(values) == codes
        assert all(v is None or v >= 0 for v in values.values())
