from fanguai.core.policies import Policy, register

from .models import User
from .roles import ADMIN_ROLES, Role


@register(User)
class UserPolicy(Policy):
    """The system administrator manages staff accounts; the security administrator unlocks accounts and
    resets second factors; nobody manages the three administrator accounts from the web (the CLI does)."""

    def visible(self, user, queryset):
        if user.has_role(Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN):
            return queryset
        return queryset.filter(pk=user.pk)

    def can_list(self, user) -> bool:
        return user.has_role(Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN)

    def can_create(self, user) -> bool:
        return user.has_role(Role.SYSTEM_ADMIN)

    def can_change(self, user, target: User) -> bool:
        return user.has_role(Role.SYSTEM_ADMIN) and target.role not in ADMIN_ROLES

    def can_reset_security(self, user, target: User) -> bool:
        return user.has_role(Role.SECURITY_ADMIN) and target.role not in ADMIN_ROLES
