"""Key management behind `fanguai keys`: add a key, re-encrypt every encrypted value under the primary key,
retire a key no value uses any more. Procedure without downtime (several web processes):
`keys add` (every process can now decrypt with the new key once reloaded), reload, `keys promote`, reload,
`keys rotate`, then `keys retire` the old key."""

import hashlib
from typing import NamedTuple

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


class Rotation(NamedTuple):
    rows: int
    files: int


def rotate_all(batch_size: int = 500) -> Rotation:
    """Re-encrypt every encrypted value and every stored file under the primary key; rows are rewritten in
    small transactions so the application keeps running. Returns how many rows and files were rewritten."""
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
    files = rotate_files()
    record_event(
        "keys.rotate",
        object_type="core.key",
        object_id=fingerprint(crypto._keys()[0][0]),
        details={"rows": rewritten, "files": files},
    )
    return Rotation(rewritten, files)


def rotate_files() -> int:
    """Put every stored file under the primary key, encrypting legacy plaintext files too; each file is
    replaced atomically, so downloads keep working during the rotation. Returns the number rewritten."""
    store = crypto.private_file_store()
    if store is None:
        return 0
    return sum(1 for name in list(store.stored_names()) if store.reencrypt(name))


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
    store = crypto.private_file_store()
    if store is not None and any(store.needs_rewrite(name) for name in store.stored_names()):
        raise ValueError("some stored files are not yet under the primary key: run `keys rotate`")
    _save(remaining, index_key)
    record_event("keys.retire", object_type="core.key", object_id=key_fingerprint)


def record_key_transfer(action: str, names: list[str]) -> None:
    """Audit a key export or import once the database is set up (an import into a fresh instance comes
    before its database is restored, and must not start an audit trail of its own)."""
    from django.db import connection

    from fanguai.audit.models import AuditEvent

    if AuditEvent._meta.db_table not in connection.introspection.table_names():
        return
    if not AuditEvent.objects.exists():
        return
    record_event(action, object_type="core.key", details={"files": names})
