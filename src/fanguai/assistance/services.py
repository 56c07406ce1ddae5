"""Every write of assistance. Each runs in one transaction and writes its audit event (field names, never
values); referrals move between units by named steps, each a `ReferralStep` row, with deadlines for the
response and the delivery."""

import datetime as dt
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanguai.accounts.roles import Role
from fanguai.audit.services import record_event
from fanguai.core.policies import policy_for
from fanguai.deadlines.services import cancel_deadline, create_deadline, end_of_day, meet_deadline
from fanguai.notifications.services import notify
from fanguai.org.models import Region, Unit
from fanguai.people.models import Person
from fanguai.people.services import register_person

from .deadline_kinds import FOLLOW_UP_VISIT, REFERRAL_DELIVERY, REFERRAL_RESPONSE
from .models import (
    AssistanceCase,
    CareRegistration,
    CareVisit,
    Consent,
    DnaSamplingRequest,
    EntrustedCare,
    FollowUpVisit,
    Guardian,
    Placement,
    Referral,
    ReferralStep,
    ServiceKind,
    VisitCampaign,
)

# The unit sector responsible for each service (the annex of the plan). Legal aid goes to the justice bureau
# (司法局), which the plan asks to provide it ("协调司法部门……提供法律救助") though it is no member unit.
SERVICE_SECTORS = {
    ServiceKind.FAMILY_SEARCH: Unit.Sector.POLICE,
    ServiceKind.HOUSEHOLD_REGISTRATION: Unit.Sector.POLICE,
    ServiceKind.SCHOOLING: Unit.Sector.EDUCATION,
    ServiceKind.EMPLOYMENT: Unit.Sector.HRSS,
    ServiceKind.MEDICAL: Unit.Sector.HEALTH,
    ServiceKind.PSYCHOLOGICAL: Unit.Sector.YOUTH_LEAGUE,
    ServiceKind.DISABILITY: Unit.Sector.DISABLED_FEDERATION,
    ServiceKind.LEGAL_AID: Unit.Sector.JUSTICE,
    ServiceKind.RELIEF: Unit.Sector.CIVIL_AFFAIRS,
}
RESPOND_WITHIN = timedelta(days=3)
DELIVER_WITHIN_DAYS = {
    ServiceKind.FAMILY_SEARCH: 90,
    ServiceKind.HOUSEHOLD_REGISTRATION: 60,
    ServiceKind.SCHOOLING: 30,
    ServiceKind.EMPLOYMENT: 60,
    ServiceKind.MEDICAL: 14,
    ServiceKind.PSYCHOLOGICAL: 30,
    ServiceKind.DISABILITY: 60,
    ServiceKind.LEGAL_AID: 30,
    ServiceKind.RELIEF: 14,
}
DNA_LABORATORY = "341500-dna-lab"


