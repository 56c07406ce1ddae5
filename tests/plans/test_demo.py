import datetime as dt

from fanguai.core.demo import create_demo_users
from fanguai.deadlines.models import Deadline
from fanguai.plans.demo import create_demo_plans
from fanguai.plans.models import ProgressReport, WorkPlan


def test_the_demo_year_is_realistic_and_idempotent(plan):
    create_demo_users()
    assert create_demo_plans(today=dt.date(2026, 11, 29)) == 5
    assert create_demo_plans(today=dt.date(2026, 11, 29)) == 0
    statuses = dict(WorkPlan.objects.values_list("unit__code", "status"))
    assert statuses["341500-civil_affairs"] == "approved" and statuses["341522-education"] == "draft"
    assert ProgressReport.objects.count() > 10
    overdue = Deadline.objects.filter(
        kind="plans.progress_report", status="open", due_at__date__lt=dt.date(2026, 11, 29)
    )
    assert overdue.count() == 2
