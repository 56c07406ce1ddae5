import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from fanguai.deadlines.models import Deadline
from fanguai.notifications.models import Notification
from fanguai.outreach.services import record_activity
from fanguai.reports import scoring, services
from fanguai.reports.models import AssessmentResult, SelfAssessment

from ..permissions import Row, check_matrix, count_of, field_of

YEAR = timezone.localdate().year
# The liaison (市民政局) and the coordinator (霍邱县) are the cast's (tests/conftest.py).


@pytest.fixture
def evaluation(office, liaison, coordinator):
    return services.open_evaluation(
        actor=office,
        kind="stage",
        title="2026年阶段性评估",
        year=YEAR,
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )


def test_opening_asks_every_member_unit_and_county(evaluation, liaison, coordinator):
    units = set(evaluation.self_assessments.values_list("unit__code", flat=True))
    assert len(units) == 12 + 8 and {"341500-civil_affairs", "341522-government"} <= units
    assert Deadline.objects.filter(kind="reports.self_assessment", status="open").count() == 20
    assert Notification.objects.filter(recipient__in=[liaison, coordinator], kind="evaluation").count() == 2


def test_a_full_round(evaluation, liaison, coordinator, office, login):
    mine = SelfAssessment.objects.get(evaluation=evaluation, unit=coordinator.unit)
    client = login(coordinator)
    page = client.get(f"/reports/self-assessments/{mine.pk}/")
    assert page.status_code == 200
    response = client.post(
        f"/reports/self-assessments/{mine.pk}/",
        {"action": "submit", "narrative": "全县开展宣传12次", "figure__outreach.publicity_events": "12"},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "submitted" and mine.reported_figures == {"outreach.publicity_events": 12.0}
    assert Deadline.objects.get(object_id=str(mine.pk)).status == "met"
    # the unit cannot score itself, and cannot submit twice
    assert (
        client.post(f"/reports/self-assessments/{mine.pk}/", {"action": "score", "score": "99"}).status_code
        == 403
    )
    office_client = login(office)
    office_client.post(f"/reports/self-assessments/{mine.pk}/", {"action": "return", "comment": "补充数据"})
    mine.refresh_from_db()
    assert mine.status == "returned"
    client.post(f"/reports/self-assessments/{mine.pk}/", {"action": "submit", "narrative": "已补充"})
    office_client.post(f"/reports/self-assessments/{mine.pk}/", {"action": "score", "score": "88.5"})
    mine.refresh_from_db()
    assert (mine.status, mine.score) == ("scored", Decimal("88.5"))
    assert [s.action for s in mine.steps.all()] == ["submitted", "returned", "submitted", "scored"]


def test_computed_indicators_stand_beside_the_reported_ones(evaluation, coordinator, alice, login):
    record_activity(actor=alice, kind="publicity", title="宣传", held_on=timezone.localdate())
    mine = SelfAssessment.objects.get(evaluation=evaluation, unit=coordinator.unit)
    response = login(coordinator).get(f"/reports/self-assessments/{mine.pk}/")
    row = next(r for r in response.context["indicators"] if r["code"] == "outreach.publicity_events")
    assert row["computed"] == 1 and row["reported"] is None


@pytest.fixture
def scenario(evaluation, cast):
    office = cast["office"]
    return {
        "evaluation": evaluation,
        "mine": SelfAssessment.objects.get(evaluation=evaluation, unit=cast["coordinator"].unit),
        "result": services.compute_assessments(actor=office, year=YEAR)[0],
        "users": cast,
    }


OFFICE = frozenset({"office"})
# leaders (dave) and the participating units (liaisons, coordinators) read evaluations and dashboards;
# only the unit and the office see its self-assessment, and only the office manages
READERS = frozenset({"office", "dave", "liaison", "coordinator", "publicity"})
MATRIX = [
    Row("evaluations", lambda s: "/reports/", READERS),
    Row("evaluation", lambda s: f"/reports/evaluations/{s['evaluation'].pk}/", READERS),
    Row("evaluation pdf", lambda s: f"/reports/evaluations/{s['evaluation'].pk}/report.pdf", READERS),
    Row(
        "self-assessment",
        lambda s: f"/reports/self-assessments/{s['mine'].pk}/",
        frozenset({"office", "coordinator"}),
    ),
    Row(
        "close",
        lambda s: f"/reports/evaluations/{s['evaluation'].pk}/close/",
        OFFICE,
        method="post",
        effect=field_of("evaluation", "status"),
    ),
    Row("results", lambda s: "/reports/assessment/", READERS),
    Row("dashboard", lambda s: "/reports/dashboard/", READERS),
    Row(
        "veto",
        lambda s: f"/reports/assessment/results/{s['result'].pk}/veto/",
        OFFICE,
        method="post",
        data=lambda s: {"veto": "on", "reason": "发生重大拐卖案件"},
        effect=field_of("result", "veto"),
    ),
    Row(
        "commendation",
        lambda s: "/reports/commendations/new/",
        OFFICE,
        method="post",
        data=lambda s: {
            "kind": "praise",
            "unit": s["mine"].unit_id,
            "year": YEAR,
            "issued_on": timezone.localdate().isoformat(),
            "text": "工作突出，予以表扬",
        },
        effect=count_of("reports.Commendation"),
    ),
]


def test_permission_matrix(scenario):
    """One scenario for every row: each request runs in a savepoint that is rolled back."""
    check_matrix(MATRIX, scenario, scenario["users"])


def test_assessment_scores_ranks_and_veto(evaluation, office, alice, coordinator):
    record_activity(
        actor=alice, kind="publicity", title="宣传", held_on=timezone.localdate(), people_reached=50
    )
    mine = SelfAssessment.objects.get(evaluation=evaluation, unit=coordinator.unit)
    mine.status, mine.score = "scored", Decimal(90)
    mine.save()
    services.set_criteria(
        actor=office, year=YEAR, weights={"evaluation": Decimal(50), "outreach.publicity_events": Decimal(50)}
    )
    results = {r.unit.code: r for r in services.compute_assessments(actor=office, year=YEAR)}
    huoqiu = results["341522-government"]
    assert huoqiu.score == Decimal("95.0") and huoqiu.rank == 1  # (90 + 100) / 2
    assert results["341502-government"].score == Decimal("0.0")
    services.set_veto(actor=office, result=huoqiu, veto=True, reason="发生重大拐卖案件")
    huoqiu.refresh_from_db()
    assert huoqiu.final_score == 0 and huoqiu.rank == AssessmentResult.objects.filter(year=YEAR).count()
    with pytest.raises(PermissionDenied):
        services.compute_assessments(actor=coordinator, year=YEAR)


def test_scoring_arithmetic():
    assert scoring.normalise({1: 5, 2: 10, 3: None}) == {1: 50.0, 2: 100.0, 3: 0.0}
    assert scoring.normalise({1: 2.0, 2: 4.0}, higher_is_better=False) == {1: 100.0, 2: 50.0}
    assert scoring.weighted({"a": 100.0, "b": 50.0}, {"a": Decimal(3), "b": Decimal(1)}) == Decimal("87.5")
    assert scoring.rank({1: Decimal(90), 2: Decimal(80), 3: Decimal(99)}, vetoed={3}) == {1: 1, 2: 2, 3: 3}


def test_dashboard_shows_county_figures(office, alice, login):
    record_activity(actor=alice, kind="publicity", title="宣传", held_on=timezone.localdate())
    response = login(office).get(
        "/reports/dashboard/", {"indicator": "outreach.publicity_events", "year": YEAR}
    )
    figures = {f["code"]: f["value"] for f in response.context["figures"]}
    assert figures["341522"] == 1 and figures["341502"] == 0 and len(figures) == 7
    assert b"liuan.geojson" in response.content
