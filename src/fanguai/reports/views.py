from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from fanguai.audit.services import record_event
from fanguai.core.exports import wants_xlsx, xlsx_response
from fanguai.core.indicators import indicators
from fanguai.core.policies import policy_for
from fanguai.core.views import forbid_unless

from . import selectors, services
from .forms import (
    CommendationForm,
    CorrectionForm,
    CriteriaForm,
    EvaluationForm,
    ReturnForm,
    ScoreForm,
    SelfAssessmentForm,
    VetoForm,
    WithdrawForm,
)
from .models import AssessmentCriterion, AssessmentResult, Commendation, Evaluation, SelfAssessment
from .pdf import PdfUnavailable, render_pdf
from .policies import VIEWER_ROLES, sees_everything


def _errors_to_messages(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def _errors_to_form(form, exc: ValidationError) -> None:
    """A service's errors next to the form's fields (above the form for a field it does not have)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_http_methods(["GET", "POST"])
def evaluation_list(request):
    forbid_unless(request.user.has_role(*VIEWER_ROLES))
    can_manage = policy_for(Evaluation).can(request.user, "manage")
    form = EvaluationForm(request.POST or None)
    if request.method == "POST":
        forbid_unless(can_manage)
        if form.is_valid():
            evaluation = services.open_evaluation(actor=request.user, **form.cleaned_data)
            messages.success(
                request, _("The evaluation is open; every unit has been asked for its self-assessment.")
            )
            return redirect("reports:evaluation", pk=evaluation.pk)
    mine = (
        selectors.visible_self_assessments(request.user).exclude(status=SelfAssessment.Status.SCORED)
        if not sees_everything(request.user)
        else None
    )
    return render(
        request,
        "reports/evaluation_list.html",
        {
            "evaluations": selectors.visible_evaluations(request.user),
            "form": form if can_manage else None,
            "mine": mine,
        },
    )


@login_required
def evaluation_detail(request, pk: int):
    evaluation = policy_for(Evaluation).get_visible_or_404(request.user, pk=pk)
    rows = selectors.visible_self_assessments(request.user, evaluation, status=request.GET.get("status", ""))
    if wants_xlsx(request):
        record_event("evaluation.export", object_type="reports.evaluation", object_id=evaluation.pk)
        return xlsx_response(
            f"evaluation-{evaluation.pk}.xlsx",
            [_("Unit"), _("Status"), _("Submitted"), _("Score")],
            ([a.unit.name, a.get_status_display(), a.submitted_at, a.score] for a in rows),
            sheet=_("Evaluation"),
        )
    return render(
        request,
        "reports/evaluation_detail.html",
        {
            "evaluation": evaluation,
            "rows": rows,
            "statuses": SelfAssessment.Status.choices,
            "can_manage": policy_for(Evaluation).can(request.user, "manage"),
        },
    )


@login_required
def evaluation_pdf(request, pk: int):
    """The evaluation report as a PDF: the city's computed indicators, every self-assessment visible to the
    user and, once computed, the year's assessment: criteria with their weights, ranking and vetoes."""
    evaluation = policy_for(Evaluation).get_visible_or_404(request.user, pk=pk)
    sources = {i.code: i.label for i in indicators()} | {"evaluation": _("Evaluation score")}
    context = {
        "evaluation": evaluation,
        "generated": timezone.now(),
        "rows": selectors.visible_self_assessments(request.user, evaluation),
        "indicators": [
            {"label": i.label, "measure": i.measure, "value": i.compute(evaluation.year)}
            for i in indicators()
        ],
        "commendations": selectors.visible_commendations(request.user, evaluation.year),
        # The year's assessment (weights, ranking, one-vote vetoes), as far as the user may see its results.
        "results": selectors.visible_results(request.user, evaluation.year),
        "criteria": [
            (sources.get(c.source, c.source), c.weight)
            for c in AssessmentCriterion.objects.filter(year=evaluation.year)
        ],
    }
    try:
        document = render_pdf("reports/evaluation_report.html", context)
    except PdfUnavailable as exc:
        messages.error(request, str(exc))
        return redirect("reports:evaluation", pk=evaluation.pk)
    record_event("evaluation.pdf", object_type="reports.evaluation", object_id=evaluation.pk)
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="evaluation-{evaluation.pk}.pdf"'
    return response


@login_required
@require_POST
def evaluation_close(request, pk: int):
    evaluation = policy_for(Evaluation).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(Evaluation).can(request.user, "manage"))
    services.close_evaluation(actor=request.user, evaluation=evaluation)
    messages.success(request, _("The evaluation is closed."))
    return redirect("reports:evaluation", pk=evaluation.pk)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_detail(request, pk: int):
    assessment = policy_for(SelfAssessment).get_visible_or_404(request.user, pk=pk)
    policy = policy_for(SelfAssessment)
    can_submit, can_review = (
        policy.can(request.user, "submit", assessment),
        policy.can(request.user, "review", assessment),
    )
    initial = {
        "narrative": assessment.narrative,
        **{f"figure__{k}": v for k, v in assessment.reported_figures.items()},
    }
    submit_form = SelfAssessmentForm(request.POST or None, initial=initial) if can_submit else None
    score_form = ScoreForm(initial={"score": assessment.score}, auto_id="score_%s") if can_review else None
    return_form = ReturnForm(auto_id="return_%s") if can_review else None
    can_correct = policy.can(request.user, "correct", assessment)
    correct_form = CorrectionForm(initial=initial, auto_id="correct_%s") if can_correct else None
    withdraw_form = WithdrawForm(auto_id="withdraw_%s") if can_correct else None
    if request.method == "POST" and request.POST.get("action") in ("correct", "withdraw"):
        action = request.POST["action"]
        if assessment.status == SelfAssessment.Status.SCORED:
            # what the office has scored is final: a (forged) correction is refused and changes nothing
            messages.error(
                request, _("The self-assessment was scored: it can no longer be corrected or withdrawn.")
            )
            return redirect("reports:assessment", pk=assessment.pk)
        forbid_unless(can_correct)
        if action == "correct":
            form = correct_form = CorrectionForm(request.POST, auto_id="correct_%s")
        else:
            form = withdraw_form = WithdrawForm(request.POST, auto_id="withdraw_%s")
        if form.is_valid():
            try:
                if action == "correct":
                    services.correct_self_assessment(
                        actor=request.user,
                        assessment=assessment,
                        narrative=form.cleaned_data["narrative"],
                        reported_figures=form.figures(),
                        reason=form.cleaned_data["reason"],
                    )
                    messages.success(
                        request, _("The self-assessment was corrected; the earlier values are kept.")
                    )
                else:
                    services.withdraw_self_assessment(
                        actor=request.user, assessment=assessment, reason=form.cleaned_data["reason"]
                    )
                    messages.success(
                        request, _("The self-assessment was withdrawn; submit it again by the deadline.")
                    )
                return redirect("reports:assessment", pk=assessment.pk)
            except ValidationError as exc:
                _errors_to_form(form, exc)
                assessment.refresh_from_db()
    elif request.method == "POST":
        action = request.POST.get("action")
        forbid_unless({"submit": can_submit, "score": can_review, "return": can_review}.get(action, False))
        try:
            if action == "submit" and submit_form.is_valid():
                services.submit_self_assessment(
                    actor=request.user,
                    assessment=assessment,
                    narrative=submit_form.cleaned_data["narrative"],
                    reported_figures=submit_form.figures(),
                )
                messages.success(request, _("The self-assessment was submitted."))
                return redirect("reports:assessment", pk=assessment.pk)
            # A refused score or return is shown again, bound, with the errors next to its fields.
            if action == "score":
                form = score_form = ScoreForm(request.POST, auto_id="score_%s")
            elif action == "return":
                form = return_form = ReturnForm(request.POST, auto_id="return_%s")
            if action != "submit" and form.is_valid():
                if action == "score":
                    services.score_self_assessment(
                        actor=request.user, assessment=assessment, **form.cleaned_data
                    )
                    messages.success(request, _("The score was recorded."))
                else:
                    services.return_self_assessment(
                        actor=request.user, assessment=assessment, **form.cleaned_data
                    )
                    messages.success(request, _("The self-assessment was returned to the unit."))
                return redirect("reports:assessment", pk=assessment.pk)
        except ValidationError as exc:
            if action == "submit":
                _errors_to_messages(request, exc)
            else:
                _errors_to_form(form, exc)
            assessment.refresh_from_db()
    return render(
        request,
        "reports/assessment_detail.html",
        {
            "assessment": assessment,
            "indicators": selectors.indicator_table(assessment),
            "steps": _steps_with_changes(assessment),
            "submit_form": submit_form,
            "score_form": score_form,
            "return_form": return_form,
            "correct_form": correct_form,
            "withdraw_form": withdraw_form,
        },
    )


