"""Every write on trafficking cases. Each runs in one transaction and writes its audit event (field names,
never values)."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fanguai.audit.services import record_event
from fanguai.clues import services as clue_services
from fanguai.clues.models import Clue
from fanguai.core.policies import policy_for
from fanguai.notifications.services import notify
from fanguai.org.models import Region
from fanguai.people.models import Person
from fanguai.people.services import register_person

from . import selectors
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
    county: Region | None = None,
) -> Case:
    """File a case for the actor's unit. Its county is the unit's; a city-level unit may name the county
    (e.g. the clue's). `source` names where it came from (e.g. a missing-person report number) for the
    timeline."""
    _require(actor, "create")
    unit = unit or actor.unit
    if county is not None and unit.county is not None and county != unit.county:
        raise ValidationError({"county": _("A county unit files cases of its own county only.")})
    if county is not None and county.level not in (Region.Level.COUNTY, Region.Level.ZONE):
        raise ValidationError({"county": _("Choose a district or county.")})
    case = Case(
        title=title,
        kind=kind,
        summary=summary,
        owner_unit=unit,
        county=county or unit.county,
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
    if (
        status == Case.Status.SOLVED
        and case.needs_responsibility
        and not Responsibility.objects.filter(case=case).exists()
    ):
        raise ValidationError(
            _("Name the chief and the owners of the three packages before the case is marked solved.")
        )
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


def _case_link(case: Case) -> str:
    return case.get_absolute_url()


@transaction.atomic
def set_responsibility(*, actor, case: Case, chief, chief_position: str, owners: dict) -> Responsibility:
    """Name the chief (an account of the county's or the city's police) and the owner of each of the three
    packages (creating them the first time). Whoever is newly named is told in the inbox."""
    _require(actor, "change", case)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.needs_responsibility:
        raise ValidationError(_("Only child-trafficking cases have a one-chief-three-packages record."))
    if case.status == Case.Status.CLOSED:
        raise ValidationError(_("The case is closed: its one-chief-three-packages record no longer changes."))
    candidates = selectors.responsible_candidates(case)
    errors = {}
    if chief is None or not candidates.filter(pk=chief.pk).exists():
        errors["chief"] = _("Choose the chief among the police of the case's county or of the city.")
    if not (chief_position or "").strip():
        errors["chief_position"] = _("Give the chief's position.")
    for kind in Package.Kind.values:
        owner = owners.get(kind)
        if owner is None or not candidates.filter(pk=owner.pk).exists():
            errors[f"{kind}_owner"] = _(
                "Choose the owner among the police of the case's county or of the city."
            )
    if errors:
        raise ValidationError(errors)
    chief_position = chief_position.strip()
    record = Responsibility.objects.select_for_update().filter(case=case).first()
    changed, newly_named = [], []
    if record is None:
        record = Responsibility.objects.create(
            case=case,
            chief=chief,
            chief_name=chief.full_name or chief.username,
            chief_position=chief_position,
        )
        changed += ["chief", "chief_position"]
        newly_named.append((chief, None))
    else:
        if record.chief_id != chief.pk:
            record.chief, record.chief_name = chief, chief.full_name or chief.username
            changed.append("chief")
            newly_named.append((chief, None))
        if record.chief_position != chief_position:
            record.chief_position = chief_position
            changed.append("chief_position")
        record.save()
    for kind in Package.Kind.values:
        owner = owners[kind]
        name = owner.full_name or owner.username
        package, made = Package.objects.get_or_create(
            responsibility=record, kind=kind, defaults={"owner": owner, "owner_name": name}
        )
        if made:
            changed.append(f"package.{kind}")
            newly_named.append((owner, package))
        elif package.owner_id != owner.pk:
            package.owner, package.owner_name = owner, name
            package.save(update_fields=["owner", "owner_name", "updated_at"])
            changed.append(f"package.{kind}.owner")
            newly_named.append((owner, package))
    if changed:
        _timeline(
            case,
            CaseEvent.Kind.PACKAGE,
            _("One chief, three packages: chief %(chief)s; %(owners)s")
            % {
                "chief": record.chief_label,
                "owners": "; ".join(
                    f"{p.get_kind_display()} {p.owner_label}" for p in record.packages.select_related("owner")
                ),
            },
            actor,
        )
    values = {"number": case.number, "title": case.title}
    for person, package in newly_named:
        if package is None:
            subject = (
                _("You are the chief of case %(number)s (one chief, three packages): %(title)s") % values
            )
        else:
            subject = _("You own the package “%(package)s” of case %(number)s: %(title)s") % {
                **values,
                "package": package.get_kind_display(),
            }
        notify(recipients=[person], subject=subject, link=_case_link(case), kind="case.responsibility")
    record_event(
        "case.responsibility", actor=actor, object_type=OBJECT_TYPE, object_id=case.pk, changed_fields=changed
    )
    return record


@transaction.atomic
def update_package(*, actor, package: Package, status: str, notes: str = "") -> Package:
    _require(actor, "change", package.responsibility.case)
    # the case as it is now (it may have closed since the package was read)
    case = Case.objects.select_for_update().get(pk=package.responsibility.case_id)
    package = Package.objects.select_for_update().get(pk=package.pk)
    changed = []
    if status not in Package.Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    if case.status == Case.Status.CLOSED and (package.status != status or (notes and notes != package.notes)):
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
def link_clue(
    *,
    actor,
    case: Case,
    clue_number: str = "",
    clue: Clue | None = None,
    note: str = "",
    filed_from_clue=False,
) -> ClueLink:
    """Link a clue the actor may see (by number, or the clue itself) to the case. The clue's timeline records
    the link and its outcome (立案 or 并案) in the same transaction."""
    _require(actor, "change", case)
    if clue is None:
        if not (clue_number or "").strip():
            raise ValidationError({"clue_number": _("Enter the clue number.")})
        clue = selectors.clue_for_link(actor, clue_number)
        if clue is None:
            raise ValidationError({"clue_number": _("No clue with this number is visible to you.")})
    elif not policy_for(Clue).can_view(actor, clue):
        raise PermissionDenied
    if clue.status == Clue.Status.MERGED and clue.merged_into_id:
        raise ValidationError(
            {
                "clue_number": _("This clue was merged into clue %(number)s: link that one.")
                % {"number": clue.merged_into.number}
            }
        )
    if (
        ClueLink.objects.filter(case=case, clue=clue).exists()
        or ClueLink.objects.filter(case=case, clue_number=clue.number).exists()
    ):
        raise ValidationError({"clue_number": _("This clue is already linked to the case.")})
    link = ClueLink.objects.create(
        case=case, clue=clue, clue_number=clue.number, note=(note or "").strip(), created_by=actor
    )
    _timeline(case, CaseEvent.Kind.CLUE, clue.number, actor)
    clue_services.record_case_link(
        actor=actor, clue=clue, case_number=case.number, filed_from_clue=filed_from_clue
    )
    record_event(
        "case.clue_link",
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=case.pk,
        changed_fields=["clue_links"],
        details={"clue": clue.number},
    )
    return link


@transaction.atomic
def link_clue_to_case_number(*, actor, clue: Clue, case_number: str, note: str = "") -> ClueLink:
    """From the clue's page: link the clue to the case of that number, one the actor may see and work on
    (the cases policy), through the same link as from the case's page."""
    case = selectors.case_for_link(actor, case_number)
    if case is None:
        raise ValidationError({"case_number": _("No case with this number is visible to you.")})
    if not policy_for(Case).can(actor, "change", case):
        raise ValidationError({"case_number": _("You may not link clues to this case.")})
    if ClueLink.objects.filter(case=case, clue=clue).exists():
        raise ValidationError({"case_number": _("This clue is already linked to the case.")})
    return link_clue(actor=actor, case=case, clue=clue, note=note)


@transaction.atomic
def open_case_from_clue(
    *, actor, clue: Clue, title: str, kind: str, summary: str = "", filed_on: date | None = None, county=None
) -> Case:
    """Open a case from a clue the actor may see, and link the clue to it, in one transaction."""
    if not policy_for(Clue).can_view(actor, clue):
        raise PermissionDenied
    case = open_case(
        actor=actor,
        title=title,
        kind=kind,
        summary=summary,
        filed_on=filed_on,
        county=county,
        source=_("from clue %(number)s") % {"number": clue.number},
    )
    link_clue(actor=actor, case=case, clue=clue, filed_from_clue=True)
    return case
