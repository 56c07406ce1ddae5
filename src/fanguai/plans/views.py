from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fanguai.core.errors import ValidationFailed
from fanguai.core.exports import wants_xlsx, xlsx_response
from fanguai.core.pagination import BoundedPaginator
from fanguai.core.policies import policy_for
from fanguai.core.views import forbid_unless
from fanguai.deadlines.selectors import deadlines_of
from fanguai.files.forms import AttachmentForm
from fanguai.files.selectors import files_for
from fanguai.files.services import store_upload

from . import selectors, services
from .forms import (
    OverviewFilterForm,
    PlanSearchForm,
    ReasonForm,
    ReportCorrectionForm,
    ReportFilterForm,
    ReportForm,
    ReviewForm,
    WorkItemForm,
    WorkPlanCreateForm,
    WorkPlanFilterForm,
    WorkPlanSettingsForm,
)
from .models import ProgressReport, WorkItem, WorkPlan, default_report_cycle
from .policies import may_see_overview

PAGE_SIZE = 25


def _errors(request, exc: ValidationFailed, form=None) -> None:
    """Show a service's errors next to the form field they name, or as a message."""
    for error in exc.errors:
        if form is not None and error.field in form.fields:
            form.add_error(error.field, error.message)
        elif form is not None:
            form.add_error(None, str(error) if error.row else error.message)
        else:
            messages.error(request, str(error) if error.row else error.message)


def _filters(form) -> dict:
    return form.cleaned_data if form.is_valid() else {}


# The plan -----------------------------------------------------------------------------------------------


@login_required
def plan_tree(request, code: str | None = None):
    plan = selectors.plan_for_view(request.user, code)
    if wants_xlsx(request):
        return xlsx_response(
            f"{plan.code}.xlsx",
            [_("Unit"), _("Kind"), _("Period"), _("Number"), _("Text")],
            selectors.plan_item_rows(plan),
            sheet=_("Plan annex"),
        )
    form = PlanSearchForm(request.GET or None)
    filters = _filters(form)
    tree = selectors.plan_tree(plan, unit_query=filters.get("unit", ""), text_query=filters.get("q", ""))
    return render(
        request,
        "plans/plan_tree.html",
        {"plan": plan, "tree": tree, "form": form, "plans": selectors.visible_plans(request.user)},
    )


# Work plans ---------------------------------------------------------------------------------------------


def _work_plan_rows(work_plans):
    for wp in work_plans:
        yield [
            wp.unit.name,
            wp.year,
            wp.get_status_display(),
            wp.get_report_cycle_display(),
            wp.item_count,
            wp.updated_at,
        ]


