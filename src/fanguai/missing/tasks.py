"""Background work of the alerts: widening (periodic and, where the backend can defer, exactly on time),
delivery to subscribers with retries."""

from django_tasks import task

from . import alerts, delivery
from .models import Alert


@task()
def widen_alert(alert_id: int) -> dict:
    message = alerts.widen(Alert(pk=alert_id)) if Alert.objects.filter(pk=alert_id).exists() else None
    return {"widened": message is not None}


@task()
def deliver_alert(delivery_id: int) -> dict:
    result = delivery.attempt(delivery_id)
    if result is None:
        return {"status": "skipped"}
    if (
        result.status == result.Status.PENDING
        and result.next_attempt_at
        and deliver_alert.get_backend().supports_defer
    ):
        deliver_alert.using(run_after=result.next_attempt_at).enqueue(result.pk)
    return {"status": result.status, "attempts": result.attempts}


@task()
def alert_sweep() -> dict:
    """The periodic job: widen alerts whose time has come and retry deliveries that are due (the retries
    also run through deferred tasks where the backend supports them; the lease in delivery.attempt keeps
    one delivery from being sent twice at once)."""
    widened = alerts.widen_due_alerts()
    retried = 0
    for pk in delivery.due_for_retry():
        deliver_alert.enqueue(pk)
        retried += 1
    return {"widened": widened, "retried": retried}


@task()
def send_subscription_confirmation(subscriber_id: int) -> dict:
    from django.conf import settings
    from django.core.mail import EmailMessage
    from django.urls import reverse

    from . import cap
    from .models import Subscriber

    subscriber = Subscriber.objects.filter(pk=subscriber_id, confirmed_at__isnull=True).first()
    if subscriber is None or not subscriber.email:
        return {"sent": False}
    link = cap.absolute(reverse("public_alerts:confirm", args=[alerts.confirm_token(subscriber)]))
    EmailMessage(
        subject="请确认订阅失踪儿童警报 / Confirm your missing-child alert subscription",
        body=f"请打开以下链接确认订阅（两天内有效）：\nOpen this link to confirm (valid for two days):\n\n{link}\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscriber.email],
    ).send()
    return {"sent": True}
