"""Activities (issue 14 item 1): an event in the future is not done, a 3·8 campaign day is in March, a
rectification deadline is not before the activity (in the form, and as a database constraint)."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from fanguai.org.models import Unit
from fanguai.outreach.forms import ActivityForm
from fanguai.outreach.models import Activity

pytestmark = pytest.mark.django_db


def activity(**changes) -> dict:
    data = {"kind": "publicity", "title": "反拐宣传进社区", "held_on": "2026-03-08", "people_reached": "120"}
    data.update(changes)
    data.setdefault("materials", "0")
    return data


def errors(data: dict) -> dict:
    form = ActivityForm(data)
    form.is_valid()
    return form.errors


def test_a_sensible_activity_is_accepted():
    assert errors(activity(campaign_day="3.8")) == {}


def test_an_activity_in_the_future_is_refused():
    later = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    assert "held_on" in errors(activity(held_on=later))


def test_a_womens_day_campaign_in_august_is_refused():
    assert "campaign_day" in errors(activity(held_on="2025-08-08", campaign_day="3.8"))


def test_a_rectification_deadline_before_the_activity_is_refused():
    data = activity(
        kind="governance",
        target="place",
        problem="未张贴反拐标识",
        rectify_by="2026-03-01",
        held_on="2026-03-08",
    )
    assert "rectify_by" in errors(data)
    assert errors({**data, "rectify_by": "2026-04-01"}) == {}


def test_the_database_refuses_it_too():
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.create(
            kind="governance",
            title="整治",
            unit=Unit.objects.get(code="341522-police"),
            held_on=dt.date(2026, 3, 8),
            rectify_by=dt.date(2026, 3, 1),
        )
