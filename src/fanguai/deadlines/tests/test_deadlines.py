"""Deadlines: the services, the idempotent sweep with its notices and escalation, the policy, the page, the
home panel, the task and the command."""

from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from fanguai.audit.models import AuditEvent
from fanguai.deadlines.models import Deadline
from fanguai.deadlines.registry import get_kind, link_for, register_kind
from fanguai.deadlines.selectors import deadlines_for_unit, deadlines_of, unit_summary, visible_deadlines
from fanguai.deadlines.services import cancel_deadline, create_deadline, meet_deadline, sweep
from fanguai.deadlines.tasks import sweep_deadlines
from fanguai.deadlines.views import PAGE_SIZE, home_panel_context
from fanguai.notifications.models import Notification
from fanguai.notifications.tests.cast import make_user

ACK = "test.acknowledge"
REPORT = "test.report"
calls: list[tuple[str, int]] = []


@pytest.fixture(autouse=True)
def kinds():
    calls.clear()
    register_kind(
        ACK,
        label="Acknowledge a referral",
        escalate_to_roles=["office_staff", "county_coordinator"],
        on_warning=lambda d: calls.append(("warning", d.pk)),
        on_late=lambda d: calls.append(("late", d.pk)),
    )
    register_kind(REPORT, label="Send the monthly report", notify_roles=["liaison"])


def hours(n: float) -> datetime:
    return timezone.now() + timedelta(hours=n)


def rows_of(response) -> str:
    """The table body of the deadlines page (the filter's kind list names kinds too)."""
    html = response.content.decode()
    return html[html.find("<tbody>") : html.find("</tbody>")] if "<tbody>" in html else ""


def subjects(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("subject", flat=True))


@pytest.fixture
def target(places):
    """Any saved object can carry a deadline; a unit stands in for a referral here."""
    return places["shelter_a"]


@pytest.mark.django_db
def test_create_requires_a_registered_kind_and_an_aware_time(places, target):
    with pytest.raises(LookupError):
        create_deadline(
            target=target, kind="nobody.registered.this", due_at=hours(5), responsible_unit=places["police_a"]
        )
    with pytest.raises(ValueError, match="aware"):
        naive = datetime(2030, 1, 1)  # noqa: DTZ001  the point of the test
        create_deadline(target=target, kind=ACK, due_at=naive, responsible_unit=places["police_a"])
    assert not Deadline.objects.exists()


@pytest.mark.django_db
def test_create_then_reschedule_keeps_one_open_deadline(places, target, alice):
    first = create_deadline(
        target=target,
        kind=ACK,
        due_at=hours(48),
        responsible_unit=places["police_a"],
        warn_before=timedelta(hours=24),
        actor=alice,
    )
    assert first.status == "open" and first.warn_at == first.due_at - timedelta(hours=24)
    assert first.target == target and first.created_by == alice
    assert AuditEvent.objects.filter(action="deadline.create", object_id=str(first.pk)).exists()
    Deadline.objects.filter(pk=first.pk).update(warned_at=timezone.now())
    again = create_deadline(
        target=target,
        kind=ACK,
        due_at=hours(96),
        responsible_unit=places["police_a"],
        warn_before=timedelta(hours=24),
    )
    assert again.pk == first.pk and again.due_at > first.due_at
    assert again.warned_at is None  # moved later: the warning is armed again
    assert Deadline.objects.count() == 1
    assert AuditEvent.objects.filter(action="deadline.reschedule", object_id=str(first.pk)).exists()


@pytest.mark.django_db
def test_meet_and_cancel(places, target, alice):
    create_deadline(target=target, kind=ACK, due_at=hours(-1), responsible_unit=places["police_a"])
    create_deadline(target=target, kind=REPORT, due_at=hours(5), responsible_unit=places["police_a"])
    [met] = meet_deadline(target=target, kind=ACK)
    assert met.status == "met" and met.met_at and met.is_late
    assert meet_deadline(target=target, kind=ACK) == []
    [cancelled] = cancel_deadline(target=target)
    assert cancelled.kind == REPORT and cancelled.status == "cancelled"
    assert (
        AuditEvent.objects.filter(action="deadline.meet", object_id=str(met.pk)).get().details["late"] is True
    )
    assert AuditEvent.objects.filter(action="deadline.cancel", object_id=str(cancelled.pk)).exists()
    assert list(deadlines_of(target, alice).values_list("status", flat=True)) == ["cancelled", "met"]


