"""A unit's self-assessment is a report the office accepts by scoring it: until then the unit may correct it
(a new version, the old values kept in its history with who, when and why) or withdraw it (it is no longer
waiting for the office, and the unit's deadline is open again); once scored, neither (issue 14 item 1)."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fanguai.deadlines.models import Deadline
from fanguai.reports import services
from fanguai.reports.models import SelfAssessment

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(office, liaison, coordinator, login):
    evaluation = services.open_evaluation(
        actor=office,
        kind="stage",
        title="阶段性评估",
        year=timezone.localdate().year,
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    mine = SelfAssessment.objects.get(evaluation=evaluation, unit=coordinator.unit)
    login(coordinator).post(
        f"/reports/self-assessments/{mine.pk}/",
        {"action": "submit", "narrative": "全县开展宣传12次", "figure__outreach.publicity_events": "12"},
    )
    mine.refresh_from_db()
    assert mine.status == "submitted"
    return mine


def state(assessment):
    row = SelfAssessment.objects.get(pk=assessment.pk)
    return (row.status, row.version, row.narrative, row.reported_figures, row.steps.count())


def test_the_unit_corrects_its_self_assessment_and_the_old_values_stay(submitted, coordinator, login):
    url = f"/reports/self-assessments/{submitted.pk}/"
    client = login(coordinator)
    page = client.get(url).content.decode()
    assert 'value="correct"' in page and 'value="withdraw"' in page
    before = state(submitted)
    for data, field in (
        ({"narrative": "全县开展宣传15次", "reason": ""}, "reason"),
        (
            {"narrative": "全县开展宣传12次", "figure__outreach.publicity_events": "12", "reason": "核对"},
            "reason",
        ),
        ({"narrative": "x", "figure__outreach.publicity_events": "1e400", "reason": "核对"}, None),
    ):
        response = client.post(url, {"action": "correct", **data})
        assert response.status_code == 200, data
        errors = response.context["correct_form"].errors
        assert errors and (field is None or field in errors), errors
        assert state(submitted) == before
    response = client.post(
        url,
        {
            "action": "correct",
            "narrative": "全县开展宣传15次",
            "figure__outreach.publicity_events": "15",
            "reason": "漏报三次活动",
        },
    )
    assert response.status_code == 302
    row = SelfAssessment.objects.get(pk=submitted.pk)
    assert (row.status, row.version, row.narrative, row.reported_figures) == (
        "submitted",
        2,
        "全县开展宣传15次",
        {"outreach.publicity_events": 15.0},
    )
    step = row.steps.last()
    assert (step.action, step.actor, step.comment) == ("corrected", coordinator, "漏报三次活动")
    assert {c["field"]: c["old"] for c in step.changes}["narrative"] == "全县开展宣传12次"
    page = client.get(url).content.decode()
    assert "漏报三次活动" in page and "全县开展宣传12次" in page


def test_the_unit_withdraws_and_submits_again(submitted, coordinator, liaison, office):
    with pytest.raises(PermissionDenied):
        services.withdraw_self_assessment(actor=liaison, assessment=submitted, reason="x")  # another unit
    with pytest.raises(PermissionDenied):
        services.withdraw_self_assessment(actor=office, assessment=submitted, reason="x")
    with pytest.raises(ValidationError):
        services.withdraw_self_assessment(actor=coordinator, assessment=submitted, reason=" ")
    services.withdraw_self_assessment(actor=coordinator, assessment=submitted, reason="数据有误，重新统计")
    row = SelfAssessment.objects.get(pk=submitted.pk)
    assert row.status == "withdrawn" and row.steps.last().comment == "数据有误，重新统计"
    assert Deadline.objects.filter(
        object_id=str(row.pk), kind="reports.self_assessment", status="open"
    ).exists()
    # the office no longer scores it; the unit submits anew
    with pytest.raises(PermissionDenied):
        services.score_self_assessment(actor=office, assessment=row, score=80)
    services.submit_self_assessment(
        actor=coordinator, assessment=row, narrative="重新统计", reported_figures={}
    )
    assert SelfAssessment.objects.get(pk=row.pk).status == "submitted"


def test_once_scored_the_self_assessment_is_final(submitted, coordinator, office, login):
    services.score_self_assessment(actor=office, assessment=submitted, score=90)
    url = f"/reports/self-assessments/{submitted.pk}/"
    page = login(coordinator).get(url).content.decode()
    assert 'value="correct"' not in page and 'value="withdraw"' not in page
    before = state(submitted)
    for data in (
        {"action": "correct", "narrative": "改", "reason": "改"},
        {"action": "withdraw", "reason": "撤"},
    ):
        response = login(coordinator).post(url, data)
        assert response.status_code == 302
        assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]
    assert state(submitted) == before
    with pytest.raises(ValidationError):
        services.correct_self_assessment(
            actor=coordinator, assessment=submitted, narrative="改", reported_figures={}, reason="改"
        )
    assert state(submitted) == before
