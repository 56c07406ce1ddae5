"""Every write on work plans, work items and progress reports. Each runs in one transaction, writes its
audit event and, for a step of a work plan, its history row."""

import datetime as dt
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanguai.accounts.roles import Role
from fanguai.audit.services import record_event
from fanguai.core.errors import RowError, ValidationFailed
from fanguai.core.policies import policy_for
from fanguai.core.validators import MAX_NUMBER
from fanguai.deadlines.services import cancel_deadline, create_deadline, end_of_day, meet_deadline
from fanguai.notifications.services import notify

from .deadline_kinds import PROGRESS_REPORT, WORK_PLAN_RESUBMISSION
from .models import Plan, PlanItem, ProgressReport, ReportCycle, WorkItem, WorkPlan, WorkPlanEvent
from .periods import ReportingPeriod, periods_of

ITEM_FIELDS = ("measure", "title", "description", "owner", "due_date", "indicator", "target")
RESUBMIT_WITHIN = timedelta(days=int(getattr(settings, "PLAN_RESUBMIT_DAYS", 14)))
REPORT_WARN_BEFORE = timedelta(days=int(getattr(settings, "PLAN_REPORT_WARN_DAYS", 7)))


def _fail(field: str, message: str):
    raise ValidationFailed([RowError(0, field, message)])


def _step(work_plan: WorkPlan, action: str, actor, comment: str = "", **about) -> WorkPlanEvent:
    """A row of the work plan's timeline; ``about`` names what it concerns (``report``, ``changes``)."""
    return WorkPlanEvent.objects.create(
        work_plan=work_plan,
        action=action,
        status_after=work_plan.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=actor.get_username() if getattr(actor, "is_authenticated", False) else "",
        comment=comment,
        **about,
    )


def _locked(work_plan: WorkPlan) -> WorkPlan:
    """The work plan as it is in the database now (the caller's copy may be stale), locked for the write."""
    return WorkPlan.objects.select_for_update().select_related("unit__region", "plan").get(pk=work_plan.pk)


def _audit(action: str, actor, obj, **extra):
    label = obj._meta.label_lower
    record_event(action, actor=actor, object_type=label, object_id=obj.pk, **extra)


def _office_users():
    User = get_user_model()
    return [
        u
        for u in User.objects.filter(
            role=Role.OFFICE_STAFF, is_active=True, unit__isnull=False
        ).select_related("unit__region")
        if u.is_city_level
    ]


def _tell_unit(work_plan: WorkPlan, subject: str, body: str, extra=()):
    notify(
        units=[work_plan.unit],
        roles=[Role.LIAISON, Role.LEADER],
        recipients=[*extra],
        subject=subject,
        body=body,
        link=work_plan.get_absolute_url(),
        kind="plans.work_plan",
    )


def measures_for(work_plan: WorkPlan):
    """The measures a work item of this plan may carry out: those of the year's period for the unit the
    annex names (the unit itself, or the city unit above a county counterpart); any unit's when the annex
    names none of them (e.g. a county government)."""
    period = work_plan.period
    measures = PlanItem.objects.filter(
        plan_unit__plan=work_plan.plan, kind=PlanItem.Kind.MEASURE, period=period, is_current=True
    ).select_related("plan_unit")
    unit, seen = work_plan.unit, set()
    while unit is not None and unit.pk not in seen:
        own = measures.filter(plan_unit__unit=unit)
        if own.exists():
            return own.order_by("position")
        seen.add(unit.pk)
        unit = unit.parent
    return measures.order_by("plan_unit__position", "position")


@transaction.atomic
def create_work_plan(*, actor, plan: Plan, unit, year: int, report_cycle: str | None = None) -> WorkPlan:
    if not policy_for(WorkPlan).can(actor, "create", unit):
        raise PermissionDenied
    if plan.period_for_year(year) is None:
        _fail("year", _("The plan does not cover %(year)s.") % {"year": year})
    if WorkPlan.objects.filter(plan=plan, unit=unit, year=year).exists():
        _fail("year", _("%(unit)s already has a work plan for %(year)s.") % {"unit": unit, "year": year})
    work_plan = WorkPlan.objects.create(
        plan=plan,
        unit=unit,
        year=year,
        report_cycle=report_cycle or getattr(settings, "PLAN_REPORT_CYCLE", ReportCycle.QUARTERLY),
        created_by=actor,
    )
    _step(work_plan, WorkPlanEvent.Action.CREATED, actor)
    _audit("work_plan.create", actor, work_plan, details={"unit": unit.code, "year": year})
    return work_plan


