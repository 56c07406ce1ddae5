"""Trafficking cases: parties, timeline, linked clues, status moves, the one-chief-three-packages record
that must be complete before a child-trafficking case closes, and the clearance rate per county and year."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fanguai.audit.models import AuditEvent
from fanguai.cases import selectors, services
from fanguai.cases.models import Package
from fanguai.clues import services as clue_services
from fanguai.org.models import Region
from fanguai.people.models import Person
from fanguai.people.services import register_person

pytestmark = pytest.mark.django_db


def test_a_case_is_filed_for_the_county_with_a_timeline(case, alice):
    assert case.county.code == "341522" and case.status == "filed"
    assert case.events.get().kind == "status"
    assert AuditEvent.objects.filter(action="case.create", object_id=str(case.pk)).exists()


def test_one_chief_three_packages_must_be_done_before_closing(case, alice, chief, owners):
    services.change_status(actor=alice, case=case, status="investigating")
    with pytest.raises(ValidationError):
        services.change_status(actor=alice, case=case, status="solved")  # no chief named yet
    with pytest.raises(ValidationError):
        services.change_status(actor=alice, case=case, status="closed")  # no chief named yet
    record = services.set_responsibility(
        actor=alice, case=case, chief=chief, chief_position="霍邱县公安局局长", owners=owners
    )
    assert [p.kind for p in record.packages.all()] == ["solve", "rescue", "family"]
    services.update_package(actor=alice, package=record.packages.get(kind="solve"), status="in_progress")
    services.change_status(actor=alice, case=case, status="solved")
    case.refresh_from_db()
    assert case.solved_on == timezone.localdate()
    for package in record.packages.all()[:2]:
        services.update_package(actor=alice, package=package, status="done", notes="ok")
    with pytest.raises(ValidationError):
        services.change_status(actor=alice, case=case, status="closed")
    last = record.packages.get(kind="family")
    services.update_package(actor=alice, package=last, status="done")
    services.change_status(actor=alice, case=case, status="closed")
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_at is not None
    with pytest.raises(ValidationError):
        services.change_status(actor=alice, case=case, status="investigating")
    # A closed case's packages stay as they were when it closed.
    with pytest.raises(ValidationError):
        services.update_package(actor=alice, package=last, status="open")
    assert record.packages.get(kind="family").status == "done"


def test_other_kinds_close_without_packages_and_have_no_record(alice, chief, owners):
    case = services.open_case(actor=alice, title="forced labour", kind="forced_labour")
    with pytest.raises(ValidationError):
        services.set_responsibility(actor=alice, case=case, chief=chief, chief_position="y", owners=owners)
    services.change_status(actor=alice, case=case, status="closed")


def test_parties_make_people_visible_to_the_case_investigators(case, alice, charlie, office):
    suspect = register_person(actor=office, full_name="嫌疑人甲")  # a city-level record alice cannot see yet
    from fanguai.core.policies import policy_for

    assert not policy_for(Person).can_view(alice, suspect)
    with pytest.raises(PermissionDenied):
        services.add_party(actor=alice, case=case, role="suspect", person=suspect)
    victim = services.add_party(actor=alice, case=case, role="victim", full_name="受害人乙").person
    assert victim.registered_by_unit == alice.unit
    assert not policy_for(Person).can_view(charlie, victim)


def test_timeline_places_and_clues_through_the_pages(case, alice, office, chief, owners, login):
    clue = clue_services.record_clue(
        actor=office,
        source="hotline_110",
        category="missing_child",
        description="线索",
        region=Region.objects.get(code="341522"),
    )
    client = login(alice)
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert (
        client.post(
            f"/cases/{case.pk}/events/",
            {
                "kind": "place",
                "occurred_at": now,
                "place": "霍邱县汽车站",
                "latitude": "32.3",
                "longitude": "116.2",
            },
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/cases/{case.pk}/clues/", {"clue_number": clue.number.lower(), "note": "hotline"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/cases/{case.pk}/parties/", {"role": "victim", "full_name": "小明", "sex": "male"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/cases/{case.pk}/responsibility/",
            {
                "chief": chief.pk,
                "chief_position": "局长",
                "solve_owner": owners["solve"].pk,
                "rescue_owner": owners["rescue"].pk,
                "family_owner": owners["family"].pk,
            },
        ).status_code
        == 302
    )
    package = Package.objects.get(kind="rescue")
    assert (
        client.post(
            f"/cases/packages/{package.pk}/", {"status": "in_progress", "notes": "searching"}
        ).status_code
        == 302
    )
    refused = client.post(f"/cases/{case.pk}/status/", {"status": "closed"})
    assert refused.status_code == 200 and refused.context["status_form"].errors
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "霍邱县汽车站" in page and clue.number in page and "小明" in page and "王局长" in page
    case.refresh_from_db()
    assert case.status == "filed"  # closing was refused: packages not done
    assert [e.kind for e in case.events.all()].count("package") >= 2


def test_clearance_rate_per_county_and_year(alice, charlie, office, dave, bob):
    year = timezone.localdate().year
    for index in range(4):
        case = services.open_case(actor=alice, title=f"c{index}", kind="women_trafficking")
        if index < 3:
            services.change_status(actor=alice, case=case, status="solved")
    services.open_case(actor=charlie, title="jin'an", kind="online_trafficking")
    services.open_case(actor=alice, title="old", kind="online_trafficking", filed_on=date(year - 1, 5, 1))
    rows = {r.county_code: r for r in selectors.clearance_rates(office, year)}
    assert (rows["341522"].filed, rows["341522"].solved) == (4, 3)
    assert rows["341522"].percent == "75.0%"
    assert (rows["341502"].filed, rows["341502"].solved) == (1, 0)
    assert rows["341523"].rate is None
    assert [r.county_code for r in selectors.clearance_rates(alice, year)] == ["341522"]
    assert [r.county_code for r in selectors.clearance_rates(dave, year)] == ["341522"]
    assert selectors.clearance_rates(bob, year) == []
    assert (selectors.clearance_rates(alice, year - 1)[0].filed) == 1


def test_a_solved_case_keeps_its_solve_package_started(case, alice, chief, owners, login):
    services.change_status(actor=alice, case=case, status="investigating")
    record = services.set_responsibility(
        actor=alice, case=case, chief=chief, chief_position="霍邱县公安局局长", owners=owners
    )
    solve = record.packages.get(kind="solve")
    services.update_package(actor=alice, package=solve, status="in_progress")
    services.change_status(actor=alice, case=case, status="solved")
    response = login(alice).post(f"/cases/packages/{solve.pk}/", {"status": "open", "notes": ""})
    assert response.status_code == 302  # refused with a message, not a server error
    solve.refresh_from_db()
    assert solve.status == "in_progress"
