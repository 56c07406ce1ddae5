"""Listing supervision and inspections, read-only; the same selectors (and so the same policies) as the pages."""

from datetime import date, datetime

from ninja import Router, Schema
from ninja.pagination import paginate

from fanguai.supervision import selectors

from ..pagination import Pagination
from ..schemas import RecordId, Text

router = Router(tags=["supervision"])


class WarningOut(Schema):
    level: str
    reason: str
    created_at: datetime


class ListingReportOut(Schema):
    text: str
    unit: str
    created_at: datetime

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.code


class ListingOut(Schema):
    id: int
    number: str
    kind: str
    title: str
    case_reference: str
    region_code: str | None
    responsible_unit: str
    due_date: date
    status: str
    warning_level: str
    created_at: datetime
    lifted_at: datetime | None

    @staticmethod
    def resolve_region_code(obj) -> str | None:
        return obj.region.code if obj.region_id else None

    @staticmethod
    def resolve_responsible_unit(obj) -> str:
        return obj.responsible_unit.code


class ListingDetailOut(ListingOut):
    problem: str
    requirements: str
    warnings: list[WarningOut]
    reports: list[ListingReportOut]

    @staticmethod
    def resolve_warnings(obj) -> list:
        return obj.visible_warnings

    @staticmethod
    def resolve_reports(obj) -> list:
        return obj.visible_reports


class RectificationOut(Schema):
    id: int
    number: str
    inspection_id: int
    finding_id: int
    responsible_unit: str
    requirement: str
    due_date: date
    status: str

    @staticmethod
    def resolve_responsible_unit(obj) -> str:
        return obj.responsible_unit.code


class FindingOut(Schema):
    id: int
    description: str
    severity: str


class InspectionOut(Schema):
    id: int
    number: str
    kind: str
    title: str
    target_unit: str | None
    target_region: str | None
    institution: str
    scheduled_for: date
    status: str
    conducted_on: date | None

    @staticmethod
    def resolve_target_unit(obj) -> str | None:
        return obj.target_unit.code if obj.target_unit_id else None

    @staticmethod
    def resolve_target_region(obj) -> str | None:
        return obj.target_region.code if obj.target_region_id else None


class InspectionDetailOut(InspectionOut):
    team: str
    scope: str
    summary: str
    findings: list[FindingOut]
    rectifications: list[RectificationOut]

    @staticmethod
    def resolve_findings(obj) -> list:
        return obj.visible_findings

    @staticmethod
    def resolve_rectifications(obj) -> list:
        return obj.visible_rectifications


@router.get("/listings", response=list[ListingOut])
@paginate(Pagination)
def list_listings(request, status: Text = "", level: Text = "", county: Text = "", q: Text = ""):
    """Listings the caller may see; `level` is yellow, red or none; `status` active, lift_requested, lifted
    or open (not lifted)."""
    return selectors.visible_listings(request.auth, status=status, level=level, county=county, query=q)


@router.get("/listings/{listing_id}", response=ListingDetailOut)
def get_listing(request, listing_id: RecordId):
    listing = selectors.listing_for_view(request.auth, listing_id)
    listing.visible_warnings = list(selectors.listing_warnings(request.auth, listing))
    listing.visible_reports = selectors.listing_reports(request.auth, listing)
    return listing


@router.get("/inspections", response=list[InspectionOut])
@paginate(Pagination)
def list_inspections(request, status: Text = "", kind: Text = "", county: Text = "", q: Text = ""):
    return selectors.visible_inspections(request.auth, status=status, kind=kind, county=county, query=q)


@router.get("/inspections/{inspection_id}", response=InspectionDetailOut)
def get_inspection(request, inspection_id: RecordId):
    inspection = selectors.inspection_for_view(request.auth, inspection_id)
    inspection.visible_findings = selectors.inspection_findings(request.auth, inspection)
    inspection.visible_rectifications = list(
        selectors.visible_rectifications(request.auth).filter(inspection=inspection)
    )
    return inspection


@router.get("/rectifications", response=list[RectificationOut])
@paginate(Pagination)
def list_rectifications(request, status: Text = "", county: Text = ""):
    """Rectifications the caller may see; `status` open, reported, closed or late."""
    return selectors.visible_rectifications(request.auth, status=status, county=county)
