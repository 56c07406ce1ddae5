"""Writes of evaluations and assessment: each in one transaction, audited; units are told through the
notification service and submission deadlines go through the deadline mechanism."""

from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fanguai.accounts.roles import Role
from fanguai.audit.services import record_event
from fanguai.core.indicators import get_indicator, indicators
from fanguai.core.policies import policy_for
from fanguai.deadlines.services import cancel_deadline, create_deadline, end_of_day, meet_deadline
from fanguai.notifications.services import notify
from fanguai.org.models import Unit

from . import scoring
from .deadline_kinds import SELF_ASSESSMENT
from .models import (
    AssessmentCriterion,
    AssessmentResult,
    Commendation,
    Evaluation,
    SelfAssessment,
    SelfAssessmentStep,
)
from .policies import PARTICIPANT_KINDS, REPORTER_ROLES


def participants():
    return Unit.objects.filter(kind__in=PARTICIPANT_KINDS, is_active=True).select_related("region")


def indicator_scope(unit: Unit) -> dict:
    """A county government answers for its county; a member unit for its own records."""
    return {"county": unit.region} if unit.kind == Unit.Kind.GOVERNMENT else {"unit": unit}


@transaction.atomic
def open_evaluation(*, actor, kind: str, title: str, year: int, due_on) -> Evaluation:
    if not policy_for(Evaluation).can(actor, "manage"):
        raise PermissionDenied
    evaluation = Evaluation.objects.create(kind=kind, title=title, year=year, due_on=due_on, opened_by=actor)
    units = list(participants())
    due_at = end_of_day(due_on)
    for unit in units:
        assessment = SelfAssessment.objects.create(evaluation=evaluation, unit=unit)
        create_deadline(
            target=assessment,
            kind=SELF_ASSESSMENT,
            due_at=due_at,
            responsible_unit=unit,
            warn_before=timedelta(days=5),
            actor=actor,
        )
    notify(
        units=units,
        roles=REPORTER_ROLES,
        subject=_("Evaluation opened: %(title)s") % {"title": title},
        body=_("Submit your unit's self-assessment by %(due)s.") % {"due": due_on.isoformat()},
        link=reverse("reports:evaluation", args=[evaluation.pk]),
        kind="evaluation",
    )
    record_event(
        "evaluation.open",
        actor=actor,
        object_type="reports.evaluation",
        object_id=evaluation.pk,
        details={"units": len(units)},
    )
    return evaluation


def _step(assessment: SelfAssessment, action: str, actor, comment: str = "", score=None) -> None:
    SelfAssessmentStep.objects.create(
        assessment=assessment, action=action, actor=actor, comment=comment, score=score
    )


@transaction.atomic
def submit_self_assessment(
    *, actor, assessment: SelfAssessment, narrative: str, reported_figures: dict
) -> SelfAssessment:
    if not policy_for(SelfAssessment).can(actor, "submit", assessment):
        raise PermissionDenied
    known = {i.code for i in indicators()}
    unknown = set(reported_figures) - known
    if unknown:
        raise ValidationError(_("Unknown indicators: %(codes)s") % {"codes": ", ".join(sorted(unknown))})
    assessment.narrative = narrative
    assessment.reported_figures = reported_figures
    assessment.status = SelfAssessment.Status.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save()
    _step(assessment, SelfAssessmentStep.Action.SUBMITTED, actor)
    meet_deadline(target=assessment, kind=SELF_ASSESSMENT, actor=actor)
    notify(
        units=Unit.objects.filter(kind=Unit.Kind.OFFICE),
        roles=[Role.OFFICE_STAFF],
        subject=_("Self-assessment submitted: %(unit)s") % {"unit": assessment.unit.name},
        link=reverse("reports:assessment", args=[assessment.pk]),
        kind="evaluation",
    )
    record_event(
        "self_assessment.submit",
        actor=actor,
        object_type="reports.selfassessment",
        object_id=assessment.pk,
        changed_fields=["narrative", "reported_figures", "status"],
    )
    return assessment


