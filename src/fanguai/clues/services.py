"""Every write on clues. Each runs in one transaction and writes its audit event (names of fields, never
their values), and adds a step to the clue's timeline."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from functools import partial, wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from fanguai.accounts.roles import Role
from fanguai.audit.services import record_event
from fanguai.core.policies import policy_for
from fanguai.deadlines.services import cancel_deadline, create_deadline, meet_deadline
from fanguai.files.services import store_upload
from fanguai.notifications.services import notify
from fanguai.org.models import Region, Unit
from fanguai.people.services import register_person

from . import conf, receipts
from .deadline_kinds import ACKNOWLEDGE
from .models import Category, Clue, ClueEvent, ClueTransfer, Outcome, Priority, Reward, Source
from .tasks import announce_public_report

OBJECT_TYPE = "clues.clue"
REWARD_TYPE = "clues.reward"
PUBLIC_CONTENT_TYPES = ("image/", "application/pdf")


def office_unit() -> Unit:
    return Unit.objects.filter(kind=Unit.Kind.OFFICE, is_active=True).order_by("code").first()


def police_unit_for(county: Region | None) -> Unit | None:
    """The police unit responsible by default: the county's police, else the city police."""
    police = Unit.objects.filter(sector=Unit.Sector.POLICE, is_active=True)
    if county is not None:
        unit = police.filter(region=county, kind=Unit.Kind.COUNTY_MEMBER).order_by("code").first()
        if unit is not None:
            return unit
    return police.filter(kind=Unit.Kind.MEMBER).order_by("code").first()


class Denied(PermissionDenied):
    """A refusal that is audited once the service's transaction has rolled back."""

    def __init__(self, action: str, actor, object_type: str, object_id):
        super().__init__(action)
        self.action, self.actor, self.object_type, self.object_id = action, actor, object_type, object_id


def service(func):
    """One transaction per service; a refusal inside it is written to the audit trail after the rollback,
    so that the denied attempt is kept while nothing else is."""
    atomic = transaction.atomic(func)

    @wraps(func)
    def run(*args, **kwargs):
        try:
            return atomic(*args, **kwargs)
        except Denied as exc:
            record_event(
                exc.action,
                actor=exc.actor,
                object_type=exc.object_type,
                object_id=exc.object_id,
                outcome="denied",
            )
            raise

    return run


def _require(allowed: bool, action: str, actor, clue: Clue | None = None) -> None:
    if not allowed:
        raise Denied(action, actor, OBJECT_TYPE, clue.pk if clue else "")


def _event(clue: Clue, kind: str, *, actor=None, **fields) -> ClueEvent:
    unit = getattr(actor, "unit", None) if getattr(actor, "is_authenticated", False) else None
    return ClueEvent.objects.create(
        clue=clue, kind=kind, actor=actor if unit is not None else None, unit=unit, **fields
    )


def _clue_link(clue: Clue) -> str:
    return reverse("clues:detail", args=[clue.pk])


def _notify_triagers(clue: Clue, subject: str) -> None:
    """The office, and the police investigators of the clue's county."""
    office = office_unit()
    if office is not None:
        notify(
            units=[office], roles=[Role.OFFICE_STAFF], subject=subject, link=_clue_link(clue), kind="clue.new"
        )
    if clue.county_id:
        police = police_unit_for(clue.county)
        if police is not None and police.county is not None:
            notify(
                units=[police],
                roles=[Role.INVESTIGATOR],
                subject=subject,
                link=_clue_link(clue),
                kind="clue.new",
            )


def announce_new_clue(clue: Clue) -> None:
    """Tell the triagers of a new clue (for public reports, run by the task worker after the commit)."""
    _notify_triagers(clue, _("New clue %(number)s: %(category)s") % _subject_values(clue))


