"""The start-up check of the encryption keys. It runs with every `fanguai check` and before `serve`,
`worker` and `runserver` start (Django system checks), so that an instance whose key file is lost or wrong
refuses to start instead of failing on the first record it opens, or worse, creating a new key."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError

from . import crypto

TAG = "encryption"


def _keys_configured() -> bool:
    return bool(settings.ENCRYPTION_KEYS) or Path(settings.ENCRYPTION_KEY_FILE).exists()


@register(TAG)
def check_encryption_keys(app_configs=None, **kwargs) -> list:
    if getattr(settings, "PRODUCTION", False) and not _keys_configured():
        return [
            Error(
                f"FANGUAI_PRODUCTION=1 but the encryption key file {settings.ENCRYPTION_KEY_FILE} is missing "
                "and FANGUAI_ENCRYPTION_KEYS is not set.",
                hint="Install the key file from its separate backup (`fanguai keys import FILE`) or, for a "
                "new instance, generate one (see the README); never let the platform run without it.",
                id="fanguai.E001",
            )
        ]
    try:
        value = crypto.sample_encrypted_value()
        token = crypto.sample_encrypted_file()
    except DatabaseError as exc:
        return [Warning(f"Could not look for encrypted data: {exc.__class__.__name__}.", id="fanguai.W001")]
    if value is None and token is None:
        return []  # a fresh instance: the key file is created on first use
    samples = [
        (value, crypto.decrypt, "an encrypted database value"),
        (token, crypto.decrypt_bytes, "a stored file"),
    ]
    for sample, decrypt, what in samples:
        if sample is None:
            continue
        try:
            decrypt(sample)
        except ImproperlyConfigured as exc:
            return [
                Error(
                    f"Encrypted data exists but no usable encryption key is configured: {exc}",
                    hint="Restore the key file from its separate backup (`fanguai keys import FILE`).",
                    id="fanguai.E002",
                )
            ]
        except crypto.DecryptionError:
            return [
                Error(
                    f"The configured encryption keys cannot decrypt {what}: the key file "
                    f"{settings.ENCRYPTION_KEY_FILE} is not the one this data was encrypted with.",
                    hint="Install the right key file (`fanguai keys import FILE`); never generate a new key "
                    "for existing data.",
                    id="fanguai.E003",
                )
            ]
    return []
