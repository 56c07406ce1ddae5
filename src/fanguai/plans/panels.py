from django.utils import timezone

from fanguai.deadlines.models import Deadline

from .deadline_kinds import PROGRESS_REPORT
from .models import WorkPlan
from .policies import may_see_overview
from .selectors import visible_work_plans


def plan_panel(user) -> dict | None:
    """The home panel: the user's visible work plans of the year, reviews waiting, reports overdue."""
    year = timezone.localdate().year
    work_plans = visible_work_plans(user, year=year)
    item_ids = [str(pk) for pk in work_plans.values_list("items__pk", flat=True) if pk]
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
