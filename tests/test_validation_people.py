"""Persons (issue 14 item 1): nobody is born in the future, in any form that asks for a date of birth."""

import datetime as dt

import pytest
from django.utils import timezone

from fanguai.assistance.forms import VisitScheduleForm
from fanguai.cases.forms import PartyForm
from fanguai.people.forms import PersonForm

pytestmark = pytest.mark.django_db
TOMORROW = (timezone.localdate() + dt.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("form_class", "data"),
    [
        (PersonForm, {"full_name": "李某", "sex": "female", "identity_status": "known"}),
        (PartyForm, {"role": "victim", "full_name": "李某", "sex": "female"}),
    ],
)
def test_a_birth_in_the_future_is_refused(form_class, data):
    assert "birth_date" in form_class({**data, "birth_date": TOMORROW}).errors
    assert "birth_date" not in form_class({**data, "birth_date": "2010-05-01"}).errors


def test_a_follow_up_visit_cannot_be_scheduled_in_the_past():
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    assert "scheduled_for" in VisitScheduleForm({"scheduled_for": yesterday}).errors
    assert VisitScheduleForm({"scheduled_for": TOMORROW}).is_valid()
