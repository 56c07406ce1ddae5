"""Application-level encryption of sensitive fields.

Keys are Fernet keys (AES-128-CBC + HMAC-SHA256) read from FANGUAI_ENCRYPTION_KEYS (comma-separated) or
from the key file (one key a line); the first key encrypts, every key decrypts, so a new key can be added
everywhere before it becomes primary and `fanguai keys rotate` re-encrypts without downtime. A separate
blind-index key turns identifiers into HMAC digests so that exact-match search works without decrypting.
"""

import base64
import hashlib
import hmac
import os
import tempfile
import unicodedata
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

INDEX_PREFIX = "index:"


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key (never shows the value)."""


def _key_file() -> Path:
    return Path(settings.ENCRYPTION_KEY_FILE)


def missing_key_message(path: Path) -> str:
    return (
        f"the encryption key file {path} is missing but the database or the private files hold encrypted "
        "data: restore the key file from its separate backup (`fanguai keys import FILE`) or set "
        "FANGUAI_ENCRYPTION_KEYS. A new key would make that data unreadable, so none was created."
    )


def read_key_file() -> tuple[list[str], str]:
    """Return (encryption keys, blind-index key) from the key file. The embedded default creates the file on
    first use, but only while nothing is encrypted yet: a lost key file is never silently replaced."""
    path = _key_file()
    if not path.exists():
        if getattr(settings, "PRODUCTION", False):
            raise ImproperlyConfigured(f"encryption key file {path} is missing")
        if encrypted_data_exists():
            raise ImproperlyConfigured(missing_key_message(path))
        write_key_file(
            [Fernet.generate_key().decode()], base64.urlsafe_b64encode(os.urandom(32)).decode(), replace=False
        )
    keys, index_key = [], ""
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(INDEX_PREFIX):
            index_key = line[len(INDEX_PREFIX) :]
        else:
            keys.append(line)
    return keys, index_key


def write_key_file(keys: list[str], index_key: str, *, replace: bool = True) -> None:
    """Write the key file atomically. With replace=False an existing file wins, so that processes starting
    together on a fresh data folder all end up with the same keys."""
    path = _key_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "# fanguai encryption keys: the first key encrypts, all keys decrypt. Keep this file secret.\n"
    text += "".join(f"{k}\n" for k in keys) + f"{INDEX_PREFIX}{index_key}\n"
    descriptor, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".keys-")  # mode 0600
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)
    tmp = Path(tmp_name)
    if replace:
        tmp.replace(path)
        return
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


@cache
def _keys() -> tuple[tuple[str, ...], bytes]:
    keys, index_key = (list(settings.ENCRYPTION_KEYS), settings.BLIND_INDEX_KEY)
    if not keys:
        keys, file_index_key = read_key_file()
        index_key = index_key or file_index_key
    if not keys or not index_key:
        raise ImproperlyConfigured("no encryption keys or no blind-index key configured")
    return tuple(keys), index_key.encode()


def reset_key_cache() -> None:
    _keys.cache_clear()
    _multi_fernet.cache_clear()
    _derive.cache_clear()


@cache
def _derive(index_key: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(index_key)


def derived_key(label: bytes) -> bytes:
    """A 32-byte key for one purpose (``label``), derived with HKDF-SHA256 from the blind-index key: like that key
    it is never rotated, so it suits lookups; distinct labels give unrelated keys."""
    return _derive(_keys()[1], label)


def _fernet() -> MultiFernet:
    return _multi_fernet(_keys()[0])


@cache
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    """Built once per key set, not on each of the dozens of decryptions a list page makes."""
    return MultiFernet([Fernet(k.encode()) for k in keys])


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionError("a value could not be decrypted with the configured keys") from None


def rotate_token(token: str) -> str:
    """Re-encrypt a token under the primary key."""
    return _fernet().rotate(token.encode()).decode()


def is_current(token: str | bytes) -> bool:
    """Whether a token was made with the primary key (Fernet tokens are not labelled; try the primary)."""
    try:
        Fernet(_keys()[0][0].encode()).decrypt(token.encode() if isinstance(token, str) else token)
        return True
    except InvalidToken:
        return False


# Files are encrypted whole with the same key ring. A Fernet token is base64 of the version byte 0x80 and a
# big-endian timestamp whose high bytes are zero until 2106, so it always starts with this prefix; no upload
# type the platform accepts (images, PDF) does, which tells a legacy plaintext file from an encrypted one.
TOKEN_PREFIX = b"gAAAAA"


def is_token(data: bytes) -> bool:
    return data.startswith(TOKEN_PREFIX)


def encrypt_bytes(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(token)
    except InvalidToken:
        raise DecryptionError("a stored file could not be decrypted with the configured keys") from None


def rotate_bytes(token: bytes) -> bytes:
    return _fernet().rotate(token)


def normalise_for_index(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().upper().replace(" ", "")


def blind_index(value: str) -> str:
    """A keyed digest for exact-match lookups of an encrypted identifier (ID card, phone, name)."""
    if not value:
        return ""
    return hmac.new(_keys()[1], normalise_for_index(value).encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; the Python value is the plaintext. Empty values stay empty so that
    "not given" is visible without decrypting. Never filter on it: use a blind-index field beside it."""

    description = "Encrypted text"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every model with encrypted fields, for key rotation."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = [f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if names:
            found.append((model, names))
    return found


def sample_encrypted_value() -> str | None:
    """One stored encrypted field value, read raw (without decrypting), or None on an empty database."""
    from django.db import connection

    tables = set(connection.introspection.table_names())
    for model, names in encrypted_fields():
        table = model._meta.db_table
        if table not in tables:
            continue
        quote = connection.ops.quote_name
        for name in names:
            column = quote(model._meta.get_field(name).column)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {column} FROM {quote(table)} WHERE {column} IS NOT NULL AND {column} <> '' "  # noqa: S608
                    "LIMIT 1"
                )
                row = cursor.fetchone()
            if row:
                return row[0]
    return None


def private_file_store():
    """The private file storage when it encrypts (files.storage.EncryptedFileSystemStorage), else None."""
    from django.core.files.storage import InvalidStorageError, storages

    try:
        storage = storages["private"]
    except InvalidStorageError:
        return None
    return storage if hasattr(storage, "reencrypt") else None


def sample_encrypted_file() -> bytes | None:
    """The raw bytes of one encrypted stored file, or None when no file is encrypted."""
    store = private_file_store()
    if store is None:
        return None
    for name in store.stored_names():
        if store.is_encrypted(name):
            return store.read_raw(name)
    return None


def encrypted_data_exists() -> bool:
    return sample_encrypted_value() is not None or sample_encrypted_file() is not None
