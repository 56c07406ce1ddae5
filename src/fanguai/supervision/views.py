"""Thin views: each validates its form, calls one service or selector and renders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fanguai.core.errors import ValidationFailed
from fanguai.core.pagination import BoundedPaginator
from fanguai.core.policies import policy_for
from fanguai.core.views import forbid_unless
from fanguai.deadlines.selectors import deadlines_of
from fanguai.files.forms import AttachmentForm
from fanguai.files.selectors import files_for

from . import exports, selectors, services
from .forms import (
    ConductForm,
    FindingForm,
    InspectionFilterForm,
    InspectionForm,
    LiftDecisionForm,
    LiftRequestForm,
    ListingFilterForm,
    ListingForm,
    PastInspectionForm,
    ProgressReportForm,
    RectificationFilterForm,
    RectificationForm,
    RectificationReportForm,
    ReportCorrectionForm,
    ReviewForm,
    WithdrawForm,
    _apply,
)
from .models import Finding, Inspection, Listing, ProgressReport, Rectification, RectificationReport
from .policies import is_office, works_here

PAGE_SIZE = 25


def _gate(request) -> None:
    forbid_unless(works_here(request.user))


def _errors_of(exc: ValidationFailed) -> str:
    return " ".join(e.message for e in exc.errors)


# Listings -----------------------------------------------------------------------------------------------------


def _listing_filters(request) -> tuple[ListingFilterForm, dict]:
    form = ListingFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, {
        "status": data.get("status", ""),
        "level": data.get("level", ""),
        "kind": data.get("kind", ""),
        "unit": data.get("unit"),
        "county": data.get("county", ""),
        "query": data.get("q", ""),
    }


@login_required
@require_GET
def listing_list(request):
    _gate(request)
    form, filters = _listing_filters(request)
    rows = selectors.visible_listings(request.user, **filters)
    page = BoundedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/listing_list.html",
        {
            "form": form,
            "page": page,
            "can_create": policy_for(Listing).can(request.user, "create"),
            "query_string": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def listing_export(request):
    _gate(request)
    _form, filters = _listing_filters(request)
    return exports.listings_workbook(request.user, selectors.visible_listings(request.user, **filters))


@login_required
@require_http_methods(["GET", "POST"])
def listing_create(request):
    _gate(request)
    forbid_unless(policy_for(Listing).can(request.user, "create"))
    form = ListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            listing = services.create_listing(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Listed as %(number)s.") % {"number": listing.number})
            return redirect(listing)
    return render(
        request,
        "supervision/form.html",
        {"form": form, "title": _("New listing"), "back": "supervision:listing_list"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def listing_edit(request, pk: int):
    _gate(request)
    listing = selectors.listing_for_view(request.user, pk)
    forbid_unless(policy_for(Listing).can(request.user, "change", listing))
    form = ListingForm(request.POST or None, instance=Listing.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in services.LISTING_FIELDS}
        try:
            services.update_listing(actor=request.user, listing=listing, **changes)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The listing was updated."))
            return redirect(listing)
    return render(
        request,
        "supervision/form.html",
        {"form": form, "title": listing.number, "back": "supervision:listing_list"},
    )


@login_required
@require_GET
def listing_detail(request, pk: int):
    _gate(request)
    user = request.user
    listing = selectors.listing_for_view(user, pk)
    policy = policy_for(Listing)
    return render(
        request,
        "supervision/listing_detail.html",
        {
            "listing": listing,
            "case_visible": listing.case_id is not None
            and policy_for(listing.case).can_view(user, listing.case),
            "reports": selectors.listing_reports(user, listing),
            "warnings": selectors.listing_warnings(user, listing),
            "lift_requests": selectors.lift_requests(user, listing),
            "timeline": selectors.timeline(user, listing=listing),
            "deadlines": deadlines_of(listing, user),
            "attachments": files_for(user, listing),
            "attachment_form": AttachmentForm(),
            "can_change": policy.can(user, "change", listing),
            "can_report": policy.can(user, "report", listing),
            "can_attach": policy.can(user, "attach", listing),
            "can_request_lift": policy.can(user, "request_lift", listing),
            "can_decide_lift": policy.can(user, "decide_lift", listing),
            "report_form": ProgressReportForm(),
            "lift_form": LiftRequestForm(),
            "decision_form": LiftDecisionForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def listing_report(request, pk: int):
    _gate(request)
    listing = selectors.listing_for_view(request.user, pk)
    forbid_unless(policy_for(Listing).can(request.user, "report", listing))
    form = ProgressReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_progress(
                actor=request.user,
                listing=listing,
                text=form.cleaned_data["text"],
                upload=form.cleaned_data.get("file"),
            )
        except ValidationError as exc:
            _apply(form, exc)
        except ValidationFailed as exc:
            form.add_error("file", _errors_of(exc))
        else:
            messages.success(request, _("The progress was reported."))
            return redirect(listing)
    return render(
        request,
        "supervision/form.html",
        {
            "form": form,
            "title": _("Report progress: %(number)s") % {"number": listing.number},
            "multipart": True,
            "back_url": listing.get_absolute_url(),
        },
    )


@login_required
@require_POST
def listing_attach(request, pk: int):
    _gate(request)
    listing = selectors.listing_for_view(request.user, pk)
    forbid_unless(policy_for(Listing).can(request.user, "attach", listing))
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(listing)
    try:
        services.attach_to_listing(actor=request.user, listing=listing, upload=form.cleaned_data["file"])
    except ValidationFailed as exc:
        messages.error(request, _errors_of(exc))
    else:
        messages.success(request, _("The file was attached."))
    return redirect(listing)


@login_required
@require_http_methods(["GET", "POST"])
def listing_lift_request(request, pk: int):
    _gate(request)
    listing = selectors.listing_for_view(request.user, pk)
    forbid_unless(policy_for(Listing).can(request.user, "request_lift", listing))
    form = LiftRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_lift(actor=request.user, listing=listing, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("Lifting was requested; the office decides."))
            return redirect(listing)
    return render(
        request,
        "supervision/form.html",
        {
            "form": form,
            "title": _("Request lifting: %(number)s") % {"number": listing.number},
            "back_url": listing.get_absolute_url(),
        },
    )


@login_required
@require_POST
def listing_lift_decide(request, pk: int):
    _gate(request)
    listing = selectors.listing_for_view(request.user, pk)
    forbid_unless(policy_for(Listing).can(request.user, "decide_lift", listing))
    form = LiftDecisionForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.decide_lift(
                actor=request.user, listing=listing, approve=approve, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The listing was lifted.") if approve else _("Lifting was refused."))
            return redirect(listing)
    messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(listing)


# Inspections --------------------------------------------------------------------------------------------------


def _inspection_filters(request) -> tuple[InspectionFilterForm, dict]:
    form = InspectionFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return form, {
        "status": data.get("status", ""),
        "kind": data.get("kind", ""),
        "county": data.get("county", ""),
        "query": data.get("q", ""),
    }


@login_required
@require_GET
def inspection_list(request):
    _gate(request)
    form, filters = _inspection_filters(request)
    page = BoundedPaginator(selectors.visible_inspections(request.user, **filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "supervision/inspection_list.html",
        {
            "form": form,
            "page": page,
            "can_create": policy_for(Inspection).can(request.user, "create"),
            "query_string": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def inspection_export(request):
    _gate(request)
    _form, filters = _inspection_filters(request)
    return exports.inspections_workbook(request.user, selectors.visible_inspections(request.user, **filters))


@login_required
@require_http_methods(["GET", "POST"])
def inspection_create(request):
    _gate(request)
    forbid_unless(policy_for(Inspection).can(request.user, "create"))
    form = InspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.schedule_inspection(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(
                request, _("Inspection %(number)s was scheduled.") % {"number": inspection.number}
            )
            return redirect(inspection)
    return render(
        request,
        "supervision/form.html",
        {"form": form, "title": _("Schedule an inspection"), "back": "supervision:inspection_list"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_record_past(request):
    """An inspection held before it was entered, recorded as conducted on its date."""
    _gate(request)
    forbid_unless(policy_for(Inspection).can(request.user, "create"))
    form = PastInspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            inspection = services.record_past_inspection(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(
                request,
                _("Inspection %(number)s was recorded; now record its findings and rectifications.")
                % {"number": inspection.number},
            )
            return redirect(inspection)
    return render(
        request,
        "supervision/form.html",
        {
            "form": form,
            "title": _("Record a past inspection"),
            "lead": _("For an inspection already held: it is recorded as conducted on the day it was held."),
            "back": "supervision:inspection_list",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_edit(request, pk: int):
    _gate(request)
    inspection = selectors.inspection_for_view(request.user, pk)
    forbid_unless(policy_for(Inspection).can(request.user, "change", inspection))
    form = InspectionForm(request.POST or None, instance=Inspection.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in services.INSPECTION_FIELDS}
        try:
            services.update_inspection(actor=request.user, inspection=inspection, **changes)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The inspection was updated."))
            return redirect(inspection)
    return render(
        request,
        "supervision/form.html",
        {"form": form, "title": inspection.number, "back_url": inspection.get_absolute_url()},
    )


@login_required
@require_GET
def inspection_detail(request, pk: int):
    _gate(request)
    user = request.user
    inspection = selectors.inspection_for_view(user, pk)
    policy = policy_for(Inspection)
    return render(
        request,
        "supervision/inspection_detail.html",
        {
            "inspection": inspection,
            "findings": selectors.inspection_findings(user, inspection),
            "timeline": selectors.timeline(user, inspection=inspection),
            "can_change": policy.can(user, "change", inspection),
            "can_conduct": policy.can(user, "conduct", inspection),
            "can_add_finding": policy.can(user, "add_finding", inspection),
            "can_close": policy.can(user, "close", inspection),
            "can_rectify": is_office(user) and inspection.status != Inspection.Status.CLOSED,
            "conduct_form": ConductForm(),
            "finding_form": FindingForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_conduct(request, pk: int):
    _gate(request)
    inspection = selectors.inspection_for_view(request.user, pk)
    forbid_unless(policy_for(Inspection).can(request.user, "conduct", inspection))
    form = ConductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_conduct(actor=request.user, inspection=inspection, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The inspection was recorded as conducted."))
            return redirect(inspection)
    return render(
        request,
        "supervision/form.html",
        {"form": form, "title": _("Record the inspection"), "back_url": inspection.get_absolute_url()},
    )


@login_required
@require_POST
def inspection_close(request, pk: int):
    _gate(request)
    inspection = selectors.inspection_for_view(request.user, pk)
    forbid_unless(policy_for(Inspection).can(request.user, "close", inspection))
    services.close_inspection(actor=request.user, inspection=inspection, note=request.POST.get("note", ""))
    messages.success(request, _("The inspection was closed."))
    return redirect(inspection)


@login_required
@require_http_methods(["GET", "POST"])
def finding_create(request, pk: int):
    _gate(request)
    inspection = selectors.inspection_for_view(request.user, pk)
    forbid_unless(policy_for(Inspection).can(request.user, "add_finding", inspection))
    form = FindingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_finding(actor=request.user, inspection=inspection, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The finding was recorded."))
            return redirect(inspection)
    return render(
        request,
        "supervision/form.html",
        {"form": form, "title": _("Record a finding"), "back_url": inspection.get_absolute_url()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def rectification_create(request, pk: int):
    _gate(request)
    finding = policy_for(Finding).get_visible_or_404(
        request.user, Finding.objects.select_related("inspection"), pk=pk
    )
    forbid_unless(policy_for(Finding).can(request.user, "rectify", finding))
    initial = {"responsible_unit": finding.inspection.target_unit}
    form = RectificationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rectification = services.order_rectification(
                actor=request.user, finding=finding, **form.cleaned_data
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(
                request, _("Rectification %(number)s was ordered.") % {"number": rectification.number}
            )
            return redirect(finding.inspection)
    return render(
        request,
        "supervision/form.html",
        {
            "form": form,
            "title": _("Order a rectification"),
            "lead": finding.description,
            "back_url": finding.inspection.get_absolute_url(),
        },
    )


@login_required
@require_GET
def rectification_list(request):
    _gate(request)
    form = RectificationFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = selectors.visible_rectifications(
        request.user, status=data.get("status", ""), county=data.get("county", "")
    )
    page = BoundedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "supervision/rectification_list.html", {"form": form, "page": page})


@login_required
@require_GET
def rectification_detail(request, pk: int):
    _gate(request)
    user = request.user
    rectification = selectors.rectification_for_view(user, pk)
    policy = policy_for(Rectification)
    return render(
        request,
        "supervision/rectification_detail.html",
        {
            "rectification": rectification,
            "inspection_visible": policy_for(Inspection).can_view(user, rectification.inspection),
            "reports": selectors.rectification_reports(user, rectification),
            "timeline": selectors.timeline(user, rectification=rectification),
            "deadlines": deadlines_of(rectification, user),
            "can_report": policy.can(user, "report", rectification),
            "can_review": policy.can(user, "review", rectification),
            "report_form": RectificationReportForm(),
            "review_form": ReviewForm(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rectification_report(request, pk: int):
    _gate(request)
    rectification = selectors.rectification_for_view(request.user, pk)
    forbid_unless(policy_for(Rectification).can(request.user, "report", rectification))
    form = RectificationReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_rectification(
                actor=request.user,
                rectification=rectification,
                text=form.cleaned_data["text"],
                upload=form.cleaned_data.get("file"),
            )
        except ValidationError as exc:
            _apply(form, exc)
        except ValidationFailed as exc:
            form.add_error("file", _errors_of(exc))
        else:
            messages.success(request, _("The rectification was reported; the office reviews it."))
            return redirect(rectification)
    return render(
        request,
        "supervision/form.html",
        {
            "form": form,
            "title": _("Report the rectification"),
            "lead": rectification.requirement,
            "multipart": True,
            "back_url": rectification.get_absolute_url(),
        },
    )


@login_required
@require_POST
def rectification_review(request, pk: int):
    _gate(request)
    rectification = selectors.rectification_for_view(request.user, pk)
    forbid_unless(policy_for(Rectification).can(request.user, "review", rectification))
    form = ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "accept":
                services.accept_rectification(
                    actor=request.user, rectification=rectification, note=data["note"]
                )
                messages.success(request, _("The rectification was accepted and closed."))
            else:
                services.reopen_rectification(
                    actor=request.user,
                    rectification=rectification,
                    note=data["note"],
                    due_date=data["due_date"],
                )
                messages.success(request, _("The rectification was reopened."))
            return redirect(rectification)
        except ValidationError as exc:
            _apply(form, exc)
    messages.error(
        request,
        " ".join(
            f"{form.fields[f].label if f in form.fields else ''}: {e}"
            for f, errors in form.errors.items()
            for e in errors
        ),
    )
    return redirect(rectification)


# Overview -----------------------------------------------------------------------------------------------------


@login_required
@require_GET
def overview(request):
    _gate(request)
    return render(request, "supervision/overview.html", {"o": selectors.overview(request.user)})


def home_panel_context(user) -> dict | None:
    return selectors.home_panel(user)


# Corrections of the units' reports --------------------------------------------------------------------------

REPORT_KINDS = {"listing": ProgressReport, "rectification": RectificationReport}


def _unit_report(request, kind: str, pk: int):
    model = REPORT_KINDS.get(kind)
    if model is None:
        raise Http404
    related = "listing" if model is ProgressReport else "rectification"
    return policy_for(model).get_visible_or_404(
        request.user, model.objects.select_related(related, "unit", "created_by"), pk=pk
    )


def _refuse_if_final(request, report):
    """An accepted (or withdrawn) report is final: a (forged) request to change it gets a message, no change."""
    if not services.report_is_final(report):
        return None
    if report.withdrawn_at is not None:
        messages.error(request, _("The report was withdrawn."))
    else:
        messages.error(request, _("The report was accepted: it can no longer be corrected or withdrawn."))
    return redirect(report.get_absolute_url())


def _correction_page(request, report, *, form=None, withdraw_form=None):
    return render(
        request,
        "supervision/report_correct.html",
        {
            "report": report,
            "kind": "listing" if isinstance(report, ProgressReport) else "rectification",
            "form": form or ReportCorrectionForm(initial={"text": report.text}),
            "withdraw_form": withdraw_form or WithdrawForm(prefix="withdraw"),
            "timeline": [
                step
                for step in selectors.timeline(request.user, **services.report_parent(report))
                if step.action.endswith((".report_correct", ".report_withdraw"))
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_correct(request, kind: str, pk: int):
    _gate(request)
    report = _unit_report(request, kind, pk)
    if (refused := _refuse_if_final(request, report)) is not None:
        return refused
    forbid_unless(policy_for(type(report)).can(request.user, "correct", report))
    form = ReportCorrectionForm(request.POST or None, initial={"text": report.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_unit_report(actor=request.user, report=report, **form.cleaned_data)
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(
                request, _("The report was corrected; the earlier text is kept on the timeline.")
            )
            return redirect(report.get_absolute_url())
    return _correction_page(request, report, form=form)


@login_required
@require_POST
def report_withdraw(request, kind: str, pk: int):
    _gate(request)
    report = _unit_report(request, kind, pk)
    if (refused := _refuse_if_final(request, report)) is not None:
        return refused
    forbid_unless(policy_for(type(report)).can(request.user, "withdraw", report))
    form = WithdrawForm(request.POST, prefix="withdraw")
    if form.is_valid():
        try:
            services.withdraw_unit_report(
                actor=request.user, report=report, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(request, _("The report was withdrawn."))
            return redirect(report.get_absolute_url())
    return _correction_page(request, report, withdraw_form=form)
