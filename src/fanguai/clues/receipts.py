"""Receipt codes: 16 random digits shown once to the reporter. Only a slow salted hash (Django's PBKDF2
hasher) is stored, beside a 16-bit keyed digest of the code that narrows the lookup to a few rows without
scanning the table; 16 bits are far too few to identify a code, even for someone holding the index key."""

import secrets

from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password, make_password

from fanguai.core.crypto import blind_index

from . import conf

CODE_DIGITS = 16
LOOKUP_CHARS = 4  # hex characters of the keyed digest: 65,536 buckets


class ReceiptHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2 hasher with a configurable cost. The iteration count is part of the stored hash,
    so Django's check_password verifies it whatever the setting is today."""

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


def lookup_key(code: str) -> str:
    return blind_index(f"receipt:{code}")[:LOOKUP_CHARS]


def hash_code(code: str) -> tuple[str, str]:
    """(lookup key, slow hash) to store for a new code."""
    return lookup_key(code), make_password(code, hasher=ReceiptHasher(conf.receipt_iterations()))


def matches(code: str, encoded: str) -> bool:
    return bool(encoded) and check_password(code, encoded)


def spend_equal_time() -> None:
    """Hash once when no row was a candidate, so that the answer time does not tell whether a bucket is
    empty."""
    make_password("0" * CODE_DIGITS, hasher=ReceiptHasher(conf.receipt_iterations()))
