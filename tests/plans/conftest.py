import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings

from fanguai.plans import services
from fanguai.plans.loader import load_plan
from fanguai.plans.models import PlanItem

from ..conftest import make_user

PLAN_FILE = settings.REPO_DIR / "plans/liuan-2022.yaml"
YEAR = 2026  # in the plan's 2023-2029 period
JAN = dt.date(YEAR, 1, 15)


@pytest.fixture
def plan(db):
    return load_plan(PLAN_FILE).plan


@pytest.fixture
def liaison(db):
    """Liaison of the city civil affairs bureau."""
    return make_user("lily", "liaison", "341500-civil_affairs")


@pytest.fixture
def coordinator(db):
    """Coordinator of 霍邱县 (the county of alice and bob)."""
    return make_user("coco", "county_coordinator", "341522-government")


def measure(plan, unit_code: str, number: int, period: str = "2023-2029") -> PlanItem:
    return PlanItem.objects.get(
        plan_unit__plan=plan, plan_unit__unit__code=unit_code, kind="measure", period=period, number=number
    )


def draft_with_item(actor, plan, unit, *, title="采血入库比对", owner=None, measure_item=None):
    work_plan = services.create_work_plan(actor=actor, plan=plan, unit=unit, year=YEAR)
    item = services.add_work_item(
        actor=actor,
        work_plan=work_plan,
        title=title,
        indicator="采血入库人数",
        target=Decimal(200),
        due_date=dt.date(YEAR, 12, 20),
        owner=owner,
        measure=measure_item,
    )
    return work_plan, item


def approved_with_item(actor, office, plan, unit, **kwargs):
    work_plan, item = draft_with_item(actor, plan, unit, **kwargs)
    services.submit_work_plan(actor=actor, work_plan=work_plan)
    work_plan = services.approve_work_plan(actor=office, work_plan=work_plan, today=JAN)
    item.refresh_from_db()
    return work_plan, item


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English (the site's default language is Chinese)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _english(english):
    """These tests read message texts in English (the platform's second language); Chinese is tested apart."""
