"""Every read of assistance, filtered by the policies; the read of a case, referral or register entry is
audited."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from fanguai.audit.services import record_event
from fanguai.core.policies import policy_for
from fanguai.org.models import Region

from .models import (
    AssistanceCase,
    CareRegistration,
    CareVisit,
    Consent,
    DnaSamplingRequest,
    Referral,
    ServiceKind,
    VisitCampaign,
)
from .policies import indicator_scope

# Children of school age should be back in school within this many days of the handover.
SCHOOL_WITHIN_DAYS = 30


def visible_cases(user, *, status: str = "", query: str = "") -> QuerySet[AssistanceCase]:
    cases = policy_for(AssistanceCase).visible(
        user, AssistanceCase.objects.select_related("person", "shelter", "handed_over_by_unit")
    )
    if status:
        cases = cases.filter(status=status)
    if query:
        query = query.strip().upper()
        cases = cases.filter(number=query) | cases.filter(person__number=query)
    return cases


def case_for_view(user, pk: int) -> AssistanceCase:
    case = policy_for(AssistanceCase).get_visible_or_404(
        user, AssistanceCase.objects.select_related("person", "shelter", "guardian"), pk=pk
    )
    record_event("assistance.case.view", actor=user, object_type="assistance.case", object_id=case.pk)
    return case


def visible_referrals(
    user, *, box: str = "", status: str = "", service: str = "", overdue: bool = False
) -> QuerySet[Referral]:
    referrals = policy_for(Referral).visible(
        user, Referral.objects.select_related("from_unit", "to_unit", "case", "registration")
    )
    if box == "received":
        referrals = referrals.filter(to_unit_id=user.unit_id)
    elif box == "sent":
        referrals = referrals.filter(from_unit_id=user.unit_id)
    if status:
        referrals = referrals.filter(status=status)
    if service:
        referrals = referrals.filter(service=service)
    if overdue:
        referrals = referrals.filter(is_overdue=True, status__in=Referral.ACTIVE)
    return referrals


def referrals_of(user, owner: AssistanceCase | CareRegistration) -> QuerySet[Referral]:
    """The referrals of a case or register entry that the user may open (a reader of the case who is not
    party to a referral does not see it)."""
    field_name = "case" if isinstance(owner, AssistanceCase) else "registration"
    return visible_referrals(user).filter(**{field_name: owner})


def referral_for_view(user, pk: int) -> Referral:
    referral = policy_for(Referral).get_visible_or_404(
        user,
        Referral.objects.select_related("from_unit", "to_unit", "consent", "person", "case", "registration"),
        pk=pk,
    )
    record_event(
        "assistance.referral.view", actor=user, object_type="assistance.referral", object_id=referral.pk
    )
    return referral


@dataclass
class SharedView:
    """What a user is shown of the person of a referral: everything for the sending unit, the consented
    fields for the receiving unit, nothing of the identity for the supervising office."""

    whole: bool
    fields: list[tuple[str, object]] = field(default_factory=list)
    needs: bool = False
    receiver: bool = False


def shared_view(user, referral: Referral) -> SharedView:
    person = referral.person
    policy = policy_for(Referral)
    whole = policy.sees_whole_record(user, referral)
    receiver = policy.shares_consented_fields(user, referral)
    allowed = set(referral.consent.fields) if receiver and referral.consent.in_force else set()
    if whole or "full_record" in allowed:
        allowed |= {"full_name", "sex", "birth_date", "id_card_number", "phone", "address", "needs"}
    shown = []
    for name, label in Consent.SHAREABLE:
        if name in ("needs", "full_record") or name not in allowed:
            continue
        value = getattr(person, name)
        if name == "sex":
            value = person.get_sex_display()
        shown.append((label, value))
    return SharedView(whole=whole, fields=shown, needs="needs" in allowed, receiver=receiver)


def visible_registrations(
    user, *, county: str = "", township: int | None = None, risk_level: str = "", category: str = ""
) -> QuerySet[CareRegistration]:
    rows = policy_for(CareRegistration).visible(
        user, CareRegistration.objects.select_related("person", "township", "county", "registered_by_unit")
    )
    if county:
        rows = rows.filter(county__code=county)
    if township:
        rows = rows.filter(township_id=township)
    if risk_level:
        rows = rows.filter(risk_level=risk_level)
    if category:
        rows = rows.filter(category=category)
    return rows


def registration_for_view(user, pk: int) -> CareRegistration:
    registration = policy_for(CareRegistration).get_visible_or_404(
        user, CareRegistration.objects.select_related("person", "township", "county"), pk=pk
    )
    record_event(
        "assistance.registration.view",
        actor=user,
        object_type="assistance.registration",
        object_id=registration.pk,
    )
    return registration


def campaigns() -> QuerySet[VisitCampaign]:
    return VisitCampaign.objects.select_related("lead_unit")


def open_campaigns(on: dt.date | None = None) -> QuerySet[VisitCampaign]:
    on = on or timezone.localdate()
    return campaigns().filter(starts_on__lte=on, ends_on__gte=on)


def open_dna_requests() -> QuerySet[DnaSamplingRequest]:
    """For the DNA app: requests still to be sampled (no identity: the person's record number only)."""
    return DnaSamplingRequest.objects.filter(status=DnaSamplingRequest.Status.REQUESTED).select_related(
        "person", "laboratory", "requested_by_unit"
    )


@dataclass
class DnaRequestRow:
    """A DNA sampling request as the caller may see it: `person_number` is None for the laboratory."""

    id: int
    person_number: str | None
    requested_by: str
    laboratory: str
    status: str
    specimen_number: str
    created_at: dt.datetime


def visible_dna_requests(user) -> list[DnaRequestRow]:
    """The open sampling requests the user may see (the DNA policy): the laboratory gets no identity, not
    even the person's record number; audited."""
    policy = policy_for(DnaSamplingRequest)
    with_person = policy.can_see_person(user)
    rows = policy.visible(user, open_dna_requests())
    record_event("assistance.dna_request.list", actor=user, object_type="assistance.dna_request")
    return [
        DnaRequestRow(
            id=row.pk,
            person_number=row.person.number if with_person else None,
            requested_by=row.requested_by_unit.code,
            laboratory=row.laboratory.code,
            status=row.status,
            specimen_number=row.specimen_number,
            created_at=row.created_at,
        )
        for row in rows
    ]


def clue_requests(user=None) -> QuerySet[CareVisit]:
    """Care visits that found a risk to be filed as a clue, not yet linked to one; given a user, those of the
    user's own unit (the visiting unit reports the clue) on register entries the user may see."""
    visits = CareVisit.objects.filter(clue_wanted=True, clue__isnull=True).select_related(
        "registration", "registration__township", "unit"
    )
    if user is None:
        return visits
    registrations = policy_for(CareRegistration).visible(user, CareRegistration.objects.all())
    return visits.filter(unit_id=user.unit_id, registration__in=registrations).order_by("-visited_on", "-id")


def reportable_visit_ids(user, registration: CareRegistration) -> set[int]:
    """The visits of a register entry whose clue the user may report (a care worker of the visiting unit)."""
    from .services import can_report_visit_clue

    visits = CareVisit.objects.filter(registration=registration, clue_wanted=True, clue__isnull=True)
    return {visit.pk for visit in visits if can_report_visit_clue(user, visit)}


# --- indicators ------------------------------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    label: str
    code: str
    persons_assisted: int = 0
    referrals: int = 0
    delivered: int = 0
    delivered_on_time: int = 0
    overdue_open: int = 0
    minors_with_schooling: int = 0
    back_in_school: int = 0
    registered: int = 0
    high_risk: int = 0
    care_visits: int = 0

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.delivered_on_time / self.delivered, 1) if self.delivered else None

    @property
    def school_rate(self) -> float | None:
        if not self.minors_with_schooling:
            return None
        return round(100 * self.back_in_school / self.minors_with_schooling, 1)


