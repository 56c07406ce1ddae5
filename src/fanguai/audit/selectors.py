from dataclasses import dataclass

from django.db.models import QuerySet

from fanguai.core.policies import policy_for

from .chain import event_hash
from .models import AuditEvent


def visible_events(
    user,
    *,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    object_id: str = "",
    outcome: str = "",
    since=None,
    until=None,
) -> QuerySet[AuditEvent]:
    events = policy_for(AuditEvent).visible(user, AuditEvent.objects.all())
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor_username=actor)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    if outcome:
        events = events.filter(outcome=outcome)
    if since:
        events = events.filter(created_at__gte=since)
    if until:
        events = events.filter(created_at__lt=until)
    return events


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain(batch_size: int = 2000) -> ChainReport:
    """Walk the chain from the oldest event and report the first one whose hash or link does not match."""
    previous: str | None = None
    checked = 0
    fields = [
        "id",
        "previous_hash",
        "hash",
        "created_at",
        "actor_id",
        "actor_username",
        "unit_code",
        "ip_address",
        "action",
        "object_type",
        "object_id",
        "outcome",
        "changed_fields",
        "details",
    ]
    for row in AuditEvent.objects.order_by("id").values(*fields).iterator(chunk_size=batch_size):
        if previous is not None and row["previous_hash"] != previous:
            return ChainReport(checked, row["id"], "link")
        if event_hash(row["previous_hash"], row) != row["hash"]:
            return ChainReport(checked, row["id"], "hash")
        previous = row["hash"]
        checked += 1
    return ChainReport(checked)
