from fanguai.accounts.roles import Role
from fanguai.core.policies import Policy, register

from .models import AuditEvent


@register(AuditEvent)
class AuditEventPolicy(Policy):
    """Only the audit administrator reads the trail; nobody may change it."""

    def visible(self, user, queryset):
        if getattr(user, "is_authenticated", False) and user.has_role(Role.AUDIT_ADMIN):
            return queryset
        return queryset.none()

    def can_export(self, user) -> bool:
        return user.has_role(Role.AUDIT_ADMIN)