def _age_at(birth: dt.date | None, moment: dt.date) -> int | None:
    if birth is None:
        return None
    return moment.year - birth.year - ((moment.month, moment.day) < (birth.month, birth.day))


def indicators(user, *, year: int, school_within_days: int = SCHOOL_WITHIN_DAYS) -> list[IndicatorRow] | None:
    """Per county (and the city total, first) for one year: persons assisted, referrals delivered and on
    time, children back in school within the set number of days, and the left-behind register."""
    scope = indicator_scope(user)
    if scope is None:
        return None
    counties = Region.objects.filter(level__in=[Region.Level.COUNTY, Region.Level.ZONE]).order_by("code")
    if scope != "city":
        counties = counties.filter(code=scope)
    rows = {c.pk: IndicatorRow(label=c.name, code=c.code) for c in counties}
    total = IndicatorRow(label=str(_city_label()), code="")
    cases = (
        AssistanceCase.objects.filter(handed_over_at__year=year)
        .select_related("person", "shelter__region")
        .prefetch_related("referrals")
    )
    for case in cases:
        county = case.shelter.county
        targets = [total] + ([rows[county.pk]] if county and county.pk in rows else [])
        if scope != "city" and len(targets) == 1:
            continue
        for row in targets:
            row.persons_assisted += 1
        age = _age_at(case.person.birth_date, timezone.localdate(case.handed_over_at))
        schooling = [r for r in case.referrals.all() if r.service == ServiceKind.SCHOOLING]
        if age is not None and age < 18 and schooling:
            limit = case.handed_over_at + dt.timedelta(days=school_within_days)
            back = any(r.delivered_at and r.delivered_at <= limit for r in schooling)
            for row in targets:
                row.minors_with_schooling += 1
                row.back_in_school += int(back)
    referrals = Referral.objects.filter(created_at__year=year).select_related("to_unit__region")
    for referral in referrals:
        county = referral.to_unit.county
        targets = [total] + ([rows[county.pk]] if county and county.pk in rows else [])
        if scope != "city" and len(targets) == 1:
            continue
        for row in targets:
            row.referrals += 1
            if referral.status == Referral.Status.DELIVERED:
                row.delivered += 1
                row.delivered_on_time += int(bool(referral.delivered_on_time))
            if referral.is_active and referral.is_overdue:
                row.overdue_open += 1
    for registration in CareRegistration.objects.filter(status=CareRegistration.Status.ACTIVE):
        targets = [total] + ([rows[registration.county_id]] if registration.county_id in rows else [])
        if scope != "city" and len(targets) == 1:
            continue
        for row in targets:
            row.registered += 1
            row.high_risk += int(registration.risk_level == "high")
    for visit in CareVisit.objects.filter(visited_on__year=year).select_related("registration"):
        county_id = visit.registration.county_id
        targets = [total] + ([rows[county_id]] if county_id in rows else [])
        if scope != "city" and len(targets) == 1:
            continue
        for row in targets:
            row.care_visits += 1
    if scope != "city":
        return list(rows.values())
    return [total, *rows.values()]


def _city_label():
    from django.utils.translation import gettext as _

    return _("City total")
