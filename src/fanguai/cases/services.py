"""Every write on trafficking cases. Each runs in one transaction and writes its audit event (field names,
never values)."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanguai.audit.services import record_event
from fanguai.core.policies import policy_for
from fanguai.people.models import Person
from fanguai.people.services import register_person

from .models import Case, CaseEvent, CaseParty, ClueLink, Package, Responsibility

OBJECT_TYPE = "cases.case"
ALLOWED_MOVES = {
    Case.Status.FILED: {Case.Status.INVESTIGATING, Case.Status.SOLVED, Case.Status.CLOSED},
    Case.Status.INVESTIGATING: {Case.Status.SOLVED, Case.Status.CLOSED},
    Case.Status.SOLVED: {Case.Status.PROSECUTION, Case.Status.CLOSED},
    Case.Status.PROSECUTION: {Case.Status.CLOSED},
    Case.Status.CLOSED: set(),
}


def _require(actor, action: str, obj=None) -> None:
    if not policy_for(Case).can(actor, action, obj):
        raise PermissionDenied


def _timeline(case: Case, kind: str, text: str, actor, *, occurred_at: datetime | None = None, **extra):
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        text=text,
        occurred_at=occurred_at or timezone.now(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **extra,
    )


@transaction.atomic
def open_case(
    *,
    actor,
    title: str,
    kind: str,
    summary: str = "",
    filed_on: date | None = None,
    victims: list[Person] = (),
    unit=None,
    source: str = "",
) -> Case:
    """File a case for the actor's unit (its county is the unit's). `source` names where it came from
    (e.g. a missing-person report number) for the timeline."""
    _require(actor, "create")
    unit = unit or actor.unit
    case = Case(
        title=title,
        kind=kind,
        summary=summary,
        owner_unit=unit,
        county=unit.county,
        filed_on=filed_on or timezone.localdate(),
        created_by=actor,
    )
    case.full_clean()
    case.save()
    _timeline(case, CaseEvent.Kind.STATUS, _("Case filed") + (f" ({source})" if source else ""), actor)
    for person in victims:
        CaseParty.objects.create(case=case, person=person, role=CaseParty.Role.VICTIM)
    record_event(
        "case.create",
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=case.pk,
        changed_fields=["title", "kind", "summary", "filed_on", *(["parties"] if victims else [])],
        details={"kind": kind, "source": source} if source else {"kind": kind},
    )
    return case


@transaction.atomic
def update_case(*, actor, case: Case, **changes) -> Case:
    _require(actor, "change", case)
    allowed = {"title", "summary", "kind", "filed_on"}
    if set(changes) - allowed:
        raise ValueError(f"not editable: {sorted(set(changes) - allowed)}")
    case = Case.objects.select_for_update().get(pk=case.pk)
    changed = [name for name, value in changes.items() if getattr(case, name) != value]
    for name in changed:
        setattr(case, name, changes[name])
    case.full_clean()
    case.save()
    record_event(
        "case.update", actor=actor, object_type=OBJECT_TYPE, object_id=case.pk, changed_fields=changed
    )
    return case


def _solve_package_not_started(case: Case) -> bool:
    """Whether the case's package "solve the case" (包破案) exists and is still not started."""
    return Package.objects.filter(
        responsibility__case=case, kind=Package.Kind.SOLVE, status=Package.Status.OPEN
    ).exists()


def packages_done(case: Case) -> bool:
    record = Responsibility.objects.filter(case=case).first()
    if record is None:
        return False
    statuses = list(record.packages.values_list("status", flat=True))
    return len(statuses) == 3 and all(s == Package.Status.DONE for s in statuses)


