"""Every read of the plan and the work under it, already filtered by the policies."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from fanguai.core.policies import policy_for
from fanguai.deadlines.models import Deadline
from fanguai.org.models import Region, Unit
from fanguai.org.selectors import units_in_county

from .deadline_kinds import PROGRESS_REPORT
from .models import ClauseUnit, Plan, PlanClause, PlanItem, PlanUnit, ProgressReport, WorkItem, WorkPlan
from .policies import may_edit_for


def visible_plans(user) -> QuerySet[Plan]:
    return policy_for(Plan).visible(user, Plan.objects.all())


def plan_for_view(user, code: str | None = None) -> Plan:
    """The plan with this code, or the most recently issued one."""
    plans = visible_plans(user)
    plan = plans.filter(code=code).first() if code else plans.first()
    if plan is None:
        raise Http404
    return plan


@dataclass
class UnitTree:
    plan_unit: PlanUnit
    key_tasks: list[PlanItem] = field(default_factory=list)
    measures: dict[str, list[PlanItem]] = field(default_factory=dict)


def plan_tree(plan: Plan, *, unit_query: str = "", text_query: str = "") -> dict:
    """Sections of the main text and, per member unit, its key tasks and measures by period."""
    clauses = list(
        plan.clauses.filter(is_current=True)
        .prefetch_related(Prefetch("unit_links", ClauseUnit.objects.select_related("unit")))
        .order_by("position")
    )
    plan_units = plan.plan_units.filter(is_current=True).select_related("unit").order_by("position")
    if unit_query:
        plan_units = plan_units.filter(Q(name__icontains=unit_query) | Q(unit__code__icontains=unit_query))
    items = PlanItem.objects.filter(plan_unit__in=plan_units, is_current=True).order_by("position")
    if text_query:
        items = items.filter(text__icontains=text_query)
    trees = {pu.pk: UnitTree(pu, measures={p: [] for p in plan.periods}) for pu in plan_units}
    for item in items:
        tree = trees[item.plan_unit_id]
        if item.kind == PlanItem.Kind.KEY_TASK:
            tree.key_tasks.append(item)
        else:
            tree.measures.setdefault(item.period, []).append(item)
    units = list(trees.values())
    if text_query:
        units = [t for t in units if t.key_tasks or any(t.measures.values())]
    return {
        "goals": [c for c in clauses if c.section == PlanClause.Section.GOAL],
        "priorities": [c for c in clauses if c.section == PlanClause.Section.PRIORITY],
        "safeguards": [c for c in clauses if c.section == PlanClause.Section.SAFEGUARD],
        "units": units,
    }


def plan_item_rows(plan: Plan) -> list[list]:
    """The annex as rows (unit, kind, period, number, text), for the Excel export."""
    rows = []
    items = (
        PlanItem.objects.filter(plan_unit__plan=plan, is_current=True, plan_unit__is_current=True)
        .select_related("plan_unit__unit")
        .order_by("plan_unit__position", "kind", "period", "position")
    )
    for item in items:
        rows.append(
            [
                item.plan_unit.name,
                item.get_kind_display(),
                item.period,
                item.number,
                item.text,
            ]
        )
    return rows


def _county_filter(county_code: str, prefix: str) -> Q:
    if county_code == "city":
        return Q(**{f"{prefix}region__level": Region.Level.CITY})
    county = Region.objects.filter(code=county_code).first()
    return units_in_county(county, prefix) if county else Q(pk__in=[])


def visible_work_plans(
    user, *, year: int | None = None, status: str = "", query: str = "", county: str = ""
) -> QuerySet[WorkPlan]:
    rows = policy_for(WorkPlan).visible(
        user, WorkPlan.objects.select_related("unit__region", "plan").annotate(item_count=Count("items"))
    )
    if year:
        rows = rows.filter(year=year)
    if status:
        rows = rows.filter(status=status)
    if query:
        rows = rows.filter(Q(unit__name__icontains=query) | Q(unit__code__icontains=query))
    if county:
        rows = rows.filter(_county_filter(county, "unit__"))
    return rows.order_by("-year", "unit__code")


def work_plan_for_view(user, pk: int) -> WorkPlan:
    return policy_for(WorkPlan).get_visible_or_404(
        user, WorkPlan.objects.select_related("unit__region", "plan", "created_by"), pk=pk
    )


def work_item_for_view(user, pk: int) -> WorkItem:
    return policy_for(WorkItem).get_visible_or_404(
        user, WorkItem.objects.select_related("work_plan__unit", "work_plan__plan", "measure", "owner"), pk=pk
    )


def items_of(work_plan: WorkPlan) -> QuerySet[WorkItem]:
    """The items of a work plan the caller may already see, with their reports."""
    return work_plan.items.select_related("measure", "owner").prefetch_related(
        Prefetch("reports", ProgressReport.objects.filter(withdrawn_at__isnull=True).order_by("period_start"))
    )


def open_report_deadlines(items) -> dict[int, Deadline]:
    ids = [str(i.pk) for i in items]
    rows = Deadline.objects.filter(
        kind=PROGRESS_REPORT, status=Deadline.Status.OPEN, object_id__in=ids
    ).order_by("due_at")
    return {int(d.object_id): d for d in rows}


def visible_reports(
    user,
    *,
    year: int | None = None,
    status: str = "",
    query: str = "",
    county: str = "",
    late_only: bool = False,
    withdrawn: bool = False,
) -> QuerySet[ProgressReport]:
    """The reports the user may see; withdrawn ones only when asked for (they stay on record)."""
    rows = policy_for(ProgressReport).visible(
        user,
        ProgressReport.objects.select_related("unit", "work_item__work_plan", "submitted_by"),
    )
    if not withdrawn:
        rows = rows.filter(withdrawn_at__isnull=True)
    if year:
        rows = rows.filter(period_start__year=year)
    if status:
        rows = rows.filter(status=status)
    if query:
        rows = rows.filter(
            Q(unit__name__icontains=query)
            | Q(work_item__title__icontains=query)
            | Q(narrative__icontains=query)
        )
    if county:
        rows = rows.filter(_county_filter(county, "unit__"))
    if late_only:
        rows = rows.annotate(submitted_on=TruncDate("submitted_at")).filter(submitted_on__gt=F("due_date"))
    return rows


def report_for_view(user, pk: int) -> ProgressReport:
    return policy_for(ProgressReport).get_visible_or_404(
        user,
        ProgressReport.objects.select_related(
            "unit", "work_item__work_plan__unit", "work_item__measure", "submitted_by", "accepted_by"
        ),
        pk=pk,
    )


def report_history(report: ProgressReport) -> list[dict]:
    """The report's corrections, withdrawal and acceptance, oldest first: who, when, why, and for a correction
    each changed field by its label with the old and new value."""
    labels = {name: ProgressReport._meta.get_field(name).verbose_name for name in ("status", "narrative")}
    labels |= {
        "achieved": ProgressReport._meta.get_field("achieved").verbose_name,
        "figures": _("Other figures"),
    }
    statuses = dict(ProgressReport.Status.choices)

    def shown(field: str, value: str) -> str:
        return str(statuses.get(value, value)) if field == "status" else value

    return [
        {
            "event": event,
            "changes": [
                {
                    "label": capfirst(labels.get(c.get("field"), "")),
                    "old": shown(c.get("field"), c.get("old")),
                    "new": shown(c.get("field"), c.get("new")),
                }
                for c in event.changes
            ],
        }
        for event in report.history.select_related("actor").order_by("created_at", "id")
    ]


def owner_choices(work_plan: WorkPlan):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(unit=work_plan.unit, is_active=True).order_by("username")


def editable_units(user) -> QuerySet[Unit]:
    """The units whose work plans the user drafts."""
    units = Unit.objects.filter(is_active=True).select_related("region__parent")
    return units.filter(pk__in=[u.pk for u in units if may_edit_for(user, u)])


# The progress overview: one row per work plan, and one state for the unit.
STATES = ("overdue", "late", "at_risk", "on_track", "done", "no_report", "not_approved")


@dataclass
class OverviewRow:
    work_plan: WorkPlan
    items: int = 0
    on_track: int = 0
    at_risk: int = 0
    late: int = 0
    done: int = 0
    no_report: int = 0
    overdue_reports: int = 0
    next_due: object = None
    last_report: object = None

    @property
    def state(self) -> str:
        if self.work_plan.status != WorkPlan.Status.APPROVED:
            return "not_approved"
        if self.overdue_reports:
            return "overdue"
        if self.late:
            return "late"
        if self.at_risk:
            return "at_risk"
        if self.items and self.done == self.items:
            return "done"
        if self.on_track:
            return "on_track"
        return "no_report"


def overview(user, *, year: int, county: str = "", state: str = "", query: str = "") -> list[OverviewRow]:
    work_plans = list(visible_work_plans(user, year=year, county=county, query=query))
    by_plan = {wp.pk: OverviewRow(wp) for wp in work_plans}
    items = list(
        WorkItem.objects.filter(work_plan__in=work_plans).prefetch_related(
            Prefetch(
                "reports", ProgressReport.objects.filter(withdrawn_at__isnull=True).order_by("-period_start")
            )
        )
    )
    deadlines = open_report_deadlines(items)
    now = timezone.now()
    for item in items:
        row = by_plan[item.work_plan_id]
        row.items += 1
        reports = list(item.reports.all())
        if reports:
            latest = reports[0]
            setattr(row, latest.status, getattr(row, latest.status) + 1)
            if row.last_report is None or latest.submitted_at > row.last_report:
                row.last_report = latest.submitted_at
        else:
            row.no_report += 1
        deadline = deadlines.get(item.pk)
        if deadline is not None:
            if deadline.due_at <= now:
                row.overdue_reports += 1
            if row.next_due is None or deadline.due_at < row.next_due:
                row.next_due = deadline.due_at
    rows = list(by_plan.values())
    if state:
        rows = [r for r in rows if r.state == state]
    return rows