def _shown_figures(figures: dict) -> str:
    """Self-reported figures as the history shows them: one "indicator: number" per line."""
    labels = {i.code: str(i.label) for i in indicators()}
    return "\n".join(f"{labels.get(code, code)}: {value:g}" for code, value in sorted(figures.items()))


@transaction.atomic
def correct_self_assessment(
    *, actor, assessment: SelfAssessment, narrative: str, reported_figures: dict, reason: str
) -> SelfAssessment:
    """A new version of a submitted self-assessment, before the office scores it; the old values are kept in
    its steps, with the reason."""
    assessment = SelfAssessment.objects.select_for_update().select_related("evaluation").get(pk=assessment.pk)
    if assessment.status == SelfAssessment.Status.SCORED:
        raise ValidationError(
            _("The self-assessment was scored: it can no longer be corrected or withdrawn.")
        )
    if not policy_for(SelfAssessment).can(actor, "correct", assessment):
        raise PermissionDenied
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = _("Give the reason.")
    if not (narrative or "").strip():
        errors["narrative"] = _("Describe the unit's work.")
    unknown = set(reported_figures) - {i.code for i in indicators()}
    if unknown:
        errors["narrative"] = _("Unknown indicators: %(codes)s") % {"codes": ", ".join(sorted(unknown))}
    changes = []
    if assessment.narrative != narrative:
        changes.append({"field": "narrative", "old": assessment.narrative, "new": narrative})
    old_figures, new_figures = _shown_figures(assessment.reported_figures), _shown_figures(reported_figures)
    if old_figures != new_figures:
        changes.append({"field": "reported_figures", "old": old_figures, "new": new_figures})
    if not changes and not errors:
        errors["reason"] = _("Nothing was changed.")
    if errors:
        raise ValidationError(errors)
    assessment.narrative, assessment.reported_figures = narrative, reported_figures
    assessment.version += 1
    assessment.save(update_fields=["narrative", "reported_figures", "version"])
    SelfAssessmentStep.objects.create(
        assessment=assessment,
        action=SelfAssessmentStep.Action.CORRECTED,
        actor=actor,
        comment=reason.strip(),
        changes=changes,
    )
    record_event(
        "self_assessment.correct",
        actor=actor,
        object_type="reports.selfassessment",
        object_id=assessment.pk,
        changed_fields=["narrative", "reported_figures", "version"],
    )
    return assessment


@transaction.atomic
def withdraw_self_assessment(*, actor, assessment: SelfAssessment, reason: str) -> SelfAssessment:
    """Withdraw a submitted self-assessment before it is scored: the office no longer waits on it, and the
    unit's deadline is open again until it submits anew."""
    assessment = SelfAssessment.objects.select_for_update().select_related("evaluation").get(pk=assessment.pk)
    if assessment.status == SelfAssessment.Status.SCORED:
        raise ValidationError(
            _("The self-assessment was scored: it can no longer be corrected or withdrawn.")
        )
    if not policy_for(SelfAssessment).can(actor, "withdraw", assessment):
        raise PermissionDenied
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason.")})
    assessment.status = SelfAssessment.Status.WITHDRAWN
    assessment.save(update_fields=["status"])
    SelfAssessmentStep.objects.create(
        assessment=assessment, action=SelfAssessmentStep.Action.WITHDRAWN, actor=actor, comment=reason.strip()
    )
    create_deadline(
        target=assessment,
        kind=SELF_ASSESSMENT,
        due_at=max(end_of_day(assessment.evaluation.due_on), timezone.now() + timedelta(days=1)),
        responsible_unit=assessment.unit,
        warn_before=timedelta(days=2),
        actor=actor,
    )
    record_event(
        "self_assessment.withdraw",
        actor=actor,
        object_type="reports.selfassessment",
        object_id=assessment.pk,
        changed_fields=["status"],
    )
    return assessment


