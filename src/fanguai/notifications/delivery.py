"""Sending: e-mail through Django's mail backend and webhook POSTs signed with HMAC-SHA256. Called from the
background tasks, never inside a request, so a slow mail server or receiver does not slow a page."""

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from datetime import datetime
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone

from .models import Notification, WebhookDelivery

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Fanguai-Signature"
TIMESTAMP_HEADER = "X-Fanguai-Timestamp"
EVENT_HEADER = "X-Fanguai-Event"


def absolute_link(link: str) -> str:
    """Links are stored relative to the site; outside readers (mail, webhooks) get the full address."""
    if not link:
        return ""
    return urljoin(settings.SITE_URL.rstrip("/") + "/", link)


def webhook_body(
    *, event_id, kind: str, subject: str, link: str, created_at: datetime, unit_code: str
) -> str:
    """The JSON sent to a webhook: ids, kind and subject only, never personal data from the body."""
    payload = {
        "id": str(event_id),
        "kind": kind,
        "subject": subject,
        "link": absolute_link(link),
        "created_at": created_at.isoformat(),
        "unit": unit_code,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str) -> bool:
    """For receivers and tests: constant-time check of an X-Fanguai-Signature header."""
    return hmac.compare_digest(sign(secret, body), header or "")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A receiver that redirects is misconfigured; following it would send the signed body elsewhere."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post_webhook(delivery: WebhookDelivery) -> tuple[bool, int | None, str]:
    """POST the stored body once. Returns (delivered, HTTP status, error text)."""
    body = delivery.body.encode()
    request = urllib.request.Request(  # noqa: S310  the scheme is limited to http(s) by the URLField
        delivery.webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "fanguai-webhook/1",
            SIGNATURE_HEADER: sign(delivery.webhook.secret, body),
            TIMESTAMP_HEADER: str(int(time.time())),
            EVENT_HEADER: delivery.kind,
        },
    )
    try:
        with _opener.open(request, timeout=settings.WEBHOOK_TIMEOUT) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        return False, exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return False, None, str(reason)[:500] or type(exc).__name__
    if 200 <= status < 300:
        return True, status, ""
    return False, status, f"HTTP {status}"


def email_text(notification: Notification) -> str:
    parts = [notification.body.strip()] if notification.body.strip() else []
    if notification.link:
        parts.append(absolute_link(notification.link))
    return "\n\n".join(parts) or notification.subject


def send_emails(notifications: list[Notification]) -> tuple[int, int]:
    """Send each notification to its recipient's address over one connection. Returns (sent, failed)."""
    sent = failed = 0
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
        for notification in notifications:
            address = notification.recipient.email
            if not address:
                continue
            message = EmailMessage(
                subject=notification.subject,
                body=email_text(notification),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[address],
                connection=connection,
            )
            try:
                message.send()
            except Exception:
                failed += 1
                logger.exception("e-mail for notification %s could not be sent", notification.pk)
                continue
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
            sent += 1
    except OSError:
        logger.exception("could not connect to the mail server")
        failed += sum(1 for n in notifications if n.recipient.email) - sent
    finally:
        try:
            connection.close()
        except Exception:  # noqa: S110  closing a broken connection may fail too
            pass
    return sent, failed
