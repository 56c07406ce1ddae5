"""The care of a rescued person from intake to closure, consent, deadlines and escalation, the left-behind
register, indicators and exports."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fanguai.assistance import selectors, services
from fanguai.assistance.models import (
    AssistanceCase,
    CareVisit,
    Consent,
    DnaSamplingRequest,
    Referral,
    ReferralStep,
)
from fanguai.audit.models import AuditEvent
from fanguai.core.policies import policy_for
from fanguai.deadlines.models import Deadline
from fanguai.deadlines.services import sweep
from fanguai.notifications.models import Notification
from fanguai.people.models import Person

from ..conftest import make_user
from .conftest import CHILD_NAME, SECRET_NAME, SECRET_PHONE, consent, register_child, take_in, township, unit

pytestmark = pytest.mark.django_db


def test_a_child_is_taken_in_referred_to_three_units_followed_up_and_closed(bob, edu, civil, office):
    health = make_user("health", "liaison", "341522-health")
    youth = make_user("youth", "liaison", "341522-youth_league")
    case = take_in(bob)
    assert case.placements.get().kind == "shelter"
    for code in ("341522-education", "341522-health", "341522-youth_league"):
        consent(bob, code, case=case)
    school = services.refer(actor=bob, case=case, service="schooling")
    medical = services.refer(actor=bob, case=case, service="medical")
    psych = services.refer(actor=bob, case=case, service="psychological")
    assert [school.to_unit.code, medical.to_unit.code, psych.to_unit.code] == [
        "341522-education",
        "341522-health",
        "341522-youth_league",
    ]
    assert Notification.objects.filter(recipient=edu, link=school.get_absolute_url()).exists()
    for referral, actor in ((school, edu), (medical, health), (psych, youth)):
        referral = services.respond(actor=actor, referral=referral, accept=True)
        services.deliver(actor=actor, referral=referral, outcome="done")
    school.refresh_from_db()
    assert school.status == Referral.Status.DELIVERED and school.delivered_on_time
    assert list(school.steps.values_list("action", flat=True)) == ["referred", "accepted", "delivered"]
    assert not Deadline.objects.filter(object_id=str(school.pk), status=Deadline.Status.OPEN).exists()
    visit = services.schedule_visit(actor=bob, case=case, scheduled_for=timezone.localdate())
    services.record_visit(
        actor=bob,
        visit=visit,
        visited=True,
        visited_on=timezone.localdate(),
        notes="ok",
        risk_flags=["dropout"],
    )
    with pytest.raises(ValidationError):
        services.request_closure(actor=bob, case=case, reason="home")  # no outcome yet
    services.record_outcome(actor=bob, case=case, outcome="in_school", outcome_on=timezone.localdate())
    case = services.request_closure(actor=bob, case=case, reason="back in school")
    assert policy_for(AssistanceCase).can(civil, "approve_closure", case)
    case = services.decide_closure(actor=civil, case=case, approve=True)
    assert case.status == AssistanceCase.Status.CLOSED and case.closed_by == civil
    assert not policy_for(AssistanceCase).can(bob, "change", case)


def test_no_referral_without_consent_and_withdrawing_consent_withdraws(bob, case):
    with pytest.raises(ValidationError):
        services.refer(actor=bob, case=case, service="schooling")
    given = consent(bob, "341522-education", case=case)
    referral = services.refer(actor=bob, case=case, service="schooling")
    services.withdraw_consent(actor=bob, consent=given)
    referral.refresh_from_db()
    assert referral.status == Referral.Status.WITHDRAWN
    assert not Deadline.objects.filter(object_id=str(referral.pk), status=Deadline.Status.OPEN).exists()
    with pytest.raises(ValidationError):
        services.refer(actor=bob, case=case, service="schooling")


def test_declining_needs_a_reason_and_only_the_receiving_unit_responds(alice, bob, charlie, referral):
    with pytest.raises(ValidationError):
        services.respond(actor=alice, referral=referral, accept=False, note="")
    with pytest.raises(PermissionDenied):
        services.respond(actor=charlie, referral=referral, accept=True)
    with pytest.raises(PermissionDenied):
        services.respond(actor=bob, referral=referral, accept=True)
    declined = services.respond(actor=alice, referral=referral, accept=False, note="not our county")
    assert declined.status == Referral.Status.DECLINED
    assert declined.steps.last().note == "not our county"
    assert Notification.objects.filter(recipient=bob, subject__contains=referral.number).exists()


def test_an_overdue_referral_is_marked_and_escalated_to_the_office(alice, office, referral):
    sweep(now=timezone.now() + timedelta(days=4))
    referral.refresh_from_db()
    assert referral.is_overdue
    assert referral.steps.filter(action=ReferralStep.Action.OVERDUE).exists()
    assert Notification.objects.filter(recipient=office, kind="deadline.escalation").exists()
    assert referral in selectors.visible_referrals(alice, overdue=True)


def test_unknown_identity_opens_a_family_search_and_a_dna_request(bob, alice):
    case = take_in(bob, person_fields={"full_name": "", "identity_status": "unknown", "birth_date": None})
    search = case.referrals.get()
    assert search.service == "family_search" and search.to_unit.code == "341522-police"
    assert search.consent.basis == Consent.Basis.STATUTORY
    request = selectors.open_dna_requests().get(case=case)
    assert request.laboratory.code == "341500-dna-lab"
    from fanguai.dna.models import SamplingRequest

    queued = SamplingRequest.objects.get(person=case.person)  # in the county police's DNA sampling queue
    assert (queued.category, queued.collecting_unit.code) == ("rescued", "341522-police")
    services.record_dna_sampled(actor=None, request=request, specimen_number="S-0001")
    assert DnaSamplingRequest.objects.get(pk=request.pk).status == "sampled"
    assert not selectors.open_dna_requests().exists()


def test_a_minor_needs_guardianship_and_a_police_unit_hands_over(bob):
    with pytest.raises(ValidationError):
        take_in(bob, guardianship="")
    with pytest.raises(ValidationError):
        take_in(bob, handed_over_by_unit=unit("341522-education"))


def test_the_receiving_unit_sees_only_the_consented_fields(alice, bob, referral, login):
    body = login(alice).get(referral.get_absolute_url()).content.decode()
    assert "Female" in body or "女" in body
    assert SECRET_NAME not in body and SECRET_PHONE not in body and "hukou" not in body
    own = login(bob).get(referral.get_absolute_url()).content.decode()
    assert SECRET_NAME in own and "hukou" in own
    assert AuditEvent.objects.filter(action="assistance.referral.view", actor_id=alice.pk).exists()


def test_a_full_record_consent_opens_the_person_record_while_the_referral_runs(bob, case, edu):
    assert not policy_for(Person).can_view(edu, case.person)
    consent(bob, "341522-education", fields=["full_record"], case=case)
    referral = services.refer(actor=bob, case=case, service="schooling")
    assert policy_for(Person).can_view(edu, case.person)
    services.withdraw_referral(actor=bob, referral=referral, reason="moved")
    assert not policy_for(Person).can_view(edu, case.person)


def test_the_requester_cannot_approve_and_running_referrals_block_closure(bob, civil, referral, case):
    services.record_outcome(actor=bob, case=case, outcome="with_family", outcome_on=timezone.localdate())
    with pytest.raises(ValidationError):
        services.request_closure(actor=bob, case=case, reason="home")
    services.withdraw_referral(actor=bob, referral=referral, reason="moved")
    case = services.request_closure(actor=bob, case=case, reason="home")
    with pytest.raises(PermissionDenied):
        services.decide_closure(actor=bob, case=case, approve=True)
    refused = services.decide_closure(actor=civil, case=case, approve=False, note="visit first")
    assert refused.status == AssistanceCase.Status.OPEN


def test_placements_keep_their_history(bob, case):
    today = timezone.localdate()
    services.add_placement(
        actor=bob,
        case=case,
        kind="foster_family",
        responsible_unit=unit("341522-civil_affairs"),
        place="foster",
        started_on=today,
    )
    rows = list(case.placements.order_by("id"))
    assert [p.kind for p in rows] == ["shelter", "foster_family"]
    assert rows[0].ended_on == today and rows[1].ended_on is None


def test_left_behind_register_visits_campaign_clue_and_entrusted_care(bob, alice, office):
    women = make_user("women", "liaison", "341522-women_federation")
    registration = register_child(women)
    assert policy_for(type(registration)).can_view(bob, registration)  # a care unit of the same county
    assert not policy_for(type(registration)).can_view(alice, registration)
    today = timezone.localdate()
    campaign = services.create_campaign(
        actor=women, name="summer", starts_on=today - timedelta(days=3), ends_on=today
    )
    services.add_guardian(
        actor=women,
        registration=registration,
        person_fields={"full_name": "grandma", "sex": "female"},
        relationship="grandparent",
        lives_with_child=True,
        works_away=False,
    )
    services.record_care_visit(
        actor=women,
        registration=registration,
        programme=CareVisit.Programme.CHILDRENS_HOME,
        campaign=campaign,
        visited_on=today,
        findings="stranger",
        risk_level="medium",
        clue_wanted=True,
    )
    registration.refresh_from_db()
    assert registration.risk_level == "medium"
    assert selectors.clue_requests().filter(registration=registration).exists()
    assert Notification.objects.filter(recipient=alice, kind="assistance.clue_wanted").exists()
    services.record_entrusted_care(
        actor=women,
        registration=registration,
        carer="grandma",
        carer_relationship="grandparent",
        entrusted_by="parents",
        starts_on=today,
        ends_on=None,
    )
    consent(women, "341522-youth_league", registration=registration)
    referral = services.refer(actor=women, registration=registration, service="psychological")
    assert referral.to_unit.code == "341522-youth_league"
    with pytest.raises(ValidationError):
        register_child(women, township=type(township()).objects.get(code="341502").children.first())


def test_indicators_count_assistance_and_school_return(bob, edu, office, case):
    consent(bob, "341522-education", case=case)
    school = services.refer(actor=bob, case=case, service="schooling")
    school = services.respond(actor=edu, referral=school, accept=True)
    services.deliver(actor=edu, referral=school, outcome="class 5")
    register_child(bob)
    rows = selectors.indicators(office, year=timezone.localdate().year)
    total, huoqiu = rows[0], next(r for r in rows if r.code == "341522")
    assert total.persons_assisted == huoqiu.persons_assisted == 1
    assert huoqiu.delivered == huoqiu.delivered_on_time == 1 and huoqiu.on_time_rate == 100.0
    assert huoqiu.minors_with_schooling == huoqiu.back_in_school == 1
    assert huoqiu.registered == huoqiu.high_risk == 1
    assert [r.code for r in selectors.indicators(bob, year=timezone.localdate().year)] == ["341522"]


def test_intake_through_the_page_and_the_referral_form_names_a_missing_consent(bob, login):
    client = login(bob)
    response = client.post(
        "/assistance/intake/",
        {
            "full_name": "新来的",
            "sex": "male",
            "identity_status": "known",
            "handed_over_by_unit": unit("341522-police").pk,
            "handed_over_by_officer": "officer",
            "handed_over_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "needs": ["schooling"],
            "risk_level": "low",
        },
    )
    case = AssistanceCase.objects.get()
    assert response.status_code == 302 and response["Location"] == case.get_absolute_url()
    page = client.post(f"/assistance/cases/{case.pk}/referrals/new/", {"service": "schooling"})
    assert page.status_code == 200 and "consent" in page.content.decode()
    assert not Referral.objects.exists()


def test_exports_are_excel_and_carry_no_names(bob, case, login):
    client = login(bob)
    for url in ("/assistance/cases.xlsx", "/assistance/referrals.xlsx", "/assistance/register.xlsx"):
        response = client.get(url)
        assert response.status_code == 200 and response.content[:2] == b"PK"
        assert SECRET_NAME.encode() not in response.content and CHILD_NAME.encode() not in response.content
    assert AuditEvent.objects.filter(action="assistance.case.export").exists()