@transaction.atomic
def return_self_assessment(*, actor, assessment: SelfAssessment, comment: str) -> SelfAssessment:
    if not policy_for(SelfAssessment).can(actor, "review", assessment):
        raise PermissionDenied
    if not comment.strip():
        raise ValidationError({"comment": _("Say what the unit must change.")})
    assessment.status = SelfAssessment.Status.RETURNED
    assessment.score = None
    assessment.save(update_fields=["status", "score"])
    _step(assessment, SelfAssessmentStep.Action.RETURNED, actor, comment)
    due_at = timezone.now() + timedelta(days=7)
    create_deadline(
        target=assessment,
        kind=SELF_ASSESSMENT,
        due_at=due_at,
        responsible_unit=assessment.unit,
        warn_before=timedelta(days=2),
        actor=actor,
    )
    notify(
        units=[assessment.unit],
        roles=REPORTER_ROLES,
        subject=_("Self-assessment returned: %(title)s") % {"title": assessment.evaluation.title},
        body=comment,
        link=reverse("reports:assessment", args=[assessment.pk]),
        kind="evaluation",
    )
    record_event(
        "self_assessment.return",
        actor=actor,
        object_type="reports.selfassessment",
        object_id=assessment.pk,
        changed_fields=["status"],
    )
    return assessment


@transaction.atomic
def score_self_assessment(
    *, actor, assessment: SelfAssessment, score: Decimal, comment: str = ""
) -> SelfAssessment:
    if not policy_for(SelfAssessment).can(actor, "review", assessment):
        raise PermissionDenied
    if not Decimal(0) <= score <= Decimal(100):
        raise ValidationError({"score": _("A score lies between 0 and 100.")})
    assessment.score = score
    assessment.status = SelfAssessment.Status.SCORED
    assessment.save(update_fields=["score", "status"])
    _step(assessment, SelfAssessmentStep.Action.SCORED, actor, comment, score)
    notify(
        units=[assessment.unit],
        roles=REPORTER_ROLES,
        subject=_("Self-assessment scored: %(title)s") % {"title": assessment.evaluation.title},
        link=reverse("reports:assessment", args=[assessment.pk]),
        kind="evaluation",
    )
    record_event(
        "self_assessment.score",
        actor=actor,
        object_type="reports.selfassessment",
        object_id=assessment.pk,
        changed_fields=["score", "status"],
    )
    return assessment


@transaction.atomic
def close_evaluation(*, actor, evaluation: Evaluation) -> Evaluation:
    if not policy_for(Evaluation).can(actor, "manage"):
        raise PermissionDenied
    evaluation.status = Evaluation.Status.CLOSED
    evaluation.closed_at = timezone.now()
    evaluation.save(update_fields=["status", "closed_at"])
    for assessment in evaluation.self_assessments.all():
        cancel_deadline(target=assessment, kind=SELF_ASSESSMENT, actor=actor)
    record_event(
        "evaluation.close",
        actor=actor,
        object_type="reports.evaluation",
        object_id=evaluation.pk,
        changed_fields=["status"],
    )
    return evaluation


DEFAULT_WEIGHTS = {
    AssessmentCriterion.EVALUATION_SCORE: Decimal(60),
    "outreach.publicity_events": Decimal(15),
    "outreach.people_reached": Decimal(10),
    "outreach.training_sessions": Decimal(15),
}


@transaction.atomic
def set_criteria(*, actor, year: int, weights: dict[str, Decimal]) -> list[AssessmentCriterion]:
    """Replace the year's scheme. Sources are indicator codes or "evaluation"; weights are positive."""
    if not policy_for(AssessmentResult).can(actor, "manage"):
        raise PermissionDenied
    known = {i.code for i in indicators()} | {AssessmentCriterion.EVALUATION_SCORE}
    errors = [_("Unknown source “%(s)s”.") % {"s": s} for s in weights if s not in known]
    errors += [_("The weight of “%(s)s” must be positive.") % {"s": s} for s, w in weights.items() if w <= 0]
    if errors:
        raise ValidationError(errors)
    AssessmentCriterion.objects.filter(year=year).delete()
    criteria = [AssessmentCriterion.objects.create(year=year, source=s, weight=w) for s, w in weights.items()]
    record_event(
        "assessment.criteria",
        actor=actor,
        object_type="reports.assessmentcriterion",
        object_id=year,
        changed_fields=sorted(weights),
    )
    return criteria


