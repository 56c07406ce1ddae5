"""Clues for other systems: the list and one clue (timeline included), filtered by the clue policy, and the
aggregate statistics. Neither the reporter's identity nor the receipt code ever leaves through the API."""

from datetime import datetime

from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from fanguai.audit.services import record_event
from fanguai.clues import selectors
from fanguai.clues.policies import can_view_statistics

from ..pagination import Pagination
from ..schemas import RecordId, Text, Year

router = Router(tags=["clues"])


class ClueOut(Schema):
    id: int
    number: str
    source: str
    category: str
    priority: str
    status: str
    county_code: str | None
    region_code: str | None
    responsible_unit: str | None
    received_by: str
    created_at: datetime
    occurred_at: datetime | None

    @staticmethod
    def resolve_county_code(obj) -> str | None:
        return obj.county.code if obj.county_id else None

    @staticmethod
    def resolve_region_code(obj) -> str | None:
        return obj.region.code if obj.region_id else None

    @staticmethod
    def resolve_responsible_unit(obj) -> str | None:
        return obj.responsible_unit.code if obj.responsible_unit_id else None

    @staticmethod
    def resolve_received_by(obj) -> str:
        return obj.received_by_unit.code


class ClueEventOut(Schema):
    kind: str
    created_at: datetime
    unit: str | None
    to_unit: str | None
    priority: str
    outcome: str
    message: str

    @staticmethod
    def resolve_unit(obj) -> str | None:
        return obj.unit.code if obj.unit_id else None

    @staticmethod
    def resolve_to_unit(obj) -> str | None:
        return obj.to_unit.code if obj.to_unit_id else None


class ClueDetailOut(ClueOut):
    description: str
    place_detail: str
    timeline: list[ClueEventOut]

    @staticmethod
    def resolve_timeline(obj) -> list:
        return list(selectors.timeline(obj))


class CountOut(Schema):
    label: str
    count: int


class ClueStatisticsOut(Schema):
    year: int | None
    total: int
    transfers: int
    acknowledged: int
    median_hours: float | None
    mean_hours: float | None
    on_time: int
    decided: int
    on_time_share: float | None
    by_source: list[CountOut]
    by_category: list[CountOut]
    by_county: list[CountOut]
    by_month: list[CountOut]
    by_status: list[CountOut]


@router.get("", response=list[ClueOut])
@paginate(Pagination)
def list_clues(request, status: Text = "", category: Text = "", source: Text = "", county: Text = ""):
    """Clues the caller may see, newest first."""
    record_event("clue.list", actor=request.auth, object_type="clues.clue", details={"api": True})
    return selectors.visible_clues(
        request.auth, status=status, category=category, source=source, county=county
    )


@router.get("/statistics", response=ClueStatisticsOut)
def clue_statistics(request, year: Year | None = None):
    """Counts by source, category, county, month and status; time to acknowledge and the share on time."""
    if not can_view_statistics(request.auth):
        raise HttpError(403, "Your role does not allow this.")
    stats = selectors.statistics(request.auth, year=year)
    for key in ("by_source", "by_category", "by_county", "by_month", "by_status"):
        stats[key] = [{"label": label, "count": n} for label, n in stats[key]]
    return stats


@router.get("/{clue_id}", response=ClueDetailOut)
def get_clue(request, clue_id: RecordId):
    return selectors.clue_for_view(request.auth, clue_id)
