from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fanguai.accounts.roles import Role
from fanguai.audit.services import record_event
from fanguai.core.pagination import BoundedPaginator
from fanguai.core.policies import policy_for
from fanguai.core.views import forbid_unless
from fanguai.files.forms import AttachmentForm
from fanguai.files.selectors import files_for
from fanguai.files.views import handle_attachment_upload

from . import alerts, conf, selectors, services
from .forms import (
    AlertForm,
    ApprovalForm,
    HandOverForm,
    OutcomeForm,
    ReleaseForm,
    ReportForm,
    SampleRequestForm,
    ScreeningForm,
    ScreeningResultForm,
    StepForm,
    SubscriberForm,
    TaskDoneForm,
    UnidentifiedForm,
)
from .models import (
    Alert,
    BloodSampleRequest,
    MissingReport,
    Screening,
    SearchStep,
    Subscriber,
    UnidentifiedPerson,
)
from .policies import STAFF_ROLES, is_publicity


def _errors(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def _form_errors(request, form) -> None:
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))


def _audit_list(action: str, object_type: str, page) -> None:
    """A list of sensitive records is a read too: the ids shown are on the audit trail."""
    if page.object_list:
        record_event(action, object_type=object_type, details={"ids": [row.pk for row in page.object_list]})


# --- reports -------------------------------------------------------------------------------------------