def _notify_handlers(clue: Clue, subject: str, kind: str) -> None:
    """Whoever handles the clue now: the responsible unit, or the triagers while it has none."""
    if clue.responsible_unit_id:
        notify(units=[clue.responsible_unit], subject=subject, link=_clue_link(clue), kind=kind)
    else:
        _notify_triagers(clue, subject)


def _store_files(clue: Clue, uploads, actor=None) -> int:
    stored = 0
    for upload in uploads or ():
        store_upload(actor=actor, upload=upload, attach_to=clue)
        stored += 1
    return stored


def _clean_common(*, category: str, description: str, region, occurred_at) -> None:
    errors = {}
    if category not in Category.values:
        errors["category"] = _("Choose a category.")
    if not (description or "").strip():
        errors["description"] = _("Describe what you saw or know.")
    elif len(description) > conf.description_max():
        errors["description"] = _("The description is too long.")
    if region is not None and region.level not in (
        Region.Level.COUNTY,
        Region.Level.ZONE,
        Region.Level.TOWNSHIP,
    ):
        errors["region"] = _("Choose a township or a county.")
    if occurred_at is not None and occurred_at > timezone.now() + timedelta(hours=1):
        errors["occurred_at"] = _("The time cannot be in the future.")
    if errors:
        raise ValidationError(errors)


def _reporter(unit: Unit, contact: dict | None):
    """A reporter who leaves contact details becomes a person record (identity encrypted)."""
    contact = {k: v for k, v in (contact or {}).items() if v}
    return register_person(actor=None, unit=unit, **contact) if contact else None


@dataclass(frozen=True)
class PublicReceipt:
    clue: Clue | None
    code: str  # '' when the same form had already been received
    duplicate_submission: bool = False


def submit_public_report(
    *,
    submission_key: str,
    category: str,
    description: str,
    region=None,
    place_detail: str = "",
    occurred_at=None,
    latitude=None,
    longitude=None,
    contact: dict | None = None,
    uploads=(),
) -> PublicReceipt:
    """A report from the public portal. Returns the receipt code, which exists nowhere else afterwards.
    A form sent twice (same submission key) is stored once."""
    _clean_common(category=category, description=description, region=region, occurred_at=occurred_at)
    if Clue.objects.filter(submission_key=submission_key).exists():
        return PublicReceipt(clue=None, code="", duplicate_submission=True)
    code = receipts.new_code()
    receipt_digest = receipts.hash_code(code)
    try:
        with transaction.atomic():
            receiver = office_unit()
            clue = Clue(
                source=Source.PUBLIC,
                category=category,
                description=description.strip(),
                place_detail=(place_detail or "").strip(),
                region=region,
                county=region.county if region is not None else None,
                occurred_at=occurred_at,
                latitude=latitude,
                longitude=longitude,
                received_by_unit=receiver,
                receipt_digest=receipt_digest,
                submission_key=submission_key,
            )
            clue.reporter = _reporter(receiver, contact)
            clue.save()
            _event(clue, ClueEvent.Kind.RECEIVED, visible_to_reporter=True)
            files = _store_files(clue, uploads)
            # The audit event last: the chain's lock is then held only until the commit, not while the
            # triagers are notified, so concurrent reports do not queue behind each other's fan-out.
            record_event(
                "clue.create",
                object_type=OBJECT_TYPE,
                object_id=clue.pk,
                changed_fields=_given_fields(clue),
                details={"source": Source.PUBLIC, "category": category, "attachments": files},
            )
            # The reporter waits only for the report to be stored: the triagers are told by the task worker.
            transaction.on_commit(partial(announce_public_report.enqueue, clue.pk))
    except IntegrityError:
        if Clue.objects.filter(submission_key=submission_key).exists():
            return PublicReceipt(clue=None, code="", duplicate_submission=True)
        raise
    return PublicReceipt(clue=clue, code=code)


def _given_fields(clue: Clue) -> list[str]:
    names = ("description", "place_detail", "region", "occurred_at", "latitude", "longitude", "reporter")
    return [n for n in names if getattr(clue, n) not in ("", None)]