@pytest.mark.django_db
def test_meet_closes_duplicates_left_by_a_merge(places, target):
    first = create_deadline(target=target, kind=ACK, due_at=hours(5), responsible_unit=places["police_a"])
    other = create_deadline(
        target=places["gov_a"], kind=ACK, due_at=hours(6), responsible_unit=places["police_a"]
    )
    Deadline.objects.filter(pk=other.pk).update(object_id=str(target.pk))  # what merging two records does
    assert {d.pk for d in meet_deadline(target=target, kind=ACK)} == {first.pk, other.pk}


@pytest.mark.django_db
def test_the_sweep_warns_once(places, target, alice, dave, bob):
    deadline = create_deadline(
        target=target,
        kind=ACK,
        due_at=hours(10),
        responsible_unit=places["police_a"],
        warn_before=timedelta(hours=12),
    )
    assert sweep() == type(sweep())(warned=1, late=0)
    assert sweep().warned == 0
    assert len(subjects(alice)) == 1 and subjects(alice) == subjects(dave)
    assert subjects(alice)[0].startswith("Deadline approaching: Acknowledge a referral, due ")
    assert subjects(bob) == []
    assert calls == [("warning", deadline.pk)]
    deadline.refresh_from_db()
    assert deadline.warned_at and deadline.late_notified_at is None
    assert AuditEvent.objects.filter(action="deadline.warn", object_id=str(deadline.pk)).count() == 1


@pytest.mark.django_db
def test_the_sweep_reports_lateness_once_and_escalates_within_remit(
    places, target, alice, office, coordinator
):
    coordinator_b = make_user("t_coord_b", "county_coordinator", places["police_b"])
    deadline = create_deadline(
        target=target,
        kind=ACK,
        due_at=hours(-1),
        responsible_unit=places["police_a"],
        warn_before=timedelta(hours=12),
    )
    result = sweep()
    assert (result.warned, result.late) == (0, 1)  # already late: one late notice, no separate warning
    assert (sweep().warned, sweep().late) == (0, 0)
    [late] = subjects(alice)
    assert late.startswith("Deadline missed: Acknowledge a referral, was due ")
    [escalated] = subjects(office)
    assert escalated.startswith("Deadline missed by Police A: Acknowledge a referral")
    assert subjects(coordinator) == [escalated]
    assert subjects(coordinator_b) == []  # another county's coordinator has no say here
    assert calls == [("late", deadline.pk)]
    deadline.refresh_from_db()
    assert deadline.late_notified_at and deadline.warned_at and deadline.status == "open"


@pytest.mark.django_db
def test_the_sweep_ignores_met_and_cancelled_deadlines(places, target, alice):
    create_deadline(target=target, kind=ACK, due_at=hours(-1), responsible_unit=places["police_a"])
    meet_deadline(target=target, kind=ACK)
    create_deadline(target=places["gov_a"], kind=ACK, due_at=hours(-1), responsible_unit=places["police_a"])
    cancel_deadline(target=places["gov_a"], kind=ACK)
    assert sweep() == type(sweep())(0, 0)
    assert subjects(alice) == []


@pytest.mark.django_db
def test_notify_roles_limit_who_in_the_unit_is_told(places, target, alice):
    liaison = make_user("t_liaison", "liaison", places["police_a"])
    create_deadline(target=target, kind=REPORT, due_at=hours(-1), responsible_unit=places["police_a"])
    sweep()
    assert subjects(alice) == [] and len(subjects(liaison)) == 1


@pytest.mark.django_db
def test_a_failing_hook_does_not_stop_the_sweep(places, target, alice):
    def explode(deadline):
        raise RuntimeError("hook bug")

    register_kind("test.broken", label="Broken", on_late=explode)
    broken = create_deadline(
        target=target, kind="test.broken", due_at=hours(-2), responsible_unit=places["police_a"]
    )
    fine = create_deadline(target=target, kind=ACK, due_at=hours(-1), responsible_unit=places["police_a"])
    assert sweep().late == 2
    assert len(subjects(alice)) == 2
    assert calls == [("late", fine.pk)]
    assert AuditEvent.objects.filter(
        action="deadline.on_late", object_id=str(broken.pk), outcome="failure"
    ).exists()
    assert sweep().late == 0