def _check(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def default_unit_for(service: str, county: Region | None) -> Unit | None:
    """The county counterpart of the responsible sector in the person's county, else the city unit. A sector
    outside the joint conference (the justice bureaux) has service units only: the county's, else the city's."""
    sector = SERVICE_SECTORS[service]
    units = Unit.objects.filter(sector=sector, is_active=True)
    if county is not None:
        for kind in (Unit.Kind.COUNTY_MEMBER, Unit.Kind.SERVICE):
            local = units.filter(region=county, kind=kind).order_by("code").first()
            if local is not None:
                return local
    for kind in (Unit.Kind.MEMBER, Unit.Kind.SERVICE):
        city = units.filter(kind=kind, region__level=Region.Level.CITY).order_by("code").first()
        if city is not None:
            return city
    return None


def _county_of(case: AssistanceCase | None = None, registration: CareRegistration | None = None):
    if registration is not None:
        return registration.county
    return case.person.county or case.shelter.county


# --- intake, assessment, placement -------------------------------------------------------------------


def _police_case(reference: str):
    """The case record a police case reference names, when it is a case number of the platform."""
    from fanguai.cases.models import Case

    reference = (reference or "").strip().upper()
    return Case.objects.filter(number=reference).first() if reference else None


@transaction.atomic
def take_in(
    *,
    actor,
    person: Person | None = None,
    person_fields: dict | None = None,
    handed_over_by_unit: Unit,
    handed_over_by_officer: str,
    handed_over_at: dt.datetime,
    case_reference: str = "",
    circumstances: str = "",
    needs: list[str] = (),
    risk_level: str,
    risk_notes: str = "",
    guardianship: str = "",
    guardian_fields: dict | None = None,
    guardianship_notes: str = "",
) -> AssistanceCase:
    """The police hand a rescued person over to the actor's shelter. A person of unknown identity gets a
    family search (the county police, on their statutory duty) and a DNA sampling request."""
    _check(policy_for(AssistanceCase).can(actor, "create"))
    if handed_over_by_unit.sector != Unit.Sector.POLICE:
        raise ValidationError({"handed_over_by_unit": _("A rescued person is handed over by a police unit.")})
    if person is None:
        person = register_person(actor=actor, unit=actor.unit, **(person_fields or {}))
    elif not policy_for(Person).can_view(actor, person):
        raise PermissionDenied
    if person.is_minor and not guardianship:
        raise ValidationError({"guardianship": _("A minor needs a guardianship arrangement.")})
    unknown_needs = set(needs) - set(ServiceKind.values)
    if unknown_needs:
        raise ValidationError({"needs": _("Unknown need.")})
    guardian = None
    if guardian_fields and guardian_fields.get("full_name"):
        guardian = register_person(actor=actor, unit=actor.unit, **guardian_fields)
    case = AssistanceCase.objects.create(
        person=person,
        shelter=actor.unit,
        handed_over_by_unit=handed_over_by_unit,
        handed_over_by_officer=handed_over_by_officer,
        handed_over_at=handed_over_at,
        case_reference=case_reference,
        police_case=_police_case(case_reference),
        circumstances=circumstances,
        needs=list(needs),
        risk_level=risk_level,
        risk_notes=risk_notes,
        guardianship=guardianship,
        guardian=guardian,
        guardianship_notes=guardianship_notes,
        created_by=actor,
    )
    Placement.objects.create(
        case=case,
        kind=Placement.Kind.SHELTER,
        responsible_unit=actor.unit,
        started_on=timezone.localdate(handed_over_at),
        created_by=actor,
    )
    record_event(
        "assistance.case.create",
        actor=actor,
        object_type="assistance.case",
        object_id=case.pk,
        changed_fields=["person", "handover", "needs", "risk_level", "guardianship"],
        details={
            "identity": person.identity_status,
            "from_unit": handed_over_by_unit.code,
            **({"police_case": case.police_case_id} if case.police_case_id else {}),
        },
    )
    if person.identity_status == Person.IdentityStatus.UNKNOWN:
        _open_family_search(actor, case)
    return case


def _queue_in_dna_database(actor, case, police) -> None:
    """The sampling request also waits in the collecting police unit's queue of the DNA database."""
    from fanguai.dna.models import Category
    from fanguai.dna.services import request_sampling

    request_sampling(
        actor=actor,
        person=case.person,
        category=Category.RESCUED,
        collecting_unit=police,
        reason=_("Rescued person of unknown identity (%(number)s)") % {"number": case.number},
    )


def _open_family_search(actor, case: AssistanceCase) -> None:
    police = default_unit_for(ServiceKind.FAMILY_SEARCH, _county_of(case))
    consent = Consent.objects.create(
        case=case,
        unit=police,
        basis=Consent.Basis.STATUTORY,
        fields=["sex", "birth_date", "needs"],
        given_on=timezone.localdate(),
        recorded_by=actor,
    )
    record_event(
        "assistance.consent.create",
        actor=actor,
        object_type="assistance.consent",
        object_id=consent.pk,
        details={"unit": police.code, "basis": consent.basis},
    )
    _create_referral(
        actor,
        case=case,
        service=ServiceKind.FAMILY_SEARCH,
        to_unit=police,
        consent=consent,
        request=_("Identity unknown: search for the family."),
        deliver_by=None,
    )
    _queue_in_dna_database(actor, case, police)
    laboratory = Unit.objects.filter(code=DNA_LABORATORY).first()
    if laboratory is not None:
        request = DnaSamplingRequest.objects.create(
            case=case, person=case.person, requested_by_unit=case.shelter, laboratory=laboratory
        )
        record_event(
            "assistance.dna_request.create",
            actor=actor,
            object_type="assistance.dna_request",
            object_id=request.pk,
            details={"laboratory": laboratory.code},
        )
        notify(
            units=[laboratory],
            kind="assistance.dna_request",
            subject=_("DNA sampling requested for a rescued person of unknown identity (%(number)s)")
            % {"number": case.number},
        )


@transaction.atomic
def record_dna_sampled(*, actor, request: DnaSamplingRequest, specimen_number: str) -> DnaSamplingRequest:
    """Called by the DNA app when the person was sampled: keeps only the specimen number."""
    request = DnaSamplingRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != DnaSamplingRequest.Status.REQUESTED:
        raise ValidationError(_("This request is no longer open."))
    request.status = DnaSamplingRequest.Status.SAMPLED
    request.specimen_number = specimen_number
    request.completed_at = timezone.now()
    request.save(update_fields=["status", "specimen_number", "completed_at"])
    record_event(
        "assistance.dna_request.sampled",
        actor=actor,
        object_type="assistance.dna_request",
        object_id=request.pk,
        changed_fields=["status", "specimen_number"],
    )
    return request


@transaction.atomic
def update_assessment(
    *,
    actor,
    case: AssistanceCase,
    needs: list[str],
    risk_level: str,
    risk_notes: str,
    guardianship: str,
    guardianship_notes: str,
) -> AssistanceCase:
    _check(policy_for(AssistanceCase).can(actor, "change", case))
    case = AssistanceCase.objects.select_for_update().get(pk=case.pk)
    if case.person.is_minor and not guardianship:
        raise ValidationError({"guardianship": _("A minor needs a guardianship arrangement.")})
    changes = {
        "needs": list(needs),
        "risk_level": risk_level,
        "risk_notes": risk_notes,
        "guardianship": guardianship,
        "guardianship_notes": guardianship_notes,
    }
    changed = [name for name, value in changes.items() if getattr(case, name) != value]
    for name in changed:
        setattr(case, name, changes[name])
    case.save()
    record_event(
        "assistance.case.assess",
        actor=actor,
        object_type="assistance.case",
        object_id=case.pk,
        changed_fields=changed,
    )
    return case


@transaction.atomic
def add_placement(
    *, actor, case: AssistanceCase, kind: str, responsible_unit: Unit, place: str, started_on: dt.date
) -> Placement:
    """A new placement; the current one ends the day the new one starts."""
    _check(policy_for(AssistanceCase).can(actor, "change", case))
    current = case.current_placement
    if current is not None:
        if started_on < current.started_on:
            raise ValidationError({"started_on": _("A new placement cannot start before the current one.")})
        current.ended_on = started_on
        current.save(update_fields=["ended_on"])
    placement = Placement.objects.create(
        case=case,
        kind=kind,
        responsible_unit=responsible_unit,
        place=place,
        started_on=started_on,
        created_by=actor,
    )
    record_event(
        "assistance.placement.create",
        actor=actor,
        object_type="assistance.case",
        object_id=case.pk,
        changed_fields=["placement"],
        details={"kind": kind, "unit": responsible_unit.code},
    )
    return placement


# --- consent ---------------------------------------------------------------------------------------------


def _owner_policy_check(actor, case, registration) -> None:
    if (case is None) == (registration is None):
        raise ValueError("give a case or a register entry")
    owner = case if case is not None else registration
    _check(policy_for(owner).can(actor, "change", owner))


@transaction.atomic
def record_consent(
    *,
    actor,
    case: AssistanceCase | None = None,
    registration: CareRegistration | None = None,
    unit: Unit,
    basis: str,
    given_by: str,
    fields: list[str],
    given_on: dt.date,
) -> Consent:
    """The consent of the person or guardian to share the listed fields with one unit."""
    _owner_policy_check(actor, case, registration)
    allowed = {name for name, _label in Consent.SHAREABLE}
    if not fields or set(fields) - allowed:
        raise ValidationError({"fields": _("Choose what may be shared.")})
    if basis == Consent.Basis.STATUTORY and actor.role != Role.CASEWORKER:
        raise ValidationError({"basis": _("Only the shelter records a statutory basis.")})
    consent = Consent.objects.create(
        case=case,
        registration=registration,
        unit=unit,
        basis=basis,
        given_by=given_by,
        fields=list(fields),
        full_record="full_record" in fields,
        given_on=given_on,
        recorded_by=actor,
    )
    record_event(
        "assistance.consent.create",
        actor=actor,
        object_type="assistance.consent",
        object_id=consent.pk,
        changed_fields=["fields"],
        details={"unit": unit.code, "basis": basis},
    )
    return consent


@transaction.atomic
def withdraw_consent(*, actor, consent: Consent) -> Consent:
    """Withdrawn consent stops sharing at once: the unit's active referrals under it are withdrawn."""
    _owner_policy_check(actor, consent.case, consent.registration)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_on is not None:
        return consent
    consent.withdrawn_on = timezone.localdate()
    consent.save(update_fields=["withdrawn_on"])
    record_event(
        "assistance.consent.withdraw",
        actor=actor,
        object_type="assistance.consent",
        object_id=consent.pk,
        changed_fields=["withdrawn_on"],
    )
    for referral in Referral.objects.filter(consent=consent, status__in=Referral.ACTIVE):
        _withdraw(actor, referral, _("Consent withdrawn."))
    return consent


def consent_in_force(*, case=None, registration=None, unit: Unit) -> Consent | None:
    rows = Consent.objects.filter(unit=unit, withdrawn_on__isnull=True)
    rows = rows.filter(case=case) if case is not None else rows.filter(registration=registration)
    return rows.order_by("-given_on", "-id").first()


# --- referrals -------------------------------------------------------------------------------------------


def _step(referral: Referral, action: str, actor, note: str = "", unit: Unit | None = None) -> ReferralStep:
    return ReferralStep.objects.create(
        referral=referral,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        unit=unit or getattr(actor, "unit", None),
        note=note,
    )


def _create_referral(
    actor, *, case=None, registration=None, service, to_unit, consent, request, deliver_by
) -> Referral:
    now = timezone.now()
    if deliver_by is None:
        deliver_by = end_of_day(timezone.localdate() + timedelta(days=DELIVER_WITHIN_DAYS[service]))
    owner = case if case is not None else registration
    referral = Referral.objects.create(
        case=case,
        registration=registration,
        person=owner.person,
        service=service,
        from_unit=actor.unit,
        to_unit=to_unit,
        consent=consent,
        request=request,
        respond_by=now + RESPOND_WITHIN,
        deliver_by=deliver_by,
        created_by=actor,
    )
    _step(referral, ReferralStep.Action.REFERRED, actor, request)
    create_deadline(
        target=referral,
        kind=REFERRAL_RESPONSE,
        due_at=referral.respond_by,
        responsible_unit=to_unit,
        warn_before=timedelta(days=1),
        actor=actor,
    )
    notify(
        units=[to_unit],
        roles=RECEIVER_NOTIFY_ROLES,
        kind="assistance.referral",
        subject=_("New service referral %(number)s: %(service)s")
        % {"number": referral.number, "service": referral.get_service_display()},
        body=_("Accept or decline it by %(due)s.")
        % {"due": timezone.localtime(referral.respond_by).strftime("%Y-%m-%d %H:%M")},
        link=referral.get_absolute_url(),
    )
    record_event(
        "assistance.referral.create",
        actor=actor,
        object_type="assistance.referral",
        object_id=referral.pk,
        details={"service": service, "to_unit": to_unit.code},
    )
    return referral


RECEIVER_NOTIFY_ROLES = (Role.LIAISON, Role.INVESTIGATOR, Role.CASEWORKER, Role.COUNTY_COORDINATOR)


@transaction.atomic
def refer(
    *,
    actor,
    case: AssistanceCase | None = None,
    registration: CareRegistration | None = None,
    service: str,
    to_unit: Unit | None = None,
    request: str = "",
    deliver_by: dt.datetime | None = None,
) -> Referral:
    """Refer one need to a unit (default: the responsible sector's unit of the person's county). Needs a
    consent in force for that unit."""
    _owner_policy_check(actor, case, registration)
    if service not in ServiceKind.values:
        raise ValidationError({"service": _("Unknown service.")})
    if to_unit is None:
        to_unit = default_unit_for(service, _county_of(case, registration))
    if to_unit is None:
        raise ValidationError({"to_unit": _("No unit provides this service here: choose one.")})
    if to_unit.pk == actor.unit_id:
        raise ValidationError({"to_unit": _("A unit does not refer to itself.")})
    consent = consent_in_force(case=case, registration=registration, unit=to_unit)
    if consent is None:
        raise ValidationError(
            {"to_unit": _("There is no consent in force to share with %(unit)s.") % {"unit": to_unit.name}}
        )
    if deliver_by is not None and deliver_by <= timezone.now():
        raise ValidationError({"deliver_by": _("The delivery date must be in the future.")})
    return _create_referral(
        actor,
        case=case,
        registration=registration,
        service=service,
        to_unit=to_unit,
        consent=consent,
        request=request,
        deliver_by=deliver_by,
    )


def _notify_referrer(referral: Referral, subject: str, body: str = "") -> None:
    notify(
        units=[referral.from_unit],
        roles=(Role.CASEWORKER, Role.LIAISON),
        kind="assistance.referral",
        subject=subject,
        body=body,
        link=referral.get_absolute_url(),
    )


@transaction.atomic
def respond(*, actor, referral: Referral, accept: bool, note: str = "") -> Referral:
    """The receiving unit accepts the referral, or declines it with a reason."""
    _check(policy_for(Referral).can(actor, "respond", referral))
    if not accept and not note.strip():
        raise ValidationError({"note": _("Give the reason for declining.")})
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    referral.status = Referral.Status.ACCEPTED if accept else Referral.Status.DECLINED
    referral.responded_at = timezone.now()
    referral.save(update_fields=["status", "responded_at"])
    _step(referral, ReferralStep.Action.ACCEPTED if accept else ReferralStep.Action.DECLINED, actor, note)
    meet_deadline(target=referral, kind=REFERRAL_RESPONSE, actor=actor)
    values = {"number": referral.number, "unit": referral.to_unit.name}
    if accept:
        create_deadline(
            target=referral,
            kind=REFERRAL_DELIVERY,
            due_at=referral.deliver_by,
            responsible_unit=referral.to_unit,
            warn_before=timedelta(days=3),
            actor=actor,
        )
        _notify_referrer(referral, _("Referral %(number)s accepted by %(unit)s") % values)
    else:
        _notify_referrer(referral, _("Referral %(number)s declined by %(unit)s") % values, note)
    record_event(
        "assistance.referral.accept" if accept else "assistance.referral.decline",
        actor=actor,
        object_type="assistance.referral",
        object_id=referral.pk,
        changed_fields=["status", "responded_at"],
    )
    return referral


@transaction.atomic
def deliver(*, actor, referral: Referral, outcome: str) -> Referral:
    """The receiving unit records the service as delivered, with its outcome."""
    _check(policy_for(Referral).can(actor, "deliver", referral))
    if not outcome.strip():
        raise ValidationError({"outcome": _("Describe what was delivered.")})
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    referral.status = Referral.Status.DELIVERED
    referral.delivered_at = timezone.now()
    referral.outcome = outcome
    referral.save(update_fields=["status", "delivered_at", "outcome"])
    _step(referral, ReferralStep.Action.DELIVERED, actor, outcome)
    meet_deadline(target=referral, kind=REFERRAL_DELIVERY, actor=actor)
    _notify_referrer(
        referral,
        _("Referral %(number)s delivered by %(unit)s")
        % {"number": referral.number, "unit": referral.to_unit.name},
    )
    record_event(
        "assistance.referral.deliver",
        actor=actor,
        object_type="assistance.referral",
        object_id=referral.pk,
        changed_fields=["status", "delivered_at", "outcome"],
        details={"on_time": referral.delivered_on_time},
    )
    return referral


def _withdraw(actor, referral: Referral, reason: str) -> Referral:
    referral.status = Referral.Status.WITHDRAWN
    referral.save(update_fields=["status"])
    _step(referral, ReferralStep.Action.WITHDRAWN, actor, reason)
    cancel_deadline(target=referral, actor=actor)
    notify(
        units=[referral.to_unit],
        roles=RECEIVER_NOTIFY_ROLES,
        kind="assistance.referral",
        subject=_("Referral %(number)s was withdrawn") % {"number": referral.number},
        link=referral.get_absolute_url(),
    )
    record_event(
        "assistance.referral.withdraw",
        actor=actor,
        object_type="assistance.referral",
        object_id=referral.pk,
        changed_fields=["status"],
    )
    return referral


@transaction.atomic
def withdraw_referral(*, actor, referral: Referral, reason: str) -> Referral:
    _check(policy_for(Referral).can(actor, "withdraw", referral))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for withdrawing.")})
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    return _withdraw(actor, referral, reason)


def mark_referral_overdue(deadline) -> None:
    """The deadline sweep's hook: the referral shows as overdue and gets a step of its own (the sweep has
    already told the unit and escalated)."""
    referral = Referral.objects.filter(pk=deadline.object_id).first()
    if referral is None or not referral.is_active:
        return
    Referral.objects.filter(pk=referral.pk).update(is_overdue=True)
    _step(referral, ReferralStep.Action.OVERDUE, None, deadline.kind, unit=referral.to_unit)
    record_event(
        "assistance.referral.overdue",
        object_type="assistance.referral",
        object_id=referral.pk,
        changed_fields=["is_overdue"],
        details={"kind": deadline.kind},
    )


# --- follow-up, outcome and closure ------------------------------------------------------------------------


@transaction.atomic
def schedule_visit(*, actor, case: AssistanceCase, scheduled_for: dt.date) -> FollowUpVisit:
    _check(policy_for(AssistanceCase).can(actor, "change", case))
    visit = FollowUpVisit.objects.create(case=case, scheduled_for=scheduled_for, recorded_by=actor)
    create_deadline(
        target=visit,
        kind=FOLLOW_UP_VISIT,
        due_at=end_of_day(scheduled_for),
        responsible_unit=case.shelter,
        warn_before=timedelta(days=2),
        actor=actor,
    )
    record_event(
        "assistance.visit.schedule",
        actor=actor,
        object_type="assistance.case",
        object_id=case.pk,
        changed_fields=["visits"],
    )
    return visit


@transaction.atomic
def record_visit(
    *,
    actor,
    visit: FollowUpVisit,
    visited: bool,
    visited_on: dt.date | None,
    notes: str,
    risk_flags: list[str],
) -> FollowUpVisit:
    _check(policy_for(AssistanceCase).can(actor, "change", visit.case))
    if visit.status != FollowUpVisit.Status.SCHEDULED:
        raise ValidationError(_("This visit was already recorded."))
    if visited and visited_on is None:
        raise ValidationError({"visited_on": _("Give the date of the visit.")})
    if visited_on and visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("A visit cannot be recorded in the future.")})
    known = {name for name, _label in FollowUpVisit.RISK_FLAGS}
    visit.status = FollowUpVisit.Status.DONE if visited else FollowUpVisit.Status.MISSED
    visit.visited_on = visited_on if visited else None
    visit.notes = notes
    visit.risk_flags = [f for f in risk_flags if f in known]
    visit.recorded_by = actor
    visit.save()
    meet_deadline(target=visit, kind=FOLLOW_UP_VISIT, actor=actor)
    record_event(
        "assistance.visit.record",
        actor=actor,
        object_type="assistance.case",
        object_id=visit.case_id,
        changed_fields=["status", "visited_on", "notes", "risk_flags"],
        details={"risk_flags": len(visit.risk_flags)},
    )
    return visit


