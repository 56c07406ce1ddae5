import datetime as dt
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from fanguai.core.errors import ValidationFailed
from fanguai.deadlines.models import Deadline
from fanguai.deadlines.services import sweep
from fanguai.files.selectors import files_for
from fanguai.notifications.models import Notification
from fanguai.org.models import Unit
from fanguai.plans import selectors, services
from fanguai.plans.deadline_kinds import PROGRESS_REPORT
from fanguai.plans.models import ProgressReport

from .conftest import YEAR, approved_with_item

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def approved(plan, coordinator, office, alice):
    return approved_with_item(coordinator, office, plan, Unit.objects.get(code="341522-police"), owner=alice)


def report(actor, item, status="on_track", day=None, **extra):
    return services.submit_report(
        actor=actor,
        item=item,
        status=status,
        narrative="进展顺利",
        achieved=extra.pop("achieved", 50),
        today=day or dt.date(YEAR, 4, 2),
        **extra,
    )


def open_deadline(item):
    return Deadline.objects.get(kind=PROGRESS_REPORT, object_id=str(item.pk), status=Deadline.Status.OPEN)


def test_reports_follow_the_cycle_and_move_the_deadline(approved, alice, coordinator):
    _work_plan, item = approved
    assert open_deadline(item).due_at.date() == dt.date(YEAR, 4, 10)
    first = report(alice, item)  # the owner reports
    assert (first.period, first.period_start, first.due_date) == (
        f"{YEAR}-Q1",
        dt.date(YEAR, 1, 1),
        dt.date(YEAR, 4, 10),
    )
    assert open_deadline(item).due_at.date() == dt.date(YEAR, 7, 10)
    assert Deadline.objects.filter(kind=PROGRESS_REPORT, object_id=str(item.pk), status="met").count() == 1
    with pytest.raises(ValidationFailed) as caught:
        report(coordinator, item, day=dt.date(YEAR, 3, 31))  # Q2 has not begun
    assert caught.value.errors[0].field == "period"
    report(coordinator, item, status="done", day=dt.date(YEAR, 4, 5))  # the coordinator reports too
    assert not Deadline.objects.filter(kind=PROGRESS_REPORT, object_id=str(item.pk), status="open").exists()
    assert services.next_period(item) is None


def test_a_report_at_risk_tells_the_office(approved, alice, office):
    _work_plan, item = approved
    report(alice, item, status="at_risk")
    assert Notification.objects.filter(recipient=office, kind="plans.report").exists()


def test_only_the_unit_and_the_owner_report(approved, bob, charlie, dave, office, liaison):
    _work_plan, item = approved
    for outsider in (bob, charlie, dave, office, liaison):
        with pytest.raises(PermissionDenied):
            report(outsider, item)
    assert not ProgressReport.objects.exists()


def test_bad_reports_are_refused_whole(approved, alice):
    _work_plan, item = approved
    with pytest.raises(ValidationFailed) as caught:
        services.submit_report(
            actor=alice, item=item, status="bogus", narrative="", today=dt.date(YEAR, 4, 2)
        )
    assert {e.field for e in caught.value.errors} == {"status", "narrative"}
    with pytest.raises(ValidationFailed) as caught:
        services.parse_figures("人数: 12\n没有数字")
    assert caught.value.errors[0].row == 2
    assert services.parse_figures("人数：12\n金额: 3.5") == {"人数": "12", "金额": "3.5"}
    assert not ProgressReport.objects.exists()


def test_a_report_page_takes_evidence(approved, alice, bob, login):
    _work_plan, item = approved
    client = login(alice)
    response = client.get(f"/plan/items/{item.pk}/report/")
    assert response.status_code == 200
    created = report(alice, item, figures={"人数": "3"})
    response = client.post(
        f"/plan/reports/{created.pk}/attach/",
        {"file": SimpleUploadedFile("evidence.pdf", PDF, content_type="application/pdf")},
    )
    assert response.status_code == 302
    assert files_for(alice, created).count() == 1
    assert files_for(bob, created).count() == 0
    page = client.get(f"/plan/reports/{created.pk}/")
    assert "evidence.pdf" in page.content.decode() and "人数" in page.content.decode()


def test_a_report_can_be_written_in_the_browser(plan, coordinator, office, login):
    from fanguai.plans.models import WorkItem

    work_plan, item = approved_with_item(coordinator, office, plan, Unit.objects.get(code="341522-police"))
    # Approved today: the current period is open for reporting.
    response = login(coordinator).post(
        f"/plan/items/{item.pk}/report/",
        {"status": "on_track", "narrative": "完成采血", "achieved": "20", "figures": "比中: 2"},
    )
    created = ProgressReport.objects.get()
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert created.figures == {"比中": "2"}
    assert WorkItem.objects.get(pk=item.pk).reports.count() == 1


def test_overdue_reports_are_escalated_and_shown(approved, office, coordinator, dave, login):
    work_plan, item = approved
    sweep(now=open_deadline(item).due_at + timedelta(hours=1))
    assert Notification.objects.filter(recipient=office, kind="deadline.escalation").exists()
    assert Notification.objects.filter(recipient=coordinator, kind="deadline.escalation").exists()
    rows = selectors.overview(office, year=YEAR)
    assert [(r.work_plan.pk, r.state, r.overdue_reports) for r in rows] == [(work_plan.pk, "overdue", 1)]
    assert [r.state for r in selectors.overview(dave, year=YEAR, state="overdue")] == ["overdue"]
    assert selectors.overview(office, year=YEAR, state="on_track") == []
    page = login(office).get(f"/plan/overview/?year={YEAR}&state=overdue")
    assert "霍邱县公安局" in page.content.decode()
    from openpyxl import load_workbook

    sheet = load_workbook(
        io.BytesIO(login(office).get(f"/plan/overview/?year={YEAR}&export=xlsx").content)
    ).active
    assert sheet.cell(2, 1).value == "霍邱县公安局"


def test_late_submissions_are_flagged(approved, alice, office, login):
    _work_plan, item = approved
    late = report(
        alice, item, day=dt.date(YEAR, 4, 20), submitted_at=dt.datetime(YEAR, 4, 20, 1, tzinfo=dt.UTC)
    )
    assert late.submitted_late
    assert list(selectors.visible_reports(office, late_only=True)) == [late]
    page = login(office).get("/plan/reports/?late=on")
    assert "late" in page.content.decode()
