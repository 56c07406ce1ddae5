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
    if result.status == result.Status.PENDING and result.next_attempt_at and deliver_alert.get_backend().supports_defer:
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
