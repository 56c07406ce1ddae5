"""Every write of supervision. Each runs in one transaction, writes a timeline row and an audit event (which
names fields, never values). Bad input raises django's ValidationError with a message per field, before
anything is written."""

from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fanguai.accounts.roles import Role
from fanguai.audit.services import record_event
from fanguai.core.policies import policy_for
from fanguai.deadlines.services import create_deadline, end_of_day, meet_deadline
from fanguai.files.services import store_upload
from fanguai.notifications.services import notify
from fanguai.org.models import Region

from . import conf
from .deadline_kinds import LISTING, RECTIFICATION
from .models import (
    Finding,
    Inspection,
    LiftRequest,
    Listing,
    ListingWarning,
    ProgressReport,
    Rectification,
    RectificationReport,
    TimelineEntry,
)

LISTING_FIELDS = (
    "kind",
    "title",
    "case_reference",
    "region",
    "problem",
    "requirements",
    "responsible_unit",
    "due_date",
)
INSPECTION_FIELDS = (
    "kind",
    "title",
    "target_unit",
    "target_region",
    "institution",
    "scheduled_for",
    "team",
    "scope",
)
COUNTY_LEVELS = (Region.Level.COUNTY, Region.Level.ZONE)


def today() -> date:
    return timezone.localdate()


def _step(action: str, *, actor=None, note: str = "", **on) -> TimelineEntry:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return TimelineEntry.objects.create(
        action=action, note=note, actor=user, actor_unit=getattr(user, "unit", None), **on
    )


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _office_users() -> list:
    users = get_user_model().objects.filter(role=Role.OFFICE_STAFF, is_active=True, unit__isnull=False)
    return [u for u in users.select_related("unit__region__parent") if u.is_city_level]


def _check_future(errors: dict, field: str, day, *, allow_today: bool = True) -> None:
    if day is not None and (day < today() or (day == today() and not allow_today)):
        errors[field] = _("The date cannot be in the past.")


# Listing supervision ------------------------------------------------------------------------------------------


def check_listing_fields(fields: dict, *, is_new: bool = True) -> None:
    """Raise ValidationError naming each field at fault."""
    errors: dict[str, str] = {}
    if not str(fields.get("title") or "").strip():
        errors["title"] = _("Give the listing a title.")
    if not str(fields.get("requirements") or "").strip():
        errors["requirements"] = _("State what the unit must do.")
    if fields.get("responsible_unit") is None:
        errors["responsible_unit"] = _("Choose the responsible unit.")
    kind = fields.get("kind")
    if kind not in Listing.Kind.values:
        errors["kind"] = _("Choose a key case or a key area.")
    elif kind == Listing.Kind.CASE and not str(fields.get("case_reference") or "").strip():
        errors["case_reference"] = _("A key case needs its case reference.")
    elif kind == Listing.Kind.AREA:
        if fields.get("region") is None:
            errors["region"] = _("A key area needs its region.")
        if not str(fields.get("problem") or "").strip():
            errors["problem"] = _("Describe the problem of the area.")
    if fields.get("due_date") is None:
        errors["due_date"] = _("Set a deadline.")
    else:
        _check_future(errors, "due_date", fields["due_date"])
    if errors:
        raise ValidationError(errors)


def _link_case(listing: Listing) -> None:
    """A key case whose reference is a case number of the platform points at that case record."""
    from fanguai.cases.models import Case

    reference = listing.case_reference.strip() if listing.kind == Listing.Kind.CASE else ""
    listing.case = Case.objects.filter(number=reference).first() if reference else None


def _listing_deadline(listing: Listing, actor) -> None:
    create_deadline(
        target=listing,
        kind=LISTING,
        due_at=listing.due_at,
        responsible_unit=listing.responsible_unit,
        warn_before=conf.warn_window(),
        actor=actor,
    )


