"""One call sends a notification everywhere it should go: the inbox of each recipient now, and (after the
transaction commits, in the task worker) an e-mail to each recipient with an address and a signed POST to
each active webhook of the named units.

Subjects travel by e-mail and to outside systems: callers put no personal data in a subject or a link; the
body goes to the inbox and e-mail only, never to webhooks.
"""

import uuid
from collections.abc import Iterable
from functools import partial

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from fanguai.audit.services import record_event
from fanguai.core.policies import policy_for
from fanguai.org.models import Unit

from .delivery import webhook_body
from .models import Notification, Webhook, WebhookDelivery, new_webhook_secret
from .tasks import deliver_webhook, send_notification_emails

SUBJECT_MAX = Notification._meta.get_field("subject").max_length
LINK_MAX = Notification._meta.get_field("link").max_length


def _one_line(text: str, limit: int) -> str:
    """Mail headers may not contain line breaks; the subject is one line everywhere."""
    return " ".join(str(text).split())[:limit]


def _recipients(recipients: Iterable, units: list[Unit], roles: Iterable[str] | None) -> list:
    User = get_user_model()
    chosen: dict[int, object] = {}
    for user in recipients:
        if user is not None and user.is_active:
            chosen.setdefault(user.pk, user)
    if units:
        members = User.objects.filter(unit__in=units, is_active=True)
        if roles is not None:
            members = members.filter(role__in=list(roles))
        for user in members.order_by("pk"):
            chosen.setdefault(user.pk, user)
    return list(chosen.values())


def notify(
    *,
    recipients: Iterable = (),
    units: Iterable[Unit] = (),
    roles: Iterable[str] | None = None,
    subject: str,
    body: str = "",
    link: str = "",
    kind: str = "general",
) -> list[Notification]:
    """Put a notification in the inbox of each recipient and of each active user of `units` (only those
    with one of `roles`, when given), and fire the units' webhooks. Returns the inbox rows."""
    units = list(dict.fromkeys(units))
    subject = _one_line(subject, SUBJECT_MAX)
    link = str(link or "")[:LINK_MAX]
    kind = str(kind)[:64]
    event_id = uuid.uuid4()
    with transaction.atomic():
        users = _recipients(recipients, units, roles)
        rows = Notification.objects.bulk_create(
            [
                Notification(
                    event_id=event_id, recipient=user, kind=kind, subject=subject, body=body, link=link
                )
                for user in users
            ]
        )
        created_at = timezone.now()
        deliveries = []
        for unit in units:
            for webhook in Webhook.objects.filter(unit=unit, is_active=True):
                if webhook.accepts(kind):
                    deliveries.append(
                        WebhookDelivery.objects.create(
                            webhook=webhook,
                            event_id=event_id,
                            kind=kind,
                            body=webhook_body(
                                event_id=event_id,
                                kind=kind,
                                subject=subject,
                                link=link,
                                created_at=created_at,
                                unit_code=unit.code,
                            ),
                        )
                    )
        record_event(
            "notification.send",
            object_type="notifications.event",
            object_id=event_id,
            details={
                "kind": kind,
                "recipients": len(rows),
                "units": [u.code for u in units],
                "webhooks": len(deliveries),
            },
        )
        emailed = [n.pk for n, user in zip(rows, users, strict=True) if user.email]
        if emailed:
            transaction.on_commit(partial(send_notification_emails.enqueue, emailed))
        for delivery in deliveries:
            transaction.on_commit(partial(deliver_webhook.enqueue, delivery.pk))
    return rows


@transaction.atomic
def mark_read(*, actor, notification: Notification) -> Notification:
    if not policy_for(Notification).can(actor, "mark_read", notification):
        raise PermissionDenied
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        record_event(
            "notification.read",
            actor=actor,
            object_type="notifications.notification",
            object_id=notification.pk,
            changed_fields=["read_at"],
        )
    return notification


@transaction.atomic
def mark_all_read(*, actor) -> int:
    count = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
    if count:
        record_event(
            "notification.read_all",
            actor=actor,
            object_type="notifications.notification",
            changed_fields=["read_at"],
            details={"count": count},
        )
    return count


def _check_url(url: str) -> str:
    URLValidator(schemes=["http", "https"])(url)
    return url


@transaction.atomic
def add_webhook(
    *, actor, unit: Unit, url: str, kinds: Iterable[str] = (), secret: str | None = None
) -> Webhook:
    """Register a unit's receiver. The secret (generated when not given) is shown once to whoever sets up
    the receiver; it is kept encrypted."""
    if actor is not None and not policy_for(Webhook).can(actor, "manage", unit):
        raise PermissionDenied
    webhook = Webhook.objects.create(
        unit=unit,
        url=_check_url(url),
        kinds=sorted(set(kinds)),
        secret=secret or new_webhook_secret(),
        created_by=actor,
    )
    record_event(
        "webhook.create",
        actor=actor,
        object_type="notifications.webhook",
        object_id=webhook.pk,
        changed_fields=["unit", "url", "kinds", "secret"],
        details={"unit": unit.code},
    )
    return webhook


@transaction.atomic
def set_webhook_active(*, actor, webhook: Webhook, active: bool) -> Webhook:
    if actor is not None and not policy_for(Webhook).can(actor, "manage", webhook.unit):
        raise PermissionDenied
    if webhook.is_active != active:
        webhook.is_active = active
        webhook.save(update_fields=["is_active"])
        record_event(
            "webhook.update",
            actor=actor,
            object_type="notifications.webhook",
            object_id=webhook.pk,
            changed_fields=["is_active"],
        )
    return webhook
