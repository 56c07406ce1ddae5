"""Key management behind `fanguai keys`: add a key, re-encrypt every encrypted value under the primary key,
retire a key no value uses any more. Procedure without downtime (several web processes):
`keys add` (every process can now decrypt with the new key once reloaded), reload, `keys promote`, reload,
`keys rotate`, then `keys retire` the old key."""

import hashlib

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from fanguai.audit.services import record_event

from . import crypto


def fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def _editable_keys() -> tuple[list[str], str]:
    if settings.ENCRYPTION_KEYS:
        raise ImproperlyConfigured("keys come from FANGUAI_ENCRYPTION_KEYS: change that variable instead")
    return crypto.read_key_file()


def _save(keys: list[str], index_key: str) -> None:
    crypto.write_key_file(keys, index_key)
    crypto.reset_key_cache()


def list_keys() -> list[tuple[str, bool]]:
    keys = crypto._keys()[0]
    return [(fingerprint(k), i == 0) for i, k in enumerate(keys)]


def add_key(*, primary: bool = False) -> str:
    keys, index_key = _editable_keys()
    new = Fernet.generate_key().decode()
    keys = [new, *keys] if primary else [*keys, new]
    _save(keys, index_key)
    record_event("keys.add", object_type="core.key", object_id=fingerprint(new), details={"primary": primary})
    return fingerprint(new)


def promote_key(key_fingerprint: str) -> None:
    keys, index_key = _editable_keys()
    match = [k for k in keys if fingerprint(k) == key_fingerprint]
    if not match:
        raise ValueError(f"no key with fingerprint {key_fingerprint}")
    _save([match[0], *[k for k in keys if k != match[0]]], index_key)
    record_event("keys.promote", object_type="core.key", object_id=key_fingerprint)


def rotate_all(batch_size: int = 500) -> int:
    """Re-encrypt every encrypted value under the primary key; rows are rewritten in small transactions so
    the application keeps running. Returns the number of rows rewritten."""
    rewritten = 0
    for model, names in crypto.encrypted_fields():
        pks = list(model._default_manager.values_list("pk", flat=True).order_by("pk"))
        for start in range(0, len(pks), batch_size):
            with transaction.atomic():
                for row in model._default_manager.filter(pk__in=pks[start : start + batch_size]).values(
                    "pk", *names
                ):
                    pk = row.pop("pk")
                    model._default_manager.filter(pk=pk).update(**row)
                    rewritten += 1
    record_event(
        "keys.rotate",
        object_type="core.key",
        object_id=fingerprint(crypto._keys()[0][0]),
        details={"rows": rewritten},
    )
    return rewritten


def retire_key(key_fingerprint: str) -> None:
    """Remove a key, refusing while any stored value still needs it or if it is the primary."""
    keys, index_key = _editable_keys()
    if keys and fingerprint(keys[0]) == key_fingerprint:
        raise ValueError("the primary key cannot be retired; promote another key first")
    remaining = [k for k in keys if fingerprint(k) != key_fingerprint]
    if len(remaining) == len(keys):
        raise ValueError(f"no key with fingerprint {key_fingerprint}")
    for model, names in crypto.encrypted_fields():
        table = model._meta.db_table
        columns = [model._meta.get_field(n).column for n in names]
        from django.db import connection

        with connection.cursor() as cursor:
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for values in cursor.fetchall():
                for token in values:
                    if token and not crypto.is_current(token):
                        raise ValueError("some values are not yet under the primary key: run `keys rotate`")
    _save(remaining, index_key)
    record_event("keys.retire", object_type="core.key", object_id=key_fingerprint)
