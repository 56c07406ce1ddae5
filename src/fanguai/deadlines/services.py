"""Every write on deadlines, and the sweep that warns and reports lateness. Each write runs in one
transaction with its audit event; the sweep claims each notice with a conditional update, so two sweeps
running at once, or one run twice, send every notice exactly once."""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fanguai.audit.services import record_event
from fanguai.notifications.services import notify
from fanguai.org.models import Unit

from .models import Deadline
from .registry import DeadlineKind, get_kind

logger = logging.getLogger(__name__)
OBJECT_TYPE = "deadlines.deadline"

KIND_WARNING = "deadline.warning"
KIND_LATE = "deadline.late"
KIND_ESCALATION = "deadline.escalation"


def end_of_day(day: date) -> datetime:
    """A deadline given as a date means the end of that day, local time (shown as 23:59 of that day)."""
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def _target_lookup(target: models.Model) -> dict:
    if target is None or target.pk is None:
        raise ValueError("a deadline needs a saved target object")
    return {
        "content_type": ContentType.objects.get_for_model(target, for_concrete_model=True),
        "object_id": str(target.pk),
    }


def _open_for(target: models.Model, kind: str | None) -> models.QuerySet[Deadline]:
    rows = Deadline.objects.filter(status=Deadline.Status.OPEN, **_target_lookup(target))
    return rows.filter(kind=kind) if kind is not None else rows


@transaction.atomic
def create_deadline(
    *,
    target: models.Model,
    kind: str,
    due_at: datetime,
    responsible_unit: Unit,
    warn_before: timedelta | None = None,
    actor=None,
) -> Deadline:
    """Open a deadline on target, or move the open one of the same kind (one rule, one clock per object).
    The kind must be registered. Moving a deadline later re-arms its warning and late notice."""
    get_kind(kind)
    if timezone.is_naive(due_at):
        raise ValueError("due_at must be timezone-aware")
    warn_at = due_at - warn_before if warn_before else None
    existing = _open_for(target, kind).select_for_update().order_by("-created_at", "-id").first()
    now = timezone.now()
    if existing is None:
        deadline = Deadline.objects.create(
            kind=kind,
            due_at=due_at,
            warn_at=warn_at,
            responsible_unit=responsible_unit,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            **_target_lookup(target),
        )
        record_event(
            "deadline.create",
            actor=actor,
            object_type=OBJECT_TYPE,
            object_id=deadline.pk,
            details={
                "kind": kind,
                "target": f"{target._meta.label_lower}:{target.pk}",
                "unit": responsible_unit.code,
            },
        )
        return deadline
    changed = []
    for name, value in (("due_at", due_at), ("warn_at", warn_at), ("responsible_unit", responsible_unit)):
        if getattr(existing, name) != value:
            setattr(existing, name, value)
            changed.append(name)
    if existing.warned_at and (existing.warn_at is None or existing.warn_at > now):
        existing.warned_at = None
        changed.append("warned_at")
    if existing.late_notified_at and existing.due_at > now:
        existing.late_notified_at = None
        changed.append("late_notified_at")
    if changed:
        existing.save(update_fields=changed)
        record_event(
            "deadline.reschedule",
            actor=actor,
            object_type=OBJECT_TYPE,
            object_id=existing.pk,
            changed_fields=changed,
            details={"kind": kind},
        )
    return existing


def _close(target, kind, *, status: str, actor, action: str) -> list[Deadline]:
    now = timezone.now()
    closed = list(_open_for(target, kind).select_for_update())
    stamp = "met_at" if status == Deadline.Status.MET else "cancelled_at"
    for deadline in closed:
        deadline.status = status
        setattr(deadline, stamp, now)
        deadline.save(update_fields=["status", stamp])
        record_event(
            action,
            actor=actor,
            object_type=OBJECT_TYPE,
            object_id=deadline.pk,
            changed_fields=["status", stamp],
            details={"kind": deadline.kind, "late": deadline.due_at < now},
        )
    return closed


@transaction.atomic
def meet_deadline(*, target: models.Model, kind: str, actor=None) -> list[Deadline]:
    """Record that what was due has happened. Returns the deadlines closed (none if none was open)."""
    return _close(target, kind, status=Deadline.Status.MET, actor=actor, action="deadline.meet")


@transaction.atomic
def cancel_deadline(*, target: models.Model, kind: str | None = None, actor=None) -> list[Deadline]:
    """Withdraw the open deadline(s) of a kind on target (every kind when kind is None), e.g. when the
    referral was withdrawn or the case closed."""
    return _close(target, kind, status=Deadline.Status.CANCELLED, actor=actor, action="deadline.cancel")


@dataclass(frozen=True)
class SweepResult:
    warned: int = 0
    late: int = 0