def _subject_values(clue: Clue) -> dict:
    return {"number": clue.number, "category": clue.get_category_display()}


@service
def record_clue(
    *,
    actor,
    source: str,
    category: str,
    description: str,
    region=None,
    place_detail: str = "",
    occurred_at=None,
    latitude=None,
    longitude=None,
    contact: dict | None = None,
    uploads=(),
) -> Clue:
    """A clue recorded by staff: a hotline transcript or what a member unit found."""
    _require(policy_for(Clue).can(actor, "create"), "clue.create", actor)
    _clean_common(category=category, description=description, region=region, occurred_at=occurred_at)
    if source not in Source.values or source == Source.PUBLIC:
        raise ValidationError({"source": _("Choose where the clue comes from.")})
    clue = Clue(
        source=source,
        category=category,
        description=description.strip(),
        place_detail=(place_detail or "").strip(),
        region=region,
        county=region.county if region is not None else None,
        occurred_at=occurred_at,
        latitude=latitude,
        longitude=longitude,
        received_by_unit=actor.unit,
        created_by=actor,
    )
    clue.reporter = _reporter(actor.unit, contact)
    clue.save()
    _event(clue, ClueEvent.Kind.RECEIVED, actor=actor)
    files = _store_files(clue, uploads, actor=actor)
    record_event(
        "clue.create",
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=clue.pk,
        changed_fields=_given_fields(clue),
        details={"source": source, "category": category, "attachments": files},
    )
    announce_new_clue(clue)
    return clue


def _locked(clue: Clue) -> Clue:
    return (
        Clue.objects.select_for_update(of=("self",))
        .select_related("county", "responsible_unit")
        .get(pk=clue.pk)
    )


@service
def triage(*, actor, clue: Clue, priority: str, category: str | None = None, message: str = "") -> Clue:
    """Set the priority (and correct the category) of a clue."""
    clue = _locked(clue)
    _require(policy_for(Clue).can(actor, "triage", clue) and clue.is_open, "clue.triage", actor, clue)
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Choose a priority.")})
    changed = []
    if clue.priority != priority:
        clue.priority = priority
        changed.append("priority")
    if category and category in Category.values and category != clue.category:
        clue.category = category
        changed.append("category")
    clue.save(update_fields=[*changed, "updated_at"])
    _event(clue, ClueEvent.Kind.TRIAGED, actor=actor, priority=priority, message=message)
    record_event(
        "clue.triage", actor=actor, object_type=OBJECT_TYPE, object_id=clue.pk, changed_fields=changed
    )
    return clue


def acknowledgement_due(priority: str, start=None):
    hours = conf.ack_hours().get(priority, conf.DEFAULT_ACK_HOURS["normal"])
    return (start or timezone.now()) + timedelta(hours=hours)


def _withdraw_open_transfers(clue: Clue, actor) -> None:
    for transfer in clue.transfers.select_for_update().filter(status=ClueTransfer.Status.PENDING):
        transfer.status = ClueTransfer.Status.WITHDRAWN
        transfer.save(update_fields=["status"])
        cancel_deadline(target=transfer, kind=ACKNOWLEDGE, actor=actor)
        _event(clue, ClueEvent.Kind.WITHDRAWN, actor=actor, to_unit=transfer.to_unit, transfer=transfer)


