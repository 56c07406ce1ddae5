"""Care of rescued persons, read-only: the same selectors (and so the same policies) as the pages. Cases and
register entries carry record numbers, never names; a referral shows the person only as far as the consent
for the caller's unit allows."""

from datetime import date, datetime
from typing import Annotated

from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from fanguai.assistance import selectors
from fanguai.assistance.models import AssistanceCase, CareRegistration, DnaSamplingRequest, Referral
from fanguai.audit.services import record_event
from fanguai.core.policies import policy_for

from ..pagination import Pagination
from ..schemas import RecordId, Text, Year

router = Router(tags=["assistance"])


def _allow(allowed: bool) -> None:
    if not allowed:
        raise HttpError(403, "Your role does not allow this.")


class AssistanceCaseOut(Schema):
    id: int
    number: str
    person_number: str
    identity_status: str
    shelter: str
    handed_over_by: str
    handed_over_at: datetime
    case_reference: str
    risk_level: str
    status: str
    outcome: str
    closed_at: datetime | None

    @staticmethod
    def resolve_person_number(obj) -> str:
        return obj.person.number

    @staticmethod
    def resolve_identity_status(obj) -> str:
        return obj.person.identity_status

    @staticmethod
    def resolve_shelter(obj) -> str:
        return obj.shelter.code

    @staticmethod
    def resolve_handed_over_by(obj) -> str:
        return obj.handed_over_by_unit.code


class StepOut(Schema):
    action: str
    unit: str | None
    created_at: datetime

    @staticmethod
    def resolve_unit(obj) -> str | None:
        return obj.unit.code if obj.unit_id else None


class ReferralOut(Schema):
    id: int
    number: str
    service: str
    from_unit: str
    to_unit: str
    status: str
    respond_by: datetime
    deliver_by: datetime
    responded_at: datetime | None
    delivered_at: datetime | None
    is_overdue: bool
    person_number: str

    @staticmethod
    def resolve_from_unit(obj) -> str:
        return obj.from_unit.code

    @staticmethod
    def resolve_to_unit(obj) -> str:
        return obj.to_unit.code

    @staticmethod
    def resolve_person_number(obj) -> str:
        return obj.person.number


class SharedFieldOut(Schema):
    label: str
    value: str


class ReferralDetailOut(ReferralOut):
    steps: list[StepOut]
    person: list[SharedFieldOut]

    @staticmethod
    def resolve_steps(obj) -> list:
        return list(obj.steps.select_related("unit"))

    @staticmethod
    def resolve_person(obj) -> list:
        return obj.shared_person


class RegistrationOut(Schema):
    id: int
    number: str
    person_number: str
    category: str
    county_code: str
    township_code: str
    risk_level: str
    status: str
    registered_by: str
    created_at: datetime

    @staticmethod
    def resolve_person_number(obj) -> str:
        return obj.person.number

    @staticmethod
    def resolve_county_code(obj) -> str:
        return obj.county.code

    @staticmethod
    def resolve_township_code(obj) -> str:
        return obj.township.code

    @staticmethod
    def resolve_registered_by(obj) -> str:
        return obj.registered_by_unit.code


class IndicatorOut(Schema):
    area: str
    code: str
    persons_assisted: int
    referrals: int
    delivered: int
    delivered_on_time: int
    on_time_rate: float | None
    overdue_open: int
    minors_with_schooling: int
    back_in_school: int
    registered: int
    high_risk: int
    care_visits: int


class DnaRequestOut(Schema):
    id: int
    # The person's record number, for the city office only: the DNA laboratory sees no identity (the field
    # is left out of its answer).
    person_number: str | None = None
    requested_by: str
    laboratory: str
    status: str
    specimen_number: str
    created_at: datetime


@router.get("/cases", response=list[AssistanceCaseOut])
@paginate(Pagination)
def list_cases(request, status: Text = ""):
    _allow(policy_for(AssistanceCase).can(request.auth, "list"))
    record_event(
        "assistance.case.list", actor=request.auth, object_type="assistance.case", details={"api": True}
    )
    return selectors.visible_cases(request.auth, status=status)


@router.get("/cases/{case_id}", response=AssistanceCaseOut)
def get_case(request, case_id: RecordId):
    return selectors.case_for_view(request.auth, case_id)


@router.get("/referrals", response=list[ReferralOut])
@paginate(Pagination)
def list_referrals(request, box: Text = "", status: Text = "", service: Text = ""):
    _allow(policy_for(Referral).can(request.auth, "list"))
    record_event(
        "assistance.referral.list",
        actor=request.auth,
        object_type="assistance.referral",
        details={"api": True},
    )
    return selectors.visible_referrals(request.auth, box=box, status=status, service=service).select_related(
        "person"
    )


@router.get("/referrals/{referral_id}", response=ReferralDetailOut)
def get_referral(request, referral_id: RecordId):
    referral = selectors.referral_for_view(request.auth, referral_id)
    shared = selectors.shared_view(request.auth, referral)
    referral.shared_person = [
        {"label": str(label), "value": str(value or "")} for label, value in shared.fields
    ]
    return referral


@router.get("/register", response=list[RegistrationOut])
@paginate(Pagination)
def list_register(request, county: Text = "", risk_level: Text = "", category: Text = ""):
    _allow(policy_for(CareRegistration).can(request.auth, "list"))
    record_event(
        "assistance.registration.list",
        actor=request.auth,
        object_type="assistance.registration",
        details={"api": True},
    )
    return selectors.visible_registrations(
        request.auth, county=county, risk_level=risk_level, category=category
    )


@router.get("/indicators", response=list[IndicatorOut])
def get_indicators(
    request,
    year: Year | None = None,
    days: Annotated[int, Query(ge=1, le=365, description="Back in school within so many days.")] = (
        selectors.SCHOOL_WITHIN_DAYS
    ),
):
    rows = selectors.indicators(request.auth, year=year or date.today().year, school_within_days=days)  # noqa: DTZ011
    _allow(rows is not None)
    return [{**row.__dict__, "area": row.label, "on_time_rate": row.on_time_rate} for row in rows]


@router.get("/dna-requests", response=list[DnaRequestOut], exclude_none=True)
def list_dna_requests(request):
    """For the DNA laboratory: open sampling requests of persons of unknown identity, by request and specimen
    number only (the city office also sees the person's record number)."""
    _allow(policy_for(DnaSamplingRequest).can(request.auth, "list"))
    return selectors.visible_dna_requests(request.auth)
