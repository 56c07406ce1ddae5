"""Missing-person reports: filed at once, the rapid-search checklist with timed steps and deadlines, late
steps on the investigator's home page, outcomes (a trafficked person opens a case)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fanguai.audit.models import AuditEvent
from fanguai.cases.models import Case, CaseParty
from fanguai.deadlines.models import Deadline
from fanguai.missing import services
from fanguai.missing.deadline_kinds import RAPID_SEARCH_STEP
from fanguai.missing.models import MissingReport, SearchStep, SearchTask

from .conftest import SECRET

pytestmark = pytest.mark.django_db


def test_filing_starts_the_timed_checklist_at_once(report):
    steps = list(SearchStep.objects.filter(is_active=True))
    tasks = list(report.tasks.select_related("step"))
    assert len(tasks) == len(steps) >= 4
    for task in tasks:
        assert task.due_at == report.created_at + timedelta(minutes=task.step.target_minutes)
    deadlines = Deadline.objects.filter(kind=RAPID_SEARCH_STEP, status="open")
    assert deadlines.count() == len(tasks)
    assert {d.responsible_unit.code for d in deadlines} == {"341522-police"}
    assert report.person.full_name == SECRET and report.reporter.phone == "13800138000"
    assert report.county.code == "341522"
    assert AuditEvent.objects.filter(action="missing_report.create", object_id=str(report.pk)).exists()


def test_no_waiting_period_but_no_future_time(file_report):
    just_now = file_report(last_seen_at=timezone.now() - timedelta(minutes=1))
    assert just_now.is_open
    with pytest.raises(ValidationError):
        file_report(last_seen_at=timezone.now() + timedelta(hours=2))


def test_a_done_step_meets_its_deadline_and_late_steps_show_on_the_home_page(report, alice, login):
    video = report.tasks.get(step__code="video")
    services.complete_task(actor=alice, task=video, notes="no camera")
    assert Deadline.objects.get(object_id=str(video.pk), kind=RAPID_SEARCH_STEP).status == "met"
    # The alert step is now 2 hours overdue.
    late = report.tasks.get(step__code="stations")
    SearchTask.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(hours=2))
    page = login(alice).get("/").content.decode()
    assert "rapid-search-panel" in page
    assert late.step.name in page and report.number in page
    detail = login(alice).get(f"/missing/reports/{report.pk}/").content.decode()
    assert "list-group-item-danger" in detail


def test_found_safe_closes_the_report_and_cancels_open_steps(report, alice):
    services.record_outcome(actor=alice, report=report, outcome="found_safe", notes="at grandmother's")
    report.refresh_from_db()
    assert report.status == "closed" and report.outcome == "found_safe"
    assert not Deadline.objects.filter(kind=RAPID_SEARCH_STEP, status="open").exists()
    with pytest.raises(ValidationError):
        services.record_outcome(actor=alice, report=report, outcome="ran_away")


def test_trafficked_opens_a_child_trafficking_case_with_the_victim(report, alice, login):
    services.record_outcome(actor=alice, report=report, outcome="trafficked")
    report.refresh_from_db()
    case = report.case
    assert case.kind == Case.Kind.CHILD_TRAFFICKING and case.owner_unit.code == "341522-police"
    assert CaseParty.objects.filter(case=case, person=report.person, role="victim").exists()
    assert login(alice).get(f"/cases/{case.pk}/").status_code == 200


def test_the_form_files_a_report_with_a_photo(alice, login):
    from .conftest import photo_upload

    response = login(alice).post(
        "/missing/reports/new/",
        {
            "full_name": "王小明",
            "sex": "male",
            "category": "child",
            "last_seen_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "last_seen_place": "霍邱县汽车站",
            "latitude": "32.35",
            "longitude": "116.27",
            "photo": photo_upload(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    report = MissingReport.objects.get()
    assert report.tasks.count() >= 4
    from fanguai.files.selectors import files_for

    assert files_for(alice, report).count() == 1


def test_the_office_configures_the_checklist(office, alice, login, report):
    response = login(office).post(
        "/missing/steps/new/",
        {"code": "hospitals", "name": "通报医院", "target_minutes": 90, "order": 60, "is_active": "on"},
    )
    assert response.status_code == 302
    assert SearchStep.objects.filter(code="hospitals").exists()
    assert (
        login(alice).post("/missing/steps/new/", {"code": "x", "name": "x", "target_minutes": 1}).status_code
        == 403
    )
    # Existing reports keep their checklist; new ones get the new step.
    assert not report.tasks.filter(step__code="hospitals").exists()
