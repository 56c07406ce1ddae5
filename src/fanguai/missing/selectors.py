"""Reads of missing-person work, always through the policies. Opening a report, an unidentified person or a
screening is audited (they name minors). The public reads at the end return only published alerts."""

from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from fanguai.audit.services import record_event
from fanguai.core.policies import policy_for

from .models import (
    Alert,
    BloodSampleRequest,
    CapMessage,
    MissingReport,
    Screening,
    SearchStep,
    SearchTask,
    Subscriber,
    UnidentifiedPerson,
)


def visible_reports(user, *, status: str = "", query: str = "") -> QuerySet[MissingReport]:
    reports = policy_for(MissingReport).visible(
        user, MissingReport.objects.select_related("person", "county", "owner_unit")
    )
    if status:
        reports = reports.filter(status=status)
    if query:
        reports = reports.filter(number=query.strip().upper())
    now = timezone.now()
    # Counted per shown row (a correlated subquery) rather than by joining and grouping every report's tasks
    # before the page is cut, which read the whole table on each list.
    late = (
        SearchTask.objects.filter(report=OuterRef("pk"), done_at__isnull=True, due_at__lte=now)
        .order_by()
        .values("report")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return reports.annotate(
        late_steps=Case(
            When(status="open", then=Coalesce(Subquery(late), Value(0))),
            default=Value(0),
            output_field=IntegerField(),
        )
    ).order_by("-created_at", "-id")


def report_for_view(user, pk: int) -> MissingReport:
    report = policy_for(MissingReport).get_visible_or_404(
        user,
        MissingReport.objects.select_related("person", "reporter", "owner_unit", "region", "case"),
        pk=pk,
    )
    record_event("missing_report.view", actor=user, object_type="missing.report", object_id=report.pk)
    return report


def report_for_change(user, pk: int) -> MissingReport:
    return policy_for(MissingReport).get_visible_or_404(user, pk=pk)


def tasks_of(report: MissingReport) -> QuerySet[SearchTask]:
    return report.tasks.select_related("step", "done_by").order_by("due_at", "step__order")


def task_for_change(user, pk: int) -> SearchTask:
    try:
        task = SearchTask.objects.select_related("report", "step").get(pk=pk)
    except SearchTask.DoesNotExist as exc:
        raise Http404 from exc
    if not policy_for(MissingReport).can_view(user, task.report):
        raise Http404
    return task


def late_tasks(user) -> QuerySet[SearchTask]:
    """Checklist steps past due and not done, on open reports the user may see (the home panel)."""
    reports = policy_for(MissingReport).visible(user, MissingReport.objects.filter(status="open"))
    return (
        SearchTask.objects.filter(report__in=reports, done_at__isnull=True, due_at__lte=timezone.now())
        .select_related("report", "step")
        .order_by("due_at")
    )


def steps() -> QuerySet[SearchStep]:
    return SearchStep.objects.all()


def visible_alerts(user, *, status: str = "") -> QuerySet[Alert]:
    alerts = policy_for(Alert).visible(user, Alert.objects.select_related("report"))
    return alerts.filter(status=status) if status else alerts


def alert_for_view(user, pk: int) -> Alert:
    alert = policy_for(Alert).get_visible_or_404(user, Alert.objects.select_related("report"), pk=pk)
    record_event("alert.view", actor=user, object_type="missing.alert", object_id=alert.pk)
    return alert


def visible_subscribers(user) -> QuerySet[Subscriber]:
    return policy_for(Subscriber).visible(user, Subscriber.objects.all())


def visible_unidentified(user, *, status: str = "") -> QuerySet[UnidentifiedPerson]:
    rows = policy_for(UnidentifiedPerson).visible(
        user, UnidentifiedPerson.objects.select_related("person", "owner_unit")
    )
    return rows.filter(status=status) if status else rows


def unidentified_for_view(user, pk: int) -> UnidentifiedPerson:
    record = policy_for(UnidentifiedPerson).get_visible_or_404(user, pk=pk)
    record_event(
        "unidentified.view", actor=user, object_type="missing.unidentifiedperson", object_id=record.pk
    )
    return record


def visible_screenings(user) -> QuerySet[Screening]:
    return policy_for(Screening).visible(user, Screening.objects.select_related("child", "screening_unit"))


def screening_for_view(user, pk: int) -> Screening:
    screening = policy_for(Screening).get_visible_or_404(
        user, Screening.objects.select_related("child"), pk=pk
    )
    record_event("screening.view", actor=user, object_type="missing.screening", object_id=screening.pk)
    return screening


def visible_sample_requests(user, *, status: str = "") -> QuerySet[BloodSampleRequest]:
    rows = policy_for(BloodSampleRequest).visible(
        user, BloodSampleRequest.objects.select_related("person", "requesting_unit")
    )
    return rows.filter(status=status) if status else rows


def open_sample_requests() -> QuerySet[BloodSampleRequest]:
    """For the DNA module: every open request, oldest first (the hand-over queue)."""
    return BloodSampleRequest.objects.filter(status=BloodSampleRequest.Status.OPEN).order_by(
        "created_at", "id"
    )


# --- public reads ---------------------------------------------------------------------------------------

PUBLIC_STATUSES = (Alert.Status.ACTIVE, Alert.Status.FOUND, Alert.Status.WITHDRAWN)


def public_alerts() -> QuerySet[Alert]:
    """Published alerts (active ones first). Found and withdrawn alerts keep no personal details."""
    return Alert.objects.filter(status__in=PUBLIC_STATUSES).order_by("-published_at")


def public_alert(code: str) -> Alert:
    try:
        return public_alerts().get(code=code)
    except Alert.DoesNotExist as exc:
        raise Http404 from exc


def public_message(identifier: str) -> CapMessage:
    try:
        return CapMessage.objects.select_related("alert").get(
            identifier=identifier, alert__status__in=PUBLIC_STATUSES
        )
    except CapMessage.DoesNotExist as exc:
        raise Http404 from exc


def feed_messages(limit: int = 100) -> list[CapMessage]:
    """The latest message of each published alert, newest first."""
    latest = []
    seen = set()
    for message in (
        CapMessage.objects.filter(alert__status__in=PUBLIC_STATUSES).select_related("alert").order_by("-id")
    ):
        if message.alert_id in seen:
            continue
        seen.add(message.alert_id)
        latest.append(message)
        if len(latest) >= limit:
            break
    return latest
