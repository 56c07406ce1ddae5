"""Scenario objects for the assistance tests: a rescued person taken in by bob's shelter (霍邱县救助管理站),
a household-registration referral to alice's unit (霍邱县公安局) under a consent that shares only sex and date
of birth, and an entry of the left-behind register kept by bob's shelter. The cast comes from
tests/conftest.py."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from fanguai.assistance import services
from fanguai.assistance.models import Consent
from fanguai.org.models import Region, Unit
from fanguai.people.models import Person

from ..conftest import make_user

SECRET_NAME = "林秘密"
SECRET_PHONE = "13912345678"
CHILD_NAME = "王留守"


def township():
    return Region.objects.filter(parent__code="341522", level=Region.Level.TOWNSHIP).order_by("code").first()


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def take_in(actor, **overrides):
    today = timezone.localdate()
    person_fields = {
        "full_name": SECRET_NAME,
        "sex": Person.Sex.FEMALE,
        "birth_date": date(today.year - 12, 1, 1),
        "identity_status": Person.IdentityStatus.KNOWN,
        "phone": SECRET_PHONE,
        "region": township(),
    }
    person_fields.update(overrides.pop("person_fields", {}))
    fields = {
        "person_fields": person_fields,
        "handed_over_by_unit": unit("341522-police"),
        "handed_over_by_officer": "officer",
        "handed_over_at": timezone.now() - timedelta(days=1),
        "needs": ["schooling", "household_registration"],
        "risk_level": "medium",
        "guardianship": "shelter_temporary",
    }
    fields.update(overrides)
    return services.take_in(actor=actor, **fields)


def consent(actor, unit_code: str, fields=("sex", "birth_date"), **owner):
    return services.record_consent(
        actor=actor,
        unit=unit(unit_code),
        basis=Consent.Basis.GUARDIAN,
        given_by="guardian",
        fields=list(fields),
        given_on=timezone.localdate(),
        **owner,
    )


def register_child(actor, **overrides):
    fields = {
        "person_fields": {
            "full_name": CHILD_NAME,
            "sex": Person.Sex.MALE,
            "birth_date": date(timezone.localdate().year - 8, 1, 1),
            "identity_status": Person.IdentityStatus.KNOWN,
        },
        "category": "left_behind_child",
        "township": township(),
        "risk_level": "high",
        "situation": "parents away",
    }
    fields.update(overrides)
    return services.register_care(actor=actor, **fields)


@pytest.fixture
def edu(db):
    return make_user("edu", "liaison", "341522-education")


@pytest.fixture
def civil(db):
    return make_user("civil", "liaison", "341522-civil_affairs")


@pytest.fixture
def case(bob):
    return take_in(bob)


@pytest.fixture
def referral(case, bob):
    consent(bob, "341522-police", case=case)
    return services.refer(actor=bob, case=case, service="household_registration", request="hukou")


@pytest.fixture(autouse=True)
def _english(english):
    """These tests read message texts in English (the platform's second language); Chinese is tested apart."""
