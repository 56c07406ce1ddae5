"""Leaks of issue 11 in the care of rescued persons.

Item 6: a service referral is seen by its parties only (the sending unit, the receiving unit) and by the
city office, which supervises every unit but is shown nothing of the person's identity; only the sending
unit may withdraw it. edu (霍邱县教体局, a care unit of the same county that keeps the left-behind register)
and civil (霍邱县民政局, above bob's shelter) are not parties to the referrals below.

Item 9: the deadlines listed on a record are those addressed to the user's own unit (the city office, which
supervises every unit, sees them all)."""

import json
from datetime import date

import pytest
from django.utils import formats, timezone

from fanguai.assistance import services
from fanguai.assistance.models import Referral, ReferralStep
from fanguai.audit.models import AuditEvent
from fanguai.people.models import Person

from .conftest import CHILD_NAME, SECRET_NAME, consent, register_child, take_in

pytestmark = pytest.mark.django_db

RESPONSE_DEADLINE = "Accept or decline a service referral"
IDENTIFY_DEADLINE = "Identify a person of unknown identity"


def body(response) -> str:
    text = response.content.decode()
    if response.get("Content-Type", "").startswith("application/json"):
        # JSON escapes non-ASCII text: compare the decoded document, or a Chinese name hides.
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return text


def birth_date_texts(person: Person) -> list[str]:
    """Every way a page or the API writes the date of birth."""
    return [person.birth_date.isoformat(), formats.date_format(person.birth_date, "DATE_FORMAT")]


@pytest.fixture
def register_referral(bob, alice):
    """bob's shelter refers a registered child to alice's unit, under a consent that shares only the sex."""
    registration = register_child(bob)
    consent(bob, "341522-police", fields=("sex",), registration=registration)
    return services.refer(actor=bob, registration=registration, service="household_registration")


def assert_unchanged(referral: Referral) -> None:
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING
    assert not referral.steps.filter(action=ReferralStep.Action.WITHDRAWN).exists()
    assert not AuditEvent.objects.filter(
        action="assistance.referral.withdraw", object_id=str(referral.pk)
    ).exists()


# --- item 6: who sees a referral --------------------------------------------------------------------------


