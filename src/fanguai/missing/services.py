"""Every write on missing-person reports and the rapid-search checklist, unidentified persons, screenings
and blood sample requests. Each runs in one transaction and writes its audit event (field names, never
values). Alerts are in alerts.py."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fanguai.accounts.roles import Role
from fanguai.audit.services import record_event
from fanguai.cases.models import Case
from fanguai.core.policies import policy_for
from fanguai.deadlines.services import cancel_deadline, create_deadline, meet_deadline
from fanguai.files.services import store_upload
from fanguai.notifications.services import notify
from fanguai.org.models import Unit
from fanguai.people.models import Person
from fanguai.people.services import mark_identified, register_person

from .deadline_kinds import RAPID_SEARCH_STEP
from .models import (
    BloodSampleRequest,
    MissingReport,
    Screening,
    SearchStep,
    SearchTask,
    UnidentifiedPerson,
)

REPORT = "missing.report"
CITY_POLICE = "341500-police"
FOUND_OUTCOMES = {
    MissingReport.Outcome.FOUND_SAFE,
    MissingReport.Outcome.FOUND_DEAD,
    MissingReport.Outcome.RAN_AWAY,
}


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _unit(code: str) -> Unit | None:
    return Unit.objects.filter(code=code, is_active=True).first()


# --- reports and the rapid-search checklist -------------------------------------------------------------


def start_checklist(report: MissingReport, *, actor=None) -> list[SearchTask]:
    """A timed task for each active step, each with a deadline of the shared mechanism (late ones show on
    the investigators' home page and are reported by the deadline sweep)."""
    tasks = []
    for step in SearchStep.objects.filter(is_active=True):
        due_at = report.created_at + timedelta(minutes=step.target_minutes)
        task, created = SearchTask.objects.get_or_create(
            report=report, step=step, defaults={"due_at": due_at}
        )
        if created:
            warn = timedelta(minutes=min(10, step.target_minutes // 2)) if step.target_minutes >= 2 else None
            create_deadline(
                target=task,
                kind=RAPID_SEARCH_STEP,
                due_at=due_at,
                responsible_unit=report.owner_unit,
                warn_before=warn,
                actor=actor,
            )
        tasks.append(task)
    return tasks


@transaction.atomic
def file_report(
    *,
    actor,
    full_name: str = "",
    sex: str = Person.Sex.UNKNOWN,
    birth_date=None,
    category: str = MissingReport.Category.CHILD,
    description: str = "",
    last_seen_at,
    last_seen_place: str,
    region=None,
    latitude=None,
    longitude=None,
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_relation: str = "",
    photo=None,
    person: Person | None = None,
) -> MissingReport:
    """File a report at once (there is no waiting period) and start the rapid-search checklist."""
    _require(policy_for(MissingReport).can(actor, "create"))
    if last_seen_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError(_("The time last seen cannot be in the future."))
    if person is None:
        person = register_person(
            actor=actor,
            full_name=full_name,
            sex=sex,
            birth_date=birth_date,
            region=region,
            identity_status=Person.IdentityStatus.KNOWN if full_name else Person.IdentityStatus.UNKNOWN,
        )
    elif not policy_for(Person).can_view(actor, person):
        raise PermissionDenied
    reporter = None
    if reporter_name or reporter_phone:
        reporter = register_person(
            actor=actor,
            full_name=reporter_name,
            phone=reporter_phone,
            identity_status=Person.IdentityStatus.KNOWN if reporter_name else Person.IdentityStatus.UNKNOWN,
        )
    report = MissingReport(
        person=person,
        category=category,
        description=description,
        last_seen_at=last_seen_at,
        last_seen_place=last_seen_place,
        region=region,
        county=region.county if region else actor.unit.county,
        latitude=latitude,
        longitude=longitude,
        reporter=reporter,
        reporter_relation=reporter_relation,
        owner_unit=actor.unit,
        created_by=actor,
        created_at=timezone.now(),
    )
    report.full_clean()
    report.save()
    start_checklist(report, actor=actor)
    if photo is not None:
        store_upload(actor=actor, upload=photo, attach_to=report)
    record_event(
        "missing_report.create",
        actor=actor,
        object_type=REPORT,
        object_id=report.pk,
        changed_fields=[
            f
            for f in (
                "description",
                "last_seen_at",
                "last_seen_place",
                "region",
                "latitude",
                "longitude",
                "reporter",
            )
            if getattr(report, f) not in ("", None)
        ],
        details={"category": category},
    )
    city_police = _unit(CITY_POLICE)
    if city_police is not None and city_police != actor.unit:
        notify(
            units=[city_police],
            roles=[Role.INVESTIGATOR],
            kind="missing.report",
            subject=_("New missing-person report %(number)s") % {"number": report.number},
            link=report.get_absolute_url(),
        )
    return report


@transaction.atomic
def complete_task(*, actor, task: SearchTask, notes: str = "") -> SearchTask:
    report = task.report
    _require(policy_for(MissingReport).can(actor, "change", report))
    task = SearchTask.objects.select_for_update(of=("self",)).select_related("step").get(pk=task.pk)
    if task.done_at is None:
        _mark_step_done(task, actor=actor, notes=notes)
    return task


def _mark_step_done(task: SearchTask, *, actor, notes: str, **details) -> None:
    """Mark an open (locked) checklist step done: its deadline met and the report's audit event written. The one
    way a step is done, by the officer or by the event that does it (a parent's sample registered)."""
    task.done_at = timezone.now()
    task.done_by = actor if getattr(actor, "is_authenticated", False) else None
    task.notes = str(notes)[:300]
    task.save(update_fields=["done_at", "done_by", "notes"])
    meet_deadline(target=task, kind=RAPID_SEARCH_STEP, actor=actor)
    record_event(
        "missing_report.step_done",
        actor=actor,
        object_type=REPORT,
        object_id=task.report_id,
        changed_fields=["tasks"],
        details={"step": task.step.code, "late": task.done_at > task.due_at, **details},
    )


def meet_alert_steps(report: MissingReport, *, actor=None) -> None:
    for task in report.tasks.filter(step__is_alert_step=True, done_at__isnull=True):
        task.done_at = timezone.now()
        task.done_by = actor if getattr(actor, "is_authenticated", False) else None
        task.notes = _("Alert published")
        task.save(update_fields=["done_at", "done_by", "notes"])
        meet_deadline(target=task, kind=RAPID_SEARCH_STEP, actor=actor)


@transaction.atomic
def record_outcome(*, actor, report: MissingReport, outcome: str, notes: str = "") -> MissingReport:
    """Close the report with its outcome. Open checklist steps are cancelled; a found person clears the
    alert (the public page keeps only "found"), a false report withdraws it; a trafficked person opens a
    case and the alert stays up."""
    from . import alerts

    _require(policy_for(MissingReport).can(actor, "change", report))
    report = MissingReport.objects.select_for_update().get(pk=report.pk)
    if not report.is_open:
        raise ValidationError(_("The report is already closed."))
    if outcome not in MissingReport.Outcome.values:
        raise ValidationError(_("Unknown outcome."))
    report.status = MissingReport.Status.CLOSED
    report.outcome = outcome
    report.outcome_at = timezone.now()
    report.outcome_notes = notes
    changed = ["status", "outcome", "outcome_at", *(["outcome_notes"] if notes else [])]
    if outcome == MissingReport.Outcome.TRAFFICKED:
        from fanguai.cases.services import open_case

        case = open_case(
            actor=actor,
            title=_("Trafficking of the missing person of report %(number)s") % {"number": report.number},
            kind=Case.Kind.CHILD_TRAFFICKING
            if report.category == MissingReport.Category.CHILD
            else Case.Kind.WOMEN_TRAFFICKING,
            victims=[report.person],
            source=report.number,
            unit=report.owner_unit,
        )
        report.case = case
        changed.append("case")
    report.save()
    for task in report.tasks.filter(done_at__isnull=True):
        cancel_deadline(target=task, kind=RAPID_SEARCH_STEP, actor=actor)
    record_event(
        "missing_report.outcome",
        actor=actor,
        object_type=REPORT,
        object_id=report.pk,
        changed_fields=changed,
        details={"outcome": outcome},
    )
    for alert in report.alerts.filter(status__in=["active", "pending"]):
        if outcome in FOUND_OUTCOMES:
            alerts.clear_alert(actor=actor, alert=alert, reason="found")
        elif outcome == MissingReport.Outcome.FALSE_REPORT:
            alerts.clear_alert(actor=actor, alert=alert, reason="withdraw")
    if outcome in SAMPLES_MOOT_OUTCOMES:
        _cancel_parent_samples(actor, report)
    return report


# The person came back alive or was never missing: the parents' blood samples are no longer needed. A body
# may still be identified by DNA, and a trafficked person is still searched for, so their samples stay asked.
SAMPLES_MOOT_OUTCOMES = {
    MissingReport.Outcome.FOUND_SAFE,
    MissingReport.Outcome.RAN_AWAY,
    MissingReport.Outcome.FALSE_REPORT,
}


def _cancel_parent_samples(actor, report: MissingReport) -> None:
    """The report's open parent sample requests are cancelled, and so is a parent's request in the DNA
    database's queue unless another open report still asks for that parent's sample."""
    from fanguai.dna.models import Category
    from fanguai.dna.services import cancel_sampling_requests

    reason = _("Missing-person report %(number)s closed: %(outcome)s") % {
        "number": report.number,
        "outcome": report.get_outcome_display(),
    }
    cancelled = _cancel_sample_requests(
        actor, BloodSampleRequest.objects.filter(report=report, donor=BloodSampleRequest.Donor.PARENT), reason
    )
    for parent in {request.person_id: request.person for request in cancelled}.values():
        still_asked = BloodSampleRequest.objects.filter(
            person=parent,
            donor=BloodSampleRequest.Donor.PARENT,
            status=BloodSampleRequest.Status.OPEN,
            report__status=MissingReport.Status.OPEN,
        ).exists()
        if not still_asked:
            cancel_sampling_requests(actor=actor, person=parent, reason=reason, categories=[Category.PARENT])


@transaction.atomic
def save_step(*, actor, step: SearchStep | None = None, **fields) -> SearchStep:
    """Add or change a checklist step (the joint conference office configures the checklist)."""
    _require(actor.has_role(Role.OFFICE_STAFF))
    step = step or SearchStep()
    changed = [name for name, value in fields.items() if getattr(step, name, None) != value]
    for name, value in fields.items():
        setattr(step, name, value)
    step.full_clean()
    step.save()
    record_event(
        "missing_step.save",
        actor=actor,
        object_type="missing.searchstep",
        object_id=step.pk,
        changed_fields=changed,
    )
    return step


# --- unidentified persons, screenings and blood sample requests ----------------------------------------


@transaction.atomic
def record_unidentified(
    *,
    actor,
    kind: str,
    found_at,
    found_place: str,
    sex: str = Person.Sex.UNKNOWN,
    estimated_age: str = "",
    description: str = "",
    region=None,
    latitude=None,
    longitude=None,
) -> UnidentifiedPerson:
    _require(policy_for(UnidentifiedPerson).can(actor, "create"))
    person = register_person(
        actor=actor, sex=sex, region=region, identity_status=Person.IdentityStatus.UNKNOWN
    )
    record = UnidentifiedPerson(
        person=person,
        kind=kind,
        found_at=found_at,
        found_place=found_place,
        region=region,
        county=region.county if region else actor.unit.county,
        latitude=latitude,
        longitude=longitude,
        estimated_age=estimated_age,
        description=description,
        owner_unit=actor.unit,
        created_by=actor,
    )
    record.full_clean()
    record.save()
    record_event(
        "unidentified.create",
        actor=actor,
        object_type="missing.unidentifiedperson",
        object_id=record.pk,
        changed_fields=["kind", "found_at", "found_place", "description"],
    )
    return record


@transaction.atomic
def set_unidentified_status(*, actor, record: UnidentifiedPerson, status: str) -> UnidentifiedPerson:
    """Identified (by papers, fingerprints, a relative) or closed: a blood sample of the person is no longer
    needed, so the record's open sample requests are cancelled here and in the DNA database's queue."""
    _require(policy_for(UnidentifiedPerson).can(actor, "change", record))
    record.status = status
    record.full_clean()
    record.save(update_fields=["status"])
    record_event(
        "unidentified.status",
        actor=actor,
        object_type="missing.unidentifiedperson",
        object_id=record.pk,
        changed_fields=["status"],
        details={"status": status},
    )
    if status == UnidentifiedPerson.Status.IDENTIFIED:
        mark_identified(actor=actor, person=record.person, source=f"unidentified:{record.number}")
    if status != UnidentifiedPerson.Status.OPEN:
        from fanguai.dna.models import FOUND_SIDE
        from fanguai.dna.services import cancel_sampling_requests

        reason = _("Unidentified person %(number)s: %(status)s") % {
            "number": record.number,
            "status": record.get_status_display(),
        }
        _cancel_sample_requests(actor, BloodSampleRequest.objects.filter(unidentified=record), reason)
        cancel_sampling_requests(actor=actor, person=record.person, reason=reason, categories=FOUND_SIDE)
    return record


def _cancel_sample_requests(actor, requests, reason: str) -> list[BloodSampleRequest]:
    """Cancel the open blood sample requests among `requests` (the calling service checked the policy)."""
    cancelled = []
    for request in requests.select_for_update().filter(status=BloodSampleRequest.Status.OPEN):
        request.status = BloodSampleRequest.Status.CANCELLED
        request.save(update_fields=["status"])
        record_event(
            "sample_request.cancel",
            actor=actor,
            object_type="missing.bloodsamplerequest",
            object_id=request.pk,
            changed_fields=["status"],
            details={"reason": str(reason)},
        )
        cancelled.append(request)
    return cancelled


@transaction.atomic
def record_screening(
    *,
    actor,
    reason: str,
    screened_on,
    screening_unit: Unit | None = None,
    child: Person | None = None,
    full_name: str = "",
    sex: str = Person.Sex.UNKNOWN,
    birth_date=None,
    region=None,
    notes: str = "",
) -> Screening:
    _require(policy_for(Screening).can(actor, "create"))
    if child is None:
        child = register_person(
            actor=actor,
            full_name=full_name,
            sex=sex,
            birth_date=birth_date,
            region=region,
            identity_status=Person.IdentityStatus.KNOWN if full_name else Person.IdentityStatus.UNKNOWN,
        )
    elif not policy_for(Person).can_view(actor, child):
        raise PermissionDenied
    screening = Screening(
        child=child,
        reason=reason,
        screening_unit=screening_unit or actor.unit,
        screened_on=screened_on,
        notes=notes,
        county=(region.county if region else None) or child.county or actor.unit.county,
        created_by=actor,
    )
    screening.full_clean()
    screening.save()
    record_event(
        "screening.create",
        actor=actor,
        object_type="missing.screening",
        object_id=screening.pk,
        changed_fields=["child", "reason", "screening_unit", "screened_on", *(["notes"] if notes else [])],
    )
    return screening


@transaction.atomic
def set_screening_result(*, actor, screening: Screening, result: str, notes: str = "") -> Screening:
    _require(policy_for(Screening).can(actor, "change", screening))
    if result == Screening.Result.SAMPLE_NEEDED:
        request_blood_sample(actor=actor, screening=screening, reason=notes)
        return Screening.objects.get(pk=screening.pk)
    screening.result = result
    if notes:
        screening.notes = notes
    screening.full_clean()
    changed = ["result", *(["notes"] if notes else [])]
    if result == Screening.Result.REFERRED and screening.clue_id is None:
        screening.clue = _refer_screening(actor, screening)
        changed.append("clue")
    screening.save()
    record_event(
        "screening.result",
        actor=actor,
        object_type="missing.screening",
        object_id=screening.pk,
        changed_fields=changed,
        details={"result": result, **({"clue": screening.clue_id} if "clue" in changed else {})},
    )
    return screening


def _refer_screening(actor, screening: Screening):
    """Referred to investigation: a clue is filed through the clues service, so that the office triages it
    and transfers it to the unit that investigates, with its acknowledgement deadline."""
    from fanguai.clues import services as clue_services
    from fanguai.clues.models import Category, Source

    child = screening.child
    description = _(
        "Screening of a child of unknown origin referred to investigation: %(child)s, %(reason)s, "
        "screened on %(day)s by %(unit)s."
    ) % {
        "child": child.full_name or child.number,
        "reason": screening.get_reason_display(),
        "day": screening.screened_on.isoformat(),
        "unit": screening.screening_unit.name,
    }
    if screening.notes:
        description = f"{description}\n{screening.notes}"[:2000]
    return clue_services.record_clue(
        actor=actor,
        source=Source.POLICE,
        category=Category.TRAFFICKING,
        description=description,
        region=child.region or screening.county,
    )


def dna_lab_unit() -> Unit | None:
    return _unit(getattr(settings, "MISSING_DNA_LAB_UNIT", "341500-dna-lab"))


@transaction.atomic
def _queue_in_dna_database(actor, person: Person, donor: str, unidentified, reason: str) -> None:
    """Put the request in the collecting police unit's queue of the DNA database: the county police of the
    requesting unit (or the requesting unit itself when it is police)."""
    from fanguai.dna.models import Category
    from fanguai.dna.services import request_sampling

    category = {
        BloodSampleRequest.Donor.CHILD: Category.UNKNOWN_ORIGIN,
        BloodSampleRequest.Donor.PARENT: Category.PARENT,
        BloodSampleRequest.Donor.UNIDENTIFIED: Category.UNIDENTIFIED
        if unidentified is not None and unidentified.kind == UnidentifiedPerson.Kind.BODY
        else Category.RESCUED,
    }[donor]
    request_sampling(
        actor=actor,
        person=person,
        category=category,
        collecting_unit=collecting_police_unit(actor.unit),
        reason=reason[:300],
    )


def collecting_police_unit(unit: Unit) -> Unit:
    if unit.sector == Unit.Sector.POLICE:
        return unit
    code = f"{unit.county.code}-police" if unit.county else "341500-police"
    return Unit.objects.filter(code=code).first() or unit


def request_blood_sample(
    *,
    actor,
    screening: Screening | None = None,
    unidentified: UnidentifiedPerson | None = None,
    report: MissingReport | None = None,
    parent: Person | None = None,
    reason: str = "",
) -> BloodSampleRequest:
    """The action "blood sample needed": one open request per donor and source, handed to the DNA module."""
    if screening is not None:
        _require(policy_for(Screening).can(actor, "change", screening))
        person, donor, source = screening.child, BloodSampleRequest.Donor.CHILD, {"screening": screening}
    elif unidentified is not None:
        _require(policy_for(UnidentifiedPerson).can(actor, "change", unidentified))
        person, donor, source = (
            unidentified.person,
            BloodSampleRequest.Donor.UNIDENTIFIED,
            {"unidentified": unidentified},
        )
    elif report is not None and parent is not None:
        _require(policy_for(MissingReport).can(actor, "change", report))
        person, donor, source = parent, BloodSampleRequest.Donor.PARENT, {"report": report}
    else:
        raise ValueError("a sample request needs a screening, an unidentified person or a report and parent")
    existing = BloodSampleRequest.objects.filter(
        person=person, status=BloodSampleRequest.Status.OPEN, **source
    ).first()
    if existing is not None:
        return existing
    sample = BloodSampleRequest.objects.create(
        person=person,
        donor=donor,
        reason=reason[:300],
        requesting_unit=actor.unit,
        created_by=actor,
        **source,
    )
    _queue_in_dna_database(actor, person, donor, unidentified, reason)
    if screening is not None and screening.result != Screening.Result.SAMPLE_NEEDED:
        screening.result = Screening.Result.SAMPLE_NEEDED
        screening.save(update_fields=["result"])
    record_event(
        "sample_request.create",
        actor=actor,
        object_type="missing.bloodsamplerequest",
        object_id=sample.pk,
        changed_fields=["person", "donor", *source.keys()],
        details={"donor": donor},
    )
    lab = dna_lab_unit()
    if lab is not None:
        notify(
            units=[lab],
            roles=[Role.DNA_ANALYST],
            kind="missing.blood_sample_needed",
            subject=_("Blood sample requested by %(unit)s") % {"unit": actor.unit.name},
            link=reverse("missing:sample_list"),
        )
    return sample


@transaction.atomic
def hand_over_sample_request(*, actor, request: BloodSampleRequest, dna_reference: str) -> BloodSampleRequest:
    """Called by the DNA module (or a DNA analyst on the page) once the sample is collected and registered
    there: the request is closed with the DNA module's own specimen reference."""
    if actor is not None:
        _require(policy_for(BloodSampleRequest).can(actor, "hand_over", request))
    request = BloodSampleRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != BloodSampleRequest.Status.OPEN:
        raise ValidationError(_("The request is no longer open."))
    _mark_handed_over(request, actor=actor, dna_reference=dna_reference, at=timezone.now())
    return request


def _mark_handed_over(request: BloodSampleRequest, *, actor, dna_reference: str, at, **details) -> None:
    """Close an open (locked) request with the DNA module's specimen reference, and audit it: the one way a
    request is handed over, on the page or when the DNA database registers the person's sample."""
    request.status = BloodSampleRequest.Status.HANDED_OVER
    request.dna_reference = dna_reference.strip()[:64]
    request.handed_over_at = at
    request.save(update_fields=["status", "dna_reference", "handed_over_at"])
    record_event(
        "sample_request.hand_over",
        actor=actor,
        object_type="missing.bloodsamplerequest",
        object_id=request.pk,
        changed_fields=["status", "dna_reference", "handed_over_at"],
        **({"details": details} if details else {}),
    )


# --- follow-through from the DNA database (issue 14, item 3) --------------------------------------------------

# The checklist step met when a parent's blood sample is registered (the default step 采集失踪儿童父母血样).
PARENT_SAMPLE_STEP = "dna"


def close_sample_requests(*, actor, person: Person, dna_reference: str) -> list[BloodSampleRequest]:
    """A sample of the person was registered in the DNA database: every open blood sample request for that
    person is taken over with the specimen's reference (the DNA service has checked who may do that)."""
    closed = []
    now = timezone.now()
    for request in BloodSampleRequest.objects.select_for_update().filter(
        person=person, status=BloodSampleRequest.Status.OPEN
    ):
        _mark_handed_over(request, actor=actor, dna_reference=dna_reference, at=now, automatic=True)
        closed.append(request)
    return closed


def reports_of_parent(person: Person, *, report_number: str = "", missing_person_id: int | None = None):
    """The open reports a parent's sample answers: the report named, the open reports on the missing child,
    and the reports whose parent sample request names this person."""
    from django.db.models import Q

    condition = Q(sample_requests__person=person, sample_requests__donor=BloodSampleRequest.Donor.PARENT)
    if report_number.strip():
        condition |= Q(number=report_number.strip().upper())
    if missing_person_id:
        condition |= Q(person_id=missing_person_id)
    return MissingReport.objects.filter(condition, status=MissingReport.Status.OPEN).distinct()


def meet_parent_sample_step(*, actor, report: MissingReport, specimen_id: int) -> SearchTask | None:
    """A parent's blood sample was registered: the step 采集失踪儿童父母血样 of the report is done."""
    task = (
        SearchTask.objects.select_for_update(of=("self",))
        .select_related("step")
        .filter(report=report, step__code=PARENT_SAMPLE_STEP, done_at__isnull=True)
        .first()
    )
    if task is None:
        return None
    notes = _("Blood sample of a parent registered in the DNA database")
    _mark_step_done(task, actor=actor, notes=notes, specimen=specimen_id)
    return task


def settle_reunion(
    *, actor, found_person: Person, report: MissingReport | None, found_dead: bool, reunion_id: int
) -> None:
    """A DNA-confirmed reunion was recorded (dna.services.record_reunion; its policy decided who may): the
    unidentified person behind the found side is identified, and the missing-person report on the other side
    is resolved as found, its open checklist steps cancelled and its alert cleared."""
    from . import alerts
    from .models import Alert

    for record in UnidentifiedPerson.objects.select_for_update().filter(
        person=found_person, status=UnidentifiedPerson.Status.OPEN
    ):
        record.status = UnidentifiedPerson.Status.IDENTIFIED
        record.save(update_fields=["status"])
        record_event(
            "unidentified.status",
            actor=actor,
            object_type="missing.unidentifiedperson",
            object_id=record.pk,
            changed_fields=["status"],
            details={"status": record.status, "reunion": reunion_id},
        )
    mark_identified(actor=actor, person=found_person, source=f"reunion:{reunion_id}")
    if report is None:
        return
    report = MissingReport.objects.select_for_update().get(pk=report.pk)
    if not report.is_open:
        return
    report.status = MissingReport.Status.CLOSED
    report.outcome = MissingReport.Outcome.FOUND_DEAD if found_dead else MissingReport.Outcome.FOUND_SAFE
    report.outcome_at = timezone.now()
    report.outcome_notes = _("Found: identified by a DNA match (reunion recorded)")
    report.save(update_fields=["status", "outcome", "outcome_at", "outcome_notes"])
    for task in report.tasks.filter(done_at__isnull=True):
        cancel_deadline(target=task, kind=RAPID_SEARCH_STEP, actor=actor)
    record_event(
        "missing_report.outcome",
        actor=actor,
        object_type=REPORT,
        object_id=report.pk,
        changed_fields=["status", "outcome", "outcome_at", "outcome_notes"],
        details={"outcome": report.outcome, "reunion": reunion_id},
    )
    for alert in report.alerts.filter(status__in=[Alert.Status.ACTIVE, Alert.Status.PENDING]):
        # The alert's own managers are told through the CAP update; an actor of another unit acts for the
        # reunion, so the clearing is recorded without them where the alert policy does not name them.
        manager = actor if policy_for(Alert).can(actor, "manage", alert) else None
        alerts.clear_alert(actor=manager, alert=alert, reason="found")
