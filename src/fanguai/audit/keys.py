"""The audit key: the HMAC key of the audit chain and of its checkpoints, held apart from the database.

Whoever can write to the database but does not hold this key cannot recompute the chain after changing or
removing an event. It comes from ``FANGUAI_AUDIT_KEY`` or the file ``AUDIT_KEY_FILE``; outside production a
missing file is created (owner-only), in production a missing key is an error."""

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

MIN_KEY_LENGTH = 32


class AuditKeyMissing(ImproperlyConfigured):
    pass


def key_problem() -> str | None:
    """Why no usable audit key is configured (None when there is one). Creates nothing."""
    if settings.AUDIT_KEY:
        material = settings.AUDIT_KEY
        source = "FANGUAI_AUDIT_KEY"
    else:
        path = Path(settings.AUDIT_KEY_FILE)
        if not path.exists():
            return (
                f"The audit key is missing: set FANGUAI_AUDIT_KEY or create the key file {path} "
                "(`fanguai audit create-key`) and keep a copy apart from the database backups."
            )
        try:
            material = path.read_text().strip()
        except OSError as exc:
            return f"The audit key file {path} cannot be read: {exc}"
        source = str(path)
    if len(material) < MIN_KEY_LENGTH:
        return f"The audit key from {source} is shorter than {MIN_KEY_LENGTH} characters."
    return None


def create_key_file(path: Path | None = None) -> bool:
    """Write a new random key to the key file unless it exists (exclusive creation, mode 0600, so that
    processes starting together on a fresh folder share one key). True when a key was written."""
    path = Path(path or settings.AUDIT_KEY_FILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return True


@lru_cache(maxsize=4)
def _load(env_key: str, key_file: str, production: bool) -> bytes:
    if not env_key and not production:
        create_key_file(Path(key_file))
    if problem := key_problem():
        raise AuditKeyMissing(problem)
    material = env_key or Path(key_file).read_text().strip()
    return material.encode()


def audit_key() -> bytes:
    """The key bytes; raises AuditKeyMissing (with the reason) when there is none."""
    return _load(settings.AUDIT_KEY, str(settings.AUDIT_KEY_FILE), settings.PRODUCTION)


def key_id(key: bytes | None = None) -> str:
    """A short public fingerprint of the key, written into checkpoints and the re-key event so that a
    wrong key is named as such."""
    return hmac.new(key or audit_key(), b"fanguai-audit-key-id", hashlib.sha256).hexdigest()[:16]
