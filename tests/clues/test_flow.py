"""Intake, triage, transfer with acknowledgement deadlines, escalation, outcome, merge, rewards, statistics."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from fanguai.audit.models import AuditEvent
from fanguai.clues import selectors, services
from fanguai.clues.models import Clue, ClueEvent, ClueTransfer, Reward
from fanguai.deadlines.models import Deadline
from fanguai.deadlines.services import sweep
from fanguai.notifications.models import Notification
from fanguai.org.models import Region, Unit

from ..conftest import make_user
from .helpers import open_with_code, submit

pytestmark = pytest.mark.django_db


def huoqiu():
    return Region.objects.get(code="341522")


def police():
    return Unit.objects.get(code="341522-police")


def staff_clue(actor, **fields):
    values = {
        "source": "hotline_110",
        "category": "missing_child",
        "description": "110 接警：孩子放学未归",
        "region": huoqiu(),
    }
    values.update(fields)
    return services.record_clue(actor=actor, **values)


def test_staff_record_clues_with_source_and_the_triagers_are_told(alice, office, login):
    liaison = make_user("lia", "liaison", "341500-cyberspace")
    response = login(liaison).post(
        "/clues/new/",
        {
            "source": "online_patrol",
            "category": "online_adoption",
            "description": "网络巡查发现送养帖",
            "region": str(huoqiu().pk),
        },
    )
    clue = Clue.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/clues/{clue.pk}/"
    assert clue.source == "online_patrol" and clue.received_by_unit.code == "341500-cyberspace"
    assert Notification.objects.filter(recipient=office, kind="clue.new").exists()
    assert Notification.objects.filter(recipient=alice, kind="clue.new").exists()
    assert login(liaison).get(f"/clues/{clue.pk}/").status_code == 200  # its own clue
    assert login(liaison).get("/clues/new/").status_code == 200


def test_a_public_source_cannot_be_faked_by_staff(alice):
    with pytest.raises(ValidationError):
        staff_clue(alice, source="public")


def test_triage_transfer_acknowledge_outcome_each_a_row(alice, office, settings):
    settings.CLUES_ACK_HOURS = {"urgent": 2}
    clue = staff_clue(office)
    services.triage(actor=office, clue=clue, priority="urgent")
    before = timezone.now()
    moved = services.transfer(actor=office, clue=clue, to_unit=police(), message="请立即核查")
    assert moved.priority == "urgent"
    assert timedelta(hours=1, minutes=59) < moved.due_at - before < timedelta(hours=2, minutes=1)
    deadline = Deadline.objects.get(object_id=str(moved.pk), kind="clues.acknowledge")
    assert deadline.responsible_unit == police() and deadline.status == "open"
    assert Notification.objects.filter(recipient=alice, kind="clue.transfer").exists()
    clue.refresh_from_db()
    assert clue.status == "transferred" and clue.responsible_unit == police()

    with pytest.raises(PermissionDenied):
        services.report_outcome(actor=alice, clue=clue, outcome="confirmed", message="x")
    services.acknowledge(actor=alice, clue=clue)
    deadline.refresh_from_db()
    assert deadline.status == "met"
    services.report_outcome(actor=alice, clue=clue, outcome="confirmed", message="已找到孩子")
    services.close(actor=office, clue=clue, message="已办结")
    kinds = list(clue.events.values_list("kind", flat=True))
    assert kinds == ["received", "triaged", "transferred", "acknowledged", "outcome", "closed"]
    moved.refresh_from_db()
    assert moved.on_time is True and moved.acknowledged_by == alice
    actions = set(AuditEvent.objects.filter(object_id=str(clue.pk)).values_list("action", flat=True))
    assert {"clue.create", "clue.triage", "clue.transfer", "clue.acknowledge", "clue.outcome"} <= actions


def test_a_second_transfer_withdraws_the_first(office):
    clue = staff_clue(office)
    first = services.transfer(actor=office, clue=clue, to_unit=police())
    services.transfer(actor=office, clue=clue, to_unit=Unit.objects.get(code="341522-civil_affairs"))
    first.refresh_from_db()
    assert first.status == "withdrawn"
    assert Deadline.objects.get(object_id=str(first.pk)).status == "cancelled"
    assert clue.events.filter(kind="withdrawn").count() == 1


def test_a_late_acknowledgement_escalates_to_the_office(alice, office):
    clue = staff_clue(office)
    moved = services.transfer(actor=office, clue=clue, to_unit=police(), priority="urgent")
    result = sweep(now=moved.due_at + timedelta(minutes=1))
    assert result.late == 1
    assert Notification.objects.filter(recipient=office, kind="deadline.escalation").exists()
    assert Notification.objects.filter(recipient=alice, kind="deadline.late").exists()
    assert clue.events.filter(kind=ClueEvent.Kind.ESCALATED).count() == 1
    assert sweep(now=moved.due_at + timedelta(minutes=2)).late == 0  # once


def test_county_police_triage_their_county_only(alice, charlie, office):
    clue = staff_clue(office)
    services.triage(actor=alice, clue=clue, priority="high")
    with pytest.raises(PermissionDenied):
        services.triage(actor=charlie, clue=clue, priority="low")
    assert AuditEvent.objects.filter(action="clue.triage", outcome="denied").exists()
    assert not selectors.visible_clues(charlie).exists()


def test_a_unit_sees_a_clue_transferred_to_it(bob, office):
    clue = staff_clue(office)
    assert not selectors.visible_clues(bob).exists()
    services.transfer(actor=office, clue=clue, to_unit=Unit.objects.get(code="341522-shelter"))
    assert list(selectors.visible_clues(bob)) == [clue]
    services.acknowledge(actor=bob, clue=clue)
    with pytest.raises(PermissionDenied):
        services.triage(actor=bob, clue=clue, priority="low")


def test_duplicates_are_proposed_and_merged_on_confirmation(office, login):
    first = staff_clue(office, description="集市上看到一个约五岁的男孩在哭，和一名中年男子在一起")
    second = staff_clue(office, description="集市上一个五岁左右的男孩在哭，和中年男子在一起")
    other = staff_clue(office, description="完全不同的事情：婚介所收费", category="agency", region=None)
    proposed = [c for c, _ in selectors.possible_duplicates(office, first)]
    assert second in proposed and other not in proposed
    page = login(office).get(f"/clues/{first.pk}/").content.decode()
    assert second.number in page
    response = login(office).post(f"/clues/{first.pk}/merge/", {"duplicate": second.pk})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.merged_into == first and second.status == "merged"
    assert first.events.filter(kind="merged").exists() and second.events.filter(kind="merged").exists()


def test_a_merged_report_still_opens_with_its_code_only(office):
    _, code = submit(description="甲：集市上看到一个男孩在哭")
    _, other_code = submit(description="乙：集市上看到一个男孩在哭")
    first, second = Clue.objects.order_by("pk")
    services.merge(actor=office, keep=first, duplicate=second)
    page = open_with_code(other_code).get("/report/follow-up/report/").content.decode()
    assert "乙：" in page and "甲：" not in page


def test_messages_to_the_reporter_and_the_reporters_answer(alice, office):
    _, code = submit(region=str(huoqiu().pk))
    clue = Clue.objects.get()
    services.transfer(actor=office, clue=clue, to_unit=police())
    services.acknowledge(actor=alice, clue=clue)
    services.message_reporter(actor=alice, clue=clue, message="孩子穿什么衣服？", question=True)
    client = open_with_code(code)
    assert "孩子穿什么衣服？" in client.get("/report/follow-up/report/").content.decode()
    client.post("/report/follow-up/report/message/", {"message": "红色外套"})
    assert Notification.objects.filter(recipient=alice, kind="clue.reporter_message").exists()
    staff_clue_only = staff_clue(office)
    with pytest.raises(PermissionDenied):  # no receipt code: nobody to write to
        services.message_reporter(actor=office, clue=staff_clue_only, message="x")


def test_the_reporter_identity_is_shown_to_triagers_only_and_each_view_audited(alice, charlie, office, login):
    submit(
        region=str(huoqiu().pk), contact_name="举报人李某", contact_phone="13800002222", contact_consent="on"
    )
    clue = Clue.objects.get()
    page = login(office).get(f"/clues/{clue.pk}/").content.decode()
    assert "举报人李某" not in page  # not on the page itself
    assert "举报人李某" in login(alice).get(f"/clues/{clue.pk}/reporter/").content.decode()
    assert AuditEvent.objects.filter(action="clue.reporter_view", actor_username="alice").exists()
    services.transfer(actor=office, clue=clue, to_unit=Unit.objects.get(code="341522-civil_affairs"))
    worker = make_user("civil", "liaison", "341522-civil_affairs")
    assert login(worker).get(f"/clues/{clue.pk}/").status_code == 200
    assert login(worker).get(f"/clues/{clue.pk}/reporter/").status_code == 404
    assert AuditEvent.objects.filter(
        action="clue.reporter_view", actor_username="civil", outcome="denied"
    ).exists()
    # The people app lets alice see the reporter's record too (through the clue's county).
    assert login(alice).get(f"/people/{clue.reporter_id}/").status_code == 200
    assert login(charlie).get(f"/people/{clue.reporter_id}/").status_code == 404


def test_rewards_need_a_result_four_eyes_a_claim_and_a_payment(alice, office):
    second_office = make_user("office2", "office_staff", "341500-office")
    _, code = submit(region=str(huoqiu().pk))
    clue = Clue.objects.get()
    with pytest.raises(ValidationError):
        services.propose_reward(actor=office, clue=clue, amount=Decimal("500"), reason="x")
    services.transfer(actor=office, clue=clue, to_unit=police())
    services.acknowledge(actor=alice, clue=clue)
    services.report_outcome(actor=alice, clue=clue, outcome="confirmed", message="找到")
    with pytest.raises(PermissionDenied):
        services.propose_reward(actor=alice, clue=clue, amount=Decimal("500"), reason="x")
    reward = services.propose_reward(actor=office, clue=clue, amount=Decimal("500"), reason="促成找回")
    with pytest.raises(PermissionDenied):
        services.decide_reward(actor=office, reward=reward, approve=True)
    services.decide_reward(actor=second_office, reward=reward, approve=True)
    client = open_with_code(code)
    assert "500" in client.get("/report/follow-up/report/").content.decode()
    client.post("/report/follow-up/report/claim/", {"details": "王某 13800003333 银行卡尾号 1234"})
    reward.refresh_from_db()
    assert reward.claimed_at is not None and "1234" in reward.claim_details
    services.pay_reward(actor=office, reward=reward, payment_reference="PAY-2026-1")
    reward.refresh_from_db()
    assert reward.status == Reward.Status.PAID
    assert AuditEvent.objects.filter(action="reward.claim", object_id=str(reward.pk)).exists()


def test_statistics_and_excel_export(alice, charlie, office, login, settings):
    settings.CLUES_ACK_HOURS = {"normal": 24}
    on_time = staff_clue(office)
    services.transfer(actor=office, clue=on_time, to_unit=police())
    services.acknowledge(actor=alice, clue=on_time)
    late = staff_clue(office, source="hotline_12345", category="agency")
    moved = services.transfer(actor=office, clue=late, to_unit=police())
    ClueTransfer.objects.filter(pk=moved.pk).update(due_at=timezone.now() - timedelta(hours=1))
    staff_clue(charlie, region=Region.objects.get(code="341502"))
    stats = selectors.statistics(office)
    assert stats["total"] == 3 and stats["transfers"] == 2
    assert stats["on_time"] == 1 and stats["decided"] == 2 and stats["on_time_share"] == 50.0
    assert dict(stats["by_county"]) == {"霍邱县": 2, "金安区": 1}
    assert selectors.statistics(charlie)["total"] == 1  # county users: their county
    response = login(office).get("/clues/statistics/export.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 6
    assert login(office).get("/clues/statistics/").status_code == 200
    assert login(office).get("/api/clues/statistics").json()["total"] == 3


def test_the_home_panel_shows_the_queues(alice, office, login):
    clue = staff_clue(office)
    assert clue.number in login(office).get("/").content.decode()
    services.transfer(actor=office, clue=clue, to_unit=police())
    assert clue.number in login(alice).get("/").content.decode()


def test_the_demo_clues_are_idempotent(db):
    from fanguai.clues.demo import create_demo_clues
    from fanguai.core.demo import create_demo_users

    create_demo_users()
    first = create_demo_clues()
    assert first >= 9
    assert create_demo_clues() == 0
    assert Reward.objects.count() == 1


def test_cached_statistics_show_a_change_at_once(office, alice):
    staff_clue(office)
    assert selectors.statistics(office)["total"] == 1
    assert selectors.statistics(office)["total"] == 1  # served from the cache: same figures
    second = staff_clue(office)
    assert selectors.statistics(office)["total"] == 2
    services.transfer(actor=office, clue=second, to_unit=police())
    stats = selectors.statistics(office)
    assert stats["transfers"] == 1 and stats["acknowledged"] == 0
    services.acknowledge(actor=alice, clue=second)
    assert selectors.statistics(office)["acknowledged"] == 1
