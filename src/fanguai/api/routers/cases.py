"""Trafficking cases, read-only; the same selectors (and so the same policies) as the pages."""

from datetime import date, datetime

from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from fanguai.audit.services import record_event
from fanguai.cases import selectors
from fanguai.core.policies import policy_for

from ..pagination import Pagination
from ..schemas import RecordId, Text, Year

router = Router(tags=["cases"])


class PackageOut(Schema):
    kind: str
    owner_name: str
    status: str
    done_at: datetime | None


class ResponsibilityOut(Schema):
    chief_name: str
    chief_position: str
    packages: list[PackageOut]

    @staticmethod
    def resolve_packages(obj) -> list:
        return list(obj.packages.all())


class CaseOut(Schema):
    id: int
    number: str
    title: str
    kind: str
    status: str
    county_code: str | None
    owner_unit: str
    filed_on: date
    solved_on: date | None

    @staticmethod
    def resolve_county_code(obj) -> str | None:
        return obj.county.code if obj.county_id else None

    @staticmethod
    def resolve_owner_unit(obj) -> str:
        return obj.owner_unit.code


class CaseDetailOut(CaseOut):
    responsibility: ResponsibilityOut | None
    victims: list[str]
    suspects: list[str]
    clues: list[str]

    @staticmethod
    def resolve_responsibility(obj):
        return getattr(obj, "responsibility", None)

    @staticmethod
    def resolve_victims(obj) -> list[str]:
        return [p.person.number for p in obj.parties.filter(role="victim").select_related("person")]

    @staticmethod
    def resolve_suspects(obj) -> list[str]:
        return [p.person.number for p in obj.parties.filter(role="suspect").select_related("person")]

    @staticmethod
    def resolve_clues(obj) -> list[str]:
        return [link.clue_number for link in obj.clue_links.all()]


class ClearanceOut(Schema):
    county_code: str
    county_name: str
    filed: int
    solved: int
    rate: float | None


@router.get("", response=list[CaseOut])
@paginate(Pagination)
def list_cases(request, status: Text = "", kind: Text = "", q: Text = ""):
    """Cases the caller may see."""
    return selectors.visible_cases(request.auth, status=status, kind=kind, query=q)


@router.get("/clearance", response=list[ClearanceOut])
def clearance(request, year: Year):
    """Clearance rate (发一破一) per county for the cases filed in a year."""
    from fanguai.cases.models import Case

    if not policy_for(Case).can(request.auth, "see_clearance"):
        raise HttpError(403, "Forbidden")
    record_event(
        "case.clearance", actor=request.auth, object_type="cases.case", details={"year": year, "api": True}
    )
    return selectors.clearance_rates(request.auth, year)


@router.get("/{case_id}", response=CaseDetailOut)
def get_case(request, case_id: RecordId):
    return selectors.case_for_view(request.auth, case_id)
