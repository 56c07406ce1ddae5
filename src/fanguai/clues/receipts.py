"""Receipt codes: 16 random digits shown once to the reporter.

A code carries about 53 bits of randomness, so a slow password hash buys nothing against guessing through the
site (which is rate-limited anyway); what matters is that a copy of the database alone does not let anyone
test codes offline. The code is therefore stored as a keyed hash, HMAC-SHA256 under a receipt key held apart
from the database, in an indexed column: finding a report by its code is one indexed query and costs
microseconds of CPU instead of a PBKDF2 run (0.4 s on a small server) for every report and every check.

The receipt key is derived with HKDF-SHA256 from the blind-index key of the encryption key file (or
``FANGUAI_INDEX_KEY``), under a label of its own. That key is already created by setup, checked at start,
exported with ``fanguai keys export`` and never rotated (rotation only replaces the Fernet keys), which is what
a lookup key must be; the distinct label keeps receipt digests unrelated to the blind indexes of identifiers.

Reports made before this change keep a PBKDF2 hash beside a 16-bit keyed bucket (``receipt_lookup``). They
keep working: when no digest matches, the legacy rows of the code's bucket are checked the slow way, and a
match is upgraded to the keyed digest (the slow hash is then erased), so each old code costs one slow check
at most."""

import hashlib
import hmac
import secrets

from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password

from fanguai.core import crypto

from . import conf

CODE_DIGITS = 16
LOOKUP_CHARS = 4  # hex characters of the legacy bucket digest: 65,536 buckets
DIGEST_CHARS = 64  # hex characters of the HMAC-SHA256 digest
KEY_LABEL = b"fanguai clue receipt code v1"
LEGACY_PREFIX = "pbkdf2_sha256$"


class ReceiptHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2 hasher with a configurable cost (legacy receipts only). The iteration count is part of
    the stored hash, so Django's check_password verifies it whatever the setting is today."""

    def __init__(self, iterations: int):
        self.iterations = iterations


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def normalise(code: str) -> str:
    """What the reporter typed, without spaces or dashes; '' when it cannot be a receipt code."""
    digits = "".join(ch for ch in str(code or "") if not ch.isspace() and ch != "-")
    return digits if len(digits) == CODE_DIGITS and digits.isascii() and digits.isdigit() else ""


def display(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def receipt_key() -> bytes:
    """The HMAC key of receipt codes, derived from the managed blind-index key (see the module text)."""
    return crypto.derived_key(KEY_LABEL)


def digest(code: str) -> str:
    """The keyed hash stored for a code and used to look it up."""
    return hmac.new(receipt_key(), code.encode("ascii"), hashlib.sha256).hexdigest()


def hash_code(code: str) -> str:
    """The value to store in ``Clue.receipt_digest`` for a new code."""
    return digest(code)


# Legacy receipts (PBKDF2 with a 16-bit bucket), verified until their next successful check upgrades them.


def lookup_key(code: str) -> str:
    return crypto.blind_index(f"receipt:{code}")[:LOOKUP_CHARS]


def legacy_hash(code: str, iterations: int | None = None) -> tuple[str, str]:
    """(bucket, slow hash) as reports made before the keyed digest stored them; for tests and migrations."""
    hasher = ReceiptHasher(iterations or conf.receipt_iterations())
    return lookup_key(code), make_password(code, hasher=hasher)


def legacy_matches(code: str, encoded: str) -> bool:
    return bool(encoded) and check_password(code, encoded)
