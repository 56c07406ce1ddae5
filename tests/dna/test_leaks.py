"""Leaks of issue 11, item 8.

- The DNA pages fetched the person of a sample, a sampling request or a confirmed match without the people
  policy: an investigator of another unit of the same county (erin below: the specimen policy keys on the
  county, the people policy does not show her persons of unknown county registered by alice's unit) saw
  their names. Every person now comes through the people policy.
- The DNA laboratory saw person record numbers in its sampling queues (the assistance API's DNA requests
  and the blood-sample requests of the missing-person work): it sees specimen numbers only.
"""

import json

import pytest
from django.utils import timezone

from fanguai.dna import services
from fanguai.dna.models import Candidate, Reunion, SamplingRequest
from fanguai.missing import services as missing_services
from fanguai.missing.models import BloodSampleRequest
from fanguai.people.models import Person

from ..assistance.conftest import take_in
from ..conftest import make_user

pytestmark = pytest.mark.django_db
MOTHER, FATHER = "王秘密", "陈秘密"
RESCUED = "林无名"


@pytest.fixture
def erin(db):
    """An investigator of another unit of alice's county (霍邱县)."""
    return make_user("erin", "investigator", "341522-government")


def body(response) -> str:
    text = response.content.decode()
    if response.get("Content-Type", "").startswith("application/json"):
        text = json.dumps(json.loads(text), ensure_ascii=False)
    return text


def test_samples_of_the_county_show_no_person_the_officer_may_not_see(family, alice, erin, login):
    client = login(erin)
    listing = client.get("/dna/samples/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert family["mother"].number in html  # the specimen is the county's ...
    for secret in (MOTHER, FATHER, family["people"]["mother"].number):
        assert secret not in html  # ... its donor is not erin's to see
    detail = client.get(f"/dna/samples/{family['mother'].pk}/")
    assert detail.status_code == 200
    assert MOTHER not in detail.content.decode()
    assert family["people"]["mother"].number not in detail.content.decode()
    # alice's unit collected the samples and registered the persons: it sees them.
    assert MOTHER in login(alice).get(f"/dna/samples/{family['mother'].pk}/").content.decode()


@pytest.fixture
def rescued_request(bob):
    """bob's shelter takes in a person of unknown identity and county: the sampling request waits in the
    queue of alice's unit (the county police)."""
    case = take_in(
        bob,
        person_fields={
            "full_name": RESCUED,
            "identity_status": Person.IdentityStatus.UNKNOWN,
            "region": None,
            "phone": "",
        },
    )
    return SamplingRequest.objects.get(person=case.person)


def test_the_sampling_queue_shows_no_person_the_officer_may_not_see(rescued_request, alice, erin, login):
    html = login(erin).get("/dna/samples/").content.decode()
    assert rescued_request.person.number not in html
    assert RESCUED not in html
    # The collecting unit sees whom to sample.
    assert RESCUED in login(alice).get("/dna/samples/").content.decode()


def test_a_confirmed_match_reveals_only_persons_the_officer_may_see(
    typed_family, analyst, analyst2, erin, login
):
    match = Candidate.objects.get(kind=Candidate.Kind.MATCH)
    services.review_candidate(actor=analyst, candidate=match, outcome="confirmed")
    services.review_candidate(actor=analyst2, candidate=match, outcome="confirmed")
    reunion = Reunion.objects.get()
    response = login(erin).post(f"/dna/reunions/{reunion.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for secret in (MOTHER, FATHER, typed_family["people"]["mother"].number):
        assert secret not in html


def test_the_laboratory_sees_no_person_number_in_the_assistance_queue(rescued_request, analyst, login):
    response = login(analyst).get("/api/assistance/dna-requests")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 1
    text = body(response)
    assert rescued_request.person.number not in text
    assert RESCUED not in text
    assert "person_number" not in rows[0]


def test_the_office_still_reads_the_assistance_queue_by_person(rescued_request, office, login):
    rows = login(office).get("/api/assistance/dna-requests").json()
    assert [row["person_number"] for row in rows] == [rescued_request.person.number]


def test_the_laboratory_sees_no_person_number_in_the_blood_sample_queue(alice, analyst, login):
    screening = missing_services.record_screening(
        actor=alice, reason="adoption", screened_on=timezone.localdate(), full_name="周待验"
    )
    sample = missing_services.request_blood_sample(actor=alice, screening=screening)
    assert isinstance(sample, BloodSampleRequest)
    response = login(analyst).get("/missing/samples/")
    assert response.status_code == 200
    html = response.content.decode()
    assert sample.person.number not in html
    assert "周待验" not in html
    assert f"/missing/samples/{sample.pk}/hand-over/" in html  # the lab still takes the request over
    # The requesting investigator still sees whom the request is for.
    assert sample.person.number in login(alice).get("/missing/samples/").content.decode()
