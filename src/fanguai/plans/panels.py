from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone

from fanguai.deadlines.models import Deadline

from .deadline_kinds import PROGRESS_REPORT
from .models import WorkItem, WorkPlan
from .policies import may_see_overview
from .selectors import visible_work_plans


def plan_panel(user) -> dict | None:
    """The home panel: the user's visible work plans of the year, reviews waiting, reports overdue."""
    year = timezone.localdate().year
    work_plans = visible_work_plans(user, year=year)
    # The items of those plans as a subquery (deadlines name their object by a text id): one query, not two.
    item_ids = (
        WorkItem.objects.filter(work_plan__in=work_plans.order_by().values("pk"))
        .annotate(key=Cast("pk", CharField()))
        .values("key")
    )
    overdue = Deadline.objects.filter(
        kind=PROGRESS_REPORT, status=Deadline.Status.OPEN, due_at__lte=timezone.now(), object_id__in=item_ids
    ).count()
    return {
        "work_plans": work_plans[:5],
        "to_review": work_plans.filter(status=WorkPlan.Status.SUBMITTED).count()
        if user.role == "office_staff"
        else 0,
        "overdue": overdue,
        "overview": may_see_overview(user),
    }
