"""Activities are not sensitive: a unit records and sees its own, a county coordinator those of its county,
the office and leaders everything."""

from django.db.models import Q

from fanguai.accounts.roles import Role
from fanguai.core.policies import Policy, register

from .models import Activity

RECORDER_ROLES = (
    Role.OFFICE_STAFF,
    Role.LIAISON,
    Role.COUNTY_COORDINATOR,
    Role.INVESTIGATOR,
    Role.CASEWORKER,
)
VIEWER_ROLES = (*RECORDER_ROLES, Role.LEADER)


@register(Activity)
class ActivityPolicy(Policy):
    def visible(self, user, queryset):
        if (
            not getattr(user, "is_authenticated", False)
            or not user.has_role(*VIEWER_ROLES)
            or not user.unit_id
        ):
            return queryset.none()
        if user.role in (Role.OFFICE_STAFF, Role.LEADER) and user.is_city_level:
            return queryset
        if user.role == Role.COUNTY_COORDINATOR and user.county is not None:
            return queryset.filter(Q(county=user.county) | Q(unit=user.unit))
        return queryset.filter(unit=user.unit)

    def can_create(self, user) -> bool:
        return user.has_role(*RECORDER_ROLES) and user.unit_id is not None

    def can_change(self, user, activity: Activity) -> bool:
        return user.has_role(*RECORDER_ROLES) and activity.unit_id == user.unit_id
