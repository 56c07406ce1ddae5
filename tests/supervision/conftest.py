"""Scenario objects for the supervision tests: a listing and an inspection owned by alice's unit
(霍邱县公安局, 341522-police). The cast comes from tests/conftest.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fanguai.org.models import Unit
from fanguai.supervision import services
from fanguai.supervision.models import Listing

SECRET = "SECRET-LISTING-7731"


def in_days(n: int):
    return timezone.localdate() + timedelta(days=n)


def listing_fields(**overrides) -> dict:
    fields = {
        "kind": Listing.Kind.CASE,
        "title": SECRET,
        "case_reference": "霍公（刑）〔2026〕1号",
        "requirements": "Find the child within three months.",
        "responsible_unit": Unit.objects.get(code="341522-police"),
        "due_date": in_days(60),
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def listing(office):
    return services.create_listing(actor=office, **listing_fields())


@pytest.fixture
def make_listing(office):
    def make(**overrides):
        return services.create_listing(actor=office, **listing_fields(**overrides))

    return make


@pytest.fixture(autouse=True)
def _english(english):
    """These tests read message texts in English (the platform's second language); Chinese is tested apart."""
