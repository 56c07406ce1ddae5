"""The permission matrix of the plan pages and API, and the scopes of users outside the fixed cast."""

import pytest
from django.test import Client

from fanguai.org.models import Unit
from fanguai.plans import selectors, services
from fanguai.plans.models import WorkItem, WorkPlan

from ..conftest import make_user
from ..permissions import SIGNED_IN, WORKERS, Row, attachment, check_row, field_of, files_of
from .conftest import JAN, YEAR, approved_with_item, draft_with_item

ITEM_SECRET = "秘密工作项"
REPORT_SECRET = "机密进展说明"
EVERYONE = frozenset({"alice", "bob", "charlie", "dave", "office"})
# the unit, its leader, the county coordinator (the county's work) and the office
UNIT_READERS = frozenset({"alice", "dave", "office", "coordinator"})
# the county coordinator keeps the work plans of the county's units until they are submitted
COORDINATOR = frozenset({"coordinator"})
# progress on an approved item: its owner (alice) and the county coordinator for the county's units
REPORTERS = frozenset({"alice", "coordinator"})
OVERVIEW = frozenset({"dave", "office", "coordinator"})
LIST_SECRET = {"secret": lambda s: ITEM_SECRET, "secret_readers": UNIT_READERS}


@pytest.fixture
def scenario(plan, cast, coordinator):
    alice, office = cast["alice"], cast["office"]
    police = Unit.objects.get(code="341522-police")
    approved, item = approved_with_item(coordinator, office, plan, police, title=ITEM_SECRET, owner=alice)
    report = services.submit_report(
        actor=alice, item=item, status="on_track", narrative=REPORT_SECRET, today=JAN
    )
    draft, draft_item = draft_with_item(
        coordinator, plan, Unit.objects.get(code="341522-hrss"), title="草稿项"
    )
    submitted, _ = draft_with_item(coordinator, plan, Unit.objects.get(code="341522-health"), title="待审项")
    services.submit_work_plan(actor=coordinator, work_plan=submitted)
    return {
        "approved": approved,
        "item": item,
        "report": report,
        "draft": draft,
        "draft_item": draft_item,
        "submitted": submitted,
        "users": cast,
    }