@transaction.atomic
def update_work_plan(*, actor, work_plan: WorkPlan, report_cycle: str) -> WorkPlan:
    work_plan = _locked(work_plan)
    if not policy_for(WorkPlan).can(actor, "change", work_plan):
        raise PermissionDenied
    if report_cycle not in ReportCycle.values:
        _fail("report_cycle", _("unknown report cycle"))
    if work_plan.report_cycle != report_cycle:
        work_plan.report_cycle = report_cycle
        work_plan.save(update_fields=["report_cycle", "updated_at"])
        _step(work_plan, WorkPlanEvent.Action.CHANGED, actor, ReportCycle(report_cycle).label)
        _audit("work_plan.update", actor, work_plan, changed_fields=["report_cycle"])
    return work_plan


def _check_item(work_plan: WorkPlan, fields: dict) -> None:
    errors = []
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    measure = fields.get("measure")
    if measure is not None and not measures_for(work_plan).filter(pk=measure.pk).exists():
        errors.append(
            RowError(0, "measure", _("not a measure of this unit for %(year)s") % {"year": work_plan.year})
        )
    owner = fields.get("owner")
    if owner is not None and owner.unit_id != work_plan.unit_id:
        errors.append(RowError(0, "owner", _("the owner must belong to %(unit)s") % {"unit": work_plan.unit}))
    due = fields.get("due_date")
    if due is not None and due.year != work_plan.year:
        errors.append(
            RowError(0, "due_date", _("the due date must fall in %(year)s") % {"year": work_plan.year})
        )
    if "title" in fields and not (fields["title"] or "").strip():
        errors.append(RowError(0, "title", _("empty")))
    target = fields.get("target")
    if target is not None and Decimal(target) < 0:
        errors.append(RowError(0, "target", _("must not be negative")))
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def add_work_item(*, actor, work_plan: WorkPlan, **fields) -> WorkItem:
    work_plan = _locked(work_plan)
    if not policy_for(WorkPlan).can(actor, "change", work_plan):
        raise PermissionDenied
    _check_item(work_plan, fields)
    position = work_plan.items.count() + 1
    item = WorkItem.objects.create(work_plan=work_plan, position=position, **fields)
    _step(work_plan, WorkPlanEvent.Action.ITEM_ADDED, actor, item.title)
    _audit("work_item.create", actor, item, changed_fields=[f for f in fields if fields[f] not in ("", None)])
    return item


@transaction.atomic
def update_work_item(*, actor, item: WorkItem, **changes) -> WorkItem:
    work_plan = _locked(item.work_plan)
    if not policy_for(WorkPlan).can(actor, "change", work_plan):
        raise PermissionDenied
    _check_item(work_plan, changes)
    item = WorkItem.objects.select_for_update().get(pk=item.pk)
    changed = [name for name, value in changes.items() if getattr(item, name) != value]
    for name in changed:
        setattr(item, name, changes[name])
    if changed:
        item.save()
        _step(work_plan, WorkPlanEvent.Action.ITEM_CHANGED, actor, item.title)
    _audit("work_item.update", actor, item, changed_fields=changed)
    return item


@transaction.atomic
def remove_work_item(*, actor, item: WorkItem) -> None:
    work_plan = _locked(item.work_plan)
    if not policy_for(WorkPlan).can(actor, "change", work_plan):
        raise PermissionDenied
    if item.reports.exists():
        _fail("item", _("A work item with progress reports cannot be removed."))
    title, pk = item.title, item.pk
    item.delete()
    _step(work_plan, WorkPlanEvent.Action.ITEM_REMOVED, actor, title)
    record_event("work_item.delete", actor=actor, object_type="plans.workitem", object_id=pk)


