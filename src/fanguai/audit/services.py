"""Appending to the audit trail. Every service that writes, and every view that shows a sensitive record,
calls `record_event`; nothing edits or deletes events (the database refuses it, see `triggers`) except the
retention purge."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .chain import GENESIS_HASH, event_hash
from .context import current
from .models import AuditEvent, PurgePermit

logger = logging.getLogger(__name__)

# Serialises appends on PostgreSQL (SQLite's IMMEDIATE transactions already serialise writers).
_CHAIN_LOCK_ID = 7_202_206


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])


def record_event(
    action: str,
    *,
    actor=None,
    object_type: str = "",
    object_id: object = "",
    outcome: str = AuditEvent.Outcome.SUCCESS,
    changed_fields: list[str] | None = None,
    details: dict | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    context = current()
    actor = actor if actor is not None else context.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    unit = getattr(actor, "unit", None) if actor else None
    values = {
        "created_at": timezone.now(),
        "actor_id": actor.pk if actor else None,
        "actor_username": actor.get_username() if actor else "",
        "unit_code": unit.code if unit else "",
        "ip_address": ip_address or context.ip_address,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id) if object_id is not None else "",
        "outcome": str(outcome),
        "changed_fields": sorted(changed_fields or []),
        "details": details or {},
    }
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        previous = last or GENESIS_HASH
        return AuditEvent.objects.create(previous_hash=previous, hash=event_hash(previous, values), **values)


def purge_expired(actor=None) -> int:
    """Delete the events older than the retention period (never less than 6 months): the documented,
    audited way past the database's refusal to delete events.

    Only a prefix of the chain is deleted: every event before the oldest one still inside the retention
    period. In one transaction a purge permit covering exactly those ids is created, the events are deleted
    and the permit removed, and a keyed `audit.purge` event records the boundary (the last deleted event's
    id and hash, the number deleted), which `verify_chain` accepts as the new start of the chain. After the
    commit a checkpoint anchors the new state."""
    cutoff = timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    with transaction.atomic():
        _lock_chain()
        first_kept = (
            AuditEvent.objects.filter(created_at__gte=cutoff)
            .order_by("id")
            .values_list("id", flat=True)
            .first()
        )
        doomed = (
            AuditEvent.objects.all() if first_kept is None else AuditEvent.objects.filter(id__lt=first_kept)
        )
        through = doomed.order_by("-id").values("id", "hash").first()
        deleted = 0
        details = {
            "deleted": 0,
            "retention_days": settings.AUDIT_RETENTION_DAYS,
            "cutoff": cutoff.isoformat(),
        }
        if through is not None:
            permit = PurgePermit.objects.create(through_id=through["id"])
            deleted, _ = AuditEvent.objects.filter(id__lte=through["id"]).delete()
            PurgePermit.objects.filter(pk=permit.pk).delete()
            details.update(deleted=deleted, through_id=through["id"], through_hash=through["hash"])
        record_event("audit.purge", actor=actor, object_type="audit.event", details=details)
        if deleted:
            transaction.on_commit(_checkpoint_after_purge)
    return deleted


def _checkpoint_after_purge() -> None:
    from .checkpoints import CheckpointError, write

    try:
        write(force=True)
    except CheckpointError:
        logger.exception("no audit checkpoint after the purge")


def export_checkpoint(actor=None):
    """The checkpoint the audit administrator takes away (to write-once media): the latest one, written
    first when the chain's head has moved since. Raises CheckpointError when the chain is empty or broken."""
    from .checkpoints import CheckpointError, write

    checkpoint = write()
    if checkpoint is None:
        raise CheckpointError("the audit trail is empty: there is nothing to anchor")
    record_event(
        "audit.checkpoint.export",
        actor=actor,
        object_type="audit.event",
        object_id=checkpoint.last_id,
        details={
            "last_id": checkpoint.last_id,
            "count": checkpoint.count,
            "created_at": checkpoint.created_at,
        },
    )
    return checkpoint