@login_required
def workplan_list(request):
    form = WorkPlanFilterForm(request.GET or None)
    filters = _filters(form)
    work_plans = selectors.visible_work_plans(
        request.user,
        year=filters.get("year"),
        status=filters.get("status", ""),
        query=filters.get("q", ""),
        county=filters.get("county", ""),
    )
    if wants_xlsx(request):
        return xlsx_response(
            "work-plans.xlsx",
            [
                _("Unit"),
                _("Year"),
                _("Status"),
                _("Report cycle"),
                _("Work items"),
                _("Updated"),
            ],
            _work_plan_rows(work_plans),
            sheet=_("Work plans"),
        )
    return render(
        request,
        "plans/workplan_list.html",
        {
            "form": form,
            "page": BoundedPaginator(work_plans, PAGE_SIZE).get_page(request.GET.get("page")),
            "can_create": policy_for(WorkPlan).can(request.user, "create"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def workplan_create(request):
    forbid_unless(policy_for(WorkPlan).can(request.user, "create"))
    plan = selectors.plan_for_view(request.user, request.GET.get("plan"))
    units = selectors.editable_units(request.user)
    form = WorkPlanCreateForm(request.POST or None, units=units, default_cycle=default_report_cycle())
    if request.method == "POST" and form.is_valid():
        try:
            work_plan = services.create_work_plan(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationFailed as exc:
            _errors(request, exc, form)
        else:
            messages.success(request, _("The work plan was created. Now add its work items."))
            return redirect(work_plan)
    return render(request, "plans/form.html", {"form": form, "title": _("New work plan"), "plan": plan})


@login_required
def workplan_detail(request, pk: int):
    work_plan = selectors.work_plan_for_view(request.user, pk)
    items = list(selectors.items_of(work_plan))
    deadlines = selectors.open_report_deadlines(items)
    for item in items:
        reports = list(item.reports.all())
        item.latest_report = reports[-1] if reports else None
        item.open_deadline = deadlines.get(item.pk)
        item.can_report = policy_for(WorkItem).can(request.user, "report", item)
    if wants_xlsx(request):
        return xlsx_response(
            f"work-plan-{work_plan.unit.code}-{work_plan.year}.xlsx",
            [
                _("No."),
                _("Work item"),
                _("Measure of the plan"),
                _("Owner"),
                _("Due date"),
                _("Indicator"),
                _("Target"),
                _("Latest status"),
                _("Achieved so far"),
            ],
            (
                [
                    number,
                    item.title,
                    str(item.measure or ""),
                    str(item.owner or ""),
                    item.due_date,
                    item.indicator,
                    item.target,
                    item.latest_report.get_status_display() if item.latest_report else "",
                    item.latest_report.achieved if item.latest_report else None,
                ]
                for number, item in enumerate(items, start=1)
            ),
            sheet=_("Work plan"),
        )
    policy = policy_for(WorkPlan)
    return render(
        request,
        "plans/workplan_detail.html",
        {
            "work_plan": work_plan,
            "items": items,
            "events": work_plan.events.all(),
            "can_change": policy.can(request.user, "change", work_plan),
            "can_review": policy.can(request.user, "review", work_plan),
            "review_form": ReviewForm(),
            "deadlines": deadlines_of(work_plan, request.user),
            "now": timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def workplan_edit(request, pk: int):
    work_plan = selectors.work_plan_for_view(request.user, pk)
    forbid_unless(policy_for(WorkPlan).can(request.user, "change", work_plan))
    form = WorkPlanSettingsForm(request.POST or None, initial={"report_cycle": work_plan.report_cycle})
    if request.method == "POST" and form.is_valid():
        services.update_work_plan(actor=request.user, work_plan=work_plan, **form.cleaned_data)
        messages.success(request, _("The work plan was updated."))
        return redirect(work_plan)
    return render(
        request,
        "plans/form.html",
        {"form": form, "title": str(work_plan), "back": work_plan.get_absolute_url()},
    )


def _item_form(request, work_plan, instance=None):
    return WorkItemForm(
        request.POST or None,
        instance=instance,
        measures=services.measures_for(work_plan),
        owners=selectors.owner_choices(work_plan),
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request, pk: int):
    work_plan = selectors.work_plan_for_view(request.user, pk)
    forbid_unless(policy_for(WorkPlan).can(request.user, "change", work_plan))
    form = _item_form(request, work_plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_work_item(actor=request.user, work_plan=work_plan, **form.cleaned_data)
        except ValidationFailed as exc:
            _errors(request, exc, form)
        else:
            messages.success(request, _("The work item was added."))
            return redirect(work_plan)
    return render(
        request,
        "plans/form.html",
        {
            "form": form,
            "title": _("New work item"),
            "subtitle": str(work_plan),
            "back": work_plan.get_absolute_url(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request, pk: int):
    item = selectors.work_item_for_view(request.user, pk)
    work_plan = item.work_plan
    forbid_unless(policy_for(WorkPlan).can(request.user, "change", work_plan))
    form = _item_form(request, work_plan, instance=WorkItem.objects.get(pk=item.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_work_item(actor=request.user, item=item, **form.cleaned_data)
        except ValidationFailed as exc:
            _errors(request, exc, form)
        else:
            messages.success(request, _("The work item was updated."))
            return redirect(work_plan)
    return render(
        request,
        "plans/form.html",
        {"form": form, "title": item.title, "subtitle": str(work_plan), "back": work_plan.get_absolute_url()},
    )


@login_required
@require_POST
def item_delete(request, pk: int):
    item = selectors.work_item_for_view(request.user, pk)
    work_plan = item.work_plan
    forbid_unless(policy_for(WorkPlan).can(request.user, "change", work_plan))
    try:
        services.remove_work_item(actor=request.user, item=item)
    except ValidationFailed as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The work item was removed."))
    return redirect(work_plan)


@login_required
@require_POST
def workplan_submit(request, pk: int):
    work_plan = selectors.work_plan_for_view(request.user, pk)
    forbid_unless(policy_for(WorkPlan).can(request.user, "submit", work_plan))
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        services.submit_work_plan(
            actor=request.user, work_plan=work_plan, comment=form.cleaned_data.get("comment", "")
        )
    except ValidationFailed as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The work plan was submitted to the office."))
    return redirect(work_plan)


@login_required
@require_POST
def workplan_review(request, pk: int, decision: str):
    work_plan = selectors.work_plan_for_view(request.user, pk)
    forbid_unless(policy_for(WorkPlan).can(request.user, "review", work_plan))
    form = ReviewForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "")
    try:
        if decision == "approve":
            services.approve_work_plan(actor=request.user, work_plan=work_plan, comment=comment)
            messages.success(request, _("The work plan was approved."))
        else:
            services.return_work_plan(actor=request.user, work_plan=work_plan, comment=comment)
            messages.success(request, _("The work plan was returned to the unit."))
    except ValidationFailed as exc:
        _errors(request, exc)
    return redirect(work_plan)


# Progress reports ---------------------------------------------------------------------------------------


@login_required
def report_list(request):
    form = ReportFilterForm(request.GET or None)
    filters = _filters(form)
    reports = selectors.visible_reports(
        request.user,
        year=filters.get("year"),
        status=filters.get("status", ""),
        query=filters.get("q", ""),
        county=filters.get("county", ""),
        late_only=bool(filters.get("late")),
        withdrawn=bool(filters.get("withdrawn")),
    )
    if wants_xlsx(request):
        return xlsx_response(
            "progress-reports.xlsx",
            [
                _("Unit"),
                _("Work item"),
                _("Period"),
                _("Status"),
                _("Achieved so far"),
                _("Progress"),
                _("Due"),
                _("Submitted"),
                _("Submitted late"),
            ],
            (
                [
                    r.unit.name,
                    r.work_item.title,
                    r.period,
                    _("Withdrawn") if r.withdrawn_at else r.get_status_display(),
                    r.achieved,
                    r.narrative,
                    r.due_date,
                    r.submitted_at,
                    _("Yes") if r.submitted_late else _("No"),
                ]
                for r in reports
            ),
            sheet=_("Progress reports"),
        )
    return render(
        request,
        "plans/report_list.html",
        {"form": form, "page": BoundedPaginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request, pk: int):
    item = selectors.work_item_for_view(request.user, pk)
    forbid_unless(policy_for(ProgressReport).can(request.user, "create", item))
    period = services.next_period(item)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            figures = services.parse_figures(data["figures"])
            report = services.submit_report(
                actor=request.user,
                item=item,
                status=data["status"],
                narrative=data["narrative"],
                achieved=data["achieved"],
                figures=figures,
            )
        except ValidationFailed as exc:
            _errors(request, exc, form)
        else:
            messages.success(request, _("The report was submitted. You can now attach evidence."))
            return redirect(report)
    return render(
        request,
        "plans/report_form.html",
        {"form": form, "item": item, "period": period, "work_plan": item.work_plan},
    )


@login_required
def report_detail(request, pk: int):
    return _report_page(request, selectors.report_for_view(request.user, pk))


def _report_page(request, report: ProgressReport, *, withdraw_form=None, accept_form=None):
    """The report, its history (corrections, withdrawal, acceptance) and the steps the user may take."""
    policy = policy_for(ProgressReport)
    can_withdraw = policy.can(request.user, "withdraw", report)
    can_accept = policy.can(request.user, "accept", report)
    return render(
        request,
        "plans/report_detail.html",
        {
            "report": report,
            "item": report.work_item,
            "history": selectors.report_history(report),
            "attachments": files_for(request.user, report),
            "attachment_form": AttachmentForm(),
            "can_attach": policy.can(request.user, "attach", report),
            "can_correct": policy.can(request.user, "correct", report),
            "withdraw_form": (withdraw_form or ReasonForm(prefix="withdraw")) if can_withdraw else None,
            "accept_form": (accept_form or ReviewForm(prefix="accept")) if can_accept else None,
        },
    )


def _refuse_if_final(request, report: ProgressReport):
    """A report accepted or withdrawn is final: a (forged) request to change it gets a message, not a change."""
    if report.is_open_to_correction:
        return None
    if report.accepted_at is not None:
        messages.error(request, _("The report was accepted: it can no longer be corrected or withdrawn."))
    else:
        messages.error(request, _("The report was withdrawn."))
    return redirect(report)


@login_required
@require_http_methods(["GET", "POST"])
def report_correct(request, pk: int):
    report = selectors.report_for_view(request.user, pk)
    if (refused := _refuse_if_final(request, report)) is not None:
        return refused
    forbid_unless(policy_for(ProgressReport).can(request.user, "correct", report))
    initial = {
        "status": report.status,
        "narrative": report.narrative,
        "achieved": report.achieved,
        "figures": "\n".join(f"{label}: {value}" for label, value in report.figures.items()),
    }
    form = ReportCorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.correct_report(
                actor=request.user,
                report=report,
                reason=data["reason"],
                status=data["status"],
                narrative=data["narrative"],
                achieved=data["achieved"],
                figures=services.parse_figures(data["figures"]),
            )
        except ValidationFailed as exc:
            _errors(request, exc, form)
        else:
            messages.success(
                request, _("The report was corrected; the earlier values are kept in its history.")
            )
            return redirect(report)
    return render(
        request,
        "plans/report_correct.html",
        {"form": form, "report": report, "item": report.work_item, "work_plan": report.work_item.work_plan},
    )


@login_required
@require_POST
def report_withdraw(request, pk: int):
    report = selectors.report_for_view(request.user, pk)
    if (refused := _refuse_if_final(request, report)) is not None:
        return refused
    forbid_unless(policy_for(ProgressReport).can(request.user, "withdraw", report))
    form = ReasonForm(request.POST, prefix="withdraw")
    if form.is_valid():
        try:
            services.withdraw_report(actor=request.user, report=report, reason=form.cleaned_data["reason"])
        except ValidationFailed as exc:
            _errors(request, exc, form)
        else:
            messages.success(request, _("The report was withdrawn; its period is due again."))
            return redirect(report)
    return _report_page(request, report, withdraw_form=form)


@login_required
@require_POST
def report_accept(request, pk: int):
    report = selectors.report_for_view(request.user, pk)
    if (refused := _refuse_if_final(request, report)) is not None:
        return refused
    forbid_unless(policy_for(ProgressReport).can(request.user, "accept", report))
    form = ReviewForm(request.POST, prefix="accept")
    if form.is_valid():
        try:
            services.accept_report(actor=request.user, report=report, comment=form.cleaned_data["comment"])
        except ValidationFailed as exc:
            _errors(request, exc, form)
        else:
            messages.success(request, _("The report was accepted."))
            return redirect(report)
    return _report_page(request, report, accept_form=form)


@login_required
@require_POST
def report_attach(request, pk: int):
    report = selectors.report_for_view(request.user, pk)
    forbid_unless(policy_for(ProgressReport).can(request.user, "attach", report))
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(report)
    try:
        store_upload(actor=request.user, upload=form.cleaned_data["file"], attach_to=report)
    except ValidationFailed as exc:
        messages.error(request, " ".join(e.message for e in exc.errors))
    else:
        messages.success(request, _("The file was attached."))
    return redirect(report)


# The office's overview ----------------------------------------------------------------------------------


@login_required
def overview(request):
    forbid_unless(may_see_overview(request.user))
    form = OverviewFilterForm(request.GET or None)
    filters = _filters(form)
    year = filters.get("year") or timezone.localdate().year
    rows = selectors.overview(
        request.user,
        year=year,
        county=filters.get("county", ""),
        state=filters.get("state", ""),
        query=filters.get("q", ""),
    )
    state_labels = dict(form.fields["state"].choices)
    if wants_xlsx(request):
        return xlsx_response(
            f"progress-overview-{year}.xlsx",
            [
                _("Unit"),
                _("Year"),
                _("Work plan"),
                _("State"),
                _("Work items"),
                _("On track"),
                _("At risk"),
                _("Behind schedule"),
                _("Done"),
                _("No report yet"),
                _("Reports overdue"),
                _("Next report due"),
                _("Last report"),
            ],
            (
                [
                    r.work_plan.unit.name,
                    r.work_plan.year,
                    r.work_plan.get_status_display(),
                    state_labels[r.state],
                    r.items,
                    r.on_track,
                    r.at_risk,
                    r.late,
                    r.done,
                    r.no_report,
                    r.overdue_reports,
                    r.next_due,
                    r.last_report,
                ]
                for r in rows
            ),
            sheet=_("Progress overview"),
        )
    for row in rows:
        row.state_label = state_labels[row.state]
    return render(
        request,
        "plans/overview.html",
        {"form": form, "year": year, "page": BoundedPaginator(rows, 50).get_page(request.GET.get("page"))},
    )