@transaction.atomic
def submit_work_plan(*, actor, work_plan: WorkPlan, comment: str = "") -> WorkPlan:
    work_plan = _locked(work_plan)
    if not policy_for(WorkPlan).can(actor, "submit", work_plan):
        raise PermissionDenied
    if not work_plan.items.exists():
        _fail("items", _("Add at least one work item before submitting."))
    work_plan.status = WorkPlan.Status.SUBMITTED
    work_plan.save(update_fields=["status", "updated_at"])
    _step(work_plan, WorkPlanEvent.Action.SUBMITTED, actor, comment)
    meet_deadline(target=work_plan, kind=WORK_PLAN_RESUBMISSION, actor=actor)
    notify(
        recipients=_office_users(),
        subject=_("Work plan submitted for review: %(unit)s, %(year)s")
        % {"unit": work_plan.unit.name, "year": work_plan.year},
        body=comment,
        link=work_plan.get_absolute_url(),
        kind="plans.work_plan",
    )
    _audit("work_plan.submit", actor, work_plan, changed_fields=["status"])
    return work_plan


@transaction.atomic
def approve_work_plan(
    *, actor, work_plan: WorkPlan, comment: str = "", today: dt.date | None = None
) -> WorkPlan:
    work_plan = _locked(work_plan)
    if not policy_for(WorkPlan).can(actor, "review", work_plan):
        raise PermissionDenied
    work_plan.status = WorkPlan.Status.APPROVED
    work_plan.reporting_from = today or timezone.localdate()
    work_plan.save(update_fields=["status", "reporting_from", "updated_at"])
    _step(work_plan, WorkPlanEvent.Action.APPROVED, actor, comment)
    for item in work_plan.items.all():
        _open_next_report_deadline(item, actor)
    _tell_unit(
        work_plan,
        _("Work plan approved: %(unit)s, %(year)s") % {"unit": work_plan.unit.name, "year": work_plan.year},
        comment,
        extra=[work_plan.created_by] if work_plan.created_by else [],
    )
    _audit("work_plan.approve", actor, work_plan, changed_fields=["status", "reporting_from"])
    return work_plan


@transaction.atomic
def return_work_plan(*, actor, work_plan: WorkPlan, comment: str) -> WorkPlan:
    work_plan = _locked(work_plan)
    if not policy_for(WorkPlan).can(actor, "review", work_plan):
        raise PermissionDenied
    if not (comment or "").strip():
        _fail("comment", _("Say what must change before returning the work plan."))
    work_plan.status = WorkPlan.Status.RETURNED
    work_plan.save(update_fields=["status", "updated_at"])
    _step(work_plan, WorkPlanEvent.Action.RETURNED, actor, comment)
    create_deadline(
        target=work_plan,
        kind=WORK_PLAN_RESUBMISSION,
        due_at=timezone.now() + RESUBMIT_WITHIN,
        responsible_unit=work_plan.unit,
        warn_before=timedelta(days=3),
        actor=actor,
    )
    _tell_unit(
        work_plan,
        _("Work plan returned for changes: %(unit)s, %(year)s")
        % {"unit": work_plan.unit.name, "year": work_plan.year},
        comment,
        extra=[work_plan.created_by] if work_plan.created_by else [],
    )
    _audit("work_plan.return", actor, work_plan, changed_fields=["status"])
    return work_plan


def reporting_periods(item: WorkItem) -> list[ReportingPeriod]:
    """The periods the item must be reported on: those of its year that end on or after approval."""
    work_plan = item.work_plan
    start = work_plan.reporting_from or dt.date(work_plan.year, 1, 1)
    return [p for p in periods_of(work_plan.year, work_plan.report_cycle) if p.end >= start]


def next_period(item: WorkItem) -> ReportingPeriod | None:
    """The earliest period still to report on, or None when every one is reported or the item is done. A
    withdrawn report leaves its period to be reported again."""
    reports = [r for r in item.reports.all() if r.withdrawn_at is None]
    if any(r.status == ProgressReport.Status.DONE for r in reports):
        return None
    reported = {r.period for r in reports}
    return next((p for p in reporting_periods(item) if p.label not in reported), None)


def _open_next_report_deadline(item: WorkItem, actor) -> None:
    period = next_period(item)
    if period is None:
        cancel_deadline(target=item, kind=PROGRESS_REPORT, actor=actor)
        return
    create_deadline(
        target=item,
        kind=PROGRESS_REPORT,
        due_at=end_of_day(period.due),
        responsible_unit=item.work_plan.unit,
        warn_before=REPORT_WARN_BEFORE,
        actor=actor,
    )


