"""Appending to the audit trail. Every service that writes, and every view that shows a sensitive record,
calls `record_event`; nothing in the application edits or deletes events except the retention purge."""

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .chain import GENESIS_HASH, event_hash
from .context import current
from .models import AuditEvent

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
    """Delete events older than the retention period (never less than 6 months). The chain stays
    verifiable: verification starts from the oldest remaining event."""
    cutoff = timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    with transaction.atomic():
        _lock_chain()
        deleted, _ = AuditEvent.objects.filter(created_at__lt=cutoff).delete()
    record_event(
        "audit.purge",
        actor=actor,
        object_type="audit.event",
        details={"deleted": deleted, "retention_days": settings.AUDIT_RETENTION_DAYS},
    )
    return deleted
