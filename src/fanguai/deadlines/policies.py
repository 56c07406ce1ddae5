"""Who sees a deadline: the responsible unit; a county coordinator for every unit of the county; city-level
joint conference office staff and leaders for all. Administrators see none (they do not see case work)."""

from django.db.models import Q

from fanguai.accounts.roles import ADMIN_ROLES, Role
from fanguai.core.policies import Policy, register
from fanguai.org.selectors import units_in_county

from .models import Deadline

CITY_WIDE_ROLES = (Role.OFFICE_STAFF, Role.LEADER)


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


@register(Deadline)
class DeadlinePolicy(Policy):
    def visible(self, user, queryset):
        if not _active(user) or user.role in ADMIN_ROLES or not user.unit_id:
            return queryset.none()
        if user.has_role(*CITY_WIDE_ROLES) and user.is_city_level:
            return queryset
        if user.has_role(Role.COUNTY_COORDINATOR) and user.county is not None:
            return queryset.filter(units_in_county(user.county) | Q(responsible_unit_id=user.unit_id))
        return queryset.filter(responsible_unit_id=user.unit_id)
