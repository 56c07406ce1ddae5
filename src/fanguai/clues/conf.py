"""Settings of the clue module. A Django setting of the name (e.g. ``CLUES_REPORTS_PER_HOUR``) wins over the
environment variable ``FANGUAI_`` + that name, which wins over the default; read at each use, so tests and a
benchmark server can change them.

| variable | meaning | default |
|---|---|---|
| FANGUAI_CLUES_REPORTS_PER_HOUR | public reports accepted per client address and hour | 5 |
| FANGUAI_CLUES_FOLLOWUP_FAILURES_PER_HOUR | wrong receipt codes allowed per address and hour | 10 |
| FANGUAI_CLUES_MESSAGES_PER_HOUR | reporter messages per address and hour | 20 |
| FANGUAI_CLUES_MIN_FILL_SECONDS | a public form sent sooner after it was shown is refused | 3 |
| FANGUAI_CLUES_FORM_MAX_AGE | a public form older than this (seconds) must be reloaded | 7200 |
| FANGUAI_CLUES_MAX_ATTACHMENTS | files per public report or message | 3 |
| FANGUAI_CLUES_DESCRIPTION_MAX | characters of a description or message | 5000 |
| FANGUAI_CLUES_RECEIPT_ITERATIONS | PBKDF2 iterations of legacy receipt hashes (new codes use a keyed HMAC) | Django's default |
| FANGUAI_CLUES_ACK_HOURS | acknowledgement deadline by priority | urgent=2,high=12,normal=24,low=72 |
| FANGUAI_CLUES_DUPLICATE_DAYS | clues this many days apart may be duplicates | 14 |
"""

import os

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

DEFAULT_ACK_HOURS = {"urgent": 2, "high": 12, "normal": 24, "low": 72}


def _value(name: str, default):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(f"FANGUAI_{name}")
    return default if value is None or value == "" else value


def _int(name: str, default: int) -> int:
    return int(_value(name, default))


def reports_per_hour() -> int:
    return _int("CLUES_REPORTS_PER_HOUR", 5)


def followup_failures_per_hour() -> int:
    return _int("CLUES_FOLLOWUP_FAILURES_PER_HOUR", 10)


def messages_per_hour() -> int:
    return _int("CLUES_MESSAGES_PER_HOUR", 20)


def min_fill_seconds() -> int:
    return _int("CLUES_MIN_FILL_SECONDS", 3)


def form_max_age() -> int:
    return _int("CLUES_FORM_MAX_AGE", 7200)


def max_attachments() -> int:
    return _int("CLUES_MAX_ATTACHMENTS", 3)


def description_max() -> int:
    return _int("CLUES_DESCRIPTION_MAX", 5000)


def receipt_iterations() -> int:
    return _int("CLUES_RECEIPT_ITERATIONS", PBKDF2PasswordHasher.iterations)


def duplicate_days() -> int:
    return _int("CLUES_DUPLICATE_DAYS", 14)


def ack_hours() -> dict[str, float]:
    """Hours to acknowledge a transfer, by priority: a dict setting or "urgent=2,high=12,..."."""
    value = _value("CLUES_ACK_HOURS", DEFAULT_ACK_HOURS)
    hours = dict(DEFAULT_ACK_HOURS)
    if isinstance(value, dict):
        hours.update({str(k): float(v) for k, v in value.items()})
    else:
        for part in str(value).split(","):
            if "=" in part:
                key, _, number = part.partition("=")
                hours[key.strip()] = float(number)
    return hours
