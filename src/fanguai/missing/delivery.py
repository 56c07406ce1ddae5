"""Sending an alert message to one subscriber: e-mail through Django's mail backend, or a signed webhook
POST through the notification module's sender (same signature header, no redirects). Each try is recorded;
failures are retried with growing delays up to ALERT_DELIVERY_MAX_ATTEMPTS."""

import json
import logging
from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from fanguai.notifications.delivery import post_webhook

from . import cap, conf
from .models import CapMessage, Delivery, DeliveryAttempt, Subscriber

logger = logging.getLogger(__name__)
RETRY_DELAYS = (1, 5, 30, 120)  # minutes before attempts 2, 3, 4, 5...
WEBHOOK_KIND = "missing.alert"


def _headline(message: CapMessage) -> tuple[str, str]:
    alert = message.alert
    if message.reason == CapMessage.Reason.FOUND:
        return "已找到", "Found"
    if message.reason == CapMessage.Reason.WITHDRAW:
        return "警报已撤销", "Alert withdrawn"
    name = alert.display_name or "失踪人员"
    return f"紧急寻人：{name}", f"Missing: {alert.display_name or 'missing person'}"


def payload(message: CapMessage) -> dict:
    alert = message.alert
    zh, en = _headline(message)
    data = {
        "id": message.identifier,
        "alert": alert.code,
        "msgType": message.msg_type,
        "reason": message.reason,
        "sent": cap.cap_time(message.sent),
        "headline": {"zh-CN": zh, "en-US": en},
        "cap": cap.absolute(message.get_public_url()),
        "web": cap.absolute(alert.get_public_url()),
    }
    if message.reason in (CapMessage.Reason.PUBLISH, CapMessage.Reason.WIDEN):
        data["circle"] = cap.circle(alert, message.radius_km)
        data["radius_km"] = message.radius_km
    return data


def email_text(message: CapMessage) -> tuple[str, str]:
    alert = message.alert
    zh, en = _headline(message)
    lines = [zh, en, ""]
    if message.reason in (CapMessage.Reason.PUBLISH, CapMessage.Reason.WIDEN):
        since = timezone.localtime(alert.missing_since).strftime("%Y-%m-%d %H:%M")
        lines += [
            f"走失时间：{since}　地点：{alert.last_seen_place}",
            alert.description,
            f"如有线索请拨打 {alert.police_phone or conf.police_phone()}",
            f"If you have information, call {alert.police_phone or conf.police_phone()}.",
            "",
        ]
    lines += [cap.absolute(alert.get_public_url()), cap.absolute(message.get_public_url())]
    return f"【{zh}】{en}", "\n".join(line for line in lines if line is not None)


def unsubscribe_text(subscriber: Subscriber) -> str:
    from django.urls import reverse

    from .alerts import unsubscribe_token

    link = cap.absolute(reverse("public_alerts:unsubscribe", args=[unsubscribe_token(subscriber)]))
    return f"\n\n退订 / Unsubscribe: {link}"


def send(delivery: Delivery) -> tuple[bool, int | None, str]:
    subscriber, message = delivery.subscriber, delivery.message
    if subscriber.channel == Subscriber.Channel.EMAIL:
        subject, body = email_text(message)
        body += unsubscribe_text(subscriber)
        try:
            EmailMessage(
                subject=" ".join(subject.split()),
                body=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[subscriber.email],
            ).send()
        except Exception as exc:
            return False, None, str(exc)[:500] or type(exc).__name__
        return True, None, ""
    body = json.dumps(payload(message), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    hook = SimpleNamespace(
        body=body,
        kind=WEBHOOK_KIND,
        webhook=SimpleNamespace(url=subscriber.webhook_url, secret=subscriber.webhook_secret),
    )
    return post_webhook(hook)


def attempt(delivery_id: int) -> Delivery | None:
    """One try. Returns the delivery, with next_attempt_at set when it should be tried again."""
    with transaction.atomic():
        now = timezone.now()
        claimed = (
            Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING)
            .filter(next_attempt_at__isnull=True)
            .update(next_attempt_at=now + timedelta(minutes=10))  # a lease: a second worker skips it
        ) or Delivery.objects.filter(
            pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + timedelta(minutes=10))
        if not claimed:
            return None
    delivery = Delivery.objects.select_related("subscriber", "message__alert").get(pk=delivery_id)
    if not delivery.subscriber.is_active:
        Delivery.objects.filter(pk=delivery_id).update(status=Delivery.Status.FAILED, last_error="inactive")
        return delivery
    ok, status_code, error = send(delivery)
    now = timezone.now()
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery, succeeded=ok, status_code=status_code, error=error[:500]
        )
        delivery.attempts += 1
        delivery.last_error = error[:500]
        if ok:
            delivery.status = Delivery.Status.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        elif delivery.attempts < conf.delivery_max_attempts():
            delay = RETRY_DELAYS[min(delivery.attempts - 1, len(RETRY_DELAYS) - 1)]
            delivery.next_attempt_at = now + timedelta(minutes=delay)
        else:
            delivery.status = Delivery.Status.FAILED
            delivery.next_attempt_at = None
        delivery.save(update_fields=["attempts", "last_error", "status", "delivered_at", "next_attempt_at"])
    return delivery


def due_for_retry(now=None) -> list[int]:
    now = now or timezone.now()
    return list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now).values_list(
            "pk", flat=True
        )
    )