# A cumulative figure above this many times the work item's target is a typing error, not an achievement.
ACHIEVED_LIMIT = 10


def parse_figures(text: str) -> dict[str, str]:
    """Lines "label: number" into {label: number}; a bad line raises ValidationFailed naming it."""
    figures, errors = {}, []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        label, sep, value = line.replace("：", ":").rpartition(":")
        try:
            amount = Decimal(value.strip().replace(",", ""))
        except ArithmeticError:
            amount = None
        if not sep or not label.strip() or amount is None or not amount.is_finite():
            errors.append(RowError(number, "figures", _("write “label: number”")))
            continue
        if abs(amount) > MAX_NUMBER:
            errors.append(RowError(number, "figures", _("the number is too large")))
            continue
        figures[label.strip()] = str(amount)
    if errors:
        raise ValidationFailed(errors)
    return figures


def _report_value_errors(item: WorkItem, status: str, narrative: str, achieved) -> list[RowError]:
    """What is wrong with the values of a report (its first version or a correction)."""
    errors = []
    if status not in ProgressReport.Status.values:
        errors.append(RowError(0, "status", _("unknown status")))
    if not (narrative or "").strip():
        errors.append(RowError(0, "narrative", _("empty")))
    if achieved is not None and Decimal(achieved) < 0:
        errors.append(RowError(0, "achieved", _("must not be negative")))
    elif achieved is not None and item.target and Decimal(achieved) > ACHIEVED_LIMIT * item.target:
        errors.append(
            RowError(
                0,
                "achieved",
                _("more than %(times)s times the target of %(target)s: check the figure")
                % {"times": ACHIEVED_LIMIT, "target": f"{item.target.normalize():f}"},
            )
        )
    return errors


@transaction.atomic
def submit_report(
    *,
    actor,
    item: WorkItem,
    status: str,
    narrative: str,
    achieved=None,
    figures: dict | None = None,
    today: dt.date | None = None,
    submitted_at: dt.datetime | None = None,
) -> ProgressReport:
    """Report on the item's next period. A period can be reported once it has begun."""
    item = WorkItem.objects.select_for_update().select_related("work_plan__unit").get(pk=item.pk)
    if not policy_for(ProgressReport).can(actor, "create", item):
        raise PermissionDenied
    period = next_period(item)
    today = today or timezone.localdate()
    errors = []
    if period is None:
        errors.append(RowError(0, "period", _("Every period of this work item is already reported.")))
    elif period.start > today:
        errors.append(
            RowError(0, "period", _("The next period (%(period)s) has not begun.") % {"period": period.label})
        )
    errors += _report_value_errors(item, status, narrative, achieved)
    if errors:
        raise ValidationFailed(errors)
    report = ProgressReport.objects.create(
        work_item=item,
        unit=item.work_plan.unit,
        period=period.label,
        period_start=period.start,
        period_end=period.end,
        due_date=period.due,
        status=status,
        narrative=narrative,
        achieved=achieved,
        figures=figures or {},
        submitted_by=actor,
        submitted_at=submitted_at or timezone.now(),
    )
    meet_deadline(target=item, kind=PROGRESS_REPORT, actor=actor)
    _open_next_report_deadline(item, actor)
    if status in (ProgressReport.Status.AT_RISK, ProgressReport.Status.LATE):
        notify(
            recipients=_office_users(),
            subject=_("Work item %(status)s: %(unit)s, %(period)s")
            % {
                "status": ProgressReport.Status(status).label,
                "unit": item.work_plan.unit.name,
                "period": period.label,
            },
            link=report.get_absolute_url(),
            kind="plans.report",
        )
    _audit(
        "progress_report.create",
        actor,
        report,
        details={"item": item.pk, "period": period.label, "status": status},
    )
    return report


# Corrections: until the office accepts a report, its unit may correct it (a new version) or withdraw it. Each
# step is a row of the work plan's history (WorkPlanEvent) naming the report, with the reason and, for a
# correction, the old and new value of every field that changed.

CORRECTABLE_FIELDS = ("status", "narrative", "achieved", "figures")


def _locked_report(report: ProgressReport) -> ProgressReport:
    return (
        ProgressReport.objects.select_for_update()
        .select_related("work_item__work_plan__unit", "unit")
        .get(pk=report.pk)
    )