@service
def transfer(
    *, actor, clue: Clue, to_unit: Unit, priority: str | None = None, message: str = ""
) -> ClueTransfer:
    """Send the clue to the unit that must act on it; it must acknowledge by a time set by the priority."""
    clue = _locked(clue)
    _require(policy_for(Clue).can(actor, "triage", clue) and clue.is_open, "clue.transfer", actor, clue)
    if to_unit is None or not to_unit.is_active:
        raise ValidationError({"to_unit": _("Choose an active unit.")})
    priority = priority or clue.priority
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Choose a priority.")})
    _withdraw_open_transfers(clue, actor)
    now = timezone.now()
    moved = ClueTransfer.objects.create(
        clue=clue,
        from_unit=actor.unit,
        to_unit=to_unit,
        priority=priority,
        transferred_by=actor,
        transferred_at=now,
        due_at=acknowledgement_due(priority, now),
    )
    create_deadline(
        target=moved,
        kind=ACKNOWLEDGE,
        due_at=moved.due_at,
        responsible_unit=to_unit,
        warn_before=(moved.due_at - now) / 4,
        actor=actor,
    )
    clue.priority = priority
    clue.responsible_unit = to_unit
    clue.status = Clue.Status.TRANSFERRED
    clue.save(update_fields=["priority", "responsible_unit", "status", "updated_at"])
    _event(
        clue,
        ClueEvent.Kind.TRANSFERRED,
        actor=actor,
        to_unit=to_unit,
        transfer=moved,
        priority=priority,
        message=message,
        visible_to_reporter=clue.source == Source.PUBLIC,
    )
    record_event(
        "clue.transfer",
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=clue.pk,
        changed_fields=["responsible_unit", "status", "priority"],
        details={"to": to_unit.code, "priority": priority, "transfer": moved.pk},
    )
    notify(
        units=[to_unit],
        subject=_("Clue %(number)s transferred to your unit: acknowledge by %(due)s")
        % {"number": clue.number, "due": timezone.localtime(moved.due_at).strftime("%Y-%m-%d %H:%M")},
        body=message,
        link=_clue_link(clue),
        kind="clue.transfer",
    )
    return moved


@service
def acknowledge(*, actor, clue: Clue, message: str = "") -> ClueTransfer:
    clue = _locked(clue)
    _require(policy_for(Clue).can(actor, "acknowledge", clue), "clue.acknowledge", actor, clue)
    pending = clue.transfers.select_for_update().get(
        status=ClueTransfer.Status.PENDING, to_unit=clue.responsible_unit
    )
    pending.status = ClueTransfer.Status.ACKNOWLEDGED
    pending.acknowledged_at = timezone.now()
    pending.acknowledged_by = actor
    pending.save(update_fields=["status", "acknowledged_at", "acknowledged_by"])
    meet_deadline(target=pending, kind=ACKNOWLEDGE, actor=actor)
    clue.status = Clue.Status.ACKNOWLEDGED
    clue.save(update_fields=["status", "updated_at"])
    _event(
        clue,
        ClueEvent.Kind.ACKNOWLEDGED,
        actor=actor,
        transfer=pending,
        message=message,
        visible_to_reporter=clue.source == Source.PUBLIC,
    )
    record_event(
        "clue.acknowledge",
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=clue.pk,
        changed_fields=["status"],
        details={"transfer": pending.pk, "on_time": pending.acknowledged_at <= pending.due_at},
    )
    return pending


def record_escalation(deadline) -> None:
    """The deadline sweep's hook for a late acknowledgement (runs inside the sweep's transaction)."""
    moved = deadline.target
    if not isinstance(moved, ClueTransfer):
        return
    ClueEvent.objects.create(
        clue=moved.clue, kind=ClueEvent.Kind.ESCALATED, to_unit=moved.to_unit, transfer=moved
    )
    record_event(
        "clue.escalate", object_type=OBJECT_TYPE, object_id=moved.clue_id, details={"transfer": moved.pk}
    )


@service
def report_outcome(*, actor, clue: Clue, outcome: str, message: str) -> ClueEvent:
    clue = _locked(clue)
    _require(policy_for(Clue).can(actor, "report_outcome", clue), "clue.outcome", actor, clue)
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    if not (message or "").strip():
        raise ValidationError({"message": _("Describe what was done and found.")})
    event = _event(clue, ClueEvent.Kind.OUTCOME, actor=actor, outcome=outcome, message=message.strip())
    record_event(
        "clue.outcome", actor=actor, object_type=OBJECT_TYPE, object_id=clue.pk, details={"outcome": outcome}
    )
    office = office_unit()
    if office is not None and office != actor.unit:
        notify(
            units=[office],
            roles=[Role.OFFICE_STAFF],
            subject=_("Outcome reported for clue %(number)s") % {"number": clue.number},
            link=_clue_link(clue),
            kind="clue.outcome",
        )
    return event


