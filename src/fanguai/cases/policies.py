"""Who sees and works on trafficking cases. Investigators work on the cases of their county (or their own
unit's); city-level investigators and the joint conference office see every case; the office reads and
supervises but does not investigate. Everyone else sees none. The persons of a visible case become visible
to the case's investigators through a people scope."""

from django.db.models import Q

from fanguai.accounts.roles import Role
from fanguai.core.policies import Policy, register
from fanguai.core.policies import signed_in_with_unit as _active

from .models import Case

# Roles that see the aggregate clearance rate (发一破一); county-level users see their own county only.
CLEARANCE_ROLES = (Role.INVESTIGATOR, Role.OFFICE_STAFF, Role.LEADER, Role.COUNTY_COORDINATOR)
NAV_ROLES = (Role.INVESTIGATOR, Role.OFFICE_STAFF)


def case_scope(user) -> Q | None:
    """The cases a user may see, as a condition on Case (None: no case at all)."""
    if not _active(user):
        return None
    if user.role == Role.OFFICE_STAFF or (user.role == Role.INVESTIGATOR and user.is_city_level):
        return Q()
    if user.role == Role.INVESTIGATOR:
        return Q(county=user.county) | Q(owner_unit_id=user.unit_id)
    return None


@register(Case)
class CasePolicy(Policy):
    def visible(self, user, queryset):
        condition = case_scope(user)
        return queryset.none() if condition is None else queryset.filter(condition)

    def can_create(self, user) -> bool:
        return _active(user) and user.has_role(Role.INVESTIGATOR)

    def can_change(self, user, case: Case) -> bool:
        return _active(user) and user.has_role(Role.INVESTIGATOR) and self.can_view(user, case)

    def can_see_clearance(self, user) -> bool:
        return _active(user) and user.has_role(*CLEARANCE_ROLES)


def persons_of_visible_cases(user) -> Q | None:
    """People scope: an investigator sees the victims and suspects of the cases they may see."""
    condition = case_scope(user)
    if condition is None or user.role != Role.INVESTIGATOR:
        return None
    from .models import CaseParty

    case_ids = Case.objects.filter(condition).values("pk")
    return Q(pk__in=CaseParty.objects.filter(case__in=case_ids).values("person_id"))
