"""Views that refused bad input with a bare redirect now say why (issue 14 item 1): the assistance referral
response, the DNA laboratory's taking over of a blood sample request, a screening's result and the office's
score of a self-assessment. Each bad POST shows the error (on the form, or as a message naming the field) and
writes nothing."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from fanguai.assistance.models import Referral
from fanguai.missing import services as missing_services
from fanguai.missing.models import BloodSampleRequest, Screening
from fanguai.reports import services as report_services
from fanguai.reports.models import SelfAssessment

from .assistance.conftest import consent, take_in
from .conftest import make_user

pytestmark = pytest.mark.django_db


def error_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def test_a_refused_referral_response_is_shown_again_with_the_field_error(alice, bob, login):
    case = take_in(bob)
    consent(bob, "341522-police", case=case)
    from fanguai.assistance import services

    referral = services.refer(actor=bob, case=case, service="household_registration", request="hukou")
    url = f"/assistance/referrals/{referral.pk}/respond/"
    steps = referral.steps.count()

    response = login(alice).post(url, {"decision": "__nonsense__", "note": ""})
    assert response.status_code == 200
    assert "decision" in response.context["respond_form"].errors
    assert "请选择有效的选项" in response.content.decode()

    # declining without a reason: the service's error lands on the note field
    response = login(alice).post(url, {"decision": "decline", "note": ""})
    assert response.status_code == 200
    assert response.context["respond_form"].errors["note"]
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING and referral.steps.count() == steps

    response = login(alice).post(url, {"decision": "accept", "note": ""})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status != Referral.Status.PENDING


@pytest.fixture
def screening(alice):
    return missing_services.record_screening(
        actor=alice, reason="registration", screened_on=timezone.localdate(), full_name="小刚"
    )


def test_a_refused_screening_result_is_shown_again_with_the_field_error(alice, screening, login):
    url = f"/missing/screenings/{screening.pk}/result/"
    response = login(alice).post(url, {"result": "__nonsense__", "notes": "x"})
    assert response.status_code == 200
    assert "result" in response.context["result_form"].errors
    assert "请选择有效的选项" in response.content.decode()
    response = login(alice).post(url, {"result": "cleared", "notes": "长" * 301})
    assert response.status_code == 200 and "notes" in response.context["result_form"].errors
    screening.refresh_from_db()
    assert screening.result == Screening.Result.PENDING and screening.notes == ""
    assert login(alice).post(url, {"result": "cleared"}).status_code == 302
    assert Screening.objects.get(pk=screening.pk).result == "cleared"


def test_a_refused_hand_over_says_which_field_is_wrong(alice, screening, login):
    lab = make_user("lab", "dna_analyst", "341500-dna-lab")
    missing_services.request_blood_sample(actor=alice, screening=screening)
    sample = BloodSampleRequest.objects.get()
    url = f"/missing/samples/{sample.pk}/hand-over/"

    response = login(lab).post(url, {"dna_reference": "   "})
    assert response.status_code == 302
    [message] = error_texts(response)
    assert message.startswith("DNA 检材编号：")
    assert "必填" in message
    response = login(lab).post(url, {"dna_reference": "S\x00-1"})
    assert any("控制字符" in message for message in error_texts(response))
    sample.refresh_from_db()
    assert sample.status == BloodSampleRequest.Status.OPEN and sample.dna_reference == ""

    assert login(lab).post(url, {"dna_reference": "DNA-1"}).status_code == 302
    # a request taken over is no longer open to taking over: refused, nothing changes
    assert login(lab).post(url, {"dna_reference": "DNA-2"}).status_code == 403
    assert BloodSampleRequest.objects.get(pk=sample.pk).dna_reference == "DNA-1"


def test_a_refused_score_is_shown_again_with_the_field_error(office, liaison, coordinator, login):
    evaluation = report_services.open_evaluation(
        actor=office,
        kind="stage",
        title="阶段性评估",
        year=timezone.localdate().year,
        due_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    mine = SelfAssessment.objects.get(evaluation=evaluation, unit=coordinator.unit)
    url = f"/reports/self-assessments/{mine.pk}/"
    login(coordinator).post(url, {"action": "submit", "narrative": "全县开展宣传12次"})
    mine.refresh_from_db()
    assert mine.status == "submitted"
    steps = mine.steps.count()

    for bad in ("101", "-1", "1e400", "abc", ""):
        response = login(office).post(url, {"action": "score", "score": bad})
        assert response.status_code == 200, bad
        assert response.context["score_form"].errors["score"], bad
    response = login(office).post(url, {"action": "return", "comment": "  "})
    assert response.status_code == 200 and response.context["return_form"].errors["comment"]
    mine.refresh_from_db()
    assert (mine.status, mine.score, mine.steps.count()) == ("submitted", None, steps)

    assert login(office).post(url, {"action": "score", "score": "88.5"}).status_code == 302
    assert SelfAssessment.objects.get(pk=mine.pk).status == "scored"
