"""Progress reports (issue 14 item 1): 累计完成 99,999,999,999 against a target of 200 and 经费 "1e400" are
refused whole, naming the field; nothing is written."""

import datetime as dt
from decimal import Decimal

import pytest

from fanguai.core.errors import ValidationFailed
from fanguai.org.models import Unit
from fanguai.plans import services
from fanguai.plans.loader import load_plan
from fanguai.plans.models import ProgressReport

from .plans.conftest import PLAN_FILE, YEAR, approved_with_item

pytestmark = pytest.mark.django_db
APRIL = dt.date(YEAR, 4, 2)


@pytest.fixture
def item(coordinator, office, alice):
    plan = load_plan(PLAN_FILE).plan
    _work_plan, item = approved_with_item(
        coordinator, office, plan, Unit.objects.get(code="341522-police"), owner=alice
    )
    assert item.target == Decimal(200)
    return item


def submit(alice, item, achieved):
    return services.submit_report(
        actor=alice, item=item, status="on_track", narrative="进展顺利", achieved=achieved, today=APRIL
    )


def test_an_absurd_achievement_is_refused(alice, item):
    with pytest.raises(ValidationFailed) as caught:
        submit(alice, item, Decimal("99999999999"))
    assert [e.field for e in caught.value.errors] == ["achieved"]
    assert not ProgressReport.objects.exists()


def test_an_achievement_above_the_target_within_reason_is_accepted(alice, item):
    assert submit(alice, item, Decimal(260)).achieved == Decimal(260)


def test_a_figure_of_1e400_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        services.parse_figures("人数: 12\n经费: 1e400")
    assert [(e.row, e.field) for e in caught.value.errors] == [(2, "figures")]
    assert services.parse_figures("经费: 35000.5") == {"经费": "35000.5"}
