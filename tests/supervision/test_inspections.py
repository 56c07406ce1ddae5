"""Inspections: scheduling (including paternity-testing institutions), findings, rectifications with their
deadlines, report, reopen, accept and close; who sees what."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fanguai.audit.models import AuditEvent
from fanguai.deadlines.models import Deadline
from fanguai.deadlines.services import sweep
from fanguai.notifications.models import Notification
from fanguai.org.models import Region, Unit
from fanguai.supervision import selectors, services
from fanguai.supervision.deadline_kinds import RECTIFICATION
from fanguai.supervision.models import Inspection, Rectification, TimelineEntry

from .conftest import in_days

pytestmark = pytest.mark.django_db


def unit(code: str) -> Unit:
    return Unit.objects.get(code=code)


def schedule(office, **overrides) -> Inspection:
    fields = {
        "kind": Inspection.Kind.ROUTINE,
        "title": "Half-year inspection",
        "target_unit": unit("341522-police"),
        "target_region": Region.objects.get(code="341522"),
        "institution": "",
        "scheduled_for": in_days(3),
        "team": "Office team",
        "scope": "Rapid search and blood sampling",
    }
    fields.update(overrides)
    return services.schedule_inspection(actor=office, **fields)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "paternity_testing", "institution": ""}, "institution"),
        ({"target_unit": None, "target_region": None}, "target_unit"),
        ({"target_region": "township"}, "target_region"),
        ({"team": ""}, "team"),
        ({"scheduled_for": None}, "scheduled_for"),
    ],
)
def test_bad_inspection_input_names_the_field(office, overrides, field):
    if overrides.get("target_region") == "township":  # a township is not a county
        overrides = {"target_region": Region.objects.filter(level="township").first()}
    with pytest.raises(ValidationError) as caught:
        schedule(office, **overrides)
    assert field in caught.value.message_dict
    assert not Inspection.objects.exists()


def test_a_paternity_testing_institution_can_be_inspected(office):
    inspection = schedule(
        office,
        kind=Inspection.Kind.PATERNITY_TESTING,
        target_unit=None,
        target_region=Region.objects.get(code="341503"),
        institution="Some forensic institute",
    )
    assert "Some forensic institute" in inspection.target_label


def test_only_the_office_schedules(alice):
    with pytest.raises(PermissionDenied):
        schedule(alice)


def test_the_whole_cycle_to_closure(office, alice, dave, bob, login):
    inspection = schedule(office)
    assert any(
        inspection.number in s
        for s in Notification.objects.filter(recipient=alice).values_list("subject", flat=True)
    )
    services.record_conduct(
        actor=office, inspection=inspection, conducted_on=timezone.localdate(), summary="ok"
    )
    finding = services.record_finding(
        actor=office, inspection=inspection, description="Samples late", severity="serious"
    )
    rectification = services.order_rectification(
        actor=office,
        finding=finding,
        responsible_unit=unit("341522-police"),
        requirement="Sample everyone",
        due_date=in_days(30),
    )
    deadline = Deadline.objects.get(object_id=str(rectification.pk), kind=RECTIFICATION)
    assert deadline.status == "open" and deadline.responsible_unit.code == "341522-police"
    assert not policy_can_close(office, inspection)
    with pytest.raises(PermissionDenied):
        services.report_rectification(actor=dave, rectification=rectification, text="done")
    services.report_rectification(actor=alice, rectification=rectification, text="All sampled")
    deadline.refresh_from_db()
    assert deadline.status == "met"
    services.reopen_rectification(
        actor=office, rectification=rectification, note="Three missing", due_date=in_days(7)
    )
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.OPEN
    assert (
        Deadline.objects.filter(object_id=str(rectification.pk), kind=RECTIFICATION, status="open").count()
        == 1
    )
    services.report_rectification(actor=alice, rectification=rectification, text="The three sampled too")
    services.accept_rectification(actor=office, rectification=rectification, note="Good")
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.CLOSED and rectification.closed_at
    assert policy_can_close(office, inspection)
    services.close_inspection(actor=office, inspection=inspection)
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.CLOSED
    steps = list(selectors.timeline(office, inspection=inspection).values_list("action", flat=True))
    assert steps == [
        "inspection.create",
        "inspection.conduct",
        "finding.create",
        "rectification.create",
        "rectification.report",
        "rectification.reopen",
        "rectification.report",
        "rectification.accept",
        "inspection.close",
    ]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "inspection.create",
        "rectification.report",
        "rectification.accept",
        "inspection.close",
    } <= actions
    html = login(dave).get(inspection.get_absolute_url()).content.decode()
    assert "Samples late" in html
    assert login(bob).get(inspection.get_absolute_url()).status_code == 404


def policy_can_close(user, inspection) -> bool:
    from fanguai.core.policies import policy_for

    inspection.refresh_from_db()
    return policy_for(Inspection).can(user, "close", inspection)


def test_reopening_needs_a_reason_and_a_future_deadline(office, alice):
    inspection = schedule(office)
    finding = services.record_finding(actor=office, inspection=inspection, description="x", severity="minor")
    rectification = services.order_rectification(
        actor=office, finding=finding, responsible_unit=alice.unit, requirement="y", due_date=in_days(5)
    )
    services.report_rectification(actor=alice, rectification=rectification, text="done")
    with pytest.raises(ValidationError) as caught:
        services.reopen_rectification(
            actor=office, rectification=rectification, note="", due_date=in_days(-1)
        )
    assert set(caught.value.message_dict) == {"note", "due_date"}
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.REPORTED


def test_a_late_rectification_is_escalated_to_the_office(office, alice):
    inspection = schedule(office)
    finding = services.record_finding(actor=office, inspection=inspection, description="x", severity="minor")
    rectification = services.order_rectification(
        actor=office, finding=finding, responsible_unit=alice.unit, requirement="y", due_date=in_days(1)
    )
    Deadline.objects.filter(object_id=str(rectification.pk), kind=RECTIFICATION).update(
        due_at=timezone.now() - timedelta(hours=1), warn_at=None
    )
    assert sweep().late == 1
    assert Notification.objects.filter(recipient=office, kind="deadline.escalation").exists()


def test_a_unit_ordered_to_rectify_sees_the_inspection_but_only_its_own_rectifications(
    office, alice, bob, login
):
    inspection = schedule(office)
    finding = services.record_finding(
        actor=office, inspection=inspection, description="Shared finding", severity="minor"
    )
    police = services.order_rectification(
        actor=office,
        finding=finding,
        responsible_unit=alice.unit,
        requirement="POLICE-ONLY-TASK",
        due_date=in_days(5),
    )
    shelter = services.order_rectification(
        actor=office,
        finding=finding,
        responsible_unit=bob.unit,
        requirement="Shelter task",
        due_date=in_days(5),
    )
    assert list(selectors.visible_rectifications(bob)) == [shelter]
    html = login(bob).get(inspection.get_absolute_url()).content.decode()
    assert "Shared finding" in html and shelter.number in html and police.number not in html
    assert "POLICE-ONLY-TASK" not in html
    assert login(bob).get(police.get_absolute_url()).status_code == 404
    assert TimelineEntry.objects.filter(rectification=police).exists()


def test_pages_show_field_errors(office, alice, login):
    client = login(office)
    response = client.post(
        "/supervision/inspections/new/",
        {"kind": "paternity_testing", "title": "x", "scheduled_for": in_days(1), "team": "t", "scope": "s"},
    )
    assert response.status_code == 200 and "Name the testing institution." in response.content.decode()
    inspection = schedule(office)
    finding = services.record_finding(actor=office, inspection=inspection, description="x", severity="minor")
    response = client.post(
        f"/supervision/findings/{finding.pk}/rectify/",
        {"responsible_unit": alice.unit_id, "requirement": "y", "due_date": in_days(-3)},
    )
    assert response.status_code == 200 and "The date cannot be in the past." in response.content.decode()
    assert not Rectification.objects.exists()


def test_the_inspection_export_and_the_rectification_list(office, alice, login):
    from io import BytesIO

    from openpyxl import load_workbook

    inspection = schedule(office)
    response = login(office).get("/supervision/inspections/export.xlsx")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][0] == inspection.number
    finding = services.record_finding(actor=office, inspection=inspection, description="x", severity="minor")
    rectification = services.order_rectification(
        actor=office,
        finding=finding,
        responsible_unit=alice.unit,
        requirement="Fix the register",
        due_date=in_days(5),
    )
    assert rectification.number in login(alice).get("/supervision/rectifications/").content.decode()
