"""Issue 14 item 1 in supervision: inspections recorded after the fact (with their findings and rectifications
already done), and corrections of the units' reports: a progress report on a listing or a rectification report
may be corrected or withdrawn by its unit until the office accepts it (lifts the listing, accepts the
rectification), with the history kept on the timeline."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError

from fanguai.deadlines.models import Deadline
from fanguai.org.models import Region, Unit
from fanguai.plans.models import Plan
from fanguai.supervision import services
from fanguai.supervision.deadline_kinds import RECTIFICATION
from fanguai.supervision.models import (
    Inspection,
    ProgressReport,
    Rectification,
    RectificationReport,
    TimelineEntry,
)

from .conftest import in_days

pytestmark = pytest.mark.django_db
RECORD = "/supervision/inspections/record/"


def police() -> Unit:
    return Unit.objects.get(code="341522-police")


def past_data(**overrides) -> dict:
    data = {
        "kind": "routine",
        "title": "上半年督导检查",
        "target_unit": police().pk,
        "target_region": Region.objects.get(code="341522").pk,
        "institution": "",
        "team": "市联席办督导组",
        "scope": "快速查找与采血入库",
        "conducted_on": in_days(-40).isoformat(),
        "summary": "发现两项问题",
    }
    data.update(overrides)
    return data


def errors_of(response) -> dict:
    return response.context["form"].errors


def error_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level_tag == "error"]


def test_a_past_inspection_is_recorded_as_conducted_with_rectifications_already_done(office, alice, login):
    client = login(office)
    assert client.get(RECORD).status_code == 200
    response = client.post(RECORD, past_data())
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    assert (inspection.status, inspection.conducted_on, inspection.scheduled_for) == (
        "conducted",
        in_days(-40),
        in_days(-40),
    )
    assert [s.action for s in inspection.timeline.all()] == ["inspection.record_past"]
    finding = services.record_finding(
        actor=office, inspection=inspection, description="台账不全", severity="minor"
    )

    # a deadline before the inspection, or one that has passed without the rectification being done: refused
    url = f"/supervision/findings/{finding.pk}/rectify/"
    rectify = {"responsible_unit": police().pk, "requirement": "补齐台账"}
    for data, field in (
        ({"due_date": in_days(-41).isoformat()}, "due_date"),
        ({"due_date": in_days(-10).isoformat()}, "due_date"),
        (
            {
                "due_date": in_days(-10).isoformat(),
                "rectified_on": in_days(-45).isoformat(),
                "rectified_text": "x",
            },
            "rectified_on",
        ),
        (
            {
                "due_date": in_days(-10).isoformat(),
                "rectified_on": in_days(1).isoformat(),
                "rectified_text": "x",
            },
            "rectified_on",
        ),
        ({"due_date": in_days(-10).isoformat(), "rectified_on": in_days(-12).isoformat()}, "rectified_text"),
    ):
        refused = client.post(url, rectify | data)
        assert refused.status_code == 200, data
        assert field in errors_of(refused), (data, errors_of(refused))
    assert not Rectification.objects.exists()

    # done already: the deadline may have passed, and the rectification is closed with what was done
    response = client.post(
        url,
        rectify
        | {
            "due_date": in_days(-10).isoformat(),
            "rectified_on": in_days(-12).isoformat(),
            "rectified_text": "已补齐台账",
        },
    )
    assert response.status_code == 302
    done = Rectification.objects.get()
    assert done.status == "closed" and done.closed_at.date() == in_days(-12)
    assert done.reports.get().text == "已补齐台账"
    assert not Deadline.objects.filter(kind=RECTIFICATION, object_id=str(done.pk), status="open").exists()
    # not yet done: an ordinary rectification with a deadline ahead
    assert client.post(url, rectify | {"due_date": in_days(10).isoformat()}).status_code == 302
    assert Rectification.objects.filter(status="open").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"conducted_on": ""}, "conducted_on"),
        ({"conducted_on": "2030-01-01"}, "conducted_on"),  # not held yet: schedule it instead
        ({"conducted_on": "2019-06-01"}, "conducted_on"),  # before the action plan
        ({"target_region": "__341502__"}, "target_region"),  # the unit is not in that county
        ({"team": " "}, "team"),
        ({"conducted_on": "9999-12-31"}, "conducted_on"),
    ],
)
def test_a_nonsense_past_inspection_is_refused_with_a_field_error(office, login, overrides, field):
    Plan.objects.create(code="liuan-2022", title="行动方案", issued=dt.date(2022, 3, 1))
    if overrides.get("target_region") == "__341502__":
        overrides["target_region"] = Region.objects.get(code="341502").pk
    response = login(office).post(RECORD, past_data(**overrides))
    assert response.status_code == 200
    assert field in errors_of(response), errors_of(response)
    assert not Inspection.objects.exists() and not TimelineEntry.objects.exists()


def test_only_the_office_records_a_past_inspection(alice, coordinator, login):
    for user in (alice, coordinator):
        assert login(user).post(RECORD, past_data()).status_code == 403
    with pytest.raises(PermissionDenied):
        services.record_past_inspection(
            actor=alice,
            conducted_on=in_days(-1),
            kind="routine",
            title="x",
            target_unit=police(),
            team="t",
            scope="s",
        )
    assert not Inspection.objects.exists()


@pytest.fixture
def listing_report(listing, alice):
    return services.report_progress(actor=alice, listing=listing, text="已走访三户")


def test_a_listing_report_is_corrected_and_the_old_text_kept(listing_report, listing, alice, login):
    client = login(alice)
    url = f"/supervision/reports/listing/{listing_report.pk}/correct/"
    page = client.get(f"/supervision/listings/{listing.pk}/").content.decode()
    assert url in page
    refused = client.post(url, {"text": "已走访五户", "reason": ""})
    assert refused.status_code == 200 and "reason" in errors_of(refused)
    refused = client.post(url, {"text": "已走访三户", "reason": "笔误"})
    assert refused.status_code == 200 and "text" in errors_of(refused)
    assert ProgressReport.objects.get(pk=listing_report.pk).version == 1

    assert client.post(url, {"text": "已走访五户", "reason": "笔误"}).status_code == 302
    report = ProgressReport.objects.get(pk=listing_report.pk)
    assert (report.version, report.text) == (2, "已走访五户")
    step = listing.timeline.get(action="listing.report_correct")
    assert (step.actor, step.note, step.changes) == (
        alice,
        "笔误",
        [{"field": "text", "old": "已走访三户", "new": "已走访五户"}],
    )
    page = client.get(f"/supervision/listings/{listing.pk}/").content.decode()
    for text in ("Progress report corrected", "笔误", "已走访三户", "已走访五户", "version 2"):
        assert text in page, text


def test_a_withdrawn_listing_report_no_longer_counts(listing_report, listing, alice, dave, bob, login):
    assert services.last_activity(listing) == listing_report.created_at
    for outsider in (dave, bob):  # the unit's leader reads only; another unit sees nothing
        with pytest.raises(PermissionDenied):
            services.withdraw_unit_report(actor=outsider, report=listing_report, reason="x")
    url = f"/supervision/reports/listing/{listing_report.pk}/withdraw/"
    refused = login(alice).post(url, {"withdraw-reason": "  "})
    assert refused.status_code == 200 and refused.context["withdraw_form"].errors["reason"]
    assert login(alice).post(url, {"withdraw-reason": "报错了督办事项"}).status_code == 302
    report = ProgressReport.objects.get(pk=listing_report.pk)
    assert report.withdrawn_at is not None
    assert services.last_activity(listing) == listing.created_at
    assert listing.timeline.get(action="listing.report_withdraw").note == "报错了督办事项"
    page = login(alice).get(f"/supervision/listings/{listing.pk}/").content.decode()
    assert "Withdrawn" in page and url.replace("withdraw", "correct") not in page


def test_once_the_listing_is_lifted_its_reports_are_final(listing_report, listing, alice, office, login):
    services.request_lift(actor=alice, listing=listing, reason="找到了")
    services.decide_lift(actor=office, listing=listing, approve=True)
    url = f"/supervision/reports/listing/{listing_report.pk}/correct/"
    assert url not in login(alice).get(f"/supervision/listings/{listing.pk}/").content.decode()
    for target, data in (
        (url, {"text": "改", "reason": "改"}),
        (url.replace("correct", "withdraw"), {"withdraw-reason": "撤"}),
    ):
        response = login(alice).post(target, data)
        assert response.status_code == 302
        assert error_messages(response) == [
            "The report was accepted: it can no longer be corrected or withdrawn."
        ]
    report = ProgressReport.objects.get(pk=listing_report.pk)
    assert (report.version, report.text, report.withdrawn_at) == (1, "已走访三户", None)
    with pytest.raises(ValidationError):
        services.correct_unit_report(actor=alice, report=report, text="改", reason="改")


@pytest.fixture
def reported(office, alice):
    inspection = services.record_past_inspection(
        actor=office,
        conducted_on=in_days(-5),
        kind="routine",
        title="检查",
        target_unit=police(),
        team="t",
        scope="s",
    )
    finding = services.record_finding(actor=office, inspection=inspection, description="f", severity="minor")
    rectification = services.order_rectification(
        actor=office, finding=finding, responsible_unit=police(), requirement="整改", due_date=in_days(9)
    )
    report = services.report_rectification(actor=alice, rectification=rectification, text="已整改")
    return rectification, report


def test_a_withdrawn_rectification_report_opens_the_rectification_again(reported, alice, login):
    rectification, report = reported
    assert Rectification.objects.get(pk=rectification.pk).status == "reported"
    url = f"/supervision/reports/rectification/{report.pk}/correct/"
    assert login(alice).post(url, {"text": "已整改完毕", "reason": "补充"}).status_code == 302
    assert RectificationReport.objects.get(pk=report.pk).version == 2
    assert (
        Rectification.objects.get(pk=rectification.pk).status == "reported"
    )  # a correction keeps it reported
    assert (
        login(alice).post(url.replace("correct", "withdraw"), {"withdraw-reason": "尚未完成"}).status_code
        == 302
    )
    assert Rectification.objects.get(pk=rectification.pk).status == "open"
    assert Deadline.objects.filter(
        kind=RECTIFICATION, object_id=str(rectification.pk), status="open"
    ).exists()
    assert [s.action for s in rectification.timeline.all()][-2:] == [
        "rectification.report_correct",
        "rectification.report_withdraw",
    ]


def test_once_the_rectification_is_accepted_its_report_is_final(reported, alice, office, login):
    rectification, report = reported
    services.accept_rectification(actor=office, rectification=rectification)
    url = f"/supervision/reports/rectification/{report.pk}/correct/"
    assert url not in login(alice).get(f"/supervision/rectifications/{rectification.pk}/").content.decode()
    response = login(alice).post(url, {"text": "改", "reason": "改"})
    assert response.status_code == 302 and error_messages(response)
    response = login(alice).post(url.replace("correct", "withdraw"), {"withdraw-reason": "撤"})
    assert response.status_code == 302 and error_messages(response)
    report = RectificationReport.objects.get(pk=report.pk)
    assert (report.version, report.text, report.withdrawn_at) == (1, "已整改", None)
    assert Rectification.objects.get(pk=rectification.pk).status == "closed"