@transaction.atomic
def record_outcome(*, actor, case: AssistanceCase, outcome: str, outcome_on: dt.date) -> AssistanceCase:
    _check(policy_for(AssistanceCase).can(actor, "change", case))
    if outcome not in AssistanceCase.Outcome.values or not outcome:
        raise ValidationError({"outcome": _("Choose the outcome.")})
    case.outcome = outcome
    case.outcome_on = outcome_on
    case.save(update_fields=["outcome", "outcome_on"])
    record_event(
        "assistance.case.outcome",
        actor=actor,
        object_type="assistance.case",
        object_id=case.pk,
        changed_fields=["outcome", "outcome_on"],
    )
    return case


@transaction.atomic
def request_closure(*, actor, case: AssistanceCase, reason: str) -> AssistanceCase:
    """The shelter asks to close the case: the outcome is recorded and no referral is still running."""
    _check(policy_for(AssistanceCase).can(actor, "change", case))
    if not case.outcome:
        raise ValidationError(_("Record the reintegration outcome before closing."))
    if case.referrals.filter(status__in=Referral.ACTIVE).exists():
        raise ValidationError(_("Referrals are still running: have them delivered or withdraw them first."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for closing.")})
    case.status = AssistanceCase.Status.CLOSURE_REQUESTED
    case.closure_reason = reason
    case.closure_requested_by = actor
    case.closure_requested_at = timezone.now()
    case.save(update_fields=["status", "closure_reason", "closure_requested_by", "closure_requested_at"])
    approvers = [u for u in (case.shelter.parent,) if u is not None]
    notify(
        units=approvers,
        roles=(Role.LIAISON,),
        kind="assistance.closure",
        subject=_("Closure of assistance case %(number)s awaits approval") % {"number": case.number},
        link=case.get_absolute_url(),
    )
    record_event(
        "assistance.case.request_closure",
        actor=actor,
        object_type="assistance.case",
        object_id=case.pk,
        changed_fields=["status", "closure_reason"],
    )
    return case


@transaction.atomic
def decide_closure(*, actor, case: AssistanceCase, approve: bool, note: str = "") -> AssistanceCase:
    _check(policy_for(AssistanceCase).can(actor, "approve_closure", case))
    if case.closure_requested_by_id == actor.pk:
        raise PermissionDenied
    if not approve and not note.strip():
        raise ValidationError({"note": _("Give the reason for refusing.")})
    if approve:
        case.status = AssistanceCase.Status.CLOSED
        case.closed_by = actor
        case.closed_at = timezone.now()
        for visit in case.visits.filter(status=FollowUpVisit.Status.SCHEDULED):
            visit.status = FollowUpVisit.Status.CANCELLED
            visit.save(update_fields=["status"])
            cancel_deadline(target=visit, actor=actor)
            record_event(
                "assistance.visit.cancel",
                actor=actor,
                object_type="assistance.case",
                object_id=case.pk,
                changed_fields=["visits"],
                details={"visit": visit.pk},
            )
        if case.outcome == AssistanceCase.Outcome.WITH_FAMILY:
            _cancel_dna_requests(actor, case)
    else:
        case.status = AssistanceCase.Status.OPEN
    case.save(update_fields=["status", "closed_by", "closed_at"])
    notify(
        units=[case.shelter],
        roles=(Role.CASEWORKER,),
        kind="assistance.closure",
        subject=(
            _("Assistance case %(number)s closed") if approve else _("Closure of case %(number)s refused")
        )
        % {"number": case.number},
        body=note,
        link=case.get_absolute_url(),
    )
    record_event(
        "assistance.case.close" if approve else "assistance.case.refuse_closure",
        actor=actor,
        object_type="assistance.case",
        object_id=case.pk,
        changed_fields=["status"],
    )
    return case


def _cancel_dna_requests(actor, case: AssistanceCase) -> None:
    """The case closes with the person back with the family: the sample for the family search is no longer
    needed, here and in the DNA database's queue (its rescued-person request for the person)."""
    from fanguai.dna.models import Category
    from fanguai.dna.services import cancel_sampling_requests

    for request in case.dna_requests.select_for_update().filter(status=DnaSamplingRequest.Status.REQUESTED):
        request.status = DnaSamplingRequest.Status.CANCELLED
        request.save(update_fields=["status"])
        record_event(
            "assistance.dna_request.cancel",
            actor=actor,
            object_type="assistance.dna_request",
            object_id=request.pk,
            changed_fields=["status"],
            details={"case": case.pk},
        )
    reason = _("Assistance case %(number)s closed: back with the family") % {"number": case.number}
    cancel_sampling_requests(actor=actor, person=case.person, reason=reason, categories=[Category.RESCUED])


# --- left-behind and migrant women and children -------------------------------------------------------------


@transaction.atomic
def register_care(
    *,
    actor,
    person: Person | None = None,
    person_fields: dict | None = None,
    category: str,
    township: Region,
    risk_level: str,
    situation: str = "",
) -> CareRegistration:
    _check(policy_for(CareRegistration).can(actor, "create"))
    if township.level != Region.Level.TOWNSHIP or township.county is None:
        raise ValidationError({"township": _("Choose a township.")})
    if not actor.is_city_level and township.county != actor.county:
        raise ValidationError({"township": _("Choose a township of your own county.")})
    if person is None:
        fields = dict(person_fields or {})
        fields.setdefault("region", township)
        person = register_person(actor=actor, unit=actor.unit, **fields)
    registration = CareRegistration.objects.create(
        person=person,
        category=category,
        township=township,
        county=township.county,
        risk_level=risk_level,
        situation=situation,
        registered_by_unit=actor.unit,
        created_by=actor,
    )
    record_event(
        "assistance.registration.create",
        actor=actor,
        object_type="assistance.registration",
        object_id=registration.pk,
        changed_fields=["person", "category", "township", "risk_level", "situation"],
    )
    return registration


@transaction.atomic
def update_registration(
    *, actor, registration: CareRegistration, risk_level: str, situation: str, status: str
) -> CareRegistration:
    _check(policy_for(CareRegistration).can(actor, "change", registration))
    changes = {"risk_level": risk_level, "situation": situation, "status": status}
    changed = [name for name, value in changes.items() if getattr(registration, name) != value]
    for name in changed:
        setattr(registration, name, changes[name])
    registration.save()
    record_event(
        "assistance.registration.update",
        actor=actor,
        object_type="assistance.registration",
        object_id=registration.pk,
        changed_fields=changed,
    )
    return registration


@transaction.atomic
def add_guardian(
    *,
    actor,
    registration: CareRegistration,
    person_fields: dict,
    relationship: str,
    lives_with_child: bool,
    works_away: bool,
) -> Guardian:
    _check(policy_for(CareRegistration).can(actor, "change", registration))
    person = register_person(actor=actor, unit=actor.unit, **person_fields)
    guardian = Guardian.objects.create(
        registration=registration,
        person=person,
        relationship=relationship,
        lives_with_child=lives_with_child,
        works_away=works_away,
    )
    record_event(
        "assistance.registration.guardian",
        actor=actor,
        object_type="assistance.registration",
        object_id=registration.pk,
        changed_fields=["guardians"],
    )
    return guardian


@transaction.atomic
def create_campaign(*, actor, name: str, starts_on: dt.date, ends_on: dt.date) -> VisitCampaign:
    _check(policy_for(CareRegistration).can(actor, "create"))
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("A campaign ends after it starts.")})
    campaign = VisitCampaign.objects.create(
        name=name, starts_on=starts_on, ends_on=ends_on, lead_unit=actor.unit
    )
    record_event(
        "assistance.campaign.create", actor=actor, object_type="assistance.campaign", object_id=campaign.pk
    )
    return campaign