def _check_message(message: str) -> str:
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": _("Write a message.")})
    if len(message) > conf.description_max():
        raise ValidationError({"message": _("The message is too long.")})
    return message


@service
def message_reporter(*, actor, clue: Clue, message: str, question: bool = False) -> ClueEvent:
    """A question or a reply to the reporter, who reads it with the receipt code."""
    clue = _locked(clue)
    _require(policy_for(Clue).can(actor, "message_reporter", clue), "clue.message_reporter", actor, clue)
    message = _check_message(message)
    kind = ClueEvent.Kind.QUESTION if question else ClueEvent.Kind.FEEDBACK
    event = _event(clue, kind, actor=actor, message=message, visible_to_reporter=True)
    record_event(
        "clue.message_reporter",
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=clue.pk,
        details={"kind": kind},
    )
    return event


@service
def add_note(*, actor, clue: Clue, message: str) -> ClueEvent:
    clue = _locked(clue)
    _require(policy_for(Clue).can(actor, "note", clue), "clue.note", actor, clue)
    event = _event(clue, ClueEvent.Kind.NOTE, actor=actor, message=_check_message(message))
    record_event("clue.note", actor=actor, object_type=OBJECT_TYPE, object_id=clue.pk)
    return event


@service
def attach_file(*, actor, clue: Clue, upload):
    with transaction.atomic():
        clue = _locked(clue)
        _require(policy_for(Clue).can(actor, "note", clue), "clue.attach", actor, clue)
        stored = store_upload(actor=actor, upload=upload, attach_to=clue)
        _event(clue, ClueEvent.Kind.ATTACHMENT, actor=actor)
    return stored


def reporter_message(*, clue: Clue, message: str, uploads=()) -> ClueEvent:
    """The reporter answers a question or adds information (through the receipt code)."""
    message = _check_message(message)
    with transaction.atomic():
        clue = _locked(clue)
        event = ClueEvent.objects.create(
            clue=clue, kind=ClueEvent.Kind.REPORTER_MESSAGE, message=message, visible_to_reporter=True
        )
        files = _store_files(clue, uploads)
        record_event(
            "clue.reporter_message",
            object_type=OBJECT_TYPE,
            object_id=clue.pk,
            details={"attachments": files},
        )
        target = clue.merged_into if clue.merged_into_id else clue
        _notify_handlers(
            target,
            _("The reporter of clue %(number)s sent a message") % {"number": clue.number},
            "clue.reporter_message",
        )
    return event


@service
def close(*, actor, clue: Clue, message: str) -> Clue:
    clue = _locked(clue)
    _require(policy_for(Clue).can(actor, "triage", clue) and clue.is_open, "clue.close", actor, clue)
    _withdraw_open_transfers(clue, actor)
    clue.status = Clue.Status.CLOSED
    clue.save(update_fields=["status", "updated_at"])
    _event(
        clue, ClueEvent.Kind.CLOSED, actor=actor, message=_check_message(message), visible_to_reporter=True
    )
    record_event(
        "clue.close", actor=actor, object_type=OBJECT_TYPE, object_id=clue.pk, changed_fields=["status"]
    )
    return clue


