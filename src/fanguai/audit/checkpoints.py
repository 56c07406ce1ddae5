"""Signed checkpoints of the audit chain, kept outside the database.

A checkpoint records the chain's head (last event id and hash), the number of events up to it and the oldest
event's link, signed with the audit key (HMAC-SHA256). The worker writes one every
`AUDIT_CHECKPOINT_SECONDS` (when the head has moved), the retention purge writes one, and `fanguai audit
checkpoint` writes one on demand; each is a JSON file in `AUDIT_CHECKPOINT_DIR` (owner-only). The audit
administrator exports the latest one (CLI or the audit pages) to keep it elsewhere, e.g. on write-once
media. `fanguai audit verify` compares the database with the latest checkpoint: the checkpoint's event must
still exist with its hash, and the number of events up to it must be the recorded one less what documented
purges deleted since. So deleting the newest events that a checkpoint covers is detected."""

import hashlib
import hmac
import json
import logging
import os
from dataclasses import asdict, dataclass
from datetime import UTC
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .keys import audit_key, key_id
from .models import AuditEvent
from .selectors import ChainReport, PurgeRecord, verify_chain

logger = logging.getLogger(__name__)
FORMAT = "fanguai-audit-checkpoint/1"
_SIGNED = (
    "format",
    "last_id",
    "last_hash",
    "count",
    "first_id",
    "first_previous_hash",
    "created_at",
    "key_id",
)


class CheckpointError(Exception):
    """A checkpoint that cannot be trusted or written; the message says why."""


@dataclass(frozen=True)
class Checkpoint:
    format: str
    last_id: int
    last_hash: str
    count: int
    first_id: int
    first_previous_hash: str
    created_at: str
    key_id: str
    signature: str = ""

    def payload(self) -> dict:
        data = asdict(self)
        return {name: data[name] for name in _SIGNED}

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @property
    def file_name(self) -> str:
        stamp = self.created_at[:19].replace("-", "").replace(":", "")
        return f"checkpoint-{self.last_id:016d}-{stamp}.json"


def _signature(payload: dict, key: bytes) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def parse(text: str, source: str = "checkpoint") -> Checkpoint:
    """A checkpoint from its JSON, with its signature checked against the audit key."""
    try:
        data = json.loads(text)
        checkpoint = Checkpoint(**{name: data[name] for name in (*_SIGNED, "signature")})
    except (ValueError, TypeError, KeyError) as exc:
        raise CheckpointError(f"{source} is not an audit checkpoint ({exc})") from None
    if checkpoint.format != FORMAT:
        raise CheckpointError(f"{source} has the unknown format {checkpoint.format!r}")
    key = audit_key()
    if checkpoint.key_id != key_id(key):
        raise CheckpointError(
            f"{source} was signed with another audit key (key id {checkpoint.key_id}; "
            f"the configured key has id {key_id(key)})"
        )
    if not hmac.compare_digest(_signature(checkpoint.payload(), key), str(checkpoint.signature)):
        raise CheckpointError(f"{source} has a bad signature: it was altered")
    return checkpoint


def load(path: Path) -> Checkpoint:
    try:
        text = Path(path).read_text()
    except OSError as exc:
        raise CheckpointError(f"checkpoint {path} cannot be read: {exc}") from None
    return parse(text, f"checkpoint {path}")


def _directory() -> Path:
    return Path(settings.AUDIT_CHECKPOINT_DIR)


def latest_path() -> Path | None:
    """The newest checkpoint file: names sort by the head's id, then time."""
    directory = _directory()
    if not directory.is_dir():
        return None
    files = sorted(directory.glob("checkpoint-*.json"))
    return files[-1] if files else None


def latest() -> Checkpoint | None:
    path = latest_path()
    return load(path) if path else None


def _head() -> Checkpoint | None:
    from .services import _lock_chain

    with transaction.atomic():  # under the append lock: the head, the start and the count of one moment
        _lock_chain()
        last = AuditEvent.objects.order_by("-id").values("id", "hash").first()
        if last is None:
            return None
        first = AuditEvent.objects.order_by("id").values("id", "previous_hash").first()
        count = AuditEvent.objects.filter(id__lte=last["id"]).count()
    key = audit_key()
    checkpoint = Checkpoint(
        format=FORMAT,
        last_id=last["id"],
        last_hash=last["hash"],
        count=count,
        first_id=first["id"],
        first_previous_hash=first["previous_hash"],
        created_at=timezone.now().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        key_id=key_id(key),
    )
    return Checkpoint(**{**asdict(checkpoint), "signature": _signature(checkpoint.payload(), key)})


def write(*, force: bool = False) -> Checkpoint | None:
    """Write a checkpoint of the current head (None when the chain is empty). Unless `force`, nothing is
    written when the newest checkpoint already covers the head. The chain since the newest checkpoint (all
    of it for the first one) is verified first, and the newest checkpoint compared with the database: a
    broken or truncated chain is never anchored."""
    previous = latest()
    head = _head()
    if head is None:
        return None
    if previous is not None and (previous.last_id, previous.last_hash) == (head.last_id, head.last_hash):
        if not force:
            return previous
    report = None
    if previous is not None:
        stored = AuditEvent.objects.filter(id=previous.last_id).values_list("hash", flat=True).first()
        if stored == previous.last_hash:
            report = verify_chain(after=(previous.last_id, previous.last_hash))
    if report is None:
        report = verify_chain()
    if not report.ok:
        raise CheckpointError(f"no checkpoint written: {report.message}")
    if previous is not None and (problem := compare(previous, report)):
        raise CheckpointError(f"no checkpoint written: {problem}")
    directory = _directory()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if directory.stat().st_uid == os.getuid():
        directory.chmod(0o700)
    path = directory / head.file_name
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # two writers in the same second: the other one's file covers the same head
        return load(path)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(head.to_json())
    logger.debug("audit checkpoint written: %s", path)
    return head


def _purged_after(checkpoint: Checkpoint, purges: list[PurgeRecord]) -> list[PurgeRecord]:
    return [purge for purge in purges if purge.event_id > checkpoint.last_id]


def compare(checkpoint: Checkpoint, report: ChainReport) -> str | None:
    """What in the database contradicts the checkpoint (None when nothing does). `report` is a full
    verification of the chain (it carries the authentic purge records)."""
    later = _purged_after(checkpoint, report.purges)
    if any(purge.through_id >= checkpoint.last_id for purge in later):
        return None  # a documented purge removed every event the checkpoint covers
    where = f"the checkpoint of {checkpoint.created_at} (event {checkpoint.last_id})"
    stored = AuditEvent.objects.filter(id=checkpoint.last_id).values_list("hash", flat=True).first()
    if stored is None:
        return (
            f"event {checkpoint.last_id} recorded by {where} is missing: events up to it were deleted "
            "(the newest events, if the chain itself is intact)"
        )
    if stored != checkpoint.last_hash:
        return f"event {checkpoint.last_id} has another hash than {where} recorded: the chain was rewritten"
    count = AuditEvent.objects.filter(id__lte=checkpoint.last_id).count()
    purged = sum(purge.deleted for purge in later)
    if count != checkpoint.count - purged:
        since = f", less {purged} deleted by documented purges since" if purged else ""
        return (
            f"{count} events up to event {checkpoint.last_id}, where {where} counted {checkpoint.count}"
            f"{since}: events were deleted"
        )
    return None
