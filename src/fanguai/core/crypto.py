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
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

INDEX_PREFIX = "index:"


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key (never shows the value)."""


def _key_file() -> Path:
    return Path(settings.ENCRYPTION_KEY_FILE)


def read_key_file() -> tuple[list[str], str]:
    """Return (encryption keys, blind-index key) from the key file, creating it for the embedded default."""
    path = _key_file()
    if not path.exists():
        if getattr(settings, "PRODUCTION", False):
            raise ImproperlyConfigured(f"encryption key file {path} is missing")
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
    descriptor, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=".keys-")
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


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in _keys()[0]])


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


def is_current(token: str) -> bool:
    """Whether a token was made with the primary key (Fernet tokens are not labelled; try the primary)."""
    try:
        Fernet(_keys()[0][0].encode()).decrypt(token.encode())
        return True
    except InvalidToken:
        return False


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
