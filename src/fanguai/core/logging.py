"""A logging filter that keeps sensitive values out of logs: ID-card numbers and mobile numbers in any
message or argument are masked before a handler sees them."""

import logging
import re

_PATTERNS = [
    re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)"),  # resident ID card
    re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)"),  # mobile phone
]


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub("[redacted]", text)
    return text


class RedactSensitiveFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not stop logging
            return True
        record.msg, record.args = redact(message), None
        return True
