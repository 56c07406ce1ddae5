"""A DNA-confirmed reunion makes the found person's record "identity known" (issue 14, item 3): the person
record shared by every module, not only the unidentified-person record, and its identification deadline."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType

from fanguai.audit.models import AuditEvent
from fanguai.deadlines.models import Deadline
from fanguai.dna import services
from fanguai.dna.models import Candidate, Reunion
from fanguai.people.deadline_kinds import IDENTITY_VERIFICATION
from fanguai.people.models import Person

pytestmark = pytest.mark.django_db


def _identification_deadline(person) -> Deadline:
    return Deadline.objects.get(
        kind=IDENTITY_VERIFICATION,
        content_type=ContentType.objects.get_for_model(Person),
        object_id=str(person.pk),
    )


def test_a_reunion_makes_the_found_person_known(typed_family, analyst, analyst2, alice):
    child = typed_family["people"]["child"]
    assert child.identity_status == Person.IdentityStatus.UNKNOWN
    assert _identification_deadline(child).status == Deadline.Status.OPEN
    match = Candidate.objects.get(kind=Candidate.Kind.MATCH)
    services.review_candidate(actor=analyst, candidate=match, outcome="confirmed")
    services.review_candidate(actor=analyst2, candidate=match, outcome="confirmed")
    child.refresh_from_db()
    assert child.identity_status == Person.IdentityStatus.UNKNOWN  # confirmed, not yet reunited

    services.record_reunion(
        actor=alice, reunion=Reunion.objects.get(candidate=match), reunited_on=date(2024, 4, 1)
    )

    child.refresh_from_db()
    assert child.identity_status == Person.IdentityStatus.KNOWN
    assert _identification_deadline(child).status == Deadline.Status.MET
    event = AuditEvent.objects.get(action="person.identified", object_id=str(child.pk))
    assert event.details["source"].startswith("reunion:") and event.changed_fields == ["identity_status"]
    # The unrelated child of unknown origin stays unknown.
    unrelated = Person.objects.exclude(pk=child.pk).filter(identity_status=Person.IdentityStatus.UNKNOWN)
    assert unrelated.count() == 1
    assert _identification_deadline(unrelated.get()).status == Deadline.Status.OPEN