@transaction.atomic
def create_listing(*, actor, **fields) -> Listing:
    _require(policy_for(Listing).can(actor, "create"))
    unknown = set(fields) - set(LISTING_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    check_listing_fields(fields)
    listing = Listing(listed_by=actor, **fields)
    _link_case(listing)
    listing.due_at = end_of_day(listing.due_date)
    listing.save()
    _listing_deadline(listing, actor)
    _step("listing.create", actor=actor, note=listing.requirements, listing=listing)
    record_event(
        "listing.create",
        actor=actor,
        object_type="supervision.listing",
        object_id=listing.pk,
        changed_fields=[f for f in LISTING_FIELDS if getattr(listing, f) not in ("", None)],
        details={"unit": listing.responsible_unit.code},
    )
    notify(
        units=[listing.responsible_unit],
        subject=_("Listed for supervision: %(number)s, due %(due)s")
        % {"number": listing.number, "due": listing.due_date.isoformat()},
        body=listing.title,
        link=listing.get_absolute_url(),
        kind="supervision.listing",
    )
    return listing


@transaction.atomic
def update_listing(*, actor, listing: Listing, **changes) -> Listing:
    _require(policy_for(Listing).can(actor, "change", listing))
    unknown = set(changes) - set(LISTING_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    merged = {f: changes.get(f, getattr(listing, f)) for f in LISTING_FIELDS}
    if merged["due_date"] == listing.due_date:
        # An unchanged deadline that has passed may stay; only a new date must lie ahead.
        merged["due_date"] = max(merged["due_date"], today())
    check_listing_fields(merged)
    changed = [name for name, value in changes.items() if getattr(listing, name) != value]
    if not changed:
        return listing
    for name in changed:
        setattr(listing, name, changes[name])
    listing.due_at = end_of_day(listing.due_date)
    _link_case(listing)
    listing.save()
    if {"due_date", "responsible_unit"} & set(changed):
        _listing_deadline(listing, actor)
    _step("listing.update", actor=actor, note=", ".join(changed), listing=listing)
    record_event(
        "listing.update",
        actor=actor,
        object_type="supervision.listing",
        object_id=listing.pk,
        changed_fields=changed,
    )
    return listing


@transaction.atomic
def report_progress(*, actor, listing: Listing, text: str, upload=None) -> ProgressReport:
    _require(policy_for(Listing).can(actor, "report", listing))
    if not text or not text.strip():
        raise ValidationError({"text": _("Describe the progress.")})
    report = ProgressReport.objects.create(
        listing=listing, text=text.strip(), unit=actor.unit, created_by=actor
    )
    if upload is not None:
        store_upload(actor=actor, upload=upload, attach_to=report)
    _step("listing.report", actor=actor, note=report.text, listing=listing)
    record_event(
        "listing.report",
        actor=actor,
        object_type="supervision.progressreport",
        object_id=report.pk,
        changed_fields=["text", *(["file"] if upload is not None else [])],
        details={"listing": listing.pk},
    )
    return report


@transaction.atomic
def attach_to_listing(*, actor, listing: Listing, upload):
    _require(policy_for(Listing).can(actor, "attach", listing))
    stored = store_upload(actor=actor, upload=upload, attach_to=listing)
    _step("listing.attach", actor=actor, listing=listing)
    return stored


@transaction.atomic
def request_lift(*, actor, listing: Listing, reason: str) -> LiftRequest:
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    _require(policy_for(Listing).can(actor, "request_lift", listing))
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Say why the listing can be lifted.")})
    request = LiftRequest.objects.create(listing=listing, reason=reason.strip(), requested_by=actor)
    listing.status = Listing.Status.LIFT_REQUESTED
    listing.save(update_fields=["status", "updated_at"])
    _step("listing.lift_request", actor=actor, note=request.reason, listing=listing)
    record_event(
        "listing.lift_request",
        actor=actor,
        object_type="supervision.listing",
        object_id=listing.pk,
        changed_fields=["status"],
        details={"request": request.pk},
    )
    notify(
        recipients=_office_users(),
        subject=_("Lifting requested: %(number)s by %(unit)s")
        % {"number": listing.number, "unit": listing.responsible_unit.name},
        body=request.reason,
        link=listing.get_absolute_url(),
        kind="supervision.lift_request",
    )
    return request


@transaction.atomic
def decide_lift(*, actor, listing: Listing, approve: bool, note: str = "") -> LiftRequest:
    """The office approves the unit's request (the listing is lifted) or refuses it with a reason."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    _require(policy_for(Listing).can(actor, "decide_lift", listing))
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("Give the reason for refusing.")})
    request = listing.lift_requests.filter(decision=LiftRequest.Decision.PENDING).order_by("-id").first()
    if request is None:
        raise ValidationError({"note": _("There is no pending request.")})
    now = timezone.now()
    request.decision = LiftRequest.Decision.APPROVED if approve else LiftRequest.Decision.REFUSED
    request.decided_by, request.decided_at, request.decision_note = actor, now, note
    request.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    if approve:
        listing.status, listing.lifted_at = Listing.Status.LIFTED, now
        listing.save(update_fields=["status", "lifted_at", "updated_at"])
        meet_deadline(target=listing, kind=LISTING, actor=actor)
    else:
        listing.status = Listing.Status.ACTIVE
        listing.save(update_fields=["status", "updated_at"])
    action = "listing.lift_approve" if approve else "listing.lift_refuse"
    _step(action, actor=actor, note=note, listing=listing)
    record_event(
        action,
        actor=actor,
        object_type="supervision.listing",
        object_id=listing.pk,
        changed_fields=["status", *(["lifted_at"] if approve else [])],
        details={"request": request.pk},
    )
    subject = (_("Listing lifted: %(number)s") if approve else _("Lifting refused: %(number)s")) % {
        "number": listing.number
    }
    notify(
        units=[listing.responsible_unit],
        subject=subject,
        body=note,
        link=listing.get_absolute_url(),
        kind="supervision.lift_decision",
    )
    return request


# Warnings -----------------------------------------------------------------------------------------------------


def last_activity(listing: Listing) -> datetime:
    """The newest progress report, or the listing itself when there is none."""
    latest = (
        listing.reports.filter(withdrawn_at__isnull=True)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return max(latest, listing.created_at) if latest else listing.created_at


def _in_force(listing: Listing, level: str) -> bool:
    rows = listing.warnings.filter(level=level, due_at=listing.due_at)
    if level == ListingWarning.Level.YELLOW:
        latest = (
            listing.reports.filter(withdrawn_at__isnull=True)
            .order_by("-created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        if latest:
            rows = rows.filter(created_at__gt=latest)
    return rows.exists()


def _issue(listing: Listing, level: str, reason: str) -> ListingWarning:
    warning = ListingWarning.objects.create(
        listing=listing, level=level, reason=reason, due_at=listing.due_at
    )
    label = warning.get_level_display()
    rows = notify(
        recipients=_office_users(),
        units=[listing.responsible_unit],
        roles=[Role.LEADER],
        subject=_("%(level)s warning: listing %(number)s, due %(due)s")
        % {"level": label, "number": listing.number, "due": listing.due_date.isoformat()},
        body=reason,
        link=listing.get_absolute_url(),
        kind=f"supervision.warning.{level}",
    )
    warning.notified = len(rows)
    warning.save(update_fields=["notified"])
    _step(f"listing.warning.{level}", note=reason, listing=listing)
    record_event(
        "listing.warning",
        object_type="supervision.listing",
        object_id=listing.pk,
        details={"level": level, "warning": warning.pk, "notified": len(rows)},
    )
    return warning


@transaction.atomic
def warn_overdue(listing: Listing) -> ListingWarning | None:
    """The red warning: the deadline has passed. Issued once per deadline."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if not listing.is_open or _in_force(listing, ListingWarning.Level.RED):
        return None
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("The deadline %(due)s has passed.") % {"due": listing.due_date.isoformat()}
        return _issue(listing, ListingWarning.Level.RED, reason)


@transaction.atomic
def check_listing(listing: Listing, now: datetime | None = None) -> ListingWarning | None:
    """Issue the warning the listing is due, if any: red once past the deadline; yellow within the warning
    window before it when nothing was reported for the quiet period."""
    now = now or timezone.now()
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if not listing.is_open:
        return None
    if listing.due_at <= now:
        return warn_overdue(listing)
    window, quiet = conf.warn_window(), conf.quiet_period()
    if listing.due_at - window > now or last_activity(listing) > now - quiet:
        return None
    if _in_force(listing, ListingWarning.Level.YELLOW):
        return None
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("The deadline %(due)s is near and no progress was reported in the last %(days)s days.") % {
            "due": listing.due_date.isoformat(),
            "days": quiet.days,
        }
        return _issue(listing, ListingWarning.Level.YELLOW, reason)


def check_all_listings(now: datetime | None = None) -> int:
    """The periodic check: every open listing that is near or past its deadline. Returns warnings issued."""
    now = now or timezone.now()
    issued = 0
    candidates = Listing.objects.exclude(status=Listing.Status.LIFTED).filter(
        due_at__lte=now + conf.warn_window()
    )
    for listing in candidates.order_by("due_at"):
        issued += check_listing(listing, now=now) is not None
    return issued


# Inspections --------------------------------------------------------------------------------------------------


def check_inspection_fields(fields: dict) -> None:
    errors: dict[str, str] = {}
    if not str(fields.get("title") or "").strip():
        errors["title"] = _("Give the inspection a title.")
    kind = fields.get("kind")
    if kind not in Inspection.Kind.values:
        errors["kind"] = _("Choose the type of inspection.")
    region = fields.get("target_region")
    if region is not None and region.level not in COUNTY_LEVELS:
        errors["target_region"] = _("Choose a district or county.")
    unit = fields.get("target_unit")
    if unit is not None and region is not None and unit.county != region:
        errors["target_region"] = _("The inspected unit is not in the inspected county.")
    if kind == Inspection.Kind.PATERNITY_TESTING and not str(fields.get("institution") or "").strip():
        errors["institution"] = _("Name the testing institution.")
    elif not (fields.get("target_unit") or region or str(fields.get("institution") or "").strip()):
        errors["target_unit"] = _("Choose the unit or the county to inspect.")
    if fields.get("scheduled_for") is None:
        errors["scheduled_for"] = _("Set the date.")
    for name, message in (("team", _("Name the team.")), ("scope", _("Describe the scope."))):
        if not str(fields.get(name) or "").strip():
            errors[name] = message
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def schedule_inspection(*, actor, **fields) -> Inspection:
    _require(policy_for(Inspection).can(actor, "create"))
    unknown = set(fields) - set(INSPECTION_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    check_inspection_fields(fields)
    if fields["scheduled_for"] < today():
        raise ValidationError({"scheduled_for": _("The date cannot be in the past.")})
    inspection = Inspection.objects.create(created_by=actor, **fields)
    _step("inspection.create", actor=actor, note=inspection.scope, inspection=inspection)
    record_event(
        "inspection.create",
        actor=actor,
        object_type="supervision.inspection",
        object_id=inspection.pk,
        changed_fields=[f for f in INSPECTION_FIELDS if getattr(inspection, f) not in ("", None)],
    )
    if inspection.target_unit:
        notify(
            units=[inspection.target_unit],
            subject=_("Inspection scheduled: %(number)s on %(day)s")
            % {"number": inspection.number, "day": inspection.scheduled_for.isoformat()},
            body=inspection.scope,
            link=inspection.get_absolute_url(),
            kind="supervision.inspection",
        )
    return inspection


def earliest_inspection_date() -> date:
    """No inspection of this platform's work was held before the action plan was issued (the earliest plan
    loaded; the validators' floor when none is)."""
    from fanguai.core.validators import EARLIEST_DATE
    from fanguai.plans.models import Plan

    issued = Plan.objects.filter(issued__isnull=False).order_by("issued").values_list("issued", flat=True)
    return issued.first() or EARLIEST_DATE


def check_past_inspection_fields(fields: dict, conducted_on) -> None:
    """An inspection recorded after the fact: the inspection's own rules, and a date that has passed and lies
    within the plan's years."""
    errors: dict[str, str] = {}
    try:
        check_inspection_fields({**fields, "scheduled_for": conducted_on})
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items() if k != "scheduled_for"})
    if conducted_on is None:
        errors["conducted_on"] = _("Set the date.")
    elif conducted_on > today():
        errors["conducted_on"] = _("An inspection recorded after the fact cannot be in the future.")
    elif conducted_on < (floor := earliest_inspection_date()):
        errors["conducted_on"] = _("The date lies before the action plan (%(day)s).") % {
            "day": floor.isoformat()
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_past_inspection(*, actor, conducted_on: date, summary: str = "", **fields) -> Inspection:
    """Record an inspection that was held before it was entered: it is created as conducted on its date, and
    its findings and rectifications are then recorded as usual (a rectification already done may have a
    deadline in the past, see order_rectification)."""
    _require(policy_for(Inspection).can(actor, "create"))
    unknown = set(fields) - set(INSPECTION_FIELDS) - {"scheduled_for"}
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    fields.pop("scheduled_for", None)
    check_past_inspection_fields(fields, conducted_on)
    inspection = Inspection.objects.create(
        created_by=actor,
        scheduled_for=conducted_on,
        status=Inspection.Status.CONDUCTED,
        conducted_on=conducted_on,
        summary=(summary or "").strip(),
        **fields,
    )
    _step("inspection.record_past", actor=actor, note=inspection.scope, inspection=inspection)
    record_event(
        "inspection.record_past",
        actor=actor,
        object_type="supervision.inspection",
        object_id=inspection.pk,
        changed_fields=[
            *(f for f in INSPECTION_FIELDS if getattr(inspection, f) not in ("", None)),
            "status",
            "conducted_on",
            *(["summary"] if inspection.summary else []),
        ],
    )
    return inspection


@transaction.atomic
def update_inspection(*, actor, inspection: Inspection, **changes) -> Inspection:
    _require(policy_for(Inspection).can(actor, "change", inspection))
    unknown = set(changes) - set(INSPECTION_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    check_inspection_fields({f: changes.get(f, getattr(inspection, f)) for f in INSPECTION_FIELDS})
    changed = [name for name, value in changes.items() if getattr(inspection, name) != value]
    if changed:
        for name in changed:
            setattr(inspection, name, changes[name])
        inspection.save()
        _step("inspection.update", actor=actor, note=", ".join(changed), inspection=inspection)
        record_event(
            "inspection.update",
            actor=actor,
            object_type="supervision.inspection",
            object_id=inspection.pk,
            changed_fields=changed,
        )
    return inspection


@transaction.atomic
def record_conduct(*, actor, inspection: Inspection, conducted_on: date, summary: str = "") -> Inspection:
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _require(policy_for(Inspection).can(actor, "conduct", inspection))
    if conducted_on is None:
        raise ValidationError({"conducted_on": _("Set the date.")})
    if conducted_on > today():
        raise ValidationError({"conducted_on": _("The date cannot be in the future.")})
    inspection.status = Inspection.Status.CONDUCTED
    inspection.conducted_on, inspection.summary = conducted_on, (summary or "").strip()
    inspection.save(update_fields=["status", "conducted_on", "summary", "updated_at"])
    _step("inspection.conduct", actor=actor, note=inspection.summary, inspection=inspection)
    record_event(
        "inspection.conduct",
        actor=actor,
        object_type="supervision.inspection",
        object_id=inspection.pk,
        changed_fields=["status", "conducted_on", "summary"],
    )
    return inspection


@transaction.atomic
def close_inspection(*, actor, inspection: Inspection, note: str = "") -> Inspection:
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _require(policy_for(Inspection).can(actor, "close", inspection))
    inspection.status = Inspection.Status.CLOSED
    inspection.save(update_fields=["status", "updated_at"])
    _step("inspection.close", actor=actor, note=(note or "").strip(), inspection=inspection)
    record_event(
        "inspection.close",
        actor=actor,
        object_type="supervision.inspection",
        object_id=inspection.pk,
        changed_fields=["status"],
    )
    return inspection


@transaction.atomic
def record_finding(*, actor, inspection: Inspection, description: str, severity: str) -> Finding:
    _require(policy_for(Inspection).can(actor, "add_finding", inspection))
    errors = {}
    if not description or not description.strip():
        errors["description"] = _("Describe the finding.")
    if severity not in Finding.Severity.values:
        errors["severity"] = _("Choose the severity.")
    if errors:
        raise ValidationError(errors)
    finding = Finding.objects.create(
        inspection=inspection, description=description.strip(), severity=severity, created_by=actor
    )
    _step("finding.create", actor=actor, note=finding.description, inspection=inspection)
    record_event(
        "finding.create",
        actor=actor,
        object_type="supervision.finding",
        object_id=finding.pk,
        changed_fields=["description", "severity"],
        details={"inspection": inspection.pk},
    )
    return finding


def _rectification_deadline(rectification: Rectification, actor) -> None:
    create_deadline(
        target=rectification,
        kind=RECTIFICATION,
        due_at=rectification.due_at,
        responsible_unit=rectification.responsible_unit,
        warn_before=conf.rectification_warn_before(),
        actor=actor,
    )


def _notify_rectification(rectification: Rectification, subject: str, body: str = "") -> None:
    notify(
        units=[rectification.responsible_unit],
        subject=subject % {"number": rectification.number, "due": rectification.due_date.isoformat()},
        body=body,
        link=rectification.get_absolute_url(),
        kind="supervision.rectification",
    )


@transaction.atomic
def order_rectification(
    *,
    actor,
    finding: Finding,
    responsible_unit,
    requirement: str,
    due_date: date,
    rectified_on: date | None = None,
    rectified_text: str = "",
) -> Rectification:
    """Order a rectification by a deadline after the inspection. For an inspection recorded after the fact, a
    rectification already done is recorded with the day it was done and what was done: its deadline may then
    have passed, and it is closed at once."""
    _require(policy_for(Finding).can(actor, "rectify", finding))
    inspection = finding.inspection
    held_on = inspection.conducted_on  # None while the inspection is only scheduled
    errors: dict[str, str] = {}
    if responsible_unit is None:
        errors["responsible_unit"] = _("Choose the responsible unit.")
    if not requirement or not requirement.strip():
        errors["requirement"] = _("State what must be rectified.")
    rectified_text = (rectified_text or "").strip()
    if rectified_on is not None:
        if held_on is None:
            errors["rectified_on"] = _("Record the inspection as conducted first.")
        elif rectified_on > today():
            errors["rectified_on"] = _("This date cannot be in the future.")
        elif rectified_on < held_on:
            errors["rectified_on"] = _(
                "The rectification cannot be done before the inspection (%(day)s)."
            ) % {"day": held_on.isoformat()}
        if not rectified_text:
            errors["rectified_text"] = _("Describe what was done.")
    elif rectified_text:
        errors["rectified_on"] = _("Give the day the rectification was done.")
    if due_date is None:
        errors["due_date"] = _("Set a deadline.")
    elif held_on is not None and due_date < held_on:
        errors["due_date"] = _("The deadline cannot fall before the inspection (%(day)s).") % {
            "day": held_on.isoformat()
        }
    elif rectified_on is None:
        _check_future(errors, "due_date", due_date)
    if errors:
        raise ValidationError(errors)
    rectification = Rectification.objects.create(
        finding=finding,
        inspection=inspection,
        responsible_unit=responsible_unit,
        requirement=requirement.strip(),
        due_date=due_date,
        due_at=end_of_day(due_date),
        ordered_by=actor,
    )
    _step("rectification.create", actor=actor, note=rectification.requirement, rectification=rectification)
    record_event(
        "rectification.create",
        actor=actor,
        object_type="supervision.rectification",
        object_id=rectification.pk,
        changed_fields=["responsible_unit", "requirement", "due_date"],
        details={"unit": responsible_unit.code, "finding": finding.pk},
    )
    if rectified_on is not None:
        _record_done_rectification(actor, rectification, rectified_on, rectified_text)
        return rectification
    _rectification_deadline(rectification, actor)
    _notify_rectification(
        rectification, _("Rectification ordered: %(number)s, due %(due)s"), rectification.requirement
    )
    return rectification


def _record_done_rectification(actor, rectification: Rectification, rectified_on: date, text: str) -> None:
    """A rectification done before it was entered: the unit's report and the office's acceptance, recorded
    by the office from the inspection's papers; no deadline is opened."""
    report = RectificationReport.objects.create(
        rectification=rectification, text=text, unit=rectification.responsible_unit, created_by=actor
    )
    rectification.status = Rectification.Status.CLOSED
    rectification.closed_at = end_of_day(rectified_on)
    rectification.save(update_fields=["status", "closed_at"])
    note = _("Rectified on %(day)s (recorded after the fact).") % {"day": rectified_on.isoformat()}
    _step("rectification.report", actor=actor, note=text, rectification=rectification)
    _step("rectification.accept", actor=actor, note=note, rectification=rectification)
    record_event(
        "rectification.record_past",
        actor=actor,
        object_type="supervision.rectification",
        object_id=rectification.pk,
        changed_fields=["status", "closed_at"],
        details={"report": report.pk},
    )


@transaction.atomic
def report_rectification(
    *, actor, rectification: Rectification, text: str, upload=None
) -> RectificationReport:
    rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
    _require(policy_for(Rectification).can(actor, "report", rectification))
    if not text or not text.strip():
        raise ValidationError({"text": _("Describe what was done.")})
    report = RectificationReport.objects.create(
        rectification=rectification, text=text.strip(), unit=actor.unit, created_by=actor
    )
    if upload is not None:
        store_upload(actor=actor, upload=upload, attach_to=report)
    rectification.status = Rectification.Status.REPORTED
    rectification.save(update_fields=["status"])
    meet_deadline(target=rectification, kind=RECTIFICATION, actor=actor)
    _step("rectification.report", actor=actor, note=report.text, rectification=rectification)
    record_event(
        "rectification.report",
        actor=actor,
        object_type="supervision.rectification",
        object_id=rectification.pk,
        changed_fields=["status", *(["file"] if upload is not None else [])],
        details={"report": report.pk},
    )
    notify(
        recipients=_office_users(),
        subject=_("Rectification reported: %(number)s by %(unit)s")
        % {"number": rectification.number, "unit": rectification.responsible_unit.name},
        link=rectification.get_absolute_url(),
        kind="supervision.rectification",
    )
    return report


@transaction.atomic
def accept_rectification(*, actor, rectification: Rectification, note: str = "") -> Rectification:
    rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
    _require(policy_for(Rectification).can(actor, "review", rectification))
    rectification.status, rectification.closed_at = Rectification.Status.CLOSED, timezone.now()
    rectification.save(update_fields=["status", "closed_at"])
    _step("rectification.accept", actor=actor, note=(note or "").strip(), rectification=rectification)
    record_event(
        "rectification.accept",
        actor=actor,
        object_type="supervision.rectification",
        object_id=rectification.pk,
        changed_fields=["status", "closed_at"],
    )
    _notify_rectification(rectification, _("Rectification accepted: %(number)s"), note)
    return rectification


@transaction.atomic
def reopen_rectification(*, actor, rectification: Rectification, note: str, due_date: date) -> Rectification:
    rectification = Rectification.objects.select_for_update().get(pk=rectification.pk)
    _require(policy_for(Rectification).can(actor, "review", rectification))
    errors: dict[str, str] = {}
    if not note or not note.strip():
        errors["note"] = _("Say what is still missing.")
    if due_date is None:
        errors["due_date"] = _("Set a deadline.")
    else:
        _check_future(errors, "due_date", due_date)
    if errors:
        raise ValidationError(errors)
    rectification.status = Rectification.Status.OPEN
    rectification.due_date, rectification.due_at = due_date, end_of_day(due_date)
    rectification.save(update_fields=["status", "due_date", "due_at"])
    _rectification_deadline(rectification, actor)
    _step("rectification.reopen", actor=actor, note=note.strip(), rectification=rectification)
    record_event(
        "rectification.reopen",
        actor=actor,
        object_type="supervision.rectification",
        object_id=rectification.pk,
        changed_fields=["status", "due_date"],
    )
    _notify_rectification(rectification, _("Rectification reopened: %(number)s, due %(due)s"), note.strip())
    return rectification


# Corrections of reports -----------------------------------------------------------------------------------------
# A unit's progress report on a listing, or its rectification report, may be corrected (a new version) or
# withdrawn by the unit until the office accepts it: lifts the listing, or accepts the rectification. Each step
# is a row of the timeline with the reason and, for a correction, the text it replaced.


def report_is_final(report) -> bool:
    """Whether the office has accepted what the report reports (or the unit withdrew it)."""
    if report.withdrawn_at is not None:
        return True
    if isinstance(report, ProgressReport):
        return report.listing.status == Listing.Status.LIFTED
    return report.rectification.status == Rectification.Status.CLOSED


def _final_message(report) -> str:
    if report.withdrawn_at is not None:
        return _("The report was withdrawn.")
    return _("The report was accepted: it can no longer be corrected or withdrawn.")


def _locked_unit_report(report):
    model = type(report)
    related = "listing" if isinstance(report, ProgressReport) else "rectification"
    return model.objects.select_for_update().select_related(related, "unit").get(pk=report.pk)


def report_parent(report) -> dict:
    if isinstance(report, ProgressReport):
        return {"listing": report.listing}
    return {"rectification": report.rectification}


def _prefix(report) -> str:
    return "listing" if isinstance(report, ProgressReport) else "rectification"


def _check_correctable(actor, report, reason_field: str = "reason") -> None:
    if report_is_final(report):
        raise ValidationError({reason_field: _final_message(report)})
    _require(policy_for(type(report)).can(actor, "correct", report))


@transaction.atomic
def correct_unit_report(*, actor, report, text: str, reason: str):
    """A new version of a listing's progress report or of a rectification report; the old text is kept."""
    report = _locked_unit_report(report)
    _check_correctable(actor, report)
    errors: dict[str, str] = {}
    text, reason = (text or "").strip(), (reason or "").strip()
    if not text:
        errors["text"] = (
            _("Describe the progress.")
            if isinstance(report, ProgressReport)
            else _("Describe what was done.")
        )
    elif text == report.text:
        errors["text"] = _("Nothing was changed.")
    if not reason:
        errors["reason"] = _("Give the reason.")
    if errors:
        raise ValidationError(errors)
    changes = [{"field": "text", "old": report.text, "new": text}]
    report.text = text
    report.version += 1
    report.save(update_fields=["text", "version"])
    action = f"{_prefix(report)}.report_correct"
    entry = _step(action, actor=actor, note=reason, **report_parent(report))
    entry.changes = changes
    entry.save(update_fields=["changes"])
    record_event(
        action,
        actor=actor,
        object_type=report._meta.label_lower,
        object_id=report.pk,
        changed_fields=["text"],
        details={"version": report.version},
    )
    return report


@transaction.atomic
def withdraw_unit_report(*, actor, report, reason: str):
    """Withdraw a report not yet accepted: it stays on the record but no longer counts. A rectification whose
    latest report is withdrawn is open again, with its deadline."""
    report = _locked_unit_report(report)
    _check_correctable(actor, report)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    report.withdrawn_at = timezone.now()
    report.save(update_fields=["withdrawn_at"])
    action = f"{_prefix(report)}.report_withdraw"
    _step(action, actor=actor, note=reason, **report_parent(report))
    changed = ["withdrawn_at"]
    if isinstance(report, RectificationReport):
        rectification = Rectification.objects.select_for_update().get(pk=report.rectification_id)
        # Each report answers one opening of the rectification: withdrawing the one that made it
        # "reported" opens it again.
        latest = rectification.reports.order_by("-created_at", "-id").values_list("pk", flat=True).first()
        if rectification.status == Rectification.Status.REPORTED and latest == report.pk:
            rectification.status = Rectification.Status.OPEN
            rectification.save(update_fields=["status"])
            _rectification_deadline(rectification, actor)
            changed.append("rectification.status")
    record_event(
        action, actor=actor, object_type=report._meta.label_lower, object_id=report.pk, changed_fields=changed
    )
    return report
