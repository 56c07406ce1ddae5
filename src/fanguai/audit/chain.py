"""The hash chain of the audit trail.

hash(event) = HMAC-SHA256(audit key, previous hash + canonical JSON of the event). Events written before
the chain was keyed used the public SHA-256 of the same bytes (`legacy_hash`); they may only form the
oldest part of the chain, closed by an `audit.rekey` event (see `selectors.verify_chain`)."""

import hashlib
import hmac
import json

GENESIS_HASH = "0" * 64
REKEY_ACTION = "audit.rekey"
PURGE_ACTION = "audit.purge"
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


def canonical_bytes(previous_hash: str, values: dict) -> bytes:
    payload = {name: values[name] for name in CHAINED_FIELDS}
    payload["created_at"] = payload["created_at"].isoformat(timespec="microseconds")
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return (previous_hash + canonical).encode()


def keyed_hash(previous_hash: str, values: dict, key: bytes) -> str:
    return hmac.new(key, canonical_bytes(previous_hash, values), hashlib.sha256).hexdigest()


def legacy_hash(previous_hash: str, values: dict) -> str:
    """The unkeyed hash of the events written before the chain was keyed: anyone can compute it."""
    return hashlib.sha256(canonical_bytes(previous_hash, values)).hexdigest()


def event_hash(previous_hash: str, values: dict) -> str:
    """The hash a new event gets: keyed with the audit key."""
    from .keys import audit_key

    return keyed_hash(previous_hash, values, audit_key())