def _shown(name: str, value) -> str:
    """A value as the history keeps it: figures as "label: number" lines, a status by its code (the page shows
    its label in the reader's language)."""
    if value is None or value == "" or value == {}:
        return ""
    if name == "achieved":
        return f"{Decimal(value).normalize():f}"
    if name == "figures":
        return "\n".join(f"{label}: {number}" for label, number in value.items())
    return str(value)


def _refuse_unless_open(report: ProgressReport, field: str) -> None:
    if report.accepted_at is not None:
        _fail(field, _("The report was accepted: it can no longer be corrected or withdrawn."))
    if report.withdrawn_at is not None:
        _fail(field, _("The report was withdrawn."))


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        _fail("reason", _("Give the reason."))
    return reason


@transaction.atomic
def correct_report(
    *,
    actor,
    report: ProgressReport,
    reason: str,
    status: str,
    narrative: str,
    achieved=None,
    figures: dict | None = None,
) -> ProgressReport:
    """A new version of a submitted, not yet accepted report; the old values are kept in its history."""
    report = _locked_report(report)
    policy = policy_for(ProgressReport)
    _refuse_unless_open(report, "reason")
    if not policy.can(actor, "correct", report):
        raise PermissionDenied
    errors = _report_value_errors(report.work_item, status, narrative, achieved)
    if not (reason or "").strip():
        errors.append(RowError(0, "reason", _("Give the reason.")))
    if errors:
        raise ValidationFailed(errors)
    new = {
        "status": status,
        "narrative": narrative,
        "achieved": None if achieved is None else Decimal(achieved),
        "figures": figures or {},
    }
    changes = [
        {"field": name, "old": _shown(name, getattr(report, name)), "new": _shown(name, new[name])}
        for name in CORRECTABLE_FIELDS
        if _shown(name, getattr(report, name)) != _shown(name, new[name])
    ]
    if not changes:
        _fail("reason", _("Nothing was changed."))
    for name in CORRECTABLE_FIELDS:
        setattr(report, name, new[name])
    report.version += 1
    report.save(update_fields=[*CORRECTABLE_FIELDS, "version"])
    _step(
        report.work_item.work_plan,
        WorkPlanEvent.Action.REPORT_CORRECTED,
        actor,
        reason.strip(),
        report=report,
        changes=changes,
    )
    # A report corrected to "done" (or from it) changes which period is due next.
    _open_next_report_deadline(report.work_item, actor)
    _audit(
        "progress_report.correct",
        actor,
        report,
        changed_fields=[c["field"] for c in changes],
        details={"version": report.version},
    )
    return report


@transaction.atomic
def withdraw_report(*, actor, report: ProgressReport, reason: str) -> ProgressReport:
    """Withdraw a submitted, not yet accepted report: it stays on record, no longer counts, and its period is
    due again."""
    report = _locked_report(report)
    _refuse_unless_open(report, "reason")
    if not policy_for(ProgressReport).can(actor, "withdraw", report):
        raise PermissionDenied
    reason = _require_reason(reason)
    report.withdrawn_at = timezone.now()
    report.save(update_fields=["withdrawn_at"])
    _step(report.work_item.work_plan, WorkPlanEvent.Action.REPORT_WITHDRAWN, actor, reason, report=report)
    _open_next_report_deadline(report.work_item, actor)
    _audit("progress_report.withdraw", actor, report, changed_fields=["withdrawn_at"])
    return report


@transaction.atomic
def accept_report(*, actor, report: ProgressReport, comment: str = "") -> ProgressReport:
    """The office accepts a report: from then on it is final."""
    report = _locked_report(report)
    _refuse_unless_open(report, "comment")
    if not policy_for(ProgressReport).can(actor, "accept", report):
        raise PermissionDenied
    report.accepted_at, report.accepted_by = timezone.now(), actor
    report.save(update_fields=["accepted_at", "accepted_by"])
    comment = (comment or "").strip()
    _step(report.work_item.work_plan, WorkPlanEvent.Action.REPORT_ACCEPTED, actor, comment, report=report)
    _audit("progress_report.accept", actor, report, changed_fields=["accepted_at", "accepted_by"])
    return report
