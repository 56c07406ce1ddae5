"""Every write on person records. Each runs in one transaction and writes one audit event that names the
changed fields, never their values."""

from datetime import timedelta

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanguai.audit.services import record_event
from fanguai.core.crypto import blind_index
from fanguai.core.policies import policy_for
from fanguai.deadlines.services import create_deadline, meet_deadline

from .deadline_kinds import IDENTITY_VERIFICATION
from .models import Person

IDENTITY_FIELDS = ("full_name", "id_card_number", "phone", "address")
EDITABLE_FIELDS = (*IDENTITY_FIELDS, "notes", "sex", "birth_date", "identity_status", "region")
# A person of unknown identity should be identified (or handed to a family search) within this time.
IDENTIFY_WITHIN = timedelta(days=30)


def _refresh_derived(person: Person) -> None:
    person.full_name_index = blind_index(person.full_name)
    person.id_card_index = blind_index(person.id_card_number)
    person.phone_index = blind_index(person.phone)
    person.county = person.region.county if person.region_id else None
    if person.id_card_number:
        person.id_card_number = person.id_card_number.strip().upper()


@transaction.atomic
def register_person(*, actor, unit=None, **fields) -> Person:
    """Register a person for `unit` (default: the actor's). Public intake passes actor=None and the unit
    that receives the record."""
    if actor is not None and not policy_for(Person).can(actor, "create"):
        raise PermissionDenied
    if unit is None and actor is None:
        raise ValueError("a person registered without a staff actor needs the receiving unit")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    person = Person(registered_by_unit=unit or actor.unit, created_by=actor, **fields)
    _refresh_derived(person)
    person.full_clean()
    person.save()
    if person.identity_status == Person.IdentityStatus.UNKNOWN:
        create_deadline(
            target=person,
            kind=IDENTITY_VERIFICATION,
            due_at=timezone.now() + IDENTIFY_WITHIN,
            responsible_unit=person.registered_by_unit,
            warn_before=timedelta(days=7),
        )
    record_event(
        "person.create",
        actor=actor,
        object_type="people.person",
        object_id=person.pk,
        changed_fields=[f for f in EDITABLE_FIELDS if getattr(person, f) not in ("", None)],
    )
    return person


@transaction.atomic
def update_person(*, actor, person: Person, **changes) -> Person:
    if not policy_for(Person).can(actor, "change", person):
        raise PermissionDenied
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    person = Person.objects.select_for_update().get(pk=person.pk)
    was_unknown = person.identity_status == Person.IdentityStatus.UNKNOWN
    changed = [name for name, value in changes.items() if getattr(person, name) != value]
    for name in changed:
        setattr(person, name, changes[name])
    _refresh_derived(person)
    person.full_clean()
    person.save()
    if was_unknown and person.identity_status == Person.IdentityStatus.KNOWN:
        meet_deadline(target=person, kind=IDENTITY_VERIFICATION)
    record_event(
        "person.update", actor=actor, object_type="people.person", object_id=person.pk, changed_fields=changed
    )
    return person


def mark_identified(*, actor, person: Person, source: str) -> Person:
    """A module established who the person is (an unidentified person identified, a DNA-confirmed reunion):
    the record becomes "identity known" and its identification deadline is met. The calling service runs in
    its own transaction and has checked its own policy; `source` names the event for the audit trail."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.identity_status == Person.IdentityStatus.KNOWN:
        return person
    person.identity_status = Person.IdentityStatus.KNOWN
    person.save(update_fields=["identity_status", "updated_at"])
    meet_deadline(target=person, kind=IDENTITY_VERIFICATION, actor=actor)
    record_event(
        "person.identified",
        actor=actor,
        object_type="people.person",
        object_id=person.pk,
        changed_fields=["identity_status"],
        details={"source": source},
    )
    return person


def _repoint_references(duplicate: Person, keep: Person) -> list[str]:
    """Move every reference to the duplicate (foreign keys and generic links of any app) to the kept record."""
    moved = []
    for relation in Person._meta.related_objects:
        if relation.related_model is Person or not relation.many_to_one and not relation.one_to_one:
            continue
        field = relation.field
        count = relation.related_model._default_manager.filter(**{field.name: duplicate}).update(
            **{field.name: keep}
        )
        if count:
            moved.append(f"{relation.related_model._meta.label_lower}.{field.name}")
    person_type = ContentType.objects.get_for_model(Person)
    from django.apps import apps

    for model in apps.get_models():
        for generic in model._meta.private_fields:
            if isinstance(generic, GenericForeignKey):
                count = model._default_manager.filter(
                    **{generic.ct_field: person_type, generic.fk_field: str(duplicate.pk)}
                ).update(**{generic.fk_field: str(keep.pk)})
                if count:
                    moved.append(f"{model._meta.label_lower}.{generic.name}")
    return moved


@transaction.atomic
def merge_people(*, actor, keep: Person, duplicate: Person) -> Person:
    """Merge a duplicate record into the kept one: identity fields the kept record lacks are copied, every
    reference moves over, and the duplicate stays (hidden) with `merged_into` set, so the merge is traceable."""
    policy = policy_for(Person)
    if not (policy.can(actor, "merge", keep) and policy.can(actor, "merge", duplicate)):
        raise PermissionDenied
    if keep.pk == duplicate.pk:
        raise ValidationError(_("A record cannot be merged into itself."))
    keep = Person.objects.select_for_update().get(pk=keep.pk)
    duplicate = Person.objects.select_for_update().get(pk=duplicate.pk)
    filled = []
    for name in (*IDENTITY_FIELDS, "notes", "birth_date", "region"):
        if getattr(keep, name) in ("", None) and getattr(duplicate, name) not in ("", None):
            setattr(keep, name, getattr(duplicate, name))
            filled.append(name)
    if keep.sex == Person.Sex.UNKNOWN and duplicate.sex != Person.Sex.UNKNOWN:
        keep.sex = duplicate.sex
        filled.append("sex")
    _refresh_derived(keep)
    keep.save()
    moved = _repoint_references(duplicate, keep)
    duplicate.merged_into = keep
    duplicate.save(update_fields=["merged_into", "updated_at"])
    record_event(
        "person.merge",
        actor=actor,
        object_type="people.person",
        object_id=keep.pk,
        changed_fields=filled,
        details={"merged": duplicate.pk, "moved": moved},
    )
    return keep
