"""Links that follow through from assistance (issue 14, item 3), each walked end to end:

- a care visit marked 待报送线索 reports its clue: from the visit (or the unit's list of visits awaiting a
  clue) the care worker files the clue through the clues service, the clue is linked to the visit by a
  foreign key, and the visit no longer awaits a clue;
- a legal-aid referral goes to the justice bureau (司法局) of the person's county, and every other service to
  its responsible unit; loading the units again adds the justice bureaux once.

The permission-matrix rows of the new pages are at module level (tests/test_route_coverage.py reads them).
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from fanguai.assistance import selectors, services
from fanguai.assistance.models import CareVisit, ServiceKind
from fanguai.audit.models import AuditEvent
from fanguai.clues.models import Clue, ClueEvent, Source
from fanguai.notifications.models import Notification
from fanguai.org.models import Region, Unit
from fanguai.org.services import load_units

from ..conftest import make_user
from ..permissions import Row, check_matrix, field_of
from .conftest import CHILD_NAME, consent, register_child, take_in

pytestmark = pytest.mark.django_db
FINDINGS = "走访发现有陌生男子多次以送零食为名接近孩子，打听其父母外出情况。"


def _visit(actor, registration, *, clue_wanted=True):
    return services.record_care_visit(
        actor=actor,
        registration=registration,
        programme=CareVisit.Programme.ROUTINE,
        campaign=None,
        visited_on=timezone.localdate(),
        findings=FINDINGS,
        risk_level="high",
        clue_wanted=clue_wanted,
    )


@pytest.fixture
def scenario(cast):
    bob = cast["bob"]
    registration = register_child(bob)
    visit = _visit(bob, registration)
    return {"users": cast, "registration": registration, "visit": visit}


# --- care visit → clue ------------------------------------------------------------------------------------


def test_a_care_visit_reports_its_clue_from_the_page(scenario, login, alice, office):
    bob, registration, visit = scenario["users"]["bob"], scenario["registration"], scenario["visit"]
    client = login(bob)
    report_url = f"/assistance/care-visits/{visit.pk}/clue/"
    # The register entry and the unit's list offer the action.
    assert report_url in client.get(registration.get_absolute_url()).content.decode()
    listed = client.get("/assistance/care-visits/awaiting-clue/").content.decode()
    assert report_url in listed and registration.number in listed
    # The form starts from what the visit found.
    form = client.get(report_url).content.decode()
    assert FINDINGS in form
    clues_before = Clue.objects.count()

    response = client.post(
        report_url,
        {"category": "trafficking", "description": FINDINGS + "（已核实）", "place_detail": "村口小卖部"},
    )

    assert response.status_code == 302 and response["Location"] == registration.get_absolute_url()
    assert Clue.objects.count() == clues_before + 1
    visit.refresh_from_db()
    clue = visit.clue
    assert clue is not None and not visit.awaits_clue and visit.clue_wanted
    assert clue.source == Source.OTHER_UNIT and clue.category == "trafficking"
    assert clue.description == FINDINGS + "（已核实）" and clue.place_detail == "村口小卖部"
    assert clue.region == registration.township and clue.county == registration.county
    assert clue.received_by_unit == bob.unit and clue.created_by == bob
    assert clue.status == Clue.Status.NEW
    assert list(clue.events.values_list("kind", flat=True)) == [ClueEvent.Kind.RECEIVED]
    assert list(clue.care_visits.all()) == [visit]
    # The county police and the office hear of the new clue, as for any clue.
    assert Notification.objects.filter(recipient=alice, kind="clue.new").exists()
    assert Notification.objects.filter(recipient=office, kind="clue.new").exists()
    assert AuditEvent.objects.filter(
        action="clue.create", object_id=str(clue.pk), actor_username="bob"
    ).exists()
    linked = AuditEvent.objects.get(action="assistance.care_visit.clue", actor_username="bob")
    assert linked.object_id == str(registration.pk)
    assert linked.details == {"visit": visit.pk, "clue": clue.pk}
    # The visit no longer awaits a clue: not listed, no action; the clue is shown instead.
    assert not selectors.clue_requests().filter(pk=visit.pk).exists()
    page = client.get(registration.get_absolute_url()).content.decode()
    assert report_url not in page and clue.number in page
    assert report_url not in client.get("/assistance/care-visits/awaiting-clue/").content.decode()
    # Reporting twice is refused and writes nothing.
    assert client.post(report_url, {"category": "trafficking", "description": "再报"}).status_code == 403
    assert Clue.objects.count() == clues_before + 1


@pytest.mark.parametrize(
    "data, field",
    [
        ({"category": "trafficking", "description": ""}, "description"),
        ({"category": "nonsense", "description": "x"}, "category"),
        ({"category": "trafficking", "description": "x" * 5001}, "description"),
        ({"category": "trafficking", "description": "x", "occurred_at": "2099-01-01T10:00"}, "occurred_at"),
        ({"category": "trafficking", "description": "x", "occurred_at": "0001-01-01T10:00"}, "occurred_at"),
    ],
)
def test_a_bad_clue_is_refused_with_a_field_error_and_nothing_written(scenario, login, data, field):
    visit = scenario["visit"]
    events, clues = AuditEvent.objects.count(), Clue.objects.count()
    response = login(scenario["users"]["bob"]).post(f"/assistance/care-visits/{visit.pk}/clue/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Clue.objects.count() == clues
    visit.refresh_from_db()
    assert visit.clue is None
    assert not AuditEvent.objects.filter(action__in=["clue.create", "assistance.care_visit.clue"]).exists()
    assert AuditEvent.objects.count() >= events


def test_only_the_visiting_unit_reports_and_only_visits_that_ask(scenario, liaison):
    visit = scenario["visit"]
    assert services.can_report_visit_clue(scenario["users"]["bob"], visit)
    assert not services.can_report_visit_clue(liaison, visit)  # sees the register, did not visit
    quiet = _visit(scenario["users"]["bob"], scenario["registration"], clue_wanted=False)
    assert not services.can_report_visit_clue(scenario["users"]["bob"], quiet)
    assert list(selectors.clue_requests(liaison)) == []
    assert list(selectors.clue_requests(scenario["users"]["bob"])) == [visit]


# --- legal aid → the justice bureau ----------------------------------------------------------------------


EXPECTED_SECTOR = {
    ServiceKind.FAMILY_SEARCH: "341522-police",
    ServiceKind.HOUSEHOLD_REGISTRATION: "341522-police",
    ServiceKind.SCHOOLING: "341522-education",
    ServiceKind.EMPLOYMENT: "341522-hrss",
    ServiceKind.RELIEF: "341522-civil_affairs",
    ServiceKind.MEDICAL: "341522-health",
    ServiceKind.PSYCHOLOGICAL: "341522-youth_league",
    ServiceKind.DISABILITY: "341522-disabled_federation",
    ServiceKind.LEGAL_AID: "341522-justice",
}


def test_every_service_routes_to_its_unit():
    county = Region.objects.get(code="341522")
    assert set(EXPECTED_SECTOR) == set(ServiceKind)
    for service, code in EXPECTED_SECTOR.items():
        assert services.default_unit_for(service, county).code == code, service
    # Where the county has no unit of the sector (the development zone), the city's takes it.
    zone = Region.objects.get(code="341500DZ")
    assert services.default_unit_for(ServiceKind.LEGAL_AID, zone).code == "341500-justice"
    assert services.default_unit_for(ServiceKind.MEDICAL, zone).code == "341500-health"
    assert services.default_unit_for(ServiceKind.LEGAL_AID, None).code == "341500-justice"


def test_a_legal_aid_referral_goes_to_the_county_justice_bureau(bob):
    justice = make_user("justice", "liaison", "341522-justice")
    case = take_in(bob, needs=["legal_aid"])
    consent(bob, "341522-justice", case=case)
    referral = services.refer(actor=bob, case=case, service="legal_aid", request="协助追索赔偿")
    assert referral.to_unit.code == "341522-justice"
    assert referral.to_unit.name == "霍邱县司法局"
    assert Notification.objects.filter(recipient=justice, kind__startswith="assistance.").exists()
    referral = services.respond(actor=justice, referral=referral, accept=True, note="已指派律师")
    assert referral.status == "accepted"
    referral = services.deliver(actor=justice, referral=referral, outcome="已提供法律援助")
    assert referral.status == "delivered"
    assert not Unit.objects.filter(sector="women_federation", referrals_received=referral).exists()


def test_loading_the_units_again_adds_the_justice_bureaux_once():
    path = Path(settings.REFERENCE_DATA_DIR) / "units/liuan.csv"
    justice = Unit.objects.filter(sector=Unit.Sector.JUSTICE)
    codes = set(justice.values_list("code", flat=True))
    assert {"341500-justice", "341522-justice"} <= codes and len(codes) == 8
    assert all(u.kind == Unit.Kind.SERVICE for u in justice)
    # Not members of the joint conference: no self-assessment is asked of them.
    from fanguai.reports.policies import PARTICIPANT_KINDS

    assert not justice.filter(kind__in=PARTICIPANT_KINDS).exists()
    total = Unit.objects.count()
    result = load_units(path)
    assert result.created == 0 and Unit.objects.count() == total
    # On a database that predates them, a load adds them once.
    Unit.objects.filter(sector=Unit.Sector.JUSTICE).exclude(code="341500-justice").delete()
    Unit.objects.filter(code="341500-justice").delete()
    assert load_units(path).created == 8
    assert load_units(path).created == 0
    assert Unit.objects.get(code="341522-justice").parent.code == "341500-justice"


# --- permission matrix of the new pages ----------------------------------------------------------------------

BOB = frozenset({"bob"})
CARE_WORKERS = frozenset({"bob", "liaison"})

MATRIX = [
    Row(
        "visits awaiting a clue",
        lambda s: "/assistance/care-visits/awaiting-clue/",
        CARE_WORKERS,
        secret=lambda s: s["registration"].number,
        secret_readers=BOB,
    ),
    Row(
        "report a visit's clue (form)",
        lambda s: f"/assistance/care-visits/{s['visit'].pk}/clue/",
        BOB,
        secret=lambda s: FINDINGS,
    ),
    Row(
        "report a visit's clue",
        lambda s: f"/assistance/care-visits/{s['visit'].pk}/clue/",
        BOB,
        method="post",
        data=lambda s: {"category": "trafficking", "description": FINDINGS},
        effect=field_of("visit", "clue"),
    ),
]


def test_permission_matrix(scenario):
    check_matrix(MATRIX, scenario, scenario["users"])
    assert CHILD_NAME  # the register entry's child, shown to nobody on these pages
