"""Abuse guards of the public pages, without any outside service: per-address counters in the database
(shared by every web worker), a signed form timestamp for the minimum fill time, and a honeypot field."""

import ipaddress
import secrets
from datetime import timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from fanguai.core.crypto import blind_index

from . import conf
from .models import AbuseCounter

WINDOW = timedelta(hours=1)
_SIGNER_SALT = "fanguai.clues.public-form"

REPORT = "report"
FOLLOWUP_FAILURE = "followup-failure"
MESSAGE = "message"


def _limit(purpose: str) -> int:
    return {
        REPORT: conf.reports_per_hour,
        FOLLOWUP_FAILURE: conf.followup_failures_per_hour,
        MESSAGE: conf.messages_per_hour,
    }[purpose]()


def limited_address(address: str | None) -> str:
    """What a limit counts: the client address (fanguai.core.net.client_ip, which sees through trusted
    proxies), or for IPv6 its /64 network, which one subscriber holds whole."""
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return "unknown"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _key(purpose: str, address: str | None) -> str:
    return f"{purpose}:{blind_index('addr:' + limited_address(address))[:40]}"


def _window_start(now=None):
    now = now or timezone.now()
    return now.replace(minute=0, second=0, microsecond=0)


def count(purpose: str, address: str | None) -> int:
    row = AbuseCounter.objects.filter(key=_key(purpose, address), window_start=_window_start()).first()
    return row.count if row else 0


def is_blocked(purpose: str, address: str | None) -> bool:
    return count(purpose, address) >= _limit(purpose)


def hit(purpose: str, address: str | None) -> bool:
    """Count one attempt; False when the address has used up this hour's allowance (then nothing more is
    counted, so the counter stays small)."""
    key, start = _key(purpose, address), _window_start()
    limit = _limit(purpose)
    with transaction.atomic():
        try:
            with transaction.atomic():
                row, _ = AbuseCounter.objects.get_or_create(key=key, window_start=start)
        except IntegrityError:
            row = AbuseCounter.objects.get(key=key, window_start=start)
        updated = AbuseCounter.objects.filter(pk=row.pk, count__lt=limit).update(count=F("count") + 1)
    return bool(updated)


def purge_old(now=None) -> int:
    deleted, _ = AbuseCounter.objects.filter(window_start__lt=_window_start(now) - WINDOW).delete()
    return deleted


def new_form_token() -> str:
    """A signed, timestamped random key: proves when the form was shown and identifies one submission."""
    return signing.TimestampSigner(salt=_SIGNER_SALT).sign(secrets.token_hex(16))


class FormTokenError(Exception):
    def __init__(self, reason: str):
        self.reason = reason  # "invalid", "expired" or "too_fast"
        super().__init__(reason)


def check_form_token(token: str) -> str:
    """The submission key inside a valid token, or FormTokenError."""
    signer = signing.TimestampSigner(salt=_SIGNER_SALT)
    try:
        value = signer.unsign(token or "", max_age=conf.form_max_age())
    except signing.SignatureExpired as exc:
        raise FormTokenError("expired") from exc
    except signing.BadSignature as exc:
        raise FormTokenError("invalid") from exc
    timestamp = signing.b62_decode(token.rsplit(":", 2)[1])
    if (timezone.now().timestamp() - timestamp) < conf.min_fill_seconds():
        raise FormTokenError("too_fast")
    return value
