import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from fanguai.audit.models import AuditEvent
from fanguai.core.errors import ValidationFailed
from fanguai.deadlines.models import Deadline
from fanguai.notifications.models import Notification
from fanguai.org.models import Unit
from fanguai.plans import services
from fanguai.plans.deadline_kinds import PROGRESS_REPORT, WORK_PLAN_RESUBMISSION
from fanguai.plans.models import WorkPlan, WorkPlanEvent

from ..conftest import make_user
from .conftest import YEAR, draft_with_item, measure


def unit(code):
    return Unit.objects.get(code=code)


def test_a_work_plan_goes_from_draft_to_approval_with_every_step_kept(plan, liaison, office):
    civil = unit("341500-civil_affairs")
    work_plan, item = draft_with_item(
        liaison, plan, civil, measure_item=measure(plan, "341500-civil_affairs", 1)
    )
    services.submit_work_plan(actor=liaison, work_plan=work_plan, comment="请审核")
    assert Notification.objects.filter(recipient=office, kind="plans.work_plan").exists()

    services.return_work_plan(actor=office, work_plan=work_plan, comment="请补充指标")
    assert Notification.objects.filter(recipient=liaison, subject__contains="returned").exists()
    resubmit = Deadline.objects.get(kind=WORK_PLAN_RESUBMISSION, object_id=str(work_plan.pk))
    assert resubmit.status == Deadline.Status.OPEN

    services.update_work_item(actor=liaison, item=item, target=Decimal(250))
    services.submit_work_plan(actor=liaison, work_plan=work_plan)
    resubmit.refresh_from_db()
    assert resubmit.status == Deadline.Status.MET

    work_plan = services.approve_work_plan(actor=office, work_plan=work_plan, today=dt.date(YEAR, 1, 20))
    assert work_plan.status == WorkPlan.Status.APPROVED
    assert list(work_plan.events.values_list("action", "status_after", "comment")) == [
        ("created", "draft", ""),
        ("item_added", "draft", item.title),
        ("submitted", "submitted", "请审核"),
        ("returned", "returned", "请补充指标"),
        ("item_changed", "returned", item.title),
        ("submitted", "submitted", ""),
        ("approved", "approved", ""),
    ]
    report_deadline = Deadline.objects.get(kind=PROGRESS_REPORT, object_id=str(item.pk))
    assert report_deadline.due_at.date() == dt.date(YEAR, 4, 10)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "work_plan.create",
        "work_item.create",
        "work_plan.submit",
        "work_plan.return",
        "work_plan.approve",
    } <= actions


def test_an_approved_work_plan_is_frozen(plan, liaison, office):
    work_plan, item = draft_with_item(liaison, plan, unit("341500-civil_affairs"))
    services.submit_work_plan(actor=liaison, work_plan=work_plan)
    with pytest.raises(PermissionDenied):
        services.add_work_item(
            actor=liaison, work_plan=work_plan, title="x", indicator="x", due_date=dt.date(YEAR, 5, 1)
        )
    services.approve_work_plan(actor=office, work_plan=work_plan)
    with pytest.raises(PermissionDenied):
        services.update_work_item(actor=liaison, item=item, title="changed")
    with pytest.raises(PermissionDenied):
        services.approve_work_plan(actor=office, work_plan=work_plan)


def test_bad_work_items_name_the_field_and_change_nothing(plan, liaison, alice):
    civil = unit("341500-civil_affairs")
    work_plan = services.create_work_plan(actor=liaison, plan=plan, unit=civil, year=YEAR)
    with pytest.raises(ValidationFailed) as caught:
        services.add_work_item(
            actor=liaison,
            work_plan=work_plan,
            title="x",
            indicator="x",
            due_date=dt.date(YEAR + 1, 1, 5),
            measure=measure(plan, "341500-police", 1),
            owner=alice,
        )
    assert {e.field for e in caught.value.errors} == {"due_date", "measure", "owner"}
    assert not work_plan.items.exists()
    # A measure of another period is refused too.
    with pytest.raises(ValidationFailed):
        services.add_work_item(
            actor=liaison,
            work_plan=work_plan,
            title="x",
            indicator="x",
            due_date=dt.date(YEAR, 6, 1),
            measure=measure(plan, "341500-civil_affairs", 1, period="2022"),
        )
    with pytest.raises(ValidationFailed):
        services.submit_work_plan(actor=liaison, work_plan=work_plan)
    with pytest.raises(ValidationFailed):
        services.create_work_plan(actor=liaison, plan=plan, unit=civil, year=YEAR)
    with pytest.raises(ValidationFailed):
        services.create_work_plan(actor=liaison, plan=plan, unit=civil, year=2031)


def test_returning_needs_a_comment(plan, liaison, office):
    work_plan, _item = draft_with_item(liaison, plan, unit("341500-civil_affairs"))
    services.submit_work_plan(actor=liaison, work_plan=work_plan)
    with pytest.raises(ValidationFailed):
        services.return_work_plan(actor=office, work_plan=work_plan, comment=" ")
    assert WorkPlan.objects.get(pk=work_plan.pk).status == WorkPlan.Status.SUBMITTED