@transaction.atomic
def record_care_visit(
    *,
    actor,
    registration: CareRegistration,
    programme: str,
    campaign: VisitCampaign | None,
    visited_on: dt.date,
    findings: str,
    risk_level: str,
    clue_wanted: bool = False,
) -> CareVisit:
    """A care visit; it sets the register's risk level. A suspected trafficking risk is flagged for a clue
    (the clues app picks up `clue_wanted` visits) and the county police are told that one is coming."""
    _check(policy_for(CareRegistration).can(actor, "change", registration))
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("A visit cannot be recorded in the future.")})
    if campaign is not None and not (campaign.starts_on <= visited_on <= campaign.ends_on):
        raise ValidationError({"campaign": _("The visit date lies outside the campaign.")})
    visit = CareVisit.objects.create(
        registration=registration,
        campaign=campaign,
        programme=programme,
        unit=actor.unit,
        visited_on=visited_on,
        findings=findings,
        risk_level=risk_level,
        clue_wanted=clue_wanted,
        recorded_by=actor,
    )
    if registration.risk_level != risk_level:
        registration.risk_level = risk_level
        registration.save(update_fields=["risk_level", "updated_at"])
    if clue_wanted:
        police = default_unit_for(ServiceKind.FAMILY_SEARCH, registration.county)
        if police is not None:
            notify(
                units=[police],
                roles=(Role.INVESTIGATOR,),
                kind="assistance.clue_wanted",
                subject=_("A care visit found a possible trafficking risk (register %(number)s)")
                % {"number": registration.number},
                body=_("The visiting unit %(unit)s will file a clue.") % {"unit": actor.unit.name},
            )
    record_event(
        "assistance.care_visit.create",
        actor=actor,
        object_type="assistance.registration",
        object_id=registration.pk,
        changed_fields=["visits", "risk_level"],
        details={"programme": programme, "clue_wanted": clue_wanted},
    )
    return visit