@pytest.mark.django_db
def test_rescheduling_later_arms_the_late_notice_again(places, target, alice):
    create_deadline(target=target, kind=ACK, due_at=hours(-1), responsible_unit=places["police_a"])
    sweep()
    create_deadline(target=target, kind=ACK, due_at=hours(1), responsible_unit=places["police_a"])
    assert sweep(now=hours(2)).late == 1
    assert len(subjects(alice)) == 2


@pytest.mark.django_db
def test_the_task_and_the_command_run_the_same_sweep(places, target, alice):
    create_deadline(target=target, kind=ACK, due_at=hours(-1), responsible_unit=places["police_a"])
    create_deadline(
        target=places["gov_a"],
        kind=ACK,
        due_at=hours(1),
        responsible_unit=places["police_a"],
        warn_before=timedelta(hours=2),
    )
    out = StringIO()
    call_command("deadlines", "sweep", stdout=out)
    assert out.getvalue().strip() == "deadlines sweep: 1 warned, 1 late"
    result = sweep_deadlines.enqueue()
    assert result.status == "SUCCESSFUL" and result.return_value == {"warned": 0, "late": 0}
    with pytest.raises(CommandError):
        call_command("deadlines")


@pytest.mark.django_db
def test_visibility_follows_unit_county_and_city(
    places, alice, bob, charlie, dave, office, coordinator, sysadmin
):
    own = create_deadline(
        target=places["gov_a"], kind=ACK, due_at=hours(5), responsible_unit=places["police_a"]
    )
    township = create_deadline(
        target=places["gov_a"], kind=REPORT, due_at=hours(5), responsible_unit=places["station_a"]
    )
    elsewhere = create_deadline(
        target=places["police_b"], kind=ACK, due_at=hours(5), responsible_unit=places["police_b"]
    )

    def seen(user):
        return set(visible_deadlines(user, state="all"))

    assert seen(alice) == seen(dave) == {own}
    assert seen(bob) == set()
    assert seen(charlie) == {elsewhere}
    assert seen(coordinator) == {own, township}
    assert seen(office) == {own, township, elsewhere}
    assert seen(sysadmin) == set()


@pytest.mark.django_db
def test_states(places, alice):
    unit = places["police_a"]
    late = create_deadline(target=places["gov_a"], kind=ACK, due_at=hours(-1), responsible_unit=unit)
    soon = create_deadline(target=places["shelter_a"], kind=ACK, due_at=hours(20), responsible_unit=unit)
    warned = create_deadline(
        target=places["station_a"],
        kind=ACK,
        due_at=hours(24 * 10),
        responsible_unit=unit,
        warn_before=timedelta(days=11),
    )
    later = create_deadline(target=places["office"], kind=ACK, due_at=hours(24 * 30), responsible_unit=unit)
    met = create_deadline(target=places["police_b"], kind=ACK, due_at=hours(5), responsible_unit=unit)
    meet_deadline(target=places["police_b"], kind=ACK)
    assert set(deadlines_for_unit(alice, "open")) == {late, soon, warned, later}
    assert set(deadlines_for_unit(alice, "late")) == {late}
    assert set(deadlines_for_unit(alice, "due_soon")) == {soon, warned}
    assert set(deadlines_for_unit(alice, "met")) == {met}
    assert unit_summary(alice) == {"open": 4, "late": 1, "due_soon": 2}
    with pytest.raises(ValueError):
        deadlines_for_unit(alice, "sideways")


@pytest.mark.django_db
def test_links_point_at_the_target_or_the_deadlines_page(places, target):
    deadline = create_deadline(target=target, kind=ACK, due_at=hours(5), responsible_unit=places["police_a"])
    assert link_for(deadline) == "/deadlines/"
    register_kind("test.linked", label="Linked", link=lambda d: f"/somewhere/{d.object_id}/")
    linked = create_deadline(
        target=target, kind="test.linked", due_at=hours(5), responsible_unit=places["police_a"]
    )
    assert linked.target_url == f"/somewhere/{target.pk}/"
    assert get_kind("test.linked").label == "Linked"


