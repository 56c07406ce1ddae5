"""Reads of notifications and webhooks, always filtered by their policies."""

from django.db.models import Case, IntegerField, QuerySet, Value, When

from fanguai.core.policies import policy_for

from .models import Notification, Webhook, WebhookDelivery


def inbox(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first within each group."""
    rows = policy_for(Notification).visible(user, Notification.objects.all())
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    unread_first = Case(
        When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return rows.annotate(read_order=unread_first).order_by("read_order", "-created_at", "-id")


_UNREAD = "_fanguai_unread_count"


def unread_count(user) -> int:
    """The user's unread notifications. Kept on the user object, which lives for one request: the navigation
    badge and the home panel then count once."""
    if not getattr(user, "is_authenticated", False):
        return 0
    if _UNREAD not in user.__dict__:
        unread = Notification.objects.filter(read_at__isnull=True)
        remember_unread_count(user, policy_for(Notification).visible(user, unread).count())
    return user.__dict__[_UNREAD]


def remember_unread_count(user, count: int) -> None:
    user.__dict__[_UNREAD] = count


def notification_for(user, pk) -> Notification:
    return policy_for(Notification).get_visible_or_404(user, pk=pk)


def visible_webhooks(user) -> QuerySet[Webhook]:
    return policy_for(Webhook).visible(user, Webhook.objects.select_related("unit"))


def recent_deliveries(user, webhook: Webhook | None = None) -> QuerySet[WebhookDelivery]:
    rows = policy_for(WebhookDelivery).visible(user, WebhookDelivery.objects.select_related("webhook"))
    return rows.filter(webhook=webhook) if webhook is not None else rows
