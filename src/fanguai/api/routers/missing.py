"""Missing-person reports and alerts for staff, read-only; the same selectors and policies as the pages.
The public reads alerts from /alerts/ (page, Atom feed and CAP documents), not from this API."""

from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import paginate

from fanguai.audit.services import record_event
from fanguai.missing import selectors

from ..pagination import Pagination
from ..schemas import RecordId, Text

router = Router(tags=["missing"])


class SearchTaskOut(Schema):
    step: str
    name: str
    due_at: datetime
    done_at: datetime | None
    late: bool

    @staticmethod
    def resolve_step(obj) -> str:
        return obj.step.code

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.step.name

    @staticmethod
    def resolve_late(obj) -> bool:
        return obj.is_late


class ReportOut(Schema):
    id: int
    number: str
    person: str
    category: str
    status: str
    outcome: str
    last_seen_at: datetime
    last_seen_place: str
    county_code: str | None
    owner_unit: str
    created_at: datetime

    @staticmethod
    def resolve_person(obj) -> str:
        return obj.person.number

    @staticmethod
    def resolve_county_code(obj) -> str | None:
        return obj.county.code if obj.county_id else None

    @staticmethod
    def resolve_owner_unit(obj) -> str:
        return obj.owner_unit.code


class ReportDetailOut(ReportOut):
    tasks: list[SearchTaskOut]
    alerts: list[str]
    case: str | None

    @staticmethod
    def resolve_tasks(obj) -> list:
        return list(selectors.tasks_of(obj))

    @staticmethod
    def resolve_alerts(obj) -> list[str]:
        return [a.code for a in obj.alerts.all()]

    @staticmethod
    def resolve_case(obj) -> str | None:
        return obj.case.number if obj.case_id else None


class CapMessageOut(Schema):
    identifier: str
    msg_type: str
    reason: str
    sent: datetime
    radius_km: int


class AlertOut(Schema):
    id: int
    code: str
    status: str
    display_name: str
    radius_km: int
    missing_since: datetime
    published_at: datetime | None
    cleared_at: datetime | None
    messages: list[CapMessageOut]

    @staticmethod
    def resolve_messages(obj) -> list:
        return list(obj.messages.all())


@router.get("/reports", response=list[ReportOut])
@paginate(Pagination)
def list_reports(request, status: Text = "", q: Text = ""):
    """Missing-person reports the caller may see."""
    record_event(
        "missing_report.list", actor=request.auth, object_type="missing.report", details={"api": True}
    )
    return selectors.visible_reports(request.auth, status=status, query=q)


@router.get("/reports/{report_id}", response=ReportDetailOut)
def get_report(request, report_id: RecordId):
    return selectors.report_for_view(request.auth, report_id)


@router.get("/alerts", response=list[AlertOut])
@paginate(Pagination)
def list_alerts(request, status: Text = ""):
    """Alerts the caller may see, with their CAP messages."""
    return selectors.visible_alerts(request.auth, status=status)


@router.get("/alerts/{alert_id}", response=AlertOut)
def get_alert(request, alert_id: RecordId):
    return selectors.alert_for_view(request.auth, alert_id)
