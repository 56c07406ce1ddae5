"""Warning thresholds of listing supervision. A setting of the same name wins over the environment variable
(FANGUAI_LISTING_WARN_DAYS, FANGUAI_LISTING_QUIET_DAYS), so tests can change them."""

import os
from datetime import timedelta

from django.conf import settings


def _days(name: str, default: int) -> timedelta:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(f"FANGUAI_{name}", default)
    return timedelta(days=int(value))


def warn_window() -> timedelta:
    """A yellow warning is possible from this long before the deadline..."""
    return _days("LISTING_WARN_DAYS", 7)


def quiet_period() -> timedelta:
    """...when no progress was reported for this long (counted from the listing when there is no report)."""
    return _days("LISTING_QUIET_DAYS", 14)


def rectification_warn_before() -> timedelta:
    return _days("RECTIFICATION_WARN_DAYS", 3)