def _kind_of(deadline: Deadline) -> DeadlineKind:
    try:
        return get_kind(deadline.kind)
    except LookupError:
        return DeadlineKind(kind=deadline.kind, label=deadline.kind)


def _local(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def escalation_recipients(roles: tuple[str, ...], unit: Unit) -> list:
    """Active users with one of the roles whose remit covers the unit: city-level users always, county-level
    users only for units of their own county."""
    if not roles:
        return []
    county = unit.county
    users = get_user_model().objects.filter(role__in=roles, is_active=True, unit__isnull=False)
    return [u for u in users.select_related("unit__region__parent") if u.county is None or u.county == county]


def _run_hook(hook, deadline: Deadline, action: str) -> None:
    if hook is None:
        return
    try:
        with transaction.atomic():
            hook(deadline)
    except Exception:
        logger.exception("deadline hook %s failed for deadline %s", action, deadline.pk)
        record_event(
            action,
            object_type=OBJECT_TYPE,
            object_id=deadline.pk,
            outcome="failure",
            details={"kind": deadline.kind},
        )


def _warn(pk: int, now: datetime) -> bool:
    with transaction.atomic():
        claimed = Deadline.objects.filter(pk=pk, status=Deadline.Status.OPEN, warned_at__isnull=True).update(
            warned_at=now
        )
        if not claimed:
            return False
        deadline = Deadline.objects.select_related("responsible_unit").get(pk=pk)
        kind = _kind_of(deadline)
        notify(
            units=[deadline.responsible_unit],
            roles=kind.notify_roles,
            kind=KIND_WARNING,
            subject=_("Deadline approaching: %(kind)s, due %(due)s")
            % {"kind": kind.label, "due": _local(deadline.due_at)},
            body=_("Responsible unit: %(unit)s") % {"unit": deadline.responsible_unit.name},
            link=deadline.target_url,
        )
        record_event(
            "deadline.warn",
            object_type=OBJECT_TYPE,
            object_id=pk,
            changed_fields=["warned_at"],
            details={"kind": deadline.kind},
        )
        _run_hook(kind.on_warning, deadline, "deadline.on_warning")
    return True


def _report_late(pk: int, now: datetime) -> bool:
    with transaction.atomic():
        claimed = Deadline.objects.filter(
            pk=pk, status=Deadline.Status.OPEN, late_notified_at__isnull=True
        ).update(late_notified_at=now, warned_at=Coalesce("warned_at", models.Value(now)))
        if not claimed:
            return False
        deadline = Deadline.objects.select_related("responsible_unit__region").get(pk=pk)
        kind = _kind_of(deadline)
        unit = deadline.responsible_unit
        values = {"kind": kind.label, "due": _local(deadline.due_at), "unit": unit.name}
        link = deadline.target_url
        notify(
            units=[unit],
            roles=kind.notify_roles,
            kind=KIND_LATE,
            link=link,
            subject=_("Deadline missed: %(kind)s, was due %(due)s") % values,
            body=_("Responsible unit: %(unit)s") % values,
        )
        escalated = escalation_recipients(kind.escalate_to_roles, unit)
        if escalated:
            notify(
                recipients=escalated,
                kind=KIND_ESCALATION,
                link=link,
                subject=_("Deadline missed by %(unit)s: %(kind)s, was due %(due)s") % values,
                body=_("Responsible unit: %(unit)s") % values,
            )
        record_event(
            "deadline.late",
            object_type=OBJECT_TYPE,
            object_id=pk,
            changed_fields=["late_notified_at"],
            details={"kind": deadline.kind, "escalated": len(escalated)},
        )
        _run_hook(kind.on_late, deadline, "deadline.on_late")
    return True


def sweep(now: datetime | None = None) -> SweepResult:
    """Warn about open deadlines whose warning time has come and report those past due. Safe to run as
    often as wanted: every notice is sent once. Notices are written in the site's default language."""
    now = now or timezone.now()
    warned = late = 0
    with translation.override(settings.LANGUAGE_CODE):
        due_pks = list(
            Deadline.objects.filter(
                status=Deadline.Status.OPEN, due_at__lte=now, late_notified_at__isnull=True
            )
            .order_by("due_at")
            .values_list("pk", flat=True)
        )
        for pk in due_pks:
            late += _report_late(pk, now)
        warn_pks = list(
            Deadline.objects.filter(
                status=Deadline.Status.OPEN, warn_at__lte=now, warned_at__isnull=True, due_at__gt=now
            )
            .order_by("due_at")
            .values_list("pk", flat=True)
        )
        for pk in warn_pks:
            warned += _warn(pk, now)
    return SweepResult(warned=warned, late=late)
