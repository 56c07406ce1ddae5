"""A notification is seen by its recipient only. Webhooks carry no personal data but their secrets matter:
the system administrator manages all of them, a unit liaison sees their own unit's."""

from fanguai.accounts.roles import Role
from fanguai.core.policies import Policy, register
from fanguai.core.policies import signed_in as _active

from .models import Notification, Webhook, WebhookDelivery


@register(Notification)
class NotificationPolicy(Policy):
    def visible(self, user, queryset):
        if not _active(user):
            return queryset.none()
        return queryset.filter(recipient=user)

    def can_mark_read(self, user, obj: Notification) -> bool:
        return _active(user) and obj.recipient_id == user.pk


@register(Webhook)
class WebhookPolicy(Policy):
    def visible(self, user, queryset):
        if not _active(user):
            return queryset.none()
        if user.has_role(Role.SYSTEM_ADMIN):
            return queryset
        if user.has_role(Role.LIAISON) and user.unit_id:
            return queryset.filter(unit_id=user.unit_id)
        return queryset.none()

    def can_manage(self, user, unit=None) -> bool:
        return _active(user) and user.has_role(Role.SYSTEM_ADMIN)


@register(WebhookDelivery)
class WebhookDeliveryPolicy(Policy):
    def visible(self, user, queryset):
        webhooks = WebhookPolicy().visible(user, Webhook.objects.all())
        return queryset.filter(webhook__in=webhooks)