@transaction.atomic
def change_status(*, actor, case: Case, status: str, note: str = "", solved_on: date | None = None) -> Case:
    """Move a case along filed → investigating → solved → transferred for prosecution → closed. A
    child-trafficking case closes only when its three packages are done."""
    _require(actor, "change", case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if status not in ALLOWED_MOVES.get(case.status, set()):
        raise ValidationError(
            _("A case cannot move from %(old)s to %(new)s.")
            % {"old": case.get_status_display(), "new": Case.Status(status).label}
        )
    if status == Case.Status.CLOSED and case.needs_responsibility and not packages_done(case):
        raise ValidationError(_("A child-trafficking case closes only when all three packages are done."))
    if status == Case.Status.SOLVED and case.needs_responsibility and _solve_package_not_started(case):
        raise ValidationError(
            _("A child-trafficking case is solved only once the package “solve the case” has started.")
        )
    changed = ["status"]
    case.status = status
    if status == Case.Status.SOLVED and case.solved_on is None:
        case.solved_on = solved_on or timezone.localdate()
        changed.append("solved_on")
    if status == Case.Status.CLOSED:
        case.closed_at = timezone.now()
        changed.append("closed_at")
    case.save()
    _timeline(
        case, CaseEvent.Kind.STATUS, f"{case.get_status_display()}" + (f": {note}" if note else ""), actor
    )
    record_event(
        "case.status",
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=case.pk,
        changed_fields=changed,
        details={"status": status},
    )
    return case


@transaction.atomic
def set_responsibility(
    *, actor, case: Case, chief_name: str, chief_position: str, owners: dict[str, str]
) -> Responsibility:
    """Name the chief and the owner of each of the three packages (creating them the first time)."""
    _require(actor, "change", case)
    if not case.needs_responsibility:
        raise ValidationError(_("Only child-trafficking cases have a one-chief-three-packages record."))
    missing = [kind for kind in Package.Kind.values if not owners.get(kind)]
    if missing or not chief_name.strip():
        raise ValidationError(_("Name the chief and an owner for each of the three packages."))
    record, created = Responsibility.objects.select_for_update().get_or_create(
        case=case, defaults={"chief_name": chief_name, "chief_position": chief_position}
    )
    changed = []
    if not created:
        for name, value in (("chief_name", chief_name), ("chief_position", chief_position)):
            if getattr(record, name) != value:
                setattr(record, name, value)
                changed.append(name)
        record.save()
    else:
        changed += ["chief_name", "chief_position"]
    for kind in Package.Kind.values:
        package, made = Package.objects.get_or_create(
            responsibility=record, kind=kind, defaults={"owner_name": owners[kind]}
        )
        if not made and package.owner_name != owners[kind]:
            package.owner_name = owners[kind]
            package.save(update_fields=["owner_name", "updated_at"])
            changed.append(f"package.{kind}.owner")
        elif made:
            changed.append(f"package.{kind}")
    _timeline(
        case, CaseEvent.Kind.PACKAGE, _("One chief, three packages: %(chief)s") % {"chief": chief_name}, actor
    )
    record_event(
        "case.responsibility", actor=actor, object_type=OBJECT_TYPE, object_id=case.pk, changed_fields=changed
    )
    return record


@transaction.atomic
def update_package(*, actor, package: Package, status: str, notes: str = "") -> Package:
    case = package.responsibility.case
    _require(actor, "change", case)
    package = Package.objects.select_for_update().get(pk=package.pk)
    changed = []
    if package.status != status and case.status == Case.Status.CLOSED:
        raise ValidationError({"status": _("The case is closed: its packages no longer change.")})
    if (
        package.status != status
        and package.kind == Package.Kind.SOLVE
        and status == Package.Status.OPEN
        and case.status in (Case.Status.SOLVED, Case.Status.PROSECUTION)
    ):
        raise ValidationError(
            {"status": _("The case is solved: the package “solve the case” cannot go back to not started.")}
        )
    if package.status != status:
        package.status = status
        package.done_at = timezone.now() if status == Package.Status.DONE else None
        changed += ["status", "done_at"]
    if notes and package.notes != notes:
        package.notes = notes
        changed.append("notes")
    package.full_clean()
    package.save()
    _timeline(
        case,
        CaseEvent.Kind.PACKAGE,
        f"{package.get_kind_display()}: {package.get_status_display()}",
        actor,
    )
    record_event(
        "case.package",
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=case.pk,
        changed_fields=changed,
        details={"package": package.kind, "status": status},
    )
    return package


@transaction.atomic
def add_party(
    *, actor, case: Case, role: str, person: Person | None = None, notes: str = "", **person_fields
):
    """Add an existing person (one the actor may see) or register a new one and add them."""
    _require(actor, "change", case)
    if person is None:
        person = register_person(actor=actor, **person_fields)
    elif not policy_for(Person).can_view(actor, person):
        raise PermissionDenied
    party, _created = CaseParty.objects.get_or_create(
        case=case, person=person, role=role, defaults={"notes": notes}
    )
    record_event(
        "case.party_add",
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=case.pk,
        changed_fields=["parties"],
        details={"role": role, "person": person.pk},
    )
    return party


@transaction.atomic
def add_event(
    *,
    actor,
    case: Case,
    kind: str,
    occurred_at: datetime,
    text: str = "",
    place: str = "",
    latitude=None,
    longitude=None,
) -> CaseEvent:
    _require(actor, "change", case)
    if kind not in (CaseEvent.Kind.NOTE, CaseEvent.Kind.PLACE):
        raise ValueError("only notes and places are added by hand")
    event = _timeline(
        case, kind, text, actor, occurred_at=occurred_at, place=place, latitude=latitude, longitude=longitude
    )
    record_event(
        "case.event_add",
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=case.pk,
        changed_fields=["events"],
        details={"kind": kind},
    )
    return event


@transaction.atomic
def link_clue(*, actor, case: Case, clue_number: str, note: str = "") -> ClueLink:
    _require(actor, "change", case)
    clue_number = clue_number.strip().upper()
    if not clue_number:
        raise ValidationError(_("Enter the clue number."))
    link, created = ClueLink.objects.get_or_create(
        case=case, clue_number=clue_number, defaults={"note": note, "created_by": actor}
    )
    if created:
        _timeline(case, CaseEvent.Kind.CLUE, clue_number, actor)
        record_event(
            "case.clue_link",
            actor=actor,
            object_type=OBJECT_TYPE,
            object_id=case.pk,
            changed_fields=["clue_links"],
            details={"clue": clue_number},
        )
    return link
