from dataclasses import dataclass, field

from django.db.models import QuerySet

from fanguai.core.policies import policy_for

from .chain import CHAINED_FIELDS, GENESIS_HASH, PURGE_ACTION, REKEY_ACTION, keyed_hash, legacy_hash
from .keys import audit_key
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


_EXPLANATIONS = {
    "link": "its previous hash is not the hash of the event before it: an event was removed or changed",
    "hash": "its hash does not match its content: the event was changed, or the audit key is not the one "
    "the chain was written with",
    "unkeyed": "it carries the public (unkeyed) hash where the chain is keyed: events were removed or "
    "recomputed without the audit key",
    "start": "the oldest remaining event does not follow the genesis nor a recorded retention purge: the "
    "oldest events were deleted",
}
_LABELS = {"link": "link mismatch", "hash": "hash mismatch", "unkeyed": "unkeyed event", "start": "start"}
_FIELDS = ["id", "previous_hash", "hash", *CHAINED_FIELDS]


@dataclass(frozen=True)
class PurgeRecord:
    """A retention purge, as its (authentic, keyed) `audit.purge` event recorded it: every event with an id
    up to `through_id` was deleted, the last of them with hash `through_hash`."""

    event_id: int
    through_id: int
    through_hash: str
    deleted: int


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""
    detail: str = ""
    head_id: int | None = None
    head_hash: str = ""
    purges: list[PurgeRecord] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken_at is None

    @property
    def message(self) -> str:
        if self.ok:
            return f"audit chain intact: {self.checked} events"
        explanation = self.detail or _EXPLANATIONS.get(self.reason, "")
        return (
            f"audit chain broken at event {self.broken_at} ({_LABELS.get(self.reason, self.reason)}) "
            f"after {self.checked} valid events: {explanation}"
        )


def _authentic_boundaries(key: bytes) -> tuple[dict[str, int], list[PurgeRecord]]:
    """The previous hashes the oldest remaining event may carry besides the genesis: those that a keyed
    purge or re-key event recorded (an attacker without the key cannot write such an event)."""
    boundaries: dict[str, int] = {}
    purges: list[PurgeRecord] = []
    rows = AuditEvent.objects.filter(action__in=[PURGE_ACTION, REKEY_ACTION]).order_by("id").values(*_FIELDS)
    for row in rows:
        if keyed_hash(row["previous_hash"], row, key) != row["hash"]:
            continue  # not authentic: the walk reports it where it stands
        details = row["details"] if isinstance(row["details"], dict) else {}
        if row["action"] == PURGE_ACTION and details.get("through_hash"):
            record = PurgeRecord(
                row["id"], int(details["through_id"]), details["through_hash"], int(details.get("deleted", 0))
            )
            purges.append(record)
            boundaries[record.through_hash] = record.through_id
        elif row["action"] == REKEY_ACTION and details.get("first_previous_hash"):
            boundaries[details["first_previous_hash"]] = int(details.get("first_id", 0)) - 1
    return boundaries, purges


def verify_chain(batch_size: int = 2000, *, after: tuple[int, str] | None = None) -> ChainReport:
    """Walk the chain from the oldest event (or from the event `after` = (id, hash), e.g. a checkpoint's)
    and report the first event whose link, hash or start does not hold.

    Events written before the chain was keyed carry the public SHA-256 hash; they are accepted only as the
    oldest part of the chain, closed by a keyed `audit.rekey` event: after the first keyed event every
    event must be keyed, and a non-empty chain must contain a keyed event."""
    key = audit_key()
    boundaries, purges = _authentic_boundaries(key)
    events = AuditEvent.objects.order_by("id")
    previous: str | None = None
    keyed_seen = False
    if after is not None:
        events = events.filter(id__gt=after[0])
        previous, keyed_seen = after[1], True
    report = ChainReport(0, purges=purges)
    legacy = 0
    for row in events.values(*_FIELDS).iterator(chunk_size=batch_size):
        if previous is None:
            start = row["previous_hash"]
            if start != GENESIS_HASH and boundaries.get(start, row["id"]) >= row["id"]:
                return _broken(report, row, "start")
        elif row["previous_hash"] != previous:
            return _broken(report, row, "link")
        if keyed_hash(row["previous_hash"], row, key) == row["hash"]:
            if legacy and not keyed_seen and row["action"] != REKEY_ACTION:
                return _broken(
                    report,
                    row,
                    "unkeyed",
                    "the first keyed event after unkeyed ones must be the re-key event",
                )
            keyed_seen = True
        elif legacy_hash(row["previous_hash"], row) == row["hash"]:
            if keyed_seen:
                return _broken(report, row, "unkeyed")
            legacy += 1
        else:
            return _broken(report, row, "hash")
        previous = row["hash"]
        report.checked += 1
        report.head_id, report.head_hash = row["id"], row["hash"]
    if report.checked and not keyed_seen:
        report.broken_at, report.reason = report.head_id, "unkeyed"
        report.detail = (
            "no event of the chain is keyed: the keyed events were removed, or the chain was recomputed "
            "with the public hash"
        )
    return report


def _broken(report: ChainReport, row: dict, reason: str, detail: str = "") -> ChainReport:
    report.broken_at, report.reason, report.detail = row["id"], reason, detail
    return report