@service
def reopen(*, actor, clue: Clue, message: str = "") -> Clue:
    clue = _locked(clue)
    _require(
        policy_for(Clue).can(actor, "triage", clue) and clue.status == Clue.Status.CLOSED,
        "clue.reopen",
        actor,
        clue,
    )
    acknowledged = clue.transfers.filter(
        status=ClueTransfer.Status.ACKNOWLEDGED, to_unit=clue.responsible_unit
    )
    clue.status = Clue.Status.ACKNOWLEDGED if acknowledged.exists() else Clue.Status.NEW
    if clue.status == Clue.Status.NEW:
        clue.responsible_unit = None
    clue.save(update_fields=["status", "responsible_unit", "updated_at"])
    _event(clue, ClueEvent.Kind.REOPENED, actor=actor, message=message, visible_to_reporter=True)
    record_event(
        "clue.reopen", actor=actor, object_type=OBJECT_TYPE, object_id=clue.pk, changed_fields=["status"]
    )
    return clue


@service
def merge(*, actor, keep: Clue, duplicate: Clue) -> Clue:
    """Merge a duplicate into the clue that is kept, after the user confirmed it. The duplicate stays (its
    reporter still follows it with their own receipt code) with `merged_into` set; its pending transfer is
    withdrawn."""
    policy = policy_for(Clue)
    keep, duplicate = _locked(keep), _locked(duplicate)
    allowed = policy.can(actor, "triage", keep) and policy.can(actor, "triage", duplicate)
    _require(allowed, "clue.merge", actor, keep)
    if keep.pk == duplicate.pk or not keep.is_open or not duplicate.is_open:
        raise ValidationError(_("Only two different open clues can be merged."))
    _withdraw_open_transfers(duplicate, actor)
    duplicate.merged_into = keep
    duplicate.status = Clue.Status.MERGED
    duplicate.save(update_fields=["merged_into", "status", "updated_at"])
    _event(duplicate, ClueEvent.Kind.MERGED, actor=actor, message=keep.number, visible_to_reporter=True)
    _event(keep, ClueEvent.Kind.MERGED, actor=actor, message=duplicate.number)
    record_event(
        "clue.merge",
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=keep.pk,
        changed_fields=["merged_into"],
        details={"merged": duplicate.pk},
    )
    return keep


@service
def record_case_link(*, actor, clue: Clue, case_number: str, filed_from_clue: bool) -> ClueEvent:
    """A case of the cases module was linked to the clue (called inside the cases service's transaction).
    The clue records the link and, as its outcome, that it led to a case: 立案 when the case was opened from
    it, 并案 when it joined an existing case. Its status is left to those who handle it (closing speaks to
    the reporter)."""
    clue = _locked(clue)
    _require(policy_for(Clue).can_view(actor, clue), "clue.link", actor, clue)
    if clue.status == Clue.Status.MERGED:
        raise ValidationError(
            _("This clue was merged into clue %(number)s: link that one.")
            % {"number": clue.merged_into.number}
        )
    # The timeline does not name the case: whoever sees the clue does not necessarily see the case (the
    # page lists the linked cases through the cases policy).
    _event(clue, ClueEvent.Kind.LINKED, actor=actor, message=_("Linked to a case"))
    if filed_from_clue:
        message = _("A case was filed from this clue.")
    else:
        message = _("The clue was joined to an existing case.")
    event = _event(clue, ClueEvent.Kind.OUTCOME, actor=actor, outcome=Outcome.CONFIRMED, message=message)
    record_event(
        "clue.link",
        actor=actor,
        object_type=OBJECT_TYPE,
        object_id=clue.pk,
        details={"case": case_number, "filed_from_clue": filed_from_clue},
    )
    office = office_unit()
    if office is not None and office != getattr(actor, "unit", None):
        notify(
            units=[office],
            roles=[Role.OFFICE_STAFF],
            subject=_("Clue %(clue)s led to case %(case)s") % {"clue": clue.number, "case": case_number},
            link=_clue_link(clue),
            kind="clue.outcome",
        )
    return event


# Rewards -------------------------------------------------------------------------------------------------


def led_to_result(clue: Clue) -> bool:
    return clue.events.filter(kind=ClueEvent.Kind.OUTCOME, outcome=Outcome.CONFIRMED).exists()