MATRIX = [
    # the plan is open to every unit (not to the administrators); the lists answer everyone signed in and
    # show each what they may see
    Row("plan tree", lambda s: "/plan/", WORKERS),
    Row("plan tree by code", lambda s: "/plan/p/liuan-2022/?unit=公安", WORKERS),
    Row("plan tree excel", lambda s: "/plan/?export=xlsx", WORKERS),
    Row("work plan list", lambda s: "/plan/work-plans/", SIGNED_IN, **LIST_SECRET),
    Row("work plan list excel", lambda s: "/plan/work-plans/?export=xlsx", SIGNED_IN),
    # unit liaisons (publicity's too) and county coordinators keep work plans
    Row(
        "work plan create form",
        lambda s: "/plan/work-plans/new/",
        frozenset({"liaison", "coordinator", "publicity"}),
    ),
    Row(
        "work plan detail",
        lambda s: f"/plan/work-plans/{s['approved'].pk}/",
        UNIT_READERS,
        secret=lambda s: ITEM_SECRET,
    ),
    Row(
        "work plan excel",
        lambda s: f"/plan/work-plans/{s['approved'].pk}/?export=xlsx",
        UNIT_READERS,
    ),
    Row("work plan settings", lambda s: f"/plan/work-plans/{s['draft'].pk}/edit/", COORDINATOR),
    Row("work item create form", lambda s: f"/plan/work-plans/{s['draft'].pk}/items/new/", COORDINATOR),
    Row("work item edit form", lambda s: f"/plan/items/{s['draft_item'].pk}/edit/", COORDINATOR),
    Row(
        "work item delete",
        lambda s: f"/plan/items/{s['draft_item'].pk}/delete/",
        COORDINATOR,
        method="post",
        effect=lambda s: WorkItem.objects.filter(pk=s["draft_item"].pk).count(),
    ),
    Row(
        "work plan submit",
        lambda s: f"/plan/work-plans/{s['draft'].pk}/submit/",
        COORDINATOR,
        method="post",
        effect=field_of("draft", "status"),
    ),
    Row(
        "work plan approve",
        lambda s: f"/plan/work-plans/{s['submitted'].pk}/approve/",
        frozenset({"office"}),
        method="post",
        effect=field_of("submitted", "status"),
    ),
    Row(
        "work plan return",
        lambda s: f"/plan/work-plans/{s['submitted'].pk}/return/",
        frozenset({"office"}),
        method="post",
        data=lambda s: {"comment": "请修改"},
        effect=field_of("submitted", "status"),
    ),
    Row("report list", lambda s: "/plan/reports/", SIGNED_IN, **LIST_SECRET),
    Row("report list excel", lambda s: "/plan/reports/?export=xlsx", SIGNED_IN),
    Row(
        "report detail",
        lambda s: f"/plan/reports/{s['report'].pk}/",
        UNIT_READERS,
        secret=lambda s: REPORT_SECRET,
    ),
    Row("report create form", lambda s: f"/plan/items/{s['item'].pk}/report/", REPORTERS),
    Row(
        "report attach",
        lambda s: f"/plan/reports/{s['report'].pk}/attach/",
        REPORTERS,
        method="post",
        data=attachment,
        effect=files_of("report"),
    ),
    # until the office accepts it, the report's author side (its author and owner alice, the county
    # coordinator) corrects or withdraws it; the office accepts it
    Row("report correct form", lambda s: f"/plan/reports/{s['report'].pk}/correct/", REPORTERS),
    Row(
        "report correct",
        lambda s: f"/plan/reports/{s['report'].pk}/correct/",
        REPORTERS,
        method="post",
        data=lambda s: {"status": "at_risk", "narrative": "更正后的说明", "achieved": "20", "reason": "笔误"},
        effect=field_of("report", "version", "status", "achieved"),
    ),
    Row(
        "report withdraw",
        lambda s: f"/plan/reports/{s['report'].pk}/withdraw/",
        REPORTERS,
        method="post",
        data=lambda s: {"withdraw-reason": "报错了工作项"},
        effect=field_of("report", "withdrawn_at"),
    ),
    Row(
        "report accept",
        lambda s: f"/plan/reports/{s['report'].pk}/accept/",
        frozenset({"office"}),
        method="post",
        data=lambda s: {"accept-comment": ""},
        effect=field_of("report", "accepted_at"),
    ),
    Row("overview", lambda s: f"/plan/overview/?year={YEAR}", OVERVIEW),
    Row("overview excel", lambda s: f"/plan/overview/?year={YEAR}&export=xlsx", OVERVIEW),
    Row("api plans", lambda s: "/api/plan/plans", SIGNED_IN),
    Row("api plan tree", lambda s: "/api/plan/plans/liuan-2022", WORKERS),
    Row("api work plans", lambda s: "/api/plan/work-plans", SIGNED_IN, **LIST_SECRET),
    Row(
        "api work plan",
        lambda s: f"/api/plan/work-plans/{s['approved'].pk}",
        UNIT_READERS,
        secret=lambda s: ITEM_SECRET,
    ),
    Row("api reports", lambda s: "/api/plan/reports", SIGNED_IN, **LIST_SECRET),
    Row(
        "api report",
        lambda s: f"/api/plan/reports/{s['report'].pk}",
        UNIT_READERS,
        secret=lambda s: REPORT_SECRET,
    ),
]


@pytest.mark.parametrize("row", MATRIX, ids=lambda r: r.name)
def test_permission_matrix(row, scenario):
    check_row(row, scenario, scenario["users"])
    if row.name in ("work plan list", "report list", "api work plans", "api reports"):
        for who in ("bob", "charlie"):
            client = Client()
            client.force_login(scenario["users"][who])
            body = client.get(row.url(scenario)).content.decode()
            assert ITEM_SECRET not in body and REPORT_SECRET not in body and "霍邱县公安局" not in body


def test_scopes_beyond_the_cast(scenario, liaison, coordinator, sysadmin):
    approved = scenario["approved"]
    other_coordinator = make_user("cz", "county_coordinator", "341502-government")
    city_leader = make_user("boss", "leader", "341500-conference")
    assert approved in selectors.visible_work_plans(coordinator)
    assert approved in selectors.visible_work_plans(city_leader)
    assert approved not in selectors.visible_work_plans(liaison)
    assert approved not in selectors.visible_work_plans(other_coordinator)
    assert not selectors.visible_work_plans(sysadmin).exists()
    assert not selectors.visible_plans(sysadmin).exists()
    # A county coordinator sees the county's work in the overview, and nothing of other counties.
    assert {r.work_plan.unit.code for r in selectors.overview(coordinator, year=YEAR)} == {
        "341522-police",
        "341522-hrss",
        "341522-health",
    }
    assert selectors.overview(other_coordinator, year=YEAR) == []
    # A liaison may create a work plan for the own unit only.
    client = Client()
    client.force_login(liaison)
    response = client.post(
        "/plan/work-plans/new/",
        {"unit": Unit.objects.get(code="341522-police").pk, "year": YEAR, "report_cycle": "quarterly"},
    )
    assert response.status_code == 200
    assert WorkPlan.objects.filter(unit__code="341522-police").count() == 1