@pytest.fixture
def board(places, alice, charlie):
    """A late deadline of alice's unit, a future one, and one of charlie's unit."""
    late = create_deadline(
        target=places["gov_a"], kind=ACK, due_at=hours(-3), responsible_unit=places["police_a"]
    )
    future = create_deadline(
        target=places["shelter_a"], kind=REPORT, due_at=hours(24 * 10), responsible_unit=places["police_a"]
    )
    register_kind("test.other", label="Secret other-county duty")
    other = create_deadline(
        target=places["office"], kind="test.other", due_at=hours(5), responsible_unit=places["police_b"]
    )
    return {"late": late, "future": future, "other": other}


@pytest.mark.django_db
def test_the_page_lists_the_unit_deadlines_with_late_ones_marked(alice, board, login):
    response = login(alice).get("/deadlines/")
    assert response.status_code == 200
    html = rows_of(response)
    assert html.count('class="late') == 1
    assert "Acknowledge a referral" in html and "Send the monthly report" in html
    assert "Secret other-county duty" not in response.content.decode()
    late_only = rows_of(login(alice).get("/deadlines/?state=late"))
    assert "Acknowledge a referral" in late_only and "Send the monthly report" not in late_only
    by_kind = rows_of(login(alice).get(f"/deadlines/?kind={REPORT}"))
    assert "Send the monthly report" in by_kind and "Acknowledge a referral" not in by_kind


@pytest.mark.django_db
def test_other_units_and_anonymous_do_not_see_the_page_data(charlie, bob, sysadmin, board, login):
    assert "Acknowledge a referral" not in login(charlie).get("/deadlines/").content.decode()
    assert "Acknowledge a referral" not in login(bob).get("/deadlines/?scope=all&state=all").content.decode()
    assert login(sysadmin).get("/deadlines/").status_code == 403
    response = Client().get("/deadlines/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_city_staff_can_widen_the_page_to_every_unit(office, board, login):
    assert "Secret other-county duty" not in rows_of(login(office).get("/deadlines/"))
    wide = rows_of(login(office).get("/deadlines/?scope=all"))
    assert "Secret other-county duty" in wide and "Acknowledge a referral" in wide


@pytest.mark.django_db
def test_the_page_is_paginated(places, alice, login):
    for i in range(PAGE_SIZE + 2):
        create_deadline(
            target=alice if i == 0 else make_user(f"t_u{i}", "leader", places["office"]),
            kind=ACK,
            due_at=hours(i + 1),
            responsible_unit=places["police_a"],
        )
    first = rows_of(login(alice).get("/deadlines/"))
    assert first.count("Acknowledge a referral") == PAGE_SIZE
    assert rows_of(login(alice).get("/deadlines/?page=2")).count("Acknowledge a referral") == 2


@pytest.mark.django_db
def test_the_home_panel(alice, charlie, sysadmin, board):
    from django.template.loader import render_to_string

    context = home_panel_context(alice)
    assert context["summary"] == {"open": 2, "late": 1, "due_soon": 0}
    assert context["urgent"] == [board["late"]]
    html = render_to_string("deadlines/partials/home_panel.html", {"panel": context})
    assert "Acknowledge a referral" in html and 'class="late' in html and "/deadlines/?state=late" in html
    assert home_panel_context(charlie)["urgent"] == [board["other"]]
    assert home_panel_context(sysadmin) is None


@pytest.mark.django_db
def test_the_home_page_shows_the_panel(alice, sysadmin, board, login):
    html = login(alice).get("/").content.decode()
    assert "deadlines-panel" in html and "Acknowledge a referral" in html
    assert "deadlines-panel" not in login(sysadmin).get("/").content.decode()


@pytest.mark.django_db
def test_nav_and_panel_are_registered():
    from fanguai.core.registry import _nav, _panels

    assert any(item.url_name == "deadlines:list" for item in _nav)
    assert any(item.url_name == "notifications:inbox" for item in _nav)
    assert any(panel.template == "deadlines/partials/home_panel.html" for panel in _panels)
