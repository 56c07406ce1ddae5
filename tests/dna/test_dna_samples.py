"""Samples: collection record, consent rules, chain of custody, sampling requests in the collecting unit's
queue, and the separation of the specimen from the person."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from fanguai.audit.models import AuditEvent
from fanguai.core.errors import ValidationFailed
from fanguai.deadlines.models import Deadline
from fanguai.dna import selectors, services
from fanguai.dna.models import Category, CustodyEvent, SamplingRequest, Specimen, SpecimenLink
from fanguai.people.services import register_person

from .conftest import collect


def test_specimen_numbers_are_random_and_the_link_is_encrypted(alice):
    _, first = collect(alice, Category.PARENT, name="王秘密")
    _, second = collect(alice, Category.PARENT, name="李秘密")
    assert first.number.startswith("DNA") and len(first.number) == 13
    assert first.number != second.number
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT person_ref FROM dna_specimenlink WHERE specimen_id = %s", [first.pk])
        stored = cursor.fetchone()[0]
    link = SpecimenLink.objects.get(specimen=first)
    assert stored != link.person_ref and stored.startswith("gAAAA")  # a Fernet token, not the id
    assert link.purpose == "anti-trafficking"
    from fanguai.dna.models import Candidate, Profile
    from fanguai.people.models import Person

    for model in (Specimen, Profile, Candidate):  # nothing the laboratory reads joins to a person
        assert all(getattr(f, "related_model", None) is not Person for f in model._meta.get_fields())


def test_consent_rules(alice):
    child = register_person(actor=alice, full_name="小明", birth_date=date(2015, 1, 1))
    with pytest.raises(ValidationFailed) as caught:
        services.collect_sample(
            actor=alice,
            person=child,
            category=Category.RELATIVE,
            collected_on=date(2024, 1, 1),
            legal_basis=SpecimenLink.LegalBasis.CONSENT,
            consent_given_by="小明",
            consent_date=date(2024, 1, 1),
        )
    fields = {e.field for e in caught.value.errors}
    assert fields == {"legal_basis", "relation"}
    with pytest.raises(ValidationFailed):
        services.collect_sample(
            actor=alice,
            person=child,
            category=Category.PARENT,
            collected_on=date(2024, 1, 1),
            legal_basis=SpecimenLink.LegalBasis.GUARDIAN_CONSENT,
        )
    specimen = services.collect_sample(
        actor=alice,
        person=child,
        category=Category.RELATIVE,
        relation="full-siblings",
        collected_on=date(2024, 1, 1),
        legal_basis=SpecimenLink.LegalBasis.GUARDIAN_CONSENT,
        consent_given_by="监护人",
        consent_date=date(2024, 1, 1),
    )
    assert specimen.relation == "full-siblings"


def test_only_case_officers_collect(bob, analyst, alice):
    person = register_person(actor=alice, full_name="王秘密")
    for user in (bob, analyst):
        with pytest.raises(PermissionDenied):
            services.collect_sample(
                actor=user,
                person=person,
                category=Category.PARENT,
                collected_on=date(2024, 1, 1),
                legal_basis=SpecimenLink.LegalBasis.STATUTORY_DUTY,
            )


def test_chain_of_custody(alice, analyst):
    _, specimen = collect(alice, Category.PARENT, name="王秘密")
    services.record_custody(actor=alice, specimen=specimen, kind=CustodyEvent.Kind.SENT)
    with pytest.raises(PermissionDenied):
        services.record_custody(actor=alice, specimen=specimen, kind=CustodyEvent.Kind.RECEIVED)
    services.record_custody(actor=analyst, specimen=specimen, kind=CustodyEvent.Kind.RECEIVED)
    specimen.refresh_from_db()
    assert specimen.status == Specimen.Status.RECEIVED
    assert list(specimen.custody.values_list("kind", flat=True)) == ["collected", "sent", "received"]
    assert AuditEvent.objects.filter(action="dna.custody", object_id=str(specimen.pk)).count() == 2


def test_sampling_request_sits_in_the_collecting_units_queue(alice, bob, charlie):
    person = register_person(actor=bob, identity_status="unknown")
    from fanguai.org.models import Unit

    request = services.request_sampling(
        actor=bob,
        person=person,
        category=Category.UNKNOWN_ORIGIN,
        collecting_unit=Unit.objects.get(code="341522-police"),
        reason="摸排发现",
    )
    assert list(selectors.sampling_queue(alice)) == [request]
    assert list(selectors.sampling_queue(bob)) == [request]
    assert list(selectors.sampling_queue(charlie)) == []
    assert Deadline.objects.filter(kind=services.SAMPLING_DEADLINE, status="open").count() == 1
    specimen = services.collect_sample(
        actor=alice,
        person=person,
        category=Category.UNKNOWN_ORIGIN,
        collected_on=date(2024, 1, 1),
        legal_basis=SpecimenLink.LegalBasis.STATUTORY_DUTY,
        request=request,
    )
    request.refresh_from_db()
    assert request.status == SamplingRequest.Status.COLLECTED and request.specimen == specimen
    assert Deadline.objects.filter(kind=services.SAMPLING_DEADLINE, status="open").count() == 0


def test_collect_page(alice, login):
    person = register_person(actor=alice, full_name="王秘密", sex="female")
    client = login(alice)
    response = client.get(f"/dna/samples/new/?number={person.number}")
    assert response.status_code == 200
    response = client.post(
        f"/dna/samples/new/?person={person.pk}",
        {
            "category": "parent",
            "collected_on": "2024-03-01",
            "legal_basis": "consent",
            "consent_given_by": "王秘密",
            "consent_date": "2024-03-01",
            "missing_report_ref": "XS-9",
        },
    )
    assert response.status_code == 302
    specimen = Specimen.objects.get()
    assert specimen.sex == "female"
    page = client.get(f"/dna/samples/{specimen.pk}/").content.decode()
    assert "王秘密" in page and specimen.number in page and "XS-9" in page
