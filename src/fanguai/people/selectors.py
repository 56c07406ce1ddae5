from django.db.models import Q, QuerySet

from fanguai.audit.models import AuditEvent
from fanguai.audit.services import record_event
from fanguai.core.crypto import blind_index
from fanguai.core.policies import policy_for

from .models import Person


def visible_people(
    user, *, query: str = "", identity_status: str = "", county: str = "", sex: str = ""
) -> QuerySet[Person]:
    """Persons the user may see, searched by exact name, ID card number, phone or record number."""
    people = policy_for(Person).visible(
        user, Person.objects.select_related("region", "county", "registered_by_unit")
    )
    if query:
        digest = blind_index(query)
        people = people.filter(
            Q(full_name_index=digest)
            | Q(id_card_index=digest)
            | Q(phone_index=digest)
            | Q(number=query.strip().upper())
        )
    if identity_status:
        people = people.filter(identity_status=identity_status)
    if county:
        people = people.filter(county__code=county)
    if sex:
        people = people.filter(sex=sex)
    return people


def person_for_view(user, pk: int) -> Person:
    """The record, if the user may see it; the read of a sensitive record is audited."""
    person = policy_for(Person).get_visible_or_404(user, pk=pk)
    record_event("person.view", actor=user, object_type="people.person", object_id=person.pk)
    return person


def possible_duplicates(user, person: Person) -> QuerySet[Person]:
    """Other visible records with the same ID card number or phone, or the same name and date of birth."""
    conditions = Q(pk__in=[])
    if person.id_card_index:
        conditions |= Q(id_card_index=person.id_card_index)
    if person.phone_index:
        conditions |= Q(phone_index=person.phone_index)
    if person.full_name_index and person.birth_date:
        conditions |= Q(full_name_index=person.full_name_index, birth_date=person.birth_date)
    return visible_people(user).filter(conditions).exclude(pk=person.pk)


def history(user, person: Person) -> QuerySet[AuditEvent]:
    """The changes to a record (who, when, which fields): part of the audit trail, so the audit policy
    decides (the audit administrator only); everyone else gets nothing."""
    return (
        policy_for(AuditEvent)
        .visible(user, AuditEvent.objects.filter(object_type="people.person", object_id=str(person.pk)))
        .exclude(action="person.view")
        .order_by("-id")
    )
