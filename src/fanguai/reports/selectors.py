from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from fanguai.core.indicators import indicators
from fanguai.core.policies import policy_for
from fanguai.org.models import Region
from fanguai.org.selectors import counties

from .models import AssessmentResult, Commendation, Evaluation, SelfAssessment
from .services import indicator_scope


def visible_evaluations(user) -> QuerySet[Evaluation]:
    rows = policy_for(Evaluation).visible(user, Evaluation.objects.all())
    return rows.annotate(
        total=Count("self_assessments"),
        submitted=Count(
            "self_assessments", filter=~Q(self_assessments__status=SelfAssessment.Status.PENDING)
        ),
    )


def visible_self_assessments(
    user, evaluation: Evaluation | None = None, status: str = ""
) -> QuerySet[SelfAssessment]:
    rows = policy_for(SelfAssessment).visible(
        user, SelfAssessment.objects.select_related("unit", "evaluation")
    )
    if evaluation is not None:
        rows = rows.filter(evaluation=evaluation)
    if status:
        rows = rows.filter(status=status)
    return rows


def indicator_table(assessment: SelfAssessment) -> list[dict]:
    """Each indicator with the figure computed from the platform beside the one the unit reported."""
    scope = indicator_scope(assessment.unit)
    return [
        {
            "code": i.code,
            "label": i.label,
            "measure": i.measure,
            "computed": i.compute(assessment.evaluation.year, **scope),
            "reported": assessment.reported_figures.get(i.code),
        }
        for i in indicators()
    ]


def visible_results(user, year: int) -> QuerySet[AssessmentResult]:
    return policy_for(AssessmentResult).visible(
        user, AssessmentResult.objects.filter(year=year).select_related("unit", "unit__region")
    )


def visible_commendations(user, year: int | None = None) -> QuerySet[Commendation]:
    rows = policy_for(Commendation).visible(user, Commendation.objects.select_related("unit"))
    return rows.filter(year=year) if year else rows


def county_figures(code: str, year: int) -> list[dict]:
    """One indicator for every district and county, for the map and its table."""
    indicator = next(i for i in indicators() if i.code == code)
    return [
        {"code": c.code, "name": c.name, "value": indicator.compute(year, county=c)}
        for c in counties().filter(level=Region.Level.COUNTY)
    ]


def city_trend(code: str, first_year: int = 2022) -> list[dict]:
    indicator = next(i for i in indicators() if i.code == code)
    return [
        {"year": y, "value": indicator.compute(y)} for y in range(first_year, timezone.localdate().year + 1)
    ]