@service
def propose_reward(*, actor, clue: Clue, amount: Decimal, reason: str) -> Reward:
    clue = _locked(clue)
    _require(policy_for(Clue).can(actor, "propose_reward", clue), "reward.propose", actor, clue)
    if not led_to_result(clue):
        raise ValidationError(_("A reward needs a confirmed outcome reported for the clue."))
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("The amount must be positive.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give the reason.")})
    reward = Reward.objects.create(clue=clue, amount=amount, reason=reason.strip(), proposed_by=actor)
    _event(
        clue,
        ClueEvent.Kind.REWARD,
        actor=actor,
        message=_("Reward proposed: %(amount)s yuan") % {"amount": amount},
    )
    record_event(
        "reward.propose", actor=actor, object_type=REWARD_TYPE, object_id=reward.pk, details={"clue": clue.pk}
    )
    return reward


@service
def decide_reward(*, actor, reward: Reward, approve: bool, note: str = "") -> Reward:
    reward = Reward.objects.select_for_update().select_related("clue").get(pk=reward.pk)
    if not policy_for(Reward).can(actor, "decide", reward):
        raise Denied("reward.decide", actor, REWARD_TYPE, reward.pk)
    reward.status = Reward.Status.APPROVED if approve else Reward.Status.REFUSED
    reward.decided_by, reward.decided_at, reward.decision_note = actor, timezone.now(), note.strip()
    reward.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    text = _("Reward approved") if approve else _("Reward refused")
    _event(reward.clue, ClueEvent.Kind.REWARD, actor=actor, message=text, visible_to_reporter=approve)
    record_event(
        "reward.decide",
        actor=actor,
        object_type=REWARD_TYPE,
        object_id=reward.pk,
        changed_fields=["status"],
        details={"approved": approve},
    )
    return reward


@service
def claim_reward(*, clue: Clue, reward: Reward, details: str) -> Reward:
    """The reporter (with the receipt code) says how to be paid."""
    reward = Reward.objects.select_for_update().get(pk=reward.pk)
    if reward.clue_id != clue.pk or reward.status != Reward.Status.APPROVED or reward.claimed_at:
        raise PermissionDenied
    details = (details or "").strip()
    if not details:
        raise ValidationError({"details": _("Say how the reward should be paid to you.")})
    reward.claimed_at, reward.claim_details = timezone.now(), details[:1000]
    reward.save(update_fields=["claimed_at", "claim_details"])
    ClueEvent.objects.create(
        clue=clue,
        kind=ClueEvent.Kind.REWARD,
        message=_("Reward claimed by the reporter"),
        visible_to_reporter=True,
    )
    record_event(
        "reward.claim", object_type=REWARD_TYPE, object_id=reward.pk, changed_fields=["claim_details"]
    )
    office = office_unit()
    if office is not None:
        notify(
            units=[office],
            roles=[Role.OFFICE_STAFF],
            subject=_("A reward for clue %(number)s was claimed") % {"number": clue.number},
            link=reverse("clues:rewards"),
            kind="clue.reward",
        )
    return reward


@service
def pay_reward(*, actor, reward: Reward, payment_reference: str) -> Reward:
    reward = Reward.objects.select_for_update().select_related("clue").get(pk=reward.pk)
    if not policy_for(Reward).can(actor, "pay", reward):
        raise Denied("reward.pay", actor, REWARD_TYPE, reward.pk)
    if not (payment_reference or "").strip():
        raise ValidationError({"payment_reference": _("Give the payment reference.")})
    reward.status, reward.paid_at, reward.paid_by = Reward.Status.PAID, timezone.now(), actor
    reward.payment_reference = payment_reference.strip()[:64]
    reward.save(update_fields=["status", "paid_at", "paid_by", "payment_reference"])
    _event(
        reward.clue, ClueEvent.Kind.REWARD, actor=actor, message=_("Reward paid"), visible_to_reporter=True
    )
    record_event(
        "reward.pay", actor=actor, object_type=REWARD_TYPE, object_id=reward.pk, changed_fields=["status"]
    )
    return reward