def _evaluation_scores(year: int) -> dict[int, float | None]:
    scored = SelfAssessment.objects.filter(
        evaluation__year=year, status=SelfAssessment.Status.SCORED
    ).order_by("evaluation__opened_at")
    return {a.unit_id: float(a.score) for a in scored}  # the latest evaluation of the year wins


@transaction.atomic
def compute_assessments(*, actor, year: int) -> list[AssessmentResult]:
    if not policy_for(AssessmentResult).can(actor, "manage"):
        raise PermissionDenied
    criteria = list(AssessmentCriterion.objects.filter(year=year))
    if not criteria:
        criteria = set_criteria(actor=actor, year=year, weights=DEFAULT_WEIGHTS)
    targets = list(participants())
    evaluation_scores = _evaluation_scores(year)
    normalised: dict[str, dict[int, float]] = {}
    for criterion in criteria:
        if criterion.source == AssessmentCriterion.EVALUATION_SCORE:
            normalised[criterion.source] = {u.pk: evaluation_scores.get(u.pk) or 0.0 for u in targets}
        else:
            indicator = get_indicator(criterion.source)
            raw = {u.pk: indicator.compute(year, **indicator_scope(u)) for u in targets}
            normalised[criterion.source] = scoring.normalise(raw, indicator.higher_is_better)
    weights = {c.source: c.weight for c in criteria}
    scores, breakdowns = {}, {}
    for unit in targets:
        parts = {source: values[unit.pk] for source, values in normalised.items()}
        scores[unit.pk] = scoring.weighted(parts, weights)
        breakdowns[unit.pk] = {source: round(value, 1) for source, value in parts.items()}
    existing = {r.unit_id: r for r in AssessmentResult.objects.filter(year=year)}
    vetoed = {pk for pk, r in existing.items() if r.veto}
    ranks = scoring.rank(scores, vetoed)
    results = []
    for unit in targets:
        result, _created = AssessmentResult.objects.update_or_create(
            year=year,
            unit=unit,
            defaults={"score": scores[unit.pk], "breakdown": breakdowns[unit.pk], "rank": ranks[unit.pk]},
        )
        results.append(result)
    record_event(
        "assessment.compute",
        actor=actor,
        object_type="reports.assessmentresult",
        object_id=year,
        details={"targets": len(targets)},
    )
    return results


@transaction.atomic
def set_veto(*, actor, result: AssessmentResult, veto: bool, reason: str = "") -> AssessmentResult:
    if not policy_for(AssessmentResult).can(actor, "manage"):
        raise PermissionDenied
    if veto and not reason.strip():
        raise ValidationError({"reason": _("A veto needs its reason.")})
    result.veto, result.veto_reason = veto, reason if veto else ""
    result.save(update_fields=["veto", "veto_reason"])
    others = AssessmentResult.objects.filter(year=result.year)
    ranks = scoring.rank({r.pk: r.score for r in others}, {r.pk for r in others if r.veto})
    for other in others:
        AssessmentResult.objects.filter(pk=other.pk).update(rank=ranks[other.pk])
    record_event(
        "assessment.veto",
        actor=actor,
        object_type="reports.assessmentresult",
        object_id=result.pk,
        changed_fields=["veto", "veto_reason"],
    )
    return result


@transaction.atomic
def record_commendation(*, actor, kind: str, unit: Unit, year: int, issued_on, text: str) -> Commendation:
    if not policy_for(Commendation).can(actor, "create"):
        raise PermissionDenied
    commendation = Commendation.objects.create(
        kind=kind, unit=unit, year=year, issued_on=issued_on, text=text, created_by=actor
    )
    notify(units=[unit], subject=commendation.get_kind_display(), body=text, kind="commendation")
    record_event(
        "commendation.create", actor=actor, object_type="reports.commendation", object_id=commendation.pk
    )
    return commendation
