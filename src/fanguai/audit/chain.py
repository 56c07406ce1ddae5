"""The hash chain of the audit trail: hash(event) = SHA-256(previous hash + canonical JSON of the event)."""

import hashlib
import json

GENESIS_HASH = "0" * 64
CHAINED_FIELDS = (
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
)


def event_hash(previous_hash: str, values: dict) -> str:
    payload = {name: values[name] for name in CHAINED_FIELDS}
    payload["created_at"] = payload["created_at"].isoformat(timespec="microseconds")
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((previous_hash + canonical).encode()).hexdigest()