@login_required
def report_list(request):
    forbid_unless(request.user.has_role(*STAFF_ROLES))
    status = request.GET.get("status", "open")
    status = status if status in ("open", "closed", "") else "open"
    reports = selectors.visible_reports(request.user, status=status, query=request.GET.get("q", ""))
    page = BoundedPaginator(reports, 25).get_page(request.GET.get("page"))
    _audit_list("missing_report.list", "missing.report", page)
    return render(
        request,
        "missing/report_list.html",
        {"page": page, "status": status, "can_create": policy_for(MissingReport).can(request.user, "create")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request):
    forbid_unless(policy_for(MissingReport).can(request.user, "create"))
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.file_report(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(
                request,
                _("Report %(number)s was filed; the rapid search has started.") % {"number": report.number},
            )
            return redirect("missing:report_detail", pk=report.pk)
    return render(
        request,
        "missing/form.html",
        {"form": form, "title": _("File a missing-person report"), "multipart": True},
    )


def _visible_reunions(user, report):
    from fanguai.dna.models import Reunion

    return policy_for(Reunion).visible(user, report.dna_reunions.all())


@login_required
def report_detail(request, pk: int):
    report = selectors.report_for_view(request.user, pk)
    policy = policy_for(MissingReport)
    can_change = policy.can(request.user, "change", report)
    return render(
        request,
        "missing/report_detail.html",
        {
            "report": report,
            "can_change": can_change,
            "can_publish": policy.can(request.user, "publish", report),
            "tasks": selectors.tasks_of(report),
            "alerts": report.alerts.all(),
            "outcome_form": OutcomeForm(),
            "attachments": files_for(request.user, report),
            "attachment_form": AttachmentForm(),
            "sample_requests": report.sample_requests.all(),
            "dna_reunions": _visible_reunions(request.user, report),
        },
    )


@login_required
@require_POST
def report_attach(request, pk: int):
    report = selectors.report_for_change(request.user, pk)
    forbid_unless(policy_for(MissingReport).can(request.user, "change", report))
    handle_attachment_upload(request, report)
    return redirect("missing:report_detail", pk=report.pk)


@login_required
@require_POST
def task_done(request, pk: int):
    task = selectors.task_for_change(request.user, pk)
    forbid_unless(policy_for(MissingReport).can(request.user, "change", task.report))
    form = TaskDoneForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("missing:report_detail", pk=task.report_id)
    services.complete_task(actor=request.user, task=task, notes=form.cleaned_data["notes"])
    messages.success(request, _("Step done: %(step)s") % {"step": task.step.name})
    return redirect("missing:report_detail", pk=task.report_id)


@login_required
@require_POST
def report_outcome(request, pk: int):
    report = selectors.report_for_change(request.user, pk)
    forbid_unless(policy_for(MissingReport).can(request.user, "change", report))
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("missing:report_detail", pk=report.pk)
    try:
        report = services.record_outcome(actor=request.user, report=report, **form.cleaned_data)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The outcome was recorded."))
        if report.case_id:
            messages.info(request, _("A case was opened: %(number)s") % {"number": report.case.number})
    return redirect("missing:report_detail", pk=report.pk)


# --- alerts (staff side) ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def alert_create(request, pk: int):
    report = selectors.report_for_change(request.user, pk)
    forbid_unless(policy_for(MissingReport).can(request.user, "publish", report))
    photos = [f for f in files_for(request.user, report) if f.is_image]
    initial = {
        "display_name": report.person.full_name,
        "last_seen_place": report.last_seen_place,
        "latitude": report.latitude,
        "longitude": report.longitude,
        "police_phone": conf.police_phone(),
        "photo": str(photos[0].pk) if photos else "",
    }
    form = AlertForm(request.POST or None, photos=photos, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = data.pop("photo")
        photo = next((f for f in photos if str(f.pk) == chosen), None)
        try:
            alert = alerts.request_alert(actor=request.user, report=report, photo=photo, **data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            if alert.is_active:
                messages.success(request, _("The alert was published."))
            else:
                messages.info(request, _("The alert awaits approval."))
            return redirect("missing:alert_detail", pk=alert.pk)
    return render(
        request,
        "missing/form.html",
        {
            "form": form,
            "title": _("Publish an alert"),
            "subtitle": report.number,
            "approval": conf.approval_required(),
        },
    )


@login_required
def alert_list(request):
    forbid_unless(request.user.has_role(*STAFF_ROLES) or is_publicity(request.user))
    status = request.GET.get("status", "")
    alerts_ = selectors.visible_alerts(request.user, status=status if status in Alert.Status.values else "")
    page = BoundedPaginator(alerts_, 25).get_page(request.GET.get("page"))
    return render(
        request, "missing/alert_list.html", {"page": page, "status": status, "statuses": Alert.Status.choices}
    )


@login_required
def alert_detail(request, pk: int):
    alert = selectors.alert_for_view(request.user, pk)
    policy = policy_for(Alert)
    return render(
        request,
        "missing/alert_detail.html",
        {
            "alert": alert,
            "staff_fields": policy.can(request.user, "see_staff_fields", alert),
            "can_manage": policy.can(request.user, "manage", alert) and alert.status in ("pending", "active"),
            "can_approve": policy.can(request.user, "approve", alert),
            "can_release": policy.can(request.user, "release", alert),
            "cap_messages": alert.messages.all(),
            "releases": alert.releases.select_related("unit"),
            "delivery_rows": _delivery_rows(alert)
            if policy.can(request.user, "see_staff_fields", alert)
            else [],
            "release_form": ReleaseForm(),
            "approval_form": ApprovalForm(),
        },
    )


def _delivery_rows(alert: Alert):
    from .models import Delivery

    return (
        Delivery.objects.filter(message__alert=alert)
        .select_related("subscriber", "message")
        .order_by("-created_at")[:100]
    )


@login_required
@require_POST
def alert_approve(request, pk: int):
    alert = policy_for(Alert).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(Alert).can(request.user, "approve", alert))
    form = ApprovalForm(request.POST)
    forbid_unless(form.is_valid())
    if form.cleaned_data["decision"] == "approve":
        alerts.approve_alert(actor=request.user, alert=alert)
        messages.success(request, _("The alert was approved and published."))
    else:
        alerts.reject_alert(actor=request.user, alert=alert, reason=form.cleaned_data["reason"])
        messages.info(request, _("The alert was rejected."))
    return redirect("missing:alert_detail", pk=alert.pk)


@login_required
@require_POST
def alert_withdraw(request, pk: int):
    alert = policy_for(Alert).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(Alert).can(request.user, "manage", alert))
    alerts.clear_alert(actor=request.user, alert=alert, reason="withdraw")
    messages.success(request, _("The alert was withdrawn."))
    return redirect("missing:alert_detail", pk=alert.pk)


@login_required
@require_POST
def alert_release(request, pk: int):
    alert = policy_for(Alert).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(Alert).can(request.user, "release", alert))
    form = ReleaseForm(request.POST)
    if form.is_valid():
        alerts.record_release(actor=request.user, alert=alert, **form.cleaned_data)
        messages.success(request, _("The media release was recorded."))
    else:
        _form_errors(request, form)
    return redirect("missing:alert_detail", pk=alert.pk)


# --- checklist configuration --------------------------------------------------------------------------


@login_required
def step_list(request):
    forbid_unless(request.user.has_role(*STAFF_ROLES))
    return render(
        request,
        "missing/step_list.html",
        {"steps": selectors.steps(), "can_edit": request.user.has_role(Role.OFFICE_STAFF)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def step_edit(request, pk: int | None = None):
    forbid_unless(request.user.has_role(Role.OFFICE_STAFF))
    step = None
    if pk is not None:
        try:
            step = SearchStep.objects.get(pk=pk)
        except SearchStep.DoesNotExist as exc:
            raise Http404 from exc
    form = StepForm(request.POST or None, instance=step)
    if request.method == "POST" and form.is_valid():
        services.save_step(actor=request.user, step=step, **form.cleaned_data)
        messages.success(request, _("The checklist step was saved."))
        return redirect("missing:step_list")
    return render(request, "missing/form.html", {"form": form, "title": _("Rapid-search step")})


# --- subscribers ---------------------------------------------------------------------------------------


@login_required
def subscriber_list(request):
    forbid_unless(policy_for(Subscriber).can(request.user, "manage"))
    page = BoundedPaginator(selectors.visible_subscribers(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "missing/subscriber_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def subscriber_create(request):
    forbid_unless(policy_for(Subscriber).can(request.user, "manage"))
    form = SubscriberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            alerts.add_subscriber(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("The subscriber was registered."))
            return redirect("missing:subscriber_list")
    return render(request, "missing/form.html", {"form": form, "title": _("Register a subscriber")})


@login_required
@require_POST
def subscriber_toggle(request, pk: int):
    subscriber = policy_for(Subscriber).get_visible_or_404(request.user, pk=pk)
    alerts.set_subscriber_active(actor=request.user, subscriber=subscriber, active=not subscriber.is_active)
    return redirect("missing:subscriber_list")


# --- media release (publicity department) ----------------------------------------------------------------


@login_required
def release_queue(request):
    forbid_unless(is_publicity(request.user))
    active = selectors.visible_alerts(request.user, status=Alert.Status.ACTIVE)
    return render(request, "missing/release_queue.html", {"alerts": active})


# --- unidentified persons ----------------------------------------------------------------------------


@login_required
def unidentified_list(request):
    forbid_unless(request.user.has_role(*STAFF_ROLES))
    page = BoundedPaginator(selectors.visible_unidentified(request.user), 25).get_page(
        request.GET.get("page")
    )
    _audit_list("unidentified.list", "missing.unidentifiedperson", page)
    return render(
        request,
        "missing/unidentified_list.html",
        {"page": page, "can_create": policy_for(UnidentifiedPerson).can(request.user, "create")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def unidentified_create(request):
    forbid_unless(policy_for(UnidentifiedPerson).can(request.user, "create"))
    form = UnidentifiedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record = services.record_unidentified(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Record %(number)s was created.") % {"number": record.number})
        return redirect("missing:unidentified_detail", pk=record.pk)
    return render(
        request, "missing/form.html", {"form": form, "title": _("Record an unidentified person or body")}
    )


@login_required
def unidentified_detail(request, pk: int):
    record = selectors.unidentified_for_view(request.user, pk)
    return render(
        request,
        "missing/unidentified_detail.html",
        {
            "record": record,
            "can_change": policy_for(UnidentifiedPerson).can(request.user, "change", record),
            "statuses": UnidentifiedPerson.Status.choices,
            "sample_requests": record.sample_requests.all(),
        },
    )


@login_required
@require_POST
def unidentified_status(request, pk: int):
    record = policy_for(UnidentifiedPerson).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(UnidentifiedPerson).can(request.user, "change", record))
    status = request.POST.get("status", "")
    forbid_unless(status in UnidentifiedPerson.Status.values)
    services.set_unidentified_status(actor=request.user, record=record, status=status)
    return redirect("missing:unidentified_detail", pk=record.pk)


@login_required
@require_POST
def unidentified_sample(request, pk: int):
    record = policy_for(UnidentifiedPerson).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(UnidentifiedPerson).can(request.user, "change", record))
    form = SampleRequestForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("missing:unidentified_detail", pk=record.pk)
    services.request_blood_sample(actor=request.user, unidentified=record, reason=form.cleaned_data["reason"])
    messages.success(request, _("A blood sample was requested from the DNA laboratory."))
    return redirect("missing:unidentified_detail", pk=record.pk)


# --- screenings of children of unknown origin --------------------------------------------------------


@login_required
def screening_list(request):
    forbid_unless(request.user.has_role(*STAFF_ROLES))
    page = BoundedPaginator(selectors.visible_screenings(request.user), 25).get_page(request.GET.get("page"))
    _audit_list("screening.list", "missing.screening", page)
    return render(
        request,
        "missing/screening_list.html",
        {"page": page, "can_create": policy_for(Screening).can(request.user, "create")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def screening_create(request):
    forbid_unless(policy_for(Screening).can(request.user, "create"))
    form = ScreeningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        screening = services.record_screening(actor=request.user, **form.cleaned_data)
        messages.success(request, _("The screening was recorded."))
        return redirect("missing:screening_detail", pk=screening.pk)
    return render(
        request, "missing/form.html", {"form": form, "title": _("Screen a child of unknown origin")}
    )


@login_required
def screening_detail(request, pk: int):
    return _screening_page(request, selectors.screening_for_view(request.user, pk))


def _screening_page(request, screening: Screening, *, result_form=None):
    """The screening's page; a refused result is shown again with its errors."""
    return render(
        request,
        "missing/screening_detail.html",
        {
            "screening": screening,
            "can_change": policy_for(Screening).can(request.user, "change", screening),
            "result_form": result_form or ScreeningResultForm(initial={"result": screening.result}),
            "sample_requests": screening.sample_requests.all(),
        },
    )


@login_required
@require_POST
def screening_result(request, pk: int):
    screening = policy_for(Screening).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(Screening).can(request.user, "change", screening))
    form = ScreeningResultForm(request.POST)
    if not form.is_valid():
        return _screening_page(request, screening, result_form=form)
    services.set_screening_result(actor=request.user, screening=screening, **form.cleaned_data)
    messages.success(request, _("The result was recorded."))
    return redirect("missing:screening_detail", pk=screening.pk)


@login_required
@require_POST
def screening_sample(request, pk: int):
    screening = policy_for(Screening).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(Screening).can(request.user, "change", screening))
    form = SampleRequestForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("missing:screening_detail", pk=screening.pk)
    services.request_blood_sample(actor=request.user, screening=screening, reason=form.cleaned_data["reason"])
    messages.success(request, _("A blood sample was requested from the DNA laboratory."))
    return redirect("missing:screening_detail", pk=screening.pk)


# --- blood sample requests (the hand-over to the DNA module) --------------------------------------------


@login_required
def sample_list(request):
    forbid_unless(request.user.has_role(Role.DNA_ANALYST, *STAFF_ROLES))
    rows = selectors.visible_sample_requests(request.user, status=request.GET.get("status", "open"))
    record_event("sample_request.list", actor=request.user, object_type="missing.bloodsamplerequest")
    return render(
        request,
        "missing/sample_list.html",
        {
            "rows": rows[:200],
            "can_hand_over": request.user.has_role(Role.DNA_ANALYST),
            "show_donor": policy_for(BloodSampleRequest).can_see_donor(request.user),
            "form": HandOverForm(),
        },
    )


@login_required
@require_POST
def sample_hand_over(request, pk: int):
    sample = policy_for(BloodSampleRequest).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(BloodSampleRequest).can(request.user, "hand_over", sample))
    form = HandOverForm(request.POST)
    if not form.is_valid():
        # The form is one box on a row of the list: the message names the field and what is wrong with it.
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
        return redirect("missing:sample_list")
    try:
        services.hand_over_sample_request(
            actor=request.user, request=sample, dna_reference=form.cleaned_data["dna_reference"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The request was taken over."))
    return redirect("missing:sample_list")


# --- home panel -----------------------------------------------------------------------------------------


def home_panel_context(user) -> dict | None:
    """Open reports with the rapid-search steps that are late (highlighted)."""
    reports = selectors.visible_reports(user, status=MissingReport.Status.OPEN)
    return {
        "open_count": reports.count(),
        "late": list(selectors.late_tasks(user)[:10]),
    }