def test_who_drafts_which_work_plan(plan, liaison, coordinator, office, alice, dave):
    police = unit("341522-police")
    # A county coordinator drafts for the units of the county, with the measures of the city counterpart.
    work_plan, _item = draft_with_item(
        coordinator, plan, police, measure_item=measure(plan, "341500-police", 3)
    )
    for outsider in (
        liaison,
        office,
        alice,
        dave,
        make_user("cz", "county_coordinator", "341502-government"),
    ):
        with pytest.raises(PermissionDenied):
            services.add_work_item(
                actor=outsider, work_plan=work_plan, title="x", indicator="x", due_date=dt.date(YEAR, 5, 1)
            )
        with pytest.raises(PermissionDenied):
            services.create_work_plan(actor=outsider, plan=plan, unit=unit("341522-hrss"), year=YEAR)
    with pytest.raises(PermissionDenied):
        services.create_work_plan(actor=liaison, plan=plan, unit=unit("341500-police"), year=YEAR)
    # Nobody but the office reviews.
    services.submit_work_plan(actor=coordinator, work_plan=work_plan)
    for reviewer in (coordinator, dave, liaison):
        with pytest.raises(PermissionDenied):
            services.approve_work_plan(actor=reviewer, work_plan=work_plan)


def test_the_pages_drive_the_whole_review(plan, liaison, office, login):
    client = login(liaison)
    response = client.post(
        "/plan/work-plans/new/",
        {"unit": unit("341500-civil_affairs").pk, "year": YEAR, "report_cycle": "quarterly"},
    )
    work_plan = WorkPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == work_plan.get_absolute_url()
    response = client.post(
        f"/plan/work-plans/{work_plan.pk}/items/new/",
        {
            "measure": measure(plan, "341500-civil_affairs", 2).pk,
            "title": "收养登记",
            "indicator": "登记件数",
            "target": "12",
            "due_date": f"{YEAR}-12-01",
        },
    )
    assert response.status_code == 302
    bad = client.post(
        f"/plan/work-plans/{work_plan.pk}/items/new/",
        {"title": "x", "indicator": "x", "due_date": f"{YEAR + 1}-01-01"},
    )
    assert bad.status_code == 200 and b"due date must fall in" in bad.content
    client.post(f"/plan/work-plans/{work_plan.pk}/edit/", {"report_cycle": "monthly"})
    client.post(f"/plan/work-plans/{work_plan.pk}/submit/", {"comment": ""})
    assert WorkPlan.objects.get().status == WorkPlan.Status.SUBMITTED
    page = login(office).get(work_plan.get_absolute_url())
    assert b"Return for changes" in page.content and "收养登记" in page.content.decode()
    login(office).post(f"/plan/work-plans/{work_plan.pk}/return/", {"comment": ""})
    assert WorkPlan.objects.get().status == WorkPlan.Status.SUBMITTED  # a return needs a comment
    login(office).post(f"/plan/work-plans/{work_plan.pk}/approve/", {"comment": "同意"})
    work_plan.refresh_from_db()
    assert (work_plan.status, work_plan.report_cycle) == ("approved", "monthly")
    assert work_plan.events.filter(action=WorkPlanEvent.Action.CHANGED).exists()


def test_excel_exports_open(plan, liaison, office, login):
    import io

    from openpyxl import load_workbook

    draft_with_item(liaison, plan, unit("341500-civil_affairs"), title="导出测试")
    work_plan = WorkPlan.objects.get()
    for url in (
        "/plan/?export=xlsx",
        "/plan/work-plans/?export=xlsx",
        f"/plan/work-plans/{work_plan.pk}/?export=xlsx",
    ):
        response = login(office).get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.max_row >= 2
    sheet = load_workbook(
        io.BytesIO(login(office).get(f"/plan/work-plans/{work_plan.pk}/?export=xlsx").content)
    ).active
    assert sheet.cell(2, 2).value == "导出测试"


def test_the_forms_and_the_home_panel_render(plan, liaison, office, coordinator, login):
    work_plan, item = draft_with_item(liaison, plan, unit("341500-civil_affairs"), title="面板项")
    client = login(liaison)
    for url in (
        "/plan/work-plans/new/",
        f"/plan/work-plans/{work_plan.pk}/edit/",
        f"/plan/work-plans/{work_plan.pk}/items/new/",
        f"/plan/items/{item.pk}/edit/",
        "/plan/p/liuan-2022/?q=收养",
    ):
        assert client.get(url).status_code == 200, url
    tree = client.get("/plan/p/liuan-2022/?q=收养").content.decode()
    assert "落实《安徽省收养评估实施办法》" in tree and "团圆行动" not in tree
    home = client.get("/").content.decode()
    assert "/plan/work-plans/" in home and f"/plan/work-plans/{work_plan.pk}/" in home
    assert "/plan/overview/" in login(office).get("/").content.decode()
    response = client.post(f"/plan/items/{item.pk}/delete/")
    assert response.status_code == 302 and not work_plan.items.exists()