def test_a_care_unit_of_the_county_does_not_open_a_referral_it_is_not_party_to(register_referral, edu, login):
    client = login(edu)
    child = register_referral.person
    for url in (
        f"/assistance/referrals/{register_referral.pk}/",
        f"/api/assistance/referrals/{register_referral.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        text = body(response)
        assert CHILD_NAME not in text
        for written in birth_date_texts(child):
            assert written not in text
    for url in ("/assistance/referrals/", "/api/assistance/referrals", "/assistance/referrals.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        if not url.endswith(".xlsx"):
            assert register_referral.number not in body(response), url
    # The register entry itself is edu's to read (the county register), but not the referrals of others.
    page = client.get(f"/assistance/register/{register_referral.registration_id}/")
    assert page.status_code == 200
    assert register_referral.number not in page.content.decode()


def test_a_unit_that_is_not_party_cannot_withdraw_a_referral(register_referral, edu, login):
    response = login(edu).post(
        f"/assistance/referrals/{register_referral.pk}/withdraw/", {"reason": "not mine to withdraw"}
    )
    assert response.status_code in (403, 404)
    assert_unchanged(register_referral)


def test_the_receiving_unit_and_the_office_cannot_withdraw(register_referral, alice, office, login):
    for user in (alice, office):
        response = login(user).post(
            f"/assistance/referrals/{register_referral.pk}/withdraw/", {"reason": "not ours"}
        )
        assert response.status_code == 403, user.username
    assert_unchanged(register_referral)


def test_the_sending_unit_withdraws(register_referral, bob, login):
    response = login(bob).post(
        f"/assistance/referrals/{register_referral.pk}/withdraw/", {"reason": "no longer needed"}
    )
    assert response.status_code == 302
    register_referral.refresh_from_db()
    assert register_referral.status == Referral.Status.WITHDRAWN


def test_the_civil_affairs_bureau_above_the_shelter_does_not_open_its_referrals(referral, civil, login):
    client = login(civil)
    # civil reads the shelter's case (the bureau above it) ...
    assert client.get(f"/assistance/cases/{referral.case_id}/").status_code == 200
    # ... but the referral to another unit is not civil's.
    for url in (f"/assistance/referrals/{referral.pk}/", f"/api/assistance/referrals/{referral.pk}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert SECRET_NAME not in body(response)


def test_the_office_supervises_referrals_without_the_identity(register_referral, office, login):
    client = login(office)
    child = register_referral.person
    for url in (
        f"/assistance/referrals/{register_referral.pk}/",
        f"/api/assistance/referrals/{register_referral.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        text = body(response)
        assert register_referral.number in text
        assert CHILD_NAME not in text
        for written in birth_date_texts(child):
            assert written not in text
    api = client.get(f"/api/assistance/referrals/{register_referral.pk}").json()
    assert api["person"] == []


def test_the_parties_see_what_they_are_allowed(register_referral, alice, bob, login):
    child = register_referral.person
    # The receiving unit: the consented sex only, never the name or the date of birth.
    received = login(alice).get(f"/assistance/referrals/{register_referral.pk}/").content.decode()
    assert register_referral.number in received and "Male" in received
    assert CHILD_NAME not in received
    for written in birth_date_texts(child):
        assert written not in received
    # The sending unit: the whole record.
    sent = login(bob).get(f"/assistance/referrals/{register_referral.pk}/").content.decode()
    assert CHILD_NAME in sent


# --- item 9: deadlines of other units -----------------------------------------------------------------------


@pytest.fixture
def unknown_person_case(bob):
    """An intake of a person of unknown identity: the identification deadline is bob's shelter's, and the
    family-search referral to alice's unit carries alice's unit's response deadline."""
    case = take_in(
        bob,
        person_fields={
            "full_name": "",
            "identity_status": Person.IdentityStatus.UNKNOWN,
            "phone": "",
            "birth_date": date(timezone.localdate().year - 10, 1, 1),
        },
    )
    return case, case.referrals.get(service="family_search")


def test_a_record_page_lists_only_the_deadlines_of_the_users_unit(unknown_person_case, alice, bob, login):
    case, family_search = unknown_person_case
    # alice (county police) sees the person record; its deadline belongs to bob's shelter.
    person_page = login(alice).get(f"/people/{case.person_id}/")
    assert person_page.status_code == 200
    assert IDENTIFY_DEADLINE not in person_page.content.decode()
    # bob sends the referral; the response deadline belongs to alice's unit.
    referral_page = login(bob).get(f"/assistance/referrals/{family_search.pk}/")
    assert referral_page.status_code == 200
    assert RESPONSE_DEADLINE not in referral_page.content.decode()
    # Each unit still sees its own deadline.
    assert (
        RESPONSE_DEADLINE in login(alice).get(f"/assistance/referrals/{family_search.pk}/").content.decode()
    )
    assert IDENTIFY_DEADLINE in login(bob).get(f"/people/{case.person_id}/").content.decode()


def test_the_office_sees_every_deadline_of_a_record(unknown_person_case, office, login):
    case, family_search = unknown_person_case
    client = login(office)
    assert IDENTIFY_DEADLINE in client.get(f"/people/{case.person_id}/").content.decode()
    assert RESPONSE_DEADLINE in client.get(f"/assistance/referrals/{family_search.pk}/").content.decode()


def test_the_deadline_list_shows_only_the_users_unit(unknown_person_case, bob, login):
    _case, family_search = unknown_person_case
    for query in ("", "?state=all", "?state=all&scope=all"):
        page = login(bob).get(f"/deadlines/{query}")
        assert page.status_code == 200
        html = page.content.decode()
        assert IDENTIFY_DEADLINE in html
        assert f"/assistance/referrals/{family_search.pk}/" not in html
