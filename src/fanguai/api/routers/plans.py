"""The action plan and the work under it. Every list is filtered by the same policies as the pages."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Router, Schema
from ninja.pagination import paginate

from fanguai.plans import selectors
from fanguai.plans.loader import export_plan

from ..pagination import Pagination
from ..schemas import Code, RecordId, Text, Year

router = Router(tags=["plan"])


class PlanRecordOut(Schema):
    number: int | None
    text: str


class PriorityOut(Schema):
    number: int | None
    title: str
    text: str
    responsibility_text: str
    lead_units: list[str]
    responsible_units: list[str]
    implementing_units: list[str]


class SafeguardOut(Schema):
    number: int | None
    title: str
    text: str


class PlanUnitOut(Schema):
    unit: str
    name: str
    key_tasks: list[PlanRecordOut]
    measures: dict[str, list[PlanRecordOut]]


class PlanTreeOut(Schema):
    code: str
    title: str
    document_number: str
    issuer: str
    issued: str | None
    periods: list[str]
    goals: list[PlanRecordOut]
    priorities: list[PriorityOut]
    safeguards: list[SafeguardOut]
    units: list[PlanUnitOut]


class PlanSummaryOut(Schema):
    code: str
    title: str
    document_number: str
    issued: date | None
    periods: list[str]


class WorkItemOut(Schema):
    id: int
    title: str
    description: str
    measure_id: int | None
    owner: str | None
    due_date: date
    indicator: str
    target: Decimal | None

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return obj.owner.get_username() if obj.owner_id else None


class WorkPlanOut(Schema):
    id: int
    plan: str
    unit: str
    year: int
    status: str
    report_cycle: str
    reporting_from: date | None

    @staticmethod
    def resolve_plan(obj) -> str:
        return obj.plan.code

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.code


class WorkPlanDetailOut(WorkPlanOut):
    items: list[WorkItemOut]

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.select_related("owner"))


class ProgressReportOut(Schema):
    id: int
    work_item_id: int
    unit: str
    period: str
    period_start: date
    period_end: date
    due_date: date
    status: str
    narrative: str
    achieved: Decimal | None
    figures: dict[str, str]
    submitted_at: datetime

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.code


@router.get("/plans", response=list[PlanSummaryOut])
def list_plans(request):
    return list(selectors.visible_plans(request.auth))


@router.get("/plans/{code}", response=PlanTreeOut)
def get_plan(request, code: Code):
    """The plan as a tree: the same content as `fanguai plan export --format json`."""
    return export_plan(selectors.plan_for_view(request.auth, code))


@router.get("/work-plans", response=list[WorkPlanOut])
@paginate(Pagination)
def list_work_plans(request, year: Year | None = None, status: Text = "", q: Text = ""):
    return selectors.visible_work_plans(request.auth, year=year, status=status, query=q)


@router.get("/work-plans/{work_plan_id}", response=WorkPlanDetailOut)
def get_work_plan(request, work_plan_id: RecordId):
    return selectors.work_plan_for_view(request.auth, work_plan_id)


@router.get("/reports", response=list[ProgressReportOut])
@paginate(Pagination)
def list_reports(request, year: Year | None = None, status: Text = "", q: Text = ""):
    return selectors.visible_reports(request.auth, year=year, status=status, query=q)


@router.get("/reports/{report_id}", response=ProgressReportOut)
def get_report(request, report_id: RecordId):
    return selectors.report_for_view(request.auth, report_id)