# The clue source that names the visiting unit's sector (clues.models.Source); other care units report as a
# member unit.
CLUE_SOURCE_BY_SECTOR = {
    Unit.Sector.EDUCATION: "school",
    Unit.Sector.YOUTH_LEAGUE: "hotline_12355",
}


def can_report_visit_clue(actor, visit: CareVisit) -> bool:
    """The visiting unit reports the clue its visit asked for, once: a care worker of that unit who may file
    clues."""
    from fanguai.clues.models import Clue

    from .policies import is_care_worker

    return (
        visit.awaits_clue
        and is_care_worker(actor)
        and actor.unit_id == visit.unit_id
        and policy_for(Clue).can(actor, "create")
    )


@transaction.atomic
def report_visit_clue(
    *,
    actor,
    visit: CareVisit,
    category: str,
    description: str,
    place_detail: str = "",
    occurred_at=None,
):
    """File the clue a care visit asked for (待报送线索) through the clues service, and link it to the visit in
    the same transaction: the clue's timeline starts with its receipt, the visit no longer awaits a clue, the
    county police are told by the clues service as for any new clue."""
    from fanguai.clues import services as clue_services
    from fanguai.clues.models import Source

    visit = CareVisit.objects.select_for_update().select_related("registration", "unit").get(pk=visit.pk)
    _check(can_report_visit_clue(actor, visit))
    registration = visit.registration
    source = CLUE_SOURCE_BY_SECTOR.get(actor.unit.sector, Source.OTHER_UNIT)
    clue = clue_services.record_clue(
        actor=actor,
        source=source,
        category=category,
        description=description,
        region=registration.township,
        place_detail=place_detail,
        occurred_at=occurred_at,
    )
    visit.clue = clue
    visit.save(update_fields=["clue"])
    record_event(
        "assistance.care_visit.clue",
        actor=actor,
        object_type="assistance.registration",
        object_id=registration.pk,
        changed_fields=["visits"],
        details={"visit": visit.pk, "clue": clue.pk},
    )
    return clue


@transaction.atomic
def record_entrusted_care(
    *,
    actor,
    registration: CareRegistration,
    carer: str,
    carer_relationship: str,
    entrusted_by: str,
    starts_on: dt.date,
    ends_on: dt.date | None,
    notes: str = "",
) -> EntrustedCare:
    _check(policy_for(CareRegistration).can(actor, "change", registration))
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("An arrangement ends after it starts.")})
    arrangement = EntrustedCare.objects.create(
        registration=registration,
        carer=carer,
        carer_relationship=carer_relationship,
        entrusted_by=entrusted_by,
        starts_on=starts_on,
        ends_on=ends_on,
        notes=notes,
        recorded_by=actor,
    )
    record_event(
        "assistance.entrusted_care.create",
        actor=actor,
        object_type="assistance.registration",
        object_id=registration.pk,
        changed_fields=["entrusted_care"],
    )
    return arrangement
