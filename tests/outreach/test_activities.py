import datetime

import pytest
from openpyxl import load_workbook

from fanguai.core.indicators import compute_all
from fanguai.deadlines.models import Deadline
from fanguai.outreach.models import Activity
from fanguai.outreach.services import mark_rectified, record_activity

from ..conftest import make_user
from ..permissions import Row, attachment, check_row, field_of, files_of


@pytest.fixture
def scenario(cast):
    alice = cast["alice"]
    activity = record_activity(
        actor=alice,
        kind="publicity",
        title="霍邱县秘密宣传活动",
        held_on=datetime.date(2026, 3, 8),
        people_reached=300,
        campaign_day="3.8",
    )
    return {"activity": activity, "users": cast}


@pytest.fixture
def governance(scenario):
    """A source-governance action of alice's unit awaiting its rectification."""
    return record_activity(
        actor=scenario["users"]["alice"],
        kind="governance",
        title="整治婚介机构",
        held_on=datetime.date(2026, 5, 1),
        target="industry",
        problem="无证婚介",
        rectification="取缔",
        rectify_by=datetime.date(2026, 6, 1),
    )


# every unit records its activities (not the laboratory, not the administrators); the unit, its leader,
# the county coordinator and the office read alice's
RECORDERS = frozenset({"alice", "bob", "charlie", "dave", "office", "liaison", "coordinator", "publicity"})
READERS = frozenset({"alice", "dave", "office", "coordinator"})

MATRIX = [
    Row(
        "list",
        lambda s: "/activities/",
        RECORDERS,
        secret=lambda s: "霍邱县秘密宣传活动",
        secret_readers=READERS,
    ),
    Row("export", lambda s: "/activities/?export=xlsx", RECORDERS),
    # dave, a leader of alice's unit, reads his unit's activities but may not change them
    Row(
        "detail",
        lambda s: f"/activities/{s['activity'].pk}/",
        READERS,
        secret=lambda s: "霍邱县秘密宣传活动",
    ),
    Row(
        "edit",
        lambda s: f"/activities/{s['activity'].pk}/edit/",
        frozenset({"alice"}),
        secret=lambda s: "霍邱县秘密宣传活动",
    ),
    Row("create", lambda s: "/activities/new/", RECORDERS - {"dave"}),
    Row(
        "rectified",
        lambda s: f"/activities/{s['governance'].pk}/rectified/",
        frozenset({"alice"}),
        method="post",
        effect=field_of("governance", "status"),
    ),
    Row(
        "attach",
        lambda s: f"/activities/{s['activity'].pk}/attach/",
        frozenset({"alice"}),
        method="post",
        data=attachment,
        effect=files_of("activity"),
    ),
]


@pytest.mark.parametrize("row", MATRIX, ids=lambda r: r.name)
def test_permission_matrix(row, scenario, governance):
    check_row(row, {**scenario, "governance": governance}, scenario["users"])
    # the list is open to every recorder, but only alice's unit and the office find the activity in it
    if row.name == "list":
        from django.test import Client

        for who in ("bob", "charlie"):
            client = Client()
            client.force_login(scenario["users"][who])
            assert "霍邱县秘密宣传活动".encode() not in client.get("/activities/").content


def test_the_office_sees_everything_and_the_county_coordinator_the_county(scenario, office, login):
    coordinator = make_user("coord", "county_coordinator", "341522-government")
    assert "霍邱县秘密宣传活动".encode() in login(office).get("/activities/").content
    assert "霍邱县秘密宣传活动".encode() in login(coordinator).get("/activities/").content
    other = make_user("coord2", "county_coordinator", "341502-government")
    assert "霍邱县秘密宣传活动".encode() not in login(other).get("/activities/").content


def test_recording_through_the_form(alice, login):
    client = login(alice)
    bad = client.post(
        "/activities/new/",
        {"kind": "governance", "title": "整治", "held_on": "2026-05-01", "people_reached": 0, "materials": 0},
    )
    assert bad.status_code == 200 and Activity.objects.count() == 0  # target and problem are required
    good = client.post(
        "/activities/new/",
        {
            "kind": "governance",
            "title": "整治婚介机构",
            "held_on": "2026-05-01",
            "people_reached": 0,
            "materials": 0,
            "target": "industry",
            "problem": "无证婚介",
            "rectification": "取缔",
            "rectify_by": "2026-06-01",
        },
    )
    assert good.status_code == 302
    activity = Activity.objects.get()
    assert activity.status == "rectifying" and activity.county.code == "341522"
    deadline = Deadline.objects.get(kind="outreach.rectification", object_id=str(activity.pk))
    assert deadline.responsible_unit == alice.unit
    mark_rectified(actor=alice, activity=activity)
    deadline.refresh_from_db()
    assert deadline.status == "met"


def test_indicators_count_activities_by_scope(scenario, alice, charlie):
    record_activity(actor=charlie, kind="training", title="培训", held_on=datetime.date(2026, 4, 1))
    record_activity(
        actor=alice,
        kind="governance",
        title="整治",
        held_on=datetime.date(2026, 4, 2),
        target="place",
        problem="问题",
    )
    city = compute_all(2026)
    assert city["outreach.publicity_events"] == 1
    assert city["outreach.people_reached"] == 300
    assert city["outreach.training_sessions"] == 1
    assert city["outreach.governance_rectified"] == 100.0  # recorded without a deadline: rectified at once
    assert compute_all(2026, county=alice.county)["outreach.training_sessions"] == 0
    assert compute_all(2025)["outreach.publicity_events"] == 0


def test_export_lists_the_visible_rows(scenario, office, login):
    import io

    response = login(office).get("/activities/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert len(rows) == 2 and rows[1][2] == "霍邱县秘密宣传活动"
