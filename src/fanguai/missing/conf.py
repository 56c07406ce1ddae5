"""Configuration of missing-person alerts. A Django setting of the same name wins over the environment
variable (FANGUAI_<NAME>), so a deployment sets the environment and tests override settings."""

import os
from urllib.parse import urlparse

from django.conf import settings

# Minutes since the disappearance → radius in km; the last entry (None) applies after the others.
DEFAULT_RADIUS_SCHEDULE = ((60, 100), (120, 200), (180, 300), (None, 500))


def _value(name: str, default):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(f"FANGUAI_{name}")
    return default if value in (None, "") else value


def approval_required() -> bool:
    """ALERT_APPROVAL_REQUIRED: an alert is published only after a second person approves it."""
    value = _value("ALERT_APPROVAL_REQUIRED", False)
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def parse_schedule(text: str) -> tuple[tuple[int | None, int], ...]:
    """'60:100,120:200,180:300,*:500' → ((60, 100), (120, 200), (180, 300), (None, 500))."""
    steps = []
    for part in text.split(","):
        minutes, _, km = part.strip().partition(":")
        steps.append((None if minutes.strip() in ("*", "") else int(minutes), int(km)))
    return tuple(steps)


def radius_schedule() -> tuple[tuple[int | None, int], ...]:
    """ALERT_RADIUS_SCHEDULE: a sequence of (minutes, km) pairs or the text form of parse_schedule."""
    value = _value("ALERT_RADIUS_SCHEDULE", DEFAULT_RADIUS_SCHEDULE)
    steps = parse_schedule(value) if isinstance(value, str) else tuple(tuple(s) for s in value)
    bounded = sorted((s for s in steps if s[0] is not None), key=lambda s: s[0])
    final = [s for s in steps if s[0] is None]
    return (*bounded, *(final[-1:] or [(None, bounded[-1][1] if bounded else 500)]))


def police_phone() -> str:
    """ALERT_POLICE_PHONE: the number printed on every public alert unless the investigator gives one."""
    return str(_value("ALERT_POLICE_PHONE", "110"))


def cap_sender() -> str:
    """ALERT_CAP_SENDER: the CAP <sender> (no spaces or commas)."""
    host = urlparse(settings.SITE_URL).hostname or "localhost"
    return str(_value("ALERT_CAP_SENDER", f"fanguai@{host}"))


def sender_name() -> str:
    return str(_value("ALERT_SENDER_NAME", "六安市公安局"))


def photo_max_pixels() -> int:
    return int(_value("ALERT_PHOTO_MAX_PIXELS", 600))


def delivery_max_attempts() -> int:
    return int(_value("ALERT_DELIVERY_MAX_ATTEMPTS", 5))
