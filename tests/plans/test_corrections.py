"""Corrections (issue 14 item 1): until the office accepts it, a submitted progress report may be corrected
(a new version, the old values kept in the work plan's history with who, when and why) or withdrawn (kept on
record, no longer counted, its period due again) by its unit; once accepted, neither is offered, and a forged
request is refused with a message and changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from fanguai.core.errors import ValidationFailed
from fanguai.deadlines.models import Deadline
from fanguai.org.models import Unit
from fanguai.plans import indicators, selectors, services
from fanguai.plans.deadline_kinds import PROGRESS_REPORT
from fanguai.plans.models import ProgressReport, WorkPlanEvent

from .conftest import YEAR, approved_with_item

Q1_DAY = dt.date(YEAR, 4, 2)


@pytest.fixture
def approved(plan, coordinator, office, alice):
    return approved_with_item(coordinator, office, plan, Unit.objects.get(code="341522-police"), owner=alice)


@pytest.fixture
def submitted(approved, alice):
    _work_plan, item = approved
    return services.submit_report(
        actor=alice,
        item=item,
        status="on_track",
        narrative="进展顺利",
        achieved=Decimal(50),
        figures={"经费": "1000"},
        today=Q1_DAY,
        submitted_at=dt.datetime(YEAR, 4, 2, 9, tzinfo=dt.UTC),
    )


def snapshot(report):
    row = ProgressReport.objects.get(pk=report.pk)
    return (
        row.version,
        row.status,
        row.narrative,
        row.achieved,
        row.figures,
        row.withdrawn_at,
        row.accepted_at,
    )


def error_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def test_a_correction_is_a_new_version_with_the_old_values_in_the_history(submitted, alice, login):
    client = login(alice)
    url = f"/plan/reports/{submitted.pk}/correct/"
    form = client.get(url)
    assert form.status_code == 200 and form.context["form"].initial["figures"] == "经费: 1000"
    response = client.post(
        url,
        {
            "status": "at_risk",
            "narrative": "进展顺利",
            "achieved": "45",
            "figures": "经费: 800",
            "reason": "累计数填错",
        },
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get(pk=submitted.pk)
    assert (report.version, report.status, report.achieved, report.figures) == (
        2,
        "at_risk",
        Decimal(45),
        {"经费": "800"},
    )
    event = WorkPlanEvent.objects.get(report=report)
    assert (event.action, event.actor, event.comment) == ("report_corrected", alice, "累计数填错")
    assert {c["field"]: (c["old"], c["new"]) for c in event.changes} == {
        "status": ("on_track", "at_risk"),
        "achieved": ("50", "45"),
        "figures": ("经费: 1000", "经费: 800"),
    }
    page = client.get(f"/plan/reports/{report.pk}/").content.decode()
    for text in ("累计数填错", "经费: 1000", "经费: 800", "version 2", "alice"):
        assert text in page, text
    history = page.split('id="report-history"')[1]
    assert "<td>Achieved so far</td>" in history and "<td>achieved</td>" not in history  # labels, not names
    assert ">On track</td>" in history and ">At risk</td>" in history and "on_track" not in history


def test_a_nonsense_correction_is_refused_with_a_field_error_and_nothing_written(submitted, alice, login):
    client = login(alice)
    url = f"/plan/reports/{submitted.pk}/correct/"
    before = snapshot(submitted)
    cases = [
        ({"achieved": "99999999999"}, "achieved"),  # far above the target of 200
        ({"achieved": "1e400"}, "achieved"),
        ({"figures": "经费: 1e400"}, "figures"),
        ({"reason": "  "}, "reason"),
        ({"status": "__nonsense__"}, "status"),
        ({"narrative": ""}, "narrative"),
        ({}, "reason"),  # nothing changed: nothing to record
    ]
    for change, field in cases:
        data = {"status": "on_track", "narrative": "进展顺利", "achieved": "50", "figures": "经费: 1000"}
        data |= {"reason": "更正"} | change
        response = client.post(url, data)
        assert response.status_code == 200, change
        assert field in response.context["form"].errors, change
        assert snapshot(submitted) == before, change
    assert not WorkPlanEvent.objects.filter(report=submitted).exists()


def test_only_the_reports_unit_corrects_or_withdraws(submitted, alice, coordinator, bob, dave, office):
    assert (
        services.correct_report(
            actor=coordinator,
            report=submitted,
            reason="县里核对",
            status="on_track",
            narrative="已核对",
            achieved=50,
        ).version
        == 2
    )
    for outsider in (bob, dave, office):
        with pytest.raises(PermissionDenied):
            services.correct_report(
                actor=outsider, report=submitted, reason="x", status="late", narrative="x", achieved=1
            )
        with pytest.raises(PermissionDenied):
            services.withdraw_report(actor=outsider, report=submitted, reason="x")
    assert ProgressReport.objects.get(pk=submitted.pk).version == 2


def test_a_withdrawn_report_no_longer_counts_and_its_period_is_due_again(submitted, approved, alice, login):
    work_plan, item = approved
    assert indicators.reports_on_time(YEAR) == 100.0
    client = login(alice)
    url = f"/plan/reports/{submitted.pk}/withdraw/"
    refused = client.post(url, {"withdraw-reason": ""})
    assert refused.status_code == 200 and refused.context["withdraw_form"].errors["reason"]
    assert ProgressReport.objects.get(pk=submitted.pk).withdrawn_at is None

    assert client.post(url, {"withdraw-reason": "报错了工作项"}).status_code == 302
    report = ProgressReport.objects.get(pk=submitted.pk)
    assert report.withdrawn_at is not None
    event = WorkPlanEvent.objects.get(report=report)
    assert (event.action, event.comment, event.actor) == ("report_withdrawn", "报错了工作项", alice)
    # no longer counted, no longer listed, and its period is due again
    assert indicators.reports_on_time(YEAR) is None
    assert report not in selectors.visible_reports(alice)
    assert report in selectors.visible_reports(alice, withdrawn=True)
    [row] = [r for r in selectors.overview(alice, year=YEAR) if r.work_plan == work_plan] or [None]
    assert row is None or (row.on_track, row.no_report) == (0, 1)
    assert services.next_period(item).label == f"{YEAR}-Q1"
    deadline = Deadline.objects.get(kind=PROGRESS_REPORT, object_id=str(item.pk), status="open")
    assert deadline.due_at.date() == dt.date(YEAR, 4, 10)
    # the page still shows it, as withdrawn, with its history
    page = client.get(f"/plan/reports/{report.pk}/").content.decode()
    assert "Withdrawn on" in page and "报错了工作项" in page
    # the period is reported again; the withdrawn report stays on record
    again = services.submit_report(
        actor=alice, item=item, status="on_track", narrative="重新报送", achieved=60, today=Q1_DAY
    )
    assert again.period == report.period
    assert ProgressReport.objects.filter(work_item=item, period=report.period).count() == 2
    # withdrawn and corrected only once
    assert client.post(url, {"withdraw-reason": "再撤一次"}).status_code == 302
    assert WorkPlanEvent.objects.filter(report=report).count() == 1


def test_two_live_reports_for_one_period_are_impossible(submitted):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReport.objects.create(
            work_item=submitted.work_item,
            unit=submitted.unit,
            period=submitted.period,
            period_start=submitted.period_start,
            period_end=submitted.period_end,
            due_date=submitted.due_date,
            status="on_track",
            narrative="x",
            submitted_at=submitted.submitted_at,
        )


def test_indicators_use_the_corrected_figures(submitted, approved, alice):
    work_plan, _item = approved
    services.correct_report(
        actor=alice, report=submitted, reason="实际滞后", status="late", narrative="滞后", achieved=10
    )
    [row] = [r for r in selectors.overview(alice, year=YEAR) if r.work_plan == work_plan]
    assert (row.on_track, row.late) == (0, 1)


def test_once_accepted_a_report_is_final(submitted, alice, office, login):
    page = login(alice).get(f"/plan/reports/{submitted.pk}/").content.decode()
    assert f"/plan/reports/{submitted.pk}/correct/" in page and "withdraw-reason" in page
    assert "accept-comment" not in page  # the unit does not accept its own report
    office_page = login(office).get(f"/plan/reports/{submitted.pk}/").content.decode()
    assert "accept-comment" in office_page and "withdraw-reason" not in office_page

    assert (
        login(office).post(f"/plan/reports/{submitted.pk}/accept/", {"accept-comment": "同意"}).status_code
        == 302
    )
    report = ProgressReport.objects.get(pk=submitted.pk)
    assert report.accepted_by == office and report.accepted_at is not None
    before = snapshot(report)

    page = login(alice).get(f"/plan/reports/{report.pk}/").content.decode()
    assert f"/plan/reports/{report.pk}/correct/" not in page and "withdraw-reason" not in page
    assert "Accepted on" in page
    forged = [
        (f"/plan/reports/{report.pk}/correct/", {"status": "done", "narrative": "x", "reason": "x"}),
        (f"/plan/reports/{report.pk}/withdraw/", {"withdraw-reason": "x"}),
    ]
    for url, data in forged:
        response = login(alice).post(url, data)
        assert response.status_code == 302
        assert error_messages(response) == [
            "The report was accepted: it can no longer be corrected or withdrawn."
        ]
    assert login(alice).get(f"/plan/reports/{report.pk}/correct/").status_code == 302
    assert login(office).post(f"/plan/reports/{report.pk}/accept/", {}).status_code == 302
    assert snapshot(report) == before
    with pytest.raises(ValidationFailed):
        services.correct_report(actor=alice, report=report, reason="x", status="done", narrative="x")
    with pytest.raises(ValidationFailed):
        services.withdraw_report(actor=alice, report=report, reason="x")
    assert snapshot(report) == before
    assert [e.action for e in WorkPlanEvent.objects.filter(report=report)] == ["report_accepted"]
