"""Unidentified persons and bodies, screening of children of unknown origin, and the "blood sample needed"
action that hands a sampling request to the DNA module."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fanguai.missing import selectors, services
from fanguai.missing.models import BloodSampleRequest, Screening, UnidentifiedPerson
from fanguai.notifications.models import Notification
from fanguai.people.models import Person

from ..conftest import make_user

pytestmark = pytest.mark.django_db


def test_an_unidentified_body_is_a_person_of_unknown_identity(alice, login):
    response = login(alice).post(
        "/missing/unidentified/new/",
        {
            "kind": "body",
            "sex": "female",
            "estimated_age": "30-40",
            "found_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "found_place": "淮河岸边",
            "description": "SECRET-BODY",
        },
    )
    assert response.status_code == 302
    record = UnidentifiedPerson.objects.get()
    assert record.person.identity_status == Person.IdentityStatus.UNKNOWN and record.county.code == "341522"
    assert "SECRET-BODY" in login(alice).get(f"/missing/unidentified/{record.pk}/").content.decode()
    assert (
        login(alice).post(f"/missing/unidentified/{record.pk}/sample/", {"reason": "identify"}).status_code
        == 302
    )
    sample = BloodSampleRequest.objects.get()
    assert sample.donor == "unidentified" and sample.unidentified == record and sample.person == record.person


def test_screening_and_blood_sample_hand_over(alice, login):
    dna = make_user("lab", "dna_analyst", "341500-dna-lab")
    response = login(alice).post(
        "/missing/screenings/new/",
        {
            "full_name": "小花",
            "sex": "female",
            "reason": "informal",
            "screened_on": timezone.localdate().isoformat(),
            "notes": "no birth certificate",
        },
    )
    assert response.status_code == 302
    screening = Screening.objects.get()
    assert screening.screening_unit == alice.unit and screening.result == "pending"
    assert login(alice).post(f"/missing/screenings/{screening.pk}/sample/").status_code == 302
    screening.refresh_from_db()
    assert screening.result == Screening.Result.SAMPLE_NEEDED
    sample = BloodSampleRequest.objects.get()
    assert sample.status == "open" and sample.donor == "child" and sample.requesting_unit == alice.unit
    # The request also waits in the collecting police unit's queue of the DNA database.
    from fanguai.dna.models import SamplingRequest

    queued = SamplingRequest.objects.get()
    assert (queued.person, queued.category, queued.collecting_unit) == (
        screening.child,
        "unknown_origin",
        alice.unit,
    )
    # Asking twice does not make two requests.
    services.request_blood_sample(actor=alice, screening=screening)
    assert BloodSampleRequest.objects.count() == 1
    assert Notification.objects.filter(recipient=dna, kind="missing.blood_sample_needed").exists()
    # The hand-over point the DNA module reads.
    assert list(selectors.open_sample_requests()) == [sample]
    assert (
        login(alice).post(f"/missing/samples/{sample.pk}/hand-over/", {"dna_reference": "S-1"}).status_code
        == 403
    )
    assert login(dna).get("/missing/samples/").status_code == 200
    assert (
        login(dna)
        .post(f"/missing/samples/{sample.pk}/hand-over/", {"dna_reference": "DNA-2026-0001"})
        .status_code
        == 302
    )
    sample.refresh_from_db()
    assert sample.status == "handed_over" and sample.dna_reference == "DNA-2026-0001"
    with pytest.raises(ValidationError):
        services.hand_over_sample_request(actor=None, request=sample, dna_reference="again")


def test_setting_the_result_sample_needed_creates_the_request(alice):
    screening = services.record_screening(
        actor=alice, reason="registration", screened_on=timezone.localdate(), full_name="小刚"
    )
    services.set_screening_result(
        actor=alice, screening=screening, result="sample_needed", notes="adoption papers missing"
    )
    assert BloodSampleRequest.objects.filter(screening=screening, status="open").count() == 1
    services.set_screening_result(actor=alice, screening=screening, result="cleared")
    assert Screening.objects.get(pk=screening.pk).result == "cleared"
