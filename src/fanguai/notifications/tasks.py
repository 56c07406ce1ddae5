"""Background delivery: e-mail and webhooks run in the task worker, enqueued when the transaction that made
the notifications commits, so nothing is sent for a change that was rolled back."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from .delivery import post_webhook, send_emails
from .models import Notification, WebhookDelivery

MAX_WEBHOOK_ATTEMPTS = 5
# Wait before attempt n+1 (minutes), when the task backend can defer.
RETRY_DELAYS = (1, 5, 30, 120)


@task()
def send_notification_emails(notification_ids: list[int]) -> dict:
    notifications = list(
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .exclude(recipient__email="")
        .filter(recipient__is_active=True)
        .select_related("recipient")
    )
    sent, failed = send_emails(notifications)
    return {"sent": sent, "failed": failed}


@task()
def deliver_webhook(delivery_id: int) -> dict:
    try:
        delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    except WebhookDelivery.DoesNotExist:
        return {"status": "missing"}
    if delivery.status == WebhookDelivery.Status.DELIVERED or not delivery.webhook.is_active:
        return {"status": delivery.status}
    delivered, status_code, error = post_webhook(delivery)
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.status_code = status_code
    delivery.error = error
    retry = False
    if delivered:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now
    elif delivery.attempts < MAX_WEBHOOK_ATTEMPTS and deliver_webhook.get_backend().supports_defer:
        retry = True
        delivery.status = WebhookDelivery.Status.PENDING
    else:
        delivery.status = WebhookDelivery.Status.FAILED
    delivery.save(
        update_fields=["attempts", "last_attempt_at", "status_code", "error", "status", "delivered_at"]
    )
    if retry:
        delay = RETRY_DELAYS[min(delivery.attempts - 1, len(RETRY_DELAYS) - 1)]
        deliver_webhook.using(run_after=now + timedelta(minutes=delay)).enqueue(delivery.pk)
    return {"status": delivery.status, "status_code": status_code}