def _steps_with_changes(assessment: SelfAssessment) -> list:
    """The steps, each correction with its changed values labelled (the step keeps field names)."""
    labels = {"narrative": _("Self-assessment"), "reported_figures": _("Self-reported indicators")}
    steps = list(assessment.steps.select_related("actor"))
    for step in steps:
        step.change_rows = [
            {"label": labels.get(c.get("field"), ""), "old": c.get("old"), "new": c.get("new")}
            for c in step.changes
        ]
    return steps


def _year(request) -> int:
    try:
        return int(request.GET.get("year") or request.POST.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


@login_required
@require_http_methods(["GET", "POST"])
def assessment_results(request):
    forbid_unless(request.user.has_role(*VIEWER_ROLES))
    year = _year(request)
    can_manage = policy_for(AssessmentResult).can(request.user, "manage")
    criteria_form = CriteriaForm(
        request.POST or None,
        initial={f"weight__{c.source}": c.weight for c in AssessmentCriterion.objects.filter(year=year)}
        or {f"weight__{k}": v for k, v in services.DEFAULT_WEIGHTS.items()},
    )
    if request.method == "POST":
        forbid_unless(can_manage)
        if request.POST.get("action") == "criteria" and not criteria_form.is_valid():
            messages.error(request, " ".join(e for errors in criteria_form.errors.values() for e in errors))
            return redirect(f"{request.path}?year={year}")
        try:
            if request.POST.get("action") == "criteria":
                services.set_criteria(actor=request.user, year=year, weights=criteria_form.weights())
            services.compute_assessments(actor=request.user, year=year)
            messages.success(request, _("The scores were computed."))
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        return redirect(f"{request.path}?year={year}")
    results = selectors.visible_results(request.user, year)
    if wants_xlsx(request):
        record_event("assessment.export", object_type="reports.assessmentresult", object_id=year)
        return xlsx_response(
            f"assessment-{year}.xlsx",
            [_("Rank"), _("Unit or county"), _("Score"), _("One-vote veto"), _("Reason for the veto")],
            (
                [r.rank, r.unit.name, r.final_score, _("Yes") if r.veto else "", r.veto_reason]
                for r in results
            ),
            sheet=_("Assessment"),
        )
    return render(
        request,
        "reports/assessment_results.html",
        {
            "year": year,
            "results": results,
            "can_manage": can_manage,
            "criteria_form": criteria_form,
            "sources": {i.code: i.label for i in indicators()} | {"evaluation": _("Evaluation score")},
            "commendations": selectors.visible_commendations(request.user, year),
            "commendation_form": CommendationForm(initial={"year": year, "issued_on": timezone.localdate()})
            if policy_for(Commendation).can(request.user, "create")
            else None,
        },
    )


@login_required
@require_POST
def assessment_veto(request, pk: int):
    result = policy_for(AssessmentResult).get_visible_or_404(request.user, pk=pk)
    forbid_unless(policy_for(AssessmentResult).can(request.user, "manage"))
    form = VetoForm(request.POST)
    forbid_unless(form.is_valid())
    try:
        services.set_veto(
            actor=request.user,
            result=result,
            veto=form.cleaned_data["veto"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    return redirect(f"{reverse('reports:results')}?year={result.year}")


@login_required
@require_POST
def commendation_create(request):
    forbid_unless(policy_for(Commendation).can(request.user, "create"))
    form = CommendationForm(request.POST)
    if form.is_valid():
        commendation = services.record_commendation(actor=request.user, **form.cleaned_data)
        messages.success(request, _("The circular was recorded."))
        return redirect(f"{reverse('reports:results')}?year={commendation.year}")
    messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("reports:results")


@login_required
def dashboard(request):
    forbid_unless(request.user.has_role(*VIEWER_ROLES))
    choices = indicators()
    code = request.GET.get("indicator") or (choices[0].code if choices else "")
    forbid_unless(any(i.code == code for i in choices))
    year = _year(request)
    figures = selectors.county_figures(code, year)
    if wants_xlsx(request):
        return xlsx_response(
            f"indicator-{code}-{year}.xlsx",
            [_("County"), _("Value")],
            ([f["name"], f["value"]] for f in figures),
            sheet=_("Indicator"),
        )
    return render(
        request,
        "reports/dashboard.html",
        {
            "indicators": choices,
            "code": code,
            "year": year,
            "figures": figures,
            "trend": selectors.city_trend(code),
            "label": next(i.label for i in choices if i.code == code),
            "measure": next(i.measure for i in choices if i.code == code),
            "years": range(2022, timezone.localdate().year + 1),
        },
    )
